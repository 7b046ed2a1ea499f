"""convbook.adjoints: every operator of the FFT route passes the dot-product test, the naive rfft2 adjoint
does not, and the composed gradient is the direct layer's and the finite differences'."""

import numpy as np
import pytest
import scipy.fft
from hypothesis import given
from hypothesis import strategies as st

from convbook import conv2d_backward, correlate
from convbook.adjoints import (
    adjoint_gap,
    crop,
    crop_adjoint,
    fft_correlate2d,
    fft_correlate2d_vjp,
    hermitian_weights,
    inner,
    irfft2_adjoint,
    pad_to,
    pad_to_adjoint,
    rfft2_adjoint,
)

# Dot-product tolerance relative to |A x| |y| (Cauchy-Schwarz bounds both sides by it).
TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}
COMPLEX = {np.float32: np.complex64, np.float64: np.complex128}


def random_complex(rng, shape, dtype):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(COMPLEX[dtype])


def assert_adjoint(ax, y, x, aty, dtype):
    """<A x, y> = <x, A* y> to the rounding of ``dtype``."""
    scale = np.linalg.norm(ax) * np.linalg.norm(y) + np.linalg.norm(x) * np.linalg.norm(aty)
    assert abs(inner(ax, y) - inner(x, aty)) <= TOLERANCE[dtype] * scale


@st.composite
def problems(draw):
    """A real H x W array, its half-spectrum shape, a dtype and a seeded generator; odd and even W."""
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return (h, w), dtype, rng


# -- the inner product ---------------------------------------------------------------


def test_inner_is_the_real_part_of_the_hermitian_product():
    rng = np.random.default_rng(0)
    a, b = random_complex(rng, (3, 4), np.float64), random_complex(rng, (3, 4), np.float64)
    expected = np.sum(a.real * b.real + a.imag * b.imag)
    assert inner(a, b) == pytest.approx(expected, rel=1e-14)
    assert inner(a, b) == pytest.approx(inner(b, a), rel=1e-14)  # symmetric, unlike the complex product
    assert inner(a, 1j * a) == pytest.approx(0.0, abs=1e-12)  # a and i a are orthogonal real directions


def test_adjoint_gap_tells_a_transpose_from_a_wrong_matrix():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((4, 6))
    x, y = rng.standard_normal(6), rng.standard_normal(4)
    assert adjoint_gap(lambda v: A @ v, lambda v: A.T @ v, x, y) < 1e-14
    assert adjoint_gap(lambda v: A @ v, lambda v: A[::-1].T @ v, x, y) > 0.01


# -- every operator against its adjoint ----------------------------------------------


@given(problems(), st.integers(0, 4), st.integers(0, 4))
def test_pad_to_and_its_adjoint(problem, extra_rows, extra_columns):
    shape, dtype, rng = problem
    big = (shape[0] + extra_rows, shape[1] + extra_columns)
    x, g = rng.standard_normal(shape).astype(dtype), rng.standard_normal(big).astype(dtype)
    assert_adjoint(pad_to(x, big), g, x, pad_to_adjoint(g, shape), dtype)
    np.testing.assert_array_equal(pad_to_adjoint(pad_to(x, big), shape), x)  # crop undoes pad
    np.testing.assert_array_equal(pad_to(x, big), np.pad(x, ((0, extra_rows), (0, extra_columns))))


@given(problems(), st.data())
def test_crop_and_its_adjoint(problem, data):
    shape, dtype, rng = problem
    r, c = data.draw(st.integers(0, shape[0] - 1)), data.draw(st.integers(0, shape[1] - 1))
    block = data.draw(st.integers(1, shape[0] - r)), data.draw(st.integers(1, shape[1] - c))
    x, g = rng.standard_normal(shape).astype(dtype), rng.standard_normal(block).astype(dtype)
    assert_adjoint(crop(x, (r, c), block), g, x, crop_adjoint(g, (r, c), shape), dtype)
    back = crop_adjoint(g, (r, c), shape)
    assert back.dtype == dtype and np.count_nonzero(back) == np.count_nonzero(g)


