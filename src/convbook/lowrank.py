"""Low rank: separable kernels and recommendation as filtering on a bipartite graph.

Two uses of the singular value decomposition, one on a grid and one off it.

- A 2-D kernel of rank ``r`` is a sum of ``r`` outer products of a column
  and a row, so convolving with it costs ``r (K_h + K_w)`` multiplications
  per output instead of ``K_h K_w``. The Gaussian and Sobel kernels have
  rank 1; the SVD gives the best rank-``r`` approximation of any other
  (Eckart-Young).
- A user x item interaction matrix ``R`` has no grid: item IDs are labels,
  and relabelling them changes nothing. Its structure is the bipartite
  graph whose normalised adjacency is
  ``A_hat = [[0, R_tilde], [R_tilde.T, 0]]`` with
  ``R_tilde = D_u^{-1/2} R D_i^{-1/2}``. The eigenvalues of ``A_hat`` are
  ``+-`` the singular values of ``R_tilde``, so polynomial graph filters
  (LightGCN, He et al. 2020), the linear filter of GF-CF (Shen et al.
  2021) and a truncated SVD are all functions of those singular values:
  they keep the leading singular vectors, the global patterns.

Conventions, shared by the recommendation functions:

- ``R`` (and ``train``, ``test``) is an ``(n_users, n_items)`` matrix of
  non-negative, finite interaction weights, dense (array_like) or any
  :mod:`scipy.sparse` array or matrix; a non-zero entry is an interaction.
- Scores are dense float64 arrays of shape ``(n_users, n_items)``; a
  higher score ranks an item higher for that user.

networkx is needed only by :func:`southern_women`, which imports it itself.
Every function here is taught in Chapter *Low rank: from separable kernels
to recommendation* (book/13_low_rank.ipynb); tests/test_lowrank.py checks
them against numpy and scipy.
"""

import numpy as np
import scipy.signal
import scipy.sparse
import scipy.sparse.linalg

from ._validation import (
    MODES,
    check_choice,
    check_ndim,
    nonnegative_int,
    positive_int,
    real_array,
    real_number,
)

__all__ = [
    "separable_terms",
    "separable_errors",
    "separable_convolve",
    "separable_multiplications",
    "southern_women",
    "planted_low_rank",
    "split_interactions",
    "normalized_interactions",
    "bipartite_adjacency",
    "lightgcn_scores",
    "lightgcn_response",
    "svd_scores",
    "gfcf_scores",
    "item_knn_scores",
    "popularity_scores",
    "recall_at_k",
    "ndcg_at_k",
]


# ---------------------------------------------------------------------------
# Separable kernels.


def separable_terms(kernel, rank):
    """The best rank-``rank`` approximation of a 2-D kernel, as columns and rows.

    With the SVD ``kernel = U diag(s) V^T``, the first ``rank`` terms give
    ``columns = U[:, :r] * sqrt(s[:r])`` and ``rows = sqrt(s[:r])[:, None] *
    V[:, :r].T``, so that ``columns @ rows = sum_t outer(columns[:, t],
    rows[t])`` is the rank-``r`` matrix nearest to ``kernel`` in the
    Frobenius and the spectral norm (Eckart-Young). Each term's sign is
    fixed so that the largest entry of its column is positive. A kernel of
    rank ``r`` (the Gaussian and the Sobel kernels: rank 1) is reproduced
    to rounding by ``rank = r``.

    Parameters
    ----------
    kernel : array_like
        Real 2-D kernel, shape ``(K_h, K_w)``.
    rank : int
        Number of terms, ``1 <= rank <= min(K_h, K_w)``.

    Returns
    -------
    columns : numpy.ndarray
        Shape ``(K_h, rank)``, float64.
    rows : numpy.ndarray
        Shape ``(rank, K_w)``, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import sobel
    >>> from convbook.lowrank import separable_terms
    >>> columns, rows = separable_terms(sobel("x"), 1)
    >>> np.allclose(columns @ rows, sobel("x"))
    True
    >>> np.round(columns[:, 0] / columns[0, 0], 12) + 0.0, np.round(rows[0] * columns[0, 0], 12) + 0.0
    (array([1., 2., 1.]), array([-1.,  0.,  1.]))
    """
    k = _kernel(kernel)
    r = positive_int(rank, "rank")
    if r > min(k.shape):
        raise ValueError(
            f"rank must be at most min(K_h, K_w) = {min(k.shape)} for a kernel of shape {k.shape}, got {r}"
        )
    u, s, vt = np.linalg.svd(k)
    u, s, vt = u[:, :r], s[:r], vt[:r]
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(r)])
    signs[signs == 0] = 1.0
    root = np.sqrt(s)
    return u * (signs * root), (signs * root)[:, None] * vt


