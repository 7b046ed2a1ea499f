"""The explicit matrices against scipy.linalg and numpy.fft."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

from convbook import circulant, convolution_matrix, convolve, dft2_matrix, dft_matrix


@given(st.integers(1, 9), st.integers(1, 12), st.sampled_from(["full", "same", "valid"]),
       st.sampled_from([np.float64, np.float32, np.int64, np.complex128]))
def test_convolution_matrix_matches_scipy(m, n, mode, dtype):
    h = (np.arange(1, m + 1) * (1 + 1j if dtype is np.complex128 else 1)).astype(dtype)
    ours, ref = convolution_matrix(h, n, mode), scipy.linalg.convolution_matrix(h, n, mode)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)
    v = np.random.default_rng(n).standard_normal(n)
    np.testing.assert_allclose(ours @ v, np.convolve(h, v, mode), atol=1e-9)


def test_convolution_matrix_multiplies_like_convolve():
    h, x = np.array([0.5, 1.0, 0.5]), np.array([1.0, 2.0, 0.0, -1.0])
    np.testing.assert_allclose(convolution_matrix(h, 4) @ x, convolve(x, h))


@pytest.mark.parametrize("shape", [(1,), (5,), (2, 4), (3, 2, 6)])
def test_circulant_matches_scipy_including_batches(shape):
    c = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_array_equal(circulant(c), scipy.linalg.circulant(c))


@pytest.mark.parametrize("n", [1, 2, 3, 8, 17, 64])
@pytest.mark.parametrize("scale", [None, "sqrtn", "n"])
def test_dft_matrix_matches_scipy(n, scale):
    np.testing.assert_allclose(dft_matrix(n, scale), scipy.linalg.dft(n, scale), atol=1e-12)
    x = np.random.default_rng(n).standard_normal(n)
    if scale is None:
        np.testing.assert_allclose(dft_matrix(n) @ x, np.fft.fft(x), atol=1e-10)


def test_dft_matrix_keeps_accuracy_for_large_n():
    n = 4096
    x = np.random.default_rng(0).standard_normal(n)
    assert np.abs(dft_matrix(n) @ x - np.fft.fft(x)).max() < 1e-9


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (1, 7), (2, 3, 4)])
def test_dft2_matrix_is_the_row_major_fftn(shape):
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(dft2_matrix(shape) @ x.ravel(), np.fft.fftn(x).ravel(), atol=1e-10)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="h must be one-dimensional"):
        convolution_matrix(np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        convolution_matrix([1, 2], 0)
    with pytest.raises(TypeError, match="n must be a positive integer"):
        convolution_matrix([1, 2], 2.5)
    with pytest.raises(ValueError, match="mode must be one of"):
        convolution_matrix([1, 2], 3, mode="circular")
    with pytest.raises(ValueError, match="h must not be empty"):
        convolution_matrix([], 3)
    with pytest.raises(TypeError, match="c must hold numbers"):
        circulant(["a"])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        dft_matrix(-1)
    with pytest.raises(ValueError, match="scale must be"):
        dft_matrix(4, scale="unitary")
    with pytest.raises(ValueError, match=r"shape\[1\] must be a positive integer"):
        dft2_matrix((4, 0))
