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
So every method below runs all three passes; each lives in its own module,
and this one holds the public functions, their checks and the dispatch.

``method="direct"`` (:mod:`convbook.conv_direct`)
    One multiply-accumulate per kernel tap ``(u, v)``: the shifted, strided
    input, channels last, times the ``C_in x C_out`` matrix ``w[:, :, u, v]``
    (``K_h K_w`` GEMMs over the channels).
``method="im2col"`` (:mod:`convbook.conv_im2col`)
    Every receptive field copied into one row of a patch matrix
    (:func:`numpy.lib.stride_tricks.sliding_window_view`, channels last), then
    one GEMM with the weights reshaped to ``(K_h K_w C_in, C_out)``: what CNN
    frameworks do.
``method="fft"`` (:mod:`convbook.conv_fft`)
    The convolution theorem with channels (Mathieu, Henaff & LeCun 2014).
    Real 2-D FFTs of every input map and every output-gradient map, and
    DFTs of every kernel, each computed once and reused for all channel
    pairs; at every frequency the channel sum is a complex matrix product
    (BLAS ``cgemm`` on contiguous blocks of frequencies); one inverse FFT
    per output map, in a frame no longer than the input with its padding
    on one side. A stride is
    applied by subsampling the stride-1 result (forward) or dilating the
    output gradient with zeros (backward), so the FFT work does not shrink
    with the stride.
``method="auto"``
    The method the fitted cost model predicts to be fastest for these
    shapes (:func:`convbook.choose_conv2d_method`), as
    :func:`scipy.signal.convolve` does with ``method="auto"``; the result is
    exactly that method's.
``winograd_conv2d`` (3x3 kernels only; :mod:`convbook.winograd`)
    Winograd's minimal filtering F(4x4, 3x3) or F(2x2, 3x3) (Lavin & Gray
    2016), for 3x3 kernels at stride 1 only (any padding; a ``ValueError``
    otherwise): 36 multiplications per 4x4 outputs instead of 144, or 16 per
    2x2 instead of 36. A function of its own, not a ``method``: it does not
    take every layer.

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

import dataclasses

import numpy as np

from . import conv_direct, conv_fft, conv_im2col, cost, winograd
from ._validation import check_choice, check_ndim, real_array, warn_if_not_finite
from .geometry import LAYER_METHODS as METHODS
from .geometry import LayerGeometry, layer_geometry

__all__ = [
    "METHODS",
    "Conv2dContext",
    "LayerGeometry",
    "conv2d",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_vjp",
    "layer_geometry",
    "winograd_conv2d",
    "winograd_conv2d_backward",
]

# What ``method`` may be: a concrete algorithm, or "auto" to let the cost model pick one.
_METHOD_CHOICES = METHODS + ("auto",)

_ALGORITHMS = {"direct": conv_direct, "im2col": conv_im2col, "fft": conv_fft, "winograd": winograd}


def conv2d(x, w, bias=None, stride=1, padding=0, method="direct"):
    """Forward pass of a 2-D convolution layer (PyTorch's ``conv2d``).

    Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb); see the module docstring for the
    formula and the methods.

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
    method : {"direct", "im2col", "fft", "auto"}
        The algorithm (:data:`METHODS`). All give the same numbers up to
        rounding. ``"auto"`` runs the one
        :func:`convbook.choose_conv2d_method` predicts to be fastest for
        these shapes, stride and padding, as :func:`scipy.signal.convolve`
        does with ``method="auto"``: the result is identical to that
        method's. (For 3x3 kernels at stride 1, :func:`winograd_conv2d` is
        a fourth algorithm.)

    Returns
    -------
    numpy.ndarray
        Shape ``(B, C_out, H_out, W_out)`` with
        ``H_out = conv_output_size(H, K_h, stride, padding)``; dtype as in
        the module docstring (float32 stays float32).

    Warns
    -----
    RuntimeWarning
        When the FFT runs (``method="fft"``, or ``"auto"`` choosing it) on
        ``x`` or ``w`` holding NaN or inf, as :func:`scipy.signal.convolve`
        warns: the transform spreads it to every output of that image. The
        result is returned unchanged.

    Raises
    ------
    ValueError
        If ``method`` is none of the above (``"winograd"`` included), or a
        shape, stride or padding does not fit.

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
    >>> bool(np.allclose(conv2d(x, w, method="auto"), conv2d(x, w)))
    True
    """
    check_choice(method, "method", _METHOD_CHOICES)
    return _forward(x, w, bias, stride, padding, method)


