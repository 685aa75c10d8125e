# kqlhunt: two commands set up everything on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean conformance

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[web,test,bench]'
	touch $(STAMP)

demo: install
	$(BIN)/python -m kqlhunt.demo

test: install
	$(BIN)/python -m pytest -n 2 tests

conformance: install
	$(BIN)/python ../shared/kusto-conformance/run.py --show-failures 400

bench: install
	$(BIN)/python bench/seed_rule.py

clean:
	rm -rf $(VENV) build *.egg-info
