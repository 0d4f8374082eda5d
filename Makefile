# Tasks for developers (README: the two user commands; DEVELOPERS.md: the rest).
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: venv test lint format settings bench startup serve

venv: $(VENV)/bin/treatygraph
$(VENV)/bin/treatygraph: pyproject.toml
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -q -e '.[dev]'

# The whole suite, in parallel (pyproject: -n auto); CI also reports coverage.
test: venv
	$(VENV)/bin/pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict src
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q -n0 tests/test_code_quality.py -k vulture

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Rewrite the README's settings table from src/treatygraph/web/settings.py.
settings: venv
	$(PY) -c "from pathlib import Path; from treatygraph.web.settings import with_table; p = Path('README.md'); p.write_text(with_table(p.read_text()))"

bench: venv startup
	$(PY) bench/run.py

startup: venv
	$(PY) bench/startup.py

serve: venv
	$(VENV)/bin/treatygraph serve
