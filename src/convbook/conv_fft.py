"""The FFT method of :func:`convbook.conv2d`: the convolution theorem with channels.

Mathieu, Henaff & LeCun (2014). Real 2-D FFTs of every input map, every
kernel and every output-gradient map, each computed once and reused for all
channel pairs; at every frequency the channel sum is a complex matrix
product, all frequencies in one batched product of the real and imaginary
parts (four real GEMMs, several times faster than numpy's complex
``matmul`` here); one inverse FFT per output map. A stride is applied by
subsampling the stride-1 result (forward) or dilating the output gradient
with zeros (backward), so the FFT work does not shrink with the stride.

Why an FFT of the padded size ``(H_p, W_p)`` suffices, with no extra room
for the kernel: the transforms compute *cyclic* correlations, whose indices
wrap around modulo the FFT size ``N >= H_p``. In every pass the index that
is read stays below ``H_p`` for the outputs we keep -- forward:
``s i + u <= H_p - 1`` for ``i < H_out``, ``u < K``; input gradient and
weight gradient: the same range -- so no wrapped term ever reaches a kept
output, and the wrapped garbage lands only in outputs that valid mode (or
the stride subsampling) discards. The size is
:attr:`convbook.geometry.LayerGeometry.fft_shape`, the one the cost model
counts.

Every array stays NCHW (the kernels OIHW): each transform runs over the
last two, contiguous axes, and the per-frequency products read their
operands as transposed views, in blocks of frequencies whose copies do the
reordering.

Profiled at B=32, C_in=C_out=64, 32x32, K=7 (cProfile, for Chapter *What
convolution costs*, book/09_cost.ipynb): numpy's batched complex64 matmul
took over 80% of the forward time; four real GEMMs on the real and
imaginary parts, split over threads, cut it about tenfold, and the two-pass
transforms that skip all-zero rows cut the kernel's FFT.

Taught in Chapter *Backpropagation through convolution*
(book/06_backpropagation.ipynb).
"""

import numpy as np
import scipy.fft

from ._parallel import pool

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
    # NCHW throughout. Profiled at B=32, C=64, 32x32, K=7 (cProfile): moving
    # the input to (H, W, B, C) before its FFT and the output back afterwards
    # took about 30 ms of a 100 ms call. Now the copies _spectral_matmul makes
    # anyway do the reordering, in blocks of frequencies; the call takes ~65 ms.
    shape = geom.fft_shape
    sh, sw = geom.stride
    b, o = geom.batch, geom.out_channels
    xf = _spectrum_nchw(x, shape, geom.padding)  # (B, C_in, N, M')
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
    rows = slice(None, (geom.out_height - 1) * sh + 1, sh)
    columns = scipy.fft.ifft(yf, axis=2, overwrite_x=True, workers=_workers(yf))[:, :, rows]
    y = scipy.fft.irfft(columns, n=shape[1], axis=3, workers=_workers(columns))
    y = np.ascontiguousarray(y[:, :, :, : (geom.out_width - 1) * sw + 1 : sw])
    return (y, (xf, wf)) if save else y


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
    # NCHW throughout, as in forward: every transform runs over the last two,
    # contiguous axes and the products' block copies do the reordering. The
    # earlier (frequency, frequency, batch, channel) layout spent about half
    # of this call moving data (the frame's transposed fill, the strided
    # column FFTs, the final transposes back to NCHW).
    shape = geom.fft_shape
    ph, pw = geom.padding
    b, c, o = geom.batch, geom.in_channels, geom.out_channels
    if spectra is None:
        spectra = _spectrum_nchw(x, shape, geom.padding), _w_spectrum(w, shape)
    xf, wf = spectra  # (B, C_in, N, M'), (F, C_in, C_out)
    gf = _spectrum_nchw(grad_output, shape, (0, 0), geom.stride)  # (B, C_out, N, M'), dilated
    n, mh = xf.shape[2:]
    f = n * mh
    g_f = gf.reshape(b, o, f).transpose(2, 0, 1)  # (F, B, C_out)
    # Input gradient: full convolution of g with w, G(f) W(f)^T summed over C_out.
    gxf = np.empty((b, c, n, mh), dtype=xf.dtype)
    _spectral_matmul(g_f, wf.transpose(0, 2, 1), out=gxf.reshape(b, c, f).transpose(2, 0, 1))
    grad_x = _inverse_nchw(gxf, shape, slice(ph, ph + geom.height), slice(pw, pw + geom.width))
    # Weight gradient: correlation of x with g, conj(G(f))^T X(f) summed over the batch.
    gwf = np.empty((o, c, n, mh), dtype=xf.dtype)
    _spectral_matmul(
        g_f.transpose(0, 2, 1),
        xf.reshape(b, c, f).transpose(2, 0, 1),
        conj_a=True,
        out=gwf.reshape(o, c, f).transpose(2, 0, 1),
    )
    grad_w = _inverse_nchw(gwf, shape, slice(0, geom.kernel_height), slice(0, geom.kernel_width))
    return grad_x, grad_w


