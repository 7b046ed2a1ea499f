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
import scipy.linalg  # noqa: E402
import scipy.signal  # noqa: E402
import sympy as sp  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from convbook import bttb_matrix, graphs, kernels, symbolic, widgets  # noqa: E402

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


def es_module(tmp_path_factory, source, what):
    """A .mjs copy of a widget's JavaScript, so that Node loads it as the ES module it is."""
    if shutil.which("node") is None:
        pytest.skip(f"Node.js is needed to run the {what}'s JavaScript")
    path = tmp_path_factory.mktemp("js") / f"{source.stem}.mjs"
    path.write_text(source.read_text())
    return path


def run_node(module, names, body, cases):
    """Run the JavaScript function body ``body`` (of a case ``c``) on every case, under Node.

    ``names`` are imported from ``module``; the cases go in on stdin and the
    results come back as JSON.
    """
    script = f"""
import {{ readFileSync }} from "node:fs";
import {{ {", ".join(names)} }} from {json.dumps(module.as_uri())};
const cases = JSON.parse(readFileSync(0, "utf8"));
console.log(JSON.stringify(cases.map((c) => {{ {body} }})));
"""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def node_module(tmp_path_factory):
    return es_module(tmp_path_factory, EXPLORER_JS, "explorer")


def run_js(module, cases):
    body = "return c.text !== undefined ? parseTaps(c.text) : compute(c.x, c.h, c.mode, c.length);"
    return run_node(module, ["compute", "parseTaps"], body, cases)


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
    return es_module(tmp_path_factory, FOOTPRINT_JS, "footprint explorer")


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
    body = """
  const r = compute(c.image, c.kernel, c.output, c.variable, c.wrt, c.terms);
  return { ...r, shown: r.magnitude.map(formatMagnitude) };"""
    results = run_node(footprint_module, ["compute", "formatMagnitude"], body, cases)
    for case, got in zip(cases, results, strict=True):
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
    assert results[-1]["nonzero"] == 0  # d y11 / d x44 = 0: the footprint vanishes


# -- the graph filter explorer -------------------------------------------------

GRAPH_JS = pathlib.Path(widgets.__file__).with_name("graphfilter.js")


def random_graph(rng, n, p=0.15, self_loops=False):
    """A random weighted undirected graph: Erdős–Rényi edges with weights in [0.5, 3), some self-loops."""
    upper = np.triu(rng.random((n, n)) < p, 1) * rng.uniform(0.5, 3, (n, n))
    if self_loops:
        upper += np.diag((rng.random(n) < 0.2) * rng.uniform(0.5, 2, n))
    return upper + np.triu(upper, 1).T


def test_graph_filter_output_is_the_filter_it_names():
    # Dense linear algebra, independently of convbook.graphs: expm, matrix powers.
    rng = np.random.default_rng(3)
    for A in (graphs.karate_club()[0].toarray(), random_graph(rng, 20, self_loops=True)):
        n = A.shape[0]
        L = graphs.laplacian(A, normalized=True)
        d_tilde = A.sum(axis=1) + 1
        A_hat = (A + np.eye(n)) / np.sqrt(np.outer(d_tilde, d_tilde))
        for node in (0, n - 1):
            delta = np.eye(n)[node]
            hops = widgets.graph_hops(A, node)
            for t in (0.0, 0.3, 2.5, 20.0):
                np.testing.assert_allclose(
                    widgets.graph_filter_output(A, node, "heat", t=t),
                    scipy.linalg.expm(-t * L) @ delta,
                    atol=1e-13,
                )
            for k in range(6):
                poly = widgets.graph_filter_output(A, node, "polynomial", order=k)
                np.testing.assert_allclose(
                    poly, np.linalg.matrix_power(np.eye(n) - L / 2, k) @ delta, atol=1e-14
                )
                gcn = widgets.graph_filter_output(A, node, "gcn", layers=k)
                np.testing.assert_allclose(gcn, np.linalg.matrix_power(A_hat, k) @ delta, atol=1e-14)
                for y in (poly, gcn):  # nonzero exactly on the k-hop ball
                    np.testing.assert_array_equal(y != 0, hops <= k)


def test_graph_hops_match_networkx():
    import networkx as nx

    A, _ = graphs.karate_club()
    graph = nx.karate_club_graph()
    for node in (0, 16, 33):
        lengths = nx.single_source_shortest_path_length(graph, node)
        np.testing.assert_array_equal(widgets.graph_hops(A, node), [lengths[v] for v in range(34)])


