"""Argument checks shared by the public functions.

Every public function of :mod:`convbook` validates its input with these
helpers, so that a bad argument always fails the same way: a ``TypeError``
for the wrong kind of thing, a ``ValueError`` for the right kind with a bad
value, and a message that names the argument and what was expected. Each
check is defined here once; two checks with different meanings have
different names (:func:`int_or_pair` turns one integer into two,
:func:`pair_of_positive_ints` insists on exactly two).
"""

import math
import numbers
import operator
import warnings

import numpy as np

MODES = ("full", "same", "valid")
OPERATIONS = ("correlate", "convolve")


# -- arrays --------------------------------------------------------------------


def warn_if_not_finite(arrays, stacklevel):
    """Warn, as scipy.signal.convolve does, when the FFT route is given NaN or inf.

    A transform mixes every input into every output, so one non-finite
    value makes every output it reaches NaN or inf; the direct sum confines
    it to the windows that contain it. The result is left as it is.
    ``stacklevel`` counts from the caller of this function, as for
    :func:`warnings.warn`.
    """
    if not all(np.isfinite(a).all() for a in arrays):
        warnings.warn(
            "Use of the FFT on input with NaN or inf makes NaN or inf of every output the transform "
            "reaches, not only of the windows that contain it; consider method='direct'.",
            RuntimeWarning,
            stacklevel=stacklevel + 1,
        )


def as_numeric_array(a, name):
    """Return ``a`` as a non-empty numeric ndarray, or raise naming ``name``."""
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and other things numpy refuses
        raise TypeError(f"{name} must be array-like with numeric entries ({exc})") from exc
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{name} must hold numbers (bool, integer, float or complex), got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def real_array(a, name):
    """:func:`as_numeric_array`, refusing complex input: bool, integer or float only."""
    arr = as_numeric_array(a, name)
    check_real_dtype(arr.dtype, name)
    return arr


def check_real_dtype(dtype, name):
    """Raise a ``TypeError`` unless ``dtype`` holds real numbers (bool, integer or float)."""
    if np.dtype(dtype).kind not in "buif":
        raise TypeError(f"{name} must be real (bool, integer or float), got dtype {dtype}")


def check_bool(value, name):
    """Raise a ``TypeError`` unless ``value`` is ``True`` or ``False`` (a flag, not a truthy object)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def check_ndim(a, name, ndim, layout=""):
    """Raise a ``ValueError`` unless the array ``a`` has ``ndim`` axes (``layout`` names them)."""
    if a.ndim != ndim:
        described = f"{ndim}-D {layout}".rstrip()
        raise ValueError(f"{name} must be {described}, got shape {a.shape}")
    return a


def check_same_ndim(x, h, xname="x", hname="h"):
    """Raise a ``ValueError`` unless ``x`` and ``h`` have the same number of dimensions."""
    if x.ndim != h.ndim:
        raise ValueError(
            f"{xname} and {hname} must have the same number of dimensions, "
            f"got {xname}.ndim={x.ndim} and {hname}.ndim={h.ndim}"
        )


def check_fits(inner_shape, outer_shape, inner_name, outer_name, why=""):
    """Raise a ``ValueError`` unless ``inner_shape`` is no larger than ``outer_shape`` on every axis.

    Both shapes must have the same length. ``why`` (optional) ends the
    first half of the message: why the inner array has to fit.
    """
    inner, outer = tuple(inner_shape), tuple(outer_shape)
    if len(inner) != len(outer):
        raise ValueError(
            f"{inner_name} and {outer_name} must have the same length, got {inner_name}={inner} "
            f"and {outer_name}={outer}"
        )
    if any(k > n for k, n in zip(inner, outer)):
        reason = f" {why}" if why else ""
        raise ValueError(
            f"{inner_name} must be no larger than {outer_name} along every axis{reason}, "
            f"got {inner_name}={inner} and {outer_name}={outer}"
        )


def float_dtype(dtype, name="dtype"):
    """Return ``dtype`` as a numpy dtype if it is float32 or float64, else raise a ``TypeError``."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{name} must be float32 or float64, got {dtype!r}") from exc
    if dt not in (np.float32, np.float64):
        raise TypeError(f"{name} must be float32 or float64, got {dt}")
    return dt