def separable_errors(kernel):
    """Relative error of the best rank-``r`` approximation, for ``r = 0, 1, ..., min(K_h, K_w)``.

    ``errors[r] = ||kernel - kernel_r||_F / ||kernel||_F =
    sqrt(sum_{t >= r} s_t^2 / sum_t s_t^2)`` with ``s`` the singular values
    and ``kernel_r`` the rank-``r`` truncation of the SVD
    (:func:`separable_terms`). ``errors[0] = 1``; the error reaches zero
    (to rounding) at the kernel's rank.

    Parameters
    ----------
    kernel : array_like
        Real 2-D kernel, not all zero.

    Returns
    -------
    numpy.ndarray
        ``min(K_h, K_w) + 1`` values in ``[0, 1]``, non-increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import gaussian_2d, laplacian
    >>> from convbook.lowrank import separable_errors
    >>> bool(separable_errors(gaussian_2d(5))[1] < 1e-12)          # rank 1
    True
    >>> np.round(separable_errors(laplacian()), 3)                 # rank 2
    array([1.   , 0.101, 0.   , 0.   ])
    """
    k = _kernel(kernel)
    s = np.linalg.svd(k, compute_uv=False)
    total = np.sum(s**2)
    if total == 0:
        raise ValueError("kernel must not be all zero (its relative error is undefined)")
    tail = np.concatenate([np.cumsum((s**2)[::-1])[::-1], [0.0]])
    return np.sqrt(np.clip(tail / total, 0.0, 1.0))


def separable_convolve(image, kernel, rank, mode="full"):
    """Convolve ``image`` with the rank-``rank`` approximation of ``kernel``, one 1-D pass per axis per term.

    Each term of :func:`separable_terms` is applied as a convolution along
    the columns (a ``(K_h, 1)`` kernel) followed by one along the rows (a
    ``(1, K_w)`` kernel), by ``scipy.signal.convolve(..., method="direct")``,
    and the terms are summed: ``rank * (K_h + K_w)`` multiplications per
    output instead of the ``K_h * K_w`` of the 2-D kernel
    (:func:`separable_multiplications`). The result equals
    ``scipy.signal.convolve2d(image, columns @ rows, mode)`` to rounding;
    ``mode`` crops each axis as for a 2-D convolution.

    Parameters
    ----------
    image : array_like
        Real 2-D image.
    kernel : array_like
        Real 2-D kernel.
    rank : int
        Number of separable terms, ``1 <= rank <= min(K_h, K_w)``.
    mode : {"full", "same", "valid"}
        Output size, as for :func:`scipy.signal.convolve2d`.

    Returns
    -------
    numpy.ndarray
        float64, of the shape ``scipy.signal.convolve2d`` gives.

    Examples
    --------
    >>> import numpy as np, scipy.signal
    >>> from convbook import gaussian_2d
    >>> from convbook.lowrank import separable_convolve
    >>> x = np.arange(36.0).reshape(6, 6) % 7
    >>> y = separable_convolve(x, gaussian_2d(3), 1, mode="same")
    >>> np.allclose(y, scipy.signal.convolve2d(x, gaussian_2d(3), mode="same"))
    True
    """
    x = real_array(image, "image").astype(np.float64)
    check_ndim(x, "image", 2, "(H, W)")
    check_choice(mode, "mode", MODES)
    columns, rows = separable_terms(kernel, rank)
    if mode == "valid" and (x.shape[0] < columns.shape[0] or x.shape[1] < rows.shape[1]):
        raise ValueError(
            f"image must be at least as large as kernel for mode='valid', got {x.shape} and "
            f"{(columns.shape[0], rows.shape[1])}"
        )
    out = None
    for t in range(columns.shape[1]):
        down = scipy.signal.convolve(x, columns[:, t : t + 1], mode=mode, method="direct")
        term = scipy.signal.convolve(down, rows[t : t + 1], mode=mode, method="direct")
        out = term if out is None else out + term
    return out


