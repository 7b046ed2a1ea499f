"""The HTML book builds with every warning treated as an error, and its pages show what the sources promise."""

import pathlib
import re
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
    check_chapter_numbers(html)
    check_punctuation_attached(html)


def check_chapter_numbers(html):
    """The number a reader sees for a chapter is the number in its file name."""
    index = (html / "book" / "intro.html").read_text()
    for page in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        number = int(page.stem[:2])
        shown = re.search(rf'href="{page.stem}.html">([^<]*)<', index)
        assert shown, f"{page.stem} is not in the sidebar"
        text = (html / "book" / f"{page.stem}.html").read_text()
        numbers = re.findall(r'class="(?:eqno|caption-number)">\(?(?:Fig\. )?([0-9.]+)', text)
        if number == 0:
            assert not re.match(r"\d", shown.group(1)), f"the sidebar numbers {page.stem}: {shown.group(1)!r}"
            continue
        assert shown.group(1).startswith(f"{number}. "), (
            f"the sidebar shows {shown.group(1)!r} for {page.stem}"
        )
        assert all(n.split(".")[0] == str(number) for n in numbers), (
            f"{page.stem} numbers its equations or figures {sorted(set(numbers))}"
        )


def check_punctuation_attached(html):
    """Punctuation after inline maths shares its line (book/_ext/inline_math_punctuation.py)."""
    math_then_punctuation = re.compile(
        r'(nowrap">)?<span class="math notranslate nohighlight">[^<]*</span>[.,;:]'
    )
    for page in sorted((html / "book").glob("*.html")):
        loose = [m.group(0) for m in math_then_punctuation.finditer(page.read_text()) if not m.group(1)]
        assert not loose, f"{page.name}: punctuation can wrap away from inline maths: {loose[:3]}"
