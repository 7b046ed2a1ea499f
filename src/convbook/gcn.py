"""A two-layer graph convolutional network (Kipf & Welling 2017), with its gradients by hand.

The network is ``Z = Â relu(Â X W1) W2``, with ``Â`` the renormalised
propagation matrix of :func:`convbook.graphs.gcn_propagation`, trained by
the cross-entropy of ``softmax(Z)`` on the labelled nodes only
(semi-supervised node classification). Every product with ``Â`` goes
through a *propagator*, a function ``X ↦ Â X``, and two routes compute the
same one:

- ``"sparse"``: a CSR product, ``O(|E|)`` per column;
- ``"eigen"``: the spectral route, ``U diag(μ) Uᵀ X`` with ``Â = U diag(μ) Uᵀ``
  computed once by a dense eigendecomposition, ``O(n²)`` per column.

In exact arithmetic the two are one linear map, so losses, gradients and
the whole training run agree up to rounding, as the FFT route and the
sliding kernel do for a CNN (*Training a CNN through the FFT*,
book/08_training_through_fft.ipynb). The backward pass uses ``Âᵀ = Â``.

Parameters are a dict ``{"W1": (features, hidden), "W2": (hidden, classes)}``.

Taught in *Convolution on graphs* (book/12_graphs.ipynb).
"""

import numpy as np
import scipy.linalg
import scipy.sparse

from ._network import softmax_cross_entropy
from ._validation import check_choice, nonnegative_int, positive_int, positive_real, real_array, real_number
from .graphs import gcn_propagation

ROUTES = ("sparse", "eigen")

__all__ = [
    "ROUTES",
    "propagator",
    "init_parameters",
    "forward",
    "loss_and_gradients",
    "finite_difference_gradients",
    "predict",
    "train",
]


def propagator(adjacency, route="sparse"):
    """The function ``X ↦ Â X`` for the graph's GCN matrix ``Â``, computed by ``route``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix, as for :func:`convbook.graphs.laplacian`.
    route : {"sparse", "eigen"}
        ``"sparse"`` multiplies by ``Â`` in CSR form; ``"eigen"`` by
        ``U diag(μ) Uᵀ``, from :func:`scipy.linalg.eigh` of the dense ``Â``.

    Returns
    -------
    callable
        ``propagate(X)`` for ``X`` of shape ``(n,)`` or ``(n, k)``, float64.
        Its attributes ``route`` and ``n`` say how and on how many nodes it
        works; an ``"eigen"`` propagator also has ``eigenvalues`` (μ,
        ascending) and ``eigenvectors`` (U).

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import propagator
    >>> A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> X = np.eye(3)
    >>> np.allclose(propagator(A, "eigen")(X), propagator(A, "sparse")(X))
    True
    >>> propagator(A, "eigen").eigenvalues.round(3)
    array([-0.167,  0.5  ,  1.   ])
    """
    check_choice(route, "route", ROUTES)
    A_hat = gcn_propagation(adjacency)
    n = A_hat.shape[0]
    if route == "sparse":
        A_hat = scipy.sparse.csr_array(A_hat).astype(np.float64)

        def propagate(X):
            return A_hat @ _block(X, n)

    else:
        dense = A_hat.toarray() if scipy.sparse.issparse(A_hat) else np.asarray(A_hat)
        mu, U = scipy.linalg.eigh(dense.astype(np.float64))

        def propagate(X):
            X = _block(X, n)
            spectrum = U.T @ X
            return U @ (mu[:, None] * spectrum if X.ndim == 2 else mu * spectrum)

        propagate.eigenvalues, propagate.eigenvectors = mu, U
    propagate.route, propagate.n = route, n
    return propagate


