"""The 2-D convolution layer of a CNN, forward and backward, three ways.

``conv2d`` computes what :func:`torch.nn.functional.conv2d` computes: a batch
of images ``x`` of shape ``(B, C_in, H, W)`` (NCHW), weights ``w`` of shape
``(C_out, C_in, K_h, K_w)`` (OIHW), zero padding, a stride, and the
*cross-correlation* ::

    y[b, o, i, j] = bias[o] + sum_{c, u, v} w[o, c, u, v] * xp[b, c, s_h i + u, s_w j + v]

where ``xp`` is ``x`` zero-padded. ``conv2d_backward`` returns the gradients
of a loss with respect to ``x`` and ``w`` given its gradient with respect to
``y``. Both gradients are convolutions again: ``grad_x`` is the *full
convolution* of the (stride-dilated) output gradient with the kernel, and
``grad_w`` the *correlation* of the padded input with the output gradient.
So every method below runs all three passes.

``method="direct"``
    One multiply-accumulate per kernel tap ``(u, v)``: the shifted, strided
    input, channels last, times the ``C_in x C_out`` matrix ``w[:, :, u, v]``
    (``K_h K_w`` GEMMs over the channels).
``method="im2col"``
    Every receptive field copied into one row of a patch matrix
    (:func:`numpy.lib.stride_tricks.sliding_window_view`, channels last), then
    one GEMM with the weights reshaped to ``(K_h K_w C_in, C_out)``: what CNN
    frameworks do.
``method="fft"``
    The convolution theorem with channels (Mathieu, Henaff & LeCun 2014).
    Real 2-D FFTs of every input map, every kernel and every output-gradient
    map, each computed once and reused for all channel pairs; at every
    frequency the channel sum is a complex matrix product, all frequencies
    in one batched ``matmul`` of the real and imaginary parts (four real
    GEMMs, several times faster than numpy's complex ``matmul`` here); one
    inverse FFT per output map. A stride is
    applied by subsampling the stride-1 result (forward) or dilating the
    output gradient with zeros (backward), so the FFT work does not shrink
    with the stride.
``winograd_conv2d`` (3x3 kernels only)
    Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray 2016), for 3x3
    kernels at stride 1 only (any padding; a ``ValueError`` otherwise). The
    padded input is cut into 4x4 tiles overlapping by 2, each tile and each
    kernel is transformed by small fixed matrices (``B^T d B``, ``G g G^T``),
    and the channel sum becomes 16 GEMMs, one per position in the 4x4
    transformed tile, each ``(C_out x C_in) @ (C_in x B tiles)``; the inverse
    transform ``A^T m A`` turns every 4x4 result into a 2x2 block of output.
    That is 16 multiplications per 2x2 outputs instead of 36: 2.25 times
    fewer than ``direct`` or ``im2col``. The input gradient is the same
    3x3 stride-1 correlation of the padded output gradient with the flipped
    kernel, so it runs the same way; the weight gradient is im2col's patch
    matrix times the output gradient, one GEMM per image, all in NCHW.

Dtypes follow numpy promotion with float32 as the floor: the result dtype is
``numpy.result_type(x, w, [bias or grad_output], numpy.float32)``. So float32
in gives float32 out, any float64 operand gives float64, small integers
(int8, int16, uint8, bool) give float32 and int32/int64 give float64 (the
float type that holds them exactly, as numpy decides), float16 is computed
in float32. Complex inputs are refused: a CNN layer is real.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb); im2col is introduced in Chapter
*Convolution as one matrix multiply* (book/04_matrix_multiply.ipynb), and
Winograd's method in Chapter *What convolution costs* (book/09_cost.ipynb).
"""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.fft
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_numeric_array, check_choice, nonnegative_int, positive_int
from .convolution import conv_output_size

METHODS = ("direct", "im2col", "fft")

# scipy.fft's thread count: -1 uses every CPU.
_WORKERS = -1
# Threads for the per-frequency GEMMs: the CPUs this process may run on.
_THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_POOL = None
# Frequencies per task of the spectral products' thread pool.
_FREQUENCY_BLOCK = 32

__all__ = ["conv2d", "conv2d_backward", "winograd_conv2d", "winograd_conv2d_backward"]


