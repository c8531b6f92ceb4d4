# SpeedrunLens: the two set-up commands are `make demo` and `make test`; both install what they need.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libtree-sitter-dev libclang-dev libsqlite3-dev pkg-config
SRLENS_DEBUG := .build/debug/srlens
# Language-server end-to-end tests: real clients (pytest-lsp as VS Code and Neovim; Debian's Neovim 0.7.2).
E2E_APT_PACKAGES := neovim python3-venv
E2E_PINS := pytest-lsp==1.0.1 pygls==2.1.1 lsprotocol==2025.0.0 cattrs==24.1.3 pytest==9.2.0 pytest-asyncio==1.5.0
VENV := .venv
VENV_STAMP := $(VENV)/.srlens-e2e-pins

.PHONY: all setup deps grammars build debug test e2e e2e-deps demo bench clean distclean

all: build

## setup: system packages and the pinned grammar sources (idempotent, quick when nothing is missing)
setup: deps grammars

# apt-install PACKAGES: install the Debian packages that are missing (as root, or through sudo)
define apt-install
@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt-install,$(APT_PACKAGES))

grammars:
	@bash grammars/fetch.sh

## build: the release binary at .build/release/srlens
build: setup
	$(SWIFT) build -c release --product srlens

debug: setup
	$(SWIFT) build --product srlens

## test: every test suite (unit, corpus, CLI end-to-end), then the language-server end-to-end suites
# The protocol suites (JSONRPCTests) run on their own first: their time limits catch hangs, and on a 2-core machine
# the corpus suites' long synchronous cases can hold every thread of the shared pool for minutes, starving them.
test: setup
	$(SWIFT) build --build-tests
	SRLENS_BIN="$(CURDIR)/$(SRLENS_DEBUG)" $(SWIFT) test --skip-build --filter JSONRPCTests
	SRLENS_BIN="$(CURDIR)/$(SRLENS_DEBUG)" $(SWIFT) test --skip-build --skip JSONRPCTests
	@$(MAKE) --no-print-directory e2e

## e2e-deps: Neovim and python3-venv from Debian; the pinned pytest-lsp stack in .venv (idempotent)
e2e-deps:
	$(call apt-install,$(E2E_APT_PACKAGES))
	@if [ ! -x $(VENV)/bin/python ] || [ "$$(cat $(VENV_STAMP) 2>/dev/null)" != "$(E2E_PINS)" ]; then \
	  echo "installing $(E2E_PINS) into $(VENV)"; \
	  python3 -m venv $(VENV) && $(VENV)/bin/python -m pip install -q --disable-pip-version-check $(E2E_PINS) \
	  && echo "$(E2E_PINS)" > $(VENV_STAMP); \
	fi

## e2e: `srlens serve` driven by real clients (tests/e2e: pytest-lsp; tests/nvim: headless Neovim); builds nothing
e2e: e2e-deps
	@test -x "$(SRLENS_DEBUG)" || { echo "e2e: $(SRLENS_DEBUG) is missing; run make debug (or make test) first" >&2; exit 1; }
	@status=0; \
	SRLENS_BIN="$(CURDIR)/$(SRLENS_DEBUG)" PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python -m pytest -c tests/e2e/pytest.ini tests/e2e || status=1; \
	SRLENS_BIN="$(CURDIR)/$(SRLENS_DEBUG)" bash tests/nvim/run.sh || status=1; \
	exit $$status

## demo: the main job on the embedded example
demo: debug
	@bash examples/demo/run.sh "$(SRLENS_DEBUG)"

## bench: package-benchmark suites, release build
bench: setup
	$(SWIFT) package --disable-sandbox benchmark

clean:
	$(SWIFT) package clean

distclean:
	rm -rf .build grammars/python/src grammars/cuda/src grammars/.fetched
