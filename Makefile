# Cổng tham vấn và tra cứu quy định kinh doanh — developer commands.
# `make run` and `make test` do all the set-up on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help run test test-browser test-postgres install db translations translations-update data lint format check-migrations clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-20s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its development tools

translations: $(STAMP) ## Compile the translation catalogs (.po → .mo)
	$(BIN)/pybabel compile -d translations --statistics

translations-update: $(STAMP) ## Extract messages and merge them into the vi and en catalogs
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 -k _lp:1c,2 -k lazy_pgettext:1c,2 -k pgettext:1c,2 -k N_ --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching

db: $(STAMP) ## Upgrade the database to the latest migration
	$(FLASK) db upgrade

data: db ## Load ministries and the sample catalogue (idempotent), then bring the search index up to date
	$(FLASK) demo load
	$(FLASK) search sync

run: install translations data ## Set up everything and serve http://127.0.0.1:5000
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install translations ## Run the whole test suite (browser tests skip without chromium)
	$(BIN)/pytest -q

test-postgres: install translations ## Run the suite against a fresh PostgreSQL database
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} $(BIN)/pytest -q -m "not browser"

test-browser: install translations ## Run only the browser tests (needs /usr/bin/chromium)
	REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install ## Fail if the models and the migrations differ
	export DATABASE_URL=sqlite:///$$(mktemp -d)/check.db && $(FLASK) db upgrade && $(FLASK) db check

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) instance/portal.db instance/portal.db-wal instance/portal.db-shm
