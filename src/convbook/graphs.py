"""Convolution on graphs: the Laplacian, its Fourier basis, spectral and polynomial filters.

On a graph there is no shift, so convolution is defined through the
Laplacian ``L``: its eigenvectors play the part of the Fourier modes and a
filter multiplies each graph frequency (eigenvalue) by a response. On the
ring graph ``L`` is a circulant (Circulant matrices and the convolution
rule, book/03_circulant.ipynb) and the basis is the DFT's.
A polynomial in ``L`` is the same kind of filter, computed by sparse
products alone and local: a degree-``K`` polynomial reaches ``K`` hops.

Conventions, shared by every function here:

- ``adjacency`` is the weighted adjacency matrix of an undirected graph:
  square, symmetric, real, finite and non-negative, dense (array_like) or
  any :mod:`scipy.sparse` array or matrix. A diagonal entry is a self-loop.
  Symmetry is checked exactly for integers and, for floats, to
  ``sqrt(eps) * max|A|`` (about half the digits of the dtype); a matrix
  symmetric within that tolerance is replaced by ``(A + A.T) / 2``.
- Dense in gives dense out; sparse in gives CSR out (a ``csr_array``, or a
  ``csr_matrix`` when the input is a sparse matrix).
- Results are floating point: float16 and float32 input gives float32, any
  other input (bool, integers, float64, longdouble) gives float64.

networkx is needed only by :func:`karate_club`, which imports it itself.

The example graphs :func:`ring_graph`, :func:`path_graph` and
:func:`grid_graph` are built with :mod:`scipy.sparse` alone, so that a grid
of a million nodes takes a fraction of a second; :func:`ring_filter` is the
ring's fast route, the FFT. tests/test_graphs.py checks every function
against networkx and dense linear algebra.

Taught in *Convolution on graphs* (book/12_graphs.ipynb); the two-layer
network built on :func:`gcn_propagation` is :mod:`convbook.gcn`.
"""

import numpy as np
import scipy.fft
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg

from ._validation import (
    check_bool,
    check_choice,
    check_real_dtype,
    nonnegative_int,
    pair_of_positive_ints,
    positive_int,
    positive_real,
    real_array,
)

BASES = ("monomial", "chebyshev")

__all__ = [
    "laplacian",
    "fourier_basis",
    "spectral_filter",
    "polynomial_filter",
    "gcn_propagation",
    "karate_club",
    "ring_graph",
    "path_graph",
    "grid_graph",
    "ring_filter",
    "chebyshev_coefficients",
]


def laplacian(adjacency, normalized=False):
    """The graph Laplacian ``L = D - A``, or its normalised form.

    ``D`` is the diagonal matrix of the weighted degrees, the row sums of
    ``A``. The normalised Laplacian is ``D^{-1/2} (D - A) D^{-1/2}``, that is
    ``I - D^{-1/2} A D^{-1/2}`` except at isolated nodes, where
    ``1/sqrt(0)`` is taken as 0 and the diagonal entry is 0, not 1. Both
    equal networkx's ``laplacian_matrix`` and ``normalized_laplacian_matrix``
    of the same weighted graph, self-loops included: a self-loop of weight
    ``w`` adds ``w`` to its node's degree once, so it cancels in ``D - A``
    and ``L`` ignores it, while the normalised ``L`` feels it through ``D``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)`` of an undirected graph:
        symmetric, real, finite and non-negative.
    normalized : bool
        If true, return the symmetric normalised Laplacian.

    Returns
    -------
    numpy.ndarray or scipy.sparse CSR array or matrix
        The ``(n, n)`` Laplacian, dense for dense input and CSR for sparse
        input; float32 for float16 or float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import laplacian
    >>> path = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]])
    >>> laplacian(path)
    array([[ 1., -1.,  0.],
           [-1.,  3., -2.],
           [ 0., -2.,  2.]])
    >>> laplacian(np.eye(2), normalized=True)  # two isolated nodes with self-loops
    array([[0., 0.],
           [0., 0.]])
    """
    A = _adjacency(adjacency)
    check_bool(normalized, "normalized")
    return _output(_laplacian(A, normalized), adjacency)


