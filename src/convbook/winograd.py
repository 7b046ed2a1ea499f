"""Winograd's minimal filtering F(m x m, 3x3), m = 2 or 4, for 3x3 kernels at stride 1.

Lavin & Gray (2016). The padded input is cut into ``n x n`` tiles
(``n = m + 2``) overlapping by 2; each tile ``d`` and each kernel ``g`` go
through small fixed matrices, ``V = B^T d B`` and ``U = G g G^T``; the channel
sum becomes ``n^2`` GEMMs, one per position in the transformed tile, each
``(C_out x C_in) @ (C_in x B tiles)``; and the inverse transform ``A^T M A``
turns every ``n x n`` result into an ``m x m`` block of output. That is
``(m + 2)^2`` multiplications per ``m^2`` outputs instead of ``9 m^2``:
2.25 times fewer than the direct method for F(2x2, 3x3), 4 times fewer for
F(4x4, 3x3), whose larger transform coefficients (up to 5 in ``B^T``, 8 in
``A^T``) cost precision instead.

The input gradient is the same 3x3 stride-1 correlation of the padded
output gradient with the flipped kernels, so it runs the same way. The
weight gradient follows from ``y = A^T (U * V) A`` being linear in ``U``:
``dL/dU`` at each transformed position is a GEMM over tiles of
``A dY A^T`` (each ``m x m`` block of the output gradient, transformed) with
``V``, and ``dL/dg = G^T (dL/dU) G``.

Each two-sided transform is one GEMM with a Kronecker product
(``kron(B^T, B^T)``, ``n^2 x n^2``) over all tiles, which are gathered from
a zero frame channel block by channel block: a block's tiles fit in the
core's cache, and the blocks run on the thread pool with BLAS on one thread
each (:func:`convbook._parallel.map_serial_blas`). All in NCHW.

The public functions are :func:`convbook.winograd_conv2d` and
:func:`convbook.winograd_conv2d_backward`, which validate their arguments as
:func:`convbook.conv2d` does. Measured in Chapter *What convolution costs*
(book/09_cost.ipynb).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._parallel import map_serial_blas

__all__ = ["OUTPUT_TILES", "forward", "backward", "transforms"]

# Lavin & Gray's B^T, G and A^T for each output tile m (interpolation points 0, +-1 and,
# for m = 4, +-2, and infinity).
_MATRICES = {
    2: (
        [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
        [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]],
        [[1, 1, 1, 0], [0, 1, -1, -1]],
    ),
    4: (
        [
            [4, 0, -5, 0, 1, 0],
            [0, -4, -4, 1, 1, 0],
            [0, 4, -4, -1, 1, 0],
            [0, -2, -1, 2, 1, 0],
            [0, 2, -1, -2, 1, 0],
            [0, 4, 0, -5, 0, 1],
        ],
        [
            [1 / 4, 0, 0],
            [-1 / 6, -1 / 6, -1 / 6],
            [-1 / 6, 1 / 6, -1 / 6],
            [1 / 24, 1 / 12, 1 / 6],
            [1 / 24, -1 / 12, 1 / 6],
            [0, 0, 1],
        ],
        [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
    ),
}
OUTPUT_TILES = tuple(_MATRICES)

# Values of one channel block's gathered tiles: 2**18 float32 values (1 MiB), with the
# block's frame, within a core's L2 cache.
_BLOCK_VALUES = 2**18


def transforms(output_tile):
    """Lavin & Gray's matrices ``(B^T, G, A^T)`` of F(m x m, 3x3), ``m = output_tile``.

    Parameters
    ----------
    output_tile : {2, 4}

    Returns
    -------
    tuple of numpy.ndarray
        ``B^T`` ``(n, n)``, ``G`` ``(n, 3)`` and ``A^T`` ``(m, n)``, ``n = m + 2``,
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.winograd import transforms
    >>> bt, g, at = transforms(2)
    >>> d, k = np.arange(4.0), np.array([1.0, 2.0, 3.0])
    >>> at @ ((g @ k) * (bt @ d))  # F(2, 3): two outputs of the correlation of d with k
    array([ 8., 14.])
    """
    return tuple(np.array(a, dtype=float) for a in _MATRICES[output_tile])


def forward(x, w, geom, output_tile=4):
    """``winograd_conv2d(x, w, padding=padding, output_tile=...)`` without bias, for checked arrays.

    Parameters
    ----------
    x, w : numpy.ndarray
        NCHW input and OIHW 3x3 weights of one float dtype, as
        :func:`convbook.winograd_conv2d` passes them.
    geom : convbook.geometry.LayerGeometry
        Their sizes and padding; the stride must be 1.
    output_tile : {2, 4}
        ``m`` of F(m x m, 3x3).

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
    return _correlate(x, w, geom.padding, (geom.out_height, geom.out_width), output_tile)


