"""The sample photograph: shape, range, grayscale weights, block averaging."""

import subprocess
import sys

import matplotlib.cbook
import matplotlib.image
import numpy as np
import pytest

from convbook import grace_hopper
from convbook.data import LUMINANCE_WEIGHTS


@pytest.fixture(scope="module")
def full():
    return grace_hopper()


@pytest.fixture(scope="module")
def rgb():
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        return matplotlib.image.imread(f, format="jpg")


def test_full_resolution_is_the_luminance_of_the_photograph(full, rgb):
    assert full.shape == rgb.shape[:2] == (600, 512)
    assert full.dtype == np.float64
    assert 0.0 <= full.min() and full.max() <= 1.0
    np.testing.assert_allclose(sum(LUMINANCE_WEIGHTS), 1.0)
    i, j = 123, 45
    expected = sum(w * rgb[i, j, c] / 255 for c, w in enumerate(LUMINANCE_WEIGHTS))
    np.testing.assert_allclose(full[i, j], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("size", "shape", "factor"),
    [
        (600, (600, 512), 1),
        (300, (300, 256), 2),
        (128, (120, 102), 5),
        (64, (66, 56), 9),
        (1, (1, 1), 512),
        (5000, (600, 512), 1),
    ],
)
def test_size_averages_blocks(full, size, shape, factor):
    small = grace_hopper(size)
    assert small.shape == shape and small.dtype == np.float64
    rows, cols = shape
    block = full[:factor, factor : 2 * factor] if cols > 1 else full[:factor, :factor]
    np.testing.assert_allclose(small[0, 1 if cols > 1 else 0], block.mean(), rtol=1e-12)
    np.testing.assert_allclose(small.mean(), full[: rows * factor, : cols * factor].mean(), rtol=1e-12)


def test_bad_size_is_named():
    with pytest.raises(ValueError, match="size must be a positive integer"):
        grace_hopper(0)
    with pytest.raises(TypeError, match="size must be a positive integer"):
        grace_hopper(100.0)


def test_import_convbook_does_not_import_matplotlib():
    code = "import sys, convbook; convbook.grace_hopper; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
