# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench worker signup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Bytecode for our own modules, as pip gives installed libraries: a host that sets
# PYTHONDONTWRITEBYTECODE would otherwise compile every module on every start.
COMPILE := $(BIN)/python -m compileall -q tui models mailer signup

run: $(STAMP)
	@$(COMPILE)
	$(BIN)/licensedesk

# The suite on pytest-xdist workers, each with its own PostgreSQL, Postfix and ports
# (tests/support). More workers than cores: much of a test's time is waiting on another
# process (a relay, a console on a pty, a server), and another worker uses the core meanwhile.
TEST_WORKERS ?= 4

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	@$(COMPILE)
	@for f in tests/perf/bench_*.py; do $(BIN)/python $$f || exit 1; done

worker: $(STAMP)
	$(BIN)/licensedesk worker

clean:
	rm -rf $(VENV) build *.egg-info