def separable_multiplications(kernel_shape, rank=1):
    """Multiplications per output: ``(K_h * K_w, rank * (K_h + K_w))``, direct 2-D and separable.

    Parameters
    ----------
    kernel_shape : int or (int, int)
        ``K`` for a square kernel, or ``(K_h, K_w)``.
    rank : int
        Number of separable terms.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> from convbook.lowrank import separable_multiplications
    >>> separable_multiplications(7)            # 2K against K^2
    (49, 14)
    >>> separable_multiplications((5, 3), rank=2)
    (15, 16)
    """
    if np.ndim(kernel_shape) == 0:
        k_h = k_w = positive_int(kernel_shape, "kernel_shape")
    else:
        dims = tuple(kernel_shape)
        if len(dims) != 2:
            raise ValueError(f"kernel_shape must be an int or a pair (K_h, K_w), got {kernel_shape!r}")
        k_h, k_w = (positive_int(d, f"kernel_shape[{i}]") for i, d in enumerate(dims))
    r = positive_int(rank, "rank")
    return k_h * k_w, r * (k_h + k_w)


# ---------------------------------------------------------------------------
# Data.


def southern_women():
    """Davis's Southern Women: which of 18 women attended which of 14 social events.

    The bipartite graph collected by Davis, Gardner & Gardner in the 1930s
    (networkx's :func:`networkx.davis_southern_women_graph`, which this
    function imports networkx to load): 89 attendances. A classic small
    user x item matrix.

    Returns
    -------
    R : scipy.sparse.csr_array
        Shape ``(18, 14)``, float64 ones where a woman attended an event.
    women : list of str
        The row labels, in networkx's order (``graph.graph["top"]``).
    events : list of str
        The column labels ``"E1"``, ..., ``"E14"``.

    Examples
    --------
    >>> from convbook.lowrank import southern_women
    >>> R, women, events = southern_women()
    >>> R.shape, R.nnz, women[0], events[-1]
    ((18, 14), 89, 'Evelyn Jefferson', 'E14')
    """
    import networkx as nx

    graph = nx.davis_southern_women_graph()
    women, events = list(graph.graph["top"]), list(graph.graph["bottom"])
    full = nx.to_scipy_sparse_array(graph, nodelist=women + events, dtype=np.float64, format="csr")
    R = scipy.sparse.csr_array(full[: len(women)][:, len(women) :])
    return R, women, events


def planted_low_rank(n_users, n_items, rank, density, seed=0, min_per_user=2):
    """Synthetic interactions drawn from a planted low-rank preference matrix.

    Each user ``u`` has tastes ``theta_u ~ Dirichlet(0.2, ..., 0.2)`` over
    ``rank`` groups; each item ``i`` has a popularity ``p_i ~
    LogNormal(0, 1)`` and memberships ``b_i ~ Dirichlet(0.2, ..., 0.2)``.
    The preference matrix ``P = Theta (p * B)^T`` has rank at most
    ``rank``. User ``u`` interacts with ``n_u = max(min_per_user,
    Binomial(n_items, density))`` distinct items (at most ``n_items``),
    drawn without replacement with probabilities proportional to row ``u``
    of ``P``. Everything is drawn from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    n_users, n_items : int
        Shape of the matrix; ``n_items >= min_per_user``.
    rank : int
        Number of taste groups, at most ``min(n_users, n_items)``.
    density : float
        Expected fraction of items a user interacts with, in ``(0, 1]``.
    seed : int
        Seed of the generator.
    min_per_user : int
        Fewest interactions of a user (2 lets :func:`split_interactions`
        hold one out for every user).

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n_users, n_items)``, float64 ones.

    Examples
    --------
    >>> from convbook.lowrank import planted_low_rank
    >>> R = planted_low_rank(200, 100, rank=4, density=0.05, seed=0)
    >>> R.shape, bool(R.sum(axis=1).min() >= 2)
    ((200, 100), True)
    """
    n_u = positive_int(n_users, "n_users")
    n_i = positive_int(n_items, "n_items")
    r = positive_int(rank, "rank")
    if r > min(n_u, n_i):
        raise ValueError(f"rank must be at most min(n_users, n_items) = {min(n_u, n_i)}, got {r}")
    d = real_number(density, "density")
    if not 0 < d <= 1:
        raise ValueError(f"density must be in (0, 1], got {density!r}")
    nonnegative_int(seed, "seed")
    least = nonnegative_int(min_per_user, "min_per_user")
    if least > n_i:
        raise ValueError(f"min_per_user must be at most n_items = {n_i}, got {least}")
    rng = np.random.default_rng(seed)
    tastes = rng.dirichlet(np.full(r, 0.2), size=n_u)
    popularity = rng.lognormal(0.0, 1.0, size=n_i)
    memberships = rng.dirichlet(np.full(r, 0.2), size=n_i)
    preference = tastes @ (popularity[:, None] * memberships).T
    counts = np.minimum(
        np.maximum(least, rng.binomial(n_i, d, size=n_u)), np.count_nonzero(preference, axis=1)
    )
    rows, cols = [], []
    for u in range(n_u):
        p = preference[u] / preference[u].sum()
        chosen = rng.choice(n_i, size=counts[u], replace=False, p=p)
        rows.append(np.full(counts[u], u))
        cols.append(np.sort(chosen))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    return scipy.sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(n_u, n_i))


