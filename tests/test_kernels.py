"""The named filters against scipy.signal.windows and scipy.ndimage."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from convbook import (
    box,
    convolve,
    correlate,
    difference,
    gaussian,
    gaussian_2d,
    laplacian,
    moving_average,
    sobel,
)

odd = st.integers(0, 15).map(lambda i: 2 * i + 1)
sigmas = st.floats(0.2, 20.0)


@given(st.integers(1, 40))
def test_moving_average_is_the_mean(n):
    h = moving_average(n)
    assert h.dtype == np.float64 and h.shape == (n,)
    x = np.random.default_rng(n).standard_normal(n + 5)
    np.testing.assert_allclose(
        convolve(x, h, mode="valid"), [x[i : i + n].mean() for i in range(6)], atol=1e-12
    )


@given(odd, sigmas)
def test_gaussian_is_scipys_window_normalised(n, sigma):
    g = gaussian(n, sigma)
    ref = scipy.signal.windows.gaussian(n, sigma)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, ref / ref.sum(), rtol=1e-12)
    np.testing.assert_allclose(g.sum(), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(g, g[::-1])


@given(odd)
def test_gaussian_default_sigma_spans_three_deviations(n):
    np.testing.assert_allclose(gaussian(n), gaussian(n, n / 6), rtol=1e-15)


def test_gaussian_smooths_without_shifting():
    # A centred kernel in "same" mode keeps a symmetric bump where it was.
    x = np.zeros(21)
    x[10] = 1.0
    y = convolve(x, gaussian(7, 1.5), mode="same")
    assert np.argmax(y) == 10
    np.testing.assert_allclose(y, y[::-1], atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_difference_is_the_first_difference(dtype):
    x = np.random.default_rng(0).standard_normal(9).astype(dtype)
    np.testing.assert_allclose(convolve(x, difference(), mode="valid"), np.diff(x), rtol=1e-6)


@given(st.integers(1, 12))
def test_box_is_the_2d_mean(k):
    x = np.random.default_rng(k).standard_normal((k + 3, k + 4))
    np.testing.assert_allclose(
        correlate(x, box(k), mode="valid"),
        scipy.ndimage.uniform_filter(x, k)[_interior(x.shape, k)],
        atol=1e-12,
    )


@given(odd, sigmas)
def test_gaussian_2d_is_separable_and_sums_to_one(k, sigma):
    g2 = gaussian_2d(k, sigma)
    assert g2.shape == (k, k) and g2.dtype == np.float64
    np.testing.assert_allclose(g2, np.outer(gaussian(k, sigma), gaussian(k, sigma)), rtol=1e-15)
    np.testing.assert_allclose(g2.sum(), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(g2, g2.T)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("axis", "nd_axis"), [("x", 1), ("y", 0)])
def test_sobel_correlates_like_scipy_ndimage(dtype, axis, nd_axis):
    image = np.random.default_rng(3).standard_normal((11, 13)).astype(dtype)
    ours = correlate(image, sobel(axis).astype(dtype), mode="valid")
    ref = scipy.ndimage.sobel(image.astype(np.float64), axis=nd_axis)[_interior(image.shape, 3)]
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-5)
    # Convolution flips the kernel, and for an antisymmetric kernel that flips the sign.
    np.testing.assert_allclose(convolve(image, sobel(axis).astype(dtype), mode="valid"), -ours, rtol=1e-6)


def test_sobel_x_is_positive_where_the_image_brightens_to_the_right():
    ramp = np.tile(np.arange(6.0), (5, 1))
    assert (correlate(ramp, sobel("x"), mode="valid") > 0).all()
    np.testing.assert_array_equal(correlate(ramp, sobel("y"), mode="valid"), 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_laplacian_matches_scipy_ndimage(dtype):
    image = np.random.default_rng(4).standard_normal((9, 10)).astype(dtype)
    np.testing.assert_allclose(
        convolve(image, laplacian().astype(dtype), mode="valid"),
        scipy.ndimage.laplace(image.astype(np.float64))[_interior(image.shape, 3)],
        rtol=1e-5,
        atol=1e-5,
    )


def test_derivative_kernels_sum_to_zero_and_blurs_to_one():
    for h in (difference(), sobel("x"), sobel("y"), laplacian()):
        assert h.dtype == np.float64 and h.sum() == 0
    for h in (moving_average(7), gaussian(7), box(5), gaussian_2d(5)):
        np.testing.assert_allclose(h.sum(), 1.0, rtol=1e-12)


def test_kernels_are_fresh_arrays():
    k = sobel("x")
    k[0, 0] = 99.0
    assert sobel("x")[0, 0] == -1.0


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        moving_average(0)
    with pytest.raises(TypeError, match="n must be a positive integer"):
        moving_average(2.5)
    with pytest.raises(ValueError, match="n must be a positive odd integer"):
        gaussian(4)
    with pytest.raises(ValueError, match="sigma must be a positive finite number"):
        gaussian(5, sigma=0)
    with pytest.raises(ValueError, match="sigma must be a positive finite number"):
        gaussian(5, sigma=float("inf"))
    with pytest.raises(TypeError, match="sigma must be a positive real number"):
        gaussian(5, sigma="wide")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        box(-3)
    with pytest.raises(ValueError, match="k must be a positive odd integer"):
        gaussian_2d(6)
    with pytest.raises(ValueError, match="axis must be one of 'x', 'y'"):
        sobel("z")
    with pytest.raises(ValueError, match="axis must be one of"):
        sobel(0)


def _interior(shape, k):
    """The part of a same-size filtered image that a valid-mode k x k filter produces."""
    return tuple(slice(k // 2, n - (k - 1 - k // 2)) for n in shape)
