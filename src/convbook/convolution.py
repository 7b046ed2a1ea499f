"""Linear and cyclic convolution of n-D arrays, three ways.

The functions here follow :func:`scipy.signal.convolve` and
:func:`scipy.signal.correlate` exactly (shapes, ``mode`` rules, dtypes), and
offer three algorithms through ``method``:

``"loop"``
    The nested loops of the textbook, one output entry at a time. Slow; it is
    here so that the other two can be checked against the definition.
``"direct"``
    The same sums, vectorised: one multiply-add of a shifted copy of the
    larger array per entry of the smaller one.
``"fft"``
    The convolution theorem: zero-pad both arrays to a fast length of at
    least ``n + r - 1`` per axis, multiply their (real, where possible) FFTs,
    and transform back.

Taught in the chapters *Conventions* (book/00_conventions.ipynb: convolution
against cross-correlation, the three modes), *Convolution in 1-D*
(book/01_convolution_1d.ipynb: the loop, the vectorised form, the FFT route)
and *Convolution in 2-D* (book/02_convolution_2d.ipynb: the same on images).
"""

import numpy as np
import scipy.fft

from ._validation import (
    MODES,
    as_numeric_array,
    check_choice,
    check_fits,
    check_same_ndim,
    nonnegative_int,
    positive_int,
    warn_if_not_finite,
)

#: The algorithms of :func:`convolve`, :func:`correlate` and :func:`circular_convolve`.
METHODS = ("loop", "direct", "fft")

__all__ = ["METHODS", "convolve", "correlate", "circular_convolve", "output_shape", "conv_output_size"]


def convolve(x, h, mode="full", method="direct"):
    """Convolve two n-dimensional arrays.

    ``y[n] = sum_k h[k] x[n - k]``, the kernel flipped as it slides. Same
    results, shapes and dtypes as :func:`scipy.signal.convolve`.

    Parameters
    ----------
    x, h : array_like
        Input and kernel, with the same number of dimensions (0-d inputs
        are multiplied, as scipy does). Real or complex.
    mode : {"full", "same", "valid"}
        ``"full"``: every overlap, shape ``x.shape + h.shape - 1``.
        ``"same"``: the centre of the full result with the shape of ``x``.
        ``"valid"``: only the positions where one array covers the other
        completely, shape ``|x.shape - h.shape| + 1``; one array must be at
        least as large as the other along every axis.
    method : {"direct", "loop", "fft"}
        The algorithm (see the module docstring). All three give the same
        numbers up to rounding.

    Returns
    -------
    numpy.ndarray
        The convolution, of dtype ``numpy.result_type(x, h)``.

    Warns
    -----
    RuntimeWarning
        With ``method="fft"``, when ``x`` or ``h`` holds NaN or inf (as
        :func:`scipy.signal.convolve` warns): the transform spreads it to
        every output. The result is returned unchanged.

    Examples
    --------
    >>> from convbook import convolve
    >>> convolve([1, 2, 0, -1], [0.5, 1, 0.5])
    array([ 0.5,  2. ,  2.5,  0.5, -1. , -0.5])
    >>> convolve([1, 2, 0, -1], [0.5, 1, 0.5], mode="valid", method="fft")
    array([2.5, 0.5])
    """
    x, h = _check_pair(x, h, mode, method)
    if method == "fft":
        warn_if_not_finite((x, h), stacklevel=2)
    return _convolve(x, h, mode, method)


def _convolve(x, h, mode, method):
    """:func:`convolve` of checked arrays."""
    if x.ndim == 0:
        return x * h
    if mode == "valid" and _swap_for_valid(x.shape, h.shape):
        x, h = h, x  # convolution commutes; scipy swaps here too
    return _DISPATCH[method](x, h, _window(x.shape, h.shape, mode))


def correlate(x, h, mode="full", method="direct"):
    """Cross-correlate two n-dimensional arrays.

    ``z[n] = sum_k conj(h[k]) x[n + k]``, the kernel slid without flipping:
    the operation deep-learning libraries call "convolution". It equals
    ``convolve(x, conj(h)[::-1, ...], mode)``, and gives the same results,
    shapes and dtypes as :func:`scipy.signal.correlate`.

    Parameters
    ----------
    x, h : array_like
        Input and kernel, with the same number of dimensions.
    mode : {"full", "same", "valid"}
        As in :func:`convolve`.
    method : {"direct", "loop", "fft"}
        As in :func:`convolve`.

    Returns
    -------
    numpy.ndarray
        The cross-correlation, of dtype ``numpy.result_type(x, h)``.

    Warns
    -----
    RuntimeWarning
        As :func:`convolve`.

    Examples
    --------
    >>> from convbook import correlate
    >>> correlate([1, 2, 0, -1], [1, 0, -1], mode="valid")
    array([1, 3])
    """
    x, h = _check_pair(x, h, mode, method)
    if method == "fft":
        warn_if_not_finite((x, h), stacklevel=2)
    if x.ndim == 0:
        return x * np.conj(h)
    flipped = np.conj(h[(slice(None, None, -1),) * h.ndim])
    return _convolve(x, flipped, mode, method)


