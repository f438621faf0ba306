# decoupling: `make run` (the main job) and `make test`, from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The main job: ingest -> transform -> report. Offline: DECOUPLING_SNAPSHOT=../shared/fred-snapshot make run
# With no network and no snapshot it falls back to the committed bundle/ (saying so).
run: $(STAMP)
	$(BIN)/decoupling refresh --offline-fallback

# System packages the report tests need (WeasyPrint's Pango, pdftoppm, headless Chromium).
system-deps:
	./.ci/system-deps

lint: $(STAMP)
	$(BIN)/ruff check decoupling flows tests
	$(BIN)/ruff format --check decoupling flows tests

# Two processes, whole files each (module fixtures and their order kept): the suite waits on
# servers and subprocesses a good part of the time, so one process used under one core.
test: $(STAMP) system-deps lint
	$(BIN)/pytest -q -n 2 --dist loadfile

# Timed runs (tests/benchmarks/bench_*.py): one line per figure, median of BENCH_RUNS (default 3)
# with min and max, beside its reference. Prints whether each target is met; never fails on time.
bench: $(STAMP)
	$(BIN)/pytest -q -s tests/benchmarks -p no:cacheprovider -o testpaths=tests/benchmarks \
		-o python_files='bench_*.py'

clean:
	rm -rf data reports/output
