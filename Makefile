# Outreach: `make run` serves the demo, `make test` runs the whole suite.
# Every target is idempotent and works on a fresh clone (Python 3.11, Node/npm, make).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app outreach
DEMO   := OUTREACH_DEMO=1

# Front-end assets come from the npm registry, pinned by version and integrity hash.
HTMX_VERSION   := 4.0.1
HTMX_INTEGRITY := sha512-oF7JgXhDW9UXCy/k1ZYFUQgzu/rm19ORWPSPNL91vPluB2PB9+MV55tyQdH/w7o2EAbTYUG5SDW1R60mdkdqGg==
# The Nu Html Checker, for the browser tests (run with the machine's Java).
VNU_VERSION    := 26.9.27
VNU_INTEGRITY  := sha512-TkQd5DFfOaWC9ebtvozTsrH2Vaod3jYg+vrOeREzIXxBexLz9+rS2DNtjn7+RPUiZhgli0SghgBX6RJRNea0KA==
VNU_JAR        := build/vnu/vnu.jar

CATALOGUES := $(wildcard outreach/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)

.PHONY: run test test-postgres install dev assets translations db demo chromium vnu pango xmlsec lint layers format i18n bench capacity wrk load faults clean

run: install pango xmlsec assets translations db demo
	@echo "Outreach runs on http://127.0.0.1:5000 (Ctrl-C stops it)."
	$(DEMO) $(FLASK) run --host 127.0.0.1 --port 5000

test: dev pango xmlsec assets translations chromium vnu lint
	$(BIN)/pytest

# The suite again on PostgreSQL: TEST_DATABASE_URL must name a throwaway database.
test-postgres: dev pango xmlsec assets translations chromium vnu
	@test -n "$(TEST_DATABASE_URL)" || { echo "set TEST_DATABASE_URL"; exit 2; }
	$(BIN)/pytest

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: static/vendor/htmx.min.js

# npm pack fetches the package tarball; its sha512 must match the pinned integrity.
static/vendor/htmx.min.js: Makefile
	@mkdir -p static/vendor
	@tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null) && \
	  tarball=$$(ls $$tmp/*.tgz) && \
	  actual="sha512-$$(openssl dgst -sha512 -binary $$tarball | base64 -w0)" && \
	  if [ "$$actual" != "$(HTMX_INTEGRITY)" ]; then \
	    echo "htmx.org@$(HTMX_VERSION): integrity mismatch ($$actual)"; rm -rf $$tmp; exit 1; fi && \
	  tar -xzf $$tarball -C $$tmp && \
	  cp $$tmp/package/dist/htmx.min.js $@ && rm -rf $$tmp && \
	  echo "fetched htmx.org@$(HTMX_VERSION) (integrity checked)"

vnu: $(VNU_JAR)

$(VNU_JAR): Makefile
	@mkdir -p $(dir $@)
	@tmp=$$(mktemp -d) && \
	  (cd $$tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null) && \
	  tarball=$$(ls $$tmp/*.tgz) && \
	  actual="sha512-$$(openssl dgst -sha512 -binary $$tarball | base64 -w0)" && \
	  if [ "$$actual" != "$(VNU_INTEGRITY)" ]; then \
	    echo "vnu-jar@$(VNU_VERSION): integrity mismatch ($$actual)"; rm -rf $$tmp; exit 1; fi && \
	  tar -xzf $$tarball -C $$tmp && \
	  cp $$tmp/package/build/dist/vnu.jar $@ && rm -rf $$tmp && \
	  echo "fetched vnu-jar@$(VNU_VERSION) (integrity checked)"

translations: $(COMPILED)

outreach/translations/%/LC_MESSAGES/messages.mo: outreach/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

db: install
	@mkdir -p instance
	$(DEMO) $(FLASK) db upgrade

demo: db
	$(DEMO) $(FLASK) demo load

# Debian's Chromium drives the browser tests; installed when missing and the machine allows.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: browser tests will be skipped"; fi; }

# WeasyPrint draws the monthly report as PDF with Debian's Pango; installed when missing and the
# machine allows. Without it the report is still printed (or saved as PDF) from the browser.
pango:
	@/sbin/ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "Pango is missing and cannot be installed here: no PDF of the monthly report"; fi; }

# SAML logins check the identity provider's signatures with Debian's xmlsec1 (pysaml2 calls it);
# installed when missing and the machine allows.
xmlsec:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1 >/dev/null; \
	  else echo "xmlsec1 is missing and cannot be installed here: no SAML login"; fi; }

# Figures, not tests (docs/performance.md). BENCH_DATABASE_URL names the PostgreSQL database to
# create, migrate and seed the first time (the national scale takes about two minutes); the
# SQLite pass uses a regional scale in instance/.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/outreach_bench
BENCH_SQLITE       := sqlite:///$(CURDIR)/instance/bench-regional.sqlite

bench: install translations
	$(BIN)/python -m bench --database $(BENCH_DATABASE_URL) --scale national
	$(BIN)/python -m bench --database $(BENCH_SQLITE) --scale regional

# How many requests a second one server carries: gunicorn as the README runs it, driven at
# saturation by wrk with the staff's mix of requests, and its bare Flask endpoint in the same run.
# About two minutes once the national data is seeded.
capacity: install translations wrk
	$(BIN)/python -m bench.capacity --database $(BENCH_DATABASE_URL)

# The capacity benchmark's load generator, Debian's wrk; installed when missing and the machine
# allows.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk is missing and cannot be installed here: no capacity benchmark"; exit 1; fi; }

# A thousand simulated staff against gunicorn on the national data, for about six minutes.
load: $(VENV)/.load-installed translations
	$(BIN)/python -m bench.load --database $(BENCH_DATABASE_URL)

$(VENV)/.load-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[load]'
	touch $@

# Field workers at work while things break for real (docs/reliability.md): PostgreSQL is
# stopped and started again (pg_ctlcluster: run as root) and the mail server is down a while.
# About four minutes. FAULTS_DATABASE_URL is emptied.
FAULTS_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/outreach_faults

faults: dev translations
	$(BIN)/python -m bench.faults --database $(FAULTS_DATABASE_URL)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m tools.layers

# The import graph of outreach/ by area, its cycles and imports against the layers
# (docs/architecture.md); `make lint` runs the same check.
layers: install
	$(BIN)/python -m tools.layers --graph

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Developers: refresh the catalogue after changing UI text, then translate the new entries.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".* .venv node_modules" -w 100 -o outreach/translations/messages.pot .
	$(BIN)/pybabel update -i outreach/translations/messages.pot -d outreach/translations --no-fuzzy-matching --ignore-obsolete -w 100

clean:
	rm -rf $(VENV) static/vendor $(COMPILED)
