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
import sympy as sp  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import bttb_matrix, kernels, symbolic, widgets  # noqa: E402

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


# -- the footprint explorer ----------------------------------------------------

FOOTPRINT_JS = pathlib.Path(widgets.__file__).with_name("footprint.js")


def test_footprint_explorer_constructs_with_validated_traits():
    w = widgets.FootprintExplorer(output=(1, 0), variable=(2, 3), wrt="x", terms=5)
    assert (w.output, w.variable, w.wrt, w.terms) == ([1, 0], [2, 3], "x", 5)
    assert (w.image_shape, w.kernel_shape) == ([4, 4], [3, 3])
    assert w._esm == FOOTPRINT_JS.read_text()
    np.testing.assert_array_equal(
        w.expected_footprint(), symbolic.partial_sum_footprints((1, 0), (2, 3), "x")[4]
    )
    big = widgets.FootprintExplorer(output=(2, 1), variable=(1, 0), image_shape=(5, 6), kernel_shape=(2, 3))
    assert big.expected_footprint().shape == (5, 6)
    assert "wrt='w'" in repr(big)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"wrt": "y"}, ValueError, "wrt must be one of"),
        ({"output": (2, 0)}, ValueError, "output must index the valid output"),
        ({"output": 0}, ValueError, "output must be a pair"),
        ({"output": (0, -1)}, ValueError, r"output\[1\] must be a non-negative integer"),
        ({"output": (0, 0.5)}, TypeError, r"output\[1\] must be a non-negative integer"),
        ({"variable": (3, 0)}, ValueError, "variable must index the kernel"),
        ({"variable": (4, 0), "wrt": "x"}, ValueError, "variable must index the image"),
        ({"terms": 0}, ValueError, "terms must be a positive integer"),
        ({"terms": 17}, ValueError, "terms must be from 1 to the 16"),
        ({"terms": 2.0}, TypeError, "terms must be a positive integer"),
        ({"terms": True}, TypeError, "terms must be a positive integer"),
        ({"image_shape": (9, 4)}, ValueError, "image_shape must have sides of at most 8"),
        ({"kernel_shape": (5, 3)}, ValueError, "kernel_shape must be no larger than image_shape"),
        ({"image_shape": (4,)}, ValueError, "image_shape must hold two positive integers"),
    ],
)
def test_footprint_explorer_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.FootprintExplorer(**kwargs)


def test_partial_sum_footprints_bad_input():
    with pytest.raises(ValueError, match="wrt must be one of"):
        symbolic.partial_sum_footprints((0, 0), (0, 0), wrt="z")
    with pytest.raises(ValueError, match="variable must index the kernel"):
        symbolic.partial_sum_footprints((0, 0), (3, 3))


@pytest.mark.parametrize("shapes", [((4, 4), (3, 3)), ((5, 3), (2, 2)), ((3, 6), (3, 1))])
def test_partial_sum_footprints_end_at_the_spatial_derivative(shapes):
    image_shape, kernel_shape = shapes
    (M, N), (K, L) = shapes
    for i in range(M - K + 1):
        for j in range(N - L + 1):
            n = i * (N - L + 1) + j
            for k in range(K):
                for l in range(L):
                    unit = np.zeros(kernel_shape)
                    unit[k, l] = 1
                    # row n of the BTTB matrix of a unit kernel: d y_n / d w_kl on the pixels,
                    # and, read at pixel p, the coefficient of w_kl in d y_n / d x_p
                    spatial = bttb_matrix(unit, image_shape)[n].reshape(image_shape)
                    sums = symbolic.partial_sum_footprints((i, j), (k, l), "w", image_shape, kernel_shape)
                    assert sums.shape == (M * N, M, N)
                    np.testing.assert_allclose(sums[-1], spatial, atol=1e-12)
                    np.testing.assert_allclose(abs(sums[0]), 1 / (M * N), rtol=1e-12)
                    for m in range(M):
                        for p in range(N):
                            by_x = symbolic.partial_sum_footprints(
                                (i, j), (m, p), "x", image_shape, kernel_shape
                            )
                            assert by_x.shape == (M * N, K, L)
                            np.testing.assert_allclose(by_x[-1][k, l], spatial[m, p], atol=1e-12)
                            np.testing.assert_allclose(by_x[:, k, l], sums[:, m, p], atol=1e-12)


