# Two commands for a fresh machine: `make run` (demo app) and `make test` (whole suite).
# Django 6 needs Python >= 3.12; scripts/find-python picks python3.13 or python3.12 explicitly.
PYTHON ?= $(shell scripts/find-python)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint format bench messages migrate clean

# The development commands run with DEBUG on (a throwaway secret key) and e-mail printed to the console.
run migrate bench messages: export DEBUG ?= 1
run: export EMAIL_BACKEND ?= console
# Links in e-mails, SMS and the demo's printout point where the server listens (HOST=0.0.0.0:… listens on
# every interface: links then name this machine's loopback address; set SITE_URL to the address people use).
run: export SITE_URL ?= http://$(subst 0.0.0.0,127.0.0.1,$(HOST))
run: export ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1],$(firstword $(subst :, ,$(HOST)))

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 not found" >&2; exit 1; }
	@pkg-config --exists icu-i18n 2>/dev/null || { echo "PyICU needs ICU: apt-get install libicu-dev pkg-config" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff everywhere (annotations required on kit/, services, selectors and the pure modules); mypy with
# django-stubs on kit/ and the pure modules, strictly (pyproject.toml [tool.mypy], docs/decisions.md D70).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Each benchmark builds its own throwaway database and prints PASS/FAIL; DATABASE_URL=postgres://… runs
# them on PostgreSQL. A FAIL does not stop the others.
# `make bench`: every benchmark; those with a database on SQLite, then on PostgreSQL (BENCH_POSTGRES, each
# bench creates and drops its own database there). The peak day at the stated peak rate (2,000 submissions
# in 10 minutes: 600 in 3), then as fast as the machine allows.
BENCH_POSTGRES ?= postgres://postgres@127.0.0.1:5432/parindex_bench
DATABASE_BENCHES := import_respondents send_invitations tracking exports field_progress
bench: install
	-for b in $(DATABASE_BENCHES); do env -u DATABASE_URL $(PY) bench/$$b.py; done
	-for b in $(DATABASE_BENCHES); do DATABASE_URL=$(BENCH_POSTGRES)_$$b $(PY) bench/$$b.py; done
	-$(PY) bench/sipas.py
	-$(PY) bench/officials_points.py
	-$(PY) bench/entry_keys.py
	-$(PY) bench/field_api.py
	-$(PY) bench/peak_load.py --respondents 600 --field-batches 12 --minutes 3
	-$(PY) bench/peak_load.py

messages: install
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages -l vi --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
