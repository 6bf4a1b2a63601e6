# Vigil: the two commands of the README, and their parts.
#   make demo   installs what is missing, builds, and runs a live demo (DURATION=seconds, default 120)
#   make test   installs what is missing, builds, runs every test (the fault and attack suites each
#               on their own, last), and fuzzes the parsers briefly
#   make soak   the fault suite's long variants (5,000 readings/s, 60 s outages, 500 kills,
#               200 rounds of the bad-input corpus)
#   make release [CPU=x86-64-v3]   an optimised build; with CPU set, the engine is compiled for that
#               CPU level with fused multiply-adds (about 2x faster; see docs/benchmarks.md)
SHELL := /bin/bash
DURATION ?= 120
SWIFT ?= swift

FUZZ_SECONDS ?= 15

# The fault suite: brokers restarted and killed, the daemon killed, stalled and starved of disk,
# the hostile-input corpus. It runs after the other tests, on its own: its loads and its timing
# should not compete for the two cores with the CPU-bound tests that train models.
FAULT_SUITES := BrokerFaultTests|StalledDaemonTests|DaemonKillTests|DatabaseFaultTests|BadInputCorpusTests

# The attack suite (issue 12): daemons under floods, idle connections, stolen client ids, stepped
# clocks and signals. Like the fault suite it runs on its own, after it: its waits on the metrics
# endpoint and the broker should not compete for the two cores with the CPU-bound tests.
ATTACK_SUITES := MetricsEndpointHardeningTests|MetricsServerTests|SignalsAndFilesTests|FloodTests|ClientIDTakeoverTests|CommandAttackTests|TimeAttackTests|CommandLineBoundsTests|SecurityTests

.PHONY: setup build release lint test fuzz soak demo clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# CPU=x86-64-v3 (AVX2 + FMA: Intel Haswell and later, AMD Zen) or CPU=native; leave it unset for a
# build that runs on any x86-64 (Atom-class gateways without AVX).
release: setup
	$(SWIFT) build -c release $(if $(CPU),-Xswiftc -target-cpu -Xswiftc $(CPU) -Xswiftc -DVIGIL_FMA)

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

test: setup lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(FAULT_SUITES)|$(ATTACK_SUITES)'
	$(SWIFT) test --skip-build --filter '$(FAULT_SUITES)'
	$(SWIFT) test --skip-build --filter '$(ATTACK_SUITES)'
	scripts/fuzz.sh $(FUZZ_SECONDS)

# libFuzzer on the payload decoder, the configuration loader, the model header, replay files and time
# arguments, FUZZ_SECONDS each.
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The fault suite's long variants: 5,000 readings/s, 60 s broker outages, 500 daemon kills, 200 rounds
# of the bad-input corpus.
soak: setup
	$(SWIFT) build --build-tests
	VIGIL_SOAK=1 $(SWIFT) test --skip-build --filter '$(FAULT_SUITES)'

demo: build
	@scripts/demo.sh $(DURATION)

clean:
	rm -rf .build .build-fuzz run
