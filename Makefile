# Portal Desmigratif — the two commands: `make run` and `make test`.
# Needs only Python >= 3.11 and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# The development server and the tests run with DEBUG on unless told otherwise.
export DEBUG ?= 1

.PHONY: run test install lint messages bench-regions bench-import bench-dashboard bench-load bench-3g bench-placements clean

run: $(INSTALLED)
	$(BIN)/python manage.py run_portal

# The tests run in parallel (pytest-xdist, one test database per worker). The embedded
# PostgreSQL (used when DATABASE_URL is unset) is stopped afterwards if this run started it;
# the exit status is the checks' own.
test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@was=$$($(BIN)/python -m desmigratif.embedded_postgres status); status=0; \
	$(BIN)/python manage.py makemigrations --check --dry-run && $(BIN)/python -m pytest -n auto || status=$$?; \
	if [ -z "$$DATABASE_URL" ] && [ "$$was" = stopped ]; then $(BIN)/python -m desmigratif.embedded_postgres stop; fi; \
	exit $$status

install: $(INSTALLED)

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required (found %s)" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

lint: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the translation catalogue after changing user-facing strings (needs GNU gettext).
messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages --locale id --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --locale id --ignore '.venv/*'

bench-regions: $(INSTALLED)
	$(BIN)/python benchmarks/load_regions.py

# Household import: 40,072 households (~155,000 rows) against django-import-export and raw COPY,
# a village's 2,000-row file through the web (portal and task worker as `make run` starts them),
# plus peak memory at 10x the size (BENCH_MEMORY=0 skips that part, BENCH_ROUNDS=1 for a quick look).
bench-import: $(INSTALLED)
	$(BIN)/python benchmarks/import_households.py

# Dashboards and the household list on 1,000,000 households (a kept scale database, made on
# the first run in about 4 minutes), and the summary refresh after a 40,072-household import.
bench-dashboard: $(INSTALLED)
	$(BIN)/python benchmarks/dashboard.py

# Load: gunicorn as in production (DEBUG=0) on the 1,000,000-household scale database; the
# requests/s it serves with p95 <= 300 ms and no error, stepping the offered load up, beside
# /healthz from the same run (BENCH_FIRST_RATE, BENCH_STEP_SECONDS, BENCH_USERS, BENCH_WORKERS).
bench-load: $(INSTALLED)
	$(BIN)/python benchmarks/load.py

# A placement list extract of 5,000 rows on the 1,000,000-household scale database: check and
# match, the three lists, apply, revert (seconds), against reading the file alone.
bench-placements: $(INSTALLED)
	$(BIN)/python benchmarks/placement_lists.py

# A village's 3G: the portal as in production, Chromium throttled to 400 kbit/s and 400 ms (CDP);
# the login page's first visit, a repeat page and the household form, bytes and seconds (JSON).
bench-3g: $(INSTALLED)
	$(BIN)/python benchmarks/three_g.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