@given(problems())
def test_rfft2_adjoint_passes_the_dot_product_test(problem):
    (h, w), dtype, rng = problem
    x, g = rng.standard_normal((h, w)).astype(dtype), random_complex(rng, (h, w // 2 + 1), dtype)
    back = rfft2_adjoint(g, (h, w))
    assert back.dtype == dtype and back.shape == (h, w)
    assert_adjoint(scipy.fft.rfft2(x), g, x, back, dtype)


@given(problems())
def test_irfft2_adjoint_passes_the_dot_product_test(problem):
    (h, w), dtype, rng = problem
    z, g = random_complex(rng, (h, w // 2 + 1), dtype), rng.standard_normal((h, w)).astype(dtype)
    back = irfft2_adjoint(g)
    assert back.dtype == COMPLEX[dtype] and back.shape == z.shape
    assert_adjoint(scipy.fft.irfft2(z, s=(h, w)), g, z, back, dtype)


def real_matrix(f, n_in, complex_in=False):
    """The matrix of a real-linear map, complex arrays read as (real parts, imaginary parts)."""
    columns = []
    for e in np.eye(2 * n_in if complex_in else n_in):
        v = e[:n_in] + 1j * e[n_in:] if complex_in else e
        out = np.asarray(f(v)).ravel()
        columns.append(np.concatenate([out.real, out.imag]) if np.iscomplexobj(out) else out)
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("shape", [(1, 1), (3, 1), (2, 2), (3, 4), (4, 5), (5, 6), (2, 7)])
def test_adjoints_are_the_transposes_of_the_real_matrices(shape):
    # The dense matrices of rfft2 and irfft2 as maps between real vector spaces, built column by column.
    h, w = shape
    half = (h, w // 2 + 1)
    n, m = h * w, half[0] * half[1]
    rfft2 = real_matrix(lambda v: scipy.fft.rfft2(v.reshape(shape)), n)
    rfft2_t = real_matrix(lambda v: rfft2_adjoint(v.reshape(half), shape), m, complex_in=True)
    np.testing.assert_allclose(rfft2_t, rfft2.T, atol=1e-12)
    irfft2 = real_matrix(lambda v: scipy.fft.irfft2(v.reshape(half), s=shape), m, complex_in=True)
    irfft2_t = real_matrix(lambda v: irfft2_adjoint(v.reshape(shape)), n)
    np.testing.assert_allclose(irfft2_t, irfft2.T, atol=1e-12)


@given(problems())
def test_rfft2_adjoint_is_the_inverse_dft_of_the_zero_extended_half_spectrum(problem):
    # The formula from the definition: Re sum over the kept bins of g e^{+i theta}, i.e. H W Re(ifft2)
    # of g with the dropped columns set to zero (not reconstructed from their partners).
    (h, w), dtype, rng = problem
    g = random_complex(rng, (h, w // 2 + 1), np.float64)
    full = np.zeros((h, w), dtype=complex)
    full[:, : w // 2 + 1] = g
    np.testing.assert_allclose(rfft2_adjoint(g, (h, w)), h * w * np.fft.ifft2(full).real, atol=1e-12)


@given(problems())
def test_the_two_adjoints_invert_each_other(problem):
    # irfft2 rfft2 = I, so (irfft2 rfft2)* = rfft2* irfft2* = I.
    (h, w), dtype, rng = problem
    g = rng.standard_normal((h, w)).astype(dtype)
    np.testing.assert_allclose(
        rfft2_adjoint(irfft2_adjoint(g), (h, w)), g, atol=TOLERANCE[dtype] * 10 * h * w
    )


# -- the naive adjoint ----------------------------------------------------------------


def naive_rfft2_adjoint(g, shape):
    return shape[0] * shape[1] * scipy.fft.irfft2(g, s=shape)


@pytest.mark.parametrize("shape", [(4, 3), (5, 4), (3, 6), (6, 7), (1, 8)])
def test_the_naive_rfft2_adjoint_fails_the_dot_product_test(shape):
    rng = np.random.default_rng(2)
    x, g = rng.standard_normal(shape), random_complex(rng, (shape[0], shape[1] // 2 + 1), np.float64)
    assert adjoint_gap(scipy.fft.rfft2, lambda v: naive_rfft2_adjoint(v, shape), x, g) > 0.01
    assert adjoint_gap(scipy.fft.rfft2, lambda v: rfft2_adjoint(v, shape), x, g) < 1e-12
    # At g = rfft2(x) the naive adjoint believes Parseval holds for the half spectrum: it returns H W x,
    # so its side of the test is H W |x|^2 = sum(weights |X|^2), the true side sum(|X|^2); the excess is
    # exactly the energy of the paired columns, counted a second time.
    X = scipy.fft.rfft2(x)
    excess = inner(x, naive_rfft2_adjoint(X, shape)) - inner(X, X)
    paired = hermitian_weights(shape[1]) == 2
    assert excess == pytest.approx(np.sum(np.abs(X[:, paired]) ** 2), rel=1e-10)
    assert excess > 0.1 * inner(X, X)


@pytest.mark.parametrize("shape", [(3, 1), (4, 2)])
def test_without_paired_columns_the_naive_adjoint_is_right(shape):
    # Widths 1 and 2 keep only unpaired columns (0, and W/2 for W = 2): every weight is 1.
    rng = np.random.default_rng(3)
    g = random_complex(rng, (shape[0], shape[1] // 2 + 1), np.float64)
    assert np.all(hermitian_weights(shape[1]) == 1)
    np.testing.assert_allclose(naive_rfft2_adjoint(g, shape), rfft2_adjoint(g, shape), atol=1e-12)


@pytest.mark.parametrize("width", range(1, 12))
def test_hermitian_weights_count_the_full_spectrum(width):
    weights = hermitian_weights(width)
    assert weights.shape == (width // 2 + 1,) and weights.sum() == width
    # A column l of the half spectrum is its own partner exactly when l = -l mod W.
    np.testing.assert_array_equal(weights == 1, [(2 * l) % width == 0 for l in range(width // 2 + 1)])


# -- the composed gradient -----------------------------------------------------------


@st.composite
def layers(draw):
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    fft_shape = h + draw(st.integers(0, 3)), w + draw(st.integers(0, 3))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x, k = rng.standard_normal((h, w)).astype(dtype), rng.standard_normal((kh, kw)).astype(dtype)
    g = rng.standard_normal((h - kh + 1, w - kw + 1)).astype(dtype)
    return x, k, g, fft_shape


@given(layers())
def test_the_composed_gradient_is_the_direct_layers(layer):
    x, k, g, fft_shape = layer
    tol = {np.float32: 1e-4, np.float64: 1e-11}[x.dtype.type]
    y = fft_correlate2d(x, k, fft_shape)
    assert y.dtype == x.dtype
    np.testing.assert_allclose(y, correlate(x.astype(float), k.astype(float), mode="valid"), atol=tol * 10)
    gx, gw = fft_correlate2d_vjp(x, k, g, fft_shape)
    assert gx.dtype == gw.dtype == x.dtype and gx.shape == x.shape and gw.shape == k.shape
    ref_x, ref_w = conv2d_backward(x[None, None], k[None, None], g[None, None], method="direct")
    scale = 1 + np.abs(ref_x).max() + np.abs(ref_w).max()
    np.testing.assert_allclose(gx, ref_x[0, 0], atol=tol * scale)
    np.testing.assert_allclose(gw, ref_w[0, 0], atol=tol * scale)


def central_differences(f, a, eps=1e-6):
    grad = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[idx] = eps
        grad[idx] = (f(a + step) - f(a - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("image, kernel, fft_shape", [((6, 7), (3, 2), (6, 7)), ((5, 8), (2, 3), (8, 9))])
def test_the_composed_gradient_is_the_finite_differences(image, kernel, fft_shape):
    rng = np.random.default_rng(4)
    x, k = rng.standard_normal(image), rng.standard_normal(kernel)
    u = rng.standard_normal((image[0] - kernel[0] + 1, image[1] - kernel[1] + 1))
    gx, gw = fft_correlate2d_vjp(x, k, u, fft_shape)
    fd_x = central_differences(lambda v: np.sum(fft_correlate2d(v, k, fft_shape) * u), x)
    fd_w = central_differences(lambda v: np.sum(fft_correlate2d(x, v, fft_shape) * u), k)
    np.testing.assert_allclose(gx, fd_x, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gw, fd_w, rtol=1e-6, atol=1e-7)


def test_a_chain_with_one_naive_adjoint_gets_the_gradient_wrong():
    # The weights of rfft2* and irfft2* cancel in the chain; replacing only one of them by its naive
    # version leaves a factor 2 on the paired columns, and the gradient is no longer the layer's.
    rng = np.random.default_rng(5)
    x, k, g = rng.standard_normal((6, 7)), rng.standard_normal((3, 3)), rng.standard_normal((4, 5))
    grad_z = irfft2_adjoint(crop_adjoint(g, (0, 0), x.shape))
    w_hat = scipy.fft.rfft2(pad_to(k, x.shape))
    gx_naive = naive_rfft2_adjoint(w_hat * grad_z, x.shape)
    ref_x, _ = conv2d_backward(x[None, None], k[None, None], g[None, None])
    np.testing.assert_allclose(rfft2_adjoint(w_hat * grad_z, x.shape), ref_x[0, 0], atol=1e-12)
    assert np.abs(gx_naive - ref_x[0, 0]).max() > 0.1 * np.abs(ref_x).max()


# -- bad input ------------------------------------------------------------------------

X = np.ones((4, 5))
G = np.ones((4, 3), dtype=complex)


@pytest.mark.parametrize(
    "call, error, name",
    [
        (lambda: inner(np.ones(3), np.ones(4)), ValueError, "a and b"),
        (lambda: inner("abc", np.ones(3)), TypeError, "a"),
        (lambda: pad_to(np.ones(3), (4, 4)), ValueError, "x"),
        (lambda: pad_to(X, (3, 5)), ValueError, "x.shape"),
        (lambda: pad_to(X, (4, 5.5)), TypeError, "shape"),
        (lambda: pad_to_adjoint(X, (5, 5)), ValueError, "input_shape"),
        (lambda: crop(X, (1, 1), (4, 4)), ValueError, "start \\+ shape"),
        (lambda: crop(X, (-1, 0), (2, 2)), ValueError, "start"),
        (lambda: crop(X, (0, 0), (0, 2)), ValueError, "shape"),
        (lambda: crop_adjoint(X, (1, 0), (4, 5)), ValueError, "start \\+ shape"),
        (lambda: crop_adjoint(np.ones(3), 0, (4, 5)), ValueError, "g"),
        (lambda: hermitian_weights(0), ValueError, "width"),
        (lambda: hermitian_weights(2.0), TypeError, "width"),
        (lambda: rfft2_adjoint(G, (4, 6)), ValueError, "g"),
        (lambda: rfft2_adjoint(G, (4,)), ValueError, "input_shape"),
        (lambda: rfft2_adjoint(np.array(["a"]), (4, 5)), TypeError, "g"),
        (lambda: irfft2_adjoint(G), TypeError, "g"),
        (lambda: irfft2_adjoint(np.ones(4)), ValueError, "g"),
        (lambda: fft_correlate2d(X, np.ones((5, 2))), ValueError, "w.shape"),
        (lambda: fft_correlate2d(X, np.ones((2, 2)), (3, 5)), ValueError, "x.shape"),
        (lambda: fft_correlate2d(X + 0j, np.ones((2, 2))), TypeError, "x"),
        (lambda: fft_correlate2d_vjp(X, np.ones((2, 2)), np.ones((3, 3))), ValueError, "grad_y"),
        (lambda: fft_correlate2d_vjp(X, np.ones((2, 2, 1)), np.ones((3, 4))), ValueError, "w"),
        (lambda: adjoint_gap(lambda v: v[:2], lambda v: v, np.ones(3), np.ones(2)), ValueError, "adjoint"),
        (lambda: adjoint_gap(lambda v: v, lambda v: v, np.ones(3), np.ones(2)), ValueError, "forward"),
    ],
)
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=f"^{name}"):
        call()
