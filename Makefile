# A new user's two commands: `make serve` and `make test`. Everything installs from this repo.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test lint schema bench bench-quick screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)
	scripts/build-web
	scripts/install-clients

serve: install
	$(BIN)/quotegraph import seeds/
	$(BIN)/quotegraph serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check service schema tests bench
	$(BIN)/mypy service schema

schema: install
	$(BIN)/quotegraph export-schema

# Benchmarks record their figures in BENCHMARKS.md (about 45 minutes; never part of `make test`).
bench: install
	bench/setup
	$(BIN)/python bench/attribution.py --write
	$(BIN)/python bench/http.py --write
	$(BIN)/python bench/load.py --write
	$(BIN)/python bench/imports.py --write
	$(BIN)/python bench/scale.py --write

bench-quick: install
	bench/setup
	$(BIN)/python bench/http.py --seconds 3
	$(BIN)/python bench/load.py --seconds 10
	$(BIN)/python bench/imports.py --records 1000
	$(BIN)/python bench/scale.py --sizes 1000,10000 --seconds 3

screenshots: install
	scripts/screenshots

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache web/node_modules service/static/build tests/clients/node_modules tests/clients/.venv-gql3
