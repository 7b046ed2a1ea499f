"""A small convolutional network in plain numpy, trainable through the FFT.

Two convolution layers (each followed by ReLU and 2x2 average pooling) and a
linear classifier, with hand-written backpropagation. The convolutions are
:func:`convbook.conv2d` and :func:`convbook.conv2d_backward`, so the same
network can be trained with ``method="direct"``, ``"im2col"`` or ``"fft"``:
the three compute the same linear maps, hence the same losses, gradients
and training trajectories up to rounding (made precise, and measured, by
:func:`divergence` and the ``snapshot_every`` option of :func:`train`).

:func:`train` runs minibatch SGD or Adam (Kingma & Ba 2015). The convolution
kernels can also be *parametrised*: the parameters the optimiser updates are
then coordinates ``theta`` of each K x K kernel in a fixed linear basis ``B``
(``w = B @ theta``), and the chain rule gives their gradient as
``B.T @ grad_w``; Adam keeps its moment estimates per coordinate of
``theta``. Four bases are offered:

``"spatial"``
    The kernel entries themselves (``B`` is the identity).
``"hartley"``
    The orthonormal 2-D discrete Hartley transform, a real cousin of the
    DFT (``theta = Re F w - Im F w`` with the unitary DFT ``F``). ``B`` is
    orthogonal, so SGD on ``theta`` moves ``w`` exactly as plain SGD does;
    Adam, whose scaling is per coordinate, does not.
``"rfft2"``
    The real and imaginary parts of the half spectrum
    ``scipy.fft.rfft2(w, norm="ortho")``, a spectral parametrisation in the
    sense of Rippel, Snoek & Adams (2015). ``B @ B.T`` is not a multiple of
    the identity (see :func:`spectral_basis`), so SGD on ``theta`` follows
    a different trajectory from the same starting kernels.
``"rfft2-backward"``
    The same half spectrum with scipy's default normalisation,
    ``scipy.fft.rfft2(w, norm="backward")`` (the plain DFT, no scaling
    forward, ``1/K²`` back): ``theta`` is ``K`` times the ``"rfft2"``
    coordinates and ``B`` is the ``"rfft2"`` basis divided by ``K``. SGD
    with learning rate ``lr`` is then ``"rfft2"`` SGD with ``lr / K²`` on the
    kernels, and Adam with ``(lr, eps)`` is ``"rfft2"`` Adam with
    ``(lr / K, K * eps)`` on the kernels.

Everything here is taught in Chapter *Training a CNN through the FFT*
(book/08_training_through_fft.ipynb).
"""

import numpy as np
import scipy.fft

from ._network import avg_pool, avg_pool_backward, softmax_cross_entropy
from ._validation import (
    as_numeric_array,
    check_choice,
    float_dtype,
    nonnegative_int,
    pair_of_positive_ints,
    positive_int,
    positive_odd_int,
    positive_real,
    real_array,
    real_number,
)
from .layers import METHODS, conv2d_forward, conv2d_vjp

__all__ = [
    "load_digits",
    "init_params",
    "forward",
    "loss_and_grads",
    "predict",
    "train",
    "spectral_basis",
    "to_spectral",
    "from_spectral",
    "divergence",
]

PARAMETRISATIONS = ("spatial", "hartley", "rfft2", "rfft2-backward")
# The half-spectrum parametrisations and the scipy.fft normalisation of each.
HALF_SPECTRUM_NORMS = {"rfft2": "ortho", "rfft2-backward": "backward"}
OPTIMIZERS = ("sgd", "adam")
PARAM_NAMES = ("conv1_w", "conv1_b", "conv2_w", "conv2_b", "fc_w", "fc_b")
CONV_WEIGHTS = ("conv1_w", "conv2_w")