def init_parameters(n_features, n_hidden, n_classes, seed=0):
    """Glorot-uniform weights of the two layers, as Kipf & Welling initialise them.

    Each ``W`` of shape ``(fan_in, fan_out)`` is drawn uniformly from
    ``±sqrt(6 / (fan_in + fan_out))`` by ``numpy.random.default_rng(seed)``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    n_features, n_hidden, n_classes : int
        Positive sizes: input features per node, hidden units, classes.
    seed : int
        Non-negative seed of the generator.

    Returns
    -------
    dict
        ``{"W1": (n_features, n_hidden), "W2": (n_hidden, n_classes)}``, float64.

    Examples
    --------
    >>> from convbook.gcn import init_parameters
    >>> params = init_parameters(34, 16, 2)
    >>> params["W1"].shape, params["W2"].shape, bool(abs(params["W1"]).max() <= (6 / 50) ** 0.5)
    ((34, 16), (16, 2), True)
    """
    sizes = [
        positive_int(n_features, "n_features"),
        positive_int(n_hidden, "n_hidden"),
        positive_int(n_classes, "n_classes"),
    ]
    rng = np.random.default_rng(nonnegative_int(seed, "seed"))
    params = {}
    for name, (fan_in, fan_out) in zip(("W1", "W2"), zip(sizes[:-1], sizes[1:])):
        bound = np.sqrt(6 / (fan_in + fan_out))
        params[name] = rng.uniform(-bound, bound, (fan_in, fan_out))
    return params


def forward(propagate, features, params):
    """The network's logits ``Z = Â relu(Â X W1) W2``, one row per node.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    propagate : callable
        ``X ↦ Â X``, from :func:`propagator`.
    features : array_like
        ``X``, real and finite, shape ``(n, n_features)``.
    params : dict
        ``{"W1", "W2"}`` as from :func:`init_parameters`.

    Returns
    -------
    numpy.ndarray
        The logits, shape ``(n, n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import forward, init_parameters, propagator
    >>> A = np.array([[0, 1], [1, 0]])
    >>> forward(propagator(A), np.eye(2), init_parameters(2, 3, 2)).shape
    (2, 2)
    """
    X, W1, W2 = _check(propagate, features, params)
    return _forward(propagate, X, W1, W2)[-1]


def loss_and_gradients(propagate, features, labels, mask, params, weight_decay=0.0):
    """Masked cross-entropy of the GCN and its gradients with respect to ``W1`` and ``W2``.

    ``loss = mean over labelled i of -log softmax(Z_i)[y_i]
    + weight_decay / 2 * (|W1|² + |W2|²)``. The backward pass, by hand:
    ``G = (softmax(Z) - onehot(y)) / m`` on the ``m`` labelled rows (0
    elsewhere), ``dW2 = (Â H)ᵀ G``, ``dH = Â (G W2ᵀ)`` (``Â`` is symmetric),
    ``dW1 = (Â X)ᵀ (dH ⊙ [Â X W1 > 0])``.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    propagate : callable
        ``X ↦ Â X``, from :func:`propagator`.
    features : array_like
        ``X``, shape ``(n, n_features)``.
    labels : array_like of int
        Shape ``(n,)``, each in ``[0, n_classes)``; only the masked ones are used.
    mask : array_like of bool
        Shape ``(n,)``: the labelled nodes, at least one.
    params : dict
        ``{"W1", "W2"}``.
    weight_decay : float
        Non-negative L2 penalty on both weights.

    Returns
    -------
    loss : float
    gradients : dict
        ``{"W1": ..., "W2": ...}``, of the parameters' shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import init_parameters, loss_and_gradients, propagator
    >>> A = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> params = init_parameters(3, 4, 2)
    >>> params["W2"][:] = 0  # equal logits: the loss is log 2 for two classes
    >>> loss, grads = loss_and_gradients(propagator(A), np.eye(3), [0, 0, 1], [True, False, True], params)
    >>> bool(np.isclose(loss, np.log(2))), grads["W1"].shape
    (True, (3, 4))
    """
    X, W1, W2 = _check(propagate, features, params)
    y, m = _labels(labels, mask, X.shape[0], W2.shape[1])
    decay = real_number(weight_decay, "weight_decay")
    if decay < 0:
        raise ValueError(f"weight_decay must be non-negative, got {weight_decay!r}")
    return _loss_and_gradients(propagate, X, W1, W2, y, m, decay)


