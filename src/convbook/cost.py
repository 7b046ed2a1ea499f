"""What convolution costs: multiplications, memory, and a fitted time model.

Two kinds of numbers live here.

*Counts* are exact and machine-independent: the real multiplications and
the extra memory of direct, im2col and FFT convolution, for one channel
(:func:`conv_mults`) and for a CNN layer with a batch and many channels
(:func:`layer_mults`, :func:`layer_memory`), for each of the three training
passes. The FFT counts use the transform sizes the code really uses
(:func:`scipy.fft.next_fast_len`), the halved work of real-input
transforms, and an explicit price for a complex multiplication.

*Times* are predicted by a linear model per method whose terms are such
counts (GEMM flops, values copied, transform work, calls) and whose
coefficients are machine constants fitted to measurements
(:func:`fit_constants`). :func:`choose_conv2d_method` returns the method the
model predicts to be fastest, the idea of
:func:`scipy.signal.choose_conv_method` carried to layers and three methods.
The model and the chooser cover direct, im2col and FFT, which take every
kernel size and stride; :func:`convbook.winograd_conv2d`, for 3x3 kernels at
stride 1 only, is left out of both.

The constants are read, first match wins, from: the ``constants`` argument;
the JSON file named by the environment variable ``CONVBOOK_COST_CONSTANTS``;
the user file ``$XDG_CONFIG_HOME/convbook/cost_constants.json`` (by default
``~/.config/convbook/cost_constants.json``), which
``python -m convbook.bench --fit`` writes; the defaults shipped with the
package (``cost_constants.json``, fitted on the 2-core machine the book was
built on).

Taught in Chapter *What convolution costs* (book/09_cost.ipynb).
"""

import json
import math
import os
import pathlib

import numpy as np
import scipy.fft
import scipy.optimize

from ._validation import check_choice, nonnegative_int, positive_int, shape_tuple
from .convolution import _window, conv_output_size, output_shape

__all__ = [
    "LAYER_METHODS",
    "choose_conv2d_method",
    "constants_path",
    "conv_mults",
    "fft_mults",
    "fit_constants",
    "layer_features",
    "layer_fft_shape",
    "layer_memory",
    "layer_mults",
    "load_constants",
    "predict_conv2d_times",
    "save_constants",
]

LAYER_METHODS = ("direct", "im2col", "fft")
PASSES = ("forward", "grad_input", "grad_weight", "training")

#: Names of the terms of each method's time model, in the order of
#: :func:`layer_features`. A method's predicted time is the dot product of
#: its terms with its fitted constants (seconds per unit).
FEATURE_NAMES = {
    "direct": ("calls", "gemm_flops", "values_moved", "values_accumulated", "layout_values"),
    "im2col": ("calls", "gemm_flops", "values_moved", "layout_values", "patch_runs"),
    "fft": ("calls", "transform_flops", "spectral_flops", "spectral_values", "frequencies", "output_spectra"),
}

_DEFAULT_CONSTANTS = pathlib.Path(__file__).with_name("cost_constants.json")

# Re-solves of fit_constants' weighted least squares; the weights settle in fewer.
_REWEIGHTINGS = 30


# -- counts ------------------------------------------------------------------


def fft_mults(shape, real=True, complex_mult=4):
    """Real multiplications of one FFT of the given shape, by the radix-2 count.

    A complex FFT of ``M = prod(shape)`` points costs ``(M / 2) log2 M``
    complex multiplications (Cooley and Tukey's count, whatever the number
    of axes: each axis of length ``L`` adds ``(M / 2) log2 L``). A transform
    of real input needs half of that. Each complex multiplication costs
    ``complex_mult`` real ones: 4 by the schoolbook rule, 3 with Gauss's
    trick. For lengths that are not powers of two the count is the same
    formula with a fractional ``log2``, an approximation of the mixed-radix
    algorithms :func:`scipy.fft.next_fast_len` sizes are made for.

    Parameters
    ----------
    shape : int or tuple of int
        Transform shape.
    real : bool
        Real input (``rfftn``/``irfftn``) rather than complex.
    complex_mult : int
        Real multiplications per complex one.

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.cost import fft_mults
    >>> fft_mults(8, real=False), fft_mults(8), fft_mults((8, 8))
    (48.0, 24.0, 384.0)
    """
    shape = shape_tuple(shape, "shape")
    complex_mult = positive_int(complex_mult, "complex_mult")
    m = math.prod(shape)
    complex_count = m / 2 * math.log2(m) if m > 1 else 0.0
    return complex_mult * complex_count / (2 if real else 1)