def fourier_basis(adjacency, normalized=False):
    """The graph Fourier basis: the eigenvalues and eigenvectors of the Laplacian.

    ``L = U diag(eigenvalues) U.T`` with ``U`` orthogonal. The eigenvalues
    are the graph frequencies, in ascending order; the columns of ``U`` are
    the Fourier modes, and ``U.T @ x`` is the graph Fourier transform of a
    signal ``x``. Computed by a dense :func:`scipy.linalg.eigh` of
    :func:`laplacian` (sparse input is densified), so each eigenvector is
    determined up to sign, and up to a rotation within a repeated
    eigenvalue.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for :func:`laplacian`.
    normalized : bool
        If true, use the normalised Laplacian.

    Returns
    -------
    eigenvalues : numpy.ndarray
        Shape ``(n,)``, ascending.
    eigenvectors : numpy.ndarray
        Shape ``(n, n)``, orthonormal columns; column ``k`` belongs to
        ``eigenvalues[k]``. Both have the dtype of the Laplacian.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import fourier_basis
    >>> eigenvalues, U = fourier_basis(np.array([[0, 1], [1, 0]]))
    >>> eigenvalues.round(12)
    array([0., 2.])
    >>> np.allclose(U.T @ U, np.eye(2))
    True
    """
    A = _adjacency(adjacency)
    check_bool(normalized, "normalized")
    return _eigh(_laplacian(A, normalized))


def spectral_filter(adjacency, signal, response, normalized=False):
    """Filter a graph signal in the graph Fourier basis: ``U diag(g(λ)) U.T x``.

    The graph analogue of convolution by the convolution rule: transform,
    multiply each frequency by the response, transform back. The response
    is free at each eigenvalue, so the filter is in general not local: one
    node's value reaches every node of its connected component.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for :func:`laplacian`.
    signal : array_like
        Real signal of shape ``(n,)``, or ``(n, features)`` for several
        signals filtered at once.
    response : callable or array_like
        The frequency response ``g``: a callable applied once to the array
        of the ``n`` ascending eigenvalues and returning ``n`` real finite
        values, or those ``n`` values themselves, in the order of the
        ascending eigenvalues.
    normalized : bool
        If true, use the normalised Laplacian.

    Returns
    -------
    numpy.ndarray
        The filtered signal, of the signal's shape; its dtype is numpy's
        promotion of the Laplacian's and the signal's.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import spectral_filter
    >>> edge = np.array([[0, 1], [1, 0]])
    >>> spectral_filter(edge, [1.0, 0.0], lambda lam: np.exp(-lam)).round(4)  # heat kernel
    array([0.5677, 0.4323])
    """
    A = _adjacency(adjacency)
    check_bool(normalized, "normalized")
    x = _signal(signal, A.shape[0])
    eigenvalues, U = _eigh(_laplacian(A, normalized))
    g = _response(response, eigenvalues)
    dtype = np.result_type(U.dtype, x.dtype)
    U, x, g = U.astype(dtype, copy=False), x.astype(dtype, copy=False), g.astype(dtype, copy=False)
    spectrum = U.T @ x
    return U @ (g[:, None] * spectrum if x.ndim == 2 else g * spectrum)


