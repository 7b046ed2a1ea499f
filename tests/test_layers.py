"""conv2d and conv2d_backward against scipy references and finite differences."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from convbook import (
    Conv2dContext,
    conv2d,
    conv2d_backward,
    conv2d_forward,
    conv2d_vjp,
    correlate,
    winograd_conv2d,
    winograd_conv2d_backward,
)
from convbook.layers import METHODS

TOL = {np.float64: 1e-10, np.float32: 1e-4}


@st.composite
def layers(draw, winograd=False):
    """A random layer: shapes, stride, padding and dtype that fit together (3x3, stride 1 if ``winograd``)."""
    b, c, o = (draw(st.integers(1, 3)) for _ in range(3))
    if winograd:
        kh = kw = 3
        sh = sw = 1
    else:
        kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
        sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 3)), draw(st.integers(0, 3))
    h = draw(st.integers(max(1, kh - 2 * ph), 10))
    w = draw(st.integers(max(1, kw - 2 * pw), 10))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((b, c, h, w)).astype(dtype)
    wt = rng.standard_normal((o, c, kh, kw)).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    return x, wt, bias, (sh, sw), (ph, pw), rng


def reference(x, w, bias, stride, padding, g):
    """Forward and both gradients from scipy.signal, one channel pair at a time, in float64."""
    x, w, g = (np.asarray(a, dtype=np.float64) for a in (x, w, g))
    (sh, sw), (ph, pw) = stride, padding
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    b, c, hp, wp = xp.shape
    o = w.shape[0]
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    y = np.zeros((b, o, ho, wo))
    gd = np.zeros((b, o, (ho - 1) * sh + 1, (wo - 1) * sw + 1))
    gd[:, :, ::sh, ::sw] = g
    gxp = np.zeros_like(xp)
    gw = np.zeros_like(w)
    for i in range(b):
        for j in range(o):
            for k in range(c):
                y[i, j] += scipy.signal.correlate(xp[i, k], w[j, k], "valid")[::sh, ::sw]
                full = scipy.signal.convolve(gd[i, j], w[j, k], "full")
                gxp[i, k, : full.shape[0], : full.shape[1]] += full
                gw[j, k] += scipy.signal.correlate(xp[i, k], gd[i, j], "valid")[:kh, :kw]
    y += np.asarray(bias, dtype=np.float64)[:, None, None]
    return y, gxp[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]], gw


def close(ours, ref, dtype):
    assert ours.shape == ref.shape
    assert ours.dtype == dtype
    scale = max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, rtol=TOL[dtype], atol=TOL[dtype] * scale)


def check_against_reference(layer, winograd=False):
    x, w, bias, stride, padding, rng = layer
    dtype = x.dtype.type
    y_shape = conv2d(x, w, stride=stride, padding=padding).shape
    g = rng.standard_normal(y_shape).astype(dtype)
    y_ref, gx_ref, gw_ref = reference(x, w, bias, stride, padding, g)
    passes = [
        (conv2d(x, w, bias, stride, padding, m), *conv2d_backward(x, w, g, stride, padding, m))
        for m in METHODS
    ]
    if winograd:
        passes += [
            (winograd_conv2d(x, w, bias, padding, m), *winograd_conv2d_backward(x, w, g, padding, m))
            for m in (2, 4)
        ]
    for y, gx, gw in passes:
        close(y, y_ref, dtype)
        close(gx, gx_ref, dtype)
        close(gw, gw_ref, dtype)


@given(layers())
def test_all_methods_match_scipy_reference(layer):
    check_against_reference(layer)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2, 4])
def test_fft_frame_is_alias_free_at_every_small_size(stride, padding):
    # The FFT's frame is as short as it can be without wrap-around (LayerGeometry.fft_shape):
    # one point shorter along any axis and some pass would be wrong. Every size and kernel up
    # to 7 along H, against the scipy reference, so that no edge of that bound goes unchecked.
    rng = np.random.default_rng(padding * 10 + stride)
    for h in range(1, 8):
        for kh in range(1, min(h + 2 * padding, 7) + 1):
            x = rng.standard_normal((2, 2, h, 3))
            w = rng.standard_normal((3, 2, kh, 2))
            bias = np.zeros(3)
            g = rng.standard_normal(conv2d(x, w, stride=stride, padding=padding).shape)
            y_ref, gx_ref, gw_ref = reference(x, w, bias, (stride, stride), (padding, padding), g)
            close(conv2d(x, w, stride=stride, padding=padding, method="fft"), y_ref, np.float64)
            gx, gw = conv2d_backward(x, w, g, stride=stride, padding=padding, method="fft")
            close(gx, gx_ref, np.float64)
            close(gw, gw_ref, np.float64)


@given(layers(winograd=True))
def test_all_methods_agree_on_3x3_stride_1_layers(layer):
    # Padding up to 3 (> K - 1) also covers the input gradient's cropped frame.
    check_against_reference(layer, winograd=True)


@pytest.mark.parametrize("output_tile", [2, 4])
@pytest.mark.parametrize("padding", [0, 1, (2, 0), 3])
def test_winograd_gradients_match_finite_differences(padding, output_tile):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 5, 6))
    w = rng.standard_normal((3, 2, 3, 3))
    r = rng.standard_normal(conv2d(x, w, padding=padding).shape)

    def loss(x, w):
        return float(np.sum(winograd_conv2d(x, w, padding=padding, output_tile=output_tile) * r))

    gx, gw = winograd_conv2d_backward(x, w, r, padding=padding, output_tile=output_tile)
    check_finite_differences(loss, x, w, gx, gw)


@pytest.mark.parametrize("output_tile", [2, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_winograd_on_a_cnn_sized_layer(dtype, output_tile):
    # Sizes 13 and 14: the output tiles overhang by 1, 2 or 3 rows, and
    # enough channels for the transforms to run in several blocks.
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 80, 13, 14)).astype(dtype)
    w = rng.standard_normal((72, 80, 3, 3)).astype(dtype)
    g = rng.standard_normal((4, 72, 13, 14)).astype(dtype)
    m = output_tile
    for ours, ref in zip(
        (winograd_conv2d(x, w, padding=1, output_tile=m), *winograd_conv2d_backward(x, w, g, 1, m)),
        (conv2d(x, w, padding=1, method="im2col"), *conv2d_backward(x, w, g, padding=1, method="im2col")),
    ):
        close(ours, ref, dtype)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 3), (2, 0)), (3, 3)])
def test_gradients_match_finite_differences(method, stride, padding):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 2, 6, 5))
    w = rng.standard_normal((2, 2, 3, 2))
    r = rng.standard_normal(conv2d(x, w, stride=stride, padding=padding).shape)

    def loss(x, w):
        return float(np.sum(conv2d(x, w, stride=stride, padding=padding, method=method) * r))

    gx, gw = conv2d_backward(x, w, r, stride, padding, method)
    check_finite_differences(loss, x, w, gx, gw)


def check_finite_differences(loss, x, w, gx, gw):
    eps = 1e-6
    for grad, arg in ((gx, 0), (gw, 1)):
        numeric = np.zeros_like(grad)
        for idx in np.ndindex(grad.shape):
            args_plus, args_minus = [x.copy(), w.copy()], [x.copy(), w.copy()]
            args_plus[arg][idx] += eps
            args_minus[arg][idx] -= eps
            numeric[idx] = (loss(*args_plus) - loss(*args_minus)) / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_single_channel_is_scipy_and_convbook_correlate(method, dtype):
    rng = np.random.default_rng(3)
    image = rng.standard_normal((9, 11)).astype(dtype)
    kernel = rng.standard_normal((4, 3)).astype(dtype)
    ours = conv2d(image[None, None], kernel[None, None], method=method)[0, 0]
    close(ours, scipy.signal.correlate(image, kernel, "valid"), dtype)
    close(ours, correlate(image, kernel, "valid"), dtype)
    padded = conv2d(image[None, None], kernel[None, None], stride=2, padding=(1, 2), method=method)[0, 0]
    close(padded, scipy.signal.correlate(np.pad(image, ((1, 1), (2, 2))), kernel, "valid")[::2, ::2], dtype)


@pytest.mark.parametrize("method", METHODS)
def test_int_and_pair_arguments_agree(method):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 2, 8, 8))
    w = rng.standard_normal((3, 2, 3, 3))
    np.testing.assert_array_equal(
        conv2d(x, w, stride=2, padding=1, method=method),
        conv2d(x, w, stride=(2, 2), padding=(1, 1), method=method),
    )


@pytest.mark.parametrize("method", [*METHODS, "winograd"])
@pytest.mark.parametrize(
    "x_dtype, w_dtype, expected",
    [
        (np.float32, np.float32, np.float32),
        (np.float64, np.float64, np.float64),
        (np.float32, np.float64, np.float64),
        (np.float16, np.float32, np.float32),
        (np.float16, np.float16, np.float32),
        (np.int8, np.int16, np.float32),
        (np.bool_, np.float32, np.float32),
        (np.int64, np.float32, np.float64),
        (np.int32, np.int32, np.float64),
    ],
)
def test_dtype_promotion(method, x_dtype, w_dtype, expected):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2, (1, 2, 5, 5)).astype(x_dtype)
    w = rng.integers(-2, 3, (2, 2, 3, 3)).astype(w_dtype)
    if method == "winograd":
        y = winograd_conv2d(x, w)
        gx, gw = winograd_conv2d_backward(x, w, np.ones(y.shape, dtype=np.float32))
    else:
        y = conv2d(x, w, method=method)
        gx, gw = conv2d_backward(x, w, np.ones(y.shape, dtype=np.float32), method=method)
    assert y.dtype == gx.dtype == gw.dtype == expected
    exact = conv2d(x.astype(np.float64), w.astype(np.float64), method="direct")
    np.testing.assert_allclose(y, exact, atol=1e-4)


def test_float32_grad_output_with_float64_input_gives_float64():
    x = np.ones((1, 1, 4, 4))
    w = np.ones((1, 1, 2, 2), dtype=np.float32)
    gx, gw = conv2d_backward(x, w, np.ones((1, 1, 3, 3), dtype=np.float32))
    assert gx.dtype == gw.dtype == np.float64
    assert conv2d(x.astype(np.float32), w, bias=np.zeros(1)).dtype == np.float64


X = np.ones((2, 3, 6, 6))
W = np.ones((4, 3, 3, 3))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"x": np.ones((3, 6, 6))}, ValueError, "x must be 4-D"),
        ({"w": np.ones((3, 3, 3))}, ValueError, "w must be 4-D"),
        ({"w": np.ones((4, 2, 3, 3))}, ValueError, "input channels"),
        ({"w": np.ones((4, 3, 7, 3))}, ValueError, "kernel w"),
        ({"w": np.ones((4, 3, 3, 9)), "padding": 1}, ValueError, "kernel w"),
        ({"method": "winograd"}, ValueError, "method"),
        ({"stride": 0}, ValueError, "stride"),
        ({"stride": (1, -2)}, ValueError, r"stride\[1\]"),
        ({"stride": (1, 2, 3)}, ValueError, "stride"),
        ({"stride": 1.5}, TypeError, "stride"),
        ({"padding": -1}, ValueError, "padding"),
        ({"padding": (0, "1")}, TypeError, r"padding\[1\]"),
        ({"x": X + 1j}, TypeError, "x must be real"),
        ({"x": np.array([["a"]])}, TypeError, "x must hold numbers"),
        ({"w": np.ones((4, 3, 0, 3))}, ValueError, "w must not be empty"),
    ],
)
def test_bad_arguments_raise(kwargs, error, match):
    args = {"x": X, "w": W, "stride": 1, "padding": 0, "method": "direct"} | kwargs
    with pytest.raises(error, match=match):
        conv2d(**args)
    with pytest.raises(error, match=match):
        conv2d_backward(grad_output=np.ones((2, 4, 4, 4)), **args)


@pytest.mark.parametrize(
    "bias, error, match",
    [
        (np.ones(3), ValueError, r"bias must have shape \(C_out,\) = \(4,\)"),
        (np.ones((4, 1)), ValueError, "bias must have shape"),
        (np.ones(4) * 1j, TypeError, "bias must be real"),
    ],
)
def test_bad_bias_raises(bias, error, match):
    with pytest.raises(error, match=match):
        conv2d(X, W, bias=bias)


@pytest.mark.parametrize(
    "grad_output, error, match",
    [
        (np.ones((2, 4, 3, 4)), ValueError, r"grad_output must have the shape .* \(2, 4, 4, 4\)"),
        (np.ones((2, 4, 16)), ValueError, "grad_output must have the shape"),
        (np.ones((2, 4, 4, 4)) * 1j, TypeError, "grad_output must be real"),
    ],
)
def test_bad_grad_output_raises(grad_output, error, match):
    with pytest.raises(error, match=match):
        conv2d_backward(X, W, grad_output)


@pytest.mark.parametrize("output_tile", [3, 0, 2.5, "4", True, None])
def test_winograd_output_tile_must_be_2_or_4(output_tile):
    with pytest.raises(ValueError, match=r"output_tile must be one of \(2, 4\), got"):
        winograd_conv2d(X, W, output_tile=output_tile)
    with pytest.raises(ValueError, match=r"output_tile must be one of \(2, 4\), got"):
        winograd_conv2d_backward(X, W, np.ones((2, 4, 4, 4)), output_tile=output_tile)


def test_winograd_f4_rounds_more_than_f2_in_float32():
    # The price of F(4x4, 3x3)'s fewer multiplications: transform coefficients up to 8 (in A^T)
    # and 5 (in B^T) amplify float32 rounding. Both stay far inside float32 layer tolerances.
    rng = np.random.default_rng(10)
    x = rng.standard_normal((4, 32, 16, 16)).astype(np.float32)
    w = rng.standard_normal((32, 32, 3, 3)).astype(np.float32)
    exact = conv2d(x.astype(np.float64), w.astype(np.float64), padding=1)
    error = {m: np.abs(winograd_conv2d(x, w, padding=1, output_tile=m) - exact).max() for m in (2, 4)}
    assert 4 * error[2] < error[4] < 1e-4 * np.abs(exact).max()


@pytest.mark.parametrize("w_shape", [(4, 3, 5, 5), (4, 3, 3, 1)])
def test_winograd_needs_3x3_kernels(w_shape):
    with pytest.raises(ValueError, match="winograd_conv2d needs 3x3 kernels in w"):
        winograd_conv2d(X, np.ones(w_shape))
    with pytest.raises(ValueError, match="winograd_conv2d needs 3x3 kernels in w"):
        winograd_conv2d_backward(X, np.ones(w_shape), np.ones((2, 4, 4, 4)))


# -- method="auto": the cost model picks ---------------------------------------


def test_auto_is_not_a_concrete_method():
    assert "auto" not in METHODS and "winograd" not in METHODS


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (1, 0))])
def test_auto_gives_exactly_the_result_of_the_method_the_cost_model_picks(stride, padding):
    from convbook import choose_conv2d_method

    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    pick = choose_conv2d_method(x.shape, w.shape, stride, padding)
    y = conv2d(x, w, np.ones(4), stride, padding, method="auto")
    np.testing.assert_array_equal(y, conv2d(x, w, np.ones(4), stride, padding, method=pick))
    g = rng.standard_normal(y.shape)
    for auto, picked in zip(
        conv2d_backward(x, w, g, stride, padding, method="auto"),
        conv2d_backward(x, w, g, stride, padding, method=pick),
    ):
        np.testing.assert_array_equal(auto, picked)


@pytest.mark.parametrize("method", METHODS)
def test_auto_follows_the_constants_in_force(method, tmp_path, monkeypatch):
    from convbook.cost import FEATURE_NAMES, save_constants

    # Constants under which `method` costs a nanosecond per unit and the others a second.
    constants = {m: [1e-9 if m == method else 1.0] * len(FEATURE_NAMES[m]) for m in METHODS}
    monkeypatch.setenv(
        "CONVBOOK_COST_CONSTANTS", str(save_constants({"constants": constants}, tmp_path / "c.json"))
    )
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    np.testing.assert_array_equal(
        conv2d(x, w, padding=1, method="auto"), conv2d(x, w, padding=1, method=method)
    )
    g = np.ones((2, 5, 8, 8), np.float32)
    for auto, picked in zip(conv2d_backward(x, w, g, 1, 1, "auto"), conv2d_backward(x, w, g, 1, 1, method)):
        np.testing.assert_array_equal(auto, picked)


@pytest.mark.parametrize("method", ["winograd", "AUTO", "loop", None, 3])
def test_unknown_methods_raise_naming_method(method):
    with pytest.raises(ValueError, match="method must be one of 'direct', 'im2col', 'fft', 'auto'"):
        conv2d(X, W, method=method)
    with pytest.raises(ValueError, match="method must be one of"):
        conv2d_backward(X, W, np.ones((2, 4, 4, 4)), method=method)


def test_auto_checks_its_arguments_before_asking_the_model():
    with pytest.raises(ValueError, match="x must be 4-D"):
        conv2d(np.ones((3, 6, 6)), W, method="auto")
    with pytest.raises(ValueError, match="grad_output must have the shape"):
        conv2d_backward(X, W, np.ones((2, 4, 3, 3)), method="auto")


# -- conv2d_forward / conv2d_vjp: the training-step pair ------------------------


@pytest.mark.parametrize("method", METHODS + ("auto",))
@pytest.mark.parametrize("stride, padding", [(1, 0), (1, 2), (2, 1), ((2, 1), (0, 3))])
def test_conv2d_vjp_matches_conv2d_backward(method, stride, padding):
    """The forward pass's saved state changes no number: y and both gradients bit for bit."""
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((3, 4, 11, 9)), rng.standard_normal((5, 4, 3, 4))
    bias = rng.standard_normal(5)
    y, ctx = conv2d_forward(x, w, bias, stride, padding, method)
    assert np.array_equal(y, conv2d(x, w, bias, stride, padding, method))
    g = rng.standard_normal(y.shape)
    for got, want in zip(conv2d_vjp(ctx, g), conv2d_backward(x, w, g, stride, padding, method)):
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)


