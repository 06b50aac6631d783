# One entry point for people and CI. On first use the targets create .venv and install the generator
# with the pinned dependencies of requirements.lock (Python 3.11+ and a package index are all they need).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SPEC := spec/openapi.yaml
CONFIG := spec/generator.toml
OUT := generated
PYTEST_FLAGS ?= -q

.PHONY: help generate validate check test test-generator test-generated lint clean bench corpus publish

help:
	@echo "make generate   rebuild $(OUT)/ from $(SPEC)"
	@echo "make test       generator and runtime tests, golden check, the generated package's own tests"
	@echo "make validate   validate $(SPEC) and list every error"
	@echo "make check      exit 1 with a diff if $(OUT)/ is not what generate would write"
	@echo "make lint       ruff + mypy over the generator; ruff, mypy and pyright over the generated package"
	@echo "make bench      generation, import and per-call benchmarks beside the peers (bench/results.md)"
	@echo "make corpus     every real spec in ../shared/specs generated and its package checked (bench/corpus.md)"
	@echo "make publish    build, check and upload generated/ to the index twine is pointed at"
	@echo "make clean      remove .venv and caches"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $(STAMP)

generate: $(STAMP)
	$(PY) -m generator generate $(SPEC) --config $(CONFIG) --out $(OUT)

validate: $(STAMP)
	$(PY) -m generator validate $(SPEC) --config $(CONFIG)

check: $(STAMP)
	$(PY) -m generator check $(SPEC) --config $(CONFIG) --out $(OUT)

test: test-generator test-generated

test-generator: $(STAMP)
	$(PY) -m pytest $(PYTEST_FLAGS) tests runtime/tests

test-generated: $(STAMP)
	cd $(OUT) && ../$(PY) -m pytest $(PYTEST_FLAGS) -p no:cacheprovider tests

# The last line lints the generated package and its tests as its users' tools see them: ruff, mypy
# --strict and pyright (standard mode), with the settings of the package's own pyproject.toml.
lint: $(STAMP)
	$(PY) -m ruff check generator tests tools bench runtime
	$(PY) -m black --quiet --check --line-length 100 --target-version py310 runtime --exclude runtime/tests
	$(PY) -m mypy
	cd $(OUT) && ../$(PY) -m ruff check . && ../$(PY) -m mypy && ../$(VENV)/bin/pyright --pythonpath $(abspath $(PY))

bench: $(STAMP)
	$(PY) bench/run.py

corpus: $(STAMP)
	$(PY) bench/corpus.py

# Tags the released commit v<version> after the upload: the next release compares its spec with that tag's.
# PUBLISH_FLAGS="--dry-run --dist dist/" does everything but the upload and the tag.
PUBLISH_FLAGS ?=

publish: $(STAMP)
	$(PY) tools/publish.py --spec $(SPEC) --config $(CONFIG) --out $(OUT) --tag $(PUBLISH_FLAGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
