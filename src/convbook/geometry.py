"""The sizes of one 2-D convolution layer call, and the methods that compute it.

:func:`convbook.conv2d` and the cost model (:mod:`convbook.cost`) describe a
layer by the same numbers: batch, channels, image and kernel sizes, stride,
padding, output size and the FFT size. They live here, in one
:class:`LayerGeometry` built and validated by :func:`layer_geometry`, so that
the layer and the model can never disagree on what a layer is (an argument
one accepts and the other refuses, or two FFT sizes). The cost model
imports this module and :mod:`convbook.layers` imports the cost model (for
``method="auto"``), so the geometry cannot live in either.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb); the FFT size in Chapter *What convolution
costs* (book/09_cost.ipynb).
"""

import dataclasses

import numpy as np
import scipy.fft

from ._validation import int_or_pair, nonnegative_int, positive_int, shape_tuple
from .convolution import conv_output_size

__all__ = ["LAYER_METHODS", "LayerGeometry", "layer_geometry", "nchw"]

#: The algorithms of :func:`convbook.conv2d`, each in its own module
#: (:mod:`convbook.conv_direct`, :mod:`convbook.conv_im2col`,
#: :mod:`convbook.conv_fft`); the cost model covers exactly these.
LAYER_METHODS = ("direct", "im2col", "fft")


@dataclasses.dataclass(frozen=True)
class LayerGeometry:
    """Sizes of one conv2d call: ``x`` ``(B, C_in, H, W)``, ``w`` ``(C_out, C_in, K_h, K_w)``.

    Build it with :func:`layer_geometry`, which validates the sizes. Every
    pair is ``(along H, along W)``.

    Attributes
    ----------
    batch, in_channels, out_channels : int
        ``B``, ``C_in``, ``C_out``.
    height, width : int
        ``H``, ``W`` of the unpadded input.
    kernel_height, kernel_width : int
        ``K_h``, ``K_w``.
    stride, padding : (int, int)
        Step of the kernel and zeros added on both sides.
    out_height, out_width : int
        ``H_out``, ``W_out`` (:func:`convbook.conv_output_size`).

    Examples
    --------
    >>> from convbook.geometry import layer_geometry
    >>> g = layer_geometry((8, 3, 32, 32), (16, 3, 5, 5), stride=2, padding=(2, 1))
    >>> g.out_height, g.out_width, g.padded_height, g.padded_width
    (16, 15, 36, 34)
    >>> import numpy as np
    >>> g.pad_nhwc(np.ones((8, 3, 32, 32))).shape
    (8, 36, 34, 3)
    """

    batch: int
    in_channels: int
    out_channels: int
    height: int
    width: int
    kernel_height: int
    kernel_width: int
    stride: tuple
    padding: tuple
    out_height: int
    out_width: int

    @property
    def padded_height(self):
        """``H + 2 padding[0]``."""
        return self.height + 2 * self.padding[0]

    @property
    def padded_width(self):
        """``W + 2 padding[1]``."""
        return self.width + 2 * self.padding[1]

    @property
    def kernel_taps(self):
        """``K_h K_w``, the products per output and channel pair."""
        return self.kernel_height * self.kernel_width

    @property
    def input_shape(self):
        """``(B, C_in, H, W)``, the shape of ``x``."""
        return (self.batch, self.in_channels, self.height, self.width)

    @property
    def weight_shape(self):
        """``(C_out, C_in, K_h, K_w)``, the shape of ``w``."""
        return (self.out_channels, self.in_channels, self.kernel_height, self.kernel_width)

    @property
    def output_shape(self):
        """``(B, C_out, H_out, W_out)``, the shape of the layer's output (and of its gradient)."""
        return (self.batch, self.out_channels, self.out_height, self.out_width)

    @property
    def fft_shape(self):
        """The 2-D transform shape FFT convolution uses: ``(next_fast_len(N_h), next_fast_len(N_w, real=True))``.

        Along each axis ``N = max(H + p, K, H + 2p - K + 1)``: the input
        with the padding on one side only, unless the kernel or the
        stride-1 output is longer. A *cyclic* correlation of that length
        already gives every kept output of the three passes. Forward, the
        wrapped reads ``(i + u) mod N`` of outputs past ``N - 1 - u`` land
        in the ``p`` zeros before the input (``i + u - N <= H + 2p - 1 - N
        < p``); the input gradient's wrapped terms likewise meet only zeros,
        and the weight gradient reads as the forward pass does. The padding
        after the input, zeros the frame would hold, need not be held. The
        last axis is transformed as real input (``rfft``), the first as
        complex.

        Examples
        --------
        >>> from convbook.geometry import layer_geometry
        >>> layer_geometry((32, 64, 32, 32), (64, 64, 7, 7), padding=3).fft_shape
        (35, 36)
        >>> layer_geometry((32, 64, 32, 32), (64, 64, 7, 7)).fft_shape
        (32, 32)
        """
        return (
            scipy.fft.next_fast_len(_frame(self.height, self.kernel_height, self.padding[0])),
            scipy.fft.next_fast_len(_frame(self.width, self.kernel_width, self.padding[1]), real=True),
        )

    def strided(self, u, v):
        """Index, channels-last, of the padded-input positions that kernel tap ``(u, v)`` meets."""
        sh, sw = self.stride
        return (
            slice(None),
            slice(u, u + (self.out_height - 1) * sh + 1, sh),
            slice(v, v + (self.out_width - 1) * sw + 1, sw),
        )

    def pad_nhwc(self, x):
        """``x`` (NCHW) zero-padded and moved to channels-last, in one copy: ``(B, H_p, W_p, C)``."""
        b, c = x.shape[:2]
        ph, pw = self.padding
        xp = np.zeros((b, self.padded_height, self.padded_width, c), dtype=x.dtype)
        xp[:, ph : ph + self.height, pw : pw + self.width] = x.transpose(0, 2, 3, 1)
        return xp