def split_interactions(R, test_fraction=0.2, seed=0):
    """Hold out a fraction of each user's interactions as a test set.

    A user with ``n >= 2`` interactions has ``min(n - 1, max(1,
    round(test_fraction * n)))`` of them, drawn uniformly without
    replacement, moved to the test set: at least one held out and at least
    one kept. A user with one interaction keeps it for training; a user
    with none has none in either. The two parts are disjoint and sum to
    ``R``.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Interactions, ``(n_users, n_items)``, non-negative.
    test_fraction : float
        In ``(0, 1)``.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    train, test : scipy.sparse.csr_array
        float64, the shape of ``R``.

    Examples
    --------
    >>> from convbook.lowrank import southern_women, split_interactions
    >>> R, _, _ = southern_women()
    >>> train, test = split_interactions(R, 0.2, seed=0)
    >>> train.nnz + test.nnz == R.nnz, bool(train.sum(axis=1).min() >= 1)
    (True, True)
    """
    M = _interactions(R, "R")
    f = real_number(test_fraction, "test_fraction")
    if not 0 < f < 1:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    nonnegative_int(seed, "seed")
    rng = np.random.default_rng(seed)
    held = np.zeros(M.nnz, dtype=bool)
    for u in range(M.shape[0]):
        start, stop = M.indptr[u], M.indptr[u + 1]
        n = stop - start
        if n < 2:
            continue
        n_test = min(n - 1, max(1, round(f * n)))
        held[start + rng.choice(n, size=n_test, replace=False)] = True
    coo = M.tocoo()
    parts = []
    for mask in (~held, held):
        parts.append(scipy.sparse.csr_array((coo.data[mask], (coo.row[mask], coo.col[mask])), shape=M.shape))
    return parts[0], parts[1]


# ---------------------------------------------------------------------------
# The bipartite graph and its filters.


def normalized_interactions(R):
    """``R_tilde = D_u^{-1/2} R D_i^{-1/2}``, the symmetrically normalised interactions.

    ``D_u`` and ``D_i`` are the diagonal matrices of the row sums (user
    degrees) and column sums (item degrees) of ``R``; a user or item with
    degree zero has a zero row or column. ``R_tilde`` is the off-diagonal
    block of the normalised adjacency of the bipartite graph
    (:func:`bipartite_adjacency`), and its singular values lie in
    ``[0, 1]``, the largest equal to 1 when ``R`` is not zero.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Interactions, ``(n_users, n_items)``, non-negative.

    Returns
    -------
    scipy.sparse.csr_array
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import normalized_interactions
    >>> normalized_interactions([[1, 1], [0, 1]]).toarray().round(3)
    array([[0.707, 0.5  ],
           [0.   , 0.707]])
    """
    M = _interactions(R, "R")
    return _normalized(M)


def bipartite_adjacency(R):
    """The normalised adjacency ``A_hat = [[0, R_tilde], [R_tilde.T, 0]]`` of the user-item graph.

    Users are nodes ``0 .. n_users - 1`` and items the nodes after them.
    ``A_hat = D^{-1/2} A D^{-1/2}`` for the bipartite adjacency ``A =
    [[0, R], [R.T, 0]]`` (the matrix LightGCN propagates with), and its
    off-diagonal block is :func:`normalized_interactions`. Its eigenvalues
    are ``+s`` and ``-s`` for each singular value ``s`` of ``R_tilde``,
    and ``|n_users - n_items|`` zeros.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Interactions, ``(n_users, n_items)``, non-negative.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n_users + n_items, n_users + n_items)``, float64, symmetric.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import bipartite_adjacency
    >>> A = bipartite_adjacency([[1, 1], [0, 1]])
    >>> np.round(np.linalg.eigvalsh(A.toarray()), 3)
    array([-1. , -0.5,  0.5,  1. ])
    """
    M = _interactions(R, "R")
    Rt = _normalized(M)
    return scipy.sparse.csr_array(scipy.sparse.block_array([[None, Rt], [Rt.T, None]], format="csr"))


