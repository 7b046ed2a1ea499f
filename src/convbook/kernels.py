"""Named filters: the kernels the book convolves with, as float64 arrays.

One-dimensional kernels (:func:`moving_average`, :func:`gaussian`,
:func:`difference`) are taught in Chapter *Convolution in 1-D*
(book/01_convolution_1d.ipynb); the two-dimensional ones (:func:`box`,
:func:`gaussian_2d`, :func:`sobel`, :func:`laplacian`) in Chapter
*Convolution in 2-D* (book/02_convolution_2d.ipynb), where they blur and
find the edges of a photograph.

Blurring kernels are normalised to sum 1, so that they average and leave a
constant signal unchanged; derivative kernels sum to 0, so that they map a
constant signal to zero.
"""

import numpy as np

from ._validation import check_choice, positive_int, positive_odd_int, positive_real

__all__ = ["moving_average", "gaussian", "difference", "box", "gaussian_2d", "sobel", "laplacian"]


def moving_average(n):
    """The length-``n`` moving average, ``n`` equal taps summing to 1.

    Taught in Chapter *Convolution in 1-D* (book/01_convolution_1d.ipynb).

    Parameters
    ----------
    n : int
        Number of taps, a positive integer.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n,)`` filled with ``1 / n``.

    Examples
    --------
    >>> from convbook import moving_average
    >>> moving_average(4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    n = positive_int(n, "n")
    return np.full(n, 1.0 / n)


def gaussian(n, sigma=None):
    """A sampled Gaussian of ``n`` taps, centred and normalised to sum 1.

    ``g[k]`` is proportional to ``exp(-(k - c)**2 / (2 sigma**2))`` with
    ``c = (n - 1) / 2`` the centre tap. Taught in Chapter *Convolution in
    1-D* (book/01_convolution_1d.ipynb).

    Parameters
    ----------
    n : int
        Number of taps, a positive odd integer, so that the kernel has a
        centre tap and ``mode="same"`` does not shift the signal.
    sigma : float, optional
        Standard deviation in taps, positive. The default ``n / 6`` puts the
        ends of the window three standard deviations from the centre.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(n,)``, symmetric, summing to 1.

    Examples
    --------
    >>> from convbook import gaussian
    >>> gaussian(5, sigma=1.0).round(4)
    array([0.0545, 0.2442, 0.4026, 0.2442, 0.0545])
    """
    n = positive_odd_int(n, "n")
    sigma = n / 6 if sigma is None else positive_real(sigma, "sigma")
    k = np.arange(n) - (n - 1) / 2
    g = np.exp(-0.5 * (k / sigma) ** 2)
    return g / g.sum()


def difference():
    """The first difference ``[1, -1]``: ``convolve(x, difference())[n] = x[n] - x[n-1]``.

    Taught in Chapter *Convolution in 1-D* (book/01_convolution_1d.ipynb).

    Returns
    -------
    numpy.ndarray
        ``array([1., -1.])``.

    Examples
    --------
    >>> from convbook import convolve, difference
    >>> convolve([1.0, 4.0, 9.0, 16.0], difference(), mode="valid")
    array([3., 5., 7.])
    """
    return np.array([1.0, -1.0])


def box(k):
    """The ``k x k`` box blur, ``k**2`` equal weights summing to 1.

    Taught in Chapter *Convolution in 2-D* (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    k : int
        Side length, a positive integer.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(k, k)`` filled with ``1 / k**2``.

    Examples
    --------
    >>> from convbook import box
    >>> box(2)
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    k = positive_int(k, "k")
    return np.full((k, k), 1.0 / k**2)


def gaussian_2d(k, sigma=None):
    """The ``k x k`` Gaussian blur, the outer product of two 1-D Gaussians.

    Separable: ``gaussian_2d(k, s) == numpy.outer(gaussian(k, s), gaussian(k, s))``,
    so it sums to 1. Taught in Chapter *Convolution in 2-D*
    (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    k : int
        Side length, a positive odd integer.
    sigma : float, optional
        Standard deviation in pixels, positive; default ``k / 6``.

    Returns
    -------
    numpy.ndarray
        Array of shape ``(k, k)``, symmetric, summing to 1.

    Examples
    --------
    >>> from convbook import gaussian_2d
    >>> gaussian_2d(3, sigma=1.0).round(3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    """
    k = positive_odd_int(k, "k")
    g = gaussian(k, sigma)
    return np.outer(g, g)


def sobel(axis="x"):
    """The 3 x 3 Sobel derivative kernel along ``axis``, as usually printed.

    ``sobel("x")`` is ``[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]``: a central
    difference across the columns, smoothed by ``[1, 2, 1]`` down the rows;
    ``sobel("y")`` is its transpose. Printed this way, a kernel is meant for
    *cross-correlation* (what CNN libraries compute): ``correlate(image,
    sobel("x"))`` is positive where the image brightens to the right and
    ``correlate(image, sobel("y"))`` where it brightens downwards, as
    :func:`scipy.ndimage.sobel` along axis 1 and 0. Convolution flips the
    kernel and so the sign. Taught in Chapter *Convolution in 2-D*
    (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    axis : {"x", "y"}
        ``"x"`` differentiates along columns (axis 1), ``"y"`` along rows
        (axis 0).

    Returns
    -------
    numpy.ndarray
        Array of shape ``(3, 3)`` summing to 0.

    Examples
    --------
    >>> from convbook import sobel
    >>> sobel("y")
    array([[-1., -2., -1.],
           [ 0.,  0.,  0.],
           [ 1.,  2.,  1.]])
    """
    check_choice(axis, "axis", ("x", "y"))
    kx = np.outer([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])
    return kx if axis == "x" else kx.T.copy()


def laplacian():
    """The 5-point discrete Laplacian ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``.

    The sum of the second differences along rows and columns; symmetric, so
    convolution and cross-correlation agree. It sums to 0 and responds to
    edges in every direction. Taught in Chapter *Convolution in 2-D*
    (book/02_convolution_2d.ipynb).

    Returns
    -------
    numpy.ndarray
        Array of shape ``(3, 3)``.

    Examples
    --------
    >>> from convbook import laplacian
    >>> laplacian()
    array([[ 0.,  1.,  0.],
           [ 1., -4.,  1.],
           [ 0.,  1.,  0.]])
    """
    return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
