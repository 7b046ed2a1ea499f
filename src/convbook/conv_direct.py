"""The direct method of :func:`convbook.conv2d`: one GEMM over the channels per kernel tap.

For every tap ``(u, v)`` of the kernel, the shifted, strided input (channels
last, so that a row is one pixel's ``C_in`` values) is multiplied by the
``C_in x C_out`` matrix ``w[:, :, u, v]`` and added into the output:
``K_h K_w`` GEMMs whose inner dimension is only ``C_in``. The backward pass
walks the same taps, sending each output gradient back to the input
positions the tap met and correlating the input with the output gradient.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb).
"""

import numpy as np

from .geometry import nchw

__all__ = ["forward", "backward"]


def forward(x, w, geom):
    """``conv2d(x, w, stride, padding, method="direct")`` without bias, for checked arrays.

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
    >>> from convbook import conv_direct
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> conv_direct.forward(x, w, layer_geometry(x.shape, w.shape))
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    xp = geom.pad_nhwc(x)
    wt = np.ascontiguousarray(w.transpose(2, 3, 1, 0))  # (K_h, K_w, C_in, C_out)
    c, o = geom.in_channels, geom.out_channels
    y = np.zeros((geom.batch * geom.out_height * geom.out_width, o), dtype=x.dtype)
    for u in range(geom.kernel_height):
        for v in range(geom.kernel_width):
            y += xp[geom.strided(u, v)].reshape(-1, c) @ wt[u, v]
    return nchw(y.reshape(geom.batch, geom.out_height, geom.out_width, o))


def backward(x, w, grad_output, geom):
    """``conv2d_backward(..., method="direct")`` for checked arrays: ``(grad_x, grad_w)``.

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
    >>> from convbook import conv_direct
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> grad_x, grad_w = conv_direct.backward(x, w, np.ones((1, 1, 2, 2)), layer_geometry(x.shape, w.shape))
    >>> grad_w[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    xp = geom.pad_nhwc(x)
    wt = np.ascontiguousarray(w.transpose(2, 3, 1, 0))
    c, o = geom.in_channels, geom.out_channels
    g2 = np.ascontiguousarray(grad_output.transpose(0, 2, 3, 1)).reshape(-1, o)
    grad_xp = np.zeros_like(xp)
    grad_wt = np.empty_like(wt)
    for u in range(geom.kernel_height):
        for v in range(geom.kernel_width):
            # Full convolution of the dilated output gradient with the kernel:
            # tap (u, v) sends g[i, j] @ w[:, :, u, v] to input position (s i + u, s j + v).
            grad_xp[geom.strided(u, v)] += (g2 @ wt[u, v].T).reshape(
                geom.batch, geom.out_height, geom.out_width, c
            )
            # Correlation of the input with the output gradient, one tap at a time.
            grad_wt[u, v] = xp[geom.strided(u, v)].reshape(-1, c).T @ g2
    ph, pw = geom.padding
    grad_x = nchw(grad_xp[:, ph : ph + geom.height, pw : pw + geom.width])
    return grad_x, np.ascontiguousarray(grad_wt.transpose(3, 2, 0, 1))
