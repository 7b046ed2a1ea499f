"""Counts of convbook.cost against hand counts and brute force; the cost model's contract."""

import itertools
import json
import os
import pathlib
import re

import numpy as np
import pytest
import scipy.fft
from hypothesis import given
from hypothesis import strategies as st

import convbook.cost
from convbook import choose_conv2d_method
from convbook.cost import (
    FEATURE_NAMES,
    LAYER_METHODS,
    conv_mults,
    fft_mults,
    fit_constants,
    layer_features,
    layer_fft_shape,
    layer_memory,
    layer_mults,
    load_constants,
    predict_conv2d_times,
    save_constants,
)
from convbook.layers import conv2d


def brute_direct_count(x_shape, h_shape, mode):
    """Count the products h[k] x[n - k] the requested outputs need, by enumeration."""
    full = [n + k - 1 for n, k in zip(x_shape, h_shape)]
    length = {
        "full": full,
        "same": list(x_shape),
        "valid": [abs(n - k) + 1 for n, k in zip(x_shape, h_shape)],
    }[mode]
    start = [(f - l) // 2 for f, l in zip(full, length)]
    count = 0
    for out in itertools.product(*(range(s, s + l) for s, l in zip(start, length))):
        for k in itertools.product(*(range(r) for r in h_shape)):
            count += all(0 <= o - kk < n for o, kk, n in zip(out, k, x_shape))
    return count


def test_fft_mults_hand_counts():
    # 8-point complex FFT: 3 stages of 4 butterflies, one complex multiply each = 12; x4 real.
    assert fft_mults(8, real=False) == 48.0
    assert fft_mults(8) == 24.0
    assert fft_mults(8, real=False, complex_mult=3) == 36.0
    # 8x8: 16 transforms of 8 points, 12 complex multiplies each = 192; real input halves.
    assert fft_mults((8, 8), real=False) == 768.0
    assert fft_mults(1) == 0.0


def test_conv_mults_hand_counts():
    assert conv_mults(4, 3) == 12.0  # every x[n] meets every h[k]
    assert conv_mults(4, 3, mode="valid") == 6.0  # 2 outputs x 3 taps
    assert conv_mults(4, 3, mode="same") == 10.0  # full's [1, 2, 3, 3, 2, 1] less both ends
    assert conv_mults((4, 4), (3, 3)) == 144.0
    # FFT of 5 and 4: length 8; 3 real transforms of 24 real multiplies, 5 complex products.
    assert conv_mults(5, 4, method="fft") == 3 * 24 + 4 * 5
    assert conv_mults(5, 4, method="fft", complex_mult=3) == 3 * 18 + 3 * 5


@given(
    st.integers(1, 3).flatmap(
        lambda d: st.tuples(
            st.lists(st.integers(1, 5), min_size=d, max_size=d),
            st.lists(st.integers(1, 5), min_size=d, max_size=d),
        )
    ),
    st.sampled_from(["full", "same", "valid"]),
)
def test_conv_mults_direct_matches_enumeration(shapes, mode):
    x_shape, h_shape = shapes
    fits = all(a >= b for a, b in zip(x_shape, h_shape)) or all(a <= b for a, b in zip(x_shape, h_shape))
    if mode == "valid" and not fits:
        with pytest.raises(ValueError, match="valid"):
            conv_mults(x_shape, h_shape, mode)
        return
    assert conv_mults(x_shape, h_shape, mode) == brute_direct_count(x_shape, h_shape, mode)


def test_conv_mults_fft_uses_fast_lengths():
    n, k = 1000, 33
    length = scipy.fft.next_fast_len(n + k - 1, real=True)
    expected = 3 * fft_mults(length) + 4 * (length // 2 + 1)
    assert conv_mults(n, k, method="fft") == pytest.approx(expected)


def test_layer_mults_hand_counts():
    assert layer_mults((1, 1, 3, 3), (1, 1, 2, 2)) == 16.0  # 2x2 outputs x 4 taps
    assert layer_mults((2, 3, 5, 5), (4, 3, 3, 3), method="im2col") == 2 * 3 * 4 * 3 * 3 * 9
    assert layer_mults((1, 1, 3, 3), (1, 1, 2, 2), stride=2, padding=1) == 16.0
    # Every pass of direct convolution multiplies the same triples.
    for which in ("grad_input", "grad_weight"):
        assert layer_mults((2, 3, 5, 5), (4, 3, 3, 3), which=which) == layer_mults((2, 3, 5, 5), (4, 3, 3, 3))
    # FFT, 4x4 transforms (64 real multiplies each), 4 x 3 half spectrum = 12 complex products per pair.
    x, w = (1, 1, 4, 4), (1, 1, 3, 3)
    assert layer_fft_shape(x, w) == (4, 4) and fft_mults((4, 4)) == 64.0
    assert layer_mults(x, w, method="fft") == 3 * 64 + 4 * 12
    assert layer_mults(x, w, method="fft", which="grad_input") == 2 * 64 + 4 * 12
    assert layer_mults(x, w, method="fft", which="grad_weight") == 64 + 4 * 12
    assert layer_mults(x, w, method="fft", which="training") == 6 * 64 + 3 * 4 * 12


def test_fft_layer_counts_reuse_transforms_across_channel_pairs():
    # Doubling both channel counts quadruples the pointwise work but only doubles the input transforms.
    small = layer_mults((1, 8, 32, 32), (8, 8, 5, 5), method="fft")
    large = layer_mults((1, 16, 32, 32), (16, 16, 5, 5), method="fft")
    assert 2 < large / small < 4
    assert layer_mults((1, 16, 32, 32), (16, 16, 5, 5)) / layer_mults((1, 8, 32, 32), (8, 8, 5, 5)) == 4


def test_layer_memory_hand_counts():
    x, w = (1, 1, 4, 4), (1, 1, 3, 3)
    assert layer_memory(x, w, method="direct") == 0
    assert layer_memory(x, w, method="im2col", itemsize=1) == 4 * 9  # 2x2 patches of 9
    assert layer_memory(x, w, method="fft", itemsize=4) == 3 * 12 * 8  # 3 half spectra, complex64
    assert layer_memory((2, 3, 8, 8), (5, 3, 3, 3), padding=1, method="im2col") == 2 * 64 * 27 * 4


@given(
    st.integers(1, 2),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(3, 9),
    st.integers(1, 4),
    st.integers(0, 2),
    st.integers(0, 1000),
)
def test_layer_fft_shape_is_enough(b, c_in, c_out, n, k, padding, seed):
    if k > n + 2 * padding:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, c_in, n, n))
    w = rng.standard_normal((c_out, c_in, k, k))
    shape = layer_fft_shape(x.shape, w.shape, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2))
    spectra = np.einsum("bcij,ocij->boij", np.fft.fft2(xp, shape), np.conj(np.fft.fft2(w, shape)))
    cyclic = np.fft.ifft2(spectra).real
    ho = n + 2 * padding - k + 1
    np.testing.assert_allclose(cyclic[..., :ho, :ho], conv2d(x, w, padding=padding), atol=1e-9)