def load_digits(test_size=450, seed=0):
    """The 8 x 8 handwritten digits of scikit-learn, split and scaled for the CNN.

    The data set (Alpaydin & Kaynak 1998) ships with scikit-learn, so nothing
    is downloaded. Pixels (0 to 16) are scaled to [0, 1]; images come as
    float32 arrays of shape ``(n, 1, 8, 8)`` (NCHW). Taught in Chapter
    *Training a CNN through the FFT* (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    test_size : int
        Number of images held out for testing, between 1 and 1796.
    seed : int
        Seed of the shuffle that splits the 1797 images.

    Returns
    -------
    x_train, y_train, x_test, y_test : numpy.ndarray
        Images (float32) and labels (int64, 0 to 9).

    Examples
    --------
    >>> from convbook.cnn import load_digits
    >>> x_train, y_train, x_test, y_test = load_digits(test_size=450)
    >>> x_train.shape, x_test.shape, x_train.dtype
    ((1347, 1, 8, 8), (450, 1, 8, 8), dtype('float32'))
    """
    from sklearn.datasets import load_digits as _sklearn_digits  # only this function needs sklearn

    digits = _sklearn_digits()
    n = len(digits.target)
    test_size = positive_int(test_size, "test_size")
    if test_size >= n:
        raise ValueError(f"test_size must be smaller than the {n} images, got {test_size}")
    order = np.random.default_rng(nonnegative_int(seed, "seed")).permutation(n)
    x = (digits.images[order] / 16.0).astype(np.float32)[:, None]
    y = digits.target[order].astype(np.int64)
    return x[test_size:], y[test_size:], x[:test_size], y[:test_size]


def init_params(
    seed=0,
    channels=(8, 16),
    kernel_sizes=(5, 3),
    image_size=8,
    n_classes=10,
    bias_init=0.01,
    dtype=np.float32,
):
    """Random initial parameters of the two-convolution network.

    He-normal weights (standard deviation ``sqrt(2 / fan_in)``) and constant
    biases. The layers are ``conv(1 -> channels[0], kernel_sizes[0])``, ReLU,
    2x2 average pool, ``conv(channels[0] -> channels[1], kernel_sizes[1])``,
    ReLU, 2x2 average pool, and a linear map to ``n_classes`` logits. Convolutions are padded
    to keep the image size ("same"), so odd kernel sizes are required.
    Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    seed : int
        Seed of the weight generator.
    channels : (int, int)
        Output channels of the two convolutions.
    kernel_sizes : (int, int)
        Odd kernel sizes of the two convolutions.
    image_size : int
        Height and width of the (square, one-channel) input images; a
        multiple of 4, so that both poolings halve it exactly.
    n_classes : int
        Number of classes (logits).
    bias_init : float
        Initial value of every convolution bias. The default is slightly
        positive so that a blank patch of the image (all zeros) does not
        land exactly on the kink of ReLU, where the direct method computes
        an exact 0 and the FFT a rounding error of either sign.
    dtype : {numpy.float32, numpy.float64}
        Floating-point type of every parameter.

    Returns
    -------
    dict
        ``conv1_w`` (OIHW), ``conv1_b``, ``conv2_w``, ``conv2_b``, ``fc_w``
        (``n_classes x features``, PyTorch's ``Linear`` layout), ``fc_b``.

    Examples
    --------
    >>> from convbook.cnn import init_params
    >>> params = init_params(seed=0)
    >>> {name: value.shape for name, value in params.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'conv1_w': (8, 1, 5, 5), 'conv1_b': (8,), 'conv2_w': (16, 8, 3, 3), 'conv2_b': (16,),
     'fc_w': (10, 64), 'fc_b': (10,)}
    """
    c1, c2 = pair_of_positive_ints(channels, "channels", "(one per convolution)")
    k1, k2 = pair_of_positive_ints(kernel_sizes, "kernel_sizes", "(one per convolution)")
    for i, k in enumerate((k1, k2)):
        positive_odd_int(k, f"kernel_sizes[{i}]", "the convolutions keep the image size")
    size = positive_int(image_size, "image_size")
    if size % 4:
        raise ValueError(f"image_size must be a multiple of 4 (two 2x2 poolings), got {size}")
    classes = positive_int(n_classes, "n_classes")
    bias_init = real_number(bias_init, "bias_init")
    dtype = float_dtype(dtype)
    rng = np.random.default_rng(nonnegative_int(seed, "seed"))
    features = c2 * (size // 4) ** 2

    def he(shape, fan_in):
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)

    return {
        "conv1_w": he((c1, 1, k1, k1), k1 * k1),
        "conv1_b": np.full(c1, bias_init, dtype),
        "conv2_w": he((c2, c1, k2, k2), c1 * k2 * k2),
        "conv2_b": np.full(c2, bias_init, dtype),
        "fc_w": he((classes, features), features),
        "fc_b": np.zeros(classes, dtype),
    }