def conv2d(x, w, bias=None, stride=1, padding=0, method="direct"):
    """Forward pass of a 2-D convolution layer (PyTorch's ``conv2d``).

    Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb); see the module docstring for the
    formula and the three methods.

    Parameters
    ----------
    x : array_like
        Input batch, shape ``(B, C_in, H, W)``.
    w : array_like
        Weights, shape ``(C_out, C_in, K_h, K_w)``.
    bias : array_like, optional
        Shape ``(C_out,)``, added to every output map.
    stride : int or (int, int)
        Step of the kernel along (H, W); positive.
    padding : int or (int, int)
        Zeros added on both sides of (H, W); non-negative.
    method : {"direct", "im2col", "fft"}
        The algorithm. All give the same numbers up to rounding. (For 3x3
        kernels at stride 1, :func:`winograd_conv2d` is a fourth.)

    Returns
    -------
    numpy.ndarray
        Shape ``(B, C_out, H_out, W_out)`` with
        ``H_out = conv_output_size(H, K_h, stride, padding)``; dtype as in
        the module docstring (float32 stays float32).

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> conv2d(x, w)
    array([[[[45., 54.],
             [81., 90.]]]])
    >>> conv2d(x, w, padding=1, stride=2, method="fft").round(6)
    array([[[[10., 24.],
             [51., 90.]]]])
    """
    check_choice(method, "method", METHODS)
    return _forward(x, w, bias, stride, padding, method)


