# SpeedrunLens: the two set-up commands are `make demo` and `make test`; both install what they need.
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libtree-sitter-dev libclang-dev libsqlite3-dev pkg-config
SRLENS_DEBUG := .build/debug/srlens

.PHONY: all setup deps grammars build debug test demo bench clean distclean

all: build

## setup: system packages and the pinned grammar sources (idempotent, quick when nothing is missing)
setup: deps grammars

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

grammars:
	@bash grammars/fetch.sh

## build: the release binary at .build/release/srlens
build: setup
	$(SWIFT) build -c release --product srlens

debug: setup
	$(SWIFT) build --product srlens

## test: every test suite (unit, corpus, CLI end-to-end)
test: setup
	$(SWIFT) build --build-tests
	SRLENS_BIN="$(CURDIR)/$(SRLENS_DEBUG)" $(SWIFT) test --skip-build

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
