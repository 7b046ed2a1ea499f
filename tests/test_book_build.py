"""The HTML book builds with every warning treated as an error."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_book_builds_without_warnings(tmp_path):
    jb = pathlib.Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(ROOT), "--all", "-W", "-n", "--keep-going", "--path-output", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").exists()
    for page in (ROOT / "book").glob("*.ipynb"):
        rendered = html / "book" / f"{page.stem}.html"
        assert rendered.exists(), f"{page.name} was not rendered"
        assert "cell_output" in rendered.read_text(), (
            f"{rendered.name} shows no outputs: was it built from Markdown?"
        )
    # The MyST sources are not pages: Jupyter Book would prefer them to the executed notebooks.
    assert not (html / "book" / "myst").exists(), "book/myst/ was built: exclude it in _config.yml"
