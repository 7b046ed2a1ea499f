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

.PHONY: book test execute execute-all lab book-offline test-browser clean

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

## book: build the HTML book into _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at file://$(abspath _build/html/index.html)"

## test: unit tests, docstring examples, strict nbval over every notebook, committed-notebook checks, book build with -W
test: $(STAMP)
	$(BIN)/python -m pytest tests src/convbook book --doctest-modules \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
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

## book-offline: the book with MathJax, require.js and the widget scripts served
## from the site itself (from npm at build time), so it works without internet
BROWSER := tests/browser
OFFLINE := _build/offline
NPM_STAMP := $(BROWSER)/node_modules/.installed

$(NPM_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	cd $(BROWSER) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(NPM_STAMP)

book-offline: $(STAMP) $(NPM_STAMP)
	$(BIN)/python $(BROWSER)/offline_config.py $(OFFLINE)
	$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(OFFLINE)/_config.yml --path-output $(OFFLINE)
	@echo "The offline book is at file://$(abspath $(OFFLINE)/_build/html/index.html)"

## test-browser: build the offline book, then check every page in headless Chromium with
## the network off; screenshots at desktop and phone widths go to _build/screenshots
test-browser: book-offline
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
	PYTHON=$(BIN)/python CHROMIUM=$$(command -v chromium) node $(BROWSER)/test_pages.mjs \
		$(OFFLINE)/_build/html _build/screenshots

clean:
	rm -rf _build
