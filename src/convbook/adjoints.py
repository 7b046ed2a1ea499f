"""The FFT route of a correlation layer as a chain of linear operators, each with its adjoint.

The FFT computes the valid correlation of an image ``x`` with a kernel ``w``
as a composition of linear maps: zero-pad both to the FFT size, take their
real 2-D transforms (:func:`scipy.fft.rfft2`), multiply the spectra, go back
with :func:`scipy.fft.irfft2` and crop the part that valid mode keeps.
Backpropagation through that route applies the adjoint of every map, in
reverse order. This module states each adjoint on its own, so that each can
be checked by the dot-product test ``<A x, y> = <x, A* y>``, and composes
them into the layer's gradient.

The inner product is the real one, also on complex arrays:
``<a, b> = sum(Re(a * conj(b)))`` (:func:`inner`). It is the right one for
gradients: a real loss of a complex array changes, to first order, by the
real inner product of the change with its gradient. Under it the transforms
are real-linear maps between real vector spaces: ``rfft2`` from
``R^(H x W)`` to ``C^(H x (W//2+1))``, a space of real dimension
``2 H (W//2+1)``, and ``irfft2`` back.

The adjoint of ``rfft2`` is not ``H W irfft2``: the half spectrum keeps one
column of each Hermitian pair of columns and drops its partner, and
``irfft2`` counts the kept column twice, once for itself and once for the
partner it reconstructs, while the columns with no partner (column 0 and,
for even ``W``, column ``W/2``) count once. :func:`hermitian_weights` holds
those counts, and the two adjoints divide or multiply by them.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb).
"""

import numpy as np
import scipy.fft

from ._validation import (
    as_numeric_array,
    check_fits,
    check_ndim,
    int_or_pair,
    nonnegative_int,
    pair_of_positive_ints,
    positive_int,
    real_array,
)

__all__ = [
    "inner",
    "adjoint_gap",
    "pad_to",
    "pad_to_adjoint",
    "crop",
    "crop_adjoint",
    "hermitian_weights",
    "rfft2_adjoint",
    "irfft2_adjoint",
    "fft_correlate2d",
    "fft_correlate2d_vjp",
]

_SHAPE_MEANING = "(rows, columns)"


# -- the inner product and the dot-product test ------------------------------------


def inner(a, b):
    """The real inner product ``sum(Re(a * conj(b)))`` of two arrays of one shape.

    On real arrays it is the usual dot product of the flattened arrays; on
    complex arrays it treats each entry as two real numbers, its real and
    imaginary parts. Taught in Chapter *Backpropagation through
    convolution* (book/06_backpropagation.ipynb).

    Parameters
    ----------
    a, b : array_like
        Numeric arrays of the same shape, real or complex.

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.adjoints import inner
    >>> inner([1 + 2j, 3], [1j, 2])  # Re((1+2j)(-1j)) + 3*2 = 2 + 6
    8.0
    """
    a = as_numeric_array(a, "a")
    b = as_numeric_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a.shape={a.shape} and b.shape={b.shape}")
    # vdot conjugates its first argument: sum(conj(b) * a), whose real part is <a, b>.
    return float(np.real(np.vdot(b.ravel(), a.ravel())))


