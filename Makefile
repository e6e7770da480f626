# Grid Academy — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# manage.py defaults to lms.settings.dev; the test suite always runs on lms.settings.test.

.PHONY: run test venv migrate demo lint format messages bench faults clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Grid Academy needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks and fault drills (bench/, docs/performance.md): never part of `make test`.
# Throwaway databases only (var/bench.sqlite3, gridacademy_bench* on PostgreSQL).
bench: $(STAMP)
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.examday
	$(BIN)/python -m bench.batch

# Stops and restarts the local Redis and PostgreSQL (127.0.0.1) for the outage drills.
faults: $(STAMP)
	$(BIN)/python -m bench.faults --outage

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate and compile translations (needs GNU gettext; the compiled .mo files are committed).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages_apps
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/*.sqlite3 .pytest_cache
