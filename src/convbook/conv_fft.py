"""The FFT method of :func:`convbook.conv2d`: the convolution theorem with channels.

Mathieu, Henaff & LeCun (2014). Real 2-D FFTs of every input map and every
output-gradient map, and DFTs of every kernel, each computed once and
reused for all channel pairs; at every frequency the channel sum is a
complex matrix product (BLAS ``cgemm``, through numpy's ``matmul`` on
contiguous blocks of frequencies); one inverse FFT per output map. A stride
is applied by subsampling the stride-1 result (forward) or dilating the
output gradient with zeros (backward), so the FFT work does not shrink with
the stride.

Why so small a frame suffices: the transforms compute *cyclic*
correlations, whose indices wrap around modulo the frame's length, and
:attr:`convbook.geometry.LayerGeometry.fft_shape` (the size the cost model
counts too) is the shortest length whose wrapped terms reach no kept
output -- the input with its padding on one side, ``H + p`` points in
general, not ``H + 2p`` and not ``H + 2p + K - 1``.

Layouts: the input and output-gradient maps stay NCHW, each transform runs
over their last two, contiguous axes, and the products gather blocks of
frequencies into contiguous (frequency, batch, channel) copies. The kernels'
spectra are computed directly in (frequency, C_in, C_out) order, and the
weight gradient is left in (frequency, C_out, C_in) order and brought back
to its ``K_h x K_w`` taps by two small DFT products.

Measured at B=32, C_in=C_out=64, 32x32 maps, float32, on a 2-core EPYC
(the closing note of the FFT layer's speed issue): one complex GEMM per
block on gathered copies ran about twice as fast as the earlier four real
GEMMs on separated real and imaginary parts, provided OpenBLAS's own
threads are held to one inside the thread pool; timed alone, the kernels'
DFTs took about 3 ms against 10 ms for strided FFTs at 7x7.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb).
"""

import numpy as np
import scipy.fft

from ._parallel import map_serial_blas
from .adjoints import hermitian_weights

__all__ = ["forward", "backward"]

# scipy.fft's thread count: -1 uses every CPU, for arrays of at least
# _SERIAL_POINTS values; smaller ones are transformed on one thread, which is
# three times faster for the maps of the training chapter's 8 x 8 digits.
_WORKERS = -1
_SERIAL_POINTS = 1 << 15


def _workers(a):
    return 1 if a.size < _SERIAL_POINTS else _WORKERS


# Frequencies per task of the spectral products' thread pool: when the
# spectra are laid out frequency last, a block's copies then read whole
# cache lines, not one value each.
_FREQUENCY_BLOCK = 32
# Below this many complex multiply-adds a product runs on the calling thread:
# handing tiny blocks to the pool costs more than the arithmetic (the 8 x 8
# digits of the training chapter spent a third of an FFT step waiting on it).
_SERIAL_WORK = 1 << 18


def forward(x, w, geom, save=False):
    """``conv2d(x, w, stride, padding, method="fft")`` without bias, for checked arrays.

    Parameters
    ----------
    x, w : numpy.ndarray
        NCHW input and OIHW weights of one float dtype, as
        :func:`convbook.conv2d` passes them.
    geom : convbook.geometry.LayerGeometry
        Their sizes, stride and padding.
    save : bool
        Also return the spectra of ``x`` and ``w``, for :func:`backward`.

    Returns
    -------
    numpy.ndarray
        ``(B, C_out, H_out, W_out)``; with ``save``, ``(y, spectra)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv_fft
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> conv_fft.forward(x, w, layer_geometry(x.shape, w.shape)).round(6)
    array([[[[45., 54.],
             [81., 90.]]]])
    """
    shape = geom.fft_shape
    sh, sw = geom.stride
    b, c, o = geom.batch, geom.in_channels, geom.out_channels
    xf = _spectrum_nchw(x, shape, geom.padding)  # (B, C_in, N, M')
    wc = _conj_w_spectrum(w, shape)  # (F, C_in, C_out)
    n, mh = xf.shape[2:]
    x_f = xf.reshape(b, c, n * mh)
    yf = np.empty((b, o, n, mh), dtype=xf.dtype)
    y_f = yf.reshape(b, o, n * mh)

    # Correlation: X(f) conj(W(f)), summed over C_in at every frequency f.
    def products(rows):
        y_f[:, :, rows] = np.matmul(_gather(x_f, rows), wc[rows]).transpose(1, 2, 0)

    _per_frequency(products, n * mh, b * c * o)
    rows = slice(None, (geom.out_height - 1) * sh + 1, sh)
    columns = scipy.fft.ifft(yf, axis=2, overwrite_x=True, workers=_workers(yf))[:, :, rows]
    y = scipy.fft.irfft(columns, n=shape[1], axis=3, workers=_workers(columns))
    y = np.ascontiguousarray(y[:, :, :, : (geom.out_width - 1) * sw + 1 : sw])
    return (y, (xf, wc)) if save else y