def _frame(n, k, p):
    """The shortest alias-free cyclic length along one axis (:attr:`LayerGeometry.fft_shape`)."""
    return max(n + p, k, n + 2 * p - k + 1)


def nchw(a_nhwc):
    """A channels-last ``(B, H, W, C)`` array back in NCHW ``(B, C, H, W)``, contiguous.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.geometry import nchw
    >>> nchw(np.zeros((2, 5, 6, 3))).shape
    (2, 3, 5, 6)
    """
    return np.ascontiguousarray(a_nhwc.transpose(0, 3, 1, 2))


def layer_geometry(x_shape, w_shape, stride=1, padding=0, names=("x_shape", "w_shape")):
    """Validate the sizes of a conv2d call and return its :class:`LayerGeometry`.

    The one check of a layer's sizes, used by :func:`convbook.conv2d` and by
    every function of :mod:`convbook.cost`, so that both accept the same
    arguments. Taught in Chapter *Backpropagation through convolution*
    (book/06_backpropagation.ipynb).

    Parameters
    ----------
    x_shape : tuple of int
        ``(B, C_in, H, W)``.
    w_shape : tuple of int
        ``(C_out, C_in, K_h, K_w)``.
    stride : int or (int, int)
        Step of the kernel along (H, W); positive.
    padding : int or (int, int)
        Zeros added on both sides of (H, W); non-negative.
    names : (str, str)
        How error messages name the two shapes (``conv2d`` passes
        ``("x.shape", "w.shape")``).

    Returns
    -------
    LayerGeometry

    Raises
    ------
    ValueError
        If a size is not positive, the channels disagree, a stride is not
        positive, a padding is negative or the kernel does not fit in the
        padded input.
    TypeError
        If a size, the stride or the padding is not an integer.

    Examples
    --------
    >>> from convbook.geometry import layer_geometry
    >>> g = layer_geometry((2, 3, 8, 8), (4, 3, 3, 3), padding=(1, 0))
    >>> g.output_shape, g.fft_shape
    ((2, 4, 8, 6), (9, 8))
    >>> layer_geometry((2, 3, 8, 8), (4, 2, 3, 3))
    Traceback (most recent call last):
        ...
    ValueError: w_shape[1] (the weights' in_channels, 2) must equal x_shape[1] (the input channels, 3)
    """
    x_name, w_name = names
    x = shape_tuple(x_shape, x_name)
    w = shape_tuple(w_shape, w_name)
    if len(x) != 4:
        raise ValueError(f"{x_name} must have 4 entries (batch, in_channels, height, width), got {x}")
    if len(w) != 4:
        raise ValueError(
            f"{w_name} must have 4 entries (out_channels, in_channels, kernel_height, kernel_width), got {w}"
        )
    batch, in_channels, height, width = x
    out_channels, w_in_channels, kernel_height, kernel_width = w
    if w_in_channels != in_channels:
        raise ValueError(
            f"{w_name}[1] (the weights' in_channels, {w_in_channels}) must equal "
            f"{x_name}[1] (the input channels, {in_channels})"
        )
    stride = int_or_pair(stride, "stride", positive_int)
    padding = int_or_pair(padding, "padding", nonnegative_int)
    padded = (height + 2 * padding[0], width + 2 * padding[1])
    if kernel_height > padded[0] or kernel_width > padded[1]:
        raise ValueError(
            f"the kernel {w_name}[2:] = {(kernel_height, kernel_width)} must fit in the padded input "
            f"(H + 2 padding[0], W + 2 padding[1]) = {padded}: no kernel_size may exceed "
            f"input_size + 2 * padding"
        )
    return LayerGeometry(
        batch=batch,
        in_channels=in_channels,
        out_channels=out_channels,
        height=height,
        width=width,
        kernel_height=kernel_height,
        kernel_width=kernel_width,
        stride=stride,
        padding=padding,
        out_height=conv_output_size(height, kernel_height, stride[0], padding[0]),
        out_width=conv_output_size(width, kernel_width, stride[1], padding[1]),
    )
