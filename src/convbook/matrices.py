"""Convolution written as a matrix: Toeplitz, circulant and DFT matrices.

Every convolution is linear in its input, so it is a matrix. The functions
here build those matrices explicitly, agreeing with
:func:`scipy.linalg.convolution_matrix`, :func:`scipy.linalg.circulant` and
:func:`scipy.linalg.dft` where they overlap.

The chapter *Convolution in 1-D* (book/01_convolution_1d.ipynb) introduces
the banded Toeplitz matrix; *Circulant matrices and the convolution rule*
(book/03_circulant.ipynb) the circulant and the DFT that diagonalises it;
*Convolution as one matrix multiply* (book/04_matrix_multiply.ipynb) the
block-Toeplitz matrix of a 2-D convolution and the im2col patch matrix;
*The FFT route as matrix products* (book/05_fft_as_matrices.ipynb) the 2-D
DFT matrix.
"""

import functools

import numpy as np

from ._validation import (
    MODES,
    OPERATIONS,
    as_numeric_array,
    check_choice,
    check_fits,
    positive_int,
    shape_tuple,
)

__all__ = [
    "convolution_matrix",
    "circulant",
    "dft_matrix",
    "dft2_matrix",
    "bttb_matrix",
    "im2col",
    "conv_singular_values",
]


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
    >>> dft_matrix(2).real
    array([[ 1.,  1.],
           [ 1., -1.]])
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
    row transform inside the column transform (chapter *The FFT route as
    matrix products*, book/05_fft_as_matrices.ipynb).

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


def bttb_matrix(kernel, image_shape, mode="valid", operation="correlate"):
    """The block-Toeplitz-with-Toeplitz-blocks matrix of a 2-D convolution.

    ``T @ x.ravel() == correlate(x, kernel, mode).ravel()`` for every image
    ``x`` of shape ``image_shape`` (row-major ``vec``), or the same with
    :func:`convbook.convolve` for ``operation="convolve"``. Block ``(p, q)``
    is the 1-D :func:`convolution_matrix` of one kernel row, the same block
    down every block diagonal, so only ``kernel.size`` distinct numbers
    appear. A 1-D kernel gives the plain Toeplitz matrix. Taught in Chapter
    *Convolution as one matrix multiply* (book/04_matrix_multiply.ipynb).

    Parameters
    ----------
    kernel : array_like
        1-D or 2-D kernel, real or complex, no larger than the image along
        any axis.
    image_shape : int or tuple of int
        Shape of the images the matrix multiplies, with ``kernel.ndim``
        positive entries.
    mode : {"valid", "same", "full"}
        Output size, as in :func:`convbook.correlate`.
    operation : {"correlate", "convolve"}
        Cross-correlation (what CNN layers compute; the kernel is flipped
        and conjugated into the convolution matrix) or convolution.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(prod(output_shape), prod(image_shape))`` and the
        dtype of ``kernel``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import bttb_matrix, correlate
    >>> w = np.arange(1.0, 10.0).reshape(3, 3)
    >>> T = bttb_matrix(w, (4, 4))
    >>> T.shape
    (4, 16)
    >>> T[0]
    array([1., 2., 3., 0., 4., 5., 6., 0., 7., 8., 9., 0., 0., 0., 0., 0.])
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> np.allclose(T @ x.ravel(), correlate(x, w, "valid").ravel())
    True
    """
    kernel = as_numeric_array(kernel, "kernel")
    image_shape = shape_tuple(image_shape, "image_shape")
    check_choice(mode, "mode", MODES)
    check_choice(operation, "operation", OPERATIONS)
    if kernel.ndim not in (1, 2):
        raise ValueError(f"kernel must be 1-D or 2-D, got kernel.ndim={kernel.ndim}")
    check_fits(kernel.shape, image_shape, "kernel.shape", "image_shape")
    if operation == "correlate":
        kernel = np.conj(kernel[(slice(None, None, -1),) * kernel.ndim])
    if kernel.ndim == 1:
        return convolution_matrix(kernel, image_shape[0], mode)
    kh, (n0, n1) = kernel.shape[0], image_shape
    blocks = [convolution_matrix(row, n1, mode) for row in kernel]
    # The rows of the full convolution kept by ``mode``, as in convbook.correlate.
    rows = {"full": n0 + kh - 1, "same": n0, "valid": n0 - kh + 1}[mode]
    start = (n0 + kh - 1 - rows) // 2
    block_rows = blocks[0].shape[0]
    T = np.zeros((rows * block_rows, n0 * n1), dtype=kernel.dtype)
    for p in range(rows):
        for q in range(n0):
            i = p + start - q  # output row p gathers image row q through kernel row i
            if 0 <= i < kh:
                T[p * block_rows : (p + 1) * block_rows, q * n1 : (q + 1) * n1] = blocks[i]
    return T


