"""Checks of the committed notebooks that nbval does not make.

nbval re-runs each notebook and compares outputs; these tests check what was
committed: a clean top-to-bottom run, no errors or warnings shown to the
reader, no path tricks, and tags used only for what they are for.
"""

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "book").glob("*.ipynb"))
KNOWN_TAGS = {
    "nbval-ignore-output",
    "raises-exception",
    "hide-input",
    "hide-output",
    "hide-cell",
    "remove-input",
    "remove-output",
    "remove-cell",
    "nbval-skip",
}


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "book/ has no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom(path):
    counts = [c["execution_count"] for c in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts {counts}: re-run with `make execute NB={path.relative_to(ROOT)}`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_errors_or_warnings_shown(path):
    for cell in code_cells(path):
        tags = set(cell.get("metadata", {}).get("tags", []))
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"error output in an untagged cell: {out['ename']}"
            if out["output_type"] == "stream" and out["name"] == "stderr":
                pytest.fail(f"stderr output shown to the reader: {''.join(out['text'])[:200]!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_imports_and_tags(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["cells"][0]["cell_type"] == "markdown" and nb["cells"][0]["source"][0].startswith("# "), (
        "a chapter opens with its title"
    )
    for cell in code_cells(path):
        source = "".join(cell["source"])
        assert "sys.path" not in source, "notebooks import convbook as installed, without sys.path tricks"
        tags = set(cell.get("metadata", {}).get("tags", []))
        assert tags <= KNOWN_TAGS, f"unknown tags {tags - KNOWN_TAGS}"
        assert "nbval-skip" not in tags, "every cell is executed by nbval"
    cells = code_cells(path)
    ignored = sum("nbval-ignore-output" in c.get("metadata", {}).get("tags", []) for c in cells)
    assert ignored <= max(2, len(cells) // 4), (
        f"{ignored} of {len(cells)} cells ignore their output: keep the tag for machine-dependent cells"
    )
