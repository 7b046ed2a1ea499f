"""Re-execute notebooks in place on a fresh kernel, as they are committed.

Usage: python tests/execute_notebook.py book/01_convolution_1d.ipynb [...]

Outputs are cleared, every cell runs top to bottom in the notebook's own
folder with this Python environment's kernel, and the notebook is written
back with execution counts 1, 2, 3, ... (what tests/test_notebooks.py and
strict nbval expect). Per-cell timing metadata is dropped so that re-running
an unchanged notebook gives a small diff.
"""

import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient


def execute(path):
    path = pathlib.Path(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    print(f"{path}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    # The kernel is started as `python`: make it this environment's, which has convbook.
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for name in sys.argv[1:]:
        execute(name)
