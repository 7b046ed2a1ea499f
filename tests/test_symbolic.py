"""The symbolic routes against numpy, scipy and the numeric matrices of convbook."""

import numpy as np
import pytest
import scipy.signal
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import convbook
from convbook import symbolic


def to_numpy(A, dtype=complex):
    return np.array(sp.Matrix(A).evalf(), dtype=dtype)


def random_ints(rng, shape, complex_=False):
    a = rng.integers(-5, 6, size=shape)
    return a + 1j * rng.integers(-5, 6, size=shape) if complex_ else a


def circular_correlate(x, w):
    """Reference: sum_k conj(w[k]) x[(n + k) mod N] through numpy's FFT."""
    w_pad = np.zeros(x.shape, dtype=complex)
    w_pad[: w.shape[0], : w.shape[1]] = w
    return np.fft.ifft2(np.conj(np.fft.fft2(w_pad)) * np.fft.fft2(x))


# -- symbol_matrix and vec ------------------------------------------------------


def test_symbol_matrix_names_and_assumptions():
    X = symbolic.symbol_matrix("x", (4, 4))
    assert X.shape == (4, 4)
    assert str(X[0, 0]) == "x11" and str(X[3, 1]) == "x42"
    assert all(s.is_real for s in X)
    assert len(set(X)) == 16


def test_symbol_matrix_large_sides_use_separators():
    X = symbolic.symbol_matrix("x", (11, 2))
    assert str(X[9, 1]) == "x_10_2" and str(X[0, 0]) == "x_1_1"
    assert len(set(X)) == 22


@pytest.mark.parametrize(
    "name, shape, error",
    [
        (3, (2, 2), TypeError),
        ("1x", (2, 2), TypeError),
        ("x", (2, 0), ValueError),
        ("x", (2, 2, 2), ValueError),
        ("x", 2.5, TypeError),
    ],
)
def test_symbol_matrix_rejects_bad_arguments(name, shape, error):
    with pytest.raises(error, match="name|shape"):
        symbolic.symbol_matrix(name, shape)


def test_vec_is_row_major_like_ravel():
    a = np.arange(12).reshape(3, 4)
    assert list(symbolic.vec(a)) == list(a.ravel())
    assert symbolic.vec(a).shape == (12, 1)


@pytest.mark.parametrize(
    "bad, error", [(np.zeros(3), ValueError), ([["a", "b"]], TypeError), (np.zeros((0, 2)), ValueError)]
)
def test_vec_rejects_bad_arrays(bad, error):
    with pytest.raises(error, match="A"):
        symbolic.vec(bad)


# -- bttb -------------------------------------------------------------------


def test_bttb_of_the_book_example():
    W = symbolic.symbol_matrix("w", (3, 3))
    T = symbolic.bttb(W, (4, 4))
    assert T.shape == (4, 16)
    # The first row is the kernel laid out along the first three rows of the image.
    first = sp.Matrix([[*W[0, :], 0, *W[1, :], 0, *W[2, :], 0, 0, 0, 0, 0]])
    assert T[0, :] == first
    # Every row holds each weight exactly once: parameter sharing.
    assert all(sorted(map(str, filter(None, T[r, :]))) == sorted(map(str, W)) for r in range(4))