@dataclasses.dataclass(frozen=True, eq=False)
class Conv2dContext:
    """What :func:`conv2d_forward` keeps for :func:`conv2d_vjp`, like autograd's saved tensors.

    Attributes
    ----------
    x, w : numpy.ndarray
        The layer's input and weights, in the compute dtype (not copies:
        do not modify them between the two calls).
    geometry : convbook.geometry.LayerGeometry
        Sizes, stride and padding.
    method : str
        The algorithm that ran: ``"auto"`` resolved to the cost model's pick.
    saved : object or None
        What that algorithm reuses in the backward pass: for ``"fft"`` the
        spectra of ``x`` and ``w``; ``None`` for the others.
    """

    x: np.ndarray
    w: np.ndarray
    geometry: LayerGeometry
    method: str
    saved: object = None


def conv2d_forward(x, w, bias=None, stride=1, padding=0, method="direct"):
    """:func:`conv2d` for a training step: ``(y, ctx)``, ``ctx`` for :func:`conv2d_vjp`.

    ``y`` is exactly ``conv2d(x, w, bias, stride, padding, method)``. With
    ``method="fft"`` (or ``"auto"`` choosing it) ``ctx`` holds the spectra
    of ``x`` and ``w`` that the forward pass computed, so that the backward
    pass transforms only the output gradient: the reuse of Mathieu, Henaff
    & LeCun (2014). With the other methods nothing is saved beyond ``x``
    and ``w``, and :func:`conv2d_vjp` is :func:`conv2d_backward`. The
    reuse is the one Chapter *The argument, point by point*
    (book/10_argument.ipynb) counts; :mod:`convbook.cnn` trains with it.

    Parameters
    ----------
    x, w, bias, stride, padding, method
        As in :func:`conv2d`.

    Returns
    -------
    y : numpy.ndarray
        The layer's output, as :func:`conv2d` returns it.
    ctx : Conv2dContext
        What :func:`conv2d_vjp` needs; it refers to ``x`` and ``w``
        without copying them, so they must not change in between.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d_backward, conv2d_forward, conv2d_vjp
    >>> rng = np.random.default_rng(0)
    >>> x, w = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))
    >>> y, ctx = conv2d_forward(x, w, padding=1, method="fft")
    >>> ctx.method, ctx.saved is not None
    ('fft', True)
    >>> gx, gw = conv2d_vjp(ctx, np.ones_like(y))
    >>> all(np.array_equal(a, b) for a, b in zip((gx, gw), conv2d_backward(x, w, np.ones_like(y), 1, 1, "fft")))
    True
    """
    check_choice(method, "method", _METHOD_CHOICES)
    return _forward(x, w, bias, stride, padding, method, save=True)


