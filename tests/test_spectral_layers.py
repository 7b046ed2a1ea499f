"""Band limits, spectral pooling and the Fourier layer, against their definitions."""

import numpy as np
import pytest
import scipy.signal

from convbook import circular_convolve
from convbook import spectral_layers as sl


def dft_band_limit(x, m):
    """Band limit from the DFT matrix, one axis at a time: independent of the module's masks."""
    for axis, mi in zip((-2, -1), m):
        n = x.shape[axis]
        f = np.exp(-2j * np.pi * np.outer(np.arange(n), np.arange(n)) / n)
        k = np.abs(np.fft.fftfreq(n) * n)
        projector = (f.conj().T * (k < mi)) @ f / n
        x = np.moveaxis(np.tensordot(projector, np.moveaxis(x, axis, 0), axes=1), 0, axis)
    return x


@pytest.mark.parametrize("shape, modes", [((8, 8), (3, 3)), ((7, 10), (2, 4)), ((5, 6), (3, 1))])
def test_band_limit_is_the_projection(shape, modes):
    x = np.random.default_rng(0).standard_normal(shape)
    got = sl.band_limit(x, modes)
    np.testing.assert_allclose(got, dft_band_limit(x, modes).real, atol=1e-12)
    np.testing.assert_allclose(sl.band_limit(got, modes), got, atol=1e-12)  # idempotent
    assert got.dtype.kind == "f"


def test_energy_outside_band_of_a_rectified_cosine_is_half_minus_four_over_pi_squared():
    # ReLU(cos t) = 1/pi + cos(t)/2 + (harmonics): the harmonics hold 1/2 - 4/pi^2 of the energy
    x = np.cos(2 * np.pi * 3 * np.arange(4096) / 4096)
    assert sl.energy_outside_band(x, 4) < 1e-20
    np.testing.assert_allclose(sl.energy_outside_band(np.maximum(x, 0), 4), 0.5 - 4 / np.pi**2, rtol=1e-4)


def test_energy_outside_band_sums_over_leading_axes():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 8, 8))
    inside = sl.band_limit(x, (2, 2))
    expected = np.sum((x - inside) ** 2) / np.sum(x**2)  # orthogonal projection: Pythagoras
    np.testing.assert_allclose(sl.energy_outside_band(x, (2, 2)), expected, rtol=1e-12)


def test_spectral_pool_is_scipy_resample_and_keeps_band_limited_maps():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 16, 12))
    expected = scipy.signal.resample(scipy.signal.resample(x, 8, axis=-2), 6, axis=-1)
    np.testing.assert_allclose(sl.spectral_pool(x, (8, 6)), expected, atol=1e-12)
    smooth = sl.band_limit(x, (4, 3))  # frequencies strictly below the pooled Nyquist
    back = scipy.signal.resample(
        scipy.signal.resample(sl.spectral_pool(smooth, (8, 6)), 16, axis=-2), 12, axis=-1
    )
    np.testing.assert_allclose(back, smooth, atol=1e-12)
    assert sl.spectral_pool(np.ones((4, 4), np.float32), 2).dtype == np.float32
    np.testing.assert_allclose(sl.spectral_pool(np.ones((4, 4)), 2), np.ones((2, 2)))


def random_weights(rng, shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def test_fourier_layer_matches_the_reference_definition():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 12, 10)), random_weights(rng, (3, 4, 6, 4))
    spectrum = np.fft.rfft2(x)
    out = np.zeros((2, 4, 12, 6), complex)
    for b in range(2):
        for o in range(4):
            for i in range(3):
                out[b, o, :3, :4] += spectrum[b, i, :3, :4] * w[i, o, :3]
                out[b, o, -3:, :4] += spectrum[b, i, -3:, :4] * w[i, o, 3:]
    np.testing.assert_allclose(sl.fourier_layer(x, w, (3, 4)), np.fft.irfft2(out, s=(12, 10)), atol=1e-12)


def test_fourier_layer_is_a_band_limited_circular_convolution():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 1, 16, 16)), random_weights(rng, (1, 1, 8, 5))
    y = sl.fourier_layer(x, w, (4, 5))
    impulse = np.zeros((1, 1, 16, 16))
    impulse[..., 0, 0] = 1
    kernel = sl.fourier_layer(impulse, w, (4, 5))[0, 0]
    np.testing.assert_allclose(y[0, 0], circular_convolve(x[0, 0], kernel), atol=1e-12)
    assert sl.energy_outside_band(y, (5, 5)) < 1e-25  # |k_1| <= 4, |k_2| < 5
    assert sl.energy_outside_band(kernel, (5, 5)) < 1e-25


def test_fourier_layer_does_not_depend_on_the_grid():
    rng = np.random.default_rng(5)
    coarse = sl.band_limit(rng.standard_normal((1, 2, 16, 16)), (5, 5))
    fine = scipy.signal.resample(scipy.signal.resample(coarse, 32, axis=-2), 32, axis=-1)
    w = random_weights(rng, (2, 3, 8, 4))
    y_coarse, y_fine = sl.fourier_layer(coarse, w, (4, 4)), sl.fourier_layer(fine, w, (4, 4))
    upsampled = scipy.signal.resample(scipy.signal.resample(y_coarse, 32, axis=-2), 32, axis=-1)
    np.testing.assert_allclose(y_fine, upsampled, atol=1e-12)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: sl.band_limit(np.zeros(4), (2, 2)), "modes"),
        (lambda: sl.band_limit(np.zeros(4), 0), "modes"),
        (lambda: sl.band_limit("abc", 1), "x"),
        (lambda: sl.energy_outside_band(np.zeros(4), 1), "x"),
        (lambda: sl.spectral_pool(np.zeros(4), 2), "x"),
        (lambda: sl.spectral_pool(np.zeros((4, 4)), (5, 2)), "output_shape"),
        (lambda: sl.spectral_pool(np.zeros((4, 4)) + 0j, 2), "x"),
        (lambda: sl.fourier_layer(np.zeros((1, 8, 8)), np.zeros((1, 1, 4, 2)), (2, 2)), "x"),
        (lambda: sl.fourier_layer(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 4, 3)), (2, 2)), "weights"),
        (lambda: sl.fourier_layer(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 10, 2)), (5, 2)), "modes"),
        (lambda: sl.fourier_layer(np.zeros((1, 1, 8, 8)), np.zeros((1, 1, 4, 2)), 2), "modes"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
