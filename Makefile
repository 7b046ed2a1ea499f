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

.DELETE_ON_ERROR:
.PHONY: book test unit lint format execute execute-all sync lab book-offline test-browser clean

# requirements.txt is what Binder installs; requirements-dev.txt adds the tools
# only the tests use (repo2docker, ruff), kept out of the readers' image.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

## book: build the HTML book into _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "The book is at file://$(abspath _build/html/index.html)"

PYTEST_ARGS ?=
CODE := src tests tools book/_ext

## test: lint, unit tests, docstring examples, strict nbval over every notebook,
## chapter and notebook checks, book build with -W (PYTEST_ARGS="..." passes arguments on)
test: lint
	$(BIN)/python -m pytest tests src/convbook book --doctest-modules \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		--nbval-current-env -q -rfE $(PYTEST_ARGS)

## unit: unit tests and docstring examples only, in seconds (no notebooks, no book build)
unit: $(STAMP)
	$(BIN)/python -m pytest tests src/convbook --doctest-modules -q -rfE \
		-m "not slow" $(PYTEST_ARGS)

## lint: ruff's checks and its formatting, as configured in pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

## format: let ruff fix what it can and format the code
format: $(STAMP)
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

## execute NB=book/myst/xx.md: update the chapter's notebook from its MyST source,
## then run it on a fresh kernel (NB may name either file of the pair)
execute: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make execute NB=book/myst/01_convolution_1d.md"; exit 2; }
	$(BIN)/python tools/chapters.py execute $(NB)

## execute-all: the same for every chapter
execute-all: $(STAMP)
	$(BIN)/python tools/chapters.py execute --all

## sync: update every notebook's cells from its source, keeping outputs (no execution)
sync: $(STAMP)
	$(BIN)/python tools/chapters.py sync --all

## lab: open the notebooks in JupyterLab, with convbook importable
lab: $(STAMP)
	$(BIN)/jupyter lab book/

## book-offline: the book with MathJax, require.js and the widget scripts served
## from the site itself (from npm at build time), so it works without internet
BROWSER := tools/browser
OFFLINE := _build/offline
NPM_STAMP := $(BROWSER)/node_modules/.installed

$(NPM_STAMP): $(BROWSER)/package.json $(BROWSER)/package-lock.json
	cd $(BROWSER) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(NPM_STAMP)

# Everything the offline book is built from: it is rebuilt only when one of
# these is newer than the last build.
BOOK_INPUTS := _config.yml _toc.yml $(wildcard book/*.ipynb book/*.md book/*.bib book/_static/* book/_ext/*.py) \
	$(BROWSER)/offline_config.py
OFFLINE_INDEX := $(OFFLINE)/_build/html/index.html

book-offline: $(OFFLINE_INDEX)
	@echo "The offline book is at file://$(abspath $(OFFLINE_INDEX))"

$(OFFLINE_INDEX): $(STAMP) $(NPM_STAMP) $(BOOK_INPUTS)
	$(BIN)/python $(BROWSER)/offline_config.py $(OFFLINE)
	$(BIN)/jupyter-book build . --all -W -n --keep-going --config $(OFFLINE)/_config.yml --path-output $(OFFLINE)
	@touch $@

## test-browser: build the offline book (unless it is up to date), then check every page in
## headless Chromium with the network off; screenshots at desktop and phone widths go to
## _build/screenshots. CHROMIUM=/path/to/chromium picks the browser; without it, Debian's
## chromium is used, and installed (apt, as root) if it is missing.
CHROMIUM ?= $(shell command -v chromium)
test-browser: book-offline
	@test -n "$(CHROMIUM)" || { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; }
	PYTHON=$(BIN)/python CHROMIUM=$${CHROMIUM:-$$(command -v chromium)} node $(BROWSER)/test_pages.mjs \
		$(OFFLINE)/_build/html _build/screenshots

clean:
	rm -rf _build