def finite_difference_gradients(propagate, features, labels, mask, params, weight_decay=0.0, step=1e-6):
    """The gradients of :func:`loss_and_gradients` by central differences, entry by entry.

    ``(loss(W + h e) - loss(W - h e)) / 2h`` for every entry ``e``: an
    independent check of the hand-written backward pass (error ``O(h²)``
    plus rounding of order ``eps / h``), which costs two forward passes per
    parameter.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    propagate, features, labels, mask, params, weight_decay
        As for :func:`loss_and_gradients`.
    step : float
        ``h``, positive.

    Returns
    -------
    dict
        ``{"W1": ..., "W2": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import finite_difference_gradients, init_parameters, loss_and_gradients, propagator
    >>> args = (propagator(np.array([[0, 1], [1, 0]])), np.eye(2), [0, 1], [True, True], init_parameters(2, 3, 2))
    >>> numeric = finite_difference_gradients(*args)
    >>> bool(np.allclose(numeric["W1"], loss_and_gradients(*args)[1]["W1"], atol=1e-8))
    True
    """
    X, W1, W2 = _check(propagate, features, params)
    y, m = _labels(labels, mask, X.shape[0], W2.shape[1])
    decay = real_number(weight_decay, "weight_decay")
    h = positive_real(step, "step")
    weights = {"W1": W1.copy(), "W2": W2.copy()}
    grads = {}
    for name, W in weights.items():
        grad = np.empty_like(W)
        for index in np.ndindex(W.shape):
            saved = W[index]
            values = []
            for delta in (h, -h):
                W[index] = saved + delta
                values.append(_loss_and_gradients(propagate, X, weights["W1"], weights["W2"], y, m, decay)[0])
            W[index] = saved
            grad[index] = (values[0] - values[1]) / (2 * h)
        grads[name] = grad
    return grads


def predict(propagate, features, params):
    """The predicted class of every node: the argmax of its logits.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    propagate, features, params
        As for :func:`forward`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, int64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import predict, propagator
    >>> params = {"W1": np.eye(2), "W2": np.array([[1.0, 0.0], [0.0, 1.0]])}
    >>> predict(propagator(np.zeros((2, 2))), np.array([[1.0, 0.0], [0.0, 1.0]]), params)
    array([0, 1])
    """
    return np.argmax(forward(propagate, features, params), axis=1).astype(np.int64)


