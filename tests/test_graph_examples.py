"""The example graphs, the ring's FFT filter and the Chebyshev coefficients of convbook.graphs."""

import networkx as nx
import numpy as np
import pytest
import scipy.fft
import scipy.sparse

from convbook.graphs import (
    chebyshev_coefficients,
    fourier_basis,
    grid_graph,
    laplacian,
    path_graph,
    polynomial_filter,
    ring_filter,
    ring_graph,
    spectral_filter,
)


def as_nx(graph, nodes=None):
    return nx.to_numpy_array(graph, nodelist=nodes)


@pytest.mark.parametrize("n", [3, 4, 9])
def test_ring_and_path_are_networkx_graphs(n):
    assert isinstance(ring_graph(n), scipy.sparse.csr_array)
    np.testing.assert_array_equal(ring_graph(n).toarray(), as_nx(nx.cycle_graph(n)))
    np.testing.assert_array_equal(path_graph(n).toarray(), as_nx(nx.path_graph(n)))
    assert ring_graph(n).dtype == path_graph(n).dtype == np.float64


def test_path_of_one_node_has_no_edges():
    assert path_graph(1).shape == (1, 1) and path_graph(1).nnz == 0


@pytest.mark.parametrize(
    ("shape", "periodic"), [((2, 3), False), ((4, 1), False), ((3, 5), True), ((4, 4), True)]
)
def test_grid_is_networkx_grid_in_row_major_order(shape, periodic):
    rows, cols = shape
    nodes = [(r, c) for r in range(rows) for c in range(cols)]
    expected = as_nx(nx.grid_2d_graph(rows, cols, periodic=periodic), nodes)
    A = grid_graph(shape, periodic=periodic)
    assert isinstance(A, scipy.sparse.csr_array) and A.dtype == np.float64
    np.testing.assert_array_equal(A.toarray(), expected)


def test_periodic_grid_is_diagonalised_by_the_2d_dft():
    rows, cols = 5, 6
    L = laplacian(grid_graph((rows, cols), periodic=True)).toarray()
    x = np.random.default_rng(0).standard_normal((rows, cols))
    ring_eig = lambda n: 2 - 2 * np.cos(2 * np.pi * np.arange(n) / n)  # noqa: E731
    eig = ring_eig(rows)[:, None] + ring_eig(cols)[None, :]
    np.testing.assert_allclose(
        (L @ x.ravel()).reshape(rows, cols), scipy.fft.ifft2(eig * scipy.fft.fft2(x)).real, atol=1e-12
    )


@pytest.mark.parametrize("n", [3, 4, 7, 16])
@pytest.mark.parametrize("features", [(), (3,)])
def test_ring_filter_is_the_spectral_filter(n, features):
    x = np.random.default_rng(n).standard_normal((n, *features))
    for g in (lambda lam: np.exp(-0.7 * lam), lambda lam: 1 / (1 + lam), lambda lam: (lam > 1).astype(float)):
        y = ring_filter(x, g)
        assert y.shape == x.shape
        np.testing.assert_allclose(y, spectral_filter(ring_graph(n), x, g), atol=1e-12)


def test_ring_filter_sees_each_distinct_eigenvalue_once():
    seen = []
    ring_filter(np.ones(6), lambda lam: seen.append(lam.copy()) or np.ones_like(lam))
    np.testing.assert_allclose(seen[0], [0, 1, 3, 4], atol=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ring_graph(2), ValueError, "n must be at least 3"),
        (lambda: ring_graph(2.5), TypeError, "n must be"),
        (lambda: path_graph(0), ValueError, "n must be"),
        (lambda: grid_graph(3), ValueError, "shape must hold two"),
        (lambda: grid_graph((2, 3), periodic=True), ValueError, "shape must be at least"),
        (lambda: grid_graph((2, 3), periodic=1), TypeError, "periodic"),
        (lambda: ring_filter(np.ones(2), np.exp), ValueError, "signal must have shape"),
        (lambda: ring_filter(np.ones(5), np.ones(3)), TypeError, "response must be a callable"),
        (lambda: ring_filter(np.ones(5), lambda lam: lam[:1]), ValueError, "response"),
        (lambda: ring_filter(np.ones(5) * 1j, np.exp), TypeError, "signal must be real"),
        (lambda: chebyshev_coefficients(1.0, 2.0, 3), TypeError, "response must be a callable"),
        (lambda: chebyshev_coefficients(np.exp, -1.0, 3), ValueError, "lmax"),
        (lambda: chebyshev_coefficients(np.exp, 2.0, -1), ValueError, "degree"),
        (lambda: chebyshev_coefficients(lambda lam: lam * np.nan, 2.0, 2), ValueError, "finite"),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_chebyshev_coefficients_reproduce_a_polynomial_response_exactly():
    """A response that is itself a polynomial of degree <= K is interpolated exactly."""
    A = nx.to_scipy_sparse_array(nx.karate_club_graph(), dtype=float)
    eigenvalues, _ = fourier_basis(A)
    lmax = float(eigenvalues[-1])
    g = lambda lam: 1 - 0.3 * lam + 0.02 * lam**3  # noqa: E731
    x = np.random.default_rng(1).standard_normal(34)
    c = chebyshev_coefficients(g, lmax, 3)
    assert c.shape == (4,)
    expected = spectral_filter(A, x, g)
    np.testing.assert_allclose(polynomial_filter(A, x, c, basis="chebyshev", lmax=lmax), expected, atol=1e-9)
    # a higher degree adds only coefficients that vanish
    np.testing.assert_allclose(chebyshev_coefficients(g, lmax, 6)[4:], 0, atol=1e-12)


def test_chebyshev_approximation_of_the_heat_kernel_converges():
    A = ring_graph(20)
    lmax = 4.0
    heat = lambda lam: np.exp(-2 * lam)  # noqa: E731
    x = np.eye(20)[0]
    exact = ring_filter(x, heat)
    errors = [
        np.abs(
            polynomial_filter(A, x, chebyshev_coefficients(heat, lmax, K), "chebyshev", lmax=lmax) - exact
        ).max()
        for K in (2, 8, 16)
    ]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-10