def test_choose_returns_the_cheapest_predicted_method():
    for x, w, p in [
        ((32, 64, 32, 32), (64, 64, 3, 3), 1),
        ((1, 1, 64, 64), (1, 1, 1, 1), 0),
        ((8, 16, 32, 32), (16, 16, 11, 11), 5),
        ((4, 3, 16, 16), (8, 3, 5, 5), 2),
    ]:
        pick = choose_conv2d_method(x, w, padding=p)
        assert pick in LAYER_METHODS
        times = predict_conv2d_times(x, w, padding=p)
        assert all(t > 0 for t in times.values())
        assert times[pick] == min(times.values())


@pytest.mark.parametrize(
    "args, match",
    [
        (((1, 3, 8), (4, 3, 3, 3)), "x_shape"),
        (((1, 3, 8, 8), (4, 3, 3)), "w_shape"),
        (((1, 3, 8, 8), (4, 2, 3, 3)), "in_channels"),
        (((1, 3, 8, 8), (4, 3, 9, 9)), "kernel_size"),
        (((1, 0, 8, 8), (4, 0, 3, 3)), r"x_shape\[1\]"),
    ],
)
def test_choose_rejects_bad_shapes(args, match):
    with pytest.raises(ValueError, match=match):
        choose_conv2d_method(*args)


def test_choose_rejects_bad_stride_padding_and_types():
    with pytest.raises(ValueError, match="stride"):
        choose_conv2d_method((1, 3, 8, 8), (4, 3, 3, 3), stride=0)
    with pytest.raises(ValueError, match="padding"):
        choose_conv2d_method((1, 3, 8, 8), (4, 3, 3, 3), padding=-1)
    with pytest.raises(TypeError, match="x_shape"):
        choose_conv2d_method((1, 3, 8.5, 8), (4, 3, 3, 3))
    with pytest.raises(ValueError, match="constants"):
        choose_conv2d_method((1, 3, 8, 8), (4, 3, 3, 3), constants={"direct": [1, 2, 3]})
    with pytest.raises(ValueError, match="non-negative"):
        choose_conv2d_method(
            (1, 3, 8, 8),
            (4, 3, 3, 3),
            constants={"direct": [1, 2, -3, 0, 0], "im2col": [1, 1, 1, 1, 1], "fft": [1, 1, 1, 1, 1, 1]},
        )


