"""Data the book computes on, loaded without a download.

:func:`grace_hopper` reads the photograph that matplotlib ships in its
sample data. matplotlib is imported inside the function, so that
``import convbook`` needs only numpy and scipy. Used from Chapter
*Convolution in 2-D* (book/02_convolution_2d.ipynb) on.
"""

import numpy as np

from ._validation import positive_int

__all__ = ["grace_hopper", "LUMINANCE_WEIGHTS"]

#: Weights of red, green and blue in the grayscale image: the luma of
#: ITU-R BT.601, ``0.299 R + 0.587 G + 0.114 B``, which sum to 1.
LUMINANCE_WEIGHTS = (0.299, 0.587, 0.114)


def grace_hopper(size=None):
    """The portrait of Grace Hopper from matplotlib's sample data, in grayscale.

    The 600 x 512 RGB photograph is turned into luminance with
    :data:`LUMINANCE_WEIGHTS` and scaled to [0, 1]. With ``size`` it is
    shrunk by averaging ``f x f`` blocks of pixels, ``f`` the integer
    nearest to ``600 / size`` (at least 1, at most 512), so that the longer side is about
    ``size``; rows and columns that do not fill a whole block are dropped.
    Used in Chapter *Convolution in 2-D* (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    size : int, optional
        Approximate length of the longer side, a positive integer. ``None``
        (default) keeps the full resolution, as does any ``size`` of 600 or
        more: the image is never enlarged.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(rows, columns)`` with values in [0, 1].

    Examples
    --------
    >>> from convbook import grace_hopper
    >>> grace_hopper().shape, grace_hopper(size=120).shape
    ((600, 512), (120, 102))
    """
    if size is not None:
        size = positive_int(size, "size")
    import matplotlib.cbook
    import matplotlib.image

    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = matplotlib.image.imread(f, format="jpg")
    gray = (rgb[..., :3].astype(np.float64) / 255.0) @ np.array(LUMINANCE_WEIGHTS)
    if size is None:
        return gray
    # At least 1, and no larger than the shorter side, which would leave no pixels.
    f = min(max(1, round(max(gray.shape) / size)), min(gray.shape))
    rows, cols = gray.shape[0] // f, gray.shape[1] // f
    return gray[: rows * f, : cols * f].reshape(rows, f, cols, f).mean(axis=(1, 3))
