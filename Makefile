# The two commands of the README: `make up` runs the system, `make test` runs the tests.
SHELL := /bin/bash
UV ?= uv
RUN := UV_PYTHON_DOWNLOADS=never $(UV) run --frozen

.PHONY: up down status bootstrap infra-up test test-unit lint typecheck imports deploy-check screenshots reliability

up: bootstrap infra-up ## install, start Kafka/Postgres/SMTP, migrate, create topics, start services
	$(RUN) gigalert migrate
	$(RUN) gigalert topics create
	deploy/local/services.sh up
	@deploy/local/services.sh status
	@echo "open http://127.0.0.1:$${GIGALERT_WEB_PORT:-8000}/ to sign up"

down: ## stop the services and the infrastructure
	-deploy/local/services.sh down
	deploy/local/infra.sh down

status:
	@deploy/local/infra.sh status
	@deploy/local/services.sh status

bootstrap:
	deploy/local/bootstrap.sh

infra-up:
	deploy/local/infra.sh up

test: bootstrap infra-up lint typecheck imports deploy-check ## every gate and the whole test suite
	$(RUN) pytest

test-unit: ## the unit tests alone: no Kafka, Postgres or SMTP needed, seconds
	$(RUN) pytest -q tests/unit -p no:cacheprovider

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck:
	$(RUN) mypy shared/src services/ingest/src services/matcher/src services/notifier/src services/web/src tests bench deploy/local/smtp_sink.py deploy/checks

imports:
	$(RUN) lint-imports

deploy-check: ## compose, Kubernetes manifests, Dockerfile, dashboard (no Docker engine needed)
	deploy/validate.sh

screenshots: bootstrap infra-up ## the browser journey, saving each main page at both viewports to docs/screenshots/
	GIGALERT_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(RUN) pytest -q tests/e2e/browser -p no:cacheprovider

reliability: bootstrap infra-up ## the fault suite, writing its measured table to docs/reliability.md
	GIGALERT_WRITE_RELIABILITY=1 $(RUN) pytest -q tests/faults -p no:cacheprovider
