# e-Office — the two commands of README.md:
#   make run    set up, migrate, seed the demo organisation and start everything on :8000
#   make test   set up and run the whole test suite
# and, while working: make test-fast (the tiers that start no system).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: run web test test-fast test-serial test-schemathesis install machine lint bench bench-incoming bench-profile bench-search bench-search-long bench-freshness bench-login bench-signing bench-exchange clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Local services the system needs (RabbitMQ with its management API, PostgreSQL) and
# the Debian packages of the browser tests; safe to run again.
machine:
	bash scripts/setup-machine.sh

run: install machine web
	$(PY) -m services.launcher

# The web UI's checks (package.json, exact versions in package-lock.json): installed
# once, again only when the lock changes.
NODE_BIN := node_modules/.bin

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The web UI's script as one minified file (scripts/build-web.mjs, esbuild), which the
# gateway serves while it was built from the modules as they are (services/gateway/
# bundle.py); without it, or stale, the gateway serves the modules themselves.
WEB_SOURCES := $(shell find services/gateway/static -name '*.js')
BUNDLE := services/gateway/static_bundle/manifest.json
$(BUNDLE): node_modules/.installed scripts/build-web.mjs $(WEB_SOURCES)
	node scripts/build-web.mjs

web: $(BUNDLE)

lint: install node_modules/.installed
	$(VENV)/bin/lint-imports --config pyproject.toml
	$(VENV)/bin/ruff check services tests bench
	$(NODE_BIN)/eslint services/gateway/static tests/unit/gateway/web_ui_messages.mjs scripts/build-web.mjs eslint.config.js
	$(NODE_BIN)/tsc --noEmit -p tsconfig.json

# The whole suite: unit, integration, browser and end-to-end tiers (README, "Test it"), as
# several pytest processes at once (tests/run_parallel.py); each one's output is in
# var/test-logs/. `make test-serial` runs the same tests in one process.
TEST_SHARDS ?= 3
test: install machine lint web
	$(PY) -m tests.run_parallel --shards $(TEST_SHARDS) $(PYTEST_ARGS)

# The unit and integration tiers: no started system, no browser.
test-fast: install machine node_modules/.installed
	$(PY) -m tests.run_parallel --shards 4 --no-system $(PYTEST_ARGS)

test-serial: install machine lint web
	$(PY) -m pytest $(PYTEST_ARGS)

# Schemathesis with many examples per operation (make test runs a few).
test-schemathesis: install machine
	EOFFICE_SCHEMATHESIS_EXAMPLES=25 $(PY) -m pytest tests/e2e/test_schemathesis.py $(PYTEST_ARGS)

# The peer workload of issue 15 (the one Mayan EDMS is measured with) against a fresh
# system: the issue's table rows, CPU-seconds and each process's memory.
bench: install machine
	$(PY) bench/peer_workload.py $(BENCH_ARGS)

# The first workload: incoming documents with text attachments of real legal text.
bench-incoming: install machine
	$(PY) bench/incoming_workload.py $(BENCH_ARGS)

# Per request (a registration with a file; submit, assign, complete): RPCs, transactions,
# events, child processes and CPU per service (docs/performance.md).
bench-profile: install machine
	$(PY) bench/profile_requests.py $(BENCH_ARGS)

bench-search: install
	$(PY) bench/search_scale.py $(BENCH_ARGS)

# ~100 real legal documents of 3–13 k words uploaded as text files, then ~100 searches
bench-search-long: install machine
	$(PY) bench/search_long.py $(BENCH_ARGS)

bench-freshness: install machine
	$(PY) bench/search_freshness.py $(BENCH_ARGS)

# 100 concurrent wrong-password sign-ins: documents' peak memory, others' p95 latency.
bench-login: install machine
	$(PY) bench/login_storm.py $(BENCH_ARGS)

# PAdES signatures per second (PKCS#12 and SoftHSM2, with and without a timestamp) and the
# verification time of a signed 10-page PDF, on its own demo PKI.
bench-signing: install machine
	$(PY) bench/signing.py $(BENCH_ARGS)

# Liên thông: documents per second from one deployment to another through the reference
# axis (a signed PDF and a 1 MB signed attachment each), and issue → "đã đến" (01).
bench-exchange: install machine
	$(PY) bench/exchange.py $(BENCH_ARGS)

clean:
	rm -rf var