def forward(params, x, method="direct"):
    """Logits of the network for a batch of images.

    Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    params : dict
        As returned by :func:`init_params`.
    x : array_like
        Images, shape ``(n, 1, image_size, image_size)``; cast to the
        parameters' dtype.
    method : {"direct", "im2col", "fft"}
        How :func:`convbook.conv2d` computes the convolutions.

    Returns
    -------
    numpy.ndarray
        Logits, shape ``(n, n_classes)``, in the parameters' dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import forward, init_params
    >>> params = init_params(seed=0)
    >>> x = np.random.default_rng(0).random((4, 1, 8, 8), dtype=np.float32)
    >>> forward(params, x).shape
    (4, 10)
    >>> bool(np.allclose(forward(params, x, method="fft"), forward(params, x), atol=1e-5))
    True
    """
    params, x = _check_params_and_images(params, x, method)
    return _forward(params, x, method)[0]


def loss_and_grads(params, x, y, method="direct"):
    """Mean softmax cross-entropy of a batch and its gradient for every parameter.

    Backpropagation by hand: the gradients of the convolutions come from
    :func:`convbook.conv2d_backward` with the same ``method``, those of
    ReLU, average pooling, the linear layer and the loss from their
    definitions. Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    params : dict
        As returned by :func:`init_params`.
    x : array_like
        Images, shape ``(n, 1, image_size, image_size)``.
    y : array_like of int
        Labels, shape ``(n,)``, each in ``range(n_classes)``.
    method : {"direct", "im2col", "fft"}
        How the convolutions and their gradients are computed.

    Returns
    -------
    loss : float
        The mean cross-entropy.
    grads : dict
        ``d loss / d param`` for every entry of ``params``, same shapes.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import init_params, loss_and_grads
    >>> params = init_params(seed=0, dtype=np.float64)
    >>> x = np.random.default_rng(1).random((4, 1, 8, 8))
    >>> loss, grads = loss_and_grads(params, x, [0, 1, 2, 3])
    >>> round(loss, 4) > 0, grads["conv1_w"].shape
    (True, (8, 1, 5, 5))
    """
    params, x = _check_params_and_images(params, x, method)
    y = _check_labels(y, len(x), params["fc_b"].shape[0])
    return _loss_and_grads(params, x, y, method)


def predict(params, x, method="direct"):
    """Predicted class of each image (the index of its largest logit).

    Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    params : dict
        As returned by :func:`init_params` or :func:`train`.
    x : array_like
        Images, shape ``(n, 1, image_size, image_size)``.
    method : {"direct", "im2col", "fft"}
        How the convolutions are computed.

    Returns
    -------
    numpy.ndarray
        Labels, shape ``(n,)``, dtype int64.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import init_params, predict
    >>> x = np.zeros((3, 1, 8, 8), np.float32)
    >>> predict(init_params(seed=0), x).shape
    (3,)
    """
    return np.argmax(forward(params, x, method), axis=1).astype(np.int64)


