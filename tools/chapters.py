"""Keep each chapter's MyST source and its executed notebook in step.

A chapter is written as ``book/myst/NN_name.md`` (MyST Markdown, paired by
jupytext: see ``jupytext.toml``) and published as ``book/NN_name.ipynb``, the
executed notebook whose committed outputs strict nbval checks and the HTML
book shows.

Usage (the Makefile's ``execute``, ``execute-all`` and ``sync`` targets)::

    python tools/chapters.py execute book/myst/01_convolution_1d.md [...]
    python tools/chapters.py execute --all
    python tools/chapters.py sync --all      # sources only, outputs kept
    python tools/chapters.py check           # exit 1 if a pair is out of step

A chapter may be named by either file of its pair. ``execute`` first brings
the notebook's cells up to date from the Markdown, then clears every output
and runs the notebook top to bottom on a fresh kernel of this environment, in
the notebook's own folder, and writes it back with execution counts 1, 2, 3,
... (what tests/test_notebooks.py and strict nbval expect). Per-cell timing
metadata is dropped so that re-running an unchanged chapter gives a small
diff. A notebook is written only once its run has succeeded (no cell raised
an error or printed one), so a failing cell never leaves a half-executed
chapter behind.
"""

import argparse
import os
import pathlib
import sys
import tempfile
import time

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SOURCES = BOOK / "myst"
FORMAT = "md:myst"


def pair(path):
    """Return ``(markdown, notebook)`` paths of the chapter named by either file."""
    path = pathlib.Path(path).resolve()
    if path.suffix == ".md" and path.parent == SOURCES:
        return path, BOOK / f"{path.stem}.ipynb"
    if path.suffix == ".ipynb" and path.parent == BOOK:
        return SOURCES / f"{path.stem}.md", path
    raise SystemExit(f"{path}: a chapter is book/myst/NAME.md or book/NAME.ipynb")


def all_chapters():
    """Every chapter, by its notebook or its source, whichever exists."""
    stems = {p.stem for p in SOURCES.glob("*.md")} | {p.stem for p in BOOK.glob("*.ipynb")}
    return [BOOK / f"{stem}.ipynb" for stem in sorted(stems)]


def _cells(nb):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


def out_of_sync(notebook):
    """Why the chapter's notebook does not match its source, or None if it does."""
    markdown, notebook = pair(notebook)
    fix = f"run `make execute NB={markdown.relative_to(ROOT)}`"
    if not markdown.exists():
        return f"{notebook.relative_to(ROOT)} has no MyST source {markdown.relative_to(ROOT)}"
    if not notebook.exists():
        return f"{markdown.relative_to(ROOT)} has never been executed: {fix}"
    text = jupytext.read(markdown, fmt=FORMAT)
    executed = nbformat.read(notebook, as_version=4)
    if _cells(text) != _cells(executed):
        changed = sum(a != b for a, b in zip(_cells(text), _cells(executed)))
        changed += abs(len(text.cells) - len(executed.cells))
        return (
            f"{notebook.relative_to(ROOT)} differs from {markdown.relative_to(ROOT)} "
            f"in {changed} cell(s): {fix}"
        )
    return None


def synced(notebook):
    """The chapter's notebook with its cells taken from the source, outputs kept where unchanged."""
    markdown, notebook = pair(notebook)
    text = jupytext.read(markdown, fmt=FORMAT)
    if notebook.exists():
        text = combine_inputs_with_outputs(text, nbformat.read(notebook, as_version=4), fmt=FORMAT)
    # The pairing lives in jupytext.toml, not in each notebook.
    text.metadata.pop("jupytext", None)
    return text


def executed(nb, folder):
    """``nb`` run top to bottom on a fresh kernel in ``folder`` (a new notebook)."""
    from nbclient import NotebookClient

    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(folder)}}
    ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    # IPython reports some errors as an output and lets the cell finish (one
    # raised while a figure is displayed, such as convbook.plotting's check of
    # text sizes): such a run has not succeeded either.
    for number, cell in enumerate(nb.cells):
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if errors and "raises-exception" not in cell.metadata.get("tags", []):
            raise SystemExit(f"cell {number} printed an error: {errors[0].ename}: {errors[0].evalue[:300]}")
    return nb


def write_atomically(nb, path):
    """Write ``nb`` to ``path`` through a temporary file, so a failure leaves the old file whole."""
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".ipynb.tmp", delete=False) as tmp:
        nbformat.write(nb, tmp)
    os.replace(tmp.name, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("execute", "sync", "check"))
    parser.add_argument("chapters", nargs="*", help="book/myst/NAME.md or book/NAME.ipynb")
    parser.add_argument("--all", action="store_true", help="every chapter")
    args = parser.parse_args(argv)
    chapters = all_chapters() if args.all or args.command == "check" else args.chapters
    if not chapters:
        parser.error("name the chapters, or pass --all")
    if args.command == "check":
        problems = [p for p in map(out_of_sync, chapters) if p]
        print("\n".join(problems) or f"{len(chapters)} chapters in step with their sources")
        return 1 if problems else 0
    # The kernel is started as `python`: make it this environment's, which has convbook.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    for chapter in chapters:
        markdown, notebook = pair(chapter)
        if not markdown.exists():
            raise SystemExit(f"{markdown.relative_to(ROOT)} does not exist")
        nb = synced(notebook)
        if args.command == "execute":
            start = time.perf_counter()
            nb = executed(nb, notebook.parent)
            took = f" executed in {time.perf_counter() - start:.1f} s"
        else:
            took = " updated from its source"
        write_atomically(nb, notebook)
        print(f"{notebook.relative_to(ROOT)}:{took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
