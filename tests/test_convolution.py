"""convolve, correlate and circular_convolve against scipy and numpy."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from convbook import circular_convolve, conv_output_size, convolve, correlate, output_shape
from convbook.convolution import METHODS

MODES = ["full", "same", "valid"]
TOL = {np.float64: 1e-10, np.float32: 2e-4, np.complex128: 1e-10, np.int64: 0}


@st.composite
def pairs(draw, max_ndim=3, max_len=6):
    ndim = draw(st.integers(1, max_ndim))
    xs = tuple(draw(st.integers(1, max_len)) for _ in range(ndim))
    hs = tuple(draw(st.integers(1, max_len)) for _ in range(ndim))
    seed = draw(st.integers(0, 2**32 - 1))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.complex128, np.int64]))
    rng = np.random.default_rng(seed)

    def make(shape):
        if dtype is np.complex128:
            return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        if dtype is np.int64:
            return rng.integers(-9, 10, shape)
        return rng.standard_normal(shape).astype(dtype)

    return make(xs), make(hs), dtype


def fits_valid(x, h):
    return all(a >= b for a, b in zip(x.shape, h.shape)) or all(a <= b for a, b in zip(x.shape, h.shape))


def check(ours, ref, dtype):
    assert ours.shape == ref.shape
    assert ours.dtype == ref.dtype
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, rtol=TOL[dtype], atol=TOL[dtype] * scale)


@given(pairs(), st.sampled_from(MODES), st.sampled_from(METHODS))
def test_convolve_matches_scipy(pair, mode, method):
    x, h, dtype = pair
    if mode == "valid" and not fits_valid(x, h):
        with pytest.raises(ValueError, match="valid"):
            convolve(x, h, mode, method)
        return
    check(convolve(x, h, mode, method), scipy.signal.convolve(x, h, mode, method="direct"), dtype)


@given(pairs(), st.sampled_from(MODES), st.sampled_from(METHODS))
def test_correlate_matches_scipy(pair, mode, method):
    x, h, dtype = pair
    if mode == "valid" and not fits_valid(x, h):
        with pytest.raises(ValueError, match="valid"):
            correlate(x, h, mode, method)
        return
    check(correlate(x, h, mode, method), scipy.signal.correlate(x, h, mode, method="direct"), dtype)


@pytest.mark.parametrize("mode", MODES)
def test_1d_matches_numpy(mode):
    rng = np.random.default_rng(1)
    x, h = rng.standard_normal(11), rng.standard_normal(4)
    np.testing.assert_allclose(convolve(x, h, mode), np.convolve(x, h, mode))
    np.testing.assert_allclose(correlate(x, h, mode), np.correlate(x, h, mode))


def test_worked_example():
    y = convolve([1, 2, 0, -1], [0.5, 1, 0.5])
    np.testing.assert_array_equal(y, [0.5, 2.0, 2.5, 0.5, -1.0, -0.5])


def test_float32_stays_float32_through_fft():
    x = np.ones((5, 5), np.float32)
    assert convolve(x, x, method="fft").dtype == np.float32
    assert correlate(x, x, method="fft").dtype == np.float32


def test_zero_dimensional_inputs_multiply_like_scipy():
    assert convolve(3.0, 2.0) == scipy.signal.convolve(3.0, 2.0)
    assert correlate(1j, 1j) == scipy.signal.correlate(1j, 1j)


@given(pairs(max_len=7))
def test_circular_convolve_is_the_wrapped_sum(pair):
    x, h, dtype = pair
    if any(r > n for r, n in zip(h.shape, x.shape)):
        with pytest.raises(ValueError, match="h must be no larger"):
            circular_convolve(x, h)
        return
    # Reference: the full linear convolution, folded modulo the input shape.
    full = scipy.signal.convolve(x, h, "full", method="direct")
    ref = np.zeros(x.shape, dtype=full.dtype)
    for idx in np.ndindex(*full.shape):
        ref[tuple(i % n for i, n in zip(idx, x.shape))] += full[idx]
    for method in METHODS:
        check(circular_convolve(x, h, method=method), ref, dtype)


@pytest.mark.parametrize("mode", MODES)
def test_output_shape_matches_scipy(mode):
    for xs, hs in [((4, 4), (3, 3)), ((5,), (8,)), ((6, 3), (2, 3)), ((7, 2, 3), (3, 2, 1))]:
        got = output_shape(xs, hs, mode)
        assert got == scipy.signal.convolve(np.ones(xs), np.ones(hs), mode).shape


@pytest.mark.parametrize("func", [convolve, correlate])
def test_bad_input_is_named(func):
    with pytest.raises(ValueError, match="mode must be one of"):
        func([1, 2], [1], mode="circular")
    with pytest.raises(ValueError, match="method must be one of"):
        func([1, 2], [1], method="winograd")
    with pytest.raises(ValueError, match="same number of dimensions"):
        func(np.ones((3, 3)), np.ones(3))
    with pytest.raises(ValueError, match="x must not be empty"):
        func([], [1.0])
    with pytest.raises(ValueError, match="h must not be empty"):
        func([1.0], np.ones((0,)))
    with pytest.raises(TypeError, match="x must hold numbers"):
        func(["a", "b"], [1])
    with pytest.raises(TypeError, match="h must hold numbers"):
        func([1, 2], [object()])
    with pytest.raises(ValueError, match="valid"):
        func(np.ones((2, 5)), np.ones((5, 2)), mode="valid")


def test_circular_convolve_bad_input():
    with pytest.raises(ValueError, match="h must be no larger"):
        circular_convolve([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="method must be one of"):
        circular_convolve([1, 2], [1], method="direct-ish")
    with pytest.raises(ValueError, match="same number of dimensions"):
        circular_convolve(np.ones((2, 2)), [1])


@given(st.integers(1, 40), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4))
def test_conv_output_size_counts_positions(n, k, stride, padding):
    if k > n + 2 * padding:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_size(n, k, stride, padding)
        return
    positions = range(0, n + 2 * padding - k + 1, stride)
    assert conv_output_size(n, k, stride, padding) == len(positions)


def test_conv_output_size_bad_input():
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        conv_output_size(8, 3, stride=0)
    with pytest.raises(ValueError, match="padding must be a non-negative integer"):
        conv_output_size(8, 3, padding=-1)
    with pytest.raises(TypeError, match="input_size must be a positive integer"):
        conv_output_size(8.0, 3)
