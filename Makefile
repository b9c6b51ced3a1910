SHELL := /bin/bash
# crm_workflow_automation: the commands a newcomer uses (see README.md).
# The project's Python (tools/python.sh): the .venv that `make setup` makes
# when BASE_PYTHON (python3 when not given) does not import Odoo 18.0, else
# BASE_PYTHON itself. Not given, `make setup` chooses the Python of the .venv
# (tools/setup_odoo.sh: one without CPython's bug gh-106905 when there is one).
BASE_PYTHON ?=
PYTHON ?= $(CURDIR)/tools/python.sh
ADDON := crm_workflow_automation
# every add-on of this repository: installed, linted, translated and tested together
ADDONS := crm_workflow_automation crm_workflow_automation_sms crm_workflow_automation_phonecall
# the OCA add-ons they depend on (requirements-addons.txt), installed apart
ADDON_DEPS_DIR := $(CURDIR)/.addons-deps
comma := ,
ADDON_LIST := $(subst $(eval) ,$(comma),$(strip $(ADDONS)))
TEST_DB ?= crm_workflow_test
# make test runs pytest on this copy of TEST_DB while Odoo's runner runs on TEST_DB
PYTEST_DB ?= $(TEST_DB)_pytest
DEMO_DB ?= crm_workflow_demo
DEMO_PORT ?= 8069
# Odoo's HTTP server in make test-odoo (the browser tours need it)
HTTP_PORT ?= 8069
LANGS := de_DE,fr_FR,ja_JP
# make test-upgrade: from which version (a commit, a tag or a manifest
# version), into which database, the webhook receiver's port
UPGRADE_FROM ?= 18.0.1.0.0
UPGRADE_DB ?= crm_workflow_upgrade
UPGRADE_PORT ?= 8077
# make screenshots: its own demo database and port
SCREENS_DB ?= crm_workflow_screens
SCREENS_PORT ?= 8075
export PYTHON BASE_PYTHON

.PHONY: help setup clean-setup check-odoo pg wkhtmltopdf addon-deps test-deps lint-deps browser test-db pytest-db lint i18n-check i18n-export test test-odoo test-upgrade pytest demo screenshots readme bench bench-jobs clean

help:
	@echo "make demo        serve a demo database on http://127.0.0.1:$(DEMO_PORT) (admin / admin)"
	@echo "make test        fresh test database, lint, translation checks, then Odoo's runner and pytest side by side"
	@echo "make pytest      pytest only, on the existing test database $(TEST_DB)"
	@echo "make lint        OCA's pre-commit hooks (pylint-odoo, oca-checks-odoo-module, ruff...) on every file git tracks"
	@echo "make test-odoo   the same tests with Odoo's own runner (--test-enable), browser tours included (HTTP_PORT=$(HTTP_PORT))"
	@echo "make test-upgrade install $(ADDON) $(UPGRADE_FROM) with demo and data of every kind, upgrade it to this tree, check nothing is lost"
	@echo "make i18n-export refresh $(ADDON)/i18n/*.pot and merge it into the .po files"
	@echo "make screenshots PNGs of the main screens in English and Japanese into docs/screenshots (SCREENS_DB, SCREENS_PORT)"
	@echo "make readme      render $(ADDON)/README.rst and static/description/index.html from readme/*.md"
	@echo "make bench       engine benchmark vs base_automation (bench/engine.py; BENCH_ARGS=...)"
	@echo "make bench-jobs  job queue benchmark, one vs two runners (bench/jobs.py; BENCH_JOBS_ARGS=...)"
	@echo "make setup       only set up Odoo 18.0 (.venv, ODOO_SRC=...), the OCA add-ons we need, PostgreSQL and wkhtmltopdf, if needed"
	@echo "make clean-setup remove the .venv and .addons-deps that make setup made (not the Odoo source cache)"

# Sets Odoo 18.0 up first when the project's Python does not import it.
check-odoo:
	@tools/setup_odoo.sh

setup: check-odoo addon-deps pg wkhtmltopdf

# Debian's wkhtmltopdf: the "Create document" action makes PDF files with it
# (without it, web pages: the action's form says so)
wkhtmltopdf:
	@command -v wkhtmltopdf >/dev/null || { apt-get update -qq && apt-get install -y -qq wkhtmltopdf; } \
		|| echo "WARNING: wkhtmltopdf could not be installed: documents will be web pages (HTML), not PDF" >&2

clean-setup:
	rm -rf .venv .addons-deps

pg:
	@tools/ensure_pg.sh

# The OCA add-ons of requirements-addons.txt, pinned, into .addons-deps (not
# site-packages: see that file); again only when that file changes.
addon-deps: check-odoo $(ADDON_DEPS_DIR)/installed.txt

$(ADDON_DEPS_DIR)/installed.txt: requirements-addons.txt
	@rm -rf $(ADDON_DEPS_DIR)
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps \
		--target $(ADDON_DEPS_DIR) -r requirements-addons.txt
	@cp requirements-addons.txt $@

test-deps: check-odoo addon-deps
	@$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

# the browser tours run in Debian's chromium
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

test-db: check-odoo addon-deps pg
	@MODULES=$(ADDON_LIST) tools/create_db.sh $(TEST_DB)

# a copy of the test database (and of its filestore) for pytest, which make
# test runs beside Odoo's runner
pytest-db: check-odoo pg
	@tools/copy_db.sh $(TEST_DB) $(PYTEST_DB)