@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from(["full", "same", "valid"]),
    st.sampled_from(["correlate", "convolve"]),
    st.booleans(),
)
@settings(max_examples=25)
def test_bttb_times_vec_matches_scipy(M, N, K, L, mode, operation, complex_):
    if mode == "valid" and (K > M or L > N):
        return
    rng = np.random.default_rng([M, N, K, L])
    x, w = random_ints(rng, (M, N), complex_), random_ints(rng, (K, L), complex_)
    T = to_numpy(symbolic.bttb(w, (M, N), mode=mode, operation=operation))
    reference = getattr(scipy.signal, operation)(x, w, mode=mode)
    np.testing.assert_array_equal(T @ x.ravel(), reference.ravel())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bttb_of_float_kernels(dtype):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 4)).astype(dtype), rng.standard_normal((2, 3)).astype(dtype)
    T = to_numpy(symbolic.bttb(w, x.shape, mode="same"), dtype=float)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(
        T @ x.ravel(), convbook.correlate(x, w, mode="same").ravel(), rtol=tol, atol=tol
    )


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("operation", ["correlate", "convolve"])
def test_bttb_with_numbers_substituted_is_the_numeric_matrix(mode, operation):
    W = symbolic.symbol_matrix("w", (3, 3))
    kernel = np.random.default_rng(2).integers(-9, 10, size=(3, 3))
    T = symbolic.bttb(W, (4, 5), mode=mode, operation=operation)
    numeric = T.subs(dict(zip(W, kernel.ravel().tolist())))
    np.testing.assert_array_equal(
        np.array(numeric, dtype=np.int64),
        convbook.bttb_matrix(kernel, (4, 5), mode=mode, operation=operation),
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"image_shape": (2, 2)}, ValueError, "no larger"),
        ({"mode": "circular"}, ValueError, "mode"),
        ({"operation": "multiply"}, ValueError, "operation"),
        ({"image_shape": (4,)}, ValueError, "image_shape"),
        ({"W": [1, 2, 3]}, ValueError, "W must be 2-D"),
        ({"W": [["a"]]}, TypeError, "W"),
    ],
)
def test_bttb_rejects_bad_arguments(kwargs, error, match):
    args = {"W": symbolic.symbol_matrix("w", (3, 3)), "image_shape": (4, 4)} | kwargs
    with pytest.raises(error, match=match):
        symbolic.bttb(**args)


# -- DFT matrices -------------------------------------------------------------


def test_dft_matrix_of_size_four_is_exact():
    F = symbolic.dft_matrix(4)
    assert set(F) == {1, -1, sp.I, -sp.I}
    assert F * F.conjugate() == 4 * sp.eye(4)


@pytest.mark.parametrize("n", range(1, 9))
def test_dft_matrix_matches_numeric(n):
    np.testing.assert_allclose(to_numpy(symbolic.dft_matrix(n)), convbook.dft_matrix(n), atol=1e-14)


@pytest.mark.parametrize("n", [3, 5, 6])
def test_dft_inverse_is_conjugate_over_n_exactly(n):
    F = symbolic.dft_matrix(n)
    product = (F * F.conjugate() / n).applyfunc(lambda e: sp.nsimplify(sp.expand_complex(e)))
    assert product == sp.eye(n)


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (4, 4), (3, 5)])
def test_dft2_matrix_matches_numeric_and_fft2(shape):
    F = to_numpy(symbolic.dft2_matrix(shape))
    np.testing.assert_allclose(F, convbook.dft2_matrix(shape), atol=1e-13)
    x = np.random.default_rng(3).standard_normal(shape)
    np.testing.assert_allclose(F @ x.ravel(), np.fft.fft2(x).ravel(), atol=1e-12)


@pytest.mark.parametrize(
    "bad, error", [(0, ValueError), (2.0, TypeError), (True, TypeError), ("4", TypeError)]
)
def test_dft_matrix_rejects_bad_sizes(bad, error):
    with pytest.raises(error, match="n must"):
        symbolic.dft_matrix(bad)


def test_dft2_matrix_rejects_bad_shapes():
    with pytest.raises(ValueError, match="shape"):
        symbolic.dft2_matrix((2, 2, 2))


# -- the two routes -------------------------------------------------------------


@pytest.mark.parametrize("operation", ["correlate", "convolve"])
@pytest.mark.parametrize(
    "image, kernel", [((4, 4), (3, 3)), ((3, 3), (2, 2)), ((2, 5), (1, 3)), ((3, 4), (3, 2))]
)
def test_fft_route_valid_equals_spatial_route_symbolically(image, kernel, operation):
    X, W = symbolic.symbol_matrix("x", image), symbolic.symbol_matrix("w", kernel)
    assert symbolic.fft_route(X, W, operation=operation, mode="valid") == symbolic.spatial_route(
        X, W, mode="valid", operation=operation
    )


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.integers(1, 5), st.booleans())
@settings(max_examples=12)
def test_fft_route_is_the_circular_result(M, N, K, L, complex_):
    K, L = min(K, M), min(L, N)
    rng = np.random.default_rng([M, N, K, L, complex_])
    x, w = random_ints(rng, (M, N), complex_), random_ints(rng, (K, L), complex_)
    np.testing.assert_allclose(to_numpy(symbolic.fft_route(x, w)), circular_correlate(x, w), atol=1e-9)
    np.testing.assert_allclose(
        to_numpy(symbolic.fft_route(x, w, operation="convolve")), convbook.circular_convolve(x, w), atol=1e-9
    )


