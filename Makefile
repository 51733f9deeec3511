# The README's two commands: `make run` and `make test`. Everything they need is
# installed here, into .venv and node_modules; stamps keep repeat runs fast.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := ORIENTAMENTO_ENV=development $(BIN)/flask --app wsgi
STAMPS := .stamps

.PHONY: run test install assets translations lint typecheck pytest test-calendar bench update-messages clean

run: install assets translations
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install-dev assets translations lint typecheck pytest test-calendar

install: $(STAMPS)/venv
install-dev: $(STAMPS)/venv-dev

$(STAMPS)/venv: requirements.txt
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(STAMPS)/venv-dev: $(STAMPS)/venv requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The CSS keeps only the selectors that templates, Python modules and scripts name: a change
# to any of them rebuilds it. The build publishes atomically (see assets/build.mjs).
ASSET_SOURCES = assets/build.mjs $(wildcard assets/*.css assets/*.js assets/*.py) \
  $(shell find templates orientamento -name '*.html' -o -name '*.py' -not -path '*/static/*')
assets: $(STAMPS)/assets
# The venv: the build subsets the Arabic font with fontTools (assets/subset_font.py).
$(STAMPS)/assets: $(STAMPS)/node $(STAMPS)/venv $(ASSET_SOURCES)
	node assets/build.mjs
	touch $@

translations: $(STAMPS)/venv
	$(BIN)/pybabel compile --statistics -d translations 2>&1 | grep -v '^compiling' || true
	@test -f translations/it/LC_MESSAGES/messages.mo

update-messages: $(STAMPS)/venv
	$(FLASK) translate update

lint: install-dev
	$(BIN)/ruff check orientamento tests bench wsgi.py gunicorn.conf.py
	$(BIN)/bandit -ll -q -r orientamento
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

# Two processes, a test file each at a time (module fixtures and servers stay in one process);
# on PostgreSQL each process has a database of its own (tests/conftest.py: test_gw0, test_gw1).
PYTEST_WORKERS ?= 2
pytest: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The tests marked `calendar` again at instants that break naive date code (names from
# INSTANTS in tests/conftest.py; `now` is the real clock, so CI also tests the day it runs).
# They run on SQLite in memory, two processes at a time, to keep CI well under 30 minutes;
# the whole suite has already run on TEST_DATABASE_URL at the default instant.
CALENDAR_INSTANTS ?= holiday new-year-eve after-midnight spring-forward fall-back leap-day now
# Only the files that mark tests `calendar` are collected (collecting the whole suite seven times
# cost about ten seconds an instant).
CALENDAR_FILES = $(shell grep -rlE --include='test_*.py' 'mark\.calendar' tests)
test-calendar: install-dev assets translations
	@set -e; for instant in $(CALENDAR_INSTANTS); do \
	  echo "== tests marked calendar at $$instant"; \
	  TEST_DATABASE_URL= $(BIN)/pytest -m "calendar and not browser" --instant $$instant \
	    -q -p no:cacheprovider -n 2 $(PYTEST_ARGS) $(CALENDAR_FILES); \
	done

bench: install-dev assets translations
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(STAMPS) orientamento/static/dist instance/*.db*