# the lint tools alone (make test installs them with test-deps): no Odoo needed
lint-deps:
	@$(PYTHON) -c "import pre_commit, pre_commit_hooks, oca_pre_commit_hooks, pylint_odoo, ruff" 2>/dev/null \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@# prettier for XML, JS, YAML, Markdown (OCA's pins: package.json, package-lock.json)
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; }
	@[ -x node_modules/.bin/prettier ] || npm ci --no-audit --no-fund --loglevel=error

# OCA's pre-commit hooks (.pre-commit-config.yaml): pylint-odoo, oca-checks-odoo-module,
# oca-checks-po, pre-commit-hooks, prettier, ruff and ruff-format, on every file git tracks
lint: lint-deps
	@$(PYTHON) -m pre_commit run --all-files --show-diff-on-failure
	@echo "every test module imported by its tests/__init__.py (Odoo's runner)"
	@$(PYTHON) tools/check_test_imports.py $(ADDONS)

i18n-check: check-odoo addon-deps
	@$(PYTHON) tools/check_i18n.py --database $(TEST_DB) --addons-path "$$(tools/addons_path.sh)" $(ADDONS)

i18n-export: check-odoo addon-deps pg
	@$(PYTHON) tools/check_i18n.py --database $(TEST_DB) --addons-path "$$(tools/addons_path.sh)" --export $(ADDONS)

pytest: check-odoo addon-deps
	$(PYTHON) -m pytest -p no:cacheprovider $(PYTEST_ARGS) \
		--odoo-database=$(TEST_DB) --odoo-addons-path="$$(tools/addons_path.sh)" \
		--odoo-log-level=warn $(addsuffix /tests,$(ADDONS))

test-odoo: check-odoo addon-deps browser
	@echo "Odoo's own test runner (--test-enable, HTTP on port $(HTTP_PORT)), on $(TEST_DB)"
	@# The log goes to a file, not a pipe: a browser a tour left behind would
	@# hold a pipe open, and the grep after it would wait for ever.
	@log=$$(mktemp /tmp/cwa-test-odoo-XXXX.log); \
	$(PYTHON) -m odoo -d $(TEST_DB) --addons-path="$$(tools/addons_path.sh)" --test-enable \
		--test-tags $(subst $(eval) ,$(comma),$(addprefix /,$(ADDONS))) --stop-after-init \
		--http-interface=127.0.0.1 --http-port=$(HTTP_PORT) --gevent-port=$$(($(HTTP_PORT) + 1)) --log-level=info \
		>"$$log" 2>&1 </dev/null; rc=$$?; \
	grep -E "odoo.tests.(result|stats)|ERROR|FAIL" "$$log"; echo "full log: $$log"; exit $$rc

# Odoo's runner (make test-odoo) on TEST_DB and pytest (make pytest) on its
# copy PYTEST_DB at the same time; Odoo's runner's lines first, then pytest's
# whole output, its summary last (tools/test_parallel.sh)
test: test-deps browser test-db pytest-db lint i18n-check
	@MAKE="$(MAKE)" tools/test_parallel.sh $(PYTEST_DB)

# An older version (UPGRADE_FROM) upgraded to the working tree: nothing lost,
# demo data loaded, the jobs left open run (tools/test_upgrade.sh)
test-upgrade: check-odoo pg
	@tools/test_upgrade.sh $(UPGRADE_FROM) $(UPGRADE_DB) $(UPGRADE_PORT)

demo: check-odoo pg wkhtmltopdf
	@tools/demo.sh $(DEMO_DB) $(DEMO_PORT) $(LANGS)

# Playwright drives Debian's chromium (no browser download); the Japanese
# screens need a CJK font.
screenshots: check-odoo pg browser
	@fc-list | grep -qi 'noto sans cjk' || { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk; }
	@$(PYTHON) -c "import playwright" 2>/dev/null || $(PYTHON) -m pip install --quiet --disable-pip-version-check playwright
	@$(PYTHON) tools/screenshots.py --database $(SCREENS_DB) --port $(SCREENS_PORT)

# README.rst and static/description/index.html of each add-on from readme/*.md,
# laid out as OCA's oca-gen-addon-readme does (which is not on PyPI: see the script)
# OCA's own oca-gen-addon-readme when it is installed (OCA's maintainer-tools,
# from its git repository: OCA_GEN_README=/path/to/oca-gen-addon-readme), else
# tools/gen_readme.py, which follows its layout
OCA_GEN_README ?= $(shell command -v oca-gen-addon-readme)
readme:
ifneq ($(OCA_GEN_README),)
	@$(OCA_GEN_README) --org-name crm-workflow-automation --repo-name crm_workflow_automation --branch 18.0 $(addprefix --addon-dir ,$(ADDONS)) --no-commit --gen-html
else
	@command -v pandoc >/dev/null || { apt-get update -qq && apt-get install -y -qq pandoc; }
	@$(PYTHON) tools/gen_readme.py --org-name crm-workflow-automation --repo-name crm_workflow_automation --branch 18.0 $(ADDONS)
endif

bench: check-odoo pg
	$(PYTHON) bench/engine.py $(BENCH_ARGS)

bench-jobs: check-odoo pg
	$(PYTHON) bench/jobs.py $(BENCH_JOBS_ARGS)

clean:
	-dropdb --if-exists $(TEST_DB)
	-dropdb --if-exists $(PYTEST_DB)
	-dropdb --if-exists $(UPGRADE_DB)
