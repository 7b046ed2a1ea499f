"""Layers that stay in the frequency domain, and what a pointwise nonlinearity does to a spectrum.

A network that convolved by FFT could skip the inverse transform only if
its nonlinearity acted frequency by frequency; ReLU acts pixel by pixel
and moves energy to frequencies the input did not have
(:func:`energy_outside_band` measures how much). Two designs keep part of
the computation in frequency all the same: *spectral pooling* (Rippel,
Snoek & Adams 2015), which downsamples by keeping the lowest frequencies
(:func:`spectral_pool`), and the *Fourier layer* of Fourier neural
operators (Li et al. 2021), a global convolution whose filter has a free
value at each of a few low frequencies and none above them
(:func:`fourier_layer`).

Frequencies are signed integers, as ``numpy.fft.fftfreq(n) * n`` gives
them; the *band* of ``modes = (m_1, ..., m_d)`` over the last ``d`` axes
holds the frequencies with ``|k_i| < m_i`` on every axis, a set closed
under ``k -> -k``, so the band-limited part of a real signal is real.

Taught in Chapter *What locality buys* (book/11_locality.ipynb).
"""

import numpy as np
import scipy.fft

from ._validation import as_numeric_array, check_ndim, positive_int, real_array, shape_tuple

__all__ = ["band_limit", "energy_outside_band", "spectral_pool", "fourier_layer"]


def band_limit(x, modes):
    """The part of ``x`` whose frequencies lie in the band: the orthogonal projection onto it.

    Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Real or complex signal; its last ``len(modes)`` axes are transformed.
    modes : int or tuple of int
        ``m_i`` for each of the last axes (an int: the last axis only);
        frequency ``k`` survives along axis ``i`` when ``|k| < m_i``.

    Returns
    -------
    numpy.ndarray
        Same shape; real when ``x`` is real.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.spectral_layers import band_limit
    >>> t = np.arange(16) / 16
    >>> x = np.cos(2 * np.pi * 2 * t) + np.cos(2 * np.pi * 5 * t)
    >>> bool(np.allclose(band_limit(x, 3), np.cos(2 * np.pi * 2 * t)))
    True
    """
    x, modes = _signal_and_modes(x, modes)
    axes = tuple(range(-len(modes), 0))
    kept = scipy.fft.ifftn(scipy.fft.fftn(x, axes=axes) * _band_mask(x.shape, modes), axes=axes)
    return kept.real if np.isrealobj(x) else kept


def energy_outside_band(x, modes):
    """The fraction of the energy ``sum |x|²`` that lies at frequencies outside the band.

    By Parseval's theorem the energy of a signal is the energy of its DFT
    (divided by the number of samples), so the fraction is measured on the
    spectrum. Taught in Chapter *What locality buys*
    (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Signal, not identically zero; transformed over its last
        ``len(modes)`` axes, and the energy summed over all axes.
    modes : int or tuple of int
        The band, as for :func:`band_limit`.

    Returns
    -------
    float
        Between 0 and 1.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.spectral_layers import energy_outside_band
    >>> x = np.cos(2 * np.pi * 3 * np.arange(1024) / 1024)
    >>> round(energy_outside_band(x, 4), 12), round(energy_outside_band(np.maximum(x, 0), 4), 4)
    (0.0, 0.0947)
    """
    x, modes = _signal_and_modes(x, modes)
    axes = tuple(range(-len(modes), 0))
    power = np.abs(scipy.fft.fftn(x, axes=axes)) ** 2
    total = power.sum()
    if total == 0:
        raise ValueError("x must not be identically zero: its energy is the denominator")
    return float(power[~np.broadcast_to(_band_mask(x.shape, modes), power.shape)].sum() / total)


def spectral_pool(x, output_shape):
    """Downsample the last two axes by keeping only the lowest frequencies (Rippel et al. 2015).

    The DFT of each map is cropped to the ``output_shape`` lowest
    frequencies and transformed back on the coarser grid, scaled so that a
    constant map keeps its value: Fourier resampling,
    ``scipy.signal.resample`` along each axis (which splits an even-length
    crop's unpaired Nyquist bin between its two mirror images, so the
    result of a real map is real). Upsampling the result the same way gives
    the orthogonal projection of ``x`` onto the band, the best
    least-squares approximation that the kept frequencies allow. Taught in
    Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Real maps, shape ``(..., H, W)``.
    output_shape : int or tuple of two ints
        ``(h, w)``, each at most the input's.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., h, w)``, float64 (float32 for float32 input).

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.spectral_layers import spectral_pool
    >>> x = np.add.outer(np.cos(2 * np.pi * np.arange(8) / 8), np.zeros(8))
    >>> np.round(spectral_pool(x, (4, 4))[:, 0], 6)
    array([ 1.,  0., -1., -0.])
    """
    x = real_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must have at least two axes (..., H, W), got shape {x.shape}")
    shape = shape_tuple((output_shape,) * 2 if np.ndim(output_shape) == 0 else output_shape, "output_shape")
    if len(shape) != 2 or shape[0] > x.shape[-2] or shape[1] > x.shape[-1]:
        raise ValueError(
            f"output_shape must be two sizes no larger than the maps' {x.shape[-2:]}, got {output_shape!r}"
        )
    import scipy.signal  # here, not at the top: it is slow to import, and only this function needs it

    dtype = np.float32 if x.dtype == np.float32 else np.float64
    pooled = scipy.signal.resample(x.astype(np.float64), shape[0], axis=-2)
    return scipy.signal.resample(pooled, shape[1], axis=-1).astype(dtype)