def conv2d_vjp(ctx, grad_output):
    """``(grad_x, grad_w)`` of the call ``ctx`` records (from :func:`conv2d_forward`).

    The numbers :func:`conv2d_backward` returns for the same arrays and
    method; what the forward pass saved is reused, not recomputed. A
    ``grad_output`` whose dtype would promote the computation (float64
    against a float32 layer) gets the promoted computation, without reuse.
    The gradients are those of Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    ctx : Conv2dContext
        As returned by :func:`conv2d_forward`.
    grad_output : array_like
        ``dL/dy``, the shape of the forward call's output.

    Returns
    -------
    grad_x, grad_w : numpy.ndarray
        Shaped like the forward call's ``x`` and ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv2d_forward, conv2d_vjp
    >>> x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    >>> y, ctx = conv2d_forward(x, w)
    >>> gx, gw = conv2d_vjp(ctx, np.ones_like(y))
    >>> gw[0, 0]
    array([[4., 4., 4.],
           [4., 4., 4.],
           [4., 4., 4.]])
    """
    if not isinstance(ctx, Conv2dContext):
        raise TypeError(f"ctx must be the Conv2dContext conv2d_forward returned, got {type(ctx).__name__}")
    grad_output = real_array(grad_output, "grad_output")
    geom = ctx.geometry
    _check_grad_output(grad_output, geom)
    dtype = np.result_type(ctx.x.dtype, grad_output.dtype)
    x, w, saved = ctx.x, ctx.w, ctx.saved
    if dtype != x.dtype:
        x, w, saved = x.astype(dtype), w.astype(dtype), None
    algorithm = _ALGORITHMS[ctx.method]
    if ctx.method == "fft":
        warn_if_not_finite((grad_output,), stacklevel=2)
        return algorithm.backward(x, w, grad_output.astype(dtype, copy=False), geom, saved)
    return algorithm.backward(x, w, grad_output.astype(dtype, copy=False), geom)


def winograd_conv2d(x, w, bias=None, padding=0, output_tile=4):
    """:func:`conv2d` by Winograd's minimal filtering F(m x m, 3x3).

    For 3x3 kernels at stride 1 (any padding): ``(m + 2)^2``
    multiplications per ``m x m`` block of outputs instead of ``9 m^2``, 16
    instead of 36 for F(2x2, 3x3) and 36 instead of 144 for F(4x4, 3x3), the
    reason frameworks send 3x3 layers to Winograd rather than the FFT (Lavin
    & Gray 2016). The same numbers as ``conv2d(x, w, bias, 1, padding)`` up
    to rounding, which the larger tile makes larger (its transforms hold
    coefficients up to 8). Measured in Chapter *What convolution costs*
    (book/09_cost.ipynb).

    Parameters
    ----------
    x, w, bias, padding
        As in :func:`conv2d`; ``w`` must have 3x3 kernels.
    output_tile : {4, 2}
        ``m``, the side of the output block each transformed tile gives.

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
    >>> winograd_conv2d(x, np.ones((1, 1, 3, 3)), output_tile=2).round(6)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    return _forward(x, w, bias, 1, padding, "winograd", options=_winograd_options(output_tile))


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
    x, w, stride, padding
        As in :func:`conv2d`.
    grad_output : array_like
        ``dL/dy``, shape ``(B, C_out, H_out, W_out)`` (the shape of
        ``conv2d(x, w, ...)``).
    method : {"direct", "im2col", "fft", "auto"}
        As in :func:`conv2d`. ``"auto"`` picks the method
        :func:`convbook.choose_conv2d_method` picks for the forward pass of
        the same layer (the model predicts forward times), so that a
        training step runs one method throughout; the gradients are
        identical to that method's.

    Returns
    -------
    grad_x : numpy.ndarray
        Shape of ``x``.
    grad_w : numpy.ndarray
        Shape of ``w``.

    Warns
    -----
    RuntimeWarning
        As :func:`conv2d`, when the FFT runs on ``x``, ``w`` or
        ``grad_output`` holding NaN or inf.

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
    >>> gx_auto, gw_auto = conv2d_backward(x, w, np.ones((1, 1, 2, 2)), method="auto")
    >>> bool(np.allclose(gw_auto, gw))
    True
    """
    check_choice(method, "method", _METHOD_CHOICES)
    return _backward(x, w, grad_output, stride, padding, method)


