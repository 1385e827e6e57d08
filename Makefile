# Every target sets up what it needs: a local virtual environment in .venv,
# rebuilt when setup.cfg changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: example test lint bench bench-smoke compat-suite clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

example: $(STAMP)
	$(BIN)/python -m examples.spa

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict flask_preflight

bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks --smoke

# flask-cors 6.0.5's own tests against flask_preflight.compat (downloaded at run time;
# expected differences in tests/compat_suite/DIFFERENCES.md).
compat-suite: $(STAMP)
	$(BIN)/python -m tests.compat_suite.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