def test_fft_route_leaves_no_roots_of_unity_for_real_input():
    # size 3 and 6 have roots of unity that do not simplify by themselves
    X, W = symbolic.symbol_matrix("x", (3, 6)), symbolic.symbol_matrix("w", (2, 2))
    Y = symbolic.fft_route(X, W)
    assert all(e.free_symbols <= set(X) | set(W) and not e.has(sp.I, sp.exp, sp.sqrt(3)) for e in Y)
    assert Y == Y.applyfunc(sp.expand)


def test_fft_route_steps_are_the_matrix_products():
    X, W = symbolic.symbol_matrix("x", (4, 4)), symbolic.symbol_matrix("w", (3, 3))
    Y, steps = symbolic.fft_route(X, W, return_steps=True)
    F = symbolic.dft2_matrix((4, 4))
    assert steps["F"] == F
    assert steps["W_pad"][:3, :3] == W and steps["W_pad"][3, :] == sp.zeros(1, 4)
    assert steps["X_hat"] == (F * symbolic.vec(X)).applyfunc(sp.expand)
    assert steps["W_hat"] == (F * symbolic.vec(steps["W_pad"])).applyfunc(sp.expand)
    f = 5
    assert sp.expand(steps["product"][f] - sp.conjugate(steps["W_hat"][f]) * steps["X_hat"][f]) == 0
    y11 = sp.expand(sum((F[0, g].conjugate() * steps["product"][g] for g in range(16)), sp.S.Zero) / 16)
    assert y11 == Y[0, 0]


def test_fft_route_steps_numerically():
    rng = np.random.default_rng(4)
    x, w = rng.integers(-3, 4, size=(3, 4)), rng.integers(-3, 4, size=(2, 2))
    _, steps = symbolic.fft_route(x, w, operation="convolve", return_steps=True)
    w_pad = np.zeros((3, 4))
    w_pad[:2, :2] = w
    np.testing.assert_allclose(to_numpy(steps["X_hat"]).ravel(), np.fft.fft2(x).ravel(), atol=1e-12)
    np.testing.assert_allclose(
        to_numpy(steps["product"]).ravel(), (np.fft.fft2(w_pad) * np.fft.fft2(x)).ravel(), atol=1e-11
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"W": np.ones((5, 2))}, ValueError, "no larger"),
        ({"mode": "same"}, ValueError, "mode"),
        ({"operation": "fft"}, ValueError, "operation"),
        ({"return_steps": 1}, TypeError, "return_steps"),
        ({"X": np.ones(4)}, ValueError, "X must be 2-D"),
    ],
)
def test_fft_route_rejects_bad_arguments(kwargs, error, match):
    args = {"X": np.ones((4, 4)), "W": np.ones((3, 3))} | kwargs
    with pytest.raises(error, match=match):
        symbolic.fft_route(**args)


def test_spatial_route_shapes():
    X, W = symbolic.symbol_matrix("x", (4, 5)), symbolic.symbol_matrix("w", (3, 2))
    for mode in ("full", "same", "valid"):
        assert symbolic.spatial_route(X, W, mode=mode).shape == convbook.output_shape((4, 5), (3, 2), mode)


# -- Jacobians ----------------------------------------------------------------


def test_jacobian_of_the_spatial_route_is_the_bttb_matrix_and_the_image_patches():
    X, W = symbolic.symbol_matrix("x", (4, 4)), symbolic.symbol_matrix("w", (3, 3))
    Y = symbolic.spatial_route(X, W)
    assert symbolic.jacobian(Y, X) == symbolic.bttb(W, (4, 4))
    J = symbolic.jacobian(Y, W)
    assert J.shape == (4, 9)
    assert J[0, :] == symbolic.vec(X[:3, :3]).T and J[3, :] == symbolic.vec(X[1:, 1:]).T


def test_jacobian_of_a_single_expression_and_a_list():
    x, y = sp.symbols("x y", real=True)
    assert symbolic.jacobian(x**2 * y, [x, y]) == sp.Matrix([[2 * x * y, x**2]])


@pytest.mark.parametrize(
    "variables, error", [("x", TypeError), ([], ValueError), ([sp.Integer(1)], ValueError)]
)
def test_jacobian_rejects_bad_variables(variables, error):
    with pytest.raises(error, match="variables"):
        symbolic.jacobian(sp.Matrix([[1]]), variables)