def train(
    params,
    x,
    y,
    epochs=1,
    lr=0.1,
    batch_size=32,
    method="direct",
    seed=0,
    parametrisation="spatial",
    optimizer="sgd",
    betas=(0.9, 0.999),
    eps=1e-8,
    snapshot_every=0,
):
    """Train the network with minibatch SGD or Adam; return the final parameters and the history.

    Each epoch visits the training images in an order drawn from
    ``numpy.random.default_rng(seed)``, so two runs with the same seed see
    the same batches. The convolution kernels are updated in the
    coordinates chosen by ``parametrisation`` (see the module docstring),
    starting from the coordinates of the initial kernels
    (:func:`to_spectral`); biases and the linear layer are always updated
    directly. ``params`` is not modified. Taught in Chapter *Training a CNN
    through the FFT* (book/08_training_through_fft.ipynb).

    ``optimizer="sgd"`` steps every coordinate by ``-lr * g``.
    ``optimizer="adam"`` is Algorithm 1 of Kingma & Ba (2015), with bias
    correction: at step ``t`` (from 1), for each coordinate,
    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g²`` (both starting at
    0), and the step is ``-lr * m_hat / (sqrt(v_hat) + eps)`` with
    ``m_hat = m / (1 - b1**t)`` and ``v_hat = v / (1 - b2**t)``. The
    moments are kept in the parameters' dtype and, for the kernels, per
    coordinate of ``theta``.

    Parameters
    ----------
    params : dict
        Initial parameters, as returned by :func:`init_params`.
    x : array_like
        Training images, shape ``(n, 1, image_size, image_size)``.
    y : array_like of int
        Training labels, shape ``(n,)``.
    epochs : int
        Passes over the training set.
    lr : float or dict
        Learning rate, positive; or a dict with one learning rate for each
        of the six parameters (keys as in :func:`init_params`), like the
        parameter groups of PyTorch's optimisers.
    batch_size : int
        Images per step; the last batch of an epoch may be smaller.
    method : {"direct", "im2col", "fft"}
        How the convolutions and their gradients are computed.
    seed : int
        Seed of the batch order.
    parametrisation : {"spatial", "hartley", "rfft2", "rfft2-backward"}
        Coordinates in which the optimiser updates the convolution kernels.
    optimizer : {"sgd", "adam"}
        The update rule.
    betas : (float, float)
        Adam's decay rates ``(b1, b2)`` of the first and second moment
        estimates, each in ``[0, 1)``. Checked, but unused, with SGD.
    eps : float or dict
        Adam's ``eps``, positive; or one per parameter, as for ``lr``.
        Checked, but unused, with SGD.
    snapshot_every : int
        If positive, record a copy of all parameters (kernels in space)
        before the first step and after every ``snapshot_every`` steps. The
        first snapshot holds the kernels ``B @ theta_0`` the first step
        uses, which differ from the initial kernels by the rounding of
        :func:`to_spectral` and :func:`from_spectral` (not at all for
        ``"spatial"``).

    Returns
    -------
    params : dict
        The trained parameters, with the kernels in space (OIHW).
    history : dict
        ``"loss"``: the batch loss before each step (float64 array of length
        ``epochs * ceil(n / batch_size)``); ``"steps_per_epoch"``: int.
        With ``snapshot_every > 0`` also ``"snapshot_steps"`` (int64 array
        ``0, k, 2k, ...`` up to the number of steps) and ``"snapshots"``
        (a list of parameter dicts, the parameters after that many steps),
        for :func:`divergence`.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import divergence, init_params, load_digits, train
    >>> x, y, _, _ = load_digits()
    >>> p0 = init_params(seed=0)
    >>> _, h_direct = train(p0, x[:256], y[:256], epochs=1, method="direct", snapshot_every=4)
    >>> _, h_fft = train(p0, x[:256], y[:256], epochs=1, method="fft", snapshot_every=4)
    >>> len(h_direct["loss"]), bool(np.allclose(h_direct["loss"], h_fft["loss"], atol=1e-4))
    (8, True)
    >>> h_fft["snapshot_steps"], bool(divergence(h_direct["snapshots"], h_fft["snapshots"]).max() < 1e-5)
    (array([0, 4, 8]), True)
    >>> _, h_adam = train(p0, x[:256], y[:256], lr=1e-2, optimizer="adam", parametrisation="rfft2")
    >>> bool(h_adam["loss"][-1] < h_adam["loss"][0])
    True
    """
    params, x = _check_params_and_images(params, x, method)
    y = _check_labels(y, len(x), params["fc_b"].shape[0])
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    lr = _per_parameter(lr, "lr", positive_real)
    check_choice(parametrisation, "parametrisation", PARAMETRISATIONS)
    check_choice(optimizer, "optimizer", OPTIMIZERS)
    betas = _check_betas(betas)
    eps = _per_parameter(eps, "eps", positive_real)
    snapshot_every = nonnegative_int(snapshot_every, "snapshot_every")
    rng = np.random.default_rng(nonnegative_int(seed, "seed"))

    params = {name: value.copy() for name, value in params.items()}
    # The coordinates the optimiser moves: theta for the kernels, the parameters themselves otherwise.
    coords = {
        name: to_spectral(params[name], parametrisation) if name in CONV_WEIGHTS else params[name]
        for name in PARAM_NAMES
    }
    # Chain rule through w = B theta: grad_theta = B.T grad_w, i.e. grad_w (raveled, as a row) @ B.
    basis = {
        name: spectral_basis(params[name].shape[-1], parametrisation).astype(params[name].dtype)
        for name in CONV_WEIGHTS
    }
    # The network always runs with w = B theta, from the first step on (B theta_0 is w_0 up to rounding).
    for name in CONV_WEIGHTS:
        params[name] = from_spectral(coords[name], params[name].shape[-1], parametrisation)
    step = _adam_step(betas, lr, eps, coords) if optimizer == "adam" else _sgd_step(lr)
    n = len(x)
    steps_per_epoch = -(-n // batch_size)
    losses, snapshots = [], []

    def snapshot():
        snapshots.append({name: value.copy() for name, value in params.items()})

    if snapshot_every:
        snapshot()
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = _loss_and_grads(params, x[batch], y[batch], method)
            losses.append(loss)
            for name in CONV_WEIGHTS:
                flat = grads[name].reshape(*grads[name].shape[:2], -1)
                grads[name] = flat @ basis[name]
            step(coords, grads)
            for name in CONV_WEIGHTS:
                params[name] = from_spectral(coords[name], params[name].shape[-1], parametrisation)
            if snapshot_every and len(losses) % snapshot_every == 0:
                snapshot()
    history = {"loss": np.array(losses, dtype=np.float64), "steps_per_epoch": steps_per_epoch}
    if snapshot_every:
        history["snapshot_steps"] = np.arange(len(snapshots), dtype=np.int64) * snapshot_every
        history["snapshots"] = snapshots
    return params, history


def divergence(a, b):
    """How far apart two sets of parameters are: the largest difference relative to the largest entry.

    ``max |a - b| / max(max |a|, max |b|)``, each maximum over every entry
    of every parameter together, computed in float64. It is 0 exactly when
    ``a`` and ``b`` are equal, and about the unit roundoff when every
    parameter differs in its last bit. Given two lists of parameter dicts
    (the ``"snapshots"`` of two runs of :func:`train` with the same
    ``snapshot_every``), it compares them pairwise, step by step. Taught in
    Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb), which defines "the same trajectory
    up to rounding" with it.

    Parameters
    ----------
    a, b : dict or list of dict
        Parameters as returned by :func:`init_params` or :func:`train`, with
        the same names and shapes; or two lists of the same length of them.

    Returns
    -------
    float or numpy.ndarray
        The divergence, or for two lists a float64 array of one divergence
        per pair.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import divergence, init_params
    >>> p = init_params(seed=0)
    >>> nudged = {name: np.nextafter(w, np.float32(np.inf)) for name, w in p.items()}
    >>> divergence(p, p), 0 < divergence(p, nudged) < 2.0**-22
    (0.0, True)
    >>> divergence([p, p], [p, nudged]).shape
    (2,)
    """
    if isinstance(a, dict) or isinstance(b, dict):
        return _divergence(a, b)
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"a and b must hold as many parameter sets, got {len(a)} and {len(b)}")
    return np.array([_divergence(pa, pb) for pa, pb in zip(a, b)], dtype=np.float64)


