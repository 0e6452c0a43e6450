# foldcard: `make run` serves the app on SQLite (with its background worker), `make test`
# runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= 1
# Where `make run` serves: `make run ADDR=127.0.0.1:8080`.
ADDR ?= 127.0.0.1:8000

.PHONY: run install test lint bench bench-reading clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# `make install`: the virtualenv with the app's dependencies only, as on a server.
install: $(VENV)/.app-installed

$(VENV)/.app-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

# On SQLite, whatever DATABASE_URL says: the demo login is never made in another database.
run: export DATABASE_URL = sqlite:///$(CURDIR)/db.sqlite3
run: $(VENV)/.app-installed .env
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py demo
	CONN_MAX_AGE=600 $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
		$(PY) manage.py runserver $(ADDR)

# The development settings, for manage.py commands typed by hand; written once, then yours.
.env:
	printf 'DEBUG=1\n' > $@

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --verbosity 0

test: lint
	$(PY) -m pytest -q

bench: $(VENV)/.dev-installed
	$(PY) -m tests.bench
	$(PY) -m tests.bench_booth_load
	$(PY) -m tests.bench_reading
	$(PY) -m tests.bench_imports
	$(PY) -m tests.bench_duplicates

bench-reading: $(VENV)/.dev-installed
	$(PY) -m tests.bench_reading

clean:
	rm -rf $(VENV) staticfiles
