from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = [
    "manage.py",
    "Makefile",
    "foldcard",
    "contacts",
    "events",
    "reading",
    "api",
    "webhooks",
    "templates",
    "static",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Return a copy of the project's code without a .env file, so that a developer's
    .env does not change what these tests see."""
    copy = tmp_path_factory.mktemp("project")
    for name in CODE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, copy / name)
    return copy


def run_manage(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    inherited = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(project):
    result = run_manage(
        project,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-enough-0123456789",
        ALLOWED_HOSTS="foldcard.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_models_pass_the_database_checks_on_sqlite(project):
    # As `migrate` runs them, on every `make run`: an index SQLite cannot build as written
    # (INCLUDE columns, say) would be a warning there.
    database = f"sqlite:///{project / 'checked.sqlite3'}"
    result = run_manage(
        project,
        "check",
        "--database",
        "default",
        "--fail-level",
        "WARNING",
        DEBUG="1",
        DATABASE_URL=database,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_answers_the_proxys_health_check_over_plain_http_by_any_host(project):
    script = (
        "from django.test import Client; c = Client(HTTP_HOST='foldcard.example.com');"
        "print(c.get('/health/').status_code, c.get('/accounts/login/').status_code);"
        "print(Client(HTTP_HOST='10.0.0.5:8000').get('/health/').status_code)"
    )
    result = run_manage(
        project,
        "shell",
        "--no-imports",
        "-c",
        script,
        DEBUG="0",
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-enough-0123456789",
        ALLOWED_HOSTS="foldcard.example.com",
    )
    # Every other page goes to HTTPS; a probe may ask by the server's address.
    assert result.stdout.split() == ["200", "301", "200"], result.stderr


def test_production_refuses_to_start_without_a_secret_key(project):
    result = run_manage(project, "check", DEBUG="0", ALLOWED_HOSTS="foldcard.example.com")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_bad_debug_value_fails_loudly(project):
    result = run_manage(project, "check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be 1 or 0" in result.stderr


def collect_static(project: Path, root: Path) -> None:
    """Run collectstatic into ``root`` under production settings."""
    result = run_manage(
        project,
        "collectstatic",
        "--noinput",
        DEBUG="0",
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-enough-0123456789",
        ALLOWED_HOSTS="foldcard.example.com",
        STATIC_ROOT=str(root),
    )
    assert result.returncode == 0, result.stderr


def test_collectstatic_works_under_production_settings(project, tmp_path):
    collect_static(project, tmp_path)
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css"))


def test_collected_modules_import_the_hashed_copies(project, tmp_path):
    collect_static(project, tmp_path)
    root = tmp_path.resolve()
    hashed = set(json.loads((root / "staticfiles.json").read_text())["paths"].values())
    modules = sorted(name for name in hashed if name.endswith(".js"))
    imported = {}
    for name in modules:
        path = root / name
        targets = re.findall(r'from "(\.{1,2}/[^"]+)"', path.read_text())
        imported[name] = {(path.parent / t).resolve().relative_to(root).as_posix() for t in targets}
    booth = next(name for name in modules if re.fullmatch(r"foldcard/booth\.\w+\.js", name))
    assert imported[booth]
    for name, targets in imported.items():
        assert targets <= hashed, name


def test_manage_py_works_as_the_readme_says_after_make_run_wrote_the_env_file(project):
    refused = run_manage(project, "check")
    assert refused.returncode != 0
    assert "Set SECRET_KEY" in refused.stderr
    # `make run` writes the development .env first (make's own DEBUG=1 left out here).
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "MAKEFLAGS")}
    subprocess.run(["make", "--no-print-directory", ".env"], cwd=project, env=clean, check=True)
    assert (project / ".env").read_text() == "DEBUG=1\n"
    result = run_manage(project, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    # The environment still wins over the file.
    assert "Set SECRET_KEY" in run_manage(project, "check", DEBUG="0").stderr
