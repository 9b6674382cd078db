# reckon — the two set-up commands are `make demo` (the main job end to end on an embedded
# PostgreSQL with generated sample data) and `make test` (lint + the whole test suite).
SHELL := /bin/bash
SWIFT ?= swift
SESSIONS ?= 50000
SEED ?= 42
OUT ?= out
RECKON = .build/release/reckon

.PHONY: demo test lint build release bench bench-incremental deps test-deps clean db-stop update-goldens

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product reckon

## The main job end to end: start the embedded cluster, generate sample data, build the
## marts into staging, run the shipped checks there, publish, and write the reports.
demo: release
	@mkdir -p $(OUT)
	$(RECKON) db start
	$(RECKON) generate --sessions $(SESSIONS) --seed $(SEED)
	$(RECKON) run --json $(OUT)/reckon.json --junit $(OUT)/junit.xml --html $(OUT)/report.html
	@echo "reports: $(OUT)/report.html $(OUT)/junit.xml $(OUT)/reckon.json"

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

## The day-by-day replay suites hold a test thread for minutes of synchronous builds: they run
## in a second pass, so that they cannot starve the timing-sensitive tests of the first.
LONG_SUITES = IncrementalTests|IncrementalCLITests

test: test-deps lint
	$(SWIFT) build --build-tests
	python3 Tests/ModelBuildTests/oracle_check.py
	env -u RECKON_UPDATE_GOLDENS -u RECKON_UPDATE_TEMPLATES RECKON_REQUIRE_TOOLS=1 \
	  $(SWIFT) test --skip '$(LONG_SUITES)' 2>&1 | tee .build/test-output.txt; exit $${PIPESTATUS[0]}
	env -u RECKON_UPDATE_GOLDENS -u RECKON_UPDATE_TEMPLATES RECKON_REQUIRE_TOOLS=1 \
	  $(SWIFT) test --skip-build --filter '$(LONG_SUITES)' 2>&1 | tee -a .build/test-output.txt; exit $${PIPESTATUS[0]}

## After an intended change to a report: rewrite the golden files and the embedded
## templates (that run fails on purpose), rebuild, then compare again. Review `git diff`.
update-goldens:
	-RECKON_UPDATE_TEMPLATES=1 $(SWIFT) test --filter embeddedTemplatesEqualTheFilesInReports >/dev/null
	-RECKON_UPDATE_GOLDENS=1 $(SWIFT) test --filter ReportsTests >/dev/null
	$(SWIFT) test --filter ReportsTests

## Benchmark (figures, not a timed test): 1,000,000 sessions, builds at two memory budgets,
## and the pre-issue-14 model SQL (bench/baseline) through psql for comparison.
bench: release
	scripts/bench.sh

.PHONY: test-citus bench-citus
## Citus tier (docs/citus.md): builds Citus from ../shared/citus, a 3-node cluster on this
## machine, `reckon run` there against a single-node build of the same data (md5 per mart).
test-citus: test-deps
	scripts/test-citus.sh

## Citus benchmark: the build per statement on one node and on the 3-node cluster, with the
## plan method Citus chose for each insert. SESSIONS=200000 by default; SESSIONS="200000 1000000".
bench-citus: release
	scripts/bench-citus.sh
## Incremental builds (docs/incremental.md): 1,000,000 sessions over 52 days, two new days,
## each `build --incremental` against a full build of the same data.
bench-incremental: release
	scripts/bench.sh incremental

db-stop:
	-$(RECKON) db stop

clean:
	rm -rf .build $(OUT)