def _divergence(a, b):
    for side, p in (("a", a), ("b", b)):
        if not isinstance(p, dict):
            raise TypeError(f"{side} must be a dict of parameters or a list of them, got {type(p).__name__}")
    if set(a) != set(b):
        raise ValueError(f"a and b must have the same parameters, got {sorted(a)} and {sorted(b)}")
    gap = scale = 0.0
    for name in a:
        pa = as_numeric_array(a[name], f"a[{name!r}]").astype(np.float64)
        pb = as_numeric_array(b[name], f"b[{name!r}]").astype(np.float64)
        if pa.shape != pb.shape:
            raise ValueError(f"a[{name!r}] and b[{name!r}] differ in shape: {pa.shape} and {pb.shape}")
        gap = max(gap, float(np.abs(pa - pb).max()))
        scale = max(scale, float(np.abs(pa).max()), float(np.abs(pb).max()))
    return gap / scale if gap else 0.0


def _sgd_step(lr):
    def step(coords, grads):
        for name in PARAM_NAMES:
            coords[name] -= lr[name] * grads[name]

    return step


def _adam_step(betas, lr, eps, coords):
    """Kingma & Ba's Algorithm 1, one moment pair per coordinate, in the coordinates' dtype."""
    b1, b2 = betas
    m = {name: np.zeros_like(value) for name, value in coords.items()}
    v = {name: np.zeros_like(value) for name, value in coords.items()}
    t = 0

    def step(coords, grads):
        nonlocal t
        t += 1
        for name in PARAM_NAMES:
            g = grads[name]
            m[name] = b1 * m[name] + (1 - b1) * g
            v[name] = b2 * v[name] + (1 - b2) * (g * g)
            m_hat = m[name] / (1 - b1**t)
            v_hat = v[name] / (1 - b2**t)
            coords[name] -= lr[name] * m_hat / (np.sqrt(v_hat) + eps[name])

    return step


