# The commands the README gives. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BUILD ?= build
# Two workers by default; `make test WORKERS=auto` uses every core.
WORKERS ?= 2

.PHONY: help test quick lint hooks serve bake servers bench lock clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

servers:  ## Install redis-server, memcached and PostgreSQL if missing (Debian, as root)
	@./scripts/install-servers

test: $(BIN)/.installed servers  ## The whole suite: every bake, every baked suite, real servers
	$(BIN)/pytest -n $(WORKERS)

quick: $(BIN)/.installed  ## The fast part: bakes, checks and linters, no baked suites
	$(BIN)/pytest -n $(WORKERS) -m "not slow"

lint: $(BIN)/.installed  ## Lint the template's own code with its pre-commit hooks
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

hooks: $(BIN)/.installed  ## Install the pre-commit hooks into git: they run on every commit
	$(BIN)/pre-commit install

# Answers on the command line: make bake ANSWERS="cache_backend=redis cache_per_site=yes"
bake: $(BIN)/.installed  ## Bake the default project (or ANSWERS=...) into build/recipe_site
	rm -rf $(BUILD)/recipe_site
	$(BIN)/cookiecutter --no-input --output-dir $(BUILD) . $(ANSWERS)

serve: bake  ## Bake the default project and serve it at http://127.0.0.1:8000/recipes/
	cd $(BUILD)/recipe_site && $(PYTHON) -m venv .venv \
		&& .venv/bin/pip install -q -r requirements-dev.txt \
		&& .venv/bin/python manage.py migrate \
		&& .venv/bin/python manage.py seed_recipes --count 50 \
		&& .venv/bin/python manage.py runserver 127.0.0.1:8000

bench: $(BIN)/.installed servers  ## Benchmark every backend and level; writes benchmarks/results/
	$(BIN)/python benchmarks/run.py

# Dependencies: ranges in templates/requirements/*.in, exact pins compiled from them.
# requirements-dev.txt pins this template's own environment (every backend's and tool's
# dependencies), and each baked lock is compiled within it, so a bake installs exactly
# what the tests ran. `make lock` keeps the pins the ranges still allow (adding a line to
# an .in adds only what it needs); `make lock UPGRADE=1` moves everything to the newest.
# The baked requirements-dev.txt starts with `-r requirements.txt`, so the development
# locks leave out what base.txt (in every bake's requirements.txt) already pins.
REQUIREMENTS := templates/requirements
BAKED_LOCKS := base redis memcached dev debug-toolbar
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

lock: $(BIN)/.installed  ## Pin the dependencies from the ranges in templates/requirements/*.in
	$(PIP_COMPILE) --output-file requirements-dev.txt $(REQUIREMENTS)/template.in
	for name in $(BAKED_LOCKS); do \
		$(PIP_COMPILE) --no-header --no-annotate --constraint requirements-dev.txt \
			--output-file $(REQUIREMENTS)/$$name.txt $(REQUIREMENTS)/$$name.in || exit 1; \
	done
	for name in dev debug-toolbar; do \
		grep -vxF -f $(REQUIREMENTS)/base.txt $(REQUIREMENTS)/$$name.txt > $(REQUIREMENTS)/$$name.tmp; \
		mv $(REQUIREMENTS)/$$name.tmp $(REQUIREMENTS)/$$name.txt; \
	done

clean:  ## Remove the virtualenv and baked projects
	rm -rf $(VENV) $(BUILD)