def test_partial_sum_footprints_equal_the_exact_terms():
    # The chapter's derivation in sympy: d tau_f / d w_11 of y_11, coefficient by coefficient.
    X, W = symbolic.symbol_matrix("x", (4, 4)), symbolic.symbol_matrix("w", (3, 3))
    _, steps = symbolic.fft_route(X, W, return_steps=True)
    F, X_hat, W_hat = steps["F"], steps["X_hat"], steps["W_hat"]
    n, weight = 1 * 4 + 0, W[2, 1]  # output y21, weight w32
    terms = [
        sp.expand(sp.diff(F[n, f].conjugate() * W_hat[f].conjugate() * X_hat[f] / 16, weight))
        for f in range(16)
    ]
    exact = np.cumsum(
        [[[complex(t.coeff(X[m, p])) for p in range(4)] for m in range(4)] for t in terms], axis=0
    )
    np.testing.assert_allclose(symbolic.partial_sum_footprints((1, 0), (2, 1)), exact, atol=1e-12)


@pytest.fixture(scope="module")
def footprint_module(tmp_path_factory):
    if shutil.which("node") is None:
        pytest.skip("Node.js is needed to run the footprint explorer's JavaScript")
    path = tmp_path_factory.mktemp("js") / "footprint.mjs"
    path.write_text(FOOTPRINT_JS.read_text())
    return path


def test_footprint_javascript_matches_convbook(footprint_module):
    rng = np.random.default_rng(2)
    cases = []
    for _ in range(60):
        M, N = (int(v) for v in rng.integers(1, widgets.FOOTPRINT_MAX_SIDE + 1, 2))
        K, L = int(rng.integers(1, M + 1)), int(rng.integers(1, N + 1))
        wrt = str(rng.choice(["w", "x"]))
        where = (K, L) if wrt == "w" else (M, N)
        cases.append(
            {
                "image": [M, N],
                "kernel": [K, L],
                "output": [int(rng.integers(0, M - K + 1)), int(rng.integers(0, N - L + 1))],
                "variable": [int(rng.integers(0, where[0])), int(rng.integers(0, where[1]))],
                "wrt": wrt,
                "terms": int(rng.integers(1, M * N + 1)),
            }
        )
    cases.append(
        {"image": [4, 4], "kernel": [3, 3], "output": [0, 0], "variable": [3, 3], "wrt": "x", "terms": 16}
    )
    script = f"""
import {{ compute, formatMagnitude }} from {json.dumps(footprint_module.as_uri())};
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map((c) => {{
  const r = compute(c.image, c.kernel, c.output, c.variable, c.wrt, c.terms);
  return {{ ...r, shown: r.magnitude.map(formatMagnitude) }};
}})));
"""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    for case, got in zip(cases, json.loads(result.stdout), strict=True):
        sums = symbolic.partial_sum_footprints(
            case["output"], case["variable"], case["wrt"], case["image"], case["kernel"]
        )
        expected = sums[case["terms"] - 1]
        assert got["shape"] == list(expected.shape)
        np.testing.assert_allclose(np.reshape(got["re"], expected.shape), expected.real, atol=1e-12)
        np.testing.assert_allclose(np.reshape(got["im"], expected.shape), expected.imag, atol=1e-12)
        np.testing.assert_allclose(got["magnitude"], abs(expected).ravel(), atol=1e-12)
        shown = np.array([float(v) for v in got["shown"]])
        mag = abs(expected).ravel()
        # three significant digits: within half a unit of the third; the cancelled zeros shown as 0
        half_unit = 0.5 * 10.0 ** (np.floor(np.log10(np.maximum(mag, 1e-300))) - 2)
        assert np.all(np.where(mag > 5e-13, abs(shown - mag) <= half_unit + 1e-12, shown == 0))
        spatial = np.reshape(got["spatial"], expected.shape)
        np.testing.assert_allclose(sums[-1], spatial, atol=1e-12)
        assert got["total"] == sums.shape[0]
        assert abs(got["maxDiff"] - abs(expected - spatial).max()) < 1e-12
        if case["terms"] == sums.shape[0]:
            assert got["maxDiff"] < 1e-12 and got["nonzero"] == int(spatial.sum())
    assert json.loads(result.stdout)[-1]["nonzero"] == 0  # d y11 / d x44 = 0: the footprint vanishes
