# Every target builds .venv itself, so a fresh clone needs only Python 3.11+.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/wallet demo

lint: $(STAMP)
	$(BIN)/ruff check wallet tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info

# -- packaging (packaging/README.md) ------------------------------------------------------
.PHONY: install uninstall dist wheel-test binary zipapp smoke

install:  # `wallet` on your PATH through pipx or uv, and in the desktop menu
	PY=$(PY) packaging/install.sh

uninstall:
	packaging/install.sh --uninstall

dist:  # dist/*.tar.gz and dist/*.whl
	PY=$(PY) packaging/build-dists.sh

wheel-test:  # both installed into clean venvs from the artifacts, then the smoke test
	PY=$(PY) packaging/wheel-test.sh

binary:  # dist/wallet, one file (PyInstaller)
	PY=$(PY) packaging/build-binary.sh

zipapp:  # dist/wallet.pyz (shiv)
	PY=$(PY) packaging/build-zipapp.sh

smoke: $(STAMP)  # the smoke test against the development install
	packaging/smoke-test.sh $(BIN)/wallet
