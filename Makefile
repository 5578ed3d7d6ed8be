# Set-up and main jobs. Needs only Python 3.11+, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install demo test bench clean readme

# uv installs the ~120 packages in a few seconds where pip takes about 20: from PATH, else put into
# the venv by $(PYTHON)'s own pip (`pip --python`), else by the venv's pip. The venv starts without
# pip (ensurepip compiles pip's ~1,000 modules: about 7 CPU-s). No --compile-bytecode: it compiled
# every module of every package (about 20 CPU-s), where the suite imports a fraction of them and
# writes the bytecode of those itself. uv first tries offline, from its own cache: asking the index
# about each package again takes about 5 of the 6 s (a machine that installed them before, such as
# CI's); a cache that lacks or cannot satisfy one falls back to the index. Offline, uv takes the
# newest version its cache holds, which may trail the index's (`uv cache clean` refreshes it).
# pip (with its own index settings, which uv does not read) is the fallback when uv cannot be had
# or cannot reach an index.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	uv=$$(command -v uv || { $(PYTHON) -m pip --python $(BIN)/python install --quiet --disable-pip-version-check uv >/dev/null 2>&1 && echo $(BIN)/uv; }); \
	  ([ -n "$$uv" ] && { $$uv pip install --quiet --offline --python $(BIN)/python -e '.[test]' 2>/dev/null \
	                      || $$uv pip install --quiet --python $(BIN)/python -e '.[test]'; }) \
	  || ($(BIN)/python -m ensurepip --default-pip >/dev/null && $(BIN)/python -m pip install --quiet -e '.[test]')
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
