# Lägesbild: `make run` starts the app on the demo data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test setup setup-dev db bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

setup-dev: $(BIN)/.installed-dev

db: setup
	$(BIN)/python -m lagesbild init

# Without an identity provider (.streamlit/secrets.toml [auth]) this is open mode: ADDRESS must be
# loopback, else lagesbild.serve refuses to start (README, docs/security.md).
run: db
	$(BIN)/python -m lagesbild.serve --server.address $(ADDRESS) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: setup-dev
	$(BIN)/python -m pytest

bench: setup-dev
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data/lagesbild.db data/lagesbild.db-* tests/screenshots
