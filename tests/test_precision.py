"""convbook.precision: rounding agrees with numpy's own casts; the emulated algorithms agree with float64."""

import numpy as np
import pytest

from convbook import correlate
from convbook.precision import FORMATS, correlate2d_in, fft_in, max_by_distance, round_to, unit_roundoff


def wide_range(n=20000, seed=0):
    # Normal, subnormal and overflowing values of every format, both signs.
    rng = np.random.default_rng(seed)
    return rng.standard_normal(n) * np.exp2(rng.uniform(-150, 130, n))


@pytest.mark.parametrize("fmt, dtype", [("float16", np.float16), ("float32", np.float32)])
def test_rounding_is_numpys_cast(fmt, dtype):
    x = wide_range()
    with np.errstate(over="ignore"):
        expected = x.astype(dtype).astype(np.float64)
    np.testing.assert_array_equal(round_to(x, fmt), expected)


def test_bfloat16_is_the_top_half_of_float32_rounded_to_even():
    with np.errstate(over="ignore"):
        f = wide_range().astype(np.float32)
    f = f[np.isfinite(f)]
    bits = f.view(np.uint32).astype(np.uint64)
    top = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    np.testing.assert_array_equal(round_to(f, "bfloat16"), top.view(np.float32).astype(np.float64))


def test_ties_go_to_even_and_specials_survive():
    assert round_to([1 + 2.0**-8, 1 + 3 * 2.0**-8], "bfloat16").tolist() == [1.0, 1 + 2.0**-6]
    out = round_to([np.nan, np.inf, -np.inf, -0.0], "float16")
    assert np.isnan(out[0]) and out[1] == np.inf and out[2] == -np.inf and np.signbit(out[3])
    z = round_to(np.array([complex(1 + 2.0**-9, np.inf)]), "bfloat16")
    assert z.real[0] == 1.0 and z.imag[0] == np.inf  # an infinite part does not spoil the other


@pytest.mark.parametrize("fmt", FORMATS)
def test_rounding_error_is_at_most_the_unit_roundoff(fmt):
    x = np.random.default_rng(1).uniform(1, 2, 1000)
    assert np.max(np.abs(round_to(x, fmt) - x) / x) <= unit_roundoff(fmt)


@pytest.mark.parametrize("inverse", [False, True])
def test_fft_in_float64_is_numpys(inverse):
    x = np.random.default_rng(2).standard_normal((3, 32)) + 1j
    expected = np.fft.ifft(x) if inverse else np.fft.fft(x)
    np.testing.assert_allclose(fft_in(x, "float64", inverse), expected, atol=1e-12)


@pytest.mark.parametrize("fmt", ["bfloat16", "float16", "float32"])
def test_fft_in_error_grows_with_the_format(fmt):
    x = np.random.default_rng(3).standard_normal(64)
    error = np.abs(fft_in(x, fmt) - np.fft.fft(x)).max() / np.linalg.norm(x)
    u = unit_roundoff(fmt)
    assert u / 100 < error < 10 * u * np.log2(64)  # rounded, but as the error bound of the FFT allows


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("shape, kernel", [((8, 8), (3, 3)), ((7, 12), (2, 5))])
def test_correlation_in_float64_is_the_exact_one(method, shape, kernel):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal(shape), rng.standard_normal(kernel)
    np.testing.assert_allclose(
        correlate2d_in(x, w, "float64", method), correlate(x, w, mode="valid"), atol=1e-12
    )


def test_the_direct_sum_is_local_in_every_format_and_the_fft_is_not():
    rng = np.random.default_rng(5)
    x, w = rng.standard_normal((16, 16)), rng.standard_normal((3, 3))
    spiked = x.copy()
    spiked[12, 12] = 1e4
    far = (slice(0, 8), slice(0, 8))  # outputs whose windows do not contain the spike
    direct = [correlate2d_in(a, w, "bfloat16", "direct")[far] for a in (x, spiked)]
    fft = [correlate2d_in(a, w, "bfloat16", "fft")[far] for a in (x, spiked)]
    np.testing.assert_array_equal(direct[0], direct[1])
    assert np.abs(fft[0] - fft[1]).max() > 1.0


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="fmt"):
        round_to([1.0], "float8")
    with pytest.raises(TypeError, match="x"):
        round_to(["a"], "float16")
    with pytest.raises(ValueError, match="power-of-two"):
        fft_in(np.ones(6), "float16")
    with pytest.raises(ValueError, match="method"):
        correlate2d_in(np.ones((4, 4)), np.ones((2, 2)), "float16", "winograd")
    with pytest.raises(ValueError, match="w must be no larger"):
        correlate2d_in(np.ones((4, 4)), np.ones((5, 2)), "float16")
    with pytest.raises(ValueError, match="x"):
        correlate2d_in(np.ones(4), np.ones((2, 2)), "float16")


def test_max_by_distance_against_a_loop():
    rng = np.random.default_rng(5)
    values = rng.standard_normal((6, 9))
    got = max_by_distance(values, (1, 7))
    expected = np.zeros(8)
    for i in range(6):
        for j in range(9):
            d = max(abs(i - 1), abs(j - 7))
            expected[d] = max(expected[d], abs(values[i, j]))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("centre", [(5, 0), (0,), (-1, 0)])
def test_max_by_distance_refuses_a_centre_outside(centre):
    with pytest.raises(ValueError, match="centre"):
        max_by_distance(np.zeros((5, 5)), centre)
