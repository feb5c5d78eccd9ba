# QMS Tracker — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= qms.settings.dev

.PHONY: run test install install-dev lint format messages migrate demo clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var/queue/messages var/queue/processed var/media

## run: install, migrate, load the demo and serve http://127.0.0.1:8000 with a Celery worker and beat.
run: install var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py setup_periodic_tasks
	@echo ""
	@echo "  QMS Tracker: http://127.0.0.1:8000"
	@echo "  Demo accounts (password demo12345):"
	@echo "    admin      superuser (admin panel at /admin/)"
	@echo "    district   supervisor (ISO staff) of Việt Yên district"
	@echo "    committee  steering committee member of Việt Yên district"
	@echo "    bichdong   ISO officer of Bích Động"
	@echo "    ninhson    ISO officer of Ninh Sơn"
	@echo "    auditor    internal auditor"
	@echo "    province   supervisor of Bắc Ninh province (since the 2025 reorganisation)"
	@echo "    vietyen    ISO officer of Phường Việt Yên (Bích Động's successor)"
	@echo "  Ctrl-C stops the web server, the worker and beat."
	@echo ""
	$(BIN)/honcho start -f Procfile

## test: ruff and the whole pytest suite on PostgreSQL and Redis (browser tests included).
test: export DJANGO_SETTINGS_MODULE = qms.settings.test
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/qms
test: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: install-dev
	$(BIN)/python scripts/check_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --create-db $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

## messages: refresh locale/vi from the code and templates, and compile it (needs gettext).
messages: install
	$(BIN)/python manage.py makemessages --locale vi --no-obsolete --ignore ".venv/*" --ignore "var/*" --ignore "static/vendor/*"
	$(BIN)/python manage.py compilemessages --locale vi --ignore ".venv/*"

migrate: install var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## clean-demo: forget the local SQLite database and queue (var/), to start the demo afresh.
clean-demo:
	rm -rf var