def test_graph_filter_explorer_constructs_with_validated_traits():
    w = widgets.GraphFilterExplorer()
    A, _ = graphs.karate_club()
    assert (w.filter, w.node, w.t, w.order, w.layers) == ("heat", 0, 1.0, 2, 2)
    assert w._esm == GRAPH_JS.read_text()
    assert len(w.positions) == 34 and len(w.edges) == len(w.weights) == 78
    assert all(i < j for i, j in w.edges)  # the karate club has no self-loops
    assert abs(w.adjacency() - A).max() == 0
    np.testing.assert_array_equal(w.positions, widgets.graph_layout(A))  # seeded: the same every time
    xy = np.array(w.positions)
    assert xy.min() == 0 and xy.max() == 1
    g = widgets.GraphFilterExplorer(filter="gcn", node=33, layers=3)
    np.testing.assert_array_equal(g.expected_output(), widgets.graph_filter_output(A, 33, "gcn", layers=3))
    g.filter, g.t = "heat", 4.5
    np.testing.assert_array_equal(g.expected_output(), widgets.graph_filter_output(A, 33, "heat", t=4.5))
    assert "filter='heat'" in repr(g) and "78 edges" in repr(g)
    looped = random_graph(np.random.default_rng(4), 12, self_loops=True)
    small = widgets.GraphFilterExplorer(adjacency=looped, positions=np.full((12, 2), 0.5), node=11)
    assert abs(small.adjacency() - looped).max() == 0
    assert any(i == j for i, j in small.edges)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"filter": "wave"}, ValueError, "filter must be one of"),
        ({"node": 34}, ValueError, "node must be a node of the graph, 0 to 33"),
        ({"node": -1}, ValueError, "node must be a non-negative integer"),
        ({"node": 1.0}, TypeError, "node must be a non-negative integer"),
        ({"t": -0.5}, ValueError, "t must be from 0 to 20"),
        ({"t": 21}, ValueError, "t must be from 0 to 20"),
        ({"t": "1"}, TypeError, "t must be a real number"),
        ({"t": float("nan")}, ValueError, "t must be finite"),
        ({"order": 9}, ValueError, "order must be from 0 to 8"),
        ({"order": True}, TypeError, "order must be a non-negative integer"),
        ({"layers": -1}, ValueError, "layers must be a non-negative integer"),
        ({"layers": 2.5}, TypeError, "layers must be a non-negative integer"),
        ({"adjacency": np.ones((3, 4))}, ValueError, "adjacency must be a square"),
        ({"adjacency": [[0, 1], [2, 0]]}, ValueError, "adjacency must be symmetric"),
        ({"adjacency": [[0, -1], [-1, 0]]}, ValueError, "adjacency must hold non-negative"),
        ({"adjacency": [["a"]]}, TypeError, "adjacency must hold numbers"),
        ({"adjacency": np.zeros((101, 101))}, ValueError, "adjacency must have at most 100 nodes"),
        ({"positions": np.zeros((33, 2))}, ValueError, r"positions must have shape \(34, 2\)"),
        ({"positions": np.full((34, 2), 1.5)}, ValueError, "positions must lie in the unit square"),
        ({"positions": np.full((34, 2), 1j)}, TypeError, "positions must be real"),
    ],
)
def test_graph_filter_explorer_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.GraphFilterExplorer(**kwargs)


def test_graph_filter_explorer_checks_changes_from_python():
    w = widgets.GraphFilterExplorer()
    w.node, w.order = 5, 8
    assert (w.node, w.order) == (5, 8)
    for name, value, match in [
        ("node", 34, "node must be a node of the graph"),
        ("filter", "wave", "filter must be one of"),
        ("t", 25.0, "t must be from 0 to 20"),
        ("layers", 9, "layers must be from 0 to 8"),
    ]:
        with pytest.raises(ValueError, match=match):
            setattr(w, name, value)
    assert (w.node, w.filter, w.t, w.layers) == (5, "heat", 1.0, 2)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: widgets.graph_filter_output(np.eye(3), 3), ValueError, "node must be a node of the graph"),
        (lambda: widgets.graph_filter_output(np.eye(3), 0, "gcm"), ValueError, "filter must be one of"),
        (lambda: widgets.graph_filter_output(np.eye(3), 0, t=-1), ValueError, "t must be from 0"),
        (lambda: widgets.graph_filter_output(np.eye(3), 0, order=1.5), TypeError, "order must be"),
        (lambda: widgets.graph_hops(np.eye(3), 5), ValueError, "node must be a node of the graph"),
        (lambda: widgets.graph_layout(np.eye(3), seed=-1), ValueError, "seed must be"),
    ],
)
def test_graph_functions_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.fixture(scope="module")
def graph_module(tmp_path_factory):
    return es_module(tmp_path_factory, GRAPH_JS, "graph filter explorer")


def run_graph_js(module, cases):
    """``compute`` and ``formatValue`` of the JavaScript, under Node, for each case."""
    body = "const r = compute(c); return { ...r, shown: r.values.map(formatValue) };"
    return run_node(module, ["compute", "formatValue"], body, cases)


def graph_case(w, **settings):
    """The state the JavaScript reads from a widget's traits, with ``settings`` changed."""
    case = {
        "n": len(w.positions),
        "edges": w.edges,
        "weights": w.weights,
        "filter": w.filter,
        "node": w.node,
        "t": w.t,
        "order": w.order,
        "layers": w.layers,
    }
    return {**case, **settings}