def spectral_basis(kernel_size, parametrisation="rfft2"):
    """The matrix ``B`` with ``w.ravel() = B @ theta`` for one K x K kernel.

    Column ``j`` is the kernel (raveled row-major) whose coordinates are the
    ``j``-th unit vector. ``"spatial"``: the K² x K² identity.
    ``"hartley"``: the orthonormal 2-D Hartley matrix (K² x K², symmetric
    and orthogonal). ``"rfft2"``: K² x 2·K·(K//2+1), the inverse
    ``scipy.fft.irfft2(..., norm="ortho")`` of the real parts then the
    imaginary parts of the half spectrum; it has more columns than rows,
    because the half spectrum of a real kernel is redundant. For it
    ``B @ B.T = 2 I - P``, with ``P`` the orthogonal projection onto the
    frequencies whose last index is 0 or K/2 (the columns of the half
    spectrum that irfft2 does not mirror): SGD in these coordinates is
    spatial SGD with those frequencies stepped by ``lr`` and all others by
    ``2 * lr``. ``"rfft2-backward"``: the same with ``norm="backward"``,
    i.e. the ``"rfft2"`` matrix divided by K, so ``B @ B.T = (2 I - P) / K²``.
    Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    kernel_size : int
        K.
    parametrisation : {"spatial", "hartley", "rfft2", "rfft2-backward"}
        The coordinates.

    Returns
    -------
    numpy.ndarray
        float64 matrix ``B``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import spectral_basis
    >>> H = spectral_basis(3, "hartley")
    >>> bool(np.allclose(H @ H.T, np.eye(9)))
    True
    >>> B = spectral_basis(3, "rfft2")
    >>> B.shape, np.round(np.linalg.eigvalsh(B @ B.T), 6)
    ((9, 12), array([1., 1., 1., 2., 2., 2., 2., 2., 2.]))
    >>> bool(np.allclose(spectral_basis(3, "rfft2-backward"), B / 3))
    True
    """
    k = positive_int(kernel_size, "kernel_size")
    check_choice(parametrisation, "parametrisation", PARAMETRISATIONS)
    size = _n_coordinates(k, parametrisation)
    return from_spectral(np.eye(size), k, parametrisation).reshape(size, k * k).T


def to_spectral(w, parametrisation="rfft2"):
    """Coordinates of kernels in the chosen basis (the inverse of :func:`from_spectral`).

    ``"hartley"``: ``Re F w - Im F w`` with the unitary 2-D DFT ``F``.
    ``"rfft2"``: real and imaginary parts of
    ``scipy.fft.rfft2(w, norm="ortho")``, one after the other;
    ``"rfft2-backward"``: the same with ``norm="backward"`` (K times
    larger). ``"spatial"``: the raveled kernels. Taught in Chapter *Training
    a CNN through the FFT* (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    w : array_like
        Real kernels, shape ``(..., K, K)``.
    parametrisation : {"spatial", "hartley", "rfft2", "rfft2-backward"}
        The coordinates.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., P)`` with ``P = K²`` (spatial, hartley) or
        ``2·K·(K//2+1)`` (rfft2, rfft2-backward), in the dtype of ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import from_spectral, to_spectral
    >>> w = np.arange(9.0).reshape(3, 3)
    >>> theta = to_spectral(w, "rfft2")
    >>> theta.shape, bool(np.allclose(from_spectral(theta, 3, "rfft2"), w))
    ((12,), True)
    >>> bool(np.allclose(to_spectral(w, "rfft2-backward"), 3 * theta))
    True
    """
    check_choice(parametrisation, "parametrisation", PARAMETRISATIONS)
    w = _check_kernels(w)
    lead = w.shape[:-2]
    if parametrisation == "spatial":
        theta = w.reshape(*lead, -1)
    elif parametrisation == "hartley":
        spectrum = scipy.fft.fft2(w, norm="ortho")
        theta = (spectrum.real - spectrum.imag).reshape(*lead, -1)
    else:
        norm = HALF_SPECTRUM_NORMS[parametrisation]
        spectrum = scipy.fft.rfft2(w, norm=norm).reshape(*lead, -1)
        theta = np.concatenate([spectrum.real, spectrum.imag], axis=-1)
    return theta.astype(w.dtype)


