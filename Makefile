# Two commands set everything up on a fresh machine: `make run` and `make test`.
# Each creates .venv from the lock file when it is missing or stale.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION ?= 3.13
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed-$(shell sha1sum $(LOCK) 2>/dev/null | cut -c1-12)
SAM_VENV := .venv-sam
SAM_LOCK := requirements/sam.lock
SAM_STAMP := $(SAM_VENV)/.installed-$(shell sha1sum $(SAM_LOCK) 2>/dev/null | cut -c1-12)
SAM := $(SAM_VENV)/bin/sam
# python3.13 from PATH, else from pyenv's versions folder (pyenv shims refuse
# a version that is installed but not selected).
FIND_PYTHON := command -v python$(PYTHON_VERSION) >/dev/null 2>&1 && python$(PYTHON_VERSION) -c 'pass' 2>/dev/null && echo python$(PYTHON_VERSION) \
	|| ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(PYTHON_VERSION)*/bin/python$(PYTHON_VERSION) 2>/dev/null | sort -V | tail -n 1
PYTEST_WORKERS ?= 2

# Lock files: pinned and hashed for every platform; the runtime lock targets Lambda's arm64.
.PHONY: lock help venv sam build-check run test test-unit test-integration lint format openapi bench fire redrive layers build deploy deploy-portal clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

$(STAMP): $(LOCK)
	@base=$$($(FIND_PYTHON)); \
	if [ -z "$$base" ]; then echo "Python $(PYTHON_VERSION) not found (install it, e.g. with pyenv)"; exit 1; fi; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == tuple(map(int, "$(PYTHON_VERSION)".split(".")))' 2>/dev/null; then \
		rm -rf $(VENV); echo "creating $(VENV) with $$base"; $$base -m venv $(VENV); fi
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP) ## Create or refresh the virtual environment from the lock file

run: $(STAMP) ## Start the whole platform locally (local cloud + demo data)
	$(PY) -m infra.local

# The suite prints its 25 slowest tests, so a new time sink shows up in the run that adds it.
# compileall first: with PYTHONDONTWRITEBYTECODE set (as on the project's machines) no process
# caches bytecode, so every pytest worker, local-cloud function worker and seeder compiled the
# project's modules again (D-270).
test: $(STAMP) ## Run every test (unit, integration through the local cloud, contract)
	$(PY) -m compileall -q -j 0 shared functions infra tests > /dev/null
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not perf" --durations=25 $(PYTEST_ARGS)

test-unit: $(STAMP) ## Unit tests only
	$(PY) -m pytest tests/unit --durations=25 $(PYTEST_ARGS)

