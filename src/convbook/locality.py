"""Three first layers that differ only in what they may look at, trained alike.

The experiment that separates the function class from the algorithm: one
small network, ``layer -> ReLU -> 2x2 average pool -> linear``, whose first
layer maps each image to ``channels`` maps of the same size by one of three
linear maps, nested from the most constrained to the least:

``"local"``
    Circular cross-correlation with a ``K x K`` kernel centred on each pixel:
    translation-equivariant and local (``K²`` weights per channel).
``"global"``
    Circular cross-correlation with an image-size kernel, parametrised by its
    orthonormal 2-D Hartley coefficients: one real coefficient per frequency,
    the spectral filters of a network that trains in the Fourier domain.
    Translation-equivariant, not local (``H·W`` weights per channel).
``"dense"``
    Any linear map of the pixels: neither (``(H·W)²`` weights per channel).

Every ``"local"`` layer is a ``"global"`` one whose kernel vanishes outside
the window, and every ``"global"`` layer is a ``"dense"`` one, so the larger
class can always fit the training set at least as well; what it does on
unseen images is the question. All three are trained by the same minibatch
SGD. Under SGD the global filter's coordinates do not matter (the Hartley
matrix is orthogonal, so SGD on its coefficients moves the kernel exactly as
SGD on the kernel would): what differs between the three is the function
class alone.

Taught in Chapter *What locality buys* (book/11_locality.ipynb).
"""

import functools

import numpy as np

from ._network import avg_pool, avg_pool_backward, softmax_cross_entropy
from ._validation import (
    check_choice,
    check_ndim,
    float_dtype,
    nonnegative_int,
    positive_int,
    positive_odd_int,
    positive_real,
    real_array,
)
from .cnn import spectral_basis

__all__ = ["KINDS", "init_model", "forward", "loss_and_grads", "train", "accuracy", "learning_curve"]

KINDS = ("local", "global", "dense")


def init_model(kind, seed=0, channels=8, kernel_size=3, image_size=8, n_classes=10, dtype=np.float64):
    """Random initial parameters of the network with the chosen first layer.

    The first layer's weights are He-normal for the layer they define, in
    space: standard deviation ``sqrt(2 / K²)`` for ``"local"``,
    ``sqrt(2 / (H·W))`` for ``"global"`` (drawn as a kernel, then stored as
    its Hartley coefficients, which have the same distribution because the
    Hartley matrix is orthogonal) and for ``"dense"``. The linear classifier
    is He-normal too; biases start at zero. Taught in Chapter *What locality
    buys* (book/11_locality.ipynb).

    Parameters
    ----------
    kind : {"local", "global", "dense"}
        The first layer (see the module docstring).
    seed : int
        Seed of ``numpy.random.default_rng``.
    channels : int
        Maps the first layer produces.
    kernel_size : int
        K, odd, at most ``image_size``; used by ``"local"`` only.
    image_size : int
        H = W, even (the average pool halves it).
    n_classes : int
        Number of classes (logits).
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    dict
        ``"kind"``; ``"layer"``: ``(channels, K, K)`` kernels (local),
        ``(channels, H·W)`` Hartley coefficients (global) or
        ``(channels, H·W, H·W)`` matrices (dense); ``"bias"``:
        ``(channels,)``; ``"fc_w"``: ``(channels·H·W/4, n_classes)``;
        ``"fc_b"``: ``(n_classes,)``.

    Examples
    --------
    >>> from convbook.locality import init_model
    >>> [init_model(k)["layer"].shape for k in ("local", "global", "dense")]
    [(8, 3, 3), (8, 64), (8, 64, 64)]
    """
    check_choice(kind, "kind", KINDS)
    rng = np.random.default_rng(nonnegative_int(seed, "seed"))
    channels = positive_int(channels, "channels")
    k = positive_odd_int(kernel_size, "kernel_size")
    n = positive_int(image_size, "image_size")
    if n % 2:
        raise ValueError(f"image_size must be even (the 2x2 average pool halves it), got {n}")
    if k > n:
        raise ValueError(f"kernel_size must be at most image_size={n}, got {k}")
    n_classes = positive_int(n_classes, "n_classes")
    dtype = float_dtype(dtype)
    pixels = n * n
    if kind == "local":
        layer = rng.normal(0.0, np.sqrt(2.0 / (k * k)), (channels, k, k))
    elif kind == "global":
        kernels = rng.normal(0.0, np.sqrt(2.0 / pixels), (channels, pixels))
        layer = kernels @ spectral_basis(n, "hartley")  # theta = B.T w, and B is symmetric
    else:
        layer = rng.normal(0.0, np.sqrt(2.0 / pixels), (channels, pixels, pixels))
    features = channels * pixels // 4
    return {
        "kind": kind,
        "layer": layer.astype(dtype),
        "bias": np.zeros(channels, dtype),
        "fc_w": rng.normal(0.0, np.sqrt(2.0 / features), (features, n_classes)).astype(dtype),
        "fc_b": np.zeros(n_classes, dtype),
    }


