"""The explicit matrices against scipy.linalg and numpy.fft."""

import numpy as np
import pytest
import scipy.linalg
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import convbook
from convbook import (
    bttb_matrix,
    circulant,
    convolution_matrix,
    convolve,
    correlate,
    dft2_matrix,
    dft_matrix,
    im2col,
)
from convbook.matrices import conv_singular_values


@given(
    st.integers(1, 9),
    st.integers(1, 12),
    st.sampled_from(["full", "same", "valid"]),
    st.sampled_from([np.float64, np.float32, np.int64, np.complex128]),
)
def test_convolution_matrix_matches_scipy(m, n, mode, dtype):
    h = (np.arange(1, m + 1) * (1 + 1j if dtype is np.complex128 else 1)).astype(dtype)
    ours, ref = convolution_matrix(h, n, mode), scipy.linalg.convolution_matrix(h, n, mode)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)
    v = np.random.default_rng(n).standard_normal(n)
    np.testing.assert_allclose(ours @ v, np.convolve(h, v, mode), atol=1e-9)


def test_convolution_matrix_multiplies_like_convolve():
    h, x = np.array([0.5, 1.0, 0.5]), np.array([1.0, 2.0, 0.0, -1.0])
    np.testing.assert_allclose(convolution_matrix(h, 4) @ x, convolve(x, h))


@pytest.mark.parametrize("shape", [(1,), (5,), (2, 4), (3, 2, 6)])
def test_circulant_matches_scipy_including_batches(shape):
    c = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_array_equal(circulant(c), scipy.linalg.circulant(c))


@pytest.mark.parametrize("n", [1, 2, 3, 8, 17, 64])
@pytest.mark.parametrize("scale", [None, "sqrtn", "n"])
def test_dft_matrix_matches_scipy(n, scale):
    np.testing.assert_allclose(dft_matrix(n, scale), scipy.linalg.dft(n, scale), atol=1e-12)
    x = np.random.default_rng(n).standard_normal(n)
    if scale is None:
        np.testing.assert_allclose(dft_matrix(n) @ x, np.fft.fft(x), atol=1e-10)