def circular_convolve(x, h, method="fft"):
    """Cyclic convolution: ``y[n] = sum_k h[k] x[(n - k) mod N]``.

    The kernel is zero-padded to ``x.shape`` and indices wrap around, so the
    output has the shape of ``x``. This is the product of the circulant
    matrix of ``h`` with ``x``, and the operation the DFT diagonalises
    (chapters *Convolution in 1-D*, book/01_convolution_1d.ipynb, and
    *Circulant matrices and the convolution rule*, book/03_circulant.ipynb).

    Parameters
    ----------
    x : array_like
        The periodic signal or image.
    h : array_like
        The kernel, with ``x.ndim`` dimensions and no axis longer than
        ``x``'s.
    method : {"fft", "direct", "loop"}
        ``"fft"`` multiplies the DFTs; ``"direct"`` adds rolled copies of
        ``x``; ``"loop"`` evaluates the sum entry by entry.

    Returns
    -------
    numpy.ndarray
        Array of shape ``x.shape`` and dtype ``numpy.result_type(x, h)``.

    Examples
    --------
    >>> from convbook import circular_convolve
    >>> circular_convolve([1, 2, 0, -1], [0.5, 1, 0.5])
    array([-0.5,  1.5,  2.5,  0.5])
    """
    check_choice(method, "method", METHODS)
    x = as_numeric_array(x, "x")
    h = as_numeric_array(h, "h")
    check_same_ndim(x, h)
    if x.ndim == 0:
        raise ValueError("x and h must have at least one dimension for a cyclic convolution")
    check_fits(h.shape, x.shape, "h", "x", "to be zero-padded to it")
    dtype = np.result_type(x, h)
    if method == "fft":
        axes = tuple(range(x.ndim))
        if np.iscomplexobj(x) or np.iscomplexobj(h):
            y = scipy.fft.ifftn(
                scipy.fft.fftn(x, axes=axes) * scipy.fft.fftn(h, x.shape, axes=axes), axes=axes
            )
        else:
            y = scipy.fft.irfftn(
                scipy.fft.rfftn(x, axes=axes) * scipy.fft.rfftn(h, x.shape, axes=axes), x.shape, axes=axes
            )
        return _cast(y, dtype)
    work = _work_dtype(dtype)
    y = np.zeros(x.shape, dtype=work)
    xw = x.astype(work, copy=False)
    if method == "direct":
        for k in np.ndindex(*h.shape):
            y += h[k] * np.roll(xw, k, axis=tuple(range(x.ndim)))
    else:
        for n in np.ndindex(*x.shape):
            acc = work.type(0)
            for k in np.ndindex(*h.shape):
                m = tuple((ni - ki) % Ni for ni, ki, Ni in zip(n, k, x.shape))
                acc += h[k] * xw[m]
            y[n] = acc
    return _cast(y, dtype)


def output_shape(x_shape, h_shape, mode="full"):
    """Shape of ``convolve(x, h, mode)`` for inputs of the given shapes.

    Parameters
    ----------
    x_shape, h_shape : tuple of int
        Shapes of the input and the kernel (same length).
    mode : {"full", "same", "valid"}

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> from convbook import output_shape
    >>> output_shape((4, 4), (3, 3), "full"), output_shape((4, 4), (3, 3), "valid")
    ((6, 6), (2, 2))
    """
    check_choice(mode, "mode", MODES)
    x_shape, h_shape = tuple(x_shape), tuple(h_shape)
    if len(x_shape) != len(h_shape):
        raise ValueError(
            f"x_shape and h_shape must have the same length, got {len(x_shape)} and {len(h_shape)}"
        )
    if any(int(d) <= 0 for d in x_shape + h_shape):
        raise ValueError(f"shapes must be positive, got x_shape={x_shape} and h_shape={h_shape}")
    if mode == "valid" and _swap_for_valid(x_shape, h_shape):
        x_shape, h_shape = h_shape, x_shape
    return tuple(length for _, length in _window(x_shape, h_shape, mode))