def _layer_weights(layers, weights):
    L = nonnegative_int(layers, "layers")
    if weights is None:
        return np.full(L + 1, 1.0 / (L + 1))
    a = real_array(weights, "weights").astype(np.float64)
    check_ndim(a, "weights", 1, "(layers + 1,)")
    if a.size != L + 1:
        raise ValueError(f"weights must hold layers + 1 = {L + 1} values, got {a.size}")
    if not np.isfinite(a).all():
        raise ValueError("weights must be finite")
    return a


def lightgcn_response(sigma, layers=3, weights=None):
    """The gain LightGCN's user-item scores apply to a singular value ``sigma`` of ``R_tilde``.

    With layer weights ``a_0, ..., a_L`` LightGCN's final embeddings are
    ``E = p(A_hat) E_0`` for ``p(x) = sum_k a_k x^k``, and its scores are
    ``E_users E_items^T``. For one-hot initial embeddings (``E_0 = I``) the
    scores are the user-item block of ``p(A_hat)^2``, which in the SVD
    ``R_tilde = U diag(s) V^T`` is ``U diag(g(s)) V^T`` with

        ``g(s) = (p(s)^2 - p(-s)^2) / 2``

    (the eigenvectors of ``A_hat`` are ``(u_t, +-v_t) / sqrt(2)`` with
    eigenvalues ``+-s_t``). This function returns ``g``.

    Parameters
    ----------
    sigma : array_like
        Real values, usually singular values of ``R_tilde`` in ``[0, 1]``.
    layers : int
        ``L``, the number of propagation layers.
    weights : array_like, optional
        ``L + 1`` layer weights; ``None`` means ``1 / (L + 1)`` each, as in
        He et al. (2020).

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``sigma``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import lightgcn_response
    >>> np.round(lightgcn_response([0.0, 0.5, 1.0], layers=3), 4)   # grows with sigma: low-pass
    array([0.    , 0.0977, 0.5   ])
    """
    s = real_array(sigma, "sigma").astype(np.float64)
    a = _layer_weights(layers, weights)
    p_plus = np.polynomial.polynomial.polyval(s, a)
    p_minus = np.polynomial.polynomial.polyval(-s, a)
    return (p_plus**2 - p_minus**2) / 2


def lightgcn_scores(R, layers=3, weights=None, embeddings=None):
    """LightGCN's scores: propagate embeddings with ``A_hat``, combine the layers, take inner products.

    He et al. (2020): ``E_k = A_hat^k E_0`` for ``k = 0 .. L`` with
    ``A_hat`` the normalised bipartite adjacency
    (:func:`bipartite_adjacency`), ``E = sum_k a_k E_k`` with ``a_k = 1 /
    (L + 1)`` by default, and the score of user ``u`` for item ``i`` is the
    inner product of their rows of ``E``.

    LightGCN learns ``E_0`` by BPR; this function does not train. Given
    ``embeddings`` it propagates them. Without, it uses one-hot initial
    embeddings, ``E_0 = I``: each node free to have its own direction.
    The scores are then the user-item block of ``p(A_hat)^2``, a fixed
    polynomial filter of the graph, computed without forming ``A_hat``:
    ``sum_m c_{2m+1} (R_tilde R_tilde^T)^m R_tilde`` with ``c =
    convolve(a, a)`` (only odd powers of ``A_hat`` reach from users to
    items). Its gain on each singular value of ``R_tilde`` is
    :func:`lightgcn_response`. Random Gaussian ``embeddings`` with ``d``
    columns give, divided by ``d``, an estimate of the same scores.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Training interactions, ``(n_users, n_items)``, non-negative.
    layers : int
        ``L >= 0``; the paper uses 3.
    weights : array_like, optional
        ``L + 1`` layer weights; ``None`` means ``1 / (L + 1)`` each.
    embeddings : array_like, optional
        Initial embeddings ``E_0``, ``(n_users + n_items, d)``, users first.

    Returns
    -------
    numpy.ndarray
        ``(n_users, n_items)`` float64 scores.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import bipartite_adjacency, lightgcn_scores
    >>> R = np.array([[1, 1, 0], [0, 1, 1]])
    >>> n = sum(R.shape)
    >>> np.allclose(lightgcn_scores(R, 2), lightgcn_scores(R, 2, embeddings=np.eye(n)))
    True
    """
    M = _interactions(R, "R")
    a = _layer_weights(layers, weights)
    n_u, n_i = M.shape
    if embeddings is not None:
        E0 = real_array(embeddings, "embeddings").astype(np.float64)
        check_ndim(E0, "embeddings", 2, "(n_users + n_items, d)")
        if E0.shape[0] != n_u + n_i:
            raise ValueError(f"embeddings must have n_users + n_items = {n_u + n_i} rows, got {E0.shape[0]}")
        A = bipartite_adjacency(M)
        E, layer = a[0] * E0, E0
        for k in range(1, a.size):
            layer = A @ layer
            E = E + a[k] * layer
        return E[:n_u] @ E[n_u:].T
    Rt = _normalized(M)
    c = np.convolve(a, a)  # coefficients of p(x)^2
    block = Rt.toarray()
    scores = np.zeros((n_u, n_i))
    for power in range(1, c.size, 2):
        if power > 1:
            block = Rt @ (Rt.T @ block)
        scores += c[power] * block
    return scores


