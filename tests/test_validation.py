"""The shared argument checks of convbook._validation, and that each is defined only there."""

import ast
import fractions
import pathlib

import numpy as np
import pytest

from convbook import _validation as v

SRC = pathlib.Path(v.__file__).parent
TESTS = pathlib.Path(__file__).parent


def test_int_or_pair_doubles_one_integer_and_checks_each_entry():
    assert v.int_or_pair(2, "stride") == (2, 2)
    assert v.int_or_pair((1, np.int64(3)), "stride") == (1, 3)
    assert v.int_or_pair(np.array([0, 2]), "padding", v.nonnegative_int) == (0, 2)
    with pytest.raises(ValueError, match=r"stride\[1\] must be a positive integer"):
        v.int_or_pair((1, 0), "stride")
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        v.int_or_pair((1, 2, 3), "stride")
    with pytest.raises(TypeError, match="padding must be a non-negative integer"):
        v.int_or_pair("same", "padding", v.nonnegative_int)


def test_pair_of_positive_ints_refuses_a_single_integer():
    assert v.pair_of_positive_ints((3, 4), "shape", "(rows, columns)") == (3, 4)
    with pytest.raises(ValueError, match=r"shape must hold two positive integers \(rows, columns\)"):
        v.pair_of_positive_ints(3, "shape", "(rows, columns)")
    with pytest.raises(ValueError, match=r"shape\[0\] must be a positive integer"):
        v.pair_of_positive_ints((0, 4), "shape", "(rows, columns)")


@pytest.mark.parametrize("value", [0.5, 3, np.float32(2.5), np.int64(7), fractions.Fraction(1, 3)])
def test_real_numbers_are_accepted_as_floats(value):
    assert v.real_number(value, "a") == float(value)
    assert v.positive_real(value, "a") == float(value)
    assert isinstance(v.positive_real(value, "a"), float)


@pytest.mark.parametrize(
    "value, error, match",
    [
        (True, TypeError, "a must be a positive real number"),
        ("1", TypeError, "a must be a positive real number"),
        (1j, TypeError, "a must be a positive real number"),
        (0, ValueError, "a must be a positive finite number"),
        (-1.0, ValueError, "a must be a positive finite number"),
        (float("inf"), ValueError, "a must be a positive finite number"),
        (float("nan"), ValueError, "a must be a positive finite number"),
    ],
)
def test_positive_real_rejects(value, error, match):
    with pytest.raises(error, match=match):
        v.positive_real(value, "a")


def test_real_number_allows_zero_and_negatives_but_not_infinity():
    assert v.real_number(-2, "b") == -2.0
    with pytest.raises(ValueError, match="b must be finite"):
        v.real_number(float("-inf"), "b")
    with pytest.raises(TypeError, match="b must be a real number"):
        v.real_number(np.bool_(True), "b")


def test_array_checks():
    assert v.real_array([1, 2], "x").dtype.kind == "i"
    with pytest.raises(TypeError, match=r"x must be real \(bool, integer or float\)"):
        v.real_array([1j], "x")
    with pytest.raises(ValueError, match=r"x must be 4-D \(B, C, H, W\), got shape \(2, 3\)"):
        v.check_ndim(np.ones((2, 3)), "x", 4, "(B, C, H, W)")
    with pytest.raises(ValueError, match="h must be no larger than x along every axis to be zero-padded"):
        v.check_fits((3,), (2,), "h", "x", "to be zero-padded to it")
    with pytest.raises(ValueError, match="must have the same length"):
        v.check_fits((3,), (2, 2), "h", "x")
    assert v.float_dtype("float32") == np.float32
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        v.float_dtype(np.int8)
    assert v.positive_odd_int(5, "k") == 5
    with pytest.raises(ValueError, match=r"k must be a positive odd integer \(why\)"):
        v.positive_odd_int(4, "k", "why")


def _functions(path):
    return [node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)]


# The names the private copies of these checks had before they moved here.
OLD_COPIES = {
    "_pair",
    "_shape2",
    "_finite_float",
    "_positive_float",
    "_positive_real",
    "_positive_finite",
    "_positive_odd",
    "_float_dtype",
    "_real_array",
    "_check_kernel_fits",
}


def test_every_check_is_defined_once():
    checks = {name.lstrip("_") for name in _functions(SRC / "_validation.py")}
    copies = [
        f"{path.name}: {name}"
        for path in sorted(SRC.glob("*.py"))
        if path.name != "_validation.py"
        for name in _functions(path)
        if name.lstrip("_") in checks or name in OLD_COPIES
    ]
    assert not copies, "checks defined outside convbook._validation (use the ones there):\n" + "\n".join(
        copies
    )


def _literal_lists(path):
    """(name, values) of every assignment of a literal tuple or list of strings to a name ending in METHODS."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Tuple, ast.List)):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.endswith("METHODS"):
                    yield target.id, [getattr(e, "value", None) for e in node.value.elts]


def test_each_list_of_methods_is_defined_once():
    found = {}
    for path in [*SRC.glob("*.py"), *TESTS.glob("test_*.py")]:
        for name, values in _literal_lists(path):
            found.setdefault(tuple(values), []).append(f"{path.name}:{name}")
    assert found == {
        ("loop", "direct", "fft"): ["convolution.py:METHODS"],
        ("direct", "im2col", "fft"): ["geometry.py:LAYER_METHODS"],
    }
