"""Tests of convbook.widgets: the Python side against convbook and scipy, the JavaScript maths under Node.

The explorer's numbers are computed in JavaScript (src/convbook/explorer.js);
its exported functions are run here with Node on random signals and filters
and compared with scipy. The page itself is tested in a real browser by
tools/browser/test_pages.mjs (`make test-browser`).
"""

import json
import pathlib
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.signal  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import kernels, widgets  # noqa: E402

EXPLORER_JS = pathlib.Path(widgets.__file__).with_name("explorer.js")


def reference(x, h, mode, length):
    """The explorer's output from scipy: linear, or linear folded modulo ``length``."""
    full = scipy.signal.convolve(x, h)
    if mode == "linear":
        return full
    folded = np.zeros(length)
    np.add.at(folded, np.arange(full.size) % length, full)
    return folded


states = st.tuples(
    st.integers(8, 40),
    st.integers(1, 12),
    st.sampled_from(widgets.MODES),
    st.integers(0, 60),
    st.integers(0, 2**31),
)


@given(states)
def test_explorer_output_and_spectra_match_scipy(state):
    n, k, mode, extra, seed = state
    rng = np.random.default_rng(seed)
    x, h = rng.standard_normal(n), rng.standard_normal(k)
    length = max(n, k) + extra
    y = widgets.explorer_output(x, h, mode, length)
    np.testing.assert_allclose(y, reference(x, h, mode, length), atol=1e-12)
    fx, fh, fy = widgets.explorer_spectra(x, h, mode, length)
    size = n + k - 1 if mode == "linear" else length
    np.testing.assert_allclose(fy, np.abs(np.fft.rfft(y, size)), atol=1e-10)
    np.testing.assert_allclose(fy, fx * fh, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cyclic_equals_linear_when_padded_enough(dtype):
    x = np.arange(10, dtype=dtype)
    h = np.array([1, -2, 1], dtype=dtype)
    np.testing.assert_allclose(
        widgets.explorer_output(x, h, "cyclic", 12), widgets.explorer_output(x, h), atol=1e-5
    )
    aliased = widgets.explorer_output(x, h, "cyclic", 11)
    assert not np.allclose(aliased, widgets.explorer_output(x, h)[:11])


def test_presets_and_filters():
    for name in widgets.PRESETS:
        x = widgets.preset_signal(name)
        assert x.shape == (widgets.SIGNAL_LENGTH,) and x.dtype == np.float64
    np.testing.assert_array_equal(widgets.preset_signal("noise"), widgets.preset_signal("noise"))
    assert widgets.preset_signal("impulse").sum() == 1
    np.testing.assert_array_equal(widgets.filter_taps("gaussian", 9), kernels.gaussian(9))
    np.testing.assert_array_equal(widgets.filter_taps("moving_average", 4), kernels.moving_average(4))
    np.testing.assert_array_equal(widgets.filter_taps("difference", 2), kernels.difference())


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: widgets.preset_signal("chirp"), ValueError, "name must be one of"),
        (lambda: widgets.preset_signal("step", 4), ValueError, "n must be at least 8"),
        (lambda: widgets.filter_taps("gaussian", 4), ValueError, "width must be one of"),
        (lambda: widgets.explorer_output([1.0, 2.0], [[1.0]]), ValueError, "must be 1-D"),
        (
            lambda: widgets.explorer_output([1.0, 2.0], [1.0], mode="circular"),
            ValueError,
            "mode must be one of",
        ),
        (
            lambda: widgets.explorer_output([1.0, 2.0, 3.0], [1.0], "cyclic", 2),
            ValueError,
            "length must be at least",
        ),
        (lambda: widgets.explorer_output(["a"], [1.0]), TypeError, "signal must hold numbers"),
        (lambda: widgets.SpaceFrequencyExplorer(length=10), ValueError, "length must be from"),
        (lambda: widgets.SpaceFrequencyExplorer(filter="custom"), ValueError, "taps must be given"),
        (lambda: widgets.SpaceFrequencyExplorer(filter="median"), ValueError, "filter must be one of"),
        (lambda: widgets.image_filter_figure(np.ones(5), "box"), ValueError, "image must be 2-D"),
        (lambda: widgets.image_filter_figure(np.ones((5, 5)), "blur"), ValueError, "name must be one of"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_explorer_state_follows_its_controls():
    w = widgets.SpaceFrequencyExplorer(preset="pulse", filter="gaussian", width=5)
    assert w.signal == widgets.preset_signal("pulse").tolist()
    assert w.taps == kernels.gaussian(5).tolist()
    w.preset = "step"
    assert w.signal == widgets.preset_signal("step").tolist()
    w.width = 9
    assert w.taps == kernels.gaussian(9).tolist()
    assert set(w.filters) == set(widgets.FILTERS) and set(w.presets) == set(widgets.PRESETS)
    custom = widgets.SpaceFrequencyExplorer(filter="custom", taps=[1, -2, 1])
    assert custom.taps == [1.0, -2.0, 1.0] and custom.width == 3


def test_check_compares_the_javascript_output():
    w = widgets.SpaceFrequencyExplorer(mode="cyclic", length=66)
    assert "no JavaScript output" in w.check()
    w.output = w.expected_output().tolist()  # what the JavaScript writes back in a live kernel
    assert "equals convbook's" in w.check()
    w.output = (w.expected_output() + 1e-3).tolist()
    with pytest.raises(AssertionError):
        w.check()


def test_figures_draw():
    fig = widgets.explorer_figure(preset="step", width=15, mode="cyclic", length=64)
    assert len(fig.axes) == 6
    plt.close(fig)
    fig = widgets.image_filter_figure(np.random.default_rng(0).random((20, 16)), "sobel_y")
    assert len(fig.axes) == 6
    plt.close(fig)
    explorer = widgets.image_filter_explorer(np.eye(12))
    assert explorer.kernel.options == widgets.IMAGE_KERNELS
    first = bytes(explorer.picture.value)
    assert first.startswith(b"\x89PNG")
    explorer.kernel.value = "laplacian"
    assert bytes(explorer.picture.value).startswith(b"\x89PNG") and bytes(explorer.picture.value) != first
    plt.close("all")


@pytest.fixture(scope="module")
def node_module(tmp_path_factory):
    if shutil.which("node") is None:
        pytest.skip("Node.js is needed to run the explorer's JavaScript")
    # A .mjs copy, so that Node loads the file as the ES module it is.
    path = tmp_path_factory.mktemp("js") / "explorer.mjs"
    path.write_text(EXPLORER_JS.read_text())
    return path


def run_js(module, cases):
    script = f"""
import {{ compute, parseTaps }} from {json.dumps(module.as_uri())};
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map((c) => c.text !== undefined ? parseTaps(c.text)
  : compute(c.x, c.h, c.mode, c.length))));
"""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_javascript_matches_convbook(node_module):
    rng = np.random.default_rng(1)
    cases = []
    for _ in range(40):
        n, k = int(rng.integers(8, 70)), int(rng.integers(1, 33))
        mode = str(rng.choice(widgets.MODES))
        length = max(n, k) + int(rng.integers(0, 40))
        cases.append(
            {
                "x": rng.standard_normal(n).tolist(),
                "h": rng.standard_normal(k).tolist(),
                "mode": mode,
                "length": length,
            }
        )
    for case, got in zip(cases, run_js(node_module, cases)):
        args = (case["x"], case["h"], case["mode"], case["length"])
        y = widgets.explorer_output(*args)
        fx, fh, fy = widgets.explorer_spectra(*args)
        np.testing.assert_allclose(got["y"], y, atol=1e-12)
        np.testing.assert_allclose(got["linear"], widgets.explorer_output(case["x"], case["h"]), atol=1e-12)
        for name, expected in (("fx", fx), ("fh", fh), ("fy", fy)):
            np.testing.assert_allclose(got[name], expected, atol=1e-9)
        assert got["maxDiff"] < 1e-9
        linear = widgets.explorer_output(case["x"], case["h"])
        overlap = min(y.size, linear.size)
        expected_aliased = np.abs(y[:overlap] - linear[:overlap]) > 1e-9
        assert got["aliased"][:overlap] == expected_aliased.tolist()


def test_javascript_parses_custom_taps(node_module):
    cases = [
        {"text": "1, -2, 1"},
        {"text": " 0.5 0.5 "},
        {"text": "1; x"},
        {"text": ""},
        {"text": ",".join(["1"] * 33)},
    ]
    assert run_js(node_module, cases) == [[1, -2, 1], [0.5, 0.5], None, None, None]