def from_spectral(theta, kernel_size, parametrisation="rfft2"):
    """Kernels from their coordinates: ``w = B @ theta`` for each kernel.

    ``"hartley"``: the Hartley transform is its own inverse.
    ``"rfft2"``: ``scipy.fft.irfft2(re + 1j * im, s=(K, K), norm="ortho")``;
    any real and imaginary parts give a real kernel (irfft2 keeps the
    Hermitian part of the spectrum). ``"rfft2-backward"``: the same with
    ``norm="backward"``. Taught in Chapter *Training a CNN through the FFT*
    (book/08_training_through_fft.ipynb).

    Parameters
    ----------
    theta : array_like
        Real coordinates, shape ``(..., P)`` (see :func:`to_spectral`).
    kernel_size : int
        K.
    parametrisation : {"spatial", "hartley", "rfft2", "rfft2-backward"}
        The coordinates.

    Returns
    -------
    numpy.ndarray
        Kernels, shape ``(..., K, K)``, in the dtype of ``theta`` (float64
        for integer input).

    Examples
    --------
    >>> import numpy as np
    >>> from convbook.cnn import from_spectral, to_spectral
    >>> w = np.arange(9.0).reshape(3, 3)
    >>> bool(np.allclose(from_spectral(to_spectral(w, "hartley"), 3, "hartley"), w))
    True
    """
    check_choice(parametrisation, "parametrisation", PARAMETRISATIONS)
    k = positive_int(kernel_size, "kernel_size")
    # Real: a spectrum's real and imaginary parts are separate coordinates.
    theta = real_array(theta, "theta")
    if theta.dtype.kind != "f":
        theta = theta.astype(np.float64)
    size = _n_coordinates(k, parametrisation)
    if theta.shape[-1] != size:
        raise ValueError(
            f"theta must have {size} coordinates in its last axis for kernel_size={k} and "
            f"parametrisation={parametrisation!r}, got shape {theta.shape}"
        )
    lead = theta.shape[:-1]
    if parametrisation == "spatial":
        w = theta.reshape(*lead, k, k)
    elif parametrisation == "hartley":
        spectrum = scipy.fft.fft2(theta.reshape(*lead, k, k), norm="ortho")
        w = spectrum.real - spectrum.imag
    else:
        half = size // 2
        spectrum = (theta[..., :half] + 1j * theta[..., half:]).reshape(*lead, k, k // 2 + 1)
        w = scipy.fft.irfft2(spectrum, s=(k, k), norm=HALF_SPECTRUM_NORMS[parametrisation])
    return w.astype(theta.dtype)


# -- the network ---------------------------------------------------------------


def _forward(params, x, method):
    """Logits and what the backward pass needs."""
    w1, w2 = params["conv1_w"], params["conv2_w"]
    # conv2d_forward's contexts let the backward pass reuse the forward
    # pass's spectra of the inputs and the kernels (method="fft").
    z1, ctx1 = conv2d_forward(x, w1, params["conv1_b"], padding=w1.shape[-1] // 2, method=method)
    p1 = avg_pool(np.maximum(z1, 0))
    z2, ctx2 = conv2d_forward(p1, w2, params["conv2_b"], padding=w2.shape[-1] // 2, method=method)
    p2 = avg_pool(np.maximum(z2, 0))
    features = p2.reshape(len(x), -1)
    logits = features @ params["fc_w"].T + params["fc_b"]
    return logits, (z1, ctx1, z2, ctx2, features)


def _loss_and_grads(params, x, y, method):
    logits, (z1, ctx1, z2, ctx2, features) = _forward(params, x, method)
    loss, g_logits = softmax_cross_entropy(logits, y)
    grads = {"fc_w": g_logits.T @ features, "fc_b": g_logits.sum(axis=0)}
    g_p2 = (g_logits @ params["fc_w"]).reshape(z2.shape[0], z2.shape[1], z2.shape[2] // 2, z2.shape[3] // 2)
    g_z2 = avg_pool_backward(g_p2) * (z2 > 0)
    g_p1, grads["conv2_w"] = conv2d_vjp(ctx2, g_z2)
    grads["conv2_b"] = g_z2.sum(axis=(0, 2, 3))
    g_z1 = avg_pool_backward(g_p1) * (z1 > 0)
    _, grads["conv1_w"] = conv2d_vjp(ctx1, g_z1)
    grads["conv1_b"] = g_z1.sum(axis=(0, 2, 3))
    dtype = params["fc_w"].dtype
    return loss, {name: grads[name].astype(dtype, copy=False) for name in PARAM_NAMES}


# -- validation ----------------------------------------------------------------


def _check_params_and_images(params, x, method):
    check_choice(method, "method", METHODS)
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict as returned by init_params, got {type(params).__name__}")
    missing = [name for name in PARAM_NAMES if name not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}")
    checked = {name: as_numeric_array(params[name], f"params[{name!r}]") for name in PARAM_NAMES}
    dtype = checked["fc_w"].dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"params must be float32 or float64 arrays, got {dtype}")
    for name, value in checked.items():
        if value.dtype != dtype:
            raise TypeError(f"params[{name!r}] has dtype {value.dtype}, the others {dtype}")
    w1, w2, fc_w = checked["conv1_w"], checked["conv2_w"], checked["fc_w"]
    shapes_ok = (
        w1.ndim == 4
        and w1.shape[1] == 1
        and w1.shape[2] == w1.shape[3]
        and w2.ndim == 4
        and w2.shape[1] == w1.shape[0]
        and w2.shape[2] == w2.shape[3]
        and checked["conv1_b"].shape == w1.shape[:1]
        and checked["conv2_b"].shape == w2.shape[:1]
        and fc_w.ndim == 2
        and checked["fc_b"].shape == fc_w.shape[:1]
    )
    if not shapes_ok:
        raise ValueError(
            "params shapes do not fit together: "
            + ", ".join(f"{name}={value.shape}" for name, value in checked.items())
        )
    x = real_array(x, "x")
    if x.ndim != 4 or x.shape[1] != 1 or x.shape[2] != x.shape[3] or x.shape[2] % 4:
        raise ValueError(f"x must have shape (n, 1, s, s) with s a multiple of 4, got {x.shape}")
    features = w2.shape[0] * (x.shape[2] // 4) ** 2
    if fc_w.shape[1] != features:
        raise ValueError(
            f"params['fc_w'] must have {features} columns for images of size {x.shape[2]}, got {fc_w.shape}"
        )
    return checked, x.astype(dtype, copy=False)


def _check_labels(y, n, n_classes):
    y = as_numeric_array(y, "y")
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per image, got {y.shape}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold labels in range({n_classes}), got values from {y.min()} to {y.max()}")
    return y.astype(np.int64)


def _check_kernels(w):
    w = real_array(w, "w")
    if w.ndim < 2 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"w must end in two equal axes (..., K, K), got shape {w.shape}")
    return w if w.dtype.kind == "f" else w.astype(np.float64)


def _n_coordinates(k, parametrisation):
    return 2 * k * (k // 2 + 1) if parametrisation in HALF_SPECTRUM_NORMS else k * k


def _per_parameter(value, name, check):
    """One value for every parameter, or a dict with one for each of PARAM_NAMES, each passed through check."""
    if not isinstance(value, dict):
        value = check(value, name)
        return dict.fromkeys(PARAM_NAMES, value)
    missing = [key for key in PARAM_NAMES if key not in value]
    unknown = [repr(key) for key in value if key not in PARAM_NAMES]
    if missing or unknown:
        raise ValueError(
            f"{name} must be a number or a dict with one value for each of {', '.join(PARAM_NAMES)}; "
            f"missing: {', '.join(missing) or 'none'}, unknown: {', '.join(unknown) or 'none'}"
        )
    return {key: check(value[key], f"{name}[{key!r}]") for key in PARAM_NAMES}


def _check_betas(betas):
    if isinstance(betas, (str, bytes)) or np.ndim(betas) != 1 or len(betas) != 2:
        raise ValueError(f"betas must be a pair (b1, b2) of numbers in [0, 1), got {betas!r}")
    checked = tuple(real_number(b, f"betas[{i}]") for i, b in enumerate(betas))
    for i, b in enumerate(checked):
        if not 0 <= b < 1:
            raise ValueError(f"betas[{i}] must be in [0, 1), got {b!r}")
    return checked
