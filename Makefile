# Set-up and main jobs. Needs only Python 3.11+, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test bench clean readme

# uv installs the ~120 packages in a few seconds where pip takes about 20; pip (with its own index
# settings, which uv does not read) is the fallback when uv cannot be had or cannot reach an index.
# --compile-bytecode as pip does: else the suite's first processes all compile the same modules at once
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	($(BIN)/python -m pip install --quiet uv && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[test]') \
	  || $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/igegraph demo

# PYTHONDONTWRITEBYTECODE emptied: the suite starts hundreds of igegraph processes, which then
# reuse the bytecode the first one wrote (__pycache__ is git-ignored)
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n auto --dist loadgroup src tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/routes.py
	$(BIN)/python benchmarks/endpoint.py $(if $(findstring --full,$(BENCH_ARGS)),--full)

clean:
	rm -rf $(VENV) build dist .pytest_cache

# Rewrite the README's console examples with today's output; review the diff before committing.
readme: $(STAMP)
	$(BIN)/python tools/sync_readme.py
