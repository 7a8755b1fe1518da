# The two commands a newcomer needs are `make run` and `make test`.
# Everything else here is a step they call, or a check CI runs.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Python keeps what it compiles (__pycache__, git-ignored), even where the environment says
# not to: without it every process (each test worker, each manage.py) compiles Django and
# the project again, about 4 s a test worker.
unexport PYTHONDONTWRITEBYTECODE

# Debian packages: venv support, WeasyPrint's text stack and fonts, Chromium for the browser
# tests, gettext for translations, poppler-utils to look at generated PDFs, and
# postgresql-client for pg_dump/pg_restore (manage.py backup and restore on PostgreSQL),
# haproxy for `make loadtest SERVERS=2` (two app servers behind a load balancer).
SYSTEM_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core chromium gettext poppler-utils postgresql-client haproxy

.PHONY: run test setup test-deps system-deps venv translations migrate demo lint format \
	migrations-check messages messages-check clean bench loadtest bench-deps bench-test

run: setup demo
	@$(PY) manage.py demo_logins
	@echo "Serving on http://$(HOST):$(PORT)/  (stop with Ctrl+C)"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on both cores. Locally the test databases are kept between runs
# (--reuse-db; the suite puts their freshly migrated rows back at its start and end);
# in CI (CI=true) they are created anew. Add arguments with PYTEST_ARGS="-k checklist".
PYTEST_WORKERS ?= 2
PYTEST_DB := $(if $(filter true,$(CI)),--create-db,--reuse-db)
test: test-deps
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_DB) $(PYTEST_ARGS)

setup: test-deps migrate

# What the suites need: the packages, the venv and the compiled translations. Not the
# development database: the suites build their own (each worker migrates its own).
test-deps: system-deps venv translations

# Measured speed (docs/performance.md). SCALE=region (default) or nation.
SCALE ?= region
bench: setup bench-deps
	$(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

# gunicorn (2 workers) on PostgreSQL under 50 simulated users for 2 minutes. SERVERS=2: two
# gunicorns behind HAProxy sharing Redis, one stopped halfway (bench/servers.py). LOGIN=sso:
# the users log in through single sign-on against a local OpenID Provider; with
# LOADTEST_ARGS=--morning, 200 staff log in within a minute (bench/logins.py).
SERVERS ?= 1
LOGIN ?= password
loadtest: setup bench-deps
	$(PY) -m bench.loadtest --scale $(SCALE) --servers $(SERVERS) --login $(LOGIN) $(LOADTEST_ARGS)

# The benchmark tool's own tests (not collected by `make test`), on PostgreSQL: the live
# server there takes locust's concurrent users (on SQLite they share one connection).
BENCH_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/peerprogram_bench_tests
bench-test: test-deps bench-deps
	DATABASE_URL=$(BENCH_TEST_DATABASE_URL) $(VENV)/bin/pytest tests/bench -p no:cacheprovider \
		-n $(PYTEST_WORKERS) --dist worksteal --create-db $(PYTEST_ARGS)

bench-deps: $(VENV)/.bench-installed

$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(UV) -e ".[dev,bench]"
	touch $@

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			echo "Installing Debian packages:" $$missing; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq --no-install-recommends $$missing; \
		else \
			echo "These Debian packages are missing. Install them as root, then run make again:"; \
			echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends" $$missing; \
			exit 1; \
		fi; \
	fi

venv: $(VENV)/.installed

# uv (from PyPI, into the venv by the venv's own pip) installs the project and its pinned
# packages: it fetches and unpacks them in parallel, where pip takes one at a time (46 -> 9 s
# on a clean clone). Python compiles what it imports, when it first does.
UV_VERSION := 0.13.10
UV := $(VENV)/bin/uv pip install --python $(PY) --quiet
$(VENV)/.installed: pyproject.toml
	test -x $(VENV)/bin/pip || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	test -x $(VENV)/bin/uv || $(PY) -m pip install -q --no-compile uv==$(UV_VERSION)
	$(UV) -e ".[dev]"
	touch $@

translations: venv
	$(PY) manage.py compilemessages --ignore=.venv -v 0

migrate: venv
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py store_programme_health
	$(PY) manage.py store_programme_report

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: venv
	$(PY) manage.py makemigrations --check --dry-run

# Refresh the message catalogue after changing user-facing text.
messages: venv
	$(PY) manage.py makemessages -l da --no-location --ignore=.venv --ignore=static/vendor

# Fails when a marked string has no Danish translation (or a fuzzy one).
messages-check: venv
	@tmp=$$(mktemp -d); \
	tar --exclude=./.venv --exclude=./var --exclude=./.git -cf - . | tar -xf - -C $$tmp; \
	(cd $$tmp && $(CURDIR)/$(PY) manage.py makemessages -l da --no-location \
		--ignore=static/vendor -v 0) || exit 1; \
	untranslated=$$(msgattrib --untranslated --no-obsolete $$tmp/locale/da/LC_MESSAGES/django.po); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete $$tmp/locale/da/LC_MESSAGES/django.po); \
	rm -rf $$tmp; \
	if [ -n "$$untranslated$$fuzzy" ]; then \
		echo "Strings without a Danish translation (run make messages, then translate):"; \
		echo "$$untranslated$$fuzzy" | grep '^msgid' | grep -v 'msgid ""$$'; exit 1; \
	fi; echo "Danish catalogue complete."

clean:
	rm -rf $(VENV) var/*.sqlite3 staticfiles