# -- choices -------------------------------------------------------------------


def check_choice(value, name, choices):
    """Raise a ``ValueError`` unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


# -- integers ------------------------------------------------------------------


def positive_int(value, name):
    """Return ``value`` as a Python int if it is a positive integer, else raise."""
    return _bounded_int(value, name, 1, "a positive integer")


def nonnegative_int(value, name):
    """Return ``value`` as a Python int if it is an integer >= 0, else raise."""
    return _bounded_int(value, name, 0, "a non-negative integer")


def positive_odd_int(value, name, reason="the kernel needs a centre tap"):
    """Return ``value`` as a Python int if it is a positive odd integer; ``reason`` says why odd."""
    n = positive_int(value, name)
    if n % 2 == 0:
        raise ValueError(f"{name} must be a positive odd integer ({reason}), got {n}")
    return n


def _bounded_int(value, name, minimum, expected):
    # bool is an int subclass, but True as a size or a stride is a bug.
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be {expected}, got {value!r}") from None
    if n < minimum:
        raise ValueError(f"{name} must be {expected}, got {n}")
    return n


def index_pair(value, name, shape, where):
    """Two 0-based indices inside ``shape``, as a tuple of ints; ``where`` names what they index."""
    if isinstance(value, str) or np.ndim(value) != 1 or len(value) != 2:
        raise ValueError(
            f"{name} must be a pair of 0-based indices (row, column) into {where}, got {value!r}"
        )
    pair = tuple(nonnegative_int(v, f"{name}[{d}]") for d, v in enumerate(value))
    if any(v >= s for v, s in zip(pair, shape)):
        raise ValueError(f"{name} must index {where}, of shape {tuple(shape)}, got {pair}")
    return pair


def shape_tuple(shape, name):
    """Return ``shape`` (an int or a sequence of ints) as a tuple of positive ints."""
    if np.ndim(shape) == 0:
        return (positive_int(shape, name),)
    dims = tuple(shape)
    if len(dims) == 0:
        raise ValueError(f"{name} must have at least one dimension, got {shape!r}")
    return tuple(positive_int(d, f"{name}[{i}]") for i, d in enumerate(dims))


def int_or_pair(value, name, check=positive_int):
    """One integer for both axes, or one per axis: ``(n, n)`` or ``(a, b)``, each passed through ``check``.

    The form of a layer's ``stride`` and ``padding`` (PyTorch's rule):
    ``3`` means ``(3, 3)``. ``check`` is :func:`positive_int` or
    :func:`nonnegative_int`; entries are named ``name[0]`` and ``name[1]``.
    """
    if np.ndim(value) == 0:
        n = check(value, name)
        return n, n
    values = tuple(value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints (H, W), got {value!r}")
    return tuple(check(v, f"{name}[{i}]") for i, v in enumerate(values))


def pair_of_positive_ints(value, name, meaning):
    """Exactly two positive integers, as a tuple; ``meaning`` says what the two are.

    Unlike :func:`int_or_pair`, a single integer is refused: the two values
    mean different things (rows and columns, or one per layer).
    """
    dims = shape_tuple(value, name)
    if len(dims) != 2:
        raise ValueError(f"{name} must hold two positive integers {meaning}, got {value!r}")
    return dims


# -- real numbers --------------------------------------------------------------


def real_number(value, name):
    """Return ``value`` as a float if it is a finite real number (not a bool), else raise."""
    return _real(value, name, "a real number", "finite", lambda v: True)


def positive_real(value, name):
    """Return ``value`` as a float if it is a positive finite real number (not a bool), else raise."""
    return _real(value, name, "a positive real number", "a positive finite number", lambda v: v > 0)


def _real(value, name, kind, expected, accept):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and accept(v)):
        raise ValueError(f"{name} must be {expected}, got {value!r}")
    return v
