# A new user's two commands: `make serve` and `make test`. Everything installs from this repo.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install serve test lint schema bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)
	scripts/build-web

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

bench: install
	$(BIN)/python bench/attribution.py --write

screenshots: install
	scripts/screenshots

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache web/node_modules service/static/build
