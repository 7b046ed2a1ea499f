"""The three first layers of the locality experiment: what they compute, their gradients, their training."""

import numpy as np
import pytest

from convbook import correlate, locality
from convbook.cnn import load_digits


def circular_correlation(image, kernel):
    """Cross-correlation with wrap-around, kernel centred: independent of the package's layer."""
    k = kernel.shape[0]
    padded = np.pad(image, k // 2, mode="wrap")
    return correlate(padded, kernel, mode="valid")


@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_local_layer_is_a_circular_correlation_with_the_kernel(kernel_size):
    rng = np.random.default_rng(0)
    model = locality.init_model("local", seed=1, channels=2, kernel_size=kernel_size)
    x = rng.standard_normal((3, 8, 8))
    matrix = locality._matrix(model, 8)
    for c in range(2):
        got = (x.reshape(3, -1) @ matrix[c].T).reshape(3, 8, 8)
        for b in range(3):
            np.testing.assert_allclose(got[b], circular_correlation(x[b], model["layer"][c]), atol=1e-12)


def test_global_layer_is_a_circular_correlation_with_an_image_size_kernel():
    rng = np.random.default_rng(1)
    model = locality.init_model("global", seed=2, channels=1)
    # the kernel whose Hartley coefficients the layer holds; the Hartley transform is its own inverse
    spectrum = np.fft.fft2(model["layer"][0].reshape(8, 8), norm="ortho")
    kernel = spectrum.real - spectrum.imag
    x = rng.standard_normal((8, 8))
    got = (locality._matrix(model, 8)[0] @ x.ravel()).reshape(8, 8)
    # offsets 0..7 along each axis: the image-size kernel starts at the output pixel
    expected = np.array([[np.sum(np.roll(x, (-i, -j), (0, 1)) * kernel) for j in range(8)] for i in range(8)])
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_the_classes_are_nested():
    # a local layer is the global layer whose kernel vanishes outside the window
    local = locality.init_model("local", seed=3, channels=2)
    kernels = locality._matrix(local, 8)[:, 0, :]  # row of output pixel 0: the kernel at every offset
    spectrum = np.fft.fft2(kernels.reshape(2, 8, 8), norm="ortho")
    as_global = dict(
        locality.init_model("global", seed=3, channels=2),
        layer=(spectrum.real - spectrum.imag).reshape(2, 64),
    )
    np.testing.assert_allclose(locality._matrix(as_global, 8), locality._matrix(local, 8), atol=1e-12)
    assert np.count_nonzero(kernels[0]) == 9


@pytest.mark.parametrize("kind", locality.KINDS)
def test_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(4)
    model = locality.init_model(kind, seed=5, channels=3)
    x, y = rng.random((5, 1, 8, 8)), rng.integers(0, 10, 5)
    _, grads = locality.loss_and_grads(model, x, y)
    eps = 1e-6
    for name in ("layer", "bias", "fc_w", "fc_b"):
        for flat in rng.choice(model[name].size, min(4, model[name].size), replace=False):
            index = np.unravel_index(flat, model[name].shape)
            losses = []
            for sign in (1, -1):
                moved = {key: (value.copy() if key != "kind" else value) for key, value in model.items()}
                moved[name][index] += sign * eps
                losses.append(locality.loss_and_grads(moved, x, y)[0])
            np.testing.assert_allclose(
                grads[name][index], (losses[0] - losses[1]) / (2 * eps), rtol=1e-5, atol=1e-8
            )


def test_sgd_on_hartley_coefficients_moves_the_kernel_as_sgd_on_the_kernel():
    # the claim that makes the global layer's coordinates immaterial under SGD
    rng = np.random.default_rng(6)
    x, y = rng.random((16, 8, 8)), rng.integers(0, 10, 16)
    model = locality.init_model("global", seed=7, channels=2)
    trained, _ = locality.train(model, x, y, steps=5, lr=0.5, batch_size=16)
    basis = locality.spectral_basis(8, "hartley")
    kernel = model["layer"] @ basis.T
    spatial = dict(model, layer=kernel)
    for _ in range(5):
        matrix = kernel[:, locality._offsets(8)]
        dense = dict(spatial, kind="dense", layer=matrix)
        _, grads = locality.loss_and_grads(dense, x, y)
        grad_kernel = np.stack(
            [np.bincount(locality._offsets(8).ravel(), g.ravel(), minlength=64) for g in grads["layer"]]
        )
        kernel = kernel - 0.5 * grad_kernel
        for name in ("bias", "fc_w", "fc_b"):
            spatial[name] = spatial[name] - 0.5 * grads[name]
    np.testing.assert_allclose(trained["layer"] @ basis.T, kernel, atol=1e-12)


def test_training_learns_the_digits_and_leaves_the_start_alone():
    x_train, y_train, x_test, y_test = load_digits()
    start = locality.init_model("local", seed=0)
    before = start["layer"].copy()
    trained, losses = locality.train(start, x_train[:300], y_train[:300], steps=200)
    np.testing.assert_array_equal(start["layer"], before)
    assert losses[-20:].mean() < 0.5 * losses[:20].mean()
    assert locality.accuracy(trained, x_test, y_test) > 0.7


def test_learning_curve_shapes_and_nesting():
    rng = np.random.default_rng(8)
    x, y = rng.random((30, 8, 8)), rng.integers(0, 3, 30)
    curve = locality.learning_curve(
        x[:20], y[:20], x[20:], y[20:], sizes=[5, 20], seeds=[0, 1], steps=3, n_classes=3
    )
    assert set(curve) == set(locality.KINDS)
    assert all(a.shape == (2, 2) and ((0 <= a) & (a <= 1)).all() for a in curve.values())
    again = locality.learning_curve(
        x[:20], y[:20], x[20:], y[20:], sizes=[5, 20], seeds=[0, 1], steps=3, n_classes=3
    )
    for kind in curve:
        np.testing.assert_array_equal(curve[kind], again[kind])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: locality.init_model("conv"), "kind"),
        (lambda: locality.init_model("local", kernel_size=4), "kernel_size"),
        (lambda: locality.init_model("local", kernel_size=9), "kernel_size"),
        (lambda: locality.init_model("local", image_size=7), "image_size"),
        (lambda: locality.forward({"kind": "local"}, np.zeros((1, 8, 8))), "model"),
        (lambda: locality.forward(locality.init_model("global"), np.zeros((1, 6, 6))), "model"),
        (lambda: locality.forward(locality.init_model("local"), np.zeros((1, 2, 8, 8))), "x"),
        (lambda: locality.forward(locality.init_model("local"), np.zeros((1, 8, 6))), "x"),
        (lambda: locality.train(locality.init_model("local"), np.zeros((2, 8, 8)), [0, 10]), "y"),
        (lambda: locality.train(locality.init_model("local"), np.zeros((2, 8, 8)), [0.5, 1]), "y"),
        (lambda: locality.train(locality.init_model("local"), np.zeros((2, 8, 8)), [0, 1], lr=0), "lr"),
        (
            lambda: locality.learning_curve(
                np.zeros((2, 8, 8)), [0, 1], np.zeros((2, 8, 8)), [0, 1], sizes=[3]
            ),
            "sizes",
        ),
        (
            lambda: locality.learning_curve(
                np.zeros((2, 8, 8)), [0, 1], np.zeros((2, 8, 8)), [0, 1], sizes=[1], kinds=["x"]
            ),
            "kinds",
        ),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