def conv_mults(x_shape, h_shape, mode="full", method="direct", complex_mult=4):
    """Real multiplications of one single-channel convolution.

    ``"direct"`` counts every product ``h[k] * x[n - k]`` that the requested
    outputs need, skipping the zeros outside ``x`` (about ``N**d * K**d``).
    ``"fft"`` counts two forward real FFTs, the element-wise product of the
    half spectra and one inverse real FFT, at the sizes
    ``next_fast_len(N + K - 1, real=True)`` that :func:`convbook.convolve`
    uses.

    Parameters
    ----------
    x_shape, h_shape : int or tuple of int
        Shapes of the input and the kernel (same number of axes).
    mode : {"full", "same", "valid"}
    method : {"direct", "fft"}
    complex_mult : int
        Real multiplications per complex one (see :func:`fft_mults`).

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.cost import conv_mults
    >>> conv_mults(4, 3), conv_mults(4, 3, mode="valid"), conv_mults(5, 4, method="fft")
    (12.0, 6.0, 92.0)
    """
    x_shape = shape_tuple(x_shape, "x_shape")
    h_shape = shape_tuple(h_shape, "h_shape")
    check_choice(method, "method", ("direct", "fft"))
    output_shape(x_shape, h_shape, mode)  # validates mode and the shapes' pairing
    if method == "fft":
        fshape = tuple(scipy.fft.next_fast_len(n + k - 1, real=True) for n, k in zip(x_shape, h_shape))
        half = math.prod(fshape[:-1]) * (fshape[-1] // 2 + 1)
        return 3 * fft_mults(fshape, True, complex_mult) + complex_mult * half
    if mode == "valid" and not all(n >= k for n, k in zip(x_shape, h_shape)):
        x_shape, h_shape = h_shape, x_shape
    total = 1.0
    for n, k, (start, length) in zip(x_shape, h_shape, _window(x_shape, h_shape, mode)):
        i = np.arange(start, start + length)
        # Output i sums over the kernel taps k' with 0 <= i - k' < n.
        total *= float(np.sum(np.minimum(i, k - 1) - np.maximum(i - n + 1, 0) + 1))
    return total


def _layer_shapes(x_shape, w_shape, stride, padding):
    """Validate a conv2d configuration; return (B, C_in, C_out, H, W, KH, KW, Ho, Wo, s, p)."""
    x_shape = shape_tuple(x_shape, "x_shape")
    w_shape = shape_tuple(w_shape, "w_shape")
    if len(x_shape) != 4:
        raise ValueError(f"x_shape must be (batch, in_channels, height, width), got {x_shape}")
    if len(w_shape) != 4:
        raise ValueError(f"w_shape must be (out_channels, in_channels, kh, kw), got {w_shape}")
    b, c_in, h, w = x_shape
    c_out, c_in_w, kh, kw = w_shape
    if c_in_w != c_in:
        raise ValueError(
            f"w_shape[1] (in_channels of the weights, {c_in_w}) must equal x_shape[1] ({c_in})"
        )
    s = positive_int(stride, "stride")
    p = nonnegative_int(padding, "padding")
    ho = conv_output_size(h, kh, s, p)
    wo = conv_output_size(w, kw, s, p)
    return b, c_in, c_out, h, w, kh, kw, ho, wo, s, p


def layer_fft_shape(x_shape, w_shape, padding=0):
    """The 2-D transform shape FFT convolution of a layer uses.

    A *cyclic* convolution of the padded input's size ``H + 2p`` already
    gives every output of the three passes without wrap-around (the wrapped
    terms land only in the ``K - 1`` outputs a valid correlation drops), so
    an axis needs ``H + 2p`` points, not ``H + 2p + K - 1``. ``rfftn``
    transforms the last axis as real input and the first as complex, hence
    ``(next_fast_len(H + 2p), next_fast_len(W + 2p, real=True))``, the
    shape :func:`convbook.conv2d` uses.

    Examples
    --------
    >>> from convbook.cost import layer_fft_shape
    >>> layer_fft_shape((8, 3, 32, 32), (16, 3, 5, 5), padding=2)
    (36, 36)
    """
    _, _, _, h, w, *_rest = _layer_shapes(x_shape, w_shape, 1, padding)
    p = nonnegative_int(padding, "padding")
    return scipy.fft.next_fast_len(h + 2 * p), scipy.fft.next_fast_len(w + 2 * p, real=True)


def layer_mults(x_shape, w_shape, stride=1, padding=0, method="direct", which="forward", complex_mult=4):
    """Real multiplications of a conv2d layer, per pass.

    Direct and im2col convolution compute the same products
    ``x[b, c, i*s + u, j*s + v] * w[o, c, u, v]``, ``B C_in C_out H_o W_o K^2``
    of them; each of the three passes of training multiplies the same
    triples ``(x, w, grad_y)`` in another grouping, so the input gradient
    and the weight gradient cost exactly as much as the forward pass.

    The FFT transforms each input channel, each kernel and each output
    channel once (:func:`layer_fft_shape`), and every channel pair costs one
    element-wise product of half spectra. A pass reuses the spectra an
    earlier pass made (Mathieu, Henaff and LeCun 2014): the input gradient
    transforms only ``grad_y`` and its result, the weight gradient only its
    result. A stride is computed at stride 1 and subsampled.

    Parameters
    ----------
    x_shape : tuple of int
        ``(B, C_in, H, W)``.
    w_shape : tuple of int
        ``(C_out, C_in, KH, KW)``.
    stride, padding : int
        As in :func:`convbook.conv2d`.
    method : {"direct", "im2col", "fft"}
    which : {"forward", "grad_input", "grad_weight", "training"}
        One pass, or all three.
    complex_mult : int
        Real multiplications per complex one.

    Returns
    -------
    float

    Examples
    --------
    >>> from convbook.cost import layer_mults
    >>> layer_mults((1, 1, 3, 3), (1, 1, 2, 2))
    16.0
    >>> layer_mults((1, 1, 3, 3), (1, 1, 2, 2), which="training")
    48.0
    """
    b, c_in, c_out, _, _, kh, kw, ho, wo, _, _ = _layer_shapes(x_shape, w_shape, stride, padding)
    check_choice(method, "method", LAYER_METHODS)
    check_choice(which, "which", PASSES)
    if which == "training":
        return sum(layer_mults(x_shape, w_shape, stride, padding, method, p, complex_mult) for p in PASSES[:3])
    if method != "fft":
        return float(b * c_in * c_out * ho * wo * kh * kw)
    fshape = layer_fft_shape(x_shape, w_shape, padding)
    per_transform = fft_mults(fshape, True, complex_mult)
    half = fshape[0] * (fshape[1] // 2 + 1)
    transforms = {
        "forward": b * c_in + c_out * c_in + b * c_out,
        "grad_input": b * c_out + b * c_in,
        "grad_weight": c_out * c_in,
    }[which]
    return transforms * per_transform + complex_mult * b * c_in * c_out * half


def layer_memory(x_shape, w_shape, stride=1, padding=0, method="direct", itemsize=4):
    """Extra working memory of a conv2d forward pass, in bytes.

    ``"direct"`` needs none beyond the output. ``"im2col"`` copies every
    receptive field into a column matrix of ``B H_o W_o x C_in K^2``
    entries: the input blown up about ``K^2`` times. ``"fft"`` holds the
    half spectra of the inputs, the kernels and the outputs,
    ``(B C_in + C_in C_out + B C_out) n_1 (n_2 / 2 + 1)`` complex numbers
    (Mathieu, Henaff and LeCun's frequency-domain memory), each complex
    number twice ``itemsize`` bytes.

    Examples
    --------
    >>> from convbook.cost import layer_memory
    >>> layer_memory((1, 1, 4, 4), (1, 1, 3, 3), method="im2col", itemsize=1)
    36
    >>> layer_memory((1, 1, 4, 4), (1, 1, 3, 3), method="fft", itemsize=1)
    72
    """
    b, c_in, c_out, _, _, kh, kw, ho, wo, _, _ = _layer_shapes(x_shape, w_shape, stride, padding)
    check_choice(method, "method", LAYER_METHODS)
    itemsize = positive_int(itemsize, "itemsize")
    if method == "direct":
        return 0
    if method == "im2col":
        return b * ho * wo * c_in * kh * kw * itemsize
    n1, n2 = layer_fft_shape(x_shape, w_shape, padding)
    return (b * c_in + c_in * c_out + b * c_out) * n1 * (n2 // 2 + 1) * 2 * itemsize


# -- the time model -----------------------------------------------------------


def layer_features(x_shape, w_shape, stride=1, padding=0):
    """The terms of each method's forward-time model, as counts.

    The direct method runs ``K^2`` GEMMs ``(B H_o W_o x C_in) @ (C_in x C_out)``
    and adds each into the output; im2col copies a patch matrix ``K^2``
    times larger than the input and runs one GEMM of inner dimension
    ``C_in K^2``. Flops alone cannot rank them: a GEMM's speed per flop
    depends on its shape, and the copies cost by their layout. The terms:

    ``calls``: Python-level steps (one per kernel tap for the direct method,
    whose loop runs over taps; one otherwise), each with a fixed overhead.
    ``gemm_flops``: multiply-adds of the matrix products. ``values_moved``:
    values copied into the operands of those products (shifted windows for
    direct, the patch matrix for im2col); it is also ``gemm_flops / C_out``,
    the price of a GEMM with few output columns. ``values_accumulated``: the
    output values the direct method adds up, once per tap; it is also
    ``gemm_flops / C_in``, so it carries both the accumulation traffic and
    the inefficiency of GEMMs whose inner dimension is only ``C_in``.
    ``layout_values``: the input and output values moved between NCHW and
    channels-last, once per call. ``patch_runs``: the contiguous runs of
    ``C_in`` values the im2col copy is made of, ``B H_o W_o K^2``; each costs
    a fixed step however short, so with few channels this, not the values,
    sets the copy's time.

    For the FFT: ``transform_flops``, the :func:`fft_mults` of all forward
    and inverse transforms; ``spectral_flops``, the real multiply-adds of the
    per-frequency channel-mixing products; ``spectral_values``, the complex
    values of all spectra (memory traffic); ``frequencies``, the number of
    those small per-frequency products (``n_1 (n_2 / 2 + 1)``), each with a
    fixed overhead; ``output_spectra``, the ``B C_out`` output values each
    of them writes, ``spectral_flops / (4 C_in)``: with few input channels
    the products are bound by their output, not their flops.

    Returns
    -------
    dict
        Method name to a float array of its terms, ordered as
        ``FEATURE_NAMES[method]``.

    Examples
    --------
    >>> from convbook.cost import layer_features
    >>> layer_features((1, 1, 3, 3), (1, 1, 2, 2))["im2col"]
    array([ 1., 16., 16., 13., 16.])
    """
    b, c_in, c_out, _, _, kh, kw, ho, wo, _, _ = _layer_shapes(x_shape, w_shape, stride, padding)
    taps = kh * kw
    gemm = float(b * ho * wo * c_in * c_out * taps)
    moved = float(b * ho * wo * c_in * taps)
    outputs = float(b * ho * wo * c_out)
    layout = float(b * c_in * x_shape[2] * x_shape[3]) + outputs
    fshape = layer_fft_shape(x_shape, w_shape, padding)
    half = fshape[0] * (fshape[1] // 2 + 1)
    transforms = b * c_in + c_out * c_in + b * c_out
    return {
        "direct": np.array([float(taps), gemm, moved, taps * outputs, layout]),
        "im2col": np.array([1.0, gemm, moved, layout, float(b * ho * wo * taps)]),
        "fft": np.array(
            [
                1.0,
                transforms * fft_mults(fshape, True, 4),
                4.0 * b * c_in * c_out * half,
                float(transforms * half),
                float(half),
                float(b * c_out * half),
            ]
        ),
    }


def constants_path():
    """Where ``python -m convbook.bench --fit`` writes refitted constants.

    ``$XDG_CONFIG_HOME/convbook/cost_constants.json``, by default under
    ``~/.config``.

    Examples
    --------
    >>> from convbook.cost import constants_path
    >>> constants_path().name
    'cost_constants.json'
    """
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return pathlib.Path(base) / "convbook" / "cost_constants.json"


def load_constants(path=None):
    """Read the time model's constants (see the module docstring for the search order).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A JSON file written by :func:`save_constants`; without it the
        environment variable, the user file and the shipped defaults are
        tried in turn.

    Returns
    -------
    dict
        ``{"constants": {method: [seconds per unit, ...]}, "machine": ..., ...}``.

    Examples
    --------
    >>> from convbook.cost import load_constants
    >>> sorted(load_constants(path=None)["constants"])
    ['direct', 'fft', 'im2col']
    """
    if path is None:
        candidates = [os.environ.get("CONVBOOK_COST_CONSTANTS"), constants_path(), _DEFAULT_CONSTANTS]
        path = next(pathlib.Path(c) for c in candidates if c and pathlib.Path(c).is_file())
    data = json.loads(pathlib.Path(path).read_text())
    _check_constants(data.get("constants"), f"the constants in {path}")
    return data


def save_constants(fitted, path=None):
    """Write constants (as returned by :func:`fit_constants`) to a JSON file.

    Parameters
    ----------
    fitted : dict
        ``{"constants": {method: [...]}, ...}``; other keys (machine,
        versions, fit quality) are kept as they are.
    path : str or pathlib.Path, optional
        Defaults to :func:`constants_path`, which the model reads next time.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from convbook.cost import load_constants, save_constants
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "c.json"
    >>> save_constants(load_constants(), target) == target
    True
    """
    if not isinstance(fitted, dict):
        raise TypeError(f"fitted must be a dict with a 'constants' entry, got {type(fitted).__name__}")
    _check_constants(fitted.get("constants"), "fitted['constants']")
    path = pathlib.Path(path) if path is not None else constants_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fitted, indent=2, sort_keys=True) + "\n")
    return path


def _check_constants(constants, name):
    if not isinstance(constants, dict) or set(constants) != set(LAYER_METHODS):
        raise ValueError(f"{name} must map each of {LAYER_METHODS} to a list of constants")
    for method, values in constants.items():
        values = np.asarray(values, dtype=float)
        if values.shape != (len(FEATURE_NAMES[method]),) or not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError(
                f"{name}[{method!r}] must be {len(FEATURE_NAMES[method])} finite non-negative numbers "
                f"({', '.join(FEATURE_NAMES[method])}), got {values.tolist()}"
            )


def predict_conv2d_times(x_shape, w_shape, stride=1, padding=0, constants=None):
    """Predicted forward time, in seconds, of each conv2d method.

    Parameters
    ----------
    x_shape, w_shape, stride, padding
        As in :func:`convbook.conv2d`.
    constants : dict, optional
        ``{method: [...]}`` or a whole :func:`load_constants` result;
        default :func:`load_constants`.

    Returns
    -------
    dict
        Method name to predicted seconds.

    Examples
    --------
    >>> from convbook.cost import predict_conv2d_times
    >>> sorted(predict_conv2d_times((8, 16, 32, 32), (16, 16, 3, 3)))
    ['direct', 'fft', 'im2col']
    """
    if constants is None:
        constants = load_constants()
    if isinstance(constants, dict) and "constants" in constants:
        constants = constants["constants"]
    _check_constants(constants, "constants")
    features = layer_features(x_shape, w_shape, stride, padding)
    return {m: float(np.dot(features[m], np.asarray(constants[m], dtype=float))) for m in LAYER_METHODS}


def choose_conv2d_method(x_shape, w_shape, stride=1, padding=0, constants=None):
    """The conv2d method the fitted cost model predicts to be fastest.

    Like :func:`scipy.signal.choose_conv_method`, but for a CNN layer and
    three methods, and from shapes alone. Taught in Chapter *What
    convolution costs* (book/09_cost.ipynb).

    Parameters
    ----------
    x_shape : tuple of int
        ``(B, C_in, H, W)``.
    w_shape : tuple of int
        ``(C_out, C_in, KH, KW)``.
    stride, padding : int
        As in :func:`convbook.conv2d`.
    constants : dict, optional
        Machine constants; default :func:`load_constants` (refit them with
        ``python -m convbook.bench --fit``).

    Returns
    -------
    str
        ``"direct"``, ``"im2col"`` or ``"fft"``.

    Examples
    --------
    >>> from convbook import choose_conv2d_method
    >>> choose_conv2d_method((32, 64, 32, 32), (64, 64, 3, 3)) in ("direct", "im2col", "fft")
    True
    """
    times = predict_conv2d_times(x_shape, w_shape, stride, padding, constants)
    return min(LAYER_METHODS, key=times.__getitem__)


def fit_constants(records):
    """Fit the time model's constants to measured forward times.

    Each method's constants solve a non-negative least-squares problem in
    *relative* error (every row divided by its measured time), so that a
    1 ms layer counts as much as a 1 s one. The problem is then solved again
    with each row weighted by one over its predicted-to-measured ratio, a
    few times over: at convergence the fit minimises the error relative to
    the prediction as well as to the measurement, nearly the error of the
    logarithm, which weighs times predicted too low and too high alike
    (plain relative error lets a prediction of half the time cost at most
    0.5, one of twice the time 1.0, and so leans low).

    Parameters
    ----------
    records : iterable of dict
        Each with ``x_shape``, ``w_shape``, ``stride``, ``padding``,
        ``method`` and ``seconds`` (as ``python -m convbook.bench`` writes).

    Returns
    -------
    dict
        ``{"constants": {method: [...]}, "rms_relative_error": {method: float},
        "features": FEATURE_NAMES}``, ready for :func:`save_constants`.

    Examples
    --------
    >>> from convbook.cost import FEATURE_NAMES, fit_constants, layer_features
    >>> shapes = [((1, c, n, n), (c, c, k, k)) for c in (2, 8) for n in (8, 16) for k in (1, 3, 5)]
    >>> records = [dict(x_shape=x, w_shape=w, stride=1, padding=0, method=m,
    ...                 seconds=float(layer_features(x, w)[m] @ ([1e-6] + [1e-9] * (len(FEATURE_NAMES[m]) - 1))))
    ...            for x, w in shapes for m in ("direct", "im2col", "fft")]
    >>> fitted = fit_constants(records)
    >>> max(fitted["rms_relative_error"].values()) < 1e-6
    True
    """
    rows = {m: [] for m in LAYER_METHODS}
    for r in records:
        method = check_choice(r["method"], "record['method']", LAYER_METHODS)
        seconds = float(r["seconds"])
        if not seconds > 0:
            raise ValueError(f"record['seconds'] must be positive, got {r['seconds']!r}")
        f = layer_features(r["x_shape"], r["w_shape"], r.get("stride", 1), r.get("padding", 0))[method]
        rows[method].append((f, seconds))
    constants, errors = {}, {}
    for method, data in rows.items():
        if len(data) < len(FEATURE_NAMES[method]):
            raise ValueError(
                f"records must hold at least {len(FEATURE_NAMES[method])} measurements of {method!r}, "
                f"got {len(data)}"
            )
        a = np.array([f / t for f, t in data])
        scale = a.max(axis=0)
        scale[scale == 0] = 1.0
        weights = np.ones(len(data))
        for _ in range(_REWEIGHTINGS):
            coef, _ = scipy.optimize.nnls(a / scale * weights[:, None], weights)
            # A floor keeps a row the model cannot fit at all from taking over.
            weights = 1.0 / np.maximum(a / scale @ coef, 0.1)
        coef = coef / scale
        constants[method] = coef.tolist()
        errors[method] = float(np.sqrt(np.mean((a @ coef - 1.0) ** 2)))
    return {
        "constants": constants,
        "rms_relative_error": errors,
        "features": {m: list(n) for m, n in FEATURE_NAMES.items()},
    }
