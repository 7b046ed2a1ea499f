"""Every chapter the package cites exists, and is cited by its title, never by a number.

Docstrings and comments in src/convbook name the chapter that teaches a
function as ``*Title* (book/NN_name.ipynb)``. Chapter numbers change when
chapters move; file names and titles are checked here.
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "src" / "convbook").glob("*.py"))
TESTS = sorted(pathlib.Path(__file__).parent.glob("*.py"))

# A path into the book, as cited: book/09_cost.ipynb, book/intro.md.
PATH = re.compile(r"book/[\w./-]*\w\.(?:ipynb|md)\b")
# A title in asterisks right before the path: "*What convolution costs* (book/09_cost.ipynb"
# or "*Convolution in 1-D*, book/01_convolution_1d.ipynb"; docstrings may break the title over lines.
CITATION = re.compile(r"\*([^*]+)\*\s*[(,]?\s*(book/[\w./-]*\w\.(?:ipynb|md))\b")
# "Chapter 9", "chapters 1 and 2", "(Ch. 4)", "chapter 8's".
NUMBERED = re.compile(r"\b(?:chapters?|ch\.)\s*\d", re.IGNORECASE)


def title(path):
    """The chapter's '# ' heading: the first line of its first markdown cell (or of the .md file)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        text = next("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text()
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    return heading[2:].strip()


def citations():
    for source in SOURCES:
        text = source.read_text()
        for path in PATH.findall(text):
            yield source.name, path


def test_the_package_cites_chapters():
    cited = {path for _, path in citations()}
    assert len(cited) >= 9, cited  # every chapter teaches something of the package


@pytest.mark.parametrize("source, path", sorted(set(citations())))
def test_cited_chapter_exists(source, path):
    assert (ROOT / path).is_file(), f"{source} cites {path}, which does not exist"


def test_cited_titles_are_the_chapters_titles():
    checked = 0
    for source in SOURCES:
        for raw_title, path in CITATION.findall(source.read_text()):
            cited = " ".join(raw_title.split())  # a docstring may break the title over lines
            assert cited == title(ROOT / path), f"{source.name} cites {path} as *{cited}*"
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("path", [*SOURCES, *TESTS], ids=lambda p: p.name)
def test_no_chapter_is_cited_by_number(path):
    if path.name == pathlib.Path(__file__).name:
        return  # this file's patterns and docstring name the forbidden form
    lines = [
        f"{i}: {line.strip()}"
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if NUMBERED.search(line)
    ]
    assert not lines, f"{path.name} cites chapters by number; name them by title and file:\n" + "\n".join(
        lines
    )


def test_title_reads_the_first_heading(tmp_path):
    notebook = tmp_path / "01_x.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "source": ["# not a title"]},
                    {"cell_type": "markdown", "source": ["# The title\n", "text"]},
                ]
            }
        )
    )
    assert title(notebook) == "The title"
    assert CITATION.findall("in Chapter *What convolution\n    costs* (book/09_cost.ipynb).") == [
        ("What convolution\n    costs", "book/09_cost.ipynb")
    ]