def svd_scores(R, rank):
    """Scores of a truncated SVD: the rank-``rank`` approximation ``U_r diag(s_r) V_r^T`` of ``R``.

    Computed by :func:`scipy.sparse.linalg.svds` (ARPACK, with a seeded
    start vector). Equivalently ``R V_r V_r^T``: each user's row projected
    onto the top ``r`` eigenvectors of ``R^T R``, the ideal low-pass
    filter of the item-item matrix ``R^T R`` in its eigenbasis (gain 1 on
    the ``r`` largest eigenvalues, 0 on the rest). This is PureSVD
    (Cremonesi et al. 2010) without normalisation.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Training interactions, ``(n_users, n_items)``, non-negative.
    rank : int
        ``1 <= rank < min(n_users, n_items)`` (ARPACK's limit).

    Returns
    -------
    numpy.ndarray
        ``(n_users, n_items)`` float64 scores.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import svd_scores
    >>> R = np.outer([1, 2, 0, 1], [1, 0, 1]) * 1.0           # rank 1
    >>> np.allclose(svd_scores(R, 1), R)
    True
    """
    M = _interactions(R, "R")
    r = _svd_rank(rank, M.shape)
    u, s, vt = _svds(M, r)
    return (u * s) @ vt


def gfcf_scores(R, alpha=0.3, rank=None):
    """The training-free graph filter of GF-CF (Shen et al. 2021).

    With ``R_tilde = D_u^{-1/2} R D_i^{-1/2}`` (:func:`normalized_interactions`)
    and ``V_k`` its ``k = rank`` leading right singular vectors, the scores
    are

        ``R (R_tilde^T R_tilde) + alpha * R D_i^{-1/2} V_k V_k^T D_i^{1/2}``.

    The first term is the linear filter: the item-item normalised matrix
    ``R_tilde^T R_tilde`` applied to each user's interactions. The second
    is the ideal low-pass filter on the top ``k`` singular vectors, in the
    degree-normalised item space; it is left out when ``rank`` is
    ``None``. This follows the authors' released code, where ``k = 256``
    and ``alpha = 0.3`` for most data sets; on small data ``k`` must be
    small. Items with degree zero get zero scores from the second term.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Training interactions, ``(n_users, n_items)``, non-negative.
    alpha : float
        Weight of the ideal low-pass term, ``>= 0``.
    rank : int, optional
        ``k``, ``1 <= k < min(n_users, n_items)``; ``None``: linear filter only.

    Returns
    -------
    numpy.ndarray
        ``(n_users, n_items)`` float64 scores.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import gfcf_scores, normalized_interactions
    >>> R = np.array([[1.0, 1, 0], [0, 1, 1], [1, 0, 0]])
    >>> Rt = normalized_interactions(R).toarray()
    >>> np.allclose(gfcf_scores(R), R @ Rt.T @ Rt)
    True
    """
    M = _interactions(R, "R")
    a = real_number(alpha, "alpha")
    if a < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    Rt = _normalized(M)
    scores = (M @ Rt.T) @ Rt
    scores = scores.toarray()
    if rank is not None:
        k = _svd_rank(rank, M.shape)
        _, _, vt = _svds(Rt, k)
        d_i = np.asarray(M.sum(axis=0)).ravel()
        inv_root = np.zeros_like(d_i)
        inv_root[d_i > 0] = d_i[d_i > 0] ** -0.5
        projected = (M @ scipy.sparse.diags_array(inv_root)) @ vt.T
        scores += a * (projected @ vt) * np.sqrt(d_i)
    return scores