def conv_output_size(input_size, kernel_size, stride=1, padding=0):
    """Output length of a padded, strided convolution layer along one axis.

    ``floor((input_size + 2 * padding - kernel_size) / stride) + 1``: the
    number of positions a kernel of length ``kernel_size`` fits into an
    input of length ``input_size`` zero-padded by ``padding`` on each side,
    stepping ``stride`` at a time (PyTorch's ``conv2d`` rule). Taught in
    Chapter *Convolution in 2-D* (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    input_size, kernel_size, stride : int
        Positive integers.
    padding : int
        Zeros added on each side, at least 0.

    Returns
    -------
    int

    Examples
    --------
    >>> from convbook import conv_output_size
    >>> conv_output_size(32, 5), conv_output_size(32, 5, stride=2, padding=2)
    (28, 16)
    """
    n = positive_int(input_size, "input_size")
    k = positive_int(kernel_size, "kernel_size")
    s = positive_int(stride, "stride")
    p = nonnegative_int(padding, "padding")
    if k > n + 2 * p:
        raise ValueError(
            f"kernel_size ({k}) must not exceed the padded input size input_size + 2 * padding = {n + 2 * p}"
        )
    return (n + 2 * p - k) // s + 1


# -- helpers -----------------------------------------------------------------


def _check_pair(x, h, mode, method):
    check_choice(mode, "mode", MODES)
    check_choice(method, "method", METHODS)
    x = as_numeric_array(x, "x")
    h = as_numeric_array(h, "h")
    check_same_ndim(x, h)
    if mode == "valid" and x.ndim:
        _swap_for_valid(x.shape, h.shape)  # raises if neither array covers the other
    return x, h


def _swap_for_valid(x_shape, h_shape):
    """scipy's rule: in "valid" mode the larger array plays the input."""
    x_covers = all(n >= r for n, r in zip(x_shape, h_shape))
    h_covers = all(r >= n for n, r in zip(x_shape, h_shape))
    if not (x_covers or h_covers):
        raise ValueError(
            "in 'valid' mode one of x and h must be at least as large as the other along every axis, "
            f"got x.shape={tuple(x_shape)} and h.shape={tuple(h_shape)}"
        )
    return not x_covers


def _window(x_shape, h_shape, mode):
    """(start, length) per axis of the requested part of the full convolution."""
    window = []
    for n, r in zip(x_shape, h_shape):
        full = n + r - 1
        length = {"full": full, "same": n, "valid": n - r + 1}[mode]
        window.append(((full - length) // 2, length))
    return window


def _work_dtype(dtype):
    # bool arithmetic would saturate at True; sum in integers and cast back.
    return np.dtype(np.int64) if dtype.kind == "b" else dtype


def _cast(y, dtype):
    if dtype.kind in "biu":
        y = np.around(y.real)
    elif dtype.kind == "f":
        y = y.real
    return y.astype(dtype, copy=False)


def _loop(x, h, window):
    dtype = np.result_type(x, h)
    work = _work_dtype(dtype)
    starts = [s for s, _ in window]
    y = np.zeros([length for _, length in window], dtype=work)
    for n in np.ndindex(*y.shape):
        acc = work.type(0)
        for k in np.ndindex(*h.shape):
            m = tuple(ni + si - ki for ni, si, ki in zip(n, starts, k))
            if all(0 <= mi < Ni for mi, Ni in zip(m, x.shape)):
                acc += h[k] * x[m]
        y[n] = acc
    return _cast(y, dtype)


def _direct(x, h, window):
    dtype = np.result_type(x, h)
    work = _work_dtype(dtype)
    # Slide the smaller array: one vectorised multiply-add per entry of it.
    big, small = (x, h) if x.size >= h.size else (h, x)
    pad = [(r - 1, r - 1) for r in small.shape]
    padded = np.pad(big.astype(work, copy=False), pad)
    y = np.zeros([length for _, length in window], dtype=work)
    for k in np.ndindex(*small.shape):
        # y[n] += small[k] * big[n - k], big read through its zero padding.
        view = tuple(
            slice(s - ki + r - 1, s - ki + r - 1 + length)
            for (s, length), ki, r in zip(window, k, small.shape)
        )
        y += small[k] * padded[view]
    return _cast(y, dtype)


def _fft(x, h, window):
    dtype = np.result_type(x, h)
    axes = tuple(range(x.ndim))
    full = [n + r - 1 for n, r in zip(x.shape, h.shape)]
    view = tuple(slice(s, s + length) for s, length in window)
    if np.iscomplexobj(x) or np.iscomplexobj(h):
        fshape = [scipy.fft.next_fast_len(n) for n in full]
        spectrum = scipy.fft.fftn(x, fshape, axes=axes) * scipy.fft.fftn(h, fshape, axes=axes)
        y = scipy.fft.ifftn(spectrum, axes=axes)[view]
    else:
        fshape = [scipy.fft.next_fast_len(n, real=True) for n in full]
        xr = x if x.dtype.kind == "f" else x.astype(np.float64)
        hr = h if h.dtype.kind == "f" else h.astype(np.float64)
        spectrum = scipy.fft.rfftn(xr, fshape, axes=axes) * scipy.fft.rfftn(hr, fshape, axes=axes)
        y = scipy.fft.irfftn(spectrum, fshape, axes=axes)[view]
    return _cast(y.copy(), dtype)


_DISPATCH = {"loop": _loop, "direct": _direct, "fft": _fft}