def forward(model, x):
    """Logits of the network for a batch of images.

    Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    model : dict
        As returned by :func:`init_model` or :func:`train`.
    x : array_like
        Images, shape ``(n, 1, H, W)`` or ``(n, H, W)``; cast to the model's dtype.

    Returns
    -------
    numpy.ndarray
        Logits, shape ``(n, n_classes)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.locality import forward, init_model
    >>> x = np.random.default_rng(0).random((5, 1, 8, 8))
    >>> forward(init_model("local"), x).shape
    (5, 10)
    """
    model, x = _check(model, x)
    return _forward(model, x)[0]


def loss_and_grads(model, x, y):
    """Mean softmax cross-entropy of a batch and its gradient for every parameter.

    The gradient of a tied layer is the sum of the dense layer's gradient
    over the matrix entries that share a weight; for ``"global"`` it is
    then carried to the Hartley coefficients by the chain rule. Taught in
    Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    model : dict
        As returned by :func:`init_model`.
    x : array_like
        Images, shape ``(n, 1, H, W)`` or ``(n, H, W)``.
    y : array_like of int
        Labels, shape ``(n,)``.

    Returns
    -------
    loss : float
    grads : dict
        The gradient of the loss for ``"layer"``, ``"bias"``, ``"fc_w"``
        and ``"fc_b"``, shaped like the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.locality import init_model, loss_and_grads
    >>> x = np.random.default_rng(0).random((4, 8, 8))
    >>> loss, grads = loss_and_grads(init_model("global"), x, [0, 1, 2, 3])
    >>> loss > 0, grads["layer"].shape
    (True, (8, 64))
    """
    model, x = _check(model, x)
    y = _labels(y, len(x), model["fc_b"].shape[0])
    return _loss_and_grads(model, x, y)


def train(model, x, y, steps=300, lr=0.1, batch_size=32, seed=0):
    """Minibatch SGD for a fixed number of steps; the model is not modified.

    Batches are drawn without replacement within each pass over the data,
    in an order from ``numpy.random.default_rng(seed)``; a training set
    smaller than ``batch_size`` is one batch. A fixed number of steps, not
    of epochs, so that small training sets are not also trained less.
    Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    model : dict
        Initial parameters, as returned by :func:`init_model`.
    x : array_like
        Training images, shape ``(n, 1, H, W)`` or ``(n, H, W)``.
    y : array_like of int
        Training labels, shape ``(n,)``.
    steps : int
        SGD steps.
    lr : float
        Learning rate, positive.
    batch_size : int
        Images per step.
    seed : int
        Seed of the batch order.

    Returns
    -------
    model : dict
        The trained parameters.
    losses : numpy.ndarray
        The batch loss before each step, float64, length ``steps``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.locality import init_model, train
    >>> x = np.random.default_rng(0).random((40, 8, 8))
    >>> y = (x[:, :4].sum(axis=(1, 2)) > x[:, 4:].sum(axis=(1, 2))).astype(int)
    >>> _, losses = train(init_model("local", n_classes=2), x, y, steps=100)
    >>> bool(losses[-10:].mean() < losses[:10].mean())
    True
    """
    model, x = _check(model, x)
    y = _labels(y, len(x), model["fc_b"].shape[0])
    steps = positive_int(steps, "steps")
    lr = positive_real(lr, "lr")
    batch_size = positive_int(batch_size, "batch_size")
    rng = np.random.default_rng(nonnegative_int(seed, "seed"))
    model = {name: (value.copy() if name != "kind" else value) for name, value in model.items()}
    n = len(x)
    order, position = rng.permutation(n), 0
    losses = np.empty(steps)
    for step in range(steps):
        if position + min(batch_size, n) > n:
            order, position = rng.permutation(n), 0
        batch = order[position : position + batch_size]
        position += len(batch)
        losses[step], grads = _loss_and_grads(model, x[batch], y[batch])
        for name, grad in grads.items():
            model[name] -= lr * grad
    return model, losses