def item_knn_scores(R, neighbours=None):
    """Item-based nearest neighbours with cosine similarity.

    ``S[i, j] = r_i . r_j / (||r_i|| ||r_j||)`` for item columns ``r_i``
    of ``R`` (zero for an item without interactions), with a zero diagonal.
    If ``neighbours`` is given, column ``j`` keeps only its ``neighbours``
    largest similarities (ties to the lower item index), so that item
    ``j`` is scored from its nearest neighbours only. Scores are ``R S``:
    for user ``u`` and item ``j``, the summed similarity of ``j`` to the
    items ``u`` has. ``S`` is formed densely, ``n_items x n_items``.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Training interactions, ``(n_users, n_items)``, non-negative.
    neighbours : int, optional
        ``1 <= neighbours < n_items``; ``None`` keeps every item.

    Returns
    -------
    numpy.ndarray
        ``(n_users, n_items)`` float64 scores.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import item_knn_scores
    >>> R = np.array([[1.0, 1, 0], [1, 1, 0], [0, 1, 1]])
    >>> item_knn_scores(R).round(3)
    array([[0.816, 0.816, 0.577],
           [0.816, 0.816, 0.577],
           [0.816, 0.577, 0.577]])
    """
    M = _interactions(R, "R")
    n_i = M.shape[1]
    G = (M.T @ M).toarray()
    norms = np.sqrt(np.diag(G))
    inv = np.zeros_like(norms)
    inv[norms > 0] = 1 / norms[norms > 0]
    S = G * inv[:, None] * inv[None, :]
    np.fill_diagonal(S, 0.0)
    if neighbours is not None:
        k = positive_int(neighbours, "neighbours")
        if k >= n_i:
            raise ValueError(f"neighbours must be less than n_items = {n_i}, got {k}")
        order = np.argsort(-S, axis=0, kind="stable")
        keep = np.zeros_like(S, dtype=bool)
        np.put_along_axis(keep, order[:k], True, axis=0)
        S = np.where(keep, S, 0.0)
    return np.asarray(M @ S)


def popularity_scores(R):
    """Every user's score for an item is the number of users who interacted with it.

    The baseline every recommender must beat: the same ranking for
    everyone, most popular first.

    Parameters
    ----------
    R : array_like or scipy.sparse matrix
        Training interactions, ``(n_users, n_items)``, non-negative.

    Returns
    -------
    numpy.ndarray
        ``(n_users, n_items)`` float64, every row equal.

    Examples
    --------
    >>> from convbook.lowrank import popularity_scores
    >>> popularity_scores([[1, 0, 1], [1, 0, 0]])
    array([[2., 0., 1.],
           [2., 0., 1.]])
    """
    M = _interactions(R, "R")
    counts = np.diff(M.tocsc().indptr).astype(np.float64)
    return np.tile(counts, (M.shape[0], 1))


# ---------------------------------------------------------------------------
# Metrics.


def recall_at_k(scores, train, test, k):
    """Mean recall@k over the users who have test interactions.

    For each user, the items of ``train`` are removed from the ranking and
    the remaining items are ranked by ``scores``, highest first (ties to
    the lower item index); ``recall@k = |top k & test items| / |test
    items|``, the definition of the LightGCN and NGCF evaluation code (some
    authors divide by ``min(k, |test items|)`` instead). Users without test
    interactions are left out of the mean.

    Parameters
    ----------
    scores : array_like
        ``(n_users, n_items)``, real and finite.
    train, test : array_like or scipy.sparse matrix
        Disjoint interactions, the shape of ``scores``.
    k : int
        ``1 <= k <= n_items``.

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.lowrank import recall_at_k
    >>> scores = [[0.9, 0.8, 0.1, 0.5]]
    >>> train, test = [[1, 0, 0, 0]], [[0, 0, 1, 1]]
    >>> recall_at_k(scores, train, test, 2)      # ranking 1, 3, 2: one of two test items in the top 2
    0.5
    """
    hits, n_test = _hits(scores, train, test, k)
    return float(np.mean(hits.sum(axis=1) / n_test))


def ndcg_at_k(scores, train, test, k):
    """Mean NDCG@k (binary relevance) over the users who have test interactions.

    The ranking is that of :func:`recall_at_k`. For a user with test items
    ``T``, ``DCG@k = sum_{j=1}^{k} [item at rank j in T] / log2(j + 1)``
    and the ideal ``IDCG@k = sum_{j=1}^{min(k, |T|)} 1 / log2(j + 1)``;
    ``NDCG@k = DCG@k / IDCG@k``, in ``[0, 1]``.

    Parameters
    ----------
    scores : array_like
        ``(n_users, n_items)``, real and finite.
    train, test : array_like or scipy.sparse matrix
        Disjoint interactions, the shape of ``scores``.
    k : int
        ``1 <= k <= n_items``.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.lowrank import ndcg_at_k
    >>> scores = [[0.9, 0.8, 0.1, 0.5]]
    >>> train, test = [[1, 0, 0, 0]], [[0, 0, 1, 1]]
    >>> bool(np.isclose(ndcg_at_k(scores, train, test, 2), (1 / np.log2(3)) / (1 + 1 / np.log2(3))))
    True
    """
    hits, n_test = _hits(scores, train, test, k)
    discounts = 1 / np.log2(np.arange(2, hits.shape[1] + 2))
    dcg = hits @ discounts
    ideal = np.cumsum(discounts)[np.minimum(n_test, hits.shape[1]) - 1]
    return float(np.mean(dcg / ideal))


