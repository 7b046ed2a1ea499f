"""Every chapter is a MyST Markdown source paired with its executed notebook.

The Markdown in book/myst/ is what people edit and review; the notebook in
book/ carries the outputs that strict nbval checks and the HTML shows. These
tests fail when the two drift apart, naming the command that brings them
back into step.
"""

import importlib.util
import pathlib

import nbformat
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("chapters", ROOT / "tools" / "chapters.py")
chapters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(chapters)

CHAPTERS = chapters.all_chapters()


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {c["file"] for part in toc["parts"] for c in part["chapters"]} | {toc["root"]}


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_matches_its_source(notebook):
    problem = chapters.out_of_sync(notebook)
    assert problem is None, problem


@pytest.mark.parametrize("notebook", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_is_in_the_table_of_contents(notebook):
    assert f"book/{notebook.stem}" in toc_files(), f"add book/{notebook.stem} to _toc.yml"


def test_every_notebook_in_the_toc_has_a_source():
    notebooks = {f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()}
    assert notebooks, "the table of contents names no notebook"
    missing = [
        f for f in sorted(notebooks) if not (ROOT / "book" / "myst" / f"{pathlib.Path(f).name}.md").exists()
    ]
    assert not missing, f"notebooks without a MyST source in book/myst/: {missing}"


def test_the_check_notices_an_edit(tmp_path, monkeypatch):
    """An edited source makes its pair out of step, and syncing repairs it."""
    name = CHAPTERS[0].stem
    (tmp_path / "myst").mkdir()
    source = tmp_path / "myst" / f"{name}.md"
    source.write_text((chapters.SOURCES / f"{name}.md").read_text())
    (tmp_path / f"{name}.ipynb").write_text(CHAPTERS[0].read_text())
    monkeypatch.setattr(chapters, "BOOK", tmp_path)
    monkeypatch.setattr(chapters, "SOURCES", tmp_path / "myst")
    monkeypatch.setattr(chapters, "ROOT", tmp_path)
    assert chapters.out_of_sync(tmp_path / f"{name}.ipynb") is None
    source.write_text(source.read_text().replace("\n# ", "\n# Edited: ", 1))
    problem = chapters.out_of_sync(tmp_path / f"{name}.ipynb")
    assert problem and f"make execute NB=myst/{name}.md" in problem
    before = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    chapters.write_atomically(chapters.synced(tmp_path / f"{name}.ipynb"), tmp_path / f"{name}.ipynb")
    after = nbformat.read(tmp_path / f"{name}.ipynb", as_version=4)
    assert chapters.out_of_sync(tmp_path / f"{name}.ipynb") is None
    assert after.cells[0].source.startswith("# Edited: ")
    # Outputs of the cells that did not change are kept.
    assert [c.get("outputs") for c in after.cells[1:]] == [c.get("outputs") for c in before.cells[1:]]
