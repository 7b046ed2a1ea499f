"""The im2col method of :func:`convbook.conv2d`: a patch matrix and one GEMM.

Every receptive field is copied into one row of a patch matrix
(:func:`numpy.lib.stride_tricks.sliding_window_view`), and the layer is one
GEMM with the weights reshaped to ``(K_h K_w C_in, C_out)``: what CNN
frameworks do. Channels-last throughout: a patch row is laid out
``(u, v, c)``, so building the patch matrix copies runs of ``C_in``
contiguous values instead of single scalars; that halved the forward time
at B=32, C=64, 32x32, K=3 (measured for Chapter *What convolution costs*,
book/09_cost.ipynb). The input gradient is again one such GEMM, over the
dilated, padded output gradient and the flipped kernels.

im2col is introduced in Chapter *Convolution as one matrix multiply*
(book/04_matrix_multiply.ipynb); the layer's passes are taught in Chapter
*Backpropagation through convolution* (book/06_backpropagation.ipynb).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .geometry import nchw

__all__ = ["forward", "backward"]


def forward(x, w, geom):
    """``conv2d(x, w, stride, padding, method="im2col")`` without bias, for checked arrays.

    Parameters
    ----------
    x, w : numpy.ndarray
        NCHW input and OIHW weights of one float dtype, as
        :func:`convbook.conv2d` passes them.
    geom : convbook.geometry.LayerGeometry
        Their sizes, stride and padding.

    Returns
    -------
    numpy.ndarray
        ``(B, C_out, H_out, W_out)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv_im2col
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> conv_im2col.forward(x, w, layer_geometry(x.shape, w.shape, padding=1, stride=2))
    array([[[[10., 24.],
             [51., 90.]]]])
    """
    return _correlate(geom.pad_nhwc(x), w, geom.stride)


def backward(x, w, grad_output, geom):
    """``conv2d_backward(..., method="im2col")`` for checked arrays: ``(grad_x, grad_w)``.

    Parameters
    ----------
    x, w, geom
        As in :func:`forward`.
    grad_output : numpy.ndarray
        ``dL/dy``, shape ``geom.output_shape``, the dtype of ``x``.

    Returns
    -------
    grad_x, grad_w : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv_im2col
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> grad_x, grad_w = conv_im2col.backward(x, w, np.ones((1, 1, 2, 2)), layer_geometry(x.shape, w.shape))
    >>> grad_x[0, 0]
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    o, c, kh, kw = w.shape
    sh, sw = geom.stride
    ph, pw = geom.padding
    cols, _ = _patches(geom.pad_nhwc(x), kh, kw, geom.stride)
    g_nhwc = grad_output.transpose(0, 2, 3, 1)
    grad_w = (g_nhwc.reshape(-1, o).T @ cols).reshape(o, kh, kw, c).transpose(0, 3, 1, 2)
    # grad_x as a convolution: the output gradient, dilated by the stride and
    # padded by K - 1, correlated with the flipped kernels (in and out channels
    # swapped). Only the rows and columns of the unpadded input are computed.
    gd = np.zeros(
        (geom.batch, geom.padded_height + kh - 1, geom.padded_width + kw - 1, o), dtype=grad_output.dtype
    )
    gd[:, kh - 1 : kh - 1 + (geom.out_height - 1) * sh + 1 : sh,
       kw - 1 : kw - 1 + (geom.out_width - 1) * sw + 1 : sw] = g_nhwc  # fmt: skip
    gd = gd[:, ph : ph + geom.height + kh - 1, pw : pw + geom.width + kw - 1]
    w_flipped = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    grad_x = _correlate(gd, w_flipped, (1, 1))
    return grad_x, np.ascontiguousarray(grad_w)


def _patches(xp, kernel_height, kernel_width, stride):
    """Patch matrix of a padded NHWC batch: rows (b, i, j), columns (u, v, c); and (B, H_out, W_out)."""
    sh, sw = stride
    windows = sliding_window_view(xp, (kernel_height, kernel_width), axis=(1, 2))[:, ::sh, ::sw]
    b, ho, wo, c = windows.shape[:4]  # windows: (B, H_out, W_out, C, K_h, K_w)
    cols = windows.transpose(0, 1, 2, 4, 5, 3).reshape(b * ho * wo, kernel_height * kernel_width * c)
    return cols, (b, ho, wo)


def _correlate(xp, w, stride):
    """Valid, strided correlation of an already padded NHWC batch, as one GEMM; NCHW out."""
    o, c, kh, kw = w.shape
    cols, (b, ho, wo) = _patches(xp, kh, kw, stride)
    y = cols @ w.transpose(2, 3, 1, 0).reshape(kh * kw * c, o)
    return nchw(y.reshape(b, ho, wo, o))
