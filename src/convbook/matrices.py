"""Convolution written as a matrix: Toeplitz, circulant and DFT matrices.

Every convolution is linear in its input, so it is a matrix. The functions
here build those matrices explicitly, agreeing with
:func:`scipy.linalg.convolution_matrix`, :func:`scipy.linalg.circulant` and
:func:`scipy.linalg.dft` where they overlap.

Chapter 1 (Convolution in 1-D) introduces the banded Toeplitz matrix;
Chapter 3 (Circulant matrices and the convolution rule) the circulant and
the DFT that diagonalises it; Chapter 5 (The FFT route as matrix products)
the 2-D DFT matrix.
"""

import functools

import numpy as np

from ._validation import MODES, as_numeric_array, check_choice, positive_int, shape_tuple

__all__ = ["convolution_matrix", "circulant", "dft_matrix", "dft2_matrix"]


def convolution_matrix(h, n, mode="full"):
    """The Toeplitz matrix ``A`` with ``A @ v == numpy.convolve(h, v, mode)``.

    Column ``j`` is the kernel ``h`` shifted down by ``j`` rows: the same
    weights run down every diagonal, and each row holds at most ``len(h)``
    of them (the band). Equals :func:`scipy.linalg.convolution_matrix`.

    Parameters
    ----------
    h : array_like
        1-D kernel of length ``m``.
    n : int
        Length of the vectors the matrix multiplies.
    mode : {"full", "same", "valid"}
        Rows kept, as in :func:`numpy.convolve`: ``m + n - 1`` rows for
        ``"full"``, ``max(m, n)`` for ``"same"`` and ``max(m, n) - min(m, n) + 1``
        for ``"valid"``.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(rows, n)`` and the dtype of ``h``.

    Examples
    --------
    >>> from convbook import convolution_matrix
    >>> convolution_matrix([1, 2, 3], 4, mode="valid")
    array([[3, 2, 1, 0],
           [0, 3, 2, 1]])
    """
    h = as_numeric_array(h, "h")
    if h.ndim != 1:
        raise ValueError(f"h must be one-dimensional, got h.ndim={h.ndim}")
    n = positive_int(n, "n")
    check_choice(mode, "mode", MODES)
    m = h.size
    full = np.zeros((m + n - 1, n), dtype=h.dtype)
    for j in range(n):
        full[j : j + m, j] = h
    rows = {"full": m + n - 1, "same": max(m, n), "valid": max(m, n) - min(m, n) + 1}[mode]
    start = (m + n - 1 - rows) // 2
    return full[start : start + rows]


def circulant(c):
    """The circulant matrix whose first column is ``c``.

    ``C[i, j] = c[(i - j) mod n]``, so ``C @ x`` is the cyclic convolution of
    ``c`` and ``x``. Equals :func:`scipy.linalg.circulant`, including its
    batching: for ``c`` of shape ``(..., n)`` the result has shape
    ``(..., n, n)``.

    Parameters
    ----------
    c : array_like
        First column(s), the last axis of length ``n``.

    Returns
    -------
    numpy.ndarray
        Array of shape ``c.shape + (n,)`` and the dtype of ``c``.

    Examples
    --------
    >>> from convbook import circulant
    >>> circulant([1, 2, 3])
    array([[1, 3, 2],
           [2, 1, 3],
           [3, 2, 1]])
    """
    c = as_numeric_array(c, "c")
    c = np.atleast_1d(c)
    n = c.shape[-1]
    index = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    return c[..., index]


def dft_matrix(n, scale=None):
    """The ``n``-point DFT matrix ``F[j, k] = exp(-2 pi i j k / n)``.

    ``dft_matrix(n) @ x == numpy.fft.fft(x)``. Equals
    :func:`scipy.linalg.dft`; the exponent is reduced modulo ``n`` before it
    is evaluated, so large ``n`` keeps full accuracy.

    Parameters
    ----------
    n : int
        Size of the transform.
    scale : {None, "sqrtn", "n"}
        Divide by nothing, by ``sqrt(n)`` (the unitary DFT) or by ``n``.

    Returns
    -------
    numpy.ndarray
        Complex array of shape ``(n, n)``.

    Examples
    --------
    >>> from convbook import dft_matrix
    >>> dft_matrix(2)
    array([[ 1.+0.j,  1.+0.j],
           [ 1.+0.j, -1.-0.j]])
    """
    n = positive_int(n, "n")
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn' or 'n', got {scale!r}")
    jk = np.outer(np.arange(n), np.arange(n)) % n
    F = np.exp(-2j * np.pi * jk / n)
    if scale == "sqrtn":
        F /= np.sqrt(n)
    elif scale == "n":
        F /= n
    return F


def dft2_matrix(shape):
    """The matrix of the 2-D (or n-D) DFT acting on row-major ``vec(x)``.

    ``dft2_matrix(x.shape) @ x.ravel() == numpy.fft.fft2(x).ravel()``. It is
    the Kronecker product ``kron(F_M, F_N)`` of the 1-D DFT matrices, the
    row transform inside the column transform (Chapter 5).

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the arrays transformed; ``(M, N)`` gives an ``MN x MN``
        matrix. More axes give the n-D DFT.

    Returns
    -------
    numpy.ndarray
        Complex array of shape ``(prod(shape), prod(shape))``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import dft2_matrix
    >>> x = np.arange(6.0).reshape(2, 3)
    >>> np.allclose(dft2_matrix(x.shape) @ x.ravel(), np.fft.fft2(x).ravel())
    True
    """
    dims = shape_tuple(shape, "shape")
    return functools.reduce(np.kron, [dft_matrix(d) for d in dims])
