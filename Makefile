# Vigil: the two commands of the README, and their parts.
#   make demo   installs what is missing, builds, and runs a live demo (DURATION=seconds, default 120)
#   make test   installs what is missing, builds, and runs every test
SHELL := /bin/bash
DURATION ?= 120
SWIFT ?= swift

.PHONY: setup build lint test demo clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

test: setup lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	@scripts/demo.sh $(DURATION)

clean:
	rm -rf .build run
