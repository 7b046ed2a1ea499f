"""The FFT routes warn, as scipy.signal.convolve does, when an input holds NaN or inf; results are unchanged."""

import warnings

import numpy as np
import pytest

from convbook import conv2d, conv2d_backward, convolve, correlate

# numpy itself warns of inf - inf inside the transforms; these tests look at the package's own warning
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def layer_arrays(bad=None, where="x"):
    rng = np.random.default_rng(0)
    arrays = {
        "x": rng.standard_normal((2, 3, 8, 8)),
        "w": rng.standard_normal((4, 3, 3, 3)),
        "g": rng.standard_normal((2, 4, 6, 6)),
    }
    if bad is not None:
        arrays[where][0, 0, 1, 2] = bad
    return arrays


CALLS = {
    "convolve": lambda a, method: convolve(a["x"][0, 0], a["w"][0, 0], method=method),
    "correlate": lambda a, method: correlate(a["x"][0, 0], a["w"][0, 0], mode="valid", method=method),
    "conv2d": lambda a, method: conv2d(a["x"], a["w"], method=method),
    "conv2d_backward": lambda a, method: conv2d_backward(a["x"], a["w"], a["g"], method=method),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["x", "w"])
def test_fft_warns_on_nonfinite_input_and_names_the_caller(name, bad, where):
    arrays = layer_arrays(bad, where)
    with pytest.warns(RuntimeWarning, match="NaN or inf") as record:
        result = CALLS[name](arrays, "fft")
    ours = [r for r in record if "NaN or inf" in str(r.message)]
    assert len(ours) == 1 and ours[0].filename == __file__  # once, pointing at the user's call
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        again = CALLS[name](arrays, "fft")
    pairs = zip(result, again) if name == "conv2d_backward" else [(result, again)]
    for a, b in pairs:
        np.testing.assert_array_equal(a, b)  # the result is what it was without the warning


def test_grad_output_with_nan_warns_in_the_fft_backward():
    arrays = layer_arrays(np.nan, "g")
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        conv2d_backward(arrays["x"], arrays["w"], arrays["g"], method="fft")


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("method", ["direct", "fft"])
def test_no_warning_on_finite_input_or_without_the_fft(name, method):
    finite, with_nan = layer_arrays(), layer_arrays(np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CALLS[name](finite, method)
        if method == "direct":
            CALLS[name](with_nan, method)


def test_nan_spreads_through_the_fft_but_stays_in_its_windows_directly():
    arrays = layer_arrays(np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y_fft = conv2d(arrays["x"], arrays["w"], method="fft")
    y_direct = conv2d(arrays["x"], arrays["w"], method="direct")
    assert np.isnan(y_fft[0]).all()
    # directly, only the windows over pixel (1, 2): output rows 0..1, columns 0..2, in all 4 channels
    expected = np.zeros((4, 6, 6), dtype=bool)
    expected[:, 0:2, 0:3] = True
    np.testing.assert_array_equal(np.isnan(y_direct[0]), expected)
    assert not np.isnan(y_fft[1]).any() and not np.isnan(y_direct[1]).any()
