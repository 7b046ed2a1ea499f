"""Graph Laplacians, Fourier basis and graph filters against networkx and dense numpy."""

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest
import scipy.linalg
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import chebyshev, polynomial

from convbook.graphs import (
    fourier_basis,
    gcn_propagation,
    karate_club,
    laplacian,
    polynomial_filter,
    spectral_filter,
)

SPARSE_FORMATS = [
    scipy.sparse.csr_array,
    scipy.sparse.coo_array,
    scipy.sparse.csc_array,
    scipy.sparse.lil_array,
    scipy.sparse.csr_matrix,
    scipy.sparse.coo_matrix,
    scipy.sparse.csc_matrix,
    scipy.sparse.dok_matrix,
]
TOL = {np.float64: 1e-10, np.float32: 2e-5}


def random_adjacency(seed, n, density=0.4, self_loops=False, isolated=0):
    """A symmetric non-negative weighted adjacency; the last ``isolated`` nodes have no edges."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(0.1, 3.0, (n, n)) * (rng.random((n, n)) < density)
    W = np.triu(W, 1)
    W = W + W.T
    if self_loops:
        W[np.diag_indices(n)] = rng.uniform(0.1, 2.0, n) * (rng.random(n) < 0.5)
    if isolated:
        W[n - isolated :, :] = 0
        W[:, n - isolated :] = 0
    return W


def nx_graph(W):
    return nx.from_numpy_array(np.asarray(W, dtype=np.float64))


def nx_laplacian(W, normalized):
    G = nx_graph(W)
    f = nx.normalized_laplacian_matrix if normalized else nx.laplacian_matrix
    return f(G, nodelist=range(len(W))).toarray()


graphs = st.builds(
    random_adjacency,
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 10),
    density=st.floats(0.0, 1.0),
    self_loops=st.booleans(),
    isolated=st.integers(0, 2),
)


@given(graphs, st.booleans(), st.sampled_from([np.float64, np.float32]))
def test_laplacian_matches_networkx_dense(W, normalized, dtype):
    L = laplacian(W.astype(dtype), normalized=normalized)
    assert isinstance(L, np.ndarray) and L.dtype == dtype
    np.testing.assert_allclose(L, nx_laplacian(W, normalized), rtol=TOL[dtype], atol=TOL[dtype])


@settings(max_examples=20)
@given(graphs, st.booleans(), st.sampled_from(SPARSE_FORMATS), st.sampled_from([np.float64, np.float32]))
def test_laplacian_matches_networkx_sparse(W, normalized, fmt, dtype):
    L = laplacian(fmt(W.astype(dtype)), normalized=normalized)
    assert scipy.sparse.issparse(L) and L.format == "csr" and L.dtype == dtype
    is_matrix = isinstance(fmt((1, 1)), scipy.sparse.spmatrix)
    assert isinstance(L, scipy.sparse.csr_matrix if is_matrix else scipy.sparse.csr_array)
    np.testing.assert_allclose(L.toarray(), nx_laplacian(W, normalized), rtol=TOL[dtype], atol=TOL[dtype])


def test_laplacian_float64_is_networkx_to_the_last_bit():
    W = random_adjacency(3, 12, self_loops=True, isolated=2)
    for normalized in (False, True):
        np.testing.assert_array_equal(
            laplacian(scipy.sparse.csr_array(W), normalized).toarray(), nx_laplacian(W, normalized)
        )


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.float16, np.float32),
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int32, np.float64),
        (np.int64, np.float64),
        (np.uint8, np.float64),
        (bool, np.float64),
    ],
)
def test_dtype_rule(dtype, expected):
    W = (random_adjacency(0, 5) > 0).astype(dtype)
    assert laplacian(W).dtype == expected
    if dtype is not np.float16:  # scipy.sparse has no float16
        assert laplacian(scipy.sparse.csr_array(W), normalized=True).dtype == expected
    assert gcn_propagation(W).dtype == expected
    assert fourier_basis(W)[1].dtype == expected


def test_isolated_nodes_follow_networkx():
    W = np.zeros((3, 3))
    W[0, 1] = W[1, 0] = 2.0  # node 2 is isolated
    Ln = laplacian(W, normalized=True)
    np.testing.assert_allclose(Ln, [[1, -1, 0], [-1, 1, 0], [0, 0, 0]], atol=1e-15)  # 0, not 1, at node 2
    np.testing.assert_array_equal(Ln, nx_laplacian(W, True))
    np.testing.assert_array_equal(laplacian(np.zeros((4, 4)), normalized=True), np.zeros((4, 4)))


def test_self_loops_follow_networkx():
    W = np.array([[3.0, 1.0], [1.0, 0.0]])  # self-loop of weight 3 at node 0
    # Combinatorial: the self-loop adds 3 to D and to A, so it cancels.
    np.testing.assert_array_equal(laplacian(W), [[1, -1], [-1, 1]])
    # Normalised: D = (4, 1); the diagonal is 1 - A_ii / d_i = 1 - 3/4.
    np.testing.assert_allclose(laplacian(W, normalized=True), [[0.25, -0.5], [-0.5, 1.0]])
    for normalized in (False, True):
        np.testing.assert_allclose(laplacian(W, normalized), nx_laplacian(W, normalized), atol=1e-15)


@pytest.mark.parametrize("n", [3, 4, 7, 16])
def test_ring_laplacian_is_the_circulant_and_its_basis_diagonalises_it(n):
    ring = nx.to_numpy_array(nx.cycle_graph(n))
    c = np.zeros(n)
    c[[0, 1, -1]] = [2, -1, -1]
    C = scipy.linalg.circulant(c)
    np.testing.assert_array_equal(laplacian(ring), C)
    eigenvalues, U = fourier_basis(scipy.sparse.csr_array(ring))
    np.testing.assert_allclose(U.T @ C @ U, np.diag(eigenvalues), atol=1e-12)
    np.testing.assert_allclose(eigenvalues, np.sort(2 - 2 * np.cos(2 * np.pi * np.arange(n) / n)), atol=1e-12)
    # the DFT diagonalises the same matrix, with the same frequencies
    F = scipy.linalg.dft(n) / np.sqrt(n)
    np.testing.assert_allclose(np.sort((F.conj() @ C @ F.T).diagonal().real), eigenvalues, atol=1e-12)


@given(graphs, st.booleans(), st.sampled_from([np.float64, np.float32]))
def test_fourier_basis_is_an_orthonormal_eigenbasis(W, normalized, dtype):
    eigenvalues, U = fourier_basis(W.astype(dtype), normalized=normalized)
    n, tol = len(W), TOL[dtype] * 10
    assert eigenvalues.shape == (n,) and U.shape == (n, n) and U.dtype == dtype
    assert np.all(np.diff(eigenvalues) >= 0)
    np.testing.assert_allclose(U.T @ U, np.eye(n), atol=tol)
    L = nx_laplacian(W, normalized)
    np.testing.assert_allclose(U @ np.diag(eigenvalues) @ U.T, L, atol=tol * max(1, np.abs(L).max()))
    np.testing.assert_allclose(eigenvalues, np.linalg.eigvalsh(L), atol=tol * max(1, np.abs(L).max()))


def test_fourier_basis_accepts_sparse():
    W = random_adjacency(5, 9, self_loops=True)
    dense, sparse = fourier_basis(W, True), fourier_basis(scipy.sparse.coo_matrix(W), True)
    np.testing.assert_allclose(sparse[0], dense[0], atol=1e-12)


@given(graphs, st.booleans(), st.sampled_from([(), (3,)]), st.floats(0.1, 2.0))
def test_spectral_filter_is_the_dense_matrix_function(W, normalized, features, t):
    n = len(W)
    x = np.random.default_rng(n).standard_normal((n, *features))
    L = nx_laplacian(W, normalized)
    heat = scipy.linalg.expm(-t * L) @ x
    y = spectral_filter(W, x, lambda lam: np.exp(-t * lam), normalized=normalized)
    assert y.shape == x.shape
    np.testing.assert_allclose(y, heat, atol=1e-9)
    # the same response given as one value per eigenvalue
    eigenvalues = np.linalg.eigvalsh(L)
    np.testing.assert_allclose(spectral_filter(W, x, np.exp(-t * eigenvalues), normalized), heat, atol=1e-9)


def test_spectral_filter_dtype_and_sparse_input():
    W = random_adjacency(2, 6).astype(np.float32)
    x32 = np.ones(6, dtype=np.float32)
    assert spectral_filter(W, x32, lambda lam: 1 / (1 + lam)).dtype == np.float32
    assert spectral_filter(W, x32.astype(np.float64), lambda lam: 1 / (1 + lam)).dtype == np.float64
    y = spectral_filter(scipy.sparse.csr_matrix(W), x32, np.ones(6))
    np.testing.assert_allclose(y, x32, rtol=1e-5)  # the all-pass response is the identity


def test_spectral_filter_is_not_local():
    path = nx.to_numpy_array(nx.path_graph(8))
    y = spectral_filter(path, np.eye(8)[0], lambda lam: np.exp(-lam))
    assert np.all(np.abs(y) > 1e-8)  # a delta reaches every node of its component


def p_of_eigenvalues(eigenvalues, theta, basis, lmax):
    if basis == "monomial":
        return polynomial.polyval(eigenvalues, theta)
    return chebyshev.chebval(2 * eigenvalues / lmax - 1, theta)


@settings(max_examples=40)
@given(
    graphs,
    st.sampled_from(["monomial", "chebyshev"]),
    st.booleans(),
    st.integers(0, 5),
    st.sampled_from([(), (2,)]),
    st.sampled_from([None, 1.0, 1.7]),
    st.booleans(),
)
def test_polynomial_filter_is_u_diag_p_ut(W, basis, normalized, K, features, lmax_factor, sparse):
    n = len(W)
    rng = np.random.default_rng(K + n)
    theta = rng.standard_normal(K + 1)
    x = rng.standard_normal((n, *features))
    L = nx_laplacian(W, normalized)
    eigenvalues, U = np.linalg.eigh(L)
    true_lmax = eigenvalues[-1] if eigenvalues[-1] > 1e-12 else 1.0
    lmax = None if lmax_factor is None else lmax_factor * true_lmax
    adjacency = scipy.sparse.csr_array(W) if sparse else W
    y = polynomial_filter(adjacency, x, theta, basis=basis, normalized=normalized, lmax=lmax)
    p = p_of_eigenvalues(eigenvalues, theta, basis, true_lmax if lmax is None else lmax)
    expected = U @ (p[:, None] * (U.T @ x) if x.ndim == 2 else p * (U.T @ x))
    assert y.shape == x.shape and isinstance(y, np.ndarray)
    scale = max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(y, expected, atol=1e-8 * scale)


def test_monomial_filter_is_the_matrix_polynomial():
    W = random_adjacency(4, 10, self_loops=True)
    L = nx_laplacian(W, False)
    theta = np.array([0.5, -1.0, 0.25, 0.125])
    x = np.random.default_rng(0).standard_normal(10)
    expected = sum(t * np.linalg.matrix_power(L, k) @ x for k, t in enumerate(theta))
    np.testing.assert_allclose(polynomial_filter(W, x, theta), expected, rtol=1e-12, atol=1e-12)


def test_chebyshev_estimated_lmax_equals_the_given_one():
    for seed, n in [(0, 40), (1, 60), (2, 2), (3, 3)]:
        W = random_adjacency(seed, n, density=0.2 if n > 3 else 1.0)
        for normalized in (False, True):
            lmax = np.linalg.eigvalsh(nx_laplacian(W, normalized))[-1]
            x = np.random.default_rng(seed).standard_normal((n, 2))
            theta = [0.3, -0.2, 0.5, 0.1, -0.4]
            given_ = polynomial_filter(W, x, theta, "chebyshev", normalized, lmax=lmax)
            estimated = polynomial_filter(W, x, theta, "chebyshev", normalized)
            np.testing.assert_allclose(estimated, given_, atol=1e-9)
    # float32: the eigsh estimate in single precision
    W = random_adjacency(7, 30, density=0.2).astype(np.float32)
    lmax = np.linalg.eigvalsh(nx_laplacian(W, False))[-1]
    est = polynomial_filter(W, np.ones(30, np.float32), [0.1, 0.2, 0.3], "chebyshev")
    assert est.dtype == np.float32
    np.testing.assert_allclose(
        est, polynomial_filter(W, np.ones(30), [0.1, 0.2, 0.3], "chebyshev", lmax=lmax), rtol=1e-4, atol=1e-4
    )


def test_chebyshev_without_edges_or_on_one_node():
    # L = 0: every eigenvalue is 0, L~ = -I, and T_k(-1) = (-1)^k.
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    expected = theta @ (-1.0) ** np.arange(4)
    for W in (np.zeros((1, 1)), np.array([[2.5]]), np.zeros((4, 4))):
        x = np.arange(1.0, len(W) + 1)
        np.testing.assert_allclose(polynomial_filter(W, x, theta, "chebyshev"), expected * x)
        np.testing.assert_allclose(polynomial_filter(W, x, theta, "chebyshev", lmax=3.0), expected * x)


@given(st.integers(0, 2**32 - 1), st.integers(0, 5), st.sampled_from(["monomial", "chebyshev"]))
def test_polynomial_filter_is_k_hop_local(seed, K, basis):
    G = nx.connected_watts_strogatz_graph(30, 2, 0.1, seed=seed)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = 1.0 + (u * 7 + v * 3) % 5
    W = nx.to_scipy_sparse_array(G, nodelist=range(30))
    source = seed % 30
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0.5, 1.5, K + 1) * rng.choice([-1, 1], K + 1)
    y = polynomial_filter(W, np.eye(30)[source], theta, basis=basis, lmax=None if seed % 2 else 5.0)
    within = set(nx.single_source_shortest_path_length(G, source, cutoff=K))
    support = set(np.flatnonzero(np.abs(y) > 1e-12))
    assert support <= within
    # the highest-degree term reaches the whole K-ball's boundary, so the support is not trivially small
    boundary = {v for v, d in nx.single_source_shortest_path_length(G, source, cutoff=K).items() if d == K}
    assert boundary <= support


class CountingMatmul:
    """Count sparse-matrix products with dense vectors or blocks, by patching csr_array.__matmul__."""

    def __init__(self, monkeypatch):
        self.count = 0
        original = scipy.sparse.csr_array.__matmul__

        def counting(matrix, other):
            if isinstance(other, np.ndarray):
                self.count += 1
            return original(matrix, other)

        monkeypatch.setattr(scipy.sparse.csr_array, "__matmul__", counting)


@pytest.mark.parametrize("basis", ["monomial", "chebyshev"])
@pytest.mark.parametrize("K", [0, 1, 2, 5])
@pytest.mark.parametrize("features", [(), (3,)])
@pytest.mark.parametrize("sparse", [False, True])
def test_product_count_is_len_coefficients_minus_one(monkeypatch, basis, K, features, sparse):
    W = random_adjacency(K, 12, self_loops=True)
    adjacency = scipy.sparse.coo_matrix(W) if sparse else W
    x = np.ones((12, *features))
    counter = CountingMatmul(monkeypatch)
    polynomial_filter(adjacency, x, np.ones(K + 1), basis=basis, normalized=True, lmax=2.0)
    assert counter.count == K


def test_the_counter_sees_products():
    L = scipy.sparse.csr_array(np.eye(3))
    with pytest.MonkeyPatch.context() as mp:
        counter = CountingMatmul(mp)
        L @ np.ones(3)
        L @ np.ones((3, 2))
    assert counter.count == 2


@given(graphs, st.sampled_from([np.float64, np.float32]))
def test_gcn_propagation_is_renormalised_adjacency(W, dtype):
    n = len(W)
    A_hat = gcn_propagation(W.astype(dtype))
    assert isinstance(A_hat, np.ndarray) and A_hat.dtype == dtype
    looped = W + np.eye(n)
    d = looped.sum(axis=1)
    np.testing.assert_allclose(A_hat, looped / np.sqrt(np.outer(d, d)), rtol=TOL[dtype], atol=TOL[dtype])
    # = I minus networkx's normalised Laplacian of the graph with the added self-loops
    np.testing.assert_allclose(A_hat, np.eye(n) - nx_laplacian(looped, True), atol=TOL[dtype] * 10)
    eigenvalues = np.linalg.eigvalsh(A_hat.astype(np.float64))
    assert eigenvalues.max() <= 1 + 1e-5 and eigenvalues.min() > -1


@pytest.mark.parametrize("fmt", SPARSE_FORMATS)
def test_gcn_propagation_sparse(fmt):
    W = random_adjacency(1, 8, self_loops=True, isolated=1)
    A_hat = gcn_propagation(fmt(W))
    assert scipy.sparse.issparse(A_hat) and A_hat.format == "csr"
    np.testing.assert_allclose(A_hat.toarray(), gcn_propagation(W), rtol=1e-14)


def test_karate_club_is_networkx_graph():
    adjacency, labels = karate_club()
    G = nx.karate_club_graph()
    assert isinstance(adjacency, scipy.sparse.csr_array) and adjacency.dtype == np.float64
    np.testing.assert_array_equal(adjacency.toarray(), nx.to_numpy_array(G, nodelist=range(34)))
    assert adjacency.toarray().max() == 7  # weighted, not 0/1
    expected = [0 if G.nodes[v]["club"] == "Mr. Hi" else 1 for v in range(34)]
    np.testing.assert_array_equal(labels, expected)
    assert labels[0] == 0 and labels[33] == 1


def test_import_needs_no_networkx():
    code = "import sys, convbook.graphs; assert 'networkx' not in sys.modules, 'networkx imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_symmetry_tolerance():
    W = random_adjacency(0, 6, density=1.0)
    assert W[0, 1] > 0
    nearly = W.copy()
    nearly[0, 1] *= 1 + 1e-12
    L = laplacian(nearly)
    np.testing.assert_array_equal(L, L.T)  # accepted and symmetrised
    np.testing.assert_allclose(L, laplacian(W), atol=1e-10)
    nearly32 = W.astype(np.float32)
    nearly32[0, 1] *= np.float32(1 + 1e-6)
    laplacian(scipy.sparse.csr_array(nearly32))
    off = W.copy()
    off[0, 1] += 1e-5
    with pytest.raises(ValueError, match="adjacency must be symmetric"):
        laplacian(off)
    with pytest.raises(ValueError, match="adjacency must be symmetric"):
        laplacian(scipy.sparse.csr_array(off.astype(np.float32) + np.float32(1e-2) * np.eye(6, k=1)))


def directed():
    return np.array([[0.0, 1.0], [0.0, 0.0]])


BAD_ADJACENCY = [
    (np.ones((2, 3)), ValueError, "adjacency must be a square"),
    (np.ones(3), ValueError, "adjacency must be a square"),
    (np.ones((2, 2, 2)), ValueError, "adjacency must be a square"),
    (scipy.sparse.csr_array(np.ones((2, 3))), ValueError, "adjacency must be a square"),
    (directed(), ValueError, "adjacency must be symmetric"),
    (scipy.sparse.coo_array(directed()), ValueError, "adjacency must be symmetric"),
    (np.array([[1, 1], [2, 1]]), ValueError, "adjacency must be symmetric"),
    (-np.ones((2, 2)), ValueError, "adjacency must hold non-negative"),
    (scipy.sparse.csr_matrix(-np.ones((2, 2))), ValueError, "adjacency must hold non-negative"),
    (np.array([[0, np.nan], [np.nan, 0]]), ValueError, "adjacency must hold finite"),
    (np.array([[0, np.inf], [np.inf, 0]]), ValueError, "adjacency must hold finite"),
    (scipy.sparse.csr_array(np.array([[0, np.inf], [np.inf, 0]])), ValueError, "adjacency must hold finite"),
    (np.ones((2, 2), dtype=complex), TypeError, "adjacency must be real"),
    (scipy.sparse.csr_array(np.ones((2, 2), dtype=complex)), TypeError, "adjacency must be real"),
    (np.array([["a", "b"], ["b", "a"]]), TypeError, "adjacency must hold"),
    (np.array([[None, 1], [1, None]], dtype=object), TypeError, "adjacency must hold"),
    ([[0, 1], [1]], TypeError, "adjacency must be array-like"),
    (np.zeros((0, 0)), ValueError, "adjacency must not be empty"),
    (scipy.sparse.csr_array((0, 0)), ValueError, "adjacency must not be empty"),
]


@pytest.mark.parametrize(("adjacency", "error", "message"), BAD_ADJACENCY)
@pytest.mark.parametrize(
    "call",
    [
        laplacian,
        fourier_basis,
        gcn_propagation,
        lambda a: spectral_filter(a, np.ones(2), np.ones(2)),
        lambda a: polynomial_filter(a, np.ones(2), [1.0, 1.0]),
    ],
    ids=["laplacian", "fourier_basis", "gcn_propagation", "spectral_filter", "polynomial_filter"],
)
def test_bad_adjacency_is_named(call, adjacency, error, message):
    with pytest.raises(error, match=message):
        call(adjacency)


EDGE = np.array([[0.0, 1.0], [1.0, 0.0]])
BAD_SIGNAL = [
    (np.ones(3), ValueError, r"signal must have shape \(2,\) or \(2, features\)"),
    (np.ones((3, 2)), ValueError, "signal must have shape"),
    (np.ones((2, 2, 2)), ValueError, "signal must have shape"),
    (np.float64(1.0), ValueError, "signal must have shape"),
    (np.ones(2, dtype=complex), TypeError, "signal must be real"),
    (["a", "b"], TypeError, "signal must hold"),
]


@pytest.mark.parametrize(("signal", "error", "message"), BAD_SIGNAL)
@pytest.mark.parametrize("which", ["spectral", "polynomial"])
def test_bad_signal_is_named(which, signal, error, message):
    with pytest.raises(error, match=message):
        if which == "spectral":
            spectral_filter(EDGE, signal, np.ones(2))
        else:
            polynomial_filter(EDGE, signal, [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"coefficients": []}, ValueError, "coefficients must not be empty"),
        ({"coefficients": [1.0, np.nan]}, ValueError, "coefficients must be finite"),
        ({"coefficients": [np.inf]}, ValueError, "coefficients must be finite"),
        ({"coefficients": [[1.0, 2.0]]}, ValueError, "coefficients must be one-dimensional"),
        ({"coefficients": 1.0}, ValueError, "coefficients must be one-dimensional"),
        ({"coefficients": [1j]}, TypeError, "coefficients must be real"),
        ({"coefficients": ["a"]}, TypeError, "coefficients must hold"),
        ({"basis": "legendre"}, ValueError, "basis must be one of 'monomial', 'chebyshev'"),
        ({"basis": None}, ValueError, "basis must be one of"),
        ({"basis": "chebyshev", "lmax": 0.0}, ValueError, "lmax must be a positive finite number"),
        ({"basis": "chebyshev", "lmax": -1}, ValueError, "lmax must be a positive finite number"),
        ({"basis": "chebyshev", "lmax": np.nan}, ValueError, "lmax must be a positive finite number"),
        ({"basis": "chebyshev", "lmax": np.inf}, ValueError, "lmax must be a positive finite number"),
        ({"lmax": 0}, ValueError, "lmax must be a positive finite number"),
        ({"basis": "chebyshev", "lmax": "2"}, TypeError, "lmax must be a positive real number"),
        ({"basis": "chebyshev", "lmax": True}, TypeError, "lmax must be a positive real number"),
        ({"basis": "chebyshev", "lmax": 1j}, TypeError, "lmax must be a positive real number"),
        ({"normalized": "yes"}, TypeError, "normalized must be True or False"),
    ],
)
def test_bad_polynomial_arguments_are_named(kwargs, error, message):
    arguments = {"coefficients": [1.0, 2.0], **kwargs}
    with pytest.raises(error, match=message):
        polynomial_filter(EDGE, np.ones(2), **arguments)


@pytest.mark.parametrize(
    ("response", "error", "message"),
    [
        (np.ones(3), ValueError, r"response must have shape \(2,\), one value per eigenvalue"),
        (np.ones((2, 1)), ValueError, r"response must have shape \(2,\)"),
        (1.0, ValueError, r"response must have shape \(2,\)"),
        (np.array([1.0, np.nan]), ValueError, "response must be finite"),
        (np.ones(2, dtype=complex), TypeError, "response must be real"),
        (lambda lam: lam[:1], ValueError, r"response\(eigenvalues\) must have shape \(2,\)"),
        (lambda lam: np.ones((2, 2)), ValueError, r"response\(eigenvalues\) must have shape \(2,\)"),
        (lambda lam: 1.0, ValueError, r"response\(eigenvalues\) must have shape \(2,\)"),
        (lambda lam: 1 / lam, ValueError, r"response\(eigenvalues\) must be finite"),
        (lambda lam: lam.astype(str), TypeError, r"response\(eigenvalues\) must hold"),
    ],
)
def test_bad_response_is_named(response, error, message):
    with np.errstate(divide="ignore"), pytest.raises(error, match=message):
        spectral_filter(EDGE, np.ones(2), response)


@pytest.mark.parametrize("call", [laplacian, fourier_basis])
def test_bad_normalized_is_named(call):
    with pytest.raises(TypeError, match="normalized must be True or False"):
        call(EDGE, normalized=1)
    with pytest.raises(TypeError, match="normalized must be True or False"):
        spectral_filter(EDGE, np.ones(2), np.ones(2), normalized=None)