def adjoint_gap(forward, adjoint, x, y):
    """The relative gap of the dot-product test at ``x``, ``y``: how far ``adjoint`` is from ``forward``'s.

    Returns ``|<A x, y> - <x, A* y>|`` divided by the larger of the two
    inner products (:func:`inner`): rounding error when ``adjoint`` is the
    adjoint of the linear map ``forward``, a number of order one for a
    wrong adjoint at random ``x`` and ``y`` (unless both inner products are
    close to zero, which random points make unlikely). Taught in Chapter
    *Backpropagation through convolution* (book/06_backpropagation.ipynb).

    Parameters
    ----------
    forward, adjoint : callable
        ``A`` and the candidate ``A*``: ``forward(x)`` has the shape of
        ``y`` and ``adjoint(y)`` the shape of ``x``.
    x, y : array_like
        A point of the domain of ``A`` and one of its codomain.

    Returns
    -------
    float
        0 when both inner products are 0.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import adjoint_gap
    >>> A = np.arange(6.0).reshape(2, 3)
    >>> x, y = np.array([1.0, 2.0, -1.0]), np.array([1.0, -2.0])
    >>> adjoint_gap(lambda v: A @ v, lambda v: A.T @ v, x, y)
    0.0
    >>> adjoint_gap(lambda v: A @ v, lambda v: 2 * A.T @ v, x, y)
    0.5
    """
    x = as_numeric_array(x, "x")
    y = as_numeric_array(y, "y")
    ax, aty = np.asarray(forward(x)), np.asarray(adjoint(y))
    if ax.shape != y.shape:
        raise ValueError(f"forward(x) must have the shape of y, got {ax.shape} and y.shape={y.shape}")
    if aty.shape != x.shape:
        raise ValueError(f"adjoint(y) must have the shape of x, got {aty.shape} and x.shape={x.shape}")
    left, right = inner(ax, y), inner(x, aty)
    scale = max(abs(left), abs(right))
    return abs(left - right) / scale if scale > 0 else 0.0


# -- zero-padding and cropping -----------------------------------------------------


def pad_to(x, shape):
    """Zero-pad a 2-D array at its end (bottom and right) to ``shape``, as ``scipy.fft.rfft2(x, s=shape)`` does.

    A linear map from ``R^(h x w)`` to ``R^shape`` whose adjoint,
    :func:`pad_to_adjoint`, is the crop to the top-left ``h x w`` corner.
    Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x : array_like
        2-D, real or complex.
    shape : tuple of two ints
        ``(H, W)``, no smaller than ``x`` along either axis.

    Returns
    -------
    numpy.ndarray
        ``shape``, the dtype of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import pad_to
    >>> pad_to(np.ones((2, 2)), (3, 4))
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.],
           [0., 0., 0., 0.]])
    """
    x = check_ndim(as_numeric_array(x, "x"), "x", 2)
    shape = pair_of_positive_ints(shape, "shape", _SHAPE_MEANING)
    check_fits(x.shape, shape, "x.shape", "shape", "(padding never shrinks)")
    out = np.zeros(shape, dtype=x.dtype)
    out[: x.shape[0], : x.shape[1]] = x
    return out


def pad_to_adjoint(g, input_shape):
    """The adjoint of :func:`pad_to`: keep the top-left ``input_shape`` corner of ``g``.

    ``<pad_to(x, g.shape), g> = <x, pad_to_adjoint(g, x.shape)>``: the
    padded zeros meet entries of ``g`` that the sum then ignores. Taught in
    Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    g : array_like
        2-D, the shape :func:`pad_to` padded to.
    input_shape : tuple of two ints
        The shape of the array that was padded.

    Returns
    -------
    numpy.ndarray
        A copy, ``input_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import pad_to_adjoint
    >>> pad_to_adjoint(np.arange(12.0).reshape(3, 4), (2, 2))
    array([[0., 1.],
           [4., 5.]])
    """
    g = check_ndim(as_numeric_array(g, "g"), "g", 2)
    input_shape = pair_of_positive_ints(input_shape, "input_shape", _SHAPE_MEANING)
    check_fits(input_shape, g.shape, "input_shape", "g.shape", "(pad_to only pads)")
    return g[: input_shape[0], : input_shape[1]].copy()


def crop(x, start, shape):
    """The ``shape`` block of a 2-D array that begins at ``start``: ``x[r:r+h, c:c+w]``.

    A linear map whose adjoint, :func:`crop_adjoint`, puts the block back
    into zeros. Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x : array_like
        2-D, real or complex.
    start : int or tuple of two ints
        ``(r, c)``, the block's top-left corner; one int for both.
    shape : tuple of two ints
        ``(h, w)``; the block must lie inside ``x``.

    Returns
    -------
    numpy.ndarray
        A copy, ``shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import crop
    >>> crop(np.arange(12).reshape(3, 4), (1, 1), (2, 2))
    array([[ 5,  6],
           [ 9, 10]])
    """
    x = check_ndim(as_numeric_array(x, "x"), "x", 2)
    (r, c), (h, w) = _block(start, shape, x.shape, "x.shape")
    return x[r : r + h, c : c + w].copy()


