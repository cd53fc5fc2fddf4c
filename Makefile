# The two set-up commands: `make build` and `make test`. Both are idempotent and quick when nothing changed.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make-stamps

APT_BUILD := graphviz fonts-noto-cjk fonts-wqy-microhei librsvg2-bin
APT_BUILD += gcc libc6-dev python3-dev  # mypyc compiles the hot capture modules (tcpdiagram/capture/native.py)
APT_TEST := $(APT_BUILD) poppler-utils chromium iproute2 plantuml default-jre-headless
APT_BENCH := $(APT_TEST) tshark plantuml npm  # tshark: the `trace` rows' floor; PlantUML, mermaid-cli (npm): side by side
MERMAID_CLI := @mermaid-js/mermaid-cli@11

.PHONY: build test lint bench check clean apt-build apt-test apt-bench

build: apt-build $(STAMPS)/venv $(STAMPS)/native
	$(VENV)/bin/tcpdiagram build

test: apt-test $(STAMPS)/venv-test $(STAMPS)/node $(STAMPS)/native lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Static checks, run first by `make test`: ruff on everything, mypy --strict on the package (incremental cache).
lint: $(STAMPS)/venv-test
	$(VENV)/bin/ruff check tcpdiagram tests bench
	$(VENV)/bin/mypy --strict tcpdiagram

bench: apt-bench $(STAMPS)/venv-test bench/.node/node_modules/.bin/mmdc
	$(PY) bench/run.py

# mermaid-cli in the project (git-ignored), driving Debian chromium: puppeteer downloads no browser.
bench/.node/node_modules/.bin/mmdc:
	mkdir -p bench/.node
	cd bench/.node && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error --prefix . $(MERMAID_CLI)

check: $(STAMPS)/venv
	$(VENV)/bin/tcpdiagram check

# apt packages: installed only when one is missing (dpkg-query is fast).
apt-build:
	@missing=$$(for p in $(APT_BUILD); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

apt-bench:
	@missing=$$(for p in $(APT_BENCH); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || command -v $$p >/dev/null || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

apt-test:
	@missing=$$(for p in $(APT_TEST); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

$(STAMPS)/venv: pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[native]'
	@touch $@

$(STAMPS)/venv-test: pyproject.toml $(STAMPS)/venv
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# The compiled capture modules (.native/, git-ignored), rebuilt when a source they may depend on changed; the
# builder compares a digest of exactly those sources and returns at once when its build is current.
$(STAMPS)/native: $(STAMPS)/venv $(wildcard tcpdiagram/*.py tcpdiagram/capture/*.py)
	$(PY) -m tcpdiagram.capture.native_build -q
	@touch $@

# mermaid-cli for the Mermaid export tests, project-local (git-ignored); it drives Debian's chromium, so no
# browser download. Without npm or the registry the tests that need it skip and say why.
$(STAMPS)/node: Makefile
	@mkdir -p $@
	@if command -v npm >/dev/null; then \
	  [ -f $@/package.json ] || echo '{"name": "tcpdiagram-test-tools", "private": true}' > $@/package.json; \
	  [ -x $@/node_modules/.bin/mmdc ] || PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix $@ --no-audit --no-fund \
	    --loglevel=error $(MERMAID_CLI) || echo "mermaid-cli could not be installed: the Mermaid render tests will skip"; \
	else echo "npm not found: the Mermaid render tests will skip"; fi
	@touch $@

clean:
	rm -rf build $(STAMPS)
	rm -rf .native