def fourier_layer(x, weights, modes):
    """The spectral convolution of a Fourier neural operator (Li et al. 2021).

    ``y = irfft2(R · rfft2(x))``, where at each kept frequency ``R`` is a
    complex ``C_in x C_out`` matrix that mixes the channels, and every
    other frequency is set to zero. As in the authors' implementation the
    kept frequencies are the rows ``[:m_1]`` and ``[-m_1:]`` (the lowest
    positive and negative vertical frequencies) and the columns ``[:m_2]``
    of the half spectrum. The map is a circular convolution (it commutes
    with circular shifts) whose filters are band-limited to
    ``|k_1| <= m_1, |k_2| < m_2``, so it is global, and it does not depend
    on the grid: applied to a finer sampling of a band-limited input it
    gives the finer sampling of the same output. A full Fourier layer adds
    a pointwise channel mix and applies its nonlinearity in space, so it
    transforms back to pixels every layer. Taught in Chapter *What locality
    buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x : array_like
        Real input, shape ``(B, C_in, H, W)``.
    weights : array_like
        Complex, shape ``(C_in, C_out, 2 * m_1, m_2)``: the first ``m_1``
        rows for frequencies ``0 ... m_1 - 1``, the last ``m_1`` for
        ``-m_1 ... -1``.
    modes : tuple of two ints
        ``(m_1, m_2)``, with ``2 * m_1 <= H`` and ``m_2 <= W // 2 + 1``.

    Returns
    -------
    numpy.ndarray
        Real output, shape ``(B, C_out, H, W)``, float64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.spectral_layers import fourier_layer
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((1, 2, 16, 16))
    >>> weights = rng.standard_normal((2, 3, 8, 4)) + 1j * rng.standard_normal((2, 3, 8, 4))
    >>> y = fourier_layer(x, weights, (4, 4))
    >>> y.shape, bool(np.allclose(fourier_layer(np.roll(x, 5, axis=-1), weights, (4, 4)), np.roll(y, 5, axis=-1)))
    ((1, 3, 16, 16), True)
    """
    x = real_array(x, "x")
    check_ndim(x, "x", 4, "(B, C_in, H, W)")
    weights = as_numeric_array(weights, "weights")
    check_ndim(weights, "weights", 4, "(C_in, C_out, 2 * m_1, m_2)")
    if np.ndim(modes) != 1 or len(modes) != 2:
        raise ValueError(f"modes must be two positive ints (m_1, m_2), got {modes!r}")
    m1, m2 = (positive_int(m, "modes") for m in modes)
    _, c_in, h, w = x.shape
    if 2 * m1 > h or m2 > w // 2 + 1:
        raise ValueError(
            f"modes must satisfy 2 * m_1 <= H and m_2 <= W // 2 + 1 for {h} x {w} maps, got {modes!r}"
        )
    if weights.shape[0] != c_in or weights.shape[2:] != (2 * m1, m2):
        raise ValueError(
            f"weights must have shape (C_in={c_in}, C_out, {2 * m1}, {m2}) for these x and modes, "
            f"got {weights.shape}"
        )
    spectrum = scipy.fft.rfft2(x.astype(np.float64))
    out = np.zeros((x.shape[0], weights.shape[1], h, w // 2 + 1), complex)
    out[:, :, :m1, :m2] = np.einsum("bixy,ioxy->boxy", spectrum[:, :, :m1, :m2], weights[:, :, :m1])
    out[:, :, -m1:, :m2] = np.einsum("bixy,ioxy->boxy", spectrum[:, :, -m1:, :m2], weights[:, :, m1:])
    return scipy.fft.irfft2(out, s=(h, w))


def _signal_and_modes(x, modes):
    x = as_numeric_array(x, "x")
    modes = (modes,) if np.ndim(modes) == 0 else tuple(modes)
    if not modes or len(modes) > x.ndim:
        raise ValueError(
            f"modes must give one band limit per transformed axis, at most {x.ndim}, got {modes!r}"
        )
    return x, tuple(positive_int(m, "modes") for m in modes)


def _band_mask(shape, modes):
    """Boolean mask over the last len(modes) axes: True where every |k_i| < m_i."""
    mask = np.ones((), bool)
    for n, m in zip(shape[-len(modes) :], modes):
        k = np.abs(np.fft.fftfreq(n) * n)
        mask = mask[..., None] & (k < m)
    return mask