def im2col(x, kernel_shape):
    """The patch matrix: one row per output position, one column per kernel entry.

    Row ``n`` (output positions in row-major order) holds the patch of ``x``
    under the kernel at that position, flattened row-major, so that
    ``im2col(x, k.shape) @ k.ravel() == correlate(x, k, "valid").ravel()``
    for a real kernel ``k`` (for a complex one use ``k.conj().ravel()``,
    since correlation conjugates the kernel). A convolution layer becomes
    one matrix multiply (GEMM) of this matrix with the weights; every pixel
    is copied once per kernel entry that covers it. Taught in Chapter
    *Convolution as one matrix multiply* (book/04_matrix_multiply.ipynb).

    Parameters
    ----------
    x : array_like
        1-D signal or 2-D image.
    kernel_shape : int or tuple of int
        Shape of the kernel, with ``x.ndim`` entries, no larger than ``x``
        along any axis.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(prod(output_shape), prod(kernel_shape))``, the
        dtype of ``x``, where ``output_shape = x.shape - kernel_shape + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import im2col
    >>> im2col(np.arange(9).reshape(3, 3), (2, 2))
    array([[0, 1, 3, 4],
           [1, 2, 4, 5],
           [3, 4, 6, 7],
           [4, 5, 7, 8]])
    """
    x = as_numeric_array(x, "x")
    kernel_shape = shape_tuple(kernel_shape, "kernel_shape")
    if x.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D or 2-D, got x.ndim={x.ndim}")
    if len(kernel_shape) != x.ndim:
        raise ValueError(f"kernel_shape must have x.ndim={x.ndim} entries, got kernel_shape={kernel_shape}")
    check_fits(kernel_shape, x.shape, "kernel_shape", "x.shape")
    windows = np.lib.stride_tricks.sliding_window_view(x, kernel_shape)
    # reshape copies the overlapping windows: this is im2col's memory cost.
    return windows.reshape(-1, int(np.prod(kernel_shape)))


def conv_singular_values(w, image_shape):
    """All singular values of a multi-channel circular correlation layer, largest first.

    The layer maps ``x`` of shape ``(C_in, H, W)`` to ``y`` of shape
    ``(C_out, H, W)`` by ``y[o, i, j] = sum_{c, u, v} w[o, c, u, v]
    x[c, (i + u) % H, (j + v) % W]``: cross-correlation with padding that
    wraps around (PyTorch's ``padding_mode="circular"``; where the kernel
    is anchored only shifts the output, which changes no singular value).
    Its matrix is block circulant, so the 2-D DFT of each channel
    block-diagonalises it: at each of the ``H * W`` frequencies the layer
    acts by the ``C_out x C_in`` matrix of the kernels' transfer functions,
    and the layer's singular values are those of the ``H * W`` small
    matrices together (Sedghi, Gupta & Long 2019). A kernel larger than the
    image wraps around it: its taps are summed modulo ``(H, W)``, as the
    layer's matrix sums them.

    The largest value is the layer's operator norm (its Lipschitz constant
    in the 2-norm). Taught in Chapter *Low rank: from separable kernels to
    recommendation* (book/13_low_rank.ipynb); tests/test_matrices.py checks
    it against the SVD of the layer's explicit matrix.

    Parameters
    ----------
    w : array_like
        Real weights, shape ``(C_out, C_in, K_h, K_w)``.
    image_shape : tuple of two ints
        ``(H, W)``.

    Returns
    -------
    numpy.ndarray
        ``min(C_out, C_in) * H * W`` non-negative float64 values in
        descending order.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.matrices import conv_singular_values
    >>> w = np.zeros((1, 1, 3, 3)); w[0, 0, 1, 1] = 2.0      # 2 x identity
    >>> conv_singular_values(w, (4, 4))
    array([2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2., 2.])
    >>> box = np.ones((1, 1, 3, 3)) / 9                      # a blur: norm 1 at frequency 0
    >>> round(float(conv_singular_values(box, (8, 8))[0]), 12)
    1.0
    """
    w = as_numeric_array(w, "w")
    if w.dtype.kind == "c":
        raise TypeError(f"w must be real (bool, integer or float), got dtype {w.dtype}")
    if w.ndim != 4:
        raise ValueError(f"w must be 4-D (C_out, C_in, K_h, K_w), got shape {w.shape}")
    shape = shape_tuple(image_shape, "image_shape")
    if len(shape) != 2:
        raise ValueError(f"image_shape must be two sizes (H, W), got {image_shape!r}")
    h, width = shape
    c_out, c_in, k_h, k_w = w.shape
    folded = np.zeros((c_out, c_in, h, width))
    rows = np.arange(k_h) % h
    cols = np.arange(k_w) % width
    np.add.at(folded, (slice(None), slice(None), rows[:, None], cols[None, :]), w.astype(np.float64))
    # Correlation has transfer function conj(fft2(w)); conjugation keeps the singular values.
    transfer = np.fft.fft2(folded).transpose(2, 3, 0, 1)  # (H, W, C_out, C_in)
    values = np.linalg.svd(transfer, compute_uv=False).ravel()
    return np.sort(values)[::-1]