def polynomial_filter(adjacency, signal, coefficients, basis="monomial", normalized=False, lmax=None):
    """Filter a graph signal by a polynomial of the Laplacian: ``sum_k θ_k P_k(L) x``.

    Computed by ``len(coefficients) - 1`` sparse products of a matrix with
    the signal (a vector, or a block of vectors), never forming the matrix
    polynomial or the eigenbasis. It equals
    ``U diag(p(λ)) U.T x`` with ``p(λ) = sum_k θ_k P_k(λ)``, and it is local:
    a polynomial of degree ``K`` moves information at most ``K`` hops.

    - ``basis="monomial"``: ``P_k(L) = L^k``.
    - ``basis="chebyshev"`` (Defferrard et al. 2016): ``P_k(L) = T_k(L̃)`` with
      ``L̃ = 2 L / lmax - I``, which maps the spectrum ``[0, lmax]`` onto
      ``[-1, 1]``, and the recurrence ``T_0 x = x``, ``T_1 x = L̃ x``,
      ``T_k x = 2 L̃ T_{k-1} x - T_{k-2} x``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for :func:`laplacian`;
        dense input is converted to CSR for the products.
    signal : array_like
        Real signal of shape ``(n,)`` or ``(n, features)``.
    coefficients : array_like
        The ``K + 1`` real, finite coefficients ``θ_0, ..., θ_K``.
    basis : {"monomial", "chebyshev"}
        The polynomial basis.
    normalized : bool
        If true, use the normalised Laplacian.
    lmax : float, optional
        The largest eigenvalue of ``L``, positive and finite; used only by
        the Chebyshev basis (always validated). If None it is computed by
        :func:`scipy.sparse.linalg.eigsh` (largest algebraic eigenvalue,
        with a fixed seeded start vector, so the result is repeatable).
        ARPACK cannot run when ``L = 0`` (a graph without edges, which
        includes every one-node graph); then every eigenvalue is 0,
        ``L̃ = -I`` for any positive ``lmax``, and 1 is used.

    Returns
    -------
    numpy.ndarray
        The filtered signal, of the signal's shape; its dtype is numpy's
        promotion of the Laplacian's and the signal's.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import polynomial_filter
    >>> path = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> delta = np.array([1.0, 0.0, 0.0])
    >>> polynomial_filter(path, delta, [1.0, -0.5])  # (I - L/2) x reaches one hop
    array([0.5, 0.5, 0. ])
    >>> polynomial_filter(path, delta, [0.0, 0.0, 1.0], basis="chebyshev", lmax=3.0).round(4)
    array([0.1111, 0.    , 0.8889])
    """
    A = _adjacency(adjacency)
    check_bool(normalized, "normalized")
    x = _signal(signal, A.shape[0])
    theta = _coefficients(coefficients)
    check_choice(basis, "basis", BASES)
    if lmax is not None:
        lmax = positive_real(lmax, "lmax")
    L = _as_csr(_laplacian(A, normalized))
    dtype = np.result_type(L.dtype, x.dtype)
    L, x, theta = L.astype(dtype, copy=False), x.astype(dtype, copy=False), theta.astype(dtype)
    if basis == "monomial":
        term = x
        out = theta[0] * x
        for t in theta[1:]:
            term = L @ term
            out = out + t * term
        return out
    if lmax is None:
        lmax = _largest_eigenvalue(L)
    scaled = (2.0 / lmax) * L - scipy.sparse.eye_array(L.shape[0], dtype=dtype, format="csr")
    out = theta[0] * x
    if theta.size == 1:
        return out
    previous, current = x, scaled @ x
    out = out + theta[1] * current
    for t in theta[2:]:
        previous, current = current, 2 * (scaled @ current) - previous
        out = out + t * current
    return out


