# Every target sets up what it needs in a local virtual environment (.venv): the package
# itself (editable, with Flask) and only the extras that target uses, each step redone when
# setup.cfg or pyproject.toml changes. `make example` installs Flask and the package only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: example test lint bench bench-smoke package docs clean

$(VENV)/.base: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# .venv/.test, .venv/.dev, .venv/.bench, .venv/.docs: the package with that extra of setup.cfg.
$(VENV)/.test $(VENV)/.dev $(VENV)/.bench $(VENV)/.docs: $(VENV)/.%: $(VENV)/.base
	$(BIN)/pip install --quiet -e '.[$*]'
	touch $@

example: $(VENV)/.base
	$(BIN)/python -m examples.spa

test: $(VENV)/.test
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict flask_preflight

bench: $(VENV)/.bench
	$(BIN)/python -m benchmarks

bench-smoke: $(VENV)/.bench
	$(BIN)/python -m benchmarks --smoke

# Build the sdist and wheel, twine-check them, check the wheel's files, install the wheel in
# a clean venv and run the README's quick start from it, and run the tests from the sdist
# (with the newest and with the lowest Flask and Werkzeug allowed).
package: $(VENV)/.dev
	$(BIN)/python scripts/check_package.py

# The documentation site (Sphinx + MyST, warnings as errors) in docs/_build/html. Its pages
# (docs/index.md and the rest) come when the reference moves out of the README.
docs: $(VENV)/.docs
	@test -f docs/index.md || { echo "docs/index.md does not exist yet: the reference has not moved into docs/"; exit 1; }
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info docs/_build
