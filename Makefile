# Everything runs from the project's own virtualenv; `make venv` creates it from requirements-dev.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
PYTEST_ARGS ?=
# pytest-xdist: one worker per core (the suite takes about 60% of its serial time on two cores).
PYTEST_WORKERS ?= auto

.PHONY: venv demo test lint migrations-check ci

venv: $(STAMP)

# Reinstalls only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $(STAMP)

demo: venv
	$(BIN)/python manage.py migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run

ci:
	bash .ci/run