def test_conv2d_forward_saves_spectra_for_fft_only():
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((2, 3, 8, 8)).astype(np.float32), rng.standard_normal((4, 3, 5, 5))
    _, ctx = conv2d_forward(x, w, padding=2, method="fft")
    assert isinstance(ctx, Conv2dContext) and ctx.method == "fft" and ctx.saved is not None
    assert ctx.x.dtype == np.float64  # the compute dtype, as conv2d promotes
    _, ctx = conv2d_forward(x, w, padding=2, method="im2col")
    assert ctx.saved is None


def test_conv2d_vjp_promotes_like_conv2d_backward():
    """A float64 output gradient on a float32 layer: the float64 gradients conv2d_backward gives."""
    rng = np.random.default_rng(9)
    x, w = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 8, 8), (4, 3, 3, 3)))
    y, ctx = conv2d_forward(x, w, padding=1, method="fft")
    g = rng.standard_normal(y.shape)
    for got, want in zip(conv2d_vjp(ctx, g), conv2d_backward(x, w, g, 1, 1, "fft")):
        assert got.dtype == np.float64
        assert np.array_equal(got, want)


def test_conv2d_vjp_checks_its_arguments():
    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    y, ctx = conv2d_forward(x, w, method="fft")
    with pytest.raises(TypeError, match="Conv2dContext"):
        conv2d_vjp((x, w), y)
    with pytest.raises(ValueError, match="grad_output must have the shape"):
        conv2d_vjp(ctx, np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="method"):
        conv2d_forward(x, w, method="winograd")


def test_conv2d_vjp_warns_on_non_finite_fft_input():
    x, w = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    y, ctx = conv2d_forward(x, w, method="fft")
    g = np.full(y.shape, np.nan)
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        conv2d_vjp(ctx, g)