def only(method):
    """Constants under which ``method`` costs one nanosecond per unit and the others a second."""
    return {m: [1e-9 if m == method else 1.0] * len(FEATURE_NAMES[m]) for m in LAYER_METHODS}


@pytest.mark.parametrize("method", LAYER_METHODS)
def test_choose_honours_constants_argument(method):
    assert choose_conv2d_method((8, 16, 32, 32), (16, 16, 3, 3), padding=1, constants=only(method)) == method


@pytest.mark.parametrize("method", LAYER_METHODS)
def test_choose_honours_refitted_files(method, tmp_path, monkeypatch):
    monkeypatch.delenv("CONVBOOK_COST_CONSTANTS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    shape = ((8, 16, 32, 32), (16, 16, 3, 3))
    # The user file that `python -m convbook.bench --fit` writes by default.
    save_constants({"constants": only(method)})
    assert choose_conv2d_method(*shape, padding=1) == method
    # An explicit file named by the environment variable wins over it.
    other = next(m for m in LAYER_METHODS if m != method)
    monkeypatch.setenv(
        "CONVBOOK_COST_CONSTANTS", str(save_constants({"constants": only(other)}, tmp_path / "c.json"))
    )
    assert choose_conv2d_method(*shape, padding=1) == other


def test_shipped_constants_are_valid_and_fitted():
    data = load_constants(pathlib.Path(convbook.cost.__file__).with_name("cost_constants.json"))
    assert set(data["constants"]) == set(LAYER_METHODS)
    assert "machine" in data and "cpu" in data["machine"]


def test_load_constants_rejects_bad_files(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"constants": {"direct": [1.0]}}))
    with pytest.raises(ValueError, match="constants"):
        load_constants(path)
    with pytest.raises(TypeError, match="fitted"):
        save_constants([1, 2, 3], tmp_path / "x.json")


def test_layer_features_count_output_and_layout_traffic():
    # 2 images, 3 -> 4 channels, 5x5 with "same" padding: 2 * 5 * 5 * 4 = 200 outputs, 150 inputs.
    features = layer_features((2, 3, 5, 5), (4, 3, 3, 3), 1, 1)
    direct = dict(zip(FEATURE_NAMES["direct"], features["direct"]))
    im2col = dict(zip(FEATURE_NAMES["im2col"], features["im2col"]))
    assert direct["values_accumulated"] == 9 * 200
    assert direct["layout_values"] == im2col["layout_values"] == 150 + 200
    assert direct["values_moved"] == im2col["values_moved"] == 9 * 2 * 5 * 5 * 3
    assert im2col["patch_runs"] == 9 * 2 * 5 * 5
    # 5 + 1 padding (one side) = 6 points: next_fast_len gives 6 x 6, so 6 x (6 // 2 + 1)
    # frequencies, each writing 2 images x 4 channels.
    fft = dict(zip(FEATURE_NAMES["fft"], features["fft"]))
    assert fft["frequencies"] == 6 * 4 and fft["output_spectra"] == 2 * 4 * 6 * 4