def train(
    propagate,
    features,
    labels,
    mask,
    params,
    steps=200,
    learning_rate=0.01,
    weight_decay=0.0,
    optimizer="adam",
):
    """Full-batch training of the GCN, recording the loss and the parameters at every step.

    ``optimizer="adam"`` is Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8), as Kipf &
    Welling train; ``"sgd"`` is plain gradient descent. The starting
    ``params`` are not modified.

    Taught in *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    propagate, features, labels, mask, params, weight_decay
        As for :func:`loss_and_gradients`.
    steps : int
        Positive number of updates.
    learning_rate : float
        Positive step size.
    optimizer : {"adam", "sgd"}

    Returns
    -------
    params : dict
        The trained ``{"W1", "W2"}``.
    history : dict
        ``"loss"``: shape ``(steps,)``, the loss before each update;
        ``"W1"``, ``"W2"``: shape ``(steps + 1, ...)``, the parameters from
        the start to the end.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.gcn import init_parameters, propagator, train
    >>> A = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> params, history = train(propagator(A), np.eye(4), [0, 0, 1, 1], [True, False, False, True],
    ...                         init_parameters(4, 4, 2), steps=50, learning_rate=0.05)
    >>> bool(history["loss"][-1] < history["loss"][0]), history["W1"].shape
    (True, (51, 4, 4))
    """
    X, W1, W2 = _check(propagate, features, params)
    y, m = _labels(labels, mask, X.shape[0], W2.shape[1])
    decay = real_number(weight_decay, "weight_decay")
    if decay < 0:
        raise ValueError(f"weight_decay must be non-negative, got {weight_decay!r}")
    steps = positive_int(steps, "steps")
    lr = positive_real(learning_rate, "learning_rate")
    check_choice(optimizer, "optimizer", ("adam", "sgd"))
    weights = {"W1": W1.copy(), "W2": W2.copy()}
    history = {name: [W.copy()] for name, W in weights.items()}
    losses = np.empty(steps)
    moments = {name: (np.zeros_like(W), np.zeros_like(W)) for name, W in weights.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        losses[t - 1], grads = _loss_and_gradients(propagate, X, weights["W1"], weights["W2"], y, m, decay)
        for name, W in weights.items():
            g = grads[name]
            if optimizer == "sgd":
                W -= lr * g
            else:
                first, second = moments[name]
                first *= beta1
                first += (1 - beta1) * g
                second *= beta2
                second += (1 - beta2) * g * g
                W -= lr * (first / (1 - beta1**t)) / (np.sqrt(second / (1 - beta2**t)) + eps)
            history[name].append(W.copy())
    history = {name: np.stack(values) for name, values in history.items()}
    history["loss"] = losses
    return weights, history


# ---------------------------------------------------------------------------
# Private helpers.


def _forward(propagate, X, W1, W2):
    AX = propagate(X)
    pre = AX @ W1
    H = np.maximum(pre, 0)
    AH = propagate(H)
    return AX, pre, H, AH, AH @ W2


def _loss_and_gradients(propagate, X, W1, W2, y, m, decay):
    AX, pre, H, AH, Z = _forward(propagate, X, W1, W2)
    cross_entropy, G_m = softmax_cross_entropy(Z[m], y[m])
    loss = cross_entropy + decay / 2 * (np.sum(W1 * W1) + np.sum(W2 * W2))
    G = np.zeros_like(Z)
    G[m] = G_m
    dW2 = AH.T @ G + decay * W2
    dH = propagate(G @ W2.T)
    dW1 = AX.T @ (dH * (pre > 0)) + decay * W1
    return float(loss), {"W1": dW1, "W2": dW2}


def _block(X, n):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (1, 2) or X.shape[0] != n:
        raise ValueError(f"X must have shape ({n},) or ({n}, k), got shape {X.shape}")
    return X


def _check(propagate, features, params):
    if not callable(propagate):
        raise TypeError(
            f"propagate must be a callable X -> Â X (see propagator), got {type(propagate).__name__}"
        )
    X = real_array(features, "features").astype(np.float64)
    if X.ndim != 2:
        raise ValueError(f"features must have shape (n, n_features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("features must be finite, found NaN or infinity")
    n = getattr(propagate, "n", X.shape[0])
    if X.shape[0] != n:
        raise ValueError(f"features must have one row per node ({n}), got shape {X.shape}")
    if not isinstance(params, dict) or set(params) != {"W1", "W2"}:
        raise TypeError(f"params must be a dict with keys 'W1' and 'W2', got {params!r:.80}")
    W1 = real_array(params["W1"], "params['W1']").astype(np.float64)
    W2 = real_array(params["W2"], "params['W2']").astype(np.float64)
    if W1.ndim != 2 or W1.shape[0] != X.shape[1]:
        raise ValueError(f"params['W1'] must have shape ({X.shape[1]}, n_hidden), got shape {W1.shape}")
    if W2.ndim != 2 or W2.shape[0] != W1.shape[1]:
        raise ValueError(f"params['W2'] must have shape ({W1.shape[1]}, n_classes), got shape {W2.shape}")
    if not (np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))):
        raise ValueError("params must be finite, found NaN or infinity")
    return X, W1, W2


def _labels(labels, mask, n, n_classes):
    y = np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), got shape {y.shape}")
    m = np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"mask must be boolean, got dtype {m.dtype}")
    if m.shape != (n,):
        raise ValueError(f"mask must have shape ({n},), got shape {m.shape}")
    if not m.any():
        raise ValueError("mask must select at least one labelled node")
    if y[m].min() < 0 or y[m].max() >= n_classes:
        raise ValueError(f"labels of the masked nodes must lie in [0, {n_classes}), got {sorted(set(y[m]))}")
    return y.astype(np.int64), m