# ---------------------------------------------------------------------------
# Private helpers.


def _kernel(kernel):
    k = real_array(kernel, "kernel").astype(np.float64)
    check_ndim(k, "kernel", 2, "(K_h, K_w)")
    if not np.isfinite(k).all():
        raise ValueError("kernel must be finite")
    return k


def _interactions(R, name):
    """``R`` as a float64 csr_array with sorted indices, checked: 2-D, real, finite, non-negative."""
    if scipy.sparse.issparse(R):
        if R.dtype.kind not in "buif":
            raise TypeError(f"{name} must be real (bool, integer or float), got dtype {R.dtype}")
        if R.ndim != 2:
            raise ValueError(f"{name} must be 2-D (n_users, n_items), got shape {R.shape}")
        M = scipy.sparse.csr_array(R, dtype=np.float64)
    else:
        a = real_array(R, name)
        check_ndim(a, name, 2, "(n_users, n_items)")
        M = scipy.sparse.csr_array(a.astype(np.float64))
    M.sum_duplicates()
    M.sort_indices()
    if M.shape[0] == 0 or M.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got shape {M.shape}")
    if not np.isfinite(M.data).all():
        raise ValueError(f"{name} must be finite")
    if (M.data < 0).any():
        raise ValueError(f"{name} must be non-negative (interaction weights)")
    M.eliminate_zeros()
    return M


def _normalized(M):
    d_u = np.asarray(M.sum(axis=1)).ravel()
    d_i = np.asarray(M.sum(axis=0)).ravel()
    inv_u = np.zeros_like(d_u)
    inv_i = np.zeros_like(d_i)
    inv_u[d_u > 0] = d_u[d_u > 0] ** -0.5
    inv_i[d_i > 0] = d_i[d_i > 0] ** -0.5
    out = scipy.sparse.diags_array(inv_u) @ M @ scipy.sparse.diags_array(inv_i)
    return scipy.sparse.csr_array(out)


def _svd_rank(rank, shape):
    r = positive_int(rank, "rank")
    if r >= min(shape):
        raise ValueError(
            f"rank must be less than min(n_users, n_items) = {min(shape)} (ARPACK's limit), got {r}"
        )
    return r


def _svds(M, k):
    """The ``k`` leading singular triplets of a sparse matrix, largest first, reproducibly."""
    v0 = np.random.default_rng(0).standard_normal(min(M.shape))
    u, s, vt = scipy.sparse.linalg.svds(M, k=k, v0=v0)
    order = np.argsort(s)[::-1]
    return u[:, order], s[order], vt[order]


def _hits(scores, train, test, k):
    """0/1 array ``(n_evaluated_users, k)``: whether the item at each rank is a test item; and the test counts."""
    s = real_array(scores, "scores").astype(np.float64)
    check_ndim(s, "scores", 2, "(n_users, n_items)")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    tr = _interactions(train, "train")
    te = _interactions(test, "test")
    for name, m in (("train", tr), ("test", te)):
        if m.shape != s.shape:
            raise ValueError(f"{name} must have the shape of scores, {s.shape}, got {m.shape}")
    if tr.multiply(te).nnz:
        raise ValueError(
            "train and test must be disjoint (an interaction in both would be excluded and counted)"
        )
    kk = positive_int(k, "k")
    if kk > s.shape[1]:
        raise ValueError(f"k must be at most n_items = {s.shape[1]}, got {kk}")
    n_test = np.diff(te.indptr)
    users = np.flatnonzero(n_test)
    if users.size == 0:
        raise ValueError("test must hold at least one interaction")
    ranked = s[users].copy()
    ranked[tr[users].toarray() != 0] = -np.inf
    top = np.argsort(-ranked, axis=1, kind="stable")[:, :kk]
    relevant = te[users].toarray() != 0
    hits = np.take_along_axis(relevant, top, axis=1).astype(np.float64)
    return hits, n_test[users]