def test_fit_recovers_known_constants():
    true = {
        "direct": [2e-6, 1e-9, 3e-9, 1e-9, 6e-9],
        "im2col": [5e-6, 4e-10, 2e-9, 3e-9, 7e-9],
        "fft": [1e-4, 2e-9, 1e-9, 5e-9, 3e-8, 2e-9],
    }
    shapes = [
        ((b, c, n, n), (c2, c, k, k), (k - 1) // 2)
        for b in (1, 4)
        for c, c2 in ((2, 3), (16, 8), (4, 4))
        for n in (8, 20)
        for k in (1, 3, 5)
    ]
    records = [
        dict(
            x_shape=x,
            w_shape=w,
            stride=1,
            padding=p,
            method=m,
            seconds=float(layer_features(x, w, 1, p)[m] @ true[m]),
        )
        for x, w, p in shapes
        for m in LAYER_METHODS
    ]
    fitted = fit_constants(records)
    for m in LAYER_METHODS:
        assert list(fitted["constants"][m]) == list(FEATURE_NAMES[m])  # stored by name
        np.testing.assert_allclose(
            [fitted["constants"][m][name] for name in FEATURE_NAMES[m]], true[m], rtol=1e-6
        )
        assert fitted["rms_relative_error"][m] < 1e-8


def test_fit_rejects_bad_records():
    record = dict(
        x_shape=(1, 1, 8, 8), w_shape=(1, 1, 3, 3), stride=1, padding=0, method="direct", seconds=1.0
    )
    with pytest.raises(ValueError, match="at least"):
        fit_constants([record])
    with pytest.raises(ValueError, match="seconds"):
        fit_constants([dict(record, seconds=0.0)])
    with pytest.raises(ValueError, match="method"):
        fit_constants([dict(record, method="winograd")])


# -- one geometry for the layer and the model -----------------------------------

STRIDES = [1, 2, (1, 2), [2, 1], np.int64(2), np.array([1, 2])]
PADDINGS = [0, 1, (1, 0), [0, 2], np.int32(1), np.array([2, 1])]


def test_choose_accepts_the_example_of_the_issue():
    assert choose_conv2d_method((2, 3, 8, 8), (4, 3, 3, 3), padding=(1, 0)) in LAYER_METHODS


@pytest.mark.parametrize("stride", STRIDES, ids=repr)
@pytest.mark.parametrize("padding", PADDINGS, ids=repr)
def test_cost_model_takes_every_stride_and_padding_conv2d_takes(stride, padding):
    x_shape, w_shape = (2, 3, 8, 9), (4, 3, 3, 2)
    y = conv2d(np.ones(x_shape), np.ones(w_shape), stride=stride, padding=padding)
    assert choose_conv2d_method(x_shape, w_shape, stride, padding) in LAYER_METHODS
    assert set(predict_conv2d_times(x_shape, w_shape, stride, padding)) == set(LAYER_METHODS)
    geometry = convbook.layer_geometry(x_shape, w_shape, stride, padding)
    assert geometry.output_shape == y.shape
    # The counts use the same output size as the layer computes.
    assert layer_mults(x_shape, w_shape, stride, padding) == np.prod(y.shape) * 3 * 3 * 2
    assert (
        layer_memory(x_shape, w_shape, stride, padding, method="im2col", itemsize=1)
        == np.prod(y.shape) / 4 * 3 * 6
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"padding": "same"},
        {"padding": "valid"},
        {"stride": "1"},
        {"padding": (1, 2, 3)},
        {"stride": (0, 1)},
        {"padding": 1.5},
    ],
    ids=repr,
)
def test_cost_model_refuses_what_conv2d_refuses_in_the_same_words(kwargs):
    x_shape, w_shape = (2, 3, 8, 8), (4, 3, 3, 3)
    with pytest.raises((TypeError, ValueError)) as layer_error:
        conv2d(np.ones(x_shape), np.ones(w_shape), **kwargs)
    with pytest.raises(layer_error.type) as model_error:
        choose_conv2d_method(x_shape, w_shape, **kwargs)
    assert str(model_error.value) == str(layer_error.value)


def test_fft_shape_is_the_layers():
    geometry = convbook.layer_geometry((8, 3, 30, 27), (16, 3, 5, 4), padding=(2, 3))
    assert layer_fft_shape((8, 3, 30, 27), (16, 3, 5, 4), padding=(2, 3)) == geometry.fft_shape
    # The input with its padding on one side: 30 + 2 and 27 + 3 points.
    assert geometry.fft_shape == (scipy.fft.next_fast_len(32), scipy.fft.next_fast_len(30, real=True))
    # A kernel longer than that, or a stride-1 output longer than that (padding beyond the kernel), sets the length.
    assert convbook.layer_geometry((1, 1, 2, 2), (1, 1, 5, 5), padding=2).fft_shape == (5, 5)
    assert convbook.layer_geometry((1, 1, 4, 4), (1, 1, 1, 1), padding=3).fft_shape == (10, 10)


def test_features_and_constants_are_read_by_name(tmp_path):
    # A file whose lists come in another order than FEATURE_NAMES, with the order recorded next to them.
    shipped = load_constants()
    reordered = {m: list(reversed(FEATURE_NAMES[m])) for m in LAYER_METHODS}
    path = tmp_path / "reordered.json"
    path.write_text(
        json.dumps(
            {
                "constants": {
                    m: [shipped["constants"][m][name] for name in reordered[m]] for m in LAYER_METHODS
                },
                "features": reordered,
            }
        )
    )
    assert load_constants(path)["constants"] == shipped["constants"]
    shape = ((8, 16, 32, 32), (16, 16, 3, 3))
    assert predict_conv2d_times(*shape, constants=load_constants(path)) == predict_conv2d_times(*shape)
    written = json.loads(save_constants(shipped, tmp_path / "saved.json").read_text())
    assert written["constants"]["fft"]["frequencies"] == shipped["constants"]["fft"]["frequencies"]


