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
built on). Each method's constants are stored by the name of the term they
multiply (:data:`FEATURE_NAMES`); a file that cannot be read as such raises a
``ValueError`` naming it.

A layer's sizes come from :func:`convbook.geometry.layer_geometry`, the same
check and the same numbers (output size, FFT size) as
:func:`convbook.conv2d` uses, so the model takes exactly the ``stride`` and
``padding`` forms the layer takes.

Taught in Chapter *What convolution costs* (book/09_cost.ipynb).
"""

import json
import math
import os
import pathlib
import tempfile

import numpy as np
import scipy.fft
import scipy.optimize

from ._validation import check_choice, positive_int, shape_tuple
from .convolution import _window, output_shape
from .geometry import LAYER_METHODS, layer_geometry

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

PASSES = ("forward", "grad_input", "grad_weight", "training")

#: Names of the terms of each method's time model, in the order of the
#: arrays :func:`layer_features` returns. A method's predicted time is the
#: sum over these names of the term times its fitted constant (seconds per
#: unit).
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


def layer_fft_shape(x_shape, w_shape, padding=0):
    """The 2-D transform shape FFT convolution of a layer uses.

    A *cyclic* convolution of the input with its padding on one side,
    ``H + p`` points, already gives every output of the three passes
    without wrap-around (the wrapped terms land only in the ``p`` zeros
    before the input, or in the ``K - 1`` outputs a valid correlation
    drops), so an axis needs ``N = max(H + p, K, H + 2p - K + 1)`` points,
    not ``H + 2p + K - 1``. ``rfftn`` transforms the last axis as real input
    and the first as complex, hence ``(next_fast_len(N_h),
    next_fast_len(N_w, real=True))``: the
    :attr:`~convbook.geometry.LayerGeometry.fft_shape` that
    :func:`convbook.conv2d` uses.

    Parameters
    ----------
    x_shape, w_shape : tuple of int
        As in :func:`layer_mults`.
    padding : int or (int, int)
        As in :func:`convbook.conv2d`.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> from convbook.cost import layer_fft_shape
    >>> layer_fft_shape((8, 3, 32, 32), (16, 3, 5, 5), padding=2)
    (35, 36)
    """
    return layer_geometry(x_shape, w_shape, 1, padding).fft_shape


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
    stride, padding : int or (int, int)
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
    g = layer_geometry(x_shape, w_shape, stride, padding)
    check_choice(method, "method", LAYER_METHODS)
    check_choice(which, "which", PASSES)
    complex_mult = positive_int(complex_mult, "complex_mult")
    if which == "training":
        return sum(_layer_mults(g, method, p, complex_mult) for p in PASSES[:3])
    return _layer_mults(g, method, which, complex_mult)


def _layer_mults(g, method, which, complex_mult):
    """:func:`layer_mults` of one pass, for a checked geometry."""
    b, c_in, c_out = g.batch, g.in_channels, g.out_channels
    if method != "fft":
        return float(b * c_in * c_out * g.out_height * g.out_width * g.kernel_taps)
    fshape = g.fft_shape
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

    Parameters
    ----------
    x_shape, w_shape, stride, padding, method
        As in :func:`layer_mults`.
    itemsize : int
        Bytes per real number (4 for float32).

    Returns
    -------
    int

    Examples
    --------
    >>> from convbook.cost import layer_memory
    >>> layer_memory((1, 1, 4, 4), (1, 1, 3, 3), method="im2col", itemsize=1)
    36
    >>> layer_memory((1, 1, 4, 4), (1, 1, 3, 3), method="fft", itemsize=1)
    72
    """
    g = layer_geometry(x_shape, w_shape, stride, padding)
    check_choice(method, "method", LAYER_METHODS)
    itemsize = positive_int(itemsize, "itemsize")
    b, c_in, c_out = g.batch, g.in_channels, g.out_channels
    if method == "direct":
        return 0
    if method == "im2col":
        return b * g.out_height * g.out_width * c_in * g.kernel_taps * itemsize
    n1, n2 = g.fft_shape
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

    Parameters
    ----------
    x_shape, w_shape, stride, padding
        As in :func:`layer_mults`.

    Returns
    -------
    dict
        Method name to a float array of its terms, ordered as
        ``FEATURE_NAMES[method]``.

    Examples
    --------
    >>> from convbook.cost import FEATURE_NAMES, layer_features
    >>> layer_features((1, 1, 3, 3), (1, 1, 2, 2))["im2col"]
    array([ 1., 16., 16., 13., 16.])
    >>> dict(zip(FEATURE_NAMES["im2col"], layer_features((1, 1, 3, 3), (1, 1, 2, 2))["im2col"].tolist()))
    {'calls': 1.0, 'gemm_flops': 16.0, 'values_moved': 16.0, 'layout_values': 13.0, 'patch_runs': 16.0}
    """
    terms = _features(layer_geometry(x_shape, w_shape, stride, padding))
    return {m: np.array([terms[m][name] for name in FEATURE_NAMES[m]]) for m in LAYER_METHODS}


def _features(g):
    """The terms of :func:`layer_features` for a checked geometry, by method and by name."""
    b, c_in, c_out = g.batch, g.in_channels, g.out_channels
    taps = g.kernel_taps
    positions = b * g.out_height * g.out_width
    gemm = float(positions * c_in * c_out * taps)
    moved = float(positions * c_in * taps)
    outputs = float(positions * c_out)
    layout = float(b * c_in * g.height * g.width) + outputs
    fshape = g.fft_shape
    half = fshape[0] * (fshape[1] // 2 + 1)
    transforms = b * c_in + c_out * c_in + b * c_out
    return {
        "direct": {
            "calls": float(taps),
            "gemm_flops": gemm,
            "values_moved": moved,
            "values_accumulated": taps * outputs,
            "layout_values": layout,
        },
        "im2col": {
            "calls": 1.0,
            "gemm_flops": gemm,
            "values_moved": moved,
            "layout_values": layout,
            "patch_runs": float(positions * taps),
        },
        "fft": {
            "calls": 1.0,
            "transform_flops": transforms * fft_mults(fshape, True, 4),
            "spectral_flops": 4.0 * b * c_in * c_out * half,
            "spectral_values": float(transforms * half),
            "frequencies": float(half),
            "output_spectra": float(b * c_out * half),
        },
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
        The file's contents, with ``"constants"`` as ``{method: {term name:
        seconds per unit}}`` (the names of :data:`FEATURE_NAMES`), whichever
        form the file stores them in; ``"machine"`` and the fit's other
        entries as written.

    Raises
    ------
    ValueError
        If the file is not valid JSON (a truncated refit, for instance), not
        a JSON object, or its constants do not match :data:`FEATURE_NAMES`;
        or if ``CONVBOOK_COST_CONSTANTS`` names a file that does not exist.
        The message names the file.

    Examples
    --------
    >>> from convbook.cost import load_constants
    >>> sorted(load_constants(path=None)["constants"])
    ['direct', 'fft', 'im2col']
    >>> sorted(load_constants()["constants"]["fft"])[:2]
    ['calls', 'frequencies']
    """
    if path is None:
        path = _constants_file()
    path = pathlib.Path(path)
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"the cost constants file {path} is not valid JSON ({exc}); refit it with "
            f"`python -m convbook.bench --fit` or delete it"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(
            f"the cost constants file {path} must hold a JSON object with a 'constants' entry, "
            f"got {type(data).__name__}"
        )
    data["constants"] = _named_constants(
        data.get("constants"), f"the constants in {path}", data.get("features")
    )
    return data


