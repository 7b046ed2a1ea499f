"""Argument checks shared by the public functions.

Every public function of :mod:`convbook` validates its input with these
helpers, so that a bad argument always fails the same way: a ``TypeError``
for the wrong kind of thing, a ``ValueError`` for the right kind with a bad
value, and a message that names the argument and what was expected.
"""

import operator

import numpy as np

MODES = ("full", "same", "valid")


def as_numeric_array(a, name):
    """Return ``a`` as a non-empty numeric ndarray, or raise naming ``name``."""
    try:
        arr = np.asarray(a)
    except Exception as exc:  # ragged lists and other things numpy refuses
        raise TypeError(f"{name} must be array-like with numeric entries ({exc})") from exc
    if arr.dtype.kind not in "biufc":
        raise TypeError(
            f"{name} must hold numbers (bool, integer, float or complex), got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_choice(value, name, choices):
    """Raise a ``ValueError`` unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def check_same_ndim(x, h, xname="x", hname="h"):
    """Raise a ``ValueError`` unless ``x`` and ``h`` have the same number of dimensions."""
    if x.ndim != h.ndim:
        raise ValueError(
            f"{xname} and {hname} must have the same number of dimensions, "
            f"got {xname}.ndim={x.ndim} and {hname}.ndim={h.ndim}"
        )


def positive_int(value, name):
    """Return ``value`` as a Python int if it is a positive integer, else raise."""
    return _bounded_int(value, name, 1, "a positive integer")


def nonnegative_int(value, name):
    """Return ``value`` as a Python int if it is an integer >= 0, else raise."""
    return _bounded_int(value, name, 0, "a non-negative integer")


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


def shape_tuple(shape, name):
    """Return ``shape`` (an int or a sequence of ints) as a tuple of positive ints."""
    if np.ndim(shape) == 0:
        return (positive_int(shape, name),)
    dims = tuple(shape)
    if len(dims) == 0:
        raise ValueError(f"{name} must have at least one dimension, got {shape!r}")
    return tuple(positive_int(d, f"{name}[{i}]") for i, d in enumerate(dims))
