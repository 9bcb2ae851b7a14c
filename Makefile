# Dutyflow: `make run` serves the demo township; `make test` runs the whole suite.
# Both set themselves up from a clean clone (virtualenv, pinned packages, migrations, browser).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
REQS := requirements.txt requirements-test.txt
# `make run` installs what running needs (requirements.txt); `make test` adds the test tools.
RUN_STAMP := $(VENV)/.run-installed-$(shell cat requirements.txt | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(shell cat $(REQS) | sha1sum | cut -c1-12)

.PHONY: run test venv venv-run browser messages catalogues lint format migrate demo

$(RUN_STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.run-installed-*
	@touch $@

$(STAMP): $(REQS) $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv-run: $(RUN_STAMP)

venv: $(STAMP)

# Compiled translations are committed; recompile them when gettext is available.
messages: venv-run
	@if command -v msgfmt >/dev/null; then $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

# Regenerate every zh-Hans catalogue from the sources, keeping existing translations; then fill
# the msgstr lines it reports untranslated (tests/test_translations.py fails until they are).
catalogues: venv
	@for app in organization workflows lists pledges issues supervision notifications connect reports security; do \
	  [ -d $$app/locale ] && scripts/remake_po.sh $$app; done; true

# Debian packages the tests need: Chromium (Playwright drives it; it never downloads a browser)
# and gettext (to compile translations).
browser:
	@if ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium gettext >/dev/null; \
	  else echo "Install Debian's chromium and gettext packages (sudo apt-get install chromium gettext)" >&2; exit 1; fi; \
	fi

migrate: venv-run
	$(BIN)/python manage.py migrate --noinput -v0

# The demo township with two past quarters of history, so that the dashboard shows trends.
demo: migrate
	@$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py seed_history --quarters 2

run: venv-run messages demo
	@echo ""
	@echo "Dutyflow is starting on http://127.0.0.1:8000/ (SQLite, Celery tasks in-process)."
	@echo "Demo logins (password dutyflow-demo): secretary, leader01..leader13, cadre001..cadre065,"
	@echo "  commissioner01..commissioner03, observer01, office01, admin; 白水镇: bsecretary, bleader01,"
	@echo "  bcadre001..bcadre005, bcommissioner01"
	$(BIN)/python manage.py runembedded 127.0.0.1:8000

test: venv browser messages
	bash scripts/test.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# A Chinese font, so that the browser tests' screenshots (test-output/e2e/) show the Chinese pages.
.PHONY: browser-fonts
browser-fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	  else echo "No Chinese font: run 'sudo apt-get install fonts-wqy-microhei' for readable screenshots" >&2; fi; }
test: browser-fonts

# redis-server: the notification tests start throwaway ones (to stop Redis mid-test).
.PHONY: redis-server
redis-server:
	@command -v redis-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "Install Debian's redis-server package (sudo apt-get install redis-server)" >&2; exit 1; fi; }
test: redis-server
