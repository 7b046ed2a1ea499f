# The book's two commands: `make book` builds it, `make test` checks everything.
# Both bootstrap .venv from requirements.txt (which installs the convbook package too).

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
# Notebook kernels are started as `python`: put the venv first so they see convbook.
export PATH := $(BIN):$(PATH)
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

.PHONY: book test execute execute-all lab clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

## book: build the HTML book into _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at file://$(abspath _build/html/index.html)"

## test: unit tests, strict nbval over every notebook, committed-notebook checks, book build with -W
test: $(STAMP)
	$(BIN)/python -m pytest tests book --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-current-env -q -rfE

## execute NB=book/xx.ipynb: re-run one notebook in place on a fresh kernel
execute: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make execute NB=book/01_convolution_1d.ipynb"; exit 2; }
	$(BIN)/python tests/execute_notebook.py $(NB)

## execute-all: re-run every notebook of the book in place
execute-all: $(STAMP)
	$(BIN)/python tests/execute_notebook.py book/*.ipynb

## lab: open the notebooks in JupyterLab, with convbook importable
lab: $(STAMP)
	$(BIN)/jupyter lab book/

clean:
	rm -rf _build
