"""Low-precision arithmetic emulated by rounding, and convolution computed in it.

Networks train in bfloat16 and float16, which numpy does not compute in
(bfloat16 it does not have at all). Here every intermediate result of a
computation is held in float64 and rounded, to nearest with ties to even, to
the chosen format: the value a machine computing in that format would store,
as long as each float64 operation is exact or its own rounding is negligible
beside the format's (true for the 8- and 11-bit significands of bfloat16
and float16). Overflow gives ``inf``, as the hardware does, and values below
the smallest normal number are rounded to the format's subnormals.

Two ways to compute a 2-D correlation are offered, with the same arithmetic:

``"direct"``
    The sliding sum: each output accumulates its ``K_h * K_w`` products one
    at a time, rounding after every multiplication and every addition.
``"fft"``
    The convolution theorem: both arrays zero-padded to a power of two,
    transformed by a radix-2 FFT whose butterflies round after every stage,
    multiplied (rounded), transformed back (rounded) and cropped.

Taught in Chapter *What locality buys* (book/11_locality.ipynb).
"""

import numpy as np

from ._validation import check_choice, check_ndim, real_array

__all__ = ["FORMATS", "unit_roundoff", "round_to", "fft_in", "correlate2d_in", "max_by_distance"]

# significand bits (with the implicit one), smallest normal exponent, largest finite value
_FORMATS = {
    "bfloat16": (8, -126, float.fromhex("0x1.fep127")),
    "float16": (11, -14, 65504.0),
    "float32": (24, -126, float(np.finfo(np.float32).max)),
    "float64": (53, -1022, float(np.finfo(np.float64).max)),
}
FORMATS = tuple(_FORMATS)


def unit_roundoff(fmt):
    """The unit roundoff ``u = 2**-p`` of a format with ``p`` significand bits.

    Rounding to nearest makes a relative error of at most ``u`` in any
    value in the format's normal range. Taught in Chapter *What locality
    buys* (book/11_locality.ipynb).

    Parameters
    ----------
    fmt : {"bfloat16", "float16", "float32", "float64"}
        The floating-point format.

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.precision import unit_roundoff
    >>> [unit_roundoff(f) for f in ("bfloat16", "float16")] == [2.0**-8, 2.0**-11]
    True
    """
    check_choice(fmt, "fmt", FORMATS)
    return 2.0 ** -_FORMATS[fmt][0]


def round_to(x, fmt):
    """Round every entry to the nearest number of the format (ties to even).

    Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Real or complex numbers; complex ones have their real and imaginary
        parts rounded separately.
    fmt : {"bfloat16", "float16", "float32", "float64"}
        The format to round to.

    Returns
    -------
    numpy.ndarray
        float64 (complex128 for complex input) holding values of the format:
        the rounded numbers, ``inf`` where they overflow, NaN where ``x``
        is NaN.

    Examples
    --------
    >>> from convbook.precision import round_to
    >>> round_to([1 + 2.0**-8, 1 + 3 * 2.0**-8, 70000.0], "bfloat16").tolist()  # ties go to even
    [1.0, 1.015625, 70144.0]
    >>> round_to([70000.0, 5e-8], "float16").tolist()  # overflow, and a float16 subnormal
    [inf, 5.960464477539063e-08]
    """
    check_choice(fmt, "fmt", FORMATS)
    arr = np.asarray(x)
    if arr.dtype.kind == "c":
        return _complex(_round(arr.real.astype(np.float64), fmt), _round(arr.imag.astype(np.float64), fmt))
    return _round(real_array(arr, "x").astype(np.float64), fmt)


def _round(x, fmt):
    bits, emin, largest = _FORMATS[fmt]
    if fmt == "float64":
        return x.copy()
    with np.errstate(invalid="ignore", over="ignore"):
        _, exponent = np.frexp(x)  # x = mantissa * 2**exponent, 0.5 <= |mantissa| < 1
        # The spacing of the format's numbers at x; below the normal range it stays that of the subnormals.
        spacing = np.ldexp(1.0, np.maximum(exponent - 1, emin) - (bits - 1))
        rounded = np.rint(x / spacing) * spacing
        return np.where(
            np.abs(rounded) > largest, np.copysign(np.inf, x), np.where(np.isfinite(x), rounded, x)
        )


