# foldcard: `make run` serves the app on SQLite (with its background worker), `make test`
# runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= 1

.PHONY: run test lint bench bench-reading clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

run: $(VENV)/.app-installed .env
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py demo
	CONN_MAX_AGE=600 $(PY) manage.py db_worker & worker=$$!; trap 'kill $$worker' EXIT; \
		$(PY) manage.py runserver 127.0.0.1:8000

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