def gcn_propagation(adjacency):
    """The renormalised propagation matrix of a GCN layer: ``D̃^{-1/2} (A + I) D̃^{-1/2}``.

    Kipf & Welling (2017) add a self-loop of weight 1 to every node and
    normalise by the degrees ``D̃`` of ``A + I`` (each at least 1, so no
    division by zero). ``Â = I - L̃_sym`` of the graph with those self-loops:
    a first-order polynomial filter, one hop local, with spectrum in
    ``(-1, 1]``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for :func:`laplacian`
        (existing self-loops are kept, and 1 is added to them).

    Returns
    -------
    numpy.ndarray or scipy.sparse CSR array or matrix
        The ``(n, n)`` matrix ``Â``, dense for dense input and CSR for sparse
        input; float32 for float16 or float32 input, float64 otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import gcn_propagation
    >>> gcn_propagation(np.array([[0, 1], [1, 0]]))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    A = _adjacency(adjacency)
    n = A.shape[0]
    if scipy.sparse.issparse(A):
        looped = A + scipy.sparse.eye_array(n, dtype=A.dtype, format="csr")
    else:
        looped = A + np.eye(n, dtype=A.dtype)
    return _output(_scale_symmetric(looped, 1 / np.sqrt(_degrees(looped))), adjacency)


def karate_club():
    """Zachary's karate club: its weighted adjacency and the two clubs it split into.

    The 34 members of a university karate club and the 78 friendships
    between them, weighted by the number of contexts in which the two met
    (networkx's :func:`networkx.karate_club_graph`, which this function
    imports networkx to load). After a dispute the club split in two; the
    split is the classic label to predict from the graph (Kipf & Welling
    2017 use it for the GCN).

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Returns
    -------
    adjacency : scipy.sparse.csr_array
        Shape ``(34, 34)``, float64, symmetric, no self-loops; row ``i`` is
        networkx's node ``i``.
    labels : numpy.ndarray
        Shape ``(34,)``, int64: 0 for the members who followed the
        instructor ("Mr. Hi"), 1 for those who followed the administrator
        ("Officer"), networkx's node attribute ``"club"``.

    Examples
    --------
    >>> from convbook.graphs import karate_club
    >>> adjacency, labels = karate_club()
    >>> adjacency.shape, adjacency.nnz // 2, labels.sum()
    ((34, 34), 78, np.int64(17))
    """
    import networkx as nx

    graph = nx.karate_club_graph()
    nodes = sorted(graph)
    adjacency = nx.to_scipy_sparse_array(
        graph, nodelist=nodes, weight="weight", dtype=np.float64, format="csr"
    )
    labels = np.array([graph.nodes[v]["club"] != "Mr. Hi" for v in nodes], dtype=np.int64)
    return adjacency, labels


def ring_graph(n):
    """The ring (cycle) graph of ``n`` nodes: node ``i`` is joined to ``i ± 1`` modulo ``n``.

    Its Laplacian is the circulant of the kernel ``(2, -1, 0, ..., 0, -1)``
    (*Circulant matrices and the convolution rule*,
    book/03_circulant.ipynb), so the DFT diagonalises it and
    :func:`ring_filter` filters on it by the FFT.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    n : int
        Number of nodes, at least 3 (fewer would need a double edge or a
        self-loop).

    Returns
    -------
    scipy.sparse.csr_array
        The ``(n, n)`` float64 adjacency, ``2n`` stored ones.

    Examples
    --------
    >>> from convbook.graphs import ring_graph
    >>> ring_graph(4).toarray()
    array([[0., 1., 0., 1.],
           [1., 0., 1., 0.],
           [0., 1., 0., 1.],
           [1., 0., 1., 0.]])
    """
    n = positive_int(n, "n")
    if n < 3:
        raise ValueError(f"n must be at least 3 for a ring without double edges, got {n}")
    return _ring(n)


def path_graph(n):
    """The path graph of ``n`` nodes: node ``i`` is joined to ``i + 1`` for ``i < n - 1``.

    The ring with one edge cut. Its Laplacian is diagonalised by the
    orthonormal DCT of type II, and a polynomial filter on it is a
    convolution with reflected (half-sample symmetric) borders.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    n : int
        Number of nodes, positive.

    Returns
    -------
    scipy.sparse.csr_array
        The ``(n, n)`` float64 adjacency.

    Examples
    --------
    >>> from convbook.graphs import path_graph
    >>> path_graph(3).toarray()
    array([[0., 1., 0.],
           [1., 0., 1.],
           [0., 1., 0.]])
    """
    return _path(positive_int(n, "n"))


def grid_graph(shape, periodic=False):
    """The grid graph of ``rows × cols`` pixels, each joined to its four neighbours.

    Node ``r * cols + c`` is pixel ``(r, c)``, so a signal reshaped to
    ``shape`` is an image. The adjacency is the Kronecker sum of two paths
    (or, with ``periodic=True``, two rings: the torus, whose Laplacian the
    2-D DFT diagonalises), built with :mod:`scipy.sparse` without any loop
    over nodes.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    shape : pair of int
        ``(rows, cols)``, positive; with ``periodic=True`` each at least 3.
    periodic : bool
        If true, join opposite borders (wrap around), as a circular
        convolution does.

    Returns
    -------
    scipy.sparse.csr_array
        The ``(rows * cols, rows * cols)`` float64 adjacency.

    Examples
    --------
    >>> from convbook.graphs import grid_graph
    >>> A = grid_graph((2, 3))
    >>> A.shape, A.nnz // 2  # two rows of 2 edges, three columns of 1 edge
    ((6, 6), 7)
    >>> grid_graph((3, 3), periodic=True).sum(axis=1)  # every node has four neighbours
    array([4., 4., 4., 4., 4., 4., 4., 4., 4.])
    """
    rows, cols = pair_of_positive_ints(shape, "shape", "(rows, cols)")
    check_bool(periodic, "periodic")
    if periodic and min(rows, cols) < 3:
        raise ValueError(f"shape must be at least (3, 3) for a periodic grid, got {(rows, cols)}")
    line = _ring if periodic else _path
    A = scipy.sparse.kron(line(rows), scipy.sparse.eye_array(cols), format="csr") + scipy.sparse.kron(
        scipy.sparse.eye_array(rows), line(cols), format="csr"
    )
    return scipy.sparse.csr_array(A)


def ring_filter(signal, response):
    """Filter a signal on the ring graph by the FFT: the spectral filter in ``O(n log n)``.

    On the ring of ``n`` nodes the Laplacian's eigenvalues are
    ``2 - 2 cos(2πk/n)`` and its eigenvectors the DFT's, so
    ``spectral_filter(ring_graph(n), x, g)`` equals
    ``ifft(g(2 - 2 cos(2πk/n)) * fft(x))``: the convolution rule. Real
    transforms (:func:`scipy.fft.rfft`) do the work.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    signal : array_like
        Real signal of shape ``(n,)`` or ``(n, features)``, with ``n >= 3``.
    response : callable
        The frequency response ``g``, applied once to the array of the
        ``n // 2 + 1`` eigenvalues ``2 - 2 cos(2πk/n)``, ``k = 0 ... n // 2``
        (the others repeat them), and returning as many real finite values.

    Returns
    -------
    numpy.ndarray
        The filtered signal, float64, of the signal's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import ring_filter, ring_graph, spectral_filter
    >>> x = np.arange(8.0)
    >>> heat = lambda lam: np.exp(-lam)
    >>> np.allclose(ring_filter(x, heat), spectral_filter(ring_graph(8), x, heat))
    True
    """
    x = real_array(signal, "signal").astype(np.float64)
    if x.ndim not in (1, 2) or x.shape[0] < 3:
        raise ValueError(f"signal must have shape (n,) or (n, features) with n >= 3, got shape {x.shape}")
    if not callable(response):
        raise TypeError(f"response must be a callable of the eigenvalues, got {type(response).__name__}")
    n = x.shape[0]
    eigenvalues = 2 - 2 * np.cos(2 * np.pi * np.arange(n // 2 + 1) / n)
    g = _response(response, eigenvalues)
    spectrum = scipy.fft.rfft(x, axis=0)
    return scipy.fft.irfft(spectrum * (g[:, None] if x.ndim == 2 else g), n=n, axis=0)


def chebyshev_coefficients(response, lmax, degree):
    """The Chebyshev coefficients of a response on ``[0, lmax]``, for :func:`polynomial_filter`.

    Interpolates ``g(λ)`` at the ``degree + 1`` Chebyshev points of the
    first kind mapped onto ``[0, lmax]``
    (:func:`numpy.polynomial.chebyshev.chebinterpolate` of
    ``t ↦ g(lmax (t + 1) / 2)``), so that
    ``polynomial_filter(A, x, c, basis="chebyshev", lmax=lmax)`` with the
    returned ``c`` approximates ``spectral_filter(A, x, g)``. The result
    holds ``degree + 1`` coefficients: a filter of degree ``K`` needs
    ``K + 1`` of them and reaches ``K`` hops.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    response : callable
        ``g``, applied to an array of points in ``[0, lmax]`` and returning
        as many real finite values.
    lmax : float
        The top of the interval, positive and finite (an upper bound of the
        Laplacian's spectrum).
    degree : int
        The polynomial's degree, non-negative.

    Returns
    -------
    numpy.ndarray
        Shape ``(degree + 1,)``, float64: ``θ_0, ..., θ_degree``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.graphs import chebyshev_coefficients
    >>> chebyshev_coefficients(lambda lam: 1 - lam, 2.0, 2).round(12) + 0  # 1 - λ = -T_1(λ - 1)
    array([ 0., -1.,  0.])
    """
    if not callable(response):
        raise TypeError(f"response must be a callable, got {type(response).__name__}")
    lmax = positive_real(lmax, "lmax")
    degree = nonnegative_int(degree, "degree")

    def mapped(t):
        points = lmax * (np.asarray(t, dtype=np.float64) + 1) / 2
        return _response(response, points)

    return np.polynomial.chebyshev.chebinterpolate(mapped, degree)


# ---------------------------------------------------------------------------
# Private helpers.


def _laplacian(A, normalized):
    """``D - A`` (or its normalisation) of a validated float adjacency, as networkx computes it."""
    degrees = _degrees(A)
    if scipy.sparse.issparse(A):
        L = scipy.sparse.diags_array(degrees, format="csr") - A
    else:
        L = np.diag(degrees) - A
    if not normalized:
        return L
    with np.errstate(divide="ignore"):
        inverse_sqrt = 1 / np.sqrt(degrees)
    inverse_sqrt[np.isinf(inverse_sqrt)] = 0  # isolated nodes, as networkx does
    return _scale_symmetric(L, inverse_sqrt)


def _degrees(A):
    """Row sums of a float ndarray or csr_array: a 1-D array of its dtype."""
    return A.sum(axis=1)


def _scale_symmetric(M, s):
    """``diag(s) @ M @ diag(s)``, multiplied in networkx's order: ``s_i * (M_ij * s_j)``."""
    if scipy.sparse.issparse(M):
        M = M.tocoo()
        data = s[M.row] * (M.data * s[M.col])
        return scipy.sparse.csr_array((data, (M.row, M.col)), shape=M.shape)
    return s[:, None] * (M * s[None, :])


def _eigh(L):
    """Ascending eigenvalues and orthonormal eigenvectors of a dense or sparse Laplacian."""
    dense = L.toarray() if scipy.sparse.issparse(L) else L
    return scipy.linalg.eigh(dense)


def _largest_eigenvalue(L):
    """The largest eigenvalue of a CSR Laplacian (1 for ``L = 0``, where any positive value serves)."""
    if L.count_nonzero() == 0:
        return 1.0
    start = np.random.default_rng(0).standard_normal(L.shape[0]).astype(L.dtype)
    (value,) = scipy.sparse.linalg.eigsh(L, k=1, which="LA", v0=start, return_eigenvectors=False)
    return float(value)


def _ring(n):
    """The ring's adjacency, ``n >= 3``: ones at offsets ±1 modulo ``n``."""
    i = np.arange(n)
    rows = np.concatenate([i, i])
    cols = np.concatenate([(i + 1) % n, (i - 1) % n])
    return scipy.sparse.csr_array((np.ones(2 * n), (rows, cols)), shape=(n, n))


def _path(n):
    """The path's adjacency: ones at offsets ±1, no wrap."""
    off = np.ones(n - 1)
    return scipy.sparse.csr_array(scipy.sparse.diags_array([off, off], offsets=[-1, 1], shape=(n, n)))


def _as_csr(M):
    return M if scipy.sparse.issparse(M) else scipy.sparse.csr_array(M)


def _output(M, adjacency):
    """Return a sparse result as a csr_matrix when the input was a sparse matrix."""
    if isinstance(adjacency, scipy.sparse.spmatrix):
        return scipy.sparse.csr_matrix(M)
    return M


def _result_dtype(dtype):
    # float32 work stays float32 (scipy.sparse has no float16); everything else is float64.
    return np.dtype(np.float32) if dtype in (np.float16, np.float32) else np.dtype(np.float64)


def _adjacency(adjacency):
    """Validate an adjacency matrix; return it as a float ndarray or a float csr_array."""
    name = "adjacency"
    if scipy.sparse.issparse(adjacency):
        if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
            raise ValueError(f"{name} must be a square (n, n) matrix, got shape {adjacency.shape}")
        if adjacency.shape[0] == 0:
            raise ValueError(f"{name} must not be empty, got shape {adjacency.shape}")
        check_real_dtype(adjacency.dtype, name)
        kind = adjacency.dtype.kind
        A = scipy.sparse.csr_array(adjacency)
        A = A.astype(_result_dtype(A.dtype))
        A.sum_duplicates()
        values = A.data
    else:
        A = real_array(adjacency, name)
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"{name} must be a square (n, n) matrix, got shape {A.shape}")
        kind = A.dtype.kind
        A = A.astype(_result_dtype(A.dtype))
        values = A
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must hold finite weights, found NaN or infinity")
    if np.any(values < 0):
        raise ValueError(f"{name} must hold non-negative weights, found {values.min()}")
    return _symmetric(A, exact=kind in "bui", name=name)


