"""The HTML book builds with every warning treated as an error."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_book_builds_without_warnings(tmp_path):
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(ROOT), "--all", "-W", "-n", "--keep-going", "--path-output", str(tmp_path)],
        capture_output=True, text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").exists()
    for page in (ROOT / "book").glob("*.ipynb"):
        assert (html / "book" / f"{page.stem}.html").exists(), f"{page.name} was not rendered"