def backward(x, w, grad_output, geom, spectra=None):
    """``conv2d_backward(..., method="fft")`` for checked arrays: ``(grad_x, grad_w)``.

    The spectra of ``x``, ``w`` and ``grad_output`` are each computed once
    and shared by both gradients; those of ``x`` and ``w`` are taken from
    ``spectra`` when the forward pass saved them (Mathieu et al. 2014).

    Parameters
    ----------
    x, w, geom
        As in :func:`forward`.
    grad_output : numpy.ndarray
        ``dL/dy``, shape ``geom.output_shape``, the dtype of ``x``.
    spectra : tuple, optional
        What ``forward(x, w, geom, save=True)`` returned beside ``y``.

    Returns
    -------
    grad_x, grad_w : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import conv_fft
    >>> from convbook.geometry import layer_geometry
    >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 3, 3))
    >>> grad_x, grad_w = conv_fft.backward(x, w, np.ones((1, 1, 2, 2)), layer_geometry(x.shape, w.shape))
    >>> grad_w[0, 0].round(6)
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    """
    shape = geom.fft_shape
    ph, pw = geom.padding
    b, c, o = geom.batch, geom.in_channels, geom.out_channels
    if spectra is None:
        spectra = _spectrum_nchw(x, shape, geom.padding), _conj_w_spectrum(w, shape)
    xf, wc = spectra  # (B, C_in, N, M'), (F, C_in, C_out)
    gf = _spectrum_nchw(grad_output, shape, (0, 0), geom.stride)  # (B, C_out, N, M'), dilated
    n, mh = xf.shape[2:]
    f = n * mh
    x_f, g_f = xf.reshape(b, c, f), gf.reshape(b, o, f)
    gxf = np.empty((b, c, n, mh), dtype=xf.dtype)
    gx_f = gxf.reshape(b, c, f)
    gw_f = np.empty((f, o, c), dtype=xf.dtype)

    def products(rows):
        g_conj = _gather(g_f, rows, conj=True)  # conj(G): (frequencies, B, C_out)
        # Input gradient, the full convolution of g with w: G(f) W(f)^T summed
        # over C_out. numpy's matmul has no conjugate transpose, so compute its
        # conjugate conj(G) (conj W)^T, and conjugate it back on the way out.
        np.conjugate(np.matmul(g_conj, wc[rows].transpose(0, 2, 1)).transpose(1, 2, 0), out=gx_f[:, :, rows])
        # Weight gradient, the correlation of x with g: conj(G(f))^T X(f) summed over the batch.
        np.matmul(g_conj.transpose(0, 2, 1), _gather(x_f, rows), out=gw_f[rows])

    _per_frequency(products, f, 2 * b * c * o)
    grad_x = _inverse_nchw(gxf, shape, slice(ph, ph + geom.height), slice(pw, pw + geom.width))
    grad_w = _taps_from_spectra(gw_f, shape, geom.kernel_height, geom.kernel_width)
    return grad_x, grad_w