def crop_adjoint(g, start, input_shape):
    """The adjoint of :func:`crop`: ``g`` placed at ``start`` in zeros of ``input_shape``.

    ``<crop(x, start, g.shape), g> = <x, crop_adjoint(g, start, x.shape)>``:
    the entries of ``x`` the crop discards get zero gradient. Taught in
    Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    g : array_like
        2-D, the shape of the block.
    start : int or tuple of two ints
        As in :func:`crop`.
    input_shape : tuple of two ints
        The shape of the array that was cropped.

    Returns
    -------
    numpy.ndarray
        ``input_shape``, the dtype of ``g``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import crop_adjoint
    >>> crop_adjoint(np.ones((2, 2)), (1, 1), (3, 4))
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.]])
    """
    g = check_ndim(as_numeric_array(g, "g"), "g", 2)
    input_shape = pair_of_positive_ints(input_shape, "input_shape", _SHAPE_MEANING)
    (r, c), (h, w) = _block(start, g.shape, input_shape, "input_shape")
    out = np.zeros(input_shape, dtype=g.dtype)
    out[r : r + h, c : c + w] = g
    return out


def _block(start, shape, outer, outer_name):
    """Checked ``start`` and ``shape`` of a block that must lie inside an array of shape ``outer``."""
    start = int_or_pair(start, "start", nonnegative_int)
    shape = pair_of_positive_ints(shape, "shape", _SHAPE_MEANING)
    end = tuple(s + n for s, n in zip(start, shape))
    check_fits(end, outer, "start + shape", outer_name, "(the block must lie inside the array)")
    return start, shape


# -- the real transforms -----------------------------------------------------------


