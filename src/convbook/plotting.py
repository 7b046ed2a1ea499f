"""The book's figure style and the plots several chapters share.

Imports matplotlib, so it is not imported by ``import convbook``; chapters
use ``from convbook import plotting``. Every chapter calls
:func:`use_book_style` once, so that all figures share fonts, sizes and
colours.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["use_book_style", "show_matrix", "COLORS"]

#: Colours with fixed meanings across the book: input, kernel, output, and
#: a fourth for whatever a figure contrasts them with.
COLORS = {"input": "#1f77b4", "kernel": "#d62728", "output": "#2ca02c", "other": "#9467bd"}


def use_book_style():
    """Set the matplotlib defaults all the book's figures share.

    Examples
    --------
    >>> from convbook import plotting
    >>> plotting.use_book_style()
    """
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.2),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "figure.constrained_layout.use": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "xtick.labelsize": 9,
            "ytick.labelsize": 9,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )


def show_matrix(ax, matrix, title=None, cmap="RdBu_r", symmetric=True, annotate=False, fmt="{:.2g}"):
    """Draw a matrix as an image, rows down and columns across.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    matrix : array_like
        2-D real array (take ``.real``, ``.imag`` or ``abs`` of complex ones first).
    title : str, optional
        Axes title.
    cmap : str
        Colour map; the default diverging map shows zero as white.
    symmetric : bool
        Centre the colour scale on zero, so zero entries are white and the
        band of a Toeplitz matrix stands out.
    annotate : bool
        Write each entry's value in its cell (for small matrices).
    fmt : str
        Format of the annotations.

    Returns
    -------
    matplotlib.image.AxesImage

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import convolution_matrix, plotting
    >>> fig, ax = plt.subplots()
    >>> image = plotting.show_matrix(ax, convolution_matrix([1, 2, 1], 6), annotate=True)
    >>> plt.close(fig)
    """
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-D, got shape {m.shape}")
    limit = float(np.abs(m).max()) or 1.0
    kwargs = {"vmin": -limit, "vmax": limit} if symmetric else {}
    image = ax.imshow(m, cmap=cmap, interpolation="nearest", **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    if annotate:
        for (i, j), value in np.ndenumerate(m):
            if value != 0:
                ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=8)
    return image