def test_dft_matrix_keeps_accuracy_for_large_n():
    n = 4096
    x = np.random.default_rng(0).standard_normal(n)
    assert np.abs(dft_matrix(n) @ x - np.fft.fft(x)).max() < 1e-9


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (1, 7), (2, 3, 4)])
def test_dft2_matrix_is_the_row_major_fftn(shape):
    x = np.random.default_rng(1).standard_normal(shape)
    np.testing.assert_allclose(dft2_matrix(shape) @ x.ravel(), np.fft.fftn(x).ravel(), atol=1e-10)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="h must be one-dimensional"):
        convolution_matrix(np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        convolution_matrix([1, 2], 0)
    with pytest.raises(TypeError, match="n must be a positive integer"):
        convolution_matrix([1, 2], 2.5)
    with pytest.raises(ValueError, match="mode must be one of"):
        convolution_matrix([1, 2], 3, mode="circular")
    with pytest.raises(ValueError, match="h must not be empty"):
        convolution_matrix([], 3)
    with pytest.raises(TypeError, match="c must hold numbers"):
        circulant(["a"])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        dft_matrix(-1)
    with pytest.raises(ValueError, match="scale must be"):
        dft_matrix(4, scale="unitary")
    with pytest.raises(ValueError, match=r"shape\[1\] must be a positive integer"):
        dft2_matrix((4, 0))


# -- the 2-D convolution matrix and the patch matrix (*Convolution as one matrix multiply*) -------------

DTYPES = [np.float32, np.float64, np.complex128]
TOL = {np.float32: 1e-4, np.float64: 1e-10, np.complex128: 1e-10}


def random_array(rng, shape, dtype):
    a = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 4),
    st.integers(0, 4),
    st.sampled_from(["full", "same", "valid"]),
    st.sampled_from(["correlate", "convolve"]),
    st.sampled_from(DTYPES),
)
def test_bttb_matrix_multiplies_like_scipy(kh, kw, extra_h, extra_w, mode, operation, dtype):
    rng = np.random.default_rng([kh, kw, extra_h, extra_w])
    kernel = random_array(rng, (kh, kw), dtype)
    x = random_array(rng, (kh + extra_h, kw + extra_w), dtype)
    T = bttb_matrix(kernel, x.shape, mode, operation)
    assert T.dtype == kernel.dtype
    ref = getattr(scipy.signal, operation)(x, kernel, mode=mode, method="direct")
    assert T.shape == (ref.size, x.size)
    np.testing.assert_allclose(T @ x.ravel(), ref.ravel(), rtol=TOL[dtype], atol=TOL[dtype])
    ours = getattr(convbook, operation)(x, kernel, mode)
    np.testing.assert_allclose(T @ x.ravel(), ours.ravel(), rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("operation", ["correlate", "convolve"])
def test_bttb_matrix_of_a_1d_kernel_is_the_toeplitz_matrix(mode, operation):
    rng = np.random.default_rng(3)
    h, x = rng.standard_normal(4), rng.standard_normal(9)
    T = bttb_matrix(h, 9, mode, operation)
    np.testing.assert_allclose(T @ x, getattr(scipy.signal, operation)(x, h, mode=mode), atol=1e-12)
    if operation == "convolve":
        np.testing.assert_array_equal(T, convolution_matrix(h, 9, mode))


def test_bttb_matrix_has_toeplitz_blocks_down_each_block_diagonal():
    w = np.arange(1.0, 10.0).reshape(3, 3)
    T = bttb_matrix(w, (5, 6), "full")
    blocks = T.reshape(7, 8, 5, 6).transpose(0, 2, 1, 3)  # blocks[p, q] is 8 x 6
    for p in range(1, 7):
        for q in range(1, 5):
            np.testing.assert_array_equal(blocks[p, q], blocks[p - 1, q - 1])
    for block in blocks.reshape(-1, 8, 6):
        np.testing.assert_array_equal(block[1:, 1:], block[:-1, :-1])


def test_bttb_matrix_of_the_book_example():
    w = np.arange(1, 10).reshape(3, 3)
    T = bttb_matrix(w, (4, 4))
    assert T.shape == (4, 16) and T.dtype == w.dtype
    np.testing.assert_array_equal(T[3], [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])
    np.testing.assert_array_equal((T != 0).sum(axis=1), [9, 9, 9, 9])


@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 5), st.integers(0, 5), st.sampled_from(DTYPES))
def test_im2col_times_the_kernel_is_the_valid_correlation(kh, kw, extra_h, extra_w, dtype):
    rng = np.random.default_rng([kh, kw, extra_h, extra_w, 1])
    kernel = random_array(rng, (kh, kw), dtype)
    x = random_array(rng, (kh + extra_h, kw + extra_w), dtype)
    cols = im2col(x, kernel.shape)
    assert cols.shape == ((extra_h + 1) * (extra_w + 1), kh * kw) and cols.dtype == x.dtype
    ref = scipy.signal.correlate(x, kernel, mode="valid", method="direct")
    np.testing.assert_allclose(cols @ kernel.conj().ravel(), ref.ravel(), rtol=TOL[dtype], atol=TOL[dtype])
    # Each row is a patch; the valid BTTB matrix picks the same pixels.
    T = bttb_matrix(kernel, x.shape)
    np.testing.assert_allclose(T @ x.ravel(), cols @ kernel.conj().ravel(), rtol=TOL[dtype], atol=TOL[dtype])


@given(st.integers(1, 8), st.integers(0, 8), st.sampled_from([np.float32, np.float64]))
def test_im2col_1d(k, extra, dtype):
    rng = np.random.default_rng([k, extra])
    h, x = rng.standard_normal(k).astype(dtype), rng.standard_normal(k + extra).astype(dtype)
    cols = im2col(x, k)
    np.testing.assert_allclose(cols @ h, np.correlate(x, h, "valid"), rtol=TOL[dtype], atol=TOL[dtype])


def test_im2col_copies_each_pixel_once_per_covering_kernel_entry():
    x = np.arange(36).reshape(6, 6)
    cols = im2col(x, (3, 3))
    counts = np.bincount(cols.ravel(), minlength=36).reshape(6, 6)
    np.testing.assert_array_equal(counts, correlate(np.ones((4, 4), int), np.ones((3, 3), int), "full"))
    assert not np.shares_memory(cols, x)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_bttb_and_im2col_reject_bad_input(mode):
    with pytest.raises(ValueError, match="kernel.shape must be no larger than image_shape"):
        bttb_matrix(np.ones((3, 5)), (4, 4), mode)
    with pytest.raises(ValueError, match="kernel.shape must be no larger than image_shape"):
        bttb_matrix(np.ones(5), 4, mode)
    with pytest.raises(ValueError, match="kernel.shape and image_shape must have the same length"):
        bttb_matrix(np.ones((2, 2)), (4, 4, 4), mode)
    with pytest.raises(ValueError, match="kernel must be 1-D or 2-D"):
        bttb_matrix(np.ones((2, 2, 2)), (4, 4, 4), mode)
    with pytest.raises(ValueError, match="kernel must be 1-D or 2-D"):
        bttb_matrix(3.0, (4, 4), mode)
    with pytest.raises(ValueError, match=r"image_shape\[0\] must be a positive integer"):
        bttb_matrix(np.ones((2, 2)), (0, 4), mode)
    with pytest.raises(ValueError, match="operation must be one of"):
        bttb_matrix(np.ones((2, 2)), (4, 4), mode, operation="conv")
    with pytest.raises(ValueError, match="mode must be one of"):
        bttb_matrix(np.ones((2, 2)), (4, 4), "circular")
    with pytest.raises(TypeError, match="kernel must hold numbers"):
        bttb_matrix([["a"]], (4, 4), mode)