def random_graph_cases(rng, count):
    karate = widgets.GraphFilterExplorer()
    cases = []
    for c in range(count):
        if c % 2:
            n = int(rng.integers(2, 40))
            A = random_graph(rng, n, p=float(rng.uniform(0.05, 0.4)), self_loops=bool(rng.integers(2)))
            w = widgets.GraphFilterExplorer(adjacency=A, positions=rng.random((n, 2)))
        else:
            w = karate
        cases.append(
            graph_case(
                w,
                filter=str(rng.choice(widgets.GRAPH_FILTERS)),
                node=int(rng.integers(0, len(w.positions))),
                t=float(np.round(rng.uniform(0, widgets.GRAPH_MAX_TIME), 1)),
                order=int(rng.integers(0, widgets.GRAPH_MAX_HOPS + 1)),
                layers=int(rng.integers(0, widgets.GRAPH_MAX_HOPS + 1)),
            )
        )
    return cases


def check_graph_js(case, got):
    """Compare one JavaScript result with convbook: values, shown numbers, hops, ball and counts."""
    A = np.zeros((case["n"], case["n"]))
    for (i, j), weight in zip(case["edges"], case["weights"], strict=True):
        A[i, j] = A[j, i] = weight
    settings = {k: case[k] for k in ("filter", "t", "order", "layers")}
    expected = widgets.graph_filter_output(A, case["node"], **settings)
    np.testing.assert_allclose(got["values"], expected, rtol=0, atol=1e-13)
    hops = widgets.graph_hops(A, case["node"])
    np.testing.assert_array_equal(got["hops"], np.where(np.isinf(hops), -1, hops))
    assert got["reachable"] == int(np.isfinite(hops).sum())
    assert got["nonzeroCount"] == sum(got["nonzero"])
    shown = np.array([float(v) for v in got["shown"]])
    np.testing.assert_allclose(shown, got["values"], rtol=5e-4, atol=0)  # four significant digits
    if case["filter"] == "heat":
        assert got["radius"] is None and got["sameSet"] is None and not any(got["ball"])
        heat = scipy.linalg.expm(-case["t"] * graphs.laplacian(A, normalized=True))
        np.testing.assert_allclose(got["values"], heat[:, case["node"]], rtol=0, atol=1e-13)
    else:
        radius = case["order"] if case["filter"] == "polynomial" else case["layers"]
        assert got["radius"] == radius
        assert got["ball"] == (hops <= radius).tolist()
        # the nonzero set, exactly, is the ball: in the JavaScript and in convbook
        assert got["nonzero"] == (expected != 0).tolist() == got["ball"]
        assert got["sameSet"] is True and got["nonzeroCount"] == got["ballCount"]


def test_graph_javascript_matches_convbook(graph_module):
    cases = random_graph_cases(np.random.default_rng(5), 60)
    karate = widgets.GraphFilterExplorer()
    # the extremes of the sliders on the karate club
    cases += [graph_case(karate, filter="heat", t=t) for t in (0.0, 0.1, widgets.GRAPH_MAX_TIME)]
    cases += [graph_case(karate, filter=f, order=0, layers=0, node=33) for f in ("polynomial", "gcn")]
    cases += [graph_case(karate, filter=f, order=8, layers=8, node=16) for f in ("polynomial", "gcn")]
    results = run_graph_js(graph_module, cases)
    for case, got in zip(cases, results, strict=True):
        check_graph_js(case, got)
    assert {c["filter"] for c in cases} == set(widgets.GRAPH_FILTERS)
    for got in results[-4:-2]:  # K = 0, L = 0: the impulse itself
        assert got["values"][33] == 1 and got["nonzeroCount"] == 1
    for got in results[-2:]:  # K = L = 8 hops, past the diameter: every node
        assert got["nonzeroCount"] == 34


def test_graph_javascript_check_can_fail(graph_module):
    # The comparison notices a setting off by one step, and a JavaScript that is subtly wrong.
    karate = widgets.GraphFilterExplorer()
    cases = [
        graph_case(karate, filter="heat", t=3.0),
        graph_case(karate, filter="polynomial", order=3, node=7),
        graph_case(karate, filter="gcn", layers=2, node=20),
    ]
    results = run_graph_js(graph_module, cases)
    for case, got in zip(cases, results):
        check_graph_js(case, got)
    off_by_one = [{**cases[0], "t": 3.1}, {**cases[1], "order": 4}, {**cases[2], "layers": 1}]
    for case, got in zip(off_by_one, results):
        with pytest.raises(AssertionError):
            check_graph_js(case, got)
    source = GRAPH_JS.read_text()
    mutations = [
        ("const TAYLOR_TERMS = 20;", "const TAYLOR_TERMS = 6;", 0),  # too short a series
        ("let sum = r[i] * x[i];", "let sum = 0;", 2),  # a GCN without its self-loops
        ("y = y.map((v, i) => v - Ly[i] / 2);", "y = y.map((v, i) => v - Ly[i] / 2.01);", 1),
    ]
    for i, (old, new, which) in enumerate(mutations):
        assert source.count(old) == 1, old
        broken = graph_module.with_name(f"broken{i}.mjs")
        broken.write_text(source.replace(old, new))
        (got,) = run_graph_js(broken, [cases[which]])
        with pytest.raises(AssertionError):
            check_graph_js(cases[which], got)