def backward(x, w, grad_output, geom, output_tile=4):
    """``winograd_conv2d_backward(...)`` for checked arrays: ``(grad_x, grad_w)``.

    Parameters
    ----------
    x, w, geom, output_tile
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
    m = output_tile
    n = m + 2
    c, o = geom.in_channels, geom.out_channels
    ph, pw = geom.padding
    # Stride 1: grad_x is the output gradient, padded by K - 1 - padding = 2 - padding,
    # correlated with the flipped kernels, input and output channels swapped.
    w_flipped = np.ascontiguousarray(w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    grad_x = _correlate(grad_output, w_flipped, (2 - ph, 2 - pw), (geom.height, geom.width), m)
    tiles = _tile_counts((geom.out_height, geom.out_width), m)
    v = _input_transform(x, geom.padding, tiles, m)
    du = np.matmul(_gradient_transform(grad_output, tiles, m), v.transpose(0, 2, 1))  # (n^2, O, C)
    _, g, _ = transforms(m)
    grad_w = (np.kron(g, g).T.astype(x.dtype) @ du.reshape(n * n, o * c)).reshape(3, 3, o, c)
    return grad_x, np.ascontiguousarray(grad_w.transpose(2, 3, 0, 1))


def _tile_counts(out_shape, m):
    """Tiles per column and per row: ``m x m`` output blocks covering ``out_shape``, the last may overhang."""
    return tuple(-(-size // m) for size in out_shape)


def _blocks(n, values_each):
    """``range(n)`` in slices of at most ``_BLOCK_VALUES // values_each`` (at least one) items."""
    step = max(1, _BLOCK_VALUES // max(values_each, 1))
    return [slice(lo, min(lo + step, n)) for lo in range(0, n, step)]


def _correlate(x, w, offset, out_shape, m):
    """Stride-1 correlation of ``x`` placed at ``offset`` in a zero frame with 3x3 ``w``, NCHW out.

    ``offset`` (rows, columns) may be negative: ``x`` is then cropped.
    Returns (B, C_out, *out_shape), the top-left ``out_shape`` outputs of
    the valid correlation over the frame.
    """
    n = m + 2
    o, c = w.shape[:2]
    _, g, _ = transforms(m)
    u = (np.kron(g, g).astype(x.dtype) @ w.transpose(2, 3, 0, 1).reshape(9, o * c)).reshape(n * n, o, c)
    tiles = _tile_counts(out_shape, m)
    product = np.matmul(u, _input_transform(x, offset, tiles, m))  # (n^2, O, B tiles)
    return _output_transform(product, x.shape[0], tiles, out_shape, m)


def _input_transform(x, offset, tiles, m):
    """``B^T d B`` of every input tile: ``(n^2, C, B * tiles)``, tiles in (b, row, column) order."""
    n = m + 2
    b, c, height, width = x.shape
    th, tw = tiles
    per_channel = b * th * tw
    frame_shape = (m * th + 2, m * tw + 2)
    place = []
    for off, size, frame in zip(offset, (height, width), frame_shape):
        dst, src = max(off, 0), max(-off, 0)
        place.append((dst, src, max(min(size - src, frame - dst), 0)))
    (rd, rs, rn), (cd, cs, cn) = place
    bt, _, _ = transforms(m)
    kron = np.kron(bt, bt).astype(x.dtype)
    v = np.empty((n * n, c * per_channel), dtype=x.dtype)

    def transform(block):
        frame = np.zeros((block.stop - block.start, b, *frame_shape), dtype=x.dtype)
        frame[:, :, rd : rd + rn, cd : cd + cn] = x[:, block, rs : rs + rn, cs : cs + cn].transpose(
            1, 0, 2, 3
        )
        d = sliding_window_view(frame, (n, n), axis=(2, 3))[:, :, ::m, ::m]  # (block, B, th, tw, n, n)
        d = np.ascontiguousarray(d.transpose(4, 5, 0, 1, 2, 3)).reshape(n * n, -1)
        np.matmul(kron, d, out=v[:, block.start * per_channel : block.stop * per_channel])

    map_serial_blas(transform, _blocks(c, n * n * per_channel))
    return v.reshape(n * n, c, per_channel)


def _output_transform(product, b, tiles, out_shape, m):
    """``A^T M A`` of every transformed tile of ``product`` ``(n^2, O, B * tiles)``: ``(B, O, *out_shape)``."""
    n = m + 2
    o = product.shape[1]
    th, tw = tiles
    _, _, at = transforms(m)
    kron = np.kron(at, at).astype(product.dtype)
    y = np.empty((b, o, th, m, tw, m), dtype=product.dtype)

    def transform(block):
        blocks = (kron @ product[:, block].reshape(n * n, -1)).reshape(m, m, -1, b, th, tw)
        y[:, block] = blocks.transpose(3, 2, 4, 0, 5, 1)

    map_serial_blas(transform, _blocks(o, n * n * b * th * tw))
    y = y.reshape(b, o, m * th, m * tw)
    if (m * th, m * tw) == tuple(out_shape):
        return y
    return np.ascontiguousarray(y[:, :, : out_shape[0], : out_shape[1]])


def _gradient_transform(grad_output, tiles, m):
    """``A dY A^T`` of every ``m x m`` block of the output gradient: ``(n^2, O, B * tiles)``.

    The blocks that overhang the output are zero beyond it: those outputs
    were dropped, so their gradient is zero.
    """
    n = m + 2
    b, o, ho, wo = grad_output.shape
    th, tw = tiles
    per_channel = b * th * tw
    _, _, at = transforms(m)
    kron = np.kron(at, at).T.astype(grad_output.dtype)
    out = np.empty((n * n, o * per_channel), dtype=grad_output.dtype)

    def transform(block):
        blocks = np.zeros((m, m, block.stop - block.start, b, th, tw), dtype=grad_output.dtype)
        src = grad_output[:, block]
        for i in range(m):
            for j in range(m):
                part = src[:, :, i::m, j::m]  # (B, block, <= th, <= tw)
                blocks[i, j, :, :, : part.shape[2], : part.shape[3]] = part.transpose(1, 0, 2, 3)
        np.matmul(
            kron, blocks.reshape(m * m, -1), out=out[:, block.start * per_channel : block.stop * per_channel]
        )

    map_serial_blas(transform, _blocks(o, n * n * per_channel))
    return out.reshape(n * n, o, per_channel)