def test_im2col_rejects_bad_input():
    with pytest.raises(ValueError, match="kernel_shape must be no larger than x.shape"):
        im2col(np.ones((4, 4)), (5, 3))
    with pytest.raises(ValueError, match="kernel_shape must have x.ndim=2 entries"):
        im2col(np.ones((4, 4)), 3)
    with pytest.raises(ValueError, match="x must be 1-D or 2-D"):
        im2col(np.ones((2, 4, 4)), (1, 3, 3))
    with pytest.raises(ValueError, match=r"kernel_shape\[1\] must be a positive integer"):
        im2col(np.ones((4, 4)), (3, -1))
    with pytest.raises(ValueError, match="x must not be empty"):
        im2col(np.ones((0, 4)), (1, 1))


def circular_layer_matrix(w, image_shape):
    """The circular correlation layer's matrix, column by column from rolled basis images."""
    c_out, c_in, k_h, k_w = w.shape
    h, width = image_shape
    columns = []
    for index in range(c_in * h * width):
        x = np.zeros(c_in * h * width)
        x[index] = 1
        x = x.reshape(c_in, h, width)
        y = np.zeros((c_out, h, width))
        for u in range(k_h):
            for v in range(k_w):
                y += np.einsum("oc,chw->ohw", w[:, :, u, v], np.roll(x, (-u, -v), axis=(1, 2)))
        columns.append(y.ravel())
    return np.stack(columns, axis=1)


@pytest.mark.parametrize(
    "w_shape, image_shape",
    [
        ((3, 2, 3, 3), (5, 6)),
        ((2, 4, 2, 5), (4, 4)),
        ((1, 1, 7, 7), (4, 5)),
        ((3, 3, 1, 1), (3, 3)),
        ((1, 3, 3, 3), (2, 7)),
    ],
)
def test_conv_singular_values_are_those_of_the_explicit_matrix(w_shape, image_shape):
    w = np.random.default_rng(sum(w_shape)).standard_normal(w_shape)
    expected = np.linalg.svd(circular_layer_matrix(w, image_shape), compute_uv=False)
    got = conv_singular_values(w, image_shape)
    count = min(w_shape[:2]) * image_shape[0] * image_shape[1]
    assert got.shape == (count,) and np.all(np.diff(got) <= 0)
    np.testing.assert_allclose(got, expected[:count], atol=1e-12)
    np.testing.assert_allclose(expected[count:], 0, atol=1e-12)  # the rest of a wide or tall matrix


def test_the_largest_singular_value_is_the_operator_norm():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((4, 3, 3, 3))
    top = conv_singular_values(w, (6, 6))[0]
    matrix = circular_layer_matrix(w, (6, 6))
    x = rng.standard_normal((200, matrix.shape[1]))
    assert np.all(np.linalg.norm(x @ matrix.T, axis=1) <= top * np.linalg.norm(x, axis=1) * (1 + 1e-12))
    np.testing.assert_allclose(np.linalg.norm(matrix, 2), top, rtol=1e-12)
    np.testing.assert_allclose(conv_singular_values(w / top, (6, 6))[0], 1.0)  # clipping the norm to 1


@pytest.mark.parametrize(
    "w, image_shape, match",
    [
        (np.zeros((2, 3, 3)), (4, 4), "w"),
        (np.zeros((1, 1, 3, 3)) + 1j, (4, 4), "w"),
        (np.zeros((1, 1, 3, 3)), (4,), "image_shape"),
        (np.zeros((1, 1, 3, 3)), (4, 0), "image_shape"),
        ("abc", (4, 4), "w"),
    ],
)
def test_conv_singular_values_bad_input(w, image_shape, match):
    with pytest.raises((TypeError, ValueError), match=match):
        conv_singular_values(w, image_shape)