# -- spectral parametrisation -------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 2), (3, 3), (4, 4), (2, 5), (4, 3)])
@pytest.mark.parametrize("orthonormal", [False, True])
def test_spectral_kernel_is_the_inverse_dft_of_a_hermitian_spectrum(shape, orthonormal):
    W, params = symbolic.spectral_kernel(shape, orthonormal=orthonormal)
    M, N = shape
    assert len(params) == M * N == len(set(params))
    assert all(p.is_real for p in params)
    values = np.random.default_rng(M * N).standard_normal(M * N)
    kernel = to_numpy(W.subs(dict(zip(params, values.tolist()))))
    np.testing.assert_allclose(kernel.imag, 0, atol=1e-12)
    spectrum = np.fft.fft2(kernel.real)
    # Each parameter is the real or imaginary part of one coefficient, scaled if orthonormal.
    index = {str(p): v for p, v in zip(params, values)}
    for p in range(M):
        for q in range(N):
            self_conjugate = (-p % M, -q % N) == (p, q)
            scale = (np.sqrt(M * N) if self_conjugate else np.sqrt(M * N / 2)) if orthonormal else 1
            if f"a{p}{q}" in index:
                np.testing.assert_allclose(spectrum[p, q].real, scale * index[f"a{p}{q}"], atol=1e-10)
                np.testing.assert_allclose(spectrum[p, q].imag, scale * index.get(f"ai{p}{q}", 0), atol=1e-10)


@pytest.mark.parametrize("shape", [(3, 3), (4, 4)])
def test_spectral_kernel_orthonormal_map_is_orthogonal(shape):
    W, params = symbolic.spectral_kernel(shape, orthonormal=True)
    J = symbolic.jacobian(W, params)
    assert (J * J.T).applyfunc(sp.nsimplify) == sp.eye(shape[0] * shape[1])
    J_plain = symbolic.jacobian(*symbolic.spectral_kernel(shape))
    assert J_plain.rank() == shape[0] * shape[1]  # still every kernel, but not orthogonal
    assert (J_plain * J_plain.T).applyfunc(sp.nsimplify) != sp.eye(shape[0] * shape[1])


def test_spectral_kernel_large_names():
    _, params = symbolic.spectral_kernel((1, 11))
    assert str(params[1]) == "a_0_1" and str(params[2]) == "ai_0_1"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"shape": (0, 3)}, ValueError, "shape"),
        ({"name": ""}, TypeError, "name"),
        ({"orthonormal": "yes"}, TypeError, "orthonormal"),
    ],
)
def test_spectral_kernel_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        symbolic.spectral_kernel(**({"shape": (3, 3)} | kwargs))


def test_latex_sum_breaks_lines_and_keeps_the_expression():
    terms = sp.symbols("t0:13")
    expr = sum(t * (-1) ** i for i, t in enumerate(terms))
    text = symbolic.latex_sum(r"\hat X_1", expr, terms_per_line=5)
    assert text.startswith(r"\begin{aligned} \hat X_1 &= ") and text.endswith(r"\end{aligned}")
    lines = text.removeprefix(r"\begin{aligned} \hat X_1 &= ").removesuffix(r" \end{aligned}").split(r" \\ &")
    assert len(lines) == 3
    body = " ".join(line.removeprefix(r"\quad ") for line in lines)
    assert sp.simplify(parse_latex_terms(body) - expr) == 0


def parse_latex_terms(body):
    # the terms are plain symbols t_{k} with signs: read them back
    total, sign = 0, 1
    for token in body.split():
        if token in "+-":
            sign = 1 if token == "+" else -1
            continue
        negative = token.startswith("-")
        name = token.lstrip("-").replace("_{", "").replace("}", "")
        total += (-1 if negative else 1) * sign * sp.Symbol(name)
        sign = 1
    return total


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3"])
def test_latex_sum_rejects_bad_terms_per_line(bad):
    with pytest.raises((ValueError, TypeError), match="terms_per_line"):
        symbolic.latex_sum("y", sp.Symbol("a"), terms_per_line=bad)


def test_latex_sum_rejects_a_label_that_is_not_a_string():
    with pytest.raises(TypeError, match="label"):
        symbolic.latex_sum(3, sp.Symbol("a"))
