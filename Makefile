# Every target sets up what it needs in a local virtual environment (.venv): the package
# itself (editable, with Flask) and only the extras that target uses, each step redone when
# pyproject.toml (the metadata) or setup.cfg changes. `make example` installs Flask and the package only.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# setuptools prints a boxed "Editable installation ... Please be careful" warning for every
# editable install, --quiet or not: the packages are flat at the root, which it warns about
# in general. It says nothing these targets need, so pip's builds run without it.
QUIET_BUILD := PYTHONWARNINGS='ignore:Editable installation'

.PHONY: example test lint bench bench-smoke package dist docs compat-suite matrix matrix-lowest matrix-newest clean

# Debian and Ubuntu ship Python without ensurepip (which venv needs) unless python3-venv is
# installed: say so, with the command that installs it, instead of venv's half-made .venv.
$(VENV)/.base: setup.cfg pyproject.toml
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  package=$$($(PYTHON) -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])'); \
	  system=$$(/usr/bin/python3 -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])' 2>/dev/null); \
	  [ -n "$$package" ] && [ "$$package" != "$$system" ] || package=python3-venv; \
	  echo "$(PYTHON) cannot create a virtual environment: its venv/ensurepip modules are missing."; \
	  echo "On Debian or Ubuntu, install them with: apt-get install $$package"; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(QUIET_BUILD) $(BIN)/pip install --quiet -e .
	touch $@

# .venv/.test, .venv/.dev, .venv/.bench, .venv/.docs: the package with that extra of
# pyproject.toml ([project.optional-dependencies]).
$(VENV)/.test $(VENV)/.dev $(VENV)/.bench $(VENV)/.docs: $(VENV)/.%: $(VENV)/.base
	$(QUIET_BUILD) $(BIN)/pip install --quiet -e '.[$*]'
	touch $@

example: $(VENV)/.base
	$(BIN)/python -m examples.spa

test: $(VENV)/.test
	$(BIN)/python -m pytest

# mypy reads the tests too, so lint installs the libraries they import (the test extra).
lint: $(VENV)/.dev $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict flask_preflight tests

bench: $(VENV)/.bench
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.edge

bench-smoke: $(VENV)/.bench
	$(BIN)/python -m benchmarks --smoke
	$(BIN)/python -m benchmarks.edge --smoke

# The version matrix: the unit, hostile and integration suites (not the browser suite) on
# the lowest versions pyproject.toml declares (requires-python and the Flask/Werkzeug bounds
# of the dependencies, read from it) and on Python 3.13 with the newest Flask, each in its own virtual
# environment. `make test` is the full run.
MATRIX_TESTS := tests --ignore=tests/browser -q -p no:cacheprovider
LOWEST_PYTHON = $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"$$/\1/p' pyproject.toml)
NEWEST_PYTHON := 3.13
# Integration test files a leg cannot run, each with its reason: the one place to exclude
# one. Empty: every library of the test extra installs and passes on both legs.
MATRIX_EXCLUDE_LOWEST :=
MATRIX_EXCLUDE_NEWEST :=
# An interpreter of version $(1): pythonX.Y on PATH if it runs, else pyenv's install of it.
find_python = $(firstword $(foreach c,python$(1) $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(1).*/bin/python$(1)),$(shell $(c) -c 'import sys; print(sys.executable)' 2>/dev/null)))
show_versions = -c 'import sys, importlib.metadata as m; print("Python", sys.version.split()[0], "Flask", m.version("flask"), "Werkzeug", m.version("werkzeug"))'

.venv-lowest/.installed: setup.cfg pyproject.toml
	@test -n "$(call find_python,$(LOWEST_PYTHON))" || { echo "python$(LOWEST_PYTHON) not found (PATH or pyenv)"; exit 1; }
	rm -rf .venv-lowest
	$(call find_python,$(LOWEST_PYTHON)) -m venv .venv-lowest
	sed -n 's/^ *"\(Flask\|Werkzeug\)>=\([^"]*\)",$$/\1==\2/p' pyproject.toml > .venv-lowest/constraints.txt
	.venv-lowest/bin/pip install --quiet --upgrade pip
	$(QUIET_BUILD) .venv-lowest/bin/pip install --quiet -c .venv-lowest/constraints.txt -e '.[test]'
	touch $@

.venv-newest/.installed: setup.cfg pyproject.toml
	@test -n "$(call find_python,$(NEWEST_PYTHON))" || { echo "python$(NEWEST_PYTHON) not found (PATH or pyenv)"; exit 1; }
	rm -rf .venv-newest
	$(call find_python,$(NEWEST_PYTHON)) -m venv .venv-newest
	.venv-newest/bin/pip install --quiet --upgrade pip
	$(QUIET_BUILD) .venv-newest/bin/pip install --quiet --upgrade -e '.[test]' Flask Werkzeug
	touch $@

matrix-lowest: .venv-lowest/.installed
	.venv-lowest/bin/python $(show_versions)
	.venv-lowest/bin/python -m pytest $(MATRIX_TESTS) $(addprefix --ignore=,$(MATRIX_EXCLUDE_LOWEST))

matrix-newest: .venv-newest/.installed
	.venv-newest/bin/python $(show_versions)
	.venv-newest/bin/python -m pytest $(MATRIX_TESTS) $(addprefix --ignore=,$(MATRIX_EXCLUDE_NEWEST))

matrix: matrix-lowest matrix-newest

# Build the sdist and wheel, twine-check them, check the wheel's files, install the wheel in
# a clean venv and run the README's quick start from it, and run the tests from the sdist
# (with the newest and with the lowest Flask and Werkzeug allowed).
package: $(VENV)/.dev
	$(BIN)/python scripts/check_package.py
# The same checks, then the checked sdist and wheel are kept in dist/ (to upload them).
dist: $(VENV)/.dev
	$(BIN)/python scripts/check_package.py --dist dist
# flask-cors 6.0.5's own tests against flask_preflight.compat (downloaded at run time;
# expected differences in tests/compat/suite/DIFFERENCES.md).
compat-suite: $(VENV)/.test
	$(BIN)/python -m tests.compat.suite.run

# The documentation site (Sphinx + MyST, furo; warnings as errors) in docs/_build/html, from
# docs/*.md (the README's quick start included). tests/test_readme.py runs their code blocks.
docs: $(VENV)/.docs
	$(BIN)/sphinx-build -E -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) .venv-lowest .venv-newest .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info docs/_build