def winograd_conv2d(x, w, bias=None, padding=0):
    """:func:`conv2d` by Winograd's minimal filtering F(2x2, 3x3).

    For 3x3 kernels at stride 1 (any padding): 16 multiplications per 2x2
    block of outputs instead of 36, the reason frameworks send 3x3 layers to
    Winograd rather than the FFT (Lavin & Gray 2016). The same numbers as
    ``conv2d(x, w, bias, 1, padding)`` up to rounding. Measured in Chapter
    *What convolution costs* (book/09_cost.ipynb).

    Parameters
    ----------
    x, w, bias, padding
        As in :func:`conv2d`; ``w`` must have 3x3 kernels.

    Returns
    -------
    numpy.ndarray
        As :func:`conv2d`.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import winograd_conv2d
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> winograd_conv2d(x, np.ones((1, 1, 3, 3))).round(6)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    return _forward(x, w, bias, 1, padding, "winograd")


def _forward(x, w, bias, stride, padding, method):
    extra = ()
    if bias is not None:
        bias = _real_array(bias, "bias")
        extra = (bias,)
    x, w, geom, dtype = _check_layer(x, w, stride, padding, method, extra)
    if bias is not None and bias.shape != (w.shape[0],):
        raise ValueError(f"bias must have shape (C_out,) = ({w.shape[0]},), got shape {bias.shape}")
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    y = _FORWARD[method](x, w, geom)
    if bias is not None:
        y += bias.astype(dtype, copy=False)[:, None, None]
    return y


def conv2d_backward(x, w, grad_output, stride=1, padding=0, method="direct"):
    """Backward pass of a 2-D convolution layer: ``(grad_x, grad_w)``.

    Given ``grad_output = dL/dy`` for ``y = conv2d(x, w, stride=stride,
    padding=padding)``, returns ``dL/dx`` and ``dL/dw``, the numbers PyTorch's
    autograd gives. (The bias gradient is ``grad_output.sum(axis=(0, 2, 3))``
    and needs no convolution.) Each gradient is itself a convolution,
    computed by ``method``:

    * ``grad_x`` is the full convolution of the output gradient, dilated by
      the stride, with each kernel, summed over output channels (the
      transposed convolution); positions the strided kernel never reaches
      get zero.
    * ``grad_w`` is the valid correlation of the padded input with the
      dilated output gradient, summed over the batch.

    With ``method="fft"`` the spectra of ``x``, ``w`` and ``grad_output`` are
    each computed once and shared by both gradients, and both channel sums
    are batched complex matrix products per frequency.

    Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x, w, stride, padding, method
        As in :func:`conv2d`.
    grad_output : array_like
        ``dL/dy``, shape ``(B, C_out, H_out, W_out)`` (the shape of
        ``conv2d(x, w, ...)``).

    Returns
    -------
    grad_x : numpy.ndarray
        Shape of ``x``.
    grad_w : numpy.ndarray
        Shape of ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d_backward
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 3, 3))
    >>> gx, gw = conv2d_backward(x, w, np.ones((1, 1, 2, 2)))
    >>> gx[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    >>> gw[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    check_choice(method, "method", METHODS)
    return _backward(x, w, grad_output, stride, padding, method)


def winograd_conv2d_backward(x, w, grad_output, padding=0):
    """:func:`conv2d_backward` for :func:`winograd_conv2d`: ``(grad_x, grad_w)``.

    The input gradient is a full 3x3 correlation with the flipped kernels at
    stride 1, so it runs through F(2x2, 3x3) too; the weight gradient (a
    correlation whose "kernel" is the whole output gradient) is one matrix
    product per image.

    Parameters
    ----------
    x, w, grad_output, padding
        As in :func:`conv2d_backward`; ``w`` must have 3x3 kernels.

    Returns
    -------
    grad_x, grad_w : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import winograd_conv2d_backward
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> gx, gw = winograd_conv2d_backward(x, np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)))
    >>> gw[0, 0].round(6)
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    return _backward(x, w, grad_output, 1, padding, "winograd")


def _backward(x, w, grad_output, stride, padding, method):
    grad_output = _real_array(grad_output, "grad_output")
    x, w, geom, dtype = _check_layer(x, w, stride, padding, method, (grad_output,))
    expected = (x.shape[0], w.shape[0], geom.ho, geom.wo)
    if grad_output.shape != expected:
        raise ValueError(
            f"grad_output must have the shape of the layer's output (B, C_out, H_out, W_out) = {expected}, "
            f"got shape {grad_output.shape}"
        )
    x = x.astype(dtype, copy=False)
    w = w.astype(dtype, copy=False)
    g = grad_output.astype(dtype, copy=False)
    return _BACKWARD[method](x, w, g, geom)


# -- checks and geometry -------------------------------------------------------


class _Geometry:
    """Sizes of one layer call: input, kernel, stride, padding, output."""

    __slots__ = ("h", "w", "kh", "kw", "sh", "sw", "ph", "pw", "ho", "wo")

    def __init__(self, x_shape, w_shape, stride, padding):
        self.h, self.w = x_shape[2:]
        self.kh, self.kw = w_shape[2:]
        self.sh, self.sw = stride
        self.ph, self.pw = padding
        self.ho = conv_output_size(self.h, self.kh, self.sh, self.ph)
        self.wo = conv_output_size(self.w, self.kw, self.sw, self.pw)

    @property
    def hp(self):
        return self.h + 2 * self.ph

    @property
    def wp(self):
        return self.w + 2 * self.pw

    def strided(self, u, v):
        """Index of the input (or input-gradient) positions tap ``(u, v)`` meets, NHWC."""
        return (
            slice(None),
            slice(u, u + (self.ho - 1) * self.sh + 1, self.sh),
            slice(v, v + (self.wo - 1) * self.sw + 1, self.sw),
        )


def _pair(value, name, check):
    if np.ndim(value) == 0:
        n = check(value, name)
        return n, n
    values = tuple(value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints (H, W), got {value!r}")
    return tuple(check(v, f"{name}[{i}]") for i, v in enumerate(values))


def _real_array(a, name):
    a = as_numeric_array(a, name)
    if a.dtype.kind == "c":
        raise TypeError(f"{name} must be real (bool, integer or float), got dtype {a.dtype}")
    return a


def _check_layer(x, w, stride, padding, method, extra):
    """Validated ``x``, ``w``, their geometry and the compute dtype (``extra``: arrays that join the promotion)."""
    x = _real_array(x, "x")
    w = _real_array(w, "w")
    for a, name, layout in ((x, "x", "(B, C_in, H, W)"), (w, "w", "(C_out, C_in, K_h, K_w)")):
        if a.ndim != 4:
            raise ValueError(f"{name} must be 4-D {layout}, got shape {a.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} input channels (x.shape[1]) but w expects {w.shape[1]} (w.shape[1])"
        )
    stride = _pair(stride, "stride", positive_int)
    padding = _pair(padding, "padding", nonnegative_int)
    padded = (x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1])
    if w.shape[2] > padded[0] or w.shape[3] > padded[1]:
        raise ValueError(
            f"the kernel w (K_h, K_w) = {w.shape[2:]} must fit in the padded input x "
            f"(H + 2 padding, W + 2 padding) = {padded}"
        )
    if method == "winograd" and w.shape[2:] != (3, 3):
        raise ValueError(
            f"winograd_conv2d needs 3x3 kernels in w, got (K_h, K_w) = {w.shape[2:]}"
        )
    geom = _Geometry(x.shape, w.shape, stride, padding)
    dtypes = [x.dtype, w.dtype] + [a.dtype for a in extra] + [np.float32]
    dtype = np.result_type(*dtypes)
    if dtype == np.float16:
        dtype = np.dtype(np.float32)
    return x, w, geom, dtype


def _pad_nhwc(x, geom):
    """``x`` zero-padded and moved to channels-last, in one copy: (B, H_p, W_p, C)."""
    b, c = x.shape[:2]
    xp = np.zeros((b, geom.hp, geom.wp, c), dtype=x.dtype)
    xp[:, geom.ph : geom.ph + geom.h, geom.pw : geom.pw + geom.w] = x.transpose(0, 2, 3, 1)
    return xp


def _nchw(a_nhwc):
    return np.ascontiguousarray(a_nhwc.transpose(0, 3, 1, 2))


# -- direct: one GEMM over the channels per kernel tap ----------------------------


def _direct_forward(x, w, geom):
    xp = _pad_nhwc(x, geom)
    wt = np.ascontiguousarray(w.transpose(2, 3, 1, 0))  # (K_h, K_w, C_in, C_out)
    b, c, o = x.shape[0], x.shape[1], w.shape[0]
    y = np.zeros((b * geom.ho * geom.wo, o), dtype=x.dtype)
    for u in range(geom.kh):
        for v in range(geom.kw):
            y += xp[geom.strided(u, v)].reshape(-1, c) @ wt[u, v]
    return _nchw(y.reshape(b, geom.ho, geom.wo, o))


def _direct_backward(x, w, g, geom):
    xp = _pad_nhwc(x, geom)
    wt = np.ascontiguousarray(w.transpose(2, 3, 1, 0))
    b, c, o = x.shape[0], x.shape[1], w.shape[0]
    g2 = np.ascontiguousarray(g.transpose(0, 2, 3, 1)).reshape(-1, o)
    grad_xp = np.zeros_like(xp)
    grad_wt = np.empty_like(wt)
    for u in range(geom.kh):
        for v in range(geom.kw):
            # Full convolution of the dilated output gradient with the kernel:
            # tap (u, v) sends g[i, j] @ w[:, :, u, v] to input position (s i + u, s j + v).
            grad_xp[geom.strided(u, v)] += (g2 @ wt[u, v].T).reshape(b, geom.ho, geom.wo, c)
            # Correlation of the input with the output gradient, one tap at a time.
            grad_wt[u, v] = xp[geom.strided(u, v)].reshape(-1, c).T @ g2
    grad_x = _nchw(grad_xp[:, geom.ph : geom.ph + geom.h, geom.pw : geom.pw + geom.w])
    return grad_x, np.ascontiguousarray(grad_wt.transpose(3, 2, 0, 1))


# -- im2col: patch matrix + one GEMM ---------------------------------------------
#
# Channels-last throughout: a patch row is laid out (u, v, c), so building the
# patch matrix copies runs of C contiguous values instead of single scalars;
# that halved the forward time at B=32, C=64, 32x32, K=3 (Chapter 9,
# book/09_cost.ipynb).


def _im2col(xp, kh, kw, sh, sw):
    """Patch matrix of a padded NHWC batch: rows (b, i, j), columns (u, v, c)."""
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (b, ho, wo, c, kh, kw)
    b, ho, wo, c = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(b * ho * wo, kh * kw * c), (b, ho, wo)


def _im2col_correlate(xp, w, sh, sw):
    """Valid, strided correlation of an already padded NHWC batch, as one GEMM; NCHW out."""
    o, c, kh, kw = w.shape
    cols, (b, ho, wo) = _im2col(xp, kh, kw, sh, sw)
    y = cols @ w.transpose(2, 3, 1, 0).reshape(kh * kw * c, o)
    return _nchw(y.reshape(b, ho, wo, o))


def _im2col_forward(x, w, geom):
    return _im2col_correlate(_pad_nhwc(x, geom), w, geom.sh, geom.sw)


def _im2col_backward(x, w, g, geom):
    o, c, kh, kw = w.shape
    b = x.shape[0]
    cols, _ = _im2col(_pad_nhwc(x, geom), kh, kw, geom.sh, geom.sw)
    g_nhwc = g.transpose(0, 2, 3, 1)
    grad_w = (g_nhwc.reshape(-1, o).T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2)
    # grad_x as a convolution: the output gradient, dilated by the stride and
    # padded by K - 1, correlated with the flipped kernels (in and out channels
    # swapped). Only the rows and columns of the unpadded input are computed.
    gd = np.zeros((b, geom.hp + kh - 1, geom.wp + kw - 1, o), dtype=g.dtype)
    gd[:, kh - 1 : kh - 1 + (geom.ho - 1) * geom.sh + 1 : geom.sh,
       kw - 1 : kw - 1 + (geom.wo - 1) * geom.sw + 1 : geom.sw] = g_nhwc  # fmt: skip
    gd = gd[:, geom.ph : geom.ph + geom.h + kh - 1, geom.pw : geom.pw + geom.w + kw - 1]
    w_flipped = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    grad_x = _im2col_correlate(gd, w_flipped, 1, 1)
    return grad_x, np.ascontiguousarray(grad_w)


# -- fft: spectra reused across channel pairs --------------------------------------
#
# The backward pass and the kernel's spectrum lay arrays out (frequency rows,
# frequency columns, batch-like, channel) so that after the 2-D FFT over axes
# (0, 1) a reshape gives (F, batch, channels) and the channel contraction at
# every frequency is a batched matrix product. The forward pass keeps the
# input and the output NCHW instead (see _fft_forward).
#
# Profiled at B=32, C_in=C_out=64, 32x32, K=7 (cProfile, Chapter 9): numpy's
# batched complex64 matmul took over 80% of the forward time; four real GEMMs
# on the real and imaginary parts, split over threads, cut it about tenfold,
# and the two-pass transforms that skip all-zero rows cut the kernel's FFT.
#
# Why an FFT of the padded size (H_p, W_p) suffices, with no extra room for
# the kernel: the transforms compute *cyclic* correlations, whose indices wrap
# around modulo the FFT size N >= H_p. In every pass the index that is read
# stays below H_p for the outputs we keep -- forward: s i + u <= H_p - 1 for
# i < H_out, u < K; input gradient: s i + u <= H_p - 1 for the same range;
# weight gradient: s i + u <= H_p - 1 -- so no wrapped term ever reaches a kept
# output, and the wrapped garbage lands only in outputs that valid mode (or
# the stride subsampling) discards.


def _fft_shape(geom):
    return scipy.fft.next_fast_len(geom.hp), scipy.fft.next_fast_len(geom.wp, real=True)


def _spectrum(a, shape, offset, step, order):
    """rfft2 of the maps of a 4-D array placed (dilated by ``step``) in a zero (N, M) frame.

    ``order`` moves the two non-spatial axes of ``a`` to the last two places.
    Returns (N * (M // 2 + 1), n2, n3) complex, one matrix per frequency.
    """
    (n, m), (oh, ow), (sh, sw) = shape, offset, step
    moved = a.transpose(*order)  # (h, w, n2, n3)
    h, w_, n2, n3 = moved.shape
    rows = oh + (h - 1) * sh + 1
    frame = np.zeros((rows, m, n2, n3), dtype=a.dtype)
    frame[oh::sh, ow : ow + (w_ - 1) * sw + 1 : sw] = moved
    # The 2-D transform as two 1-D passes, the first only over the rows that
    # hold data: the frame's other rows are zero, and so are their transforms.
    # For a 7x7 kernel in a 40x40 frame this skips most of the real pass.
    half = scipy.fft.rfft(frame, axis=1, workers=_WORKERS)
    return scipy.fft.fft(half, n=n, axis=0, workers=_WORKERS).reshape(-1, n2, n3)


def _spectral_matmul(a, b, conj_a=False, conj_b=False, out=None):
    """Per-frequency complex matrix product ``a @ b`` of spectra, as four real GEMMs.

    ``a`` and ``b`` are complex (F, n, k) and (F, k, m) arrays (transposed
    views are fine); either factor may be conjugated. Real GEMMs on
    contiguous copies of the real and imaginary parts run several times
    faster than numpy's batched complex ``matmul`` on these many small
    matrices, at the same rounding; each small GEMM runs on one core, so the
    frequencies, copies included, are split between threads (numpy releases
    the GIL). Measured in Chapter 9 (book/09_cost.ipynb). Returns the
    complex (F, n, m) product, written into ``out`` if given (a view of
    another layout is fine: the threads' copies do the reordering).
    """
    f = a.shape[0]
    if out is None:
        out = np.empty((f, a.shape[1], b.shape[2]), dtype=np.result_type(a.dtype, b.dtype))

    def part(rows):
        ar, ai, br, bi = (np.ascontiguousarray(p) for p in (a[rows].real, a[rows].imag, b[rows].real, b[rows].imag))
        re = ar @ br
        cross = ai @ bi
        # Re(a b) = ar br - ai bi; a conjugate flips the sign of its imaginary part.
        if conj_a != conj_b:
            re += cross
        else:
            re -= cross
        im = ai @ br
        cross = ar @ bi
        if conj_a:  # Im = ar bi - ai br
            np.subtract(cross, im, out=im)
        elif conj_b:  # Im = ai br - ar bi
            im -= cross
        else:
            im += cross
        out.real[rows] = re
        out.imag[rows] = im

    # Blocks of a few frequencies: when the spectra are laid out frequency
    # last, a block's copies then read whole cache lines, not one value each.
    list(_pool().map(part, [slice(lo, min(lo + _FREQUENCY_BLOCK, f)) for lo in range(0, f, _FREQUENCY_BLOCK)]))
    return out


def _pool():
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=_THREADS)
    return _POOL


def _inverse(spectrum, shape, rows):
    """irfft2 of (F, n2, n3) spectra back to real maps, only the rows ``rows`` (a slice).

    Two 1-D passes; the second (real) pass runs only over the rows a pass
    keeps: the first K_h of them for the weight gradient, for instance.
    """
    n, m = shape
    f, n2, n3 = spectrum.shape
    columns = scipy.fft.ifft(spectrum.reshape(n, m // 2 + 1, n2, n3), axis=0, workers=_WORKERS)[rows]
    return scipy.fft.irfft(columns, n=m, axis=1, workers=_WORKERS)  # (rows, M, n2, n3)


def _x_spectrum(x, geom, shape):
    return _spectrum(x, shape, (geom.ph, geom.pw), (1, 1), (2, 3, 0, 1))  # (F, B, C_in)


def _w_spectrum(w, shape):
    return _spectrum(w, shape, (0, 0), (1, 1), (2, 3, 1, 0))  # (F, C_in, C_out)


def _spectrum_nchw(a, shape, offset):
    """rfft2 of the maps of a 4-D array placed at ``offset`` in a zero (N, M) frame, layout kept.

    Returns (a.shape[0], a.shape[1], N, M // 2 + 1) complex. Unlike
    :func:`_spectrum` nothing is transposed: the forward pass reads and
    writes NCHW, and the per-frequency products gather their operands.
    """
    (n, m), (oh, ow) = shape, offset
    b, c, h, w_ = a.shape
    # The whole (N, M) frame, though rows past the data are zero: padding the
    # half spectrum to N rows instead (fft's n=N) copies it, which cost more.
    frame = np.zeros((b, c, n, m), dtype=a.dtype)
    frame[:, :, oh : oh + h, ow : ow + w_] = a
    half = scipy.fft.rfft(frame, axis=3, workers=_WORKERS)
    return scipy.fft.fft(half, axis=2, overwrite_x=True, workers=_WORKERS)


def _fft_forward(x, w, geom):
    # NCHW throughout. Profiled at B=32, C=64, 32x32, K=7 (cProfile): moving
    # the input to (H, W, B, C) before its FFT and the output back afterwards
    # took about 30 ms of a 100 ms call. Now the copies _spectral_matmul makes
    # anyway do the reordering, in blocks of frequencies; the call takes ~65 ms.
    shape = _fft_shape(geom)
    b, o = x.shape[0], w.shape[0]
    xf = _spectrum_nchw(x, shape, (geom.ph, geom.pw))  # (B, C_in, N, M')
    # The kernel is small before its FFT and large after, so it is reordered before.
    wf = _w_spectrum(w, shape)  # (F, C_in, C_out)
    n, mh = xf.shape[2:]
    yf = np.empty((b, o, n, mh), dtype=xf.dtype)
    # Correlation: X(f) conj(W(f)), summed over C_in at every frequency f.
    _spectral_matmul(
        xf.reshape(b, -1, n * mh).transpose(2, 0, 1),
        wf,
        conj_b=True,
        out=yf.reshape(b, o, n * mh).transpose(2, 0, 1),
    )
    columns = scipy.fft.ifft(yf, axis=2, overwrite_x=True, workers=_WORKERS)[:, :, : (geom.ho - 1) * geom.sh + 1 : geom.sh]
    y = scipy.fft.irfft(columns, n=shape[1], axis=3, workers=_WORKERS)
    return np.ascontiguousarray(y[:, :, :, : (geom.wo - 1) * geom.sw + 1 : geom.sw])


def _fft_backward(x, w, g, geom):
    shape = _fft_shape(geom)
    xf = _x_spectrum(x, geom, shape)  # (F, B, C_in)
    wf = _w_spectrum(w, shape)  # (F, C_in, C_out)
    gf = _spectrum(g, shape, (0, 0), (geom.sh, geom.sw), (2, 3, 0, 1))  # (F, B, C_out), dilated
    # Input gradient: full convolution of g with w, G(f) W(f)^T summed over C_out.
    gxp = _inverse(_spectral_matmul(gf, wf.transpose(0, 2, 1)), shape, slice(geom.ph, geom.ph + geom.h))  # (H, M, B, C_in)
    grad_x = gxp[:, geom.pw : geom.pw + geom.w].transpose(2, 3, 0, 1)
    # Weight gradient: correlation of x with g, conj(G(f))^T X(f) summed over the batch.
    gw = _inverse(_spectral_matmul(gf.transpose(0, 2, 1), xf, conj_a=True), shape, slice(0, geom.kh))  # (K_h, M, C_out, C_in)
    grad_w = gw[:, : geom.kw].transpose(2, 3, 0, 1)
    return np.ascontiguousarray(grad_x), np.ascontiguousarray(grad_w)


# -- winograd: F(2x2, 3x3) -----------------------------------------------------------
#
# Lavin & Gray's matrices. A 4x4 input tile d and a 3x3 kernel g give the 2x2
# valid correlation A^T [(G g G^T) * (B^T d B)] A, * elementwise. The input
# transform B^T d B only adds and subtracts, so it is written as slices of
# the zero frame rather than as matrix products; the GEMMs are the 16
# elementwise products summed over channels. All in NCHW, so no layout copy
# is needed besides the transforms themselves, which write the GEMMs' layout
# directly; they run single-threaded in numpy, so channel (input) and batch
# (output) chunks are spread over threads while the GEMMs use BLAS threads.

_WINOGRAD_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def _chunks(n):
    """``n`` split into one slice per thread (fewer if ``n`` is smaller)."""
    bounds = np.linspace(0, n, min(_THREADS, n) + 1).astype(int)
    return [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]


def _winograd_correlate(x, w, offset, out_shape):
    """Stride-1 correlation of ``x`` placed at ``offset`` in a zero frame with 3x3 ``w``, NCHW out.

    ``offset`` (rows, columns) may be negative: ``x`` is then cropped.
    Returns (B, C_out, *out_shape), the top-left ``out_shape`` outputs of
    the valid correlation over the frame.
    """
    b, c, h, wd = x.shape
    o = w.shape[0]
    ho, wo = out_shape
    th, tw = -(-ho // 2), -(-wo // 2)
    g = _WINOGRAD_G.astype(x.dtype)
    u = np.einsum("iu,ocuv,jv->ijoc", g, w, g).reshape(16, o, c)
    # The frame split by row and column parity into four (th + 1, tw + 1)
    # planes: tile (i, j) then reads rows i or i + 1 and columns j or j + 1 of
    # them, flat offsets 0, 1, tw + 1, tw + 2. So every transform step is one
    # long contiguous slice of the flattened planes; the tiles of the extra
    # row and column (i = th or j = tw) read junk and are dropped at the end.
    plane = (th + 1) * (tw + 1)
    slack = tw + 2
    frame_rows, frame_cols = 2 * th + 2, 2 * tw + 2
    place = []
    for off, size, frame in ((offset[0], h, frame_rows), (offset[1], wd, frame_cols)):
        dst, src = max(off, 0), max(-off, 0)
        n = max(min(size - src, frame - dst), 0)
        place.append((dst, src, n))
    (rd, rs, rn), (cd, cs_, cn) = place
    v = np.empty((4, 4, c, b, plane), dtype=x.dtype)

    def transform_input(cs):
        nc = cs.stop - cs.start
        length = b * nc * plane
        flat = np.zeros((2, 2, length + slack), dtype=x.dtype)
        planes = flat[:, :, :length].reshape(2, 2, b, nc, th + 1, tw + 1)
        for pr in range(2):
            r0 = (rd - pr) % 2  # the first frame row at or after rd with parity pr is rd + r0
            for pc in range(2):
                c0 = (cd - pc) % 2
                src = x[:, cs, rs + r0 : rs + rn : 2, cs_ + c0 : cs_ + cn : 2]
                top, left = (rd + r0) // 2, (cd + c0) // 2
                planes[pr, pc, :, :, top : top + src.shape[2], left : left + src.shape[3]] = src
        # B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]] on rows (k), then
        # columns, through one reused buffer so that no temporaries are allocated.
        d = [flat[k % 2, :, (k // 2) * (tw + 1) : (k // 2) * (tw + 1) + length + 1] for k in range(4)]
        t = np.empty((2, length + 1), dtype=x.dtype)
        q = [t[k % 2, k // 2 : k // 2 + length].reshape(b, nc, plane) for k in range(4)]
        rows = ((np.subtract, 0, 2), (np.add, 1, 2), (np.subtract, 2, 1), (np.subtract, 1, 3))
        for i, (ufunc, first, second) in enumerate(rows):
            ufunc(d[first], d[second], out=t)
            out = v[i, :, cs].transpose(0, 2, 1, 3)  # (4, B, chunk, plane) view
            np.subtract(q[0], q[2], out=out[0])
            np.add(q[1], q[2], out=out[1])
            np.subtract(q[2], q[1], out=out[2])
            np.subtract(q[1], q[3], out=out[3])

    list(_pool().map(transform_input, _chunks(c)))
    m = np.matmul(u, v.reshape(16, c, b * plane)).reshape(4, 4, o, b, th + 1, tw + 1)
    y = np.empty((b, o, th, 2, tw, 2), dtype=x.dtype)

    def inverse(a, out):
        """A^T = [[1, 1, 1, 0], [0, 1, -1, -1]] applied along the first axis of ``a``."""
        np.add(a[0], a[1], out=out[0])
        out[0] += a[2]
        np.subtract(a[1], a[2], out=out[1])
        out[1] -= a[3]

    def transform_output(bs):
        mb = m[:, :, :, bs]
        r = np.empty((2,) + mb.shape[1:], dtype=x.dtype)
        col = np.empty((2,) + mb.shape[2:], dtype=x.dtype)
        inverse(mb, r)  # rows
        for i in range(2):
            inverse(r[i], col)  # columns
            yb = y[bs, :, :, i].transpose(1, 0, 2, 3, 4)  # (O, chunk, th, tw, 2) view
            yb[..., 0] = col[0, :, :, :th, :tw]
            yb[..., 1] = col[1, :, :, :th, :tw]

    list(_pool().map(transform_output, _chunks(b)))
    return np.ascontiguousarray(y.reshape(b, o, 2 * th, 2 * tw)[:, :, :ho, :wo])


def _winograd_forward(x, w, geom):
    return _winograd_correlate(x, w, (geom.ph, geom.pw), (geom.ho, geom.wo))


def _winograd_backward(x, w, g, geom):
    # Stride 1: grad_x is the output gradient, padded by K - 1 - padding = 2 - padding,
    # correlated with the flipped kernels, input and output channels swapped.
    w_flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    grad_x = _winograd_correlate(g, w_flipped, (2 - geom.ph, 2 - geom.pw), (geom.h, geom.w))
    return grad_x, _patch_grad_w_nchw(x, g, geom)


def _patch_grad_w_nchw(x, g, geom):
    """Weight gradient at stride 1 as one GEMM per image over NCHW patches, summed over the batch.

    im2col's patch matrix, but built from and multiplied with NCHW arrays:
    at B=32, C=64, 32x32, K=3 skipping the channels-last copies of ``x`` and
    ``g`` made it about 20% faster than im2col's weight gradient.
    """
    b, c = x.shape[:2]
    o = g.shape[1]
    xp = np.zeros((b, c, geom.hp, geom.wp), dtype=x.dtype)
    xp[:, :, geom.ph : geom.ph + geom.h, geom.pw : geom.pw + geom.w] = x
    windows = sliding_window_view(xp, (geom.kh, geom.kw), axis=(2, 3))  # (B, C, H_out, W_out, K_h, K_w)
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(b, c * geom.kh * geom.kw, geom.ho * geom.wo)
    grad_w = np.matmul(g.reshape(b, o, -1), cols.transpose(0, 2, 1)).sum(axis=0)
    return grad_w.reshape(o, c, geom.kh, geom.kw)


_FORWARD = {"direct": _direct_forward, "im2col": _im2col_forward, "fft": _fft_forward, "winograd": _winograd_forward}
_BACKWARD = {
    "direct": _direct_backward,
    "im2col": _im2col_backward,
    "fft": _fft_backward,
    "winograd": _winograd_backward,
}
