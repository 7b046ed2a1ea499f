"""The two-layer GCN of convbook.gcn: its routes, its hand-written gradients, its training."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse

from convbook import gcn
from convbook.graphs import gcn_propagation, karate_club


@pytest.fixture(scope="module")
def karate():
    A, labels = karate_club()
    mask = np.zeros(34, bool)
    mask[[0, 33]] = True
    return (A > 0).astype(float), labels, mask


def test_routes_compute_the_same_propagation(karate):
    A = karate[0]
    X = np.random.default_rng(0).standard_normal((34, 5))
    A_hat = gcn_propagation(A).toarray()
    for route in gcn.ROUTES:
        P = gcn.propagator(A, route)
        assert P.route == route and P.n == 34
        np.testing.assert_allclose(P(X), A_hat @ X, atol=1e-12)
        np.testing.assert_allclose(P(X[:, 0]), A_hat @ X[:, 0], atol=1e-12)
    eigen = gcn.propagator(A, "eigen")
    np.testing.assert_allclose(eigen.eigenvalues, np.linalg.eigvalsh(A_hat), atol=1e-12)
    assert eigen.eigenvalues.max() == pytest.approx(1.0) and eigen.eigenvalues.min() > -1


def test_forward_matches_its_formula(karate):
    A = karate[0]
    A_hat = gcn_propagation(A).toarray()
    params = gcn.init_parameters(34, 8, 3, seed=4)
    X = np.random.default_rng(1).standard_normal((34, 34))
    expected = A_hat @ np.maximum(A_hat @ X @ params["W1"], 0) @ params["W2"]
    np.testing.assert_allclose(gcn.forward(gcn.propagator(A), X, params), expected, atol=1e-12)


@pytest.mark.parametrize("route", gcn.ROUTES)
@pytest.mark.parametrize("decay", [0.0, 0.01])
def test_gradients_match_finite_differences(karate, route, decay):
    A, labels, mask = karate
    P = gcn.propagator(A, route)
    params = gcn.init_parameters(7, 6, 2, seed=2)
    X = np.random.default_rng(3).standard_normal((34, 7))
    mask = mask.copy()
    mask[[5, 20]] = True
    loss, grads = gcn.loss_and_gradients(P, X, labels, mask, params, weight_decay=decay)
    numeric = gcn.finite_difference_gradients(P, X, labels, mask, params, weight_decay=decay)
    for name in ("W1", "W2"):
        np.testing.assert_allclose(grads[name], numeric[name], rtol=1e-5, atol=1e-8)


def test_loss_is_cross_entropy_of_the_masked_nodes(karate):
    A, labels, mask = karate
    P = gcn.propagator(A)
    params = gcn.init_parameters(34, 4, 2, seed=0)
    Z = gcn.forward(P, np.eye(34), params)
    p = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[mask, labels[mask]]))
    loss, _ = gcn.loss_and_gradients(P, np.eye(34), labels, mask, params)
    assert loss == pytest.approx(expected, rel=1e-12)
    decay = 0.1
    penalty = decay / 2 * sum(np.sum(W**2) for W in params.values())
    assert gcn.loss_and_gradients(P, np.eye(34), labels, mask, params, decay)[0] == pytest.approx(
        expected + penalty
    )


def test_two_routes_train_the_same_network(karate):
    A, labels, mask = karate
    start = gcn.init_parameters(34, 16, 2, seed=0)
    runs = {
        route: gcn.train(
            gcn.propagator(A, route), np.eye(34), labels, mask, start, steps=100, weight_decay=5e-4
        )
        for route in gcn.ROUTES
    }
    (_, a), (_, b) = runs.values()
    for key in ("loss", "W1", "W2"):
        np.testing.assert_allclose(a[key], b[key], atol=1e-10)
    assert a["loss"][-1] < 0.2 * a["loss"][0]
    np.testing.assert_array_equal(a["W1"][0], start["W1"])  # the start is recorded, and not modified
    assert not np.shares_memory(a["W1"][0], start["W1"])


def test_trained_gcn_separates_the_clubs(karate):
    A, labels, mask = karate
    P = gcn.propagator(A)
    params, _ = gcn.train(
        P, np.eye(34), labels, mask, gcn.init_parameters(34, 16, 2), steps=200, weight_decay=5e-4
    )
    accuracy = (gcn.predict(P, np.eye(34), params)[~mask] == labels[~mask]).mean()
    assert accuracy > 0.8


def test_sgd_decreases_the_loss(karate):
    A, labels, mask = karate
    P = gcn.propagator(A)
    _, history = gcn.train(
        P,
        np.eye(34),
        labels,
        mask,
        gcn.init_parameters(34, 8, 2),
        steps=30,
        learning_rate=0.5,
        optimizer="sgd",
    )
    assert history["loss"][-1] < history["loss"][0]


def test_init_parameters_is_glorot_uniform_and_seeded():
    a, b = gcn.init_parameters(30, 20, 5, seed=3), gcn.init_parameters(30, 20, 5, seed=3)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert np.abs(a["W1"]).max() <= np.sqrt(6 / 50) and np.abs(a["W2"]).max() <= np.sqrt(6 / 25)
    assert np.abs(a["W1"]).max() > 0.8 * np.sqrt(6 / 50)
    assert not np.array_equal(a["W1"], gcn.init_parameters(30, 20, 5, seed=4)["W1"])


def test_sparse_matrix_input_and_networkx_graph():
    A = scipy.sparse.csr_matrix(nx.to_numpy_array(nx.path_graph(5)))
    X = np.eye(5)
    np.testing.assert_allclose(gcn.propagator(A, "eigen")(X), gcn.propagator(A)(X), atol=1e-12)


GOOD = {"features": np.eye(3), "labels": np.array([0, 1, 1]), "mask": np.array([True, False, True])}
PATH = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])


def call_loss(**changes):
    args = {**GOOD, "params": gcn.init_parameters(3, 2, 2), **changes}
    return gcn.loss_and_gradients(
        gcn.propagator(PATH),
        args["features"],
        args["labels"],
        args["mask"],
        args["params"],
        **{k: v for k, v in changes.items() if k == "weight_decay"},
    )


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"features": np.ones(3)}, ValueError, "features must have shape"),
        ({"features": np.ones((4, 3))}, ValueError, "features must have one row per node"),
        ({"features": np.full((3, 3), np.nan)}, ValueError, "features must be finite"),
        ({"features": np.eye(3) * 1j}, TypeError, "features must be real"),
        ({"labels": np.array([0.0, 1.0, 1.0])}, TypeError, "labels must be integers"),
        ({"labels": np.array([0, 1])}, ValueError, "labels must have shape"),
        ({"labels": np.array([0, 1, 2])}, ValueError, "labels of the masked nodes"),
        ({"mask": np.array([1, 0, 1])}, TypeError, "mask must be boolean"),
        ({"mask": np.zeros(3, bool)}, ValueError, "mask must select"),
        ({"params": {"W1": np.ones((3, 2))}}, TypeError, "params must be a dict"),
        ({"params": {"W1": np.ones((2, 2)), "W2": np.ones((2, 2))}}, ValueError, r"params\['W1'\]"),
        ({"params": {"W1": np.ones((3, 2)), "W2": np.ones((3, 2))}}, ValueError, r"params\['W2'\]"),
        ({"weight_decay": -1.0}, ValueError, "weight_decay"),
    ],
)
def test_bad_arguments_are_named(changes, error, message):
    with pytest.raises(error, match=message):
        call_loss(**changes)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: gcn.propagator(PATH, "fft"), ValueError, "route"),
        (lambda: gcn.propagator(PATH)(np.ones(4)), ValueError, "X must have shape"),
        (lambda: gcn.forward(PATH, np.eye(3), gcn.init_parameters(3, 2, 2)), TypeError, "propagate must be"),
        (lambda: gcn.init_parameters(0, 2, 2), ValueError, "n_features"),
        (lambda: gcn.init_parameters(3, 2, 2, seed=-1), ValueError, "seed"),
        (
            lambda: gcn.train(gcn.propagator(PATH), **GOOD, params=gcn.init_parameters(3, 2, 2), steps=0),
            ValueError,
            "steps",
        ),
        (
            lambda: gcn.train(
                gcn.propagator(PATH), **GOOD, params=gcn.init_parameters(3, 2, 2), learning_rate=0
            ),
            ValueError,
            "learning_rate",
        ),
        (
            lambda: gcn.train(
                gcn.propagator(PATH), **GOOD, params=gcn.init_parameters(3, 2, 2), optimizer="lbfgs"
            ),
            ValueError,
            "optimizer",
        ),
        (
            lambda: gcn.finite_difference_gradients(
                gcn.propagator(PATH), **GOOD, params=gcn.init_parameters(3, 2, 2), step=0.0
            ),
            ValueError,
            "step",
        ),
    ],
)
def test_bad_calls_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
