"""Tests of convbook.cnn: the small CNN of *Training a CNN through the FFT* and its kernel parametrisations."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from convbook import cnn
from convbook.layers import METHODS


def tiny(dtype=np.float64, seed=0):
    """A network small enough for finite differences: 4x4 images, 2 and 3 channels."""
    params = cnn.init_params(
        seed=seed, channels=(2, 3), kernel_sizes=(3, 3), image_size=4, bias_init=0.1, dtype=dtype
    )
    rng = np.random.default_rng(seed + 1)
    x = rng.random((3, 1, 4, 4)).astype(dtype)
    y = np.array([0, 7, 3])
    return params, x, y


def reference_logits(params, x):
    """The network written independently: scipy's correlate2d per channel pair, pooling by slicing."""

    def conv(a, w, b):
        pad = w.shape[-1] // 2
        a = np.pad(a, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        out = np.zeros((a.shape[0], w.shape[0], a.shape[2] - 2 * pad, a.shape[3] - 2 * pad))
        for n in range(a.shape[0]):
            for o in range(w.shape[0]):
                out[n, o] = b[o] + sum(
                    scipy.signal.correlate2d(a[n, c], w[o, c], mode="valid") for c in range(a.shape[1])
                )
        return out

    def pool(a):
        return (a[:, :, 0::2, 0::2] + a[:, :, 1::2, 0::2] + a[:, :, 0::2, 1::2] + a[:, :, 1::2, 1::2]) / 4

    h = pool(np.maximum(conv(x, params["conv1_w"], params["conv1_b"]), 0))
    h = pool(np.maximum(conv(h, params["conv2_w"], params["conv2_b"]), 0))
    return h.reshape(len(x), -1) @ params["fc_w"].T + params["fc_b"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_matches_independent_reference(method, dtype):
    params = cnn.init_params(seed=3, channels=(3, 4), kernel_sizes=(5, 3), dtype=dtype)
    x = np.random.default_rng(4).random((5, 1, 8, 8)).astype(dtype)
    logits = cnn.forward(params, x, method)
    assert logits.dtype == dtype and logits.shape == (5, 10)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(logits, reference_logits(params, x.astype(np.float64)), rtol=tol, atol=tol)


@pytest.mark.parametrize("method", METHODS)
def test_gradients_match_finite_differences(method):
    params, x, y = tiny()
    _, grads = cnn.loss_and_grads(params, x, y, method)
    eps = 1e-6
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += eps
            down[name][index] -= eps
            numeric[index] = (
                cnn.loss_and_grads(up, x, y, method)[0] - cnn.loss_and_grads(down, x, y, method)[0]
            ) / (2 * eps)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_loss_is_cross_entropy_of_softmax():
    params, x, y = tiny()
    logits = reference_logits(params, x)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss, _ = cnn.loss_and_grads(params, x, y)
    np.testing.assert_allclose(loss, -np.log(probs[np.arange(3), y]).mean(), rtol=1e-12)


@pytest.fixture(scope="module")
def digits():
    x_train, y_train, x_test, y_test = cnn.load_digits(test_size=450, seed=0)
    return x_train[:96], y_train[:96]


def test_direct_im2col_and_fft_train_alike(digits):
    x, y = digits
    p0 = cnn.init_params(seed=0)
    runs = {m: cnn.train(p0, x, y, epochs=2, lr=0.3, batch_size=16, method=m, seed=0) for m in METHODS}
    params_d, hist_d = runs["direct"]
    assert hist_d["loss"].shape == (12,) and hist_d["steps_per_epoch"] == 6
    for method in ("im2col", "fft"):
        params_m, hist_m = runs[method]
        np.testing.assert_allclose(hist_m["loss"], hist_d["loss"], atol=1e-5)
        for name in params_d:
            np.testing.assert_allclose(params_m[name], params_d[name], atol=1e-5, err_msg=name)
    assert hist_d["loss"][-1] < hist_d["loss"][0]


def test_training_is_deterministic_and_leaves_params_alone(digits):
    x, y = digits
    p0 = cnn.init_params(seed=1)
    before = {k: v.copy() for k, v in p0.items()}
    a_params, a = cnn.train(p0, x, y, epochs=1, lr=0.1, batch_size=32, method="fft", seed=5)
    b_params, b = cnn.train(p0, x, y, epochs=1, lr=0.1, batch_size=32, method="fft", seed=5)
    _, c = cnn.train(p0, x, y, epochs=1, lr=0.1, batch_size=32, method="fft", seed=6)
    np.testing.assert_array_equal(a["loss"], b["loss"])
    for name in a_params:
        np.testing.assert_array_equal(a_params[name], b_params[name])
        np.testing.assert_array_equal(p0[name], before[name])
    assert not np.array_equal(a["loss"], c["loss"])  # another seed, another batch order
    assert np.array_equal(cnn.init_params(seed=2)["fc_w"], cnn.init_params(seed=2)["fc_w"])


def test_hartley_reproduces_spatial_and_rfft2_is_preconditioned_sgd(digits):
    x, y = digits[0][:48].astype(np.float64), digits[1][:48]
    p0 = cnn.init_params(seed=0, dtype=np.float64)
    kw = dict(epochs=1, lr=0.3, batch_size=16, method="direct", seed=0)
    spatial, h_spatial = cnn.train(p0, x, y, parametrisation="spatial", **kw)
    hartley, h_hartley = cnn.train(p0, x, y, parametrisation="hartley", **kw)
    rfft2, h_rfft2 = cnn.train(p0, x, y, parametrisation="rfft2", **kw)
    np.testing.assert_allclose(h_hartley["loss"], h_spatial["loss"], rtol=1e-12)
    for name in spatial:
        np.testing.assert_allclose(hartley[name], spatial[name], atol=1e-12)
    assert np.abs(rfft2["conv1_w"] - spatial["conv1_w"]).max() > 1e-3

    # rfft2 coordinates = spatial SGD whose kernel steps are multiplied by B B^T.
    params = {k: v.copy() for k, v in p0.items()}
    order = np.random.default_rng(0).permutation(len(x))
    for start in range(0, len(x), 16):
        batch = order[start : start + 16]
        _, grads = cnn.loss_and_grads(params, x[batch], y[batch])
        for name in params:
            step = grads[name]
            if name.endswith("_w") and name.startswith("conv"):
                basis = cnn.spectral_basis(step.shape[-1], "rfft2")
                step = (step.reshape(*step.shape[:2], -1) @ (basis @ basis.T)).reshape(step.shape)
            params[name] = params[name] - 0.3 * step
    for name in params:
        np.testing.assert_allclose(rfft2[name], params[name], atol=1e-12, err_msg=name)


KERNEL_SIZES = {"conv1_w": 5, "conv2_w": 3}


def per_parameter(value, kernels):
    """A dict for train's lr or eps: value everywhere, times kernels[name] on the two kernels."""
    return {name: value * kernels.get(name, 1.0) for name in cnn.PARAM_NAMES}


def adam_reference(params, x, y, steps, lr, betas, eps, batch_size, seed, bases):
    """Adam written from Kingma & Ba's Algorithm 1 on one flat vector of every coordinate.

    bases[name] is the K² x P matrix of the kernel coordinates (None: the entries themselves);
    the initial coordinates are the least-squares solution of B theta = w, so nothing of
    cnn.to_spectral is used.
    """
    names = list(params)
    blocks = []
    for name in names:
        value = params[name].astype(np.float64)
        if bases.get(name) is None:
            blocks.append(value.ravel())
        else:
            flat = value.reshape(-1, value.shape[-1] ** 2)
            blocks.append(np.linalg.lstsq(bases[name], flat.T, rcond=None)[0].T.ravel())
    sizes = np.cumsum([0] + [len(b) for b in blocks])
    theta = np.concatenate(blocks)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    b1, b2 = betas

    def unpack(theta):
        out = {}
        for i, name in enumerate(names):
            part = theta[sizes[i] : sizes[i + 1]]
            shape = params[name].shape
            if bases.get(name) is None:
                out[name] = part.reshape(shape)
            else:
                coords = part.reshape(shape[0] * shape[1], -1)
                out[name] = (coords @ bases[name].T).reshape(shape)
        return out

    order = np.random.default_rng(seed).permutation(len(x))
    for t in range(1, steps + 1):
        batch = order[(t - 1) * batch_size : t * batch_size]
        _, grads = cnn.loss_and_grads(unpack(theta), x[batch], y[batch])
        g = []
        for name in names:
            if bases.get(name) is None:
                g.append(grads[name].ravel())
            else:
                g.append((grads[name].reshape(-1, bases[name].shape[0]) @ bases[name]).ravel())
        g = np.concatenate(g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return unpack(theta)


def hartley_matrix(k):
    n = np.arange(k)
    angle = 2 * np.pi * (np.outer(n, n)[:, None, :, None] + np.outer(n, n)[None, :, None, :]) / k
    return ((np.cos(angle) + np.sin(angle)) / k).reshape(k * k, k * k)


def plain_half_spectrum_matrix(k):
    """irfft2 with norm="backward" of every unit half spectrum, real parts then imaginary parts."""
    half = k * (k // 2 + 1)
    units = np.eye(2 * half)
    spectra = (units[:, :half] + 1j * units[:, half:]).reshape(-1, k, k // 2 + 1)
    return np.fft.irfft2(spectra, s=(k, k)).reshape(2 * half, k * k).T


@pytest.mark.parametrize("parametrisation", ["spatial", "hartley", "rfft2-backward"])
@pytest.mark.parametrize("betas, eps", [((0.9, 0.999), 1e-8), ((0.5, 0.9), 1e-3)])
def test_adam_matches_kingma_and_ba(digits, parametrisation, betas, eps):
    x, y = digits[0][:64].astype(np.float64), digits[1][:64]
    p0 = cnn.init_params(seed=2, channels=(3, 4), dtype=np.float64)
    build = {
        "spatial": lambda k: None,
        "hartley": hartley_matrix,
        "rfft2-backward": plain_half_spectrum_matrix,
    }
    bases = {name: build[parametrisation](k) for name, k in KERNEL_SIZES.items()}
    kw = dict(lr=0.01, betas=betas, eps=eps, batch_size=16, seed=3)
    trained, _ = cnn.train(p0, x, y, epochs=1, optimizer="adam", parametrisation=parametrisation, **kw)
    expected = adam_reference(p0, x, y, steps=4, bases=bases, **kw)
    for name in p0:
        np.testing.assert_allclose(trained[name], expected[name], rtol=1e-10, atol=1e-12, err_msg=name)
    sgd, _ = cnn.train(p0, x, y, epochs=1, lr=0.01, batch_size=16, seed=3, parametrisation=parametrisation)
    assert np.abs(sgd["conv1_w"] - trained["conv1_w"]).max() > 1e-3  # Adam is not SGD


def test_adam_keeps_float32(digits):
    x, y = digits
    p0 = cnn.init_params(seed=0, channels=(3, 4))
    trained, history = cnn.train(p0, x, y, lr=0.01, optimizer="adam", parametrisation="hartley")
    assert all(value.dtype == np.float32 for value in trained.values())
    assert history["loss"][-1] < history["loss"][0]


def trajectories(x, y, p0, steps, **kw):
    _, history = cnn.train(p0, x, y, epochs=1, batch_size=16, seed=0, snapshot_every=1, **kw)
    assert len(history["snapshots"]) == steps + 1
    return history["snapshots"]


def test_which_trajectories_coincide(digits):
    """SGD: an orthogonal basis changes nothing, the plain DFT is the orthonormal one at lr / K².

    Adam: invariant to the scale of the gradient but not to rotations, so the Hartley basis changes
    the path, and the plain DFT is the orthonormal one at lr / K with eps * K.
    """
    x, y = digits[0][:64].astype(np.float64), digits[1][:64]
    p0 = cnn.init_params(seed=0, channels=(3, 4), dtype=np.float64)
    path = lambda **kw: trajectories(x, y, p0, 4, **kw)  # noqa: E731
    same, apart = 1e-13, 1e-3

    def check(a, b, coincide):
        gap = cnn.divergence(a, b)
        assert gap[0] < same  # the same start, up to the rounding of to_spectral and back
        assert gap.max() < same if coincide else gap[1:].min() > apart, gap

    lr, inv_k, inv_k2 = (
        0.3,
        {n: 1 / k for n, k in KERNEL_SIZES.items()},
        {n: 1 / k**2 for n, k in KERNEL_SIZES.items()},
    )
    sgd = {p: path(lr=lr, parametrisation=p) for p in cnn.PARAMETRISATIONS}
    check(sgd["hartley"], sgd["spatial"], True)
    check(sgd["rfft2"], sgd["spatial"], False)
    check(sgd["rfft2-backward"], sgd["rfft2"], False)
    check(sgd["rfft2-backward"], path(lr=per_parameter(lr, inv_k2), parametrisation="rfft2"), True)
    check(sgd["rfft2-backward"], path(lr=lr / 25, parametrisation="rfft2"), False)  # per kernel, not global

    lr, eps = 0.01, 1e-3  # an eps large enough to matter
    adam = {p: path(lr=lr, eps=eps, optimizer="adam", parametrisation=p) for p in cnn.PARAMETRISATIONS}
    check(adam["hartley"], adam["spatial"], False)
    check(adam["rfft2-backward"], adam["rfft2"], False)
    ortho = dict(optimizer="adam", parametrisation="rfft2", lr=per_parameter(lr, inv_k))
    check(adam["rfft2-backward"], path(eps=per_parameter(eps, KERNEL_SIZES), **ortho), True)
    check(adam["rfft2-backward"], path(eps=eps, **ortho), False)  # eps must be rescaled too
    check(adam["rfft2-backward"], path(lr=lr, eps=eps / 25, optimizer="adam", parametrisation="rfft2"), False)


def test_snapshots_and_divergence(digits):
    x, y = digits
    p0 = cnn.init_params(seed=4, channels=(2, 3))
    final, history = cnn.train(p0, x, y, epochs=2, batch_size=16, snapshot_every=4)
    assert len(history["loss"]) == 12
    np.testing.assert_array_equal(history["snapshot_steps"], [0, 4, 8, 12])
    snaps = history["snapshots"]
    for name in p0:
        np.testing.assert_array_equal(snaps[0][name], p0[name])
        np.testing.assert_array_equal(snaps[-1][name], final[name])
    assert snaps[1]["conv1_w"] is not snaps[2]["conv1_w"] and not np.array_equal(
        snaps[1]["fc_w"], snaps[2]["fc_w"]
    )
    _, six = cnn.train(p0, x, y, epochs=2, batch_size=16, snapshot_every=5)  # 12 steps: after 0, 5, 10
    np.testing.assert_array_equal(six["snapshot_steps"], [0, 5, 10])
    assert "snapshots" not in cnn.train(p0, x, y, batch_size=16)[1]

    # divergence = max |a - b| over every entry / max |entry|, against a hand computation.
    a, b = snaps[1], snaps[2]
    flat_a = np.concatenate([a[n].astype(np.float64).ravel() for n in cnn.PARAM_NAMES])
    flat_b = np.concatenate([b[n].astype(np.float64).ravel() for n in cnn.PARAM_NAMES])
    expected = np.abs(flat_a - flat_b).max() / max(np.abs(flat_a).max(), np.abs(flat_b).max())
    assert cnn.divergence(a, b) == pytest.approx(expected, rel=1e-15)
    assert cnn.divergence(b, a) == cnn.divergence(a, b) and cnn.divergence(a, a) == 0.0
    np.testing.assert_array_equal(
        cnn.divergence(snaps[1:3], snaps[2:4]), [expected, cnn.divergence(b, snaps[3])]
    )
    # One ulp on every parameter: at most 2^-23 relative to the largest entry, and more than 2^-24 of it.
    nudged = {n: np.nextafter(v, np.float32(np.inf)) for n, v in p0.items()}
    assert 2.0**-25 < cnn.divergence(p0, nudged) <= 2.0**-23


@pytest.mark.parametrize("k", range(1, 8))
def test_spectral_bases(k):
    np.testing.assert_array_equal(cnn.spectral_basis(k, "spatial"), np.eye(k * k))
    hartley = cnn.spectral_basis(k, "hartley")
    np.testing.assert_allclose(hartley @ hartley.T, np.eye(k * k), atol=1e-12)
    np.testing.assert_allclose(hartley, hartley.T, atol=1e-12)
    n = np.arange(k)
    angle = (
        2 * np.pi * (np.outer(n, n)[:, None, :, None] + np.outer(n, n)[None, :, None, :]) / k
    )  # [n1, n2, k1, k2]
    np.testing.assert_allclose(
        hartley, ((np.cos(angle) + np.sin(angle)) / k).reshape(k * k, k * k), atol=1e-12
    )
    # B B^T = 2 I - P, P projecting on the frequencies with last index 0 (and K/2 for even K).
    basis = cnn.spectral_basis(k, "rfft2")
    assert basis.shape == (k * k, 2 * k * (k // 2 + 1))
    dft = np.fft.fft(np.eye(k), norm="ortho")
    kept = [0, k // 2] if k % 2 == 0 and k > 1 else [0]
    along_last = sum(np.outer(dft[:, c], dft[:, c].conj()) for c in kept).real
    np.testing.assert_allclose(
        basis @ basis.T, 2 * np.eye(k * k) - np.kron(np.eye(k), along_last), atol=1e-12
    )
    # The plain DFT (norm="backward"): irfft2 divides by K² instead of K.
    np.testing.assert_allclose(cnn.spectral_basis(k, "rfft2-backward"), basis / k, atol=1e-15)


@given(
    lead=st.lists(st.integers(1, 3), min_size=0, max_size=2),
    k=st.integers(1, 6),
    parametrisation=st.sampled_from(cnn.PARAMETRISATIONS),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_spectral_round_trip_and_references(lead, k, parametrisation, dtype):
    w = np.random.default_rng(k).standard_normal((*lead, k, k)).astype(dtype)
    theta = cnn.to_spectral(w, parametrisation)
    assert theta.dtype == dtype
    back = cnn.from_spectral(theta, k, parametrisation)
    assert back.dtype == dtype and back.shape == w.shape
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(back, w, atol=tol)
    basis = cnn.spectral_basis(k, parametrisation)
    np.testing.assert_allclose(theta @ basis.T, w.reshape(*lead, k * k), atol=tol)
    if parametrisation.startswith("rfft2"):
        norm = "backward" if parametrisation == "rfft2-backward" else "ortho"
        spectrum = np.fft.rfft2(w.astype(np.float64), norm=norm).reshape(*lead, -1)
        np.testing.assert_allclose(theta, np.concatenate([spectrum.real, spectrum.imag], -1), atol=tol * k)


def test_load_digits():
    x_train, y_train, x_test, y_test = cnn.load_digits(test_size=97, seed=4)
    assert x_train.shape == (1700, 1, 8, 8) and x_test.shape == (97, 1, 8, 8)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0 <= x_train.min() and x_train.max() <= 1 and set(np.unique(y_test)) <= set(range(10))
    again = cnn.load_digits(test_size=97, seed=4)
    np.testing.assert_array_equal(again[3], y_test)
    assert not np.array_equal(cnn.load_digits(test_size=97, seed=5)[3], y_test)


def test_predict_is_argmax_of_forward():
    params, x, _ = tiny(np.float32)
    np.testing.assert_array_equal(cnn.predict(params, x), cnn.forward(params, x).argmax(axis=1))


def test_errors():
    params, x, y = tiny()
    with pytest.raises(ValueError, match="method"):
        cnn.forward(params, x, method="winograd")
    with pytest.raises(TypeError, match="params must be a dict"):
        cnn.forward([1, 2], x)
    with pytest.raises(ValueError, match="missing fc_b"):
        cnn.forward({k: v for k, v in params.items() if k != "fc_b"}, x)
    with pytest.raises(ValueError, match="params shapes"):
        cnn.forward({**params, "conv2_b": np.zeros(7)}, x)
    with pytest.raises(TypeError, match="params\\['fc_b'\\] has dtype float32"):
        cnn.forward({**params, "fc_b": params["fc_b"].astype(np.float32)}, x)
    with pytest.raises(ValueError, match="x must have shape"):
        cnn.forward(params, x[:, 0])
    with pytest.raises(ValueError, match="fc_w"):
        cnn.forward(params, np.zeros((2, 1, 8, 8)))
    with pytest.raises(TypeError, match="y must hold integer"):
        cnn.loss_and_grads(params, x, y.astype(float))
    with pytest.raises(ValueError, match="y must have shape"):
        cnn.loss_and_grads(params, x, y[:2])
    with pytest.raises(ValueError, match="range\\(10\\)"):
        cnn.loss_and_grads(params, x, [0, 1, 10])
    with pytest.raises(ValueError, match="lr must be a positive finite number"):
        cnn.train(params, x, y, lr=-0.1)
    with pytest.raises(TypeError, match="lr"):
        cnn.train(params, x, y, lr="fast")
    with pytest.raises(ValueError, match="epochs"):
        cnn.train(params, x, y, epochs=0)
    with pytest.raises(TypeError, match="batch_size"):
        cnn.train(params, x, y, batch_size=2.5)
    with pytest.raises(ValueError, match="parametrisation"):
        cnn.train(params, x, y, parametrisation="wavelet")
    with pytest.raises(ValueError, match="seed"):
        cnn.train(params, x, y, seed=-1)
    with pytest.raises(ValueError, match="optimizer must be one of 'sgd', 'adam'"):
        cnn.train(params, x, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match="betas must be a pair"):
        cnn.train(params, x, y, optimizer="adam", betas=0.9)
    with pytest.raises(ValueError, match="betas\\[1\\] must be in \\[0, 1\\)"):
        cnn.train(params, x, y, optimizer="adam", betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="betas\\[0\\]"):
        cnn.train(params, x, y, optimizer="adam", betas=("a", 0.9))
    with pytest.raises(ValueError, match="eps must be a positive finite number"):
        cnn.train(params, x, y, optimizer="adam", eps=0.0)
    with pytest.raises(ValueError, match="lr must be a number or a dict .* missing: fc_b, unknown: 'fc'"):
        cnn.train(params, x, y, lr={**dict.fromkeys(cnn.PARAM_NAMES[:-1], 0.1), "fc": 0.1})
    with pytest.raises(ValueError, match="eps\\['conv1_w'\\] must be a positive"):
        cnn.train(params, x, y, optimizer="adam", eps={**dict.fromkeys(cnn.PARAM_NAMES, 1e-8), "conv1_w": -1})
    with pytest.raises(ValueError, match="snapshot_every"):
        cnn.train(params, x, y, snapshot_every=-1)
    with pytest.raises(ValueError, match="as many parameter sets"):
        cnn.divergence([params], [params, params])
    with pytest.raises(ValueError, match="same parameters"):
        cnn.divergence(params, {k: v for k, v in params.items() if k != "fc_b"})
    with pytest.raises(ValueError, match="differ in shape"):
        cnn.divergence(params, {**params, "fc_b": np.zeros(3)})
    with pytest.raises(TypeError, match="b must be a dict"):
        cnn.divergence(params, [params])
    with pytest.raises(ValueError, match="kernel_sizes\\[1\\] must be a positive odd integer"):
        cnn.init_params(kernel_sizes=(3, 4))
    with pytest.raises(ValueError, match="kernel_sizes must hold two"):
        cnn.init_params(kernel_sizes=(3, 3, 3))
    with pytest.raises(ValueError, match="image_size must be a multiple of 4"):
        cnn.init_params(image_size=6)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        cnn.init_params(dtype=np.int32)
    with pytest.raises(ValueError, match="bias_init must be finite"):
        cnn.init_params(bias_init=np.nan)
    with pytest.raises(ValueError, match="test_size"):
        cnn.load_digits(test_size=1797)
    with pytest.raises(ValueError, match="12 coordinates"):
        cnn.from_spectral(np.zeros(9), 3, "rfft2")
    with pytest.raises(TypeError, match="theta must be real"):
        cnn.from_spectral(np.zeros(12, complex), 3, "rfft2")
    with pytest.raises(ValueError, match="w must end in two equal axes"):
        cnn.to_spectral(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="w must be real"):
        cnn.to_spectral(np.zeros((3, 3), complex))
    with pytest.raises(ValueError, match="parametrisation"):
        cnn.spectral_basis(3, "dct")