def _constants_file():
    """The first file of the search order (see the module docstring) that is there."""
    named = os.environ.get("CONVBOOK_COST_CONSTANTS")
    if named:
        if not pathlib.Path(named).is_file():
            raise ValueError(f"CONVBOOK_COST_CONSTANTS names {named}, which is not a file")
        return pathlib.Path(named)
    user = constants_path()
    return user if user.is_file() else _DEFAULT_CONSTANTS


def save_constants(fitted, path=None):
    """Write constants (as returned by :func:`fit_constants`) to a JSON file, atomically.

    The JSON is written to a temporary file in the target's folder, which
    then replaces the target (:func:`os.replace`): an interrupted or failed
    write leaves the previous file as it was, never half a file.

    Parameters
    ----------
    fitted : dict
        ``{"constants": {method: {term name: value}}, ...}`` (a list per
        method, ordered as :data:`FEATURE_NAMES`, is accepted too); other
        keys (machine, versions, fit quality) are kept as they are.
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
    fitted = dict(
        fitted,
        constants=_named_constants(fitted.get("constants"), "fitted['constants']", fitted.get("features")),
    )
    path = pathlib.Path(path) if path is not None else constants_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(fitted, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _named_constants(constants, name, feature_names=None):
    """``{method: {term name: float}}`` from constants by name, or lists in a known order; else raise.

    A list is read in the order of ``feature_names[method]`` when given (the
    names a file records next to its lists), else of :data:`FEATURE_NAMES`.
    """
    if not isinstance(constants, dict) or set(constants) != set(LAYER_METHODS):
        raise ValueError(f"{name} must map each of {LAYER_METHODS} to its constants by term name")
    named = {}
    for method in LAYER_METHODS:
        expected = FEATURE_NAMES[method]
        values = constants[method]
        if isinstance(values, dict):
            pairs = values
        else:
            order = expected
            if isinstance(feature_names, dict) and feature_names.get(method) is not None:
                order = tuple(feature_names[method])
            values = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values]
            pairs = dict(zip(order, values)) if len(order) == len(values) else None
        if pairs is None or set(pairs) != set(expected):
            raise ValueError(
                f"{name}[{method!r}] must give one constant for each of {', '.join(expected)}, got {values!r}"
            )
        try:
            numbers = {term: float(pairs[term]) for term in expected}
        except (TypeError, ValueError):
            numbers = None
        if numbers is None or not all(math.isfinite(v) and v >= 0 for v in numbers.values()):
            raise ValueError(
                f"{name}[{method!r}] must be {len(expected)} finite non-negative numbers "
                f"({', '.join(expected)}), got {values!r}"
            )
        named[method] = numbers
    return named


def predict_conv2d_times(x_shape, w_shape, stride=1, padding=0, constants=None):
    """Predicted forward time, in seconds, of each conv2d method.

    Each method's time is the sum, over the names of its terms
    (:data:`FEATURE_NAMES`), of the term (:func:`layer_features`) times its
    constant.

    Parameters
    ----------
    x_shape, w_shape, stride, padding
        As in :func:`convbook.conv2d` (shapes instead of arrays).
    constants : dict, optional
        ``{method: {term name: value}}`` (or a list per method, ordered as
        :data:`FEATURE_NAMES`), or a whole :func:`load_constants` result;
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
    terms = _features(layer_geometry(x_shape, w_shape, stride, padding))
    if constants is None:
        constants = load_constants()
    if isinstance(constants, dict) and "constants" in constants:
        constants = _named_constants(
            constants["constants"], "constants['constants']", constants.get("features")
        )
    else:
        constants = _named_constants(constants, "constants")
    return {m: float(sum(terms[m][t] * constants[m][t] for t in FEATURE_NAMES[m])) for m in LAYER_METHODS}