def fft_in(x, fmt, inverse=False):
    """The DFT along the last axis, computed in a format: radix-2, rounding after every stage.

    A decimation-in-time Cooley-Tukey FFT: ``log2(L)`` stages of
    butterflies ``(a + t, a - t)`` with ``t = omega * b``, where the
    twiddle ``omega``, the product ``t`` (each part of the complex product
    rounded after its multiplications and after its addition) and both sums
    are rounded to ``fmt``. The inverse (``inverse=True``) uses the
    conjugate twiddles and divides by ``L`` at the end, which is exact for
    a power of two. Taught in Chapter *What locality buys*
    (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Real or complex input; the last axis has a power-of-two length.
    fmt : {"bfloat16", "float16", "float32", "float64"}
        The format every intermediate result is rounded to.
    inverse : bool
        Compute the inverse DFT instead.

    Returns
    -------
    numpy.ndarray
        complex128 holding values of the format; in ``"float64"`` it agrees
        with :func:`numpy.fft.fft` (or ``ifft``) to rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.precision import fft_in
    >>> x = np.arange(8.0)
    >>> bool(np.allclose(fft_in(x, "float64"), np.fft.fft(x)))
    True
    >>> float(np.abs(fft_in(x, "bfloat16") - np.fft.fft(x)).max()) > 0
    True
    """
    check_choice(fmt, "fmt", FORMATS)
    arr = np.asarray(x)
    if arr.dtype.kind != "c":
        arr = real_array(arr, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least one axis, got a scalar")
    length = arr.shape[-1]
    if length & (length - 1):
        raise ValueError(f"the last axis of x must have a power-of-two length, got {length}")
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN are the format's own results
        return _fft_in(round_to(arr.astype(np.complex128), fmt), fmt, inverse)


def _fft_in(a, fmt, inverse):
    length = a.shape[-1]
    # Bit-reversed order, so that each stage combines neighbouring blocks.
    a = a[..., _bit_reversed(length)]
    sign = 1.0 if inverse else -1.0
    half = 1
    while half < length:
        omega = round_to(np.exp(sign * 1j * np.pi * np.arange(half) / half), fmt)
        blocks = a.reshape(*a.shape[:-1], length // (2 * half), 2, half)
        even, odd = blocks[..., 0, :], blocks[..., 1, :]
        t = _multiply(omega, odd, fmt)
        a = np.stack([round_to(even + t, fmt), round_to(even - t, fmt)], axis=-2).reshape(a.shape)
        half *= 2
    return a / length if inverse else a


def _multiply(a, b, fmt):
    # (ar + i ai)(br + i bi): four rounded products, then a rounded sum per part.
    r = round_to
    real = r(r(a.real * b.real, fmt) - r(a.imag * b.imag, fmt), fmt)
    imag = r(r(a.real * b.imag, fmt) + r(a.imag * b.real, fmt), fmt)
    return _complex(real, imag)


def _complex(real, imag):
    # Not real + 1j * imag: 1j * inf is nan + inf*j, which would invent a NaN in the real part.
    out = np.empty(np.broadcast_shapes(real.shape, imag.shape), np.complex128)
    out.real, out.imag = real, imag
    return out


def _bit_reversed(length):
    bits = length.bit_length() - 1
    index = np.arange(length)
    reversed_index = np.zeros_like(index)
    for _ in range(bits):
        reversed_index = (reversed_index << 1) | (index & 1)
        index >>= 1
    return reversed_index


def correlate2d_in(x, w, fmt, method="direct"):
    """The valid 2-D cross-correlation of ``x`` with ``w``, computed in a format.

    ``y[m, n] = sum_{u, v} w[u, v] x[m + u, n + v]`` for the
    ``(M - K_h + 1) x (N - K_w + 1)`` positions where the kernel fits, as
    :func:`convbook.correlate` with ``mode="valid"`` computes in float64.
    Both inputs are first rounded to ``fmt``; then every operation of the
    chosen algorithm is (see the module docstring). Taught in Chapter *What
    locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        The image, shape ``(M, N)``, real.
    w : array_like
        The kernel, shape ``(K_h, K_w)``, real, no larger than ``x``.
    fmt : {"bfloat16", "float16", "float32", "float64"}
        The format of every intermediate result.
    method : {"direct", "fft"}
        The sliding sum, or the convolution theorem through :func:`fft_in`.

    Returns
    -------
    numpy.ndarray
        float64 holding values of the format, shape ``(M - K_h + 1, N - K_w + 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import correlate
    >>> from convbook.precision import correlate2d_in
    >>> rng = np.random.default_rng(0)
    >>> x, w = rng.standard_normal((6, 6)), rng.standard_normal((3, 3))
    >>> exact = correlate(x, w, mode="valid")
    >>> [bool(np.allclose(correlate2d_in(x, w, "float64", m), exact)) for m in ("direct", "fft")]
    [True, True]
    >>> bool(np.abs(correlate2d_in(x, w, "bfloat16") - exact).max() < 0.1)
    True
    """
    check_choice(fmt, "fmt", FORMATS)
    check_choice(method, "method", ("direct", "fft"))
    x = check_ndim(real_array(x, "x"), "x", 2, "(M, N)")
    w = check_ndim(real_array(w, "w"), "w", 2, "(K_h, K_w)")
    if w.shape[0] > x.shape[0] or w.shape[1] > x.shape[1]:
        raise ValueError(
            f"w must be no larger than x along each axis, got x.shape={x.shape} and w.shape={w.shape}"
        )
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN are the format's own results
        return _correlate2d_in(round_to(x, fmt), round_to(w, fmt), fmt, method)


def max_by_distance(values, centre):
    """The largest ``|value|`` at each Chebyshev distance from ``centre``.

    The Chebyshev distance of ``(i, j)`` from ``(a, b)`` is
    ``max(|i - a|, |j - b|)``: the outputs at distance ``d`` of a valid
    correlation with a ``K x K`` kernel are those whose windows are ``d``
    rows or columns away from the one that starts at ``centre``. Used to
    see how far the error caused by one input value travels. Taught in
    Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    values : array_like
        Real 2-D array (an error map, say).
    centre : tuple of two ints
        A position inside ``values``.

    Returns
    -------
    numpy.ndarray
        ``out[d]`` is the largest ``|values|`` at distance ``d``, for ``d``
        from 0 to the largest distance in the array.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.precision import max_by_distance
    >>> values = np.zeros((5, 5))
    >>> values[2, 2], values[0, 4], values[3, 2] = 9.0, -4.0, 1.0
    >>> max_by_distance(values, (2, 2))
    array([9., 1., 4.])
    """
    values = check_ndim(real_array(values, "values"), "values", 2, "array")
    if np.ndim(centre) != 1 or len(centre) != 2:
        raise ValueError(f"centre must be two ints (row, column), got {centre!r}")
    row, col = (int(c) for c in centre)
    if not (0 <= row < values.shape[0] and 0 <= col < values.shape[1]):
        raise ValueError(f"centre must lie inside values of shape {values.shape}, got {centre!r}")
    rows, cols = np.indices(values.shape)
    distance = np.maximum(np.abs(rows - row), np.abs(cols - col)).ravel()
    out = np.zeros(distance.max() + 1)
    np.maximum.at(out, distance, np.abs(values.astype(np.float64)).ravel())
    return out


def _correlate2d_in(x, w, fmt, method):
    rows, cols = x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1
    if method == "direct":
        y = np.zeros((rows, cols))
        for (u, v), tap in np.ndenumerate(w):
            y = round_to(y + round_to(tap * x[u : u + rows, v : v + cols], fmt), fmt)
        return y
    # Correlation is convolution with the reversed kernel. A power-of-two frame no smaller than x
    # suffices: the cyclic wrap lands only in the outputs that valid mode discards.
    frame = [1 << int(np.ceil(np.log2(n))) for n in x.shape]
    spectra = [_fft2_in(_pad(a, frame), fmt) for a in (x, w[::-1, ::-1])]
    product = _multiply(spectra[0], spectra[1], fmt)
    full = _fft2_in(product, fmt, inverse=True).real
    return round_to(full[w.shape[0] - 1 : w.shape[0] - 1 + rows, w.shape[1] - 1 : w.shape[1] - 1 + cols], fmt)


def _pad(a, shape):
    out = np.zeros(shape)
    out[: a.shape[0], : a.shape[1]] = a
    return out


def _fft2_in(a, fmt, inverse=False):
    rows_done = fft_in(a, fmt, inverse)
    return fft_in(rows_done.swapaxes(0, 1), fmt, inverse).swapaxes(0, 1)