def accuracy(model, x, y):
    """The fraction of images whose largest logit is their label.

    Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    model : dict
        As returned by :func:`init_model` or :func:`train`.
    x : array_like
        Images, shape ``(n, 1, H, W)`` or ``(n, H, W)``.
    y : array_like of int
        Labels, shape ``(n,)``.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.locality import accuracy, init_model
    >>> x = np.zeros((3, 8, 8))
    >>> 0.0 <= accuracy(init_model("dense"), x, [0, 1, 2]) <= 1.0
    True
    """
    model, x = _check(model, x)
    y = _labels(y, len(x), model["fc_b"].shape[0])
    return float(np.mean(np.argmax(_forward(model, x)[0], axis=1) == y))


def learning_curve(
    x_train, y_train, x_test, y_test, sizes, seeds=(0, 1, 2), kinds=KINDS, steps=300, lr=0.1, **model_options
):
    """Test accuracy of each first layer against the number of training images.

    For every seed, the training subsets are nested (the first ``size``
    images of one random order of the training set), and the three kinds
    start from initial parameters drawn with that seed and see the same
    batches. Taught in Chapter *What locality buys* (book/11_locality.ipynb).

    Parameters
    ----------
    x_train, y_train, x_test, y_test : array_like
        Images (``(n, 1, H, W)`` or ``(n, H, W)``) and labels.
    sizes : sequence of int
        Numbers of training images, each at most ``len(x_train)``.
    seeds : sequence of int
        One run per seed for every kind and size.
    kinds : sequence of str
        Which of :data:`KINDS` to train.
    steps, lr : int, float
        As for :func:`train`.
    **model_options
        Passed to :func:`init_model` (``channels``, ``kernel_size``, ``dtype``).

    Returns
    -------
    dict
        ``kind -> array`` of test accuracies, shape ``(len(seeds), len(sizes))``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.locality import learning_curve
    >>> rng = np.random.default_rng(0)
    >>> x, y = rng.random((60, 8, 8)), rng.integers(0, 2, 60)
    >>> curve = learning_curve(x[:40], y[:40], x[40:], y[40:], sizes=[10, 40], seeds=[0], steps=5, n_classes=2)
    >>> {kind: acc.shape for kind, acc in curve.items()}
    {'local': (1, 2), 'global': (1, 2), 'dense': (1, 2)}
    """
    x_train, x_test = _images(x_train, "x_train"), _images(x_test, "x_test")
    n = len(x_train)
    sizes = [positive_int(s, "sizes") for s in sizes]
    if not sizes or max(sizes) > n:
        raise ValueError(f"sizes must be a non-empty list of sizes from 1 to len(x_train)={n}, got {sizes}")
    seeds = [nonnegative_int(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty")
    kinds = list(kinds)
    for kind in kinds:
        check_choice(kind, "kinds", KINDS)
    result = {kind: np.empty((len(seeds), len(sizes))) for kind in kinds}
    for i, seed in enumerate(seeds):
        order = np.random.default_rng(seed).permutation(n)
        for kind in kinds:
            start = init_model(kind, seed=seed, image_size=x_train.shape[-1], **model_options)
            for j, size in enumerate(sizes):
                subset = order[:size]
                trained, _ = train(start, x_train[subset], np.asarray(y_train)[subset], steps, lr, seed=seed)
                result[kind][i, j] = accuracy(trained, x_test, y_test)
    return result


# -- the network ---------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _offsets(n):
    """Index of the offset (q - p) mod n, per axis, for every pair of pixels p, q of an n x n image."""
    rows, cols = np.divmod(np.arange(n * n), n)
    offsets = ((rows[None, :] - rows[:, None]) % n) * n + (cols[None, :] - cols[:, None]) % n
    offsets.flags.writeable = False  # cached: shared by every call
    return offsets


@functools.lru_cache(maxsize=8)
def _hartley(n):
    """The orthonormal Hartley matrix of n x n images (symmetric), cached: every training step needs it."""
    basis = spectral_basis(n, "hartley")
    basis.flags.writeable = False
    return basis


def _local_offsets(k, n):
    """Flat offsets (mod n) of the K x K window centred on a pixel, in row-major kernel order."""
    steps = (np.arange(k) - k // 2) % n
    return (steps[:, None] * n + steps[None, :]).ravel()


def _matrix(model, n):
    """The first layer as matrices: (channels, H·W, H·W), row p holding the weights of output pixel p."""
    kind, layer = model["kind"], model["layer"]
    if kind == "dense":
        return layer
    if kind == "local":
        kernels = np.zeros((len(layer), n * n), layer.dtype)
        kernels[:, _local_offsets(layer.shape[-1], n)] = layer.reshape(len(layer), -1)
    else:
        kernels = layer @ _hartley(n).astype(layer.dtype, copy=False).T
    return kernels[:, _offsets(n)]


def _tied_gradient(model, grad_matrix, n):
    """Sum the dense gradient over the entries that share each weight (the chain rule through the tying)."""
    kind, layer = model["kind"], model["layer"]
    if kind == "dense":
        return grad_matrix
    offsets = _offsets(n).ravel()
    grad_kernels = np.stack([np.bincount(offsets, g.ravel(), minlength=n * n) for g in grad_matrix])
    if kind == "local":
        return grad_kernels[:, _local_offsets(layer.shape[-1], n)].reshape(layer.shape).astype(layer.dtype)
    return (grad_kernels @ _hartley(n)).astype(layer.dtype)


def _forward(model, x):
    n_images, n = len(x), x.shape[-1]
    flat = x.reshape(n_images, -1)
    matrix = _matrix(model, n)
    pre = (flat @ matrix.reshape(-1, n * n).T).reshape(n_images, -1, n * n) + model["bias"][None, :, None]
    act = np.maximum(pre, 0)
    pooled = avg_pool(act.reshape(n_images, -1, n, n)).reshape(n_images, -1)
    return pooled @ model["fc_w"] + model["fc_b"], (flat, pre, pooled)


def _loss_and_grads(model, x, y):
    logits, (flat, pre, pooled) = _forward(model, x)
    n_images, n = len(x), x.shape[-1]
    loss, grad_logits = softmax_cross_entropy(logits, y)
    grad_pooled = (grad_logits @ model["fc_w"].T).reshape(n_images, -1, n // 2, n // 2)
    grad_pre = avg_pool_backward(grad_pooled).reshape(pre.shape) * (pre > 0)
    grads = {
        "layer": _tied_gradient(
            model, (grad_pre.reshape(n_images, -1).T @ flat).reshape(-1, n * n, n * n), n
        ),
        "bias": grad_pre.sum(axis=(0, 2)),
        "fc_w": pooled.T @ grad_logits,
        "fc_b": grad_logits.sum(axis=0),
    }
    return loss, grads


# -- checks --------------------------------------------------------------------


def _images(x, name):
    x = real_array(x, name)
    if x.ndim == 4:
        if x.shape[1] != 1:
            raise ValueError(f"{name} must have one channel, shape (n, 1, H, W), got shape {x.shape}")
        x = x[:, 0]
    check_ndim(x, name, 3, "(n, H, W) or 4-D (n, 1, H, W)")
    if x.shape[1] != x.shape[2]:
        raise ValueError(f"{name} must hold square images, got shape {x.shape}")
    return x


def _check(model, x):
    if not isinstance(model, dict) or set(model) != {"kind", "layer", "bias", "fc_w", "fc_b"}:
        raise TypeError("model must be a dict as returned by init_model")
    check_choice(model["kind"], "model['kind']", KINDS)
    x = _images(x, "x")
    dtype = model["fc_w"].dtype
    n = x.shape[-1]
    expected = {"local": 3, "global": 2, "dense": 3}[model["kind"]]
    layer = model["layer"]
    if layer.ndim != expected or (model["kind"] != "local" and layer.shape[1] != n * n):
        raise ValueError(f"model['layer'] of shape {layer.shape} does not fit {n} x {n} images")
    if model["fc_w"].shape[0] != len(model["bias"]) * n * n // 4:
        raise ValueError(f"model['fc_w'] of shape {model['fc_w'].shape} does not fit {n} x {n} images")
    return model, x.astype(dtype, copy=False)


def _labels(y, n, n_classes):
    y = real_array(y, "y")
    if y.shape != (n,) or y.dtype.kind not in "iu":
        raise ValueError(
            f"y must be {n} integer labels, shape ({n},), got dtype {y.dtype} and shape {y.shape}"
        )
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold labels from 0 to {n_classes - 1}, got {y.min()} to {y.max()}")
    return y