test-integration: $(STAMP) ## Integration tests through the local cloud
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, mypy and the context boundaries (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared functions infra tests
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: $(STAMP) ## Regenerate the routes in template.yaml, docs/openapi.json, errors.md, events.md and schemas.json from the code
	$(PY) -m infra.gateway_routes --write
	$(PY) -m infra.openapi --write
	$(PY) -m infra.errors_doc
	$(PY) -m infra.events_doc
	$(PY) -m infra.schemas_doc

bench: $(STAMP) ## Benchmarks: cold starts and AWS calls per operation (figures for docs/performance.md)
	$(PY) -m pytest tests/perf tests/unit/test_supervision_monitoring.py -m perf -s $(PYTEST_ARGS)

fire: $(STAMP) ## Fire a scheduled function now on the running local cloud: make fire FN=CalendarCheckFunction
	$(PY) -m infra.local fire $(FN)

redrive: $(STAMP) ## Move a DLQ's messages back: make redrive QUEUE=OpenDataQueue
	$(PY) -m infra.local redrive $(QUEUE)

layers: $(STAMP) ## Stage the `shared` package and the runtime lock into the layers for sam build
	rm -rf layers/shared/python && mkdir -p layers/shared/python layers/deps && cp -r shared layers/shared/python/
	find layers/shared/python -name __pycache__ -prune -exec rm -rf {} +
	$(PY) -m compileall -q --invalidation-mode unchecked-hash layers/shared/python
	grep -v '^\s*#' requirements/runtime.lock > layers/deps/requirements.txt

# The SAM CLI lives in its own venv from its own lock: its pins conflict with the runtime's (docs/decisions.md).
$(SAM_STAMP): $(SAM_LOCK)
	@base=$$($(FIND_PYTHON)); \
	if [ -z "$$base" ]; then echo "Python $(PYTHON_VERSION) not found (install it, e.g. with pyenv)"; exit 1; fi; \
	if [ ! -x $(SAM_VENV)/bin/python ]; then echo "creating $(SAM_VENV) with $$base"; $$base -m venv $(SAM_VENV); fi
	$(SAM_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(SAM_LOCK)
	@rm -f $(SAM_VENV)/.installed-*; touch $@

sam: $(SAM_STAMP) ## Create or refresh .venv-sam (the AWS SAM CLI) from requirements/sam.lock

# sam build looks for python3.13 on PATH (pyenv shims refuse an unselected version): .venv-sam's is one.
# sam build cannot read Fn::ForEach (aws-sam-cli issue 5647): it builds template.expanded.json, the
# template with AWS::LanguageExtensions applied by infra/template.py (what the local cloud and the
# contract tests read), next to template.yaml so that CodeUri paths stay relative to the same folder.
build: layers $(SAM_STAMP) ## sam build: no Docker, arm64 wheels from PyPI (SAM CLI from requirements/sam.lock)
	$(PY) -c 'import json; from infra.template import sam_template; json.dump(sam_template(), open("template.expanded.json", "w"), ensure_ascii=False, indent=1)'
	PATH="$(CURDIR)/$(SAM_VENV)/bin:$$PATH" SAM_CLI_TELEMETRY=0 $(SAM) build --template-file template.expanded.json

# What CI runs (.ci/run): `make build` in a fresh clone of HEAD, so nothing untracked can make it pass.
# The clone borrows the two venvs (same lock files, so the stamps hold); sam build itself reaches only PyPI.
build-check: $(STAMP) $(SAM_STAMP) ## make build in a fresh clone of HEAD (proves a newcomer's clone builds)
	rm -rf build/fresh-clone && mkdir -p build && git clone -q . build/fresh-clone
	ln -s $(CURDIR)/$(VENV) build/fresh-clone/$(VENV) && ln -s $(CURDIR)/$(SAM_VENV) build/fresh-clone/$(SAM_VENV)
	$(MAKE) -C build/fresh-clone build
	test -f build/fresh-clone/.aws-sam/build/template.yaml && rm -rf build/fresh-clone

deploy: build ## sam deploy --guided (needs AWS credentials)
	SAM_CLI_TELEMETRY=0 $(SAM) deploy --guided --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND

deploy-portal: $(STAMP) ## Upload portal/ to the stack's bucket behind CloudFront (STACK=<name>, after deploy)
	$(VENV)/bin/python -m infra.portal_deploy --stack $(STACK)

lock: $(STAMP) ## Recompile the lock files after editing requirements/*.in
	$(VENV)/bin/uv pip compile --python-version $(PYTHON_VERSION) --python-platform aarch64-manylinux_2_28 --generate-hashes -q requirements/runtime.in -o requirements/runtime.lock
	$(VENV)/bin/uv pip compile --python-version $(PYTHON_VERSION) --generate-hashes -q requirements/dev.in -o requirements/dev.lock
	$(VENV)/bin/uv pip compile --python-version $(PYTHON_VERSION) --generate-hashes -q requirements/sam.in -o requirements/sam.lock

clean: ## Remove the virtual environment and build output
	rm -rf $(VENV) $(SAM_VENV) .aws-sam template.expanded.json layers/shared/python layers/deps/requirements.txt
