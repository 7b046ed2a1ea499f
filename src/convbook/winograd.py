"""Winograd's minimal filtering F(2x2, 3x3), for 3x3 kernels at stride 1.

Lavin & Gray (2016). The padded input is cut into 4x4 tiles overlapping by
2, each tile and each kernel is transformed by small fixed matrices
(``B^T d B``, ``G g G^T``), and the channel sum becomes 16 GEMMs, one per
position in the 4x4 transformed tile, each
``(C_out x C_in) @ (C_in x B tiles)``; the inverse transform ``A^T m A``
turns every 4x4 result into a 2x2 block of output. That is 16
multiplications per 2x2 outputs instead of 36: 2.25 times fewer than the
direct method or im2col. The input gradient is the same 3x3 stride-1
correlation of the padded output gradient with the flipped kernel, so it
runs the same way; the weight gradient is im2col's patch matrix times the
output gradient, one GEMM per image, all in NCHW.

The input transform ``B^T d B`` only adds and subtracts, so it is written
as slices of the zero frame rather than as matrix products. All in NCHW, so
no layout copy is needed besides the transforms themselves, which write the
GEMMs' layout directly; they run single-threaded in numpy, so channel
(input) and batch (output) chunks are spread over threads while the GEMMs
use BLAS threads.

The public functions are :func:`convbook.winograd_conv2d` and
:func:`convbook.winograd_conv2d_backward`, which validate their arguments as
:func:`convbook.conv2d` does. Measured in Chapter *What convolution costs*
(book/09_cost.ipynb).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._parallel import chunks, pool

__all__ = ["forward", "backward"]

# Lavin & Gray's kernel transform G (4 x 3).
_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])


def forward(x, w, geom):
    """``winograd_conv2d(x, w, padding=padding)`` without bias, for checked arrays.

    Parameters
    ----------
    x, w : numpy.ndarray
        NCHW input and OIHW 3x3 weights of one float dtype, as
        :func:`convbook.winograd_conv2d` passes them.
    geom : convbook.geometry.LayerGeometry
        Their sizes and padding; the stride must be 1.

    Returns
    -------
    numpy.ndarray
        ``(B, C_out, H_out, W_out)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import winograd
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> winograd.forward(x, w, layer_geometry(x.shape, w.shape)).round(6)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    return _correlate(x, w, geom.padding, (geom.out_height, geom.out_width))


def backward(x, w, grad_output, geom):
    """``winograd_conv2d_backward(...)`` for checked arrays: ``(grad_x, grad_w)``.

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
    >>> from convbook import winograd
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> grad_x, grad_w = winograd.backward(x, w, np.ones((1, 1, 2, 2)), layer_geometry(x.shape, w.shape))
    >>> grad_x[0, 0].round(6)
    array([[1., 2., 2., 1.],
           [2., 4., 4., 2.],
           [2., 4., 4., 2.],
           [1., 2., 2., 1.]])
    """
    # Stride 1: grad_x is the output gradient, padded by K - 1 - padding = 2 - padding,
    # correlated with the flipped kernels, input and output channels swapped.
    ph, pw = geom.padding
    w_flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    grad_x = _correlate(grad_output, w_flipped, (2 - ph, 2 - pw), (geom.height, geom.width))
    return grad_x, _patch_grad_w_nchw(x, grad_output, geom)


def _correlate(x, w, offset, out_shape):
    """Stride-1 correlation of ``x`` placed at ``offset`` in a zero frame with 3x3 ``w``, NCHW out.

    ``offset`` (rows, columns) may be negative: ``x`` is then cropped.
    Returns (B, C_out, *out_shape), the top-left ``out_shape`` outputs of
    the valid correlation over the frame.
    """
    b, c, height, width = x.shape
    o = w.shape[0]
    ho, wo = out_shape
    th, tw = -(-ho // 2), -(-wo // 2)  # tiles per column and per row
    g = _G.astype(x.dtype)
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
    for off, size, frame in ((offset[0], height, frame_rows), (offset[1], width, frame_cols)):
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

    list(pool().map(transform_input, chunks(c)))
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

    list(pool().map(transform_output, chunks(b)))
    return np.ascontiguousarray(y.reshape(b, o, 2 * th, 2 * tw)[:, :, :ho, :wo])


def _patch_grad_w_nchw(x, g, geom):
    """Weight gradient at stride 1 as one GEMM per image over NCHW patches, summed over the batch.

    im2col's patch matrix, but built from and multiplied with NCHW arrays:
    at B=32, C=64, 32x32, K=3 skipping the channels-last copies of ``x`` and
    ``g`` made it about 20% faster than im2col's weight gradient.
    """
    b, c, o = geom.batch, geom.in_channels, geom.out_channels
    kh, kw = geom.kernel_height, geom.kernel_width
    ph, pw = geom.padding
    xp = np.zeros((b, c, geom.padded_height, geom.padded_width), dtype=x.dtype)
    xp[:, :, ph : ph + geom.height, pw : pw + geom.width] = x
    windows = sliding_window_view(xp, (kh, kw), axis=(2, 3))  # (B, C, H_out, W_out, K_h, K_w)
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(b, c * kh * kw, geom.out_height * geom.out_width)
    grad_w = np.matmul(g.reshape(b, o, -1), cols.transpose(0, 2, 1)).sum(axis=0)
    return grad_w.reshape(o, c, kh, kw)