# -- constants files: isolation, corruption, atomic writes ---------------------


def test_a_readers_refitted_constants_do_not_reach_the_tests(monkeypatch):
    # What `python -m convbook.bench --fit` would leave in the reader's config folder, and worse.
    user_file = convbook.cost.constants_path()
    assert pathlib.Path.home() not in user_file.parents
    user_file.parent.mkdir(parents=True)
    user_file.write_text(json.dumps({"constants": only("fft")}))
    shipped = json.loads(pathlib.Path(convbook.cost.__file__).with_name("cost_constants.json").read_text())
    assert load_constants()["machine"] == shipped["machine"]
    assert load_constants() == load_constants(
        pathlib.Path(convbook.cost.__file__).with_name("cost_constants.json")
    )
    # Even a test that drops the variable reaches this empty test folder, not ~/.config.
    monkeypatch.delenv("CONVBOOK_COST_CONSTANTS")
    assert load_constants()["constants"] == load_constants(user_file)["constants"]
    user_file.unlink()
    assert load_constants()["machine"] == shipped["machine"]


@pytest.mark.parametrize(
    "text",
    [
        '{"constants": {"direct": [1e-6, 1e-9',  # a refit cut short
        "",
        "not json at all",
        "[1, 2, 3]",
        '{"machine": {}}',
        '{"constants": {"direct": [1, 2, 3, 4, 5], "im2col": "fast", "fft": [1, 2, 3, 4, 5, 6]}}',
        '{"constants": {"direct": {"calls": 1}, "im2col": [1, 2, 3, 4, 5], "fft": [1, 2, 3, 4, 5, 6]}}',
        '{"constants": {"direct": [1, 2, 3, 4, 5], "im2col": [1, 2, 3, 4, 5], "fft": [1, 2, 3, 4, 5, null]}}',
    ],
    ids=["truncated", "empty", "garbage", "list", "no constants", "string", "missing term", "null"],
)
def test_a_corrupt_constants_file_raises_naming_it(text, tmp_path, monkeypatch):
    path = tmp_path / "cost_constants.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(str(path))):
        load_constants(path)
    monkeypatch.setenv("CONVBOOK_COST_CONSTANTS", str(path))
    with pytest.raises(ValueError, match=re.escape(str(path))):
        load_constants()
    with pytest.raises(ValueError, match=re.escape(str(path))):
        choose_conv2d_method((1, 3, 8, 8), (4, 3, 3, 3))


def test_a_corrupt_user_file_raises_naming_it(monkeypatch):
    monkeypatch.delenv("CONVBOOK_COST_CONSTANTS")
    user_file = convbook.cost.constants_path()
    user_file.parent.mkdir(parents=True)
    user_file.write_bytes(b'{"constants": {"dir')
    with pytest.raises(ValueError, match=re.escape(str(user_file))):
        load_constants()


def test_the_variable_naming_a_missing_file_raises(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVBOOK_COST_CONSTANTS", str(tmp_path / "nowhere.json"))
    with pytest.raises(ValueError, match="CONVBOOK_COST_CONSTANTS.*nowhere.json"):
        load_constants()


def test_a_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    """save_constants writes a temporary file and renames it: no failure leaves half a file."""
    path = tmp_path / "cost_constants.json"
    save_constants({"constants": only("direct")}, path)
    before = path.read_bytes()
    # Fails in the middle of the JSON: "constants" is written, then "machine" cannot be.
    with pytest.raises(TypeError):
        save_constants({"constants": only("fft"), "machine": object()}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]

    # Fails after the write, when the new file would replace the old one.
    def broken_replace(source, target):
        raise OSError("disk unplugged")

    with monkeypatch.context() as patch:
        patch.setattr(convbook.cost.os, "replace", broken_replace)
        with pytest.raises(OSError, match="disk unplugged"):
            save_constants({"constants": only("fft")}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    save_constants({"constants": only("fft")}, path)
    assert choose_conv2d_method((8, 16, 32, 32), (16, 16, 3, 3), constants=load_constants(path)) == "fft"


def test_saved_constants_get_the_mode_of_an_ordinary_file(tmp_path):
    umask = os.umask(0o022)
    try:
        path = save_constants({"constants": only("direct")}, tmp_path / "c.json")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