def _w_spectrum(w, shape):
    """The kernels' rfft2 in an (N, M) frame, stored (C_out, C_in, N, M'), viewed (F, C_in, C_out).

    Two 1-D passes, the real one only over the K_h rows that hold data: the
    frame's other rows are zero, and so are their transforms; the complex
    pass pads to N rows. For a 7x7 kernel in a 40x40 frame this skips most
    of the real pass.
    """
    n, m = shape
    o, c, kh, kw = w.shape
    frame = np.zeros((o, c, kh, m), dtype=w.dtype)
    frame[..., :kw] = w
    half = scipy.fft.rfft(frame, axis=3, workers=_workers(frame))
    full = scipy.fft.fft(half, n=n, axis=2, workers=_workers(half))
    return full.reshape(o, c, -1).transpose(2, 1, 0)


def _spectrum_nchw(a, shape, offset, step=(1, 1)):
    """rfft2 of the maps of a 4-D array placed at ``offset`` (dilated by ``step``) in a zero (N, M) frame.

    Returns (a.shape[0], a.shape[1], N, M // 2 + 1) complex. Unlike
    :func:`_spectrum` nothing is transposed: the passes read and write
    NCHW, and the per-frequency products gather their operands.
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


def _spectral_matmul(a, b, conj_a=False, conj_b=False, out=None):
    """Per-frequency complex matrix product ``a @ b`` of spectra, as four real GEMMs.

    ``a`` and ``b`` are complex (F, n, k) and (F, k, m) arrays (transposed
    views are fine); either factor may be conjugated. Real GEMMs on
    contiguous copies of the real and imaginary parts run several times
    faster than numpy's batched complex ``matmul`` on these many small
    matrices, at the same rounding; each small GEMM runs on one core, so the
    frequencies, copies included, are split between threads (numpy releases
    the GIL). Measured in Chapter *What convolution costs*
    (book/09_cost.ipynb). Returns the complex (F, n, m) product, written
    into ``out`` if given (a view of another layout is fine: the threads'
    copies do the reordering).
    """
    f = a.shape[0]
    if out is None:
        out = np.empty((f, a.shape[1], b.shape[2]), dtype=np.result_type(a.dtype, b.dtype))

    def part(rows):
        ar, ai, br, bi = (
            np.ascontiguousarray(p) for p in (a[rows].real, a[rows].imag, b[rows].real, b[rows].imag)
        )
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

    blocks = [slice(lo, min(lo + _FREQUENCY_BLOCK, f)) for lo in range(0, f, _FREQUENCY_BLOCK)]
    if f * a.shape[1] * a.shape[2] * b.shape[2] < _SERIAL_WORK:
        for rows in blocks:  # the same blocks, hence the same products, bit for bit
            part(rows)
    else:
        list(pool().map(part, blocks))
    return out