def choose_conv2d_method(x_shape, w_shape, stride=1, padding=0, constants=None):
    """The conv2d method the fitted cost model predicts to be fastest.

    Like :func:`scipy.signal.choose_conv_method`, but for a CNN layer and
    three methods, and from shapes alone; ``conv2d(..., method="auto")``
    runs the method it returns. It takes every ``stride`` and ``padding``
    :func:`convbook.conv2d` takes (an int or a pair each), through the same
    check (:func:`convbook.geometry.layer_geometry`). Taught in Chapter *What
    convolution costs* (book/09_cost.ipynb).

    Parameters
    ----------
    x_shape : tuple of int
        ``(B, C_in, H, W)``.
    w_shape : tuple of int
        ``(C_out, C_in, KH, KW)``.
    stride, padding : int or (int, int)
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
    >>> choose_conv2d_method((2, 3, 8, 8), (4, 3, 3, 3), stride=(1, 2), padding=(1, 0)) in ("direct", "im2col", "fft")
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
        ``{"constants": {method: {term name: value}}, "rms_relative_error":
        {method: float}, "features": FEATURE_NAMES}``, ready for
        :func:`save_constants`.

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
    >>> round(fitted["constants"]["fft"]["calls"] * 1e6, 6)
    1.0
    """
    rows = {m: [] for m in LAYER_METHODS}
    for r in records:
        method = check_choice(r["method"], "record['method']", LAYER_METHODS)
        seconds = float(r["seconds"])
        if not seconds > 0:
            raise ValueError(f"record['seconds'] must be positive, got {r['seconds']!r}")
        terms = _features(layer_geometry(r["x_shape"], r["w_shape"], r.get("stride", 1), r.get("padding", 0)))
        rows[method].append(([terms[method][t] for t in FEATURE_NAMES[method]], seconds))
    constants, errors = {}, {}
    for method, data in rows.items():
        names = FEATURE_NAMES[method]
        if len(data) < len(names):
            raise ValueError(
                f"records must hold at least {len(names)} measurements of {method!r}, got {len(data)}"
            )
        a = np.array([np.asarray(f) / t for f, t in data])  # columns in the order of names
        scale = a.max(axis=0)
        scale[scale == 0] = 1.0
        weights = np.ones(len(data))
        for _ in range(_REWEIGHTINGS):
            coef, _ = scipy.optimize.nnls(a / scale * weights[:, None], weights)
            # A floor keeps a row the model cannot fit at all from taking over.
            weights = 1.0 / np.maximum(a / scale @ coef, 0.1)
        coef = coef / scale
        constants[method] = dict(zip(names, coef.tolist()))
        errors[method] = float(np.sqrt(np.mean((a @ coef - 1.0) ** 2)))
    return {
        "constants": constants,
        "rms_relative_error": errors,
        "features": {m: list(n) for m, n in FEATURE_NAMES.items()},
    }