def winograd_conv2d_backward(x, w, grad_output, padding=0, output_tile=4):
    """:func:`conv2d_backward` for :func:`winograd_conv2d`: ``(grad_x, grad_w)``.

    The input gradient is a full 3x3 correlation with the flipped kernels at
    stride 1, so it runs through F(m x m, 3x3) too; the weight gradient
    reuses the input's transformed tiles, which meet the transformed blocks
    of the output gradient in ``(m + 2)^2`` GEMMs over the tiles.

    Parameters
    ----------
    x, w, grad_output, padding
        As in :func:`conv2d_backward`; ``w`` must have 3x3 kernels.
    output_tile : {4, 2}
        As in :func:`winograd_conv2d`.

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
    return _backward(x, w, grad_output, 1, padding, "winograd", options=_winograd_options(output_tile))


def _winograd_options(output_tile):
    if isinstance(output_tile, bool) or output_tile not in winograd.OUTPUT_TILES:
        raise ValueError(f"output_tile must be one of {winograd.OUTPUT_TILES}, got {output_tile!r}")
    return {"output_tile": int(output_tile)}


def _forward(x, w, bias, stride, padding, method, save=False, options=None):
    extra = ()
    if bias is not None:
        bias = real_array(bias, "bias")
        extra = (bias,)
    x, w, geom, dtype = _check_layer(x, w, stride, padding, method, extra)
    if bias is not None and bias.shape != (geom.out_channels,):
        raise ValueError(f"bias must have shape (C_out,) = ({geom.out_channels},), got shape {bias.shape}")
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    method = _resolve(method, geom, (x, w), stacklevel=4)
    saved = None
    if save and method == "fft":
        y, saved = conv_fft.forward(x, w, geom, save=True)
    else:
        y = _ALGORITHMS[method].forward(x, w, geom, **(options or {}))
    if bias is not None:
        y += bias.astype(dtype, copy=False)[:, None, None]
    return (y, Conv2dContext(x, w, geom, method, saved)) if save else y


def _check_grad_output(grad_output, geom):
    if grad_output.shape != geom.output_shape:
        raise ValueError(
            f"grad_output must have the shape of the layer's output (B, C_out, H_out, W_out) = "
            f"{geom.output_shape}, got shape {grad_output.shape}"
        )


def _backward(x, w, grad_output, stride, padding, method, options=None):
    grad_output = real_array(grad_output, "grad_output")
    x, w, geom, dtype = _check_layer(x, w, stride, padding, method, (grad_output,))
    _check_grad_output(grad_output, geom)
    return _ALGORITHMS[_resolve(method, geom, (x, w, grad_output), stacklevel=4)].backward(
        x.astype(dtype, copy=False),
        w.astype(dtype, copy=False),
        grad_output.astype(dtype, copy=False),
        geom,
        **(options or {}),
    )


def _resolve(method, geom, arrays, stacklevel):
    """The algorithm ``method`` names; for "auto", the cost model's pick for ``geom``.

    Warns (``stacklevel`` frames up from the caller) when the FFT is to run on ``arrays`` holding NaN or inf.
    """
    if method == "auto":
        method = cost.choose_conv2d_method(geom.input_shape, geom.weight_shape, geom.stride, geom.padding)
    if method == "fft":
        warn_if_not_finite(arrays, stacklevel=stacklevel)
    return method


def _check_layer(x, w, stride, padding, method, extra):
    """Validated ``x``, ``w``, their geometry and the compute dtype (``extra``: arrays that join the promotion)."""
    x = check_ndim(real_array(x, "x"), "x", 4, "(B, C_in, H, W)")
    w = check_ndim(real_array(w, "w"), "w", 4, "(C_out, C_in, K_h, K_w)")
    geom = layer_geometry(x.shape, w.shape, stride, padding, names=("x.shape", "w.shape"))
    if method == "winograd" and (geom.kernel_height, geom.kernel_width) != (3, 3):
        raise ValueError(f"winograd_conv2d needs 3x3 kernels in w, got (K_h, K_w) = {w.shape[2:]}")
    dtype = np.result_type(x.dtype, w.dtype, *(a.dtype for a in extra), np.float32)
    if dtype == np.float16:
        dtype = np.dtype(np.float32)
    return x, w, geom, dtype