def _conj_w_spectrum(w, shape):
    """The conjugated rfft2 of the kernels in an (N, M) frame, laid out (N M', C_in, C_out), contiguous.

    Each frequency's (C_in, C_out) matrix is then ready for the products
    with no copy. A kernel has only ``K_h K_w`` non-zero values in its
    frame, so the transform is two small DFT products (:func:`_inverse_dft`), all
    kernels at once: along H, ``N K_h K_w`` multiply-adds per kernel, then
    along W, ``N M' K_w``. For a 7x7 kernel in a 40x40 frame that is a few
    times the arithmetic of two FFT passes, but in large GEMMs instead of
    many strided transforms: timed alone at C_in=C_out=64 (2-core EPYC),
    about 3 ms against 10 ms for the two FFT passes.
    """
    n, m = shape
    o, c, kh, kw = w.shape
    cdtype = np.result_type(w.dtype, np.complex64)
    # Complex GEMMs on the taps made complex: a real GEMM on the real and
    # imaginary parts would leave them in separate arrays.
    taps = w.transpose(2, 3, 1, 0).reshape(kh, kw * c * o).astype(cdtype)  # [u, (v, c, o)]
    rows = _inverse_dft(n, n, kh, cdtype) @ taps  # [k, (v, c, o)]
    full = np.matmul(_inverse_dft(m, m // 2 + 1, kw, cdtype), rows.reshape(n, kw, c * o))  # [k, l, (c, o)]
    return full.reshape(n * (m // 2 + 1), c, o)


def _taps_from_spectra(spectra, shape, kh, kw):
    """The ``(K_h, K_w)`` top-left taps of the irfft2 of (N M', n0, n1) half spectra: ``(n0, n1, K_h, K_w)``.

    The weight gradient needs only ``K_h K_w`` values of each of its
    ``C_out C_in`` inverse transforms: two small products with the inverse
    DFTs restricted to those taps, along W then H, instead of two FFT
    passes and a crop. ``irfft2`` counts every column of the half spectrum
    twice but the first and, for even ``M``, the last, and keeps the real
    part.
    """
    n, m = shape
    f, n0, n1 = spectra.shape
    cdtype = spectra.dtype
    weights = (hermitian_weights(m) / (n * m)).astype(cdtype)
    along_w = (_inverse_dft(m, m // 2 + 1, kw, cdtype) * weights[:, None]).T
    columns = np.matmul(along_w, spectra.reshape(n, m // 2 + 1, n0 * n1))  # [k, v, (n0, n1)]
    taps = (_inverse_dft(n, n, kh, cdtype).T @ columns.reshape(n, kw * n0 * n1)).real
    return np.ascontiguousarray(taps.reshape(kh, kw, n0, n1).transpose(2, 3, 0, 1))


def _inverse_dft(n, frequencies, taps, dtype):
    """``exp(+2 pi i k t / n)`` for ``k < frequencies``, ``t < taps``: the conjugate DFT matrix, unscaled, cropped.

    Conjugating the kernels' spectra, and inverting the weight gradient's,
    both take this sign.
    """
    return np.exp(2j * np.pi * np.outer(np.arange(frequencies), np.arange(taps)) / n).astype(dtype)


def _spectrum_nchw(a, shape, offset, step=(1, 1)):
    """rfft2 of the maps of a 4-D array placed at ``offset`` (dilated by ``step``) in a zero (N, M) frame.

    Returns (a.shape[0], a.shape[1], N, M // 2 + 1) complex. Nothing is
    transposed: the passes read and write NCHW, and the per-frequency
    products gather their operands (:func:`_gather`).
    """
    (n, m), (oh, ow), (sh, sw) = shape, offset, step
    b, c, height, width = a.shape
    # The whole (N, M) frame, though rows past the data are zero: padding the
    # half spectrum to N rows instead (fft's n=N) copies it, which cost more.
    frame = np.zeros((b, c, n, m), dtype=a.dtype)
    frame[:, :, oh : oh + (height - 1) * sh + 1 : sh, ow : ow + (width - 1) * sw + 1 : sw] = a
    half = scipy.fft.rfft(frame, axis=3, workers=_workers(frame))
    return scipy.fft.fft(half, axis=2, overwrite_x=True, workers=_workers(half))


def _inverse_nchw(spectrum, shape, rows, columns):
    """irfft2 of (n0, n1, N, M') spectra back to real maps, cropped to ``rows`` and ``columns``.

    Two 1-D passes over the last two axes; the real pass runs only over the
    kept rows. Returns a contiguous (n0, n1, rows, columns) array.
    """
    kept = scipy.fft.ifft(spectrum, axis=2, overwrite_x=True, workers=_workers(spectrum))[:, :, rows]
    maps = scipy.fft.irfft(kept, n=shape[1], axis=3, workers=_workers(kept))
    return np.ascontiguousarray(maps[:, :, :, columns])


def _gather(spectra, rows, conj=False):
    """The frequencies ``rows`` of (n0, n1, F) spectra as a contiguous (frequencies, n0, n1) array.

    One copy, which reads ``_FREQUENCY_BLOCK`` consecutive values per
    (n0, n1) pair, and conjugates them on the way if ``conj``.
    """
    block = spectra[:, :, rows].transpose(2, 0, 1)
    out = np.empty(block.shape, dtype=block.dtype)
    if conj:
        np.conjugate(block, out=out)
    else:
        np.copyto(out, block)
    return out


def _per_frequency(task, frequencies, work):
    """Run ``task(rows)`` over blocks of frequencies: on the thread pool, or here if ``work`` is small.

    ``work`` is the complex multiply-adds per frequency. Each block's
    complex GEMMs (``matmul`` calls BLAS ``cgemm`` on the contiguous
    gathered operands) run on one core, so the blocks, copies included,
    are split between threads (numpy releases the GIL). The serial loop
    runs the same blocks, hence the same products, bit for bit.
    """
    blocks = [
        slice(lo, min(lo + _FREQUENCY_BLOCK, frequencies)) for lo in range(0, frequencies, _FREQUENCY_BLOCK)
    ]
    if frequencies * work < _SERIAL_WORK:
        for rows in blocks:
            task(rows)
    else:
        map_serial_blas(task, blocks)