def _symmetric(A, exact, name):
    """Return ``A`` if symmetric, ``(A + A.T) / 2`` if symmetric within tolerance, else raise."""
    difference = abs(A - A.T)
    gap = difference.max() if difference.size else 0
    if gap == 0:
        return A
    scale = abs(A).max()
    tolerance = 0 if exact else np.sqrt(np.finfo(A.dtype).eps) * scale
    if gap > tolerance:
        raise ValueError(
            f"{name} must be symmetric (an undirected graph): max |A - A.T| = {gap:.3g} exceeds "
            f"the tolerance {tolerance:.3g} (sqrt(eps) * max|A| for floats, 0 for integers)"
        )
    return ((A + A.T) / 2).astype(A.dtype, copy=False)


def _signal(signal, n):
    x = real_array(signal, "signal")
    if x.ndim not in (1, 2) or x.shape[0] != n:
        raise ValueError(
            f"signal must have shape ({n},) or ({n}, features) for a graph of {n} nodes, got shape {x.shape}"
        )
    return x


def _response(response, eigenvalues):
    n = eigenvalues.shape[0]
    if callable(response):
        g = real_array(response(eigenvalues.copy()), "response(eigenvalues)")
        name = "response(eigenvalues)"
    else:
        g = real_array(response, "response")
        name = "response"
    if g.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one value per eigenvalue, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError(f"{name} must be finite, found NaN or infinity")
    return g


def _coefficients(coefficients):
    theta = real_array(coefficients, "coefficients")
    if theta.ndim != 1:
        raise ValueError(f"coefficients must be one-dimensional, got shape {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"coefficients must be finite, got {theta}")
    return theta