def hermitian_weights(width):
    """How many columns of the full spectrum each column of the half spectrum stands for.

    The 2-D DFT of a real ``H x W`` array is Hermitian,
    ``X[k, l] = conj(X[-k, -l])``, so ``rfft2`` keeps columns ``0 ..
    W//2`` only. Column ``l`` with ``0 < l < W - l`` stands for itself and
    for its dropped partner ``W - l`` (weight 2); column 0 and, for even
    ``W``, column ``W/2`` are their own partners (weight 1). Taught in
    Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    width : int
        ``W``, the number of columns of the real array.

    Returns
    -------
    numpy.ndarray
        ``(W//2 + 1,)`` floats, 1 or 2; they sum to ``W``.

    Examples
    --------
    >>> from convbook.adjoints import hermitian_weights
    >>> hermitian_weights(6), hermitian_weights(5)
    (array([1., 2., 2., 1.]), array([1., 2., 2.]))
    """
    width = positive_int(width, "width")
    weights = np.full(width // 2 + 1, 2.0)
    weights[0] = 1.0
    if width % 2 == 0:
        weights[-1] = 1.0
    return weights


def rfft2_adjoint(g, input_shape):
    """The adjoint of ``scipy.fft.rfft2`` on real ``input_shape`` arrays: ``H W irfft2(g / weights)``.

    With ``rfft2(x)[k, l] = sum_{m,n} x[m, n] exp(-2 pi i (k m / H + l n /
    W))`` and the real inner product, ``<rfft2(x), g> = <x, A* g>`` for

    ``A* g [m, n] = Re sum_{k, l} g[k, l] exp(+2 pi i (k m / H + l n / W))``,

    the sum running over the half spectrum only. ``irfft2`` rebuilds the
    dropped columns from their partners, so ``H W irfft2(g)`` counts every
    paired column twice; dividing ``g`` by :func:`hermitian_weights` first
    undoes that. ``H W irfft2(g)`` itself (the "naive" adjoint) fails the
    dot-product test. Taught in Chapter *Backpropagation through
    convolution* (book/06_backpropagation.ipynb).

    Parameters
    ----------
    g : array_like
        ``(H, W//2 + 1)``, complex (or real), a gradient with respect to the
        half spectrum.
    input_shape : tuple of two ints
        ``(H, W)``, the shape of the real array ``rfft2`` transformed; it
        cannot be read off ``g``, whose column count is the same for
        ``W = 2 m`` and ``W = 2 m + 1``.

    Returns
    -------
    numpy.ndarray
        Real, ``input_shape``; float32 for complex64 ``g``, else float64.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.fft
    >>> from convbook.adjoints import inner, rfft2_adjoint
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((4, 6))
    >>> g = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4))
    >>> bool(np.isclose(inner(scipy.fft.rfft2(x), g), inner(x, rfft2_adjoint(g, x.shape))))
    True
    >>> bool(np.isclose(inner(scipy.fft.rfft2(x), g), inner(x, 24 * scipy.fft.irfft2(g, s=x.shape))))
    False
    """
    g = _complex(check_ndim(as_numeric_array(g, "g"), "g", 2))
    h, w = pair_of_positive_ints(input_shape, "input_shape", _SHAPE_MEANING)
    if g.shape != (h, w // 2 + 1):
        raise ValueError(
            f"g must have the shape of rfft2 of an input_shape={(h, w)} array, (H, W//2 + 1) = "
            f"{(h, w // 2 + 1)}, got {g.shape}"
        )
    weights = hermitian_weights(w).astype(g.real.dtype)
    return h * w * scipy.fft.irfft2(g / weights, s=(h, w))


def irfft2_adjoint(g):
    """The adjoint of ``scipy.fft.irfft2(z, s=g.shape)``, as a map from half spectra: ``weights rfft2(g) / (H W)``.

    ``irfft2`` of a half spectrum ``z`` of shape ``(H, W//2 + 1)`` is
    ``x[m, n] = (1 / H W) sum_{k, l} weights[l] Re(z[k, l] exp(+2 pi i (k
    m / H + l n / W)))``, each kept column standing for
    :func:`hermitian_weights` columns of the full spectrum (of columns 0
    and ``W/2`` only the part a real array could have, Hermitian along the
    rows, reaches ``x``). Moving the sum to the other side of the real inner product
    gives ``<irfft2(z), g> = <z, weights rfft2(g) / (H W)>``: the naive
    ``rfft2(g) / (H W)`` is off by the same weights, the other way.
    Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    g : array_like
        Real, 2-D ``(H, W)``: a gradient with respect to the output of
        ``irfft2``, whose shape is the ``s`` of that call.

    Returns
    -------
    numpy.ndarray
        Complex, ``(H, W//2 + 1)``; complex64 for float32 ``g``, else complex128.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.fft
    >>> from convbook.adjoints import inner, irfft2_adjoint
    >>> rng = np.random.default_rng(0)
    >>> g = rng.standard_normal((4, 5))
    >>> z = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    >>> bool(np.isclose(inner(scipy.fft.irfft2(z, s=g.shape), g), inner(z, irfft2_adjoint(g))))
    True
    """
    g = _float(check_ndim(real_array(g, "g"), "g", 2))
    h, w = g.shape
    spectrum = scipy.fft.rfft2(g)
    return spectrum * (hermitian_weights(w).astype(g.dtype) / (h * w))


def _float(a):
    """``a`` as float32 if it is float32 or narrower, else as float64."""
    return a.astype(np.result_type(a.dtype, np.float32), copy=False)


def _complex(a):
    """``a`` as complex64 if its parts fit float32, else as complex128."""
    return a.astype(np.result_type(a.dtype, np.complex64), copy=False)


# -- the layer ---------------------------------------------------------------------


def fft_correlate2d(x, w, shape=None):
    """The valid 2-D correlation of ``x`` with ``w`` as the chain of operators of the FFT route.

    ``crop(irfft2(conj(rfft2(pad_to(w))) * rfft2(pad_to(x))))``, with
    transforms of size ``shape``. The cyclic correlation wraps around only
    into outputs past the valid ones, so any ``shape`` that holds ``x``
    gives the valid correlation. Taught in Chapter *Backpropagation through
    convolution* (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x : array_like
        Real 2-D image ``(H, W)``.
    w : array_like
        Real 2-D kernel ``(K_h, K_w)``, no larger than ``x``.
    shape : tuple of two ints, optional
        The FFT size, no smaller than ``x``; default ``x.shape``.

    Returns
    -------
    numpy.ndarray
        ``(H - K_h + 1, W - K_w + 1)``; float32 if both inputs are float32,
        else float64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import fft_correlate2d
    >>> fft_correlate2d(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), shape=(5, 6)).round(6)
    array([[45., 54.],
           [81., 90.]])
    """
    x, w, shape, out_shape = _check_correlation(x, w, shape)
    x_hat, w_hat = scipy.fft.rfft2(pad_to(x, shape)), scipy.fft.rfft2(pad_to(w, shape))
    return crop(scipy.fft.irfft2(np.conj(w_hat) * x_hat, s=shape), (0, 0), out_shape)


def fft_correlate2d_vjp(x, w, grad_y, shape=None):
    """The gradients of :func:`fft_correlate2d`, each operator's adjoint applied in reverse order.

    With ``X = rfft2(pad_to(x))``, ``V = rfft2(pad_to(w))`` and ``Z =
    conj(V) X``, the gradient ``grad_y`` goes back through the crop
    (:func:`crop_adjoint`) and ``irfft2`` (:func:`irfft2_adjoint`) to
    ``dZ``; through the product to ``dX = V dZ`` (the adjoint of
    multiplying by ``conj(V)`` multiplies by ``V``) and ``dV = X conj(dZ)``
    (``V`` enters conjugated); then through ``rfft2``
    (:func:`rfft2_adjoint`) and the padding (:func:`pad_to_adjoint`). The
    result equals ``convbook.conv2d_backward`` for one image and one
    channel. Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x, w, shape
        As in :func:`fft_correlate2d`.
    grad_y : array_like
        Real ``dL/dy``, the shape of ``fft_correlate2d(x, w)``.

    Returns
    -------
    grad_x : numpy.ndarray
        The shape of ``x``.
    grad_w : numpy.ndarray
        The shape of ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.adjoints import fft_correlate2d_vjp
    >>> gx, gw = fft_correlate2d_vjp(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), np.ones((2, 2)))
    >>> gw.round(6)
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    >>> gx.round(6)
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    x, w, shape, out_shape = _check_correlation(x, w, shape)
    grad_y = check_ndim(real_array(grad_y, "grad_y"), "grad_y", 2)
    if grad_y.shape != out_shape:
        raise ValueError(
            f"grad_y must have the shape of the valid correlation of x with w, {out_shape}, got {grad_y.shape}"
        )
    grad_y = grad_y.astype(x.dtype, copy=False)
    x_hat, w_hat = scipy.fft.rfft2(pad_to(x, shape)), scipy.fft.rfft2(pad_to(w, shape))
    grad_z = irfft2_adjoint(crop_adjoint(grad_y, (0, 0), shape))
    grad_x_hat = w_hat * grad_z
    grad_w_hat = x_hat * np.conj(grad_z)
    grad_x = pad_to_adjoint(rfft2_adjoint(grad_x_hat, shape), x.shape)
    grad_w = pad_to_adjoint(rfft2_adjoint(grad_w_hat, shape), w.shape)
    return grad_x, grad_w


def _check_correlation(x, w, shape):
    """Checked ``x``, ``w`` (one float dtype), the FFT size and the output shape of their valid correlation."""
    x = check_ndim(real_array(x, "x"), "x", 2)
    w = check_ndim(real_array(w, "w"), "w", 2)
    check_fits(
        w.shape, x.shape, "w.shape", "x.shape", "(a valid correlation needs the kernel inside the image)"
    )
    if shape is None:
        shape = x.shape
    shape = pair_of_positive_ints(shape, "shape", _SHAPE_MEANING)
    check_fits(x.shape, shape, "x.shape", "shape", "(the FFT size must hold the image)")
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    out_shape = (x.shape[0] - w.shape[0] + 1, x.shape[1] - w.shape[1] + 1)
    return x.astype(dtype, copy=False), w.astype(dtype, copy=False), shape, out_shape
