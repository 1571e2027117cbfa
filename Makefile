# Two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export FLASK_APP := wsgi.py

.PHONY: run test setup translations db demo lint totp bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

db: setup
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask consult demo --if-empty

run: demo
	@echo "Consult: http://127.0.0.1:5000"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check consult tests bench config.py wsgi.py
	$(BIN)/ruff format --check consult tests bench config.py wsgi.py

totp: $(STAMP)
	@$(BIN)/flask consult totp-code secretariat@csn.example

# Every benchmark runs even when one misses its bar; the exit status says if any did.
bench: setup
	@rc=0; \
	$(BIN)/python bench/recommendations.py || rc=1; \
	$(BIN)/python bench/votes.py || rc=1; \
	$(BIN)/python bench/votes.py --mode secret || rc=1; \
	exit $$rc

clean:
	rm -rf $(VENV) instance/consult.db*
