"""The book's figure style and the plots several chapters share.

Imports matplotlib, so it is not imported by ``import convbook``; chapters
use ``from convbook import plotting``. Every chapter calls
:func:`use_book_style` once, so that all figures share fonts, sizes and
colours, and so that every figure is checked for text too small to read.

The check: the book shows a figure at its natural size, or scaled down to
the text column (:data:`COLUMN_PX`, about 700 CSS px at a 1280 px desktop
window) if it is wider. A text of ``s`` points in a figure ``w`` inches wide
drawn at ``dpi`` therefore renders at ``s * dpi / 72 * min(1, COLUMN_PX /
(w * dpi))`` CSS px (its font size, the em height). :func:`use_book_style`
registers :func:`install_text_check` as a matplotlib figure hook, so every
figure made with pyplot raises :class:`FigureTextTooSmall`, naming the text,
when it is drawn with a visible text below :data:`MIN_TEXT_PX`. On a phone
(a column of about 360 px) a figure scales down by about half again, so the
style's own sizes sit well above the limit (its smallest, the tick labels,
render at about 14 px at the desktop column in a figure of the default width).
The width used is the whole figure's, so the check errs on the strict side
when a notebook crops the figure's margins.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

from ._validation import check_choice, positive_real

__all__ = [
    "use_book_style",
    "show_matrix",
    "COLORS",
    "COLUMN_PX",
    "MIN_TEXT_PX",
    "FigureTextTooSmall",
    "rendered_text_px",
    "text_sizes",
    "check_text_sizes",
    "install_text_check",
    "label_log_ticks",
]

#: Colours with fixed meanings across the book: input, kernel, output, and
#: a fourth for whatever a figure contrasts them with.
COLORS = {"input": "#1f77b4", "kernel": "#d62728", "output": "#2ca02c", "other": "#9467bd"}


#: Width in CSS px of the book's text column at a desktop window (1280 px); a
#: figure wider than this is shown scaled down to it.
COLUMN_PX = 700

#: The smallest font size, in CSS px at the desktop column, that a figure's
#: text may render at (a phone shows it at about half of that again).
MIN_TEXT_PX = 10

_HOOK = "convbook.plotting:install_text_check"


class FigureTextTooSmall(ValueError):
    """A figure holds text that would render below :data:`MIN_TEXT_PX` in the book."""


def use_book_style():
    """Set the matplotlib defaults all the book's figures share, and check their text.

    Also registers :func:`install_text_check` in ``rcParams["figure.hooks"]``,
    so that every figure made with pyplot from now on raises
    :class:`FigureTextTooSmall` when it is drawn with text smaller than
    :data:`MIN_TEXT_PX` at the book's column width.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import plotting
    >>> plotting.use_book_style()
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("readable", fontsize=4)
    >>> fig.canvas.draw()
    Traceback (most recent call last):
    ...
    convbook.plotting.FigureTextTooSmall: ...'readable'...
    >>> plt.close(fig)
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
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
            "legend.frameon": False,
            "image.cmap": "viridis",
        }
    )
    hooks = list(plt.rcParams["figure.hooks"])
    if _HOOK not in hooks:
        plt.rcParams["figure.hooks"] = [*hooks, _HOOK]


def rendered_text_px(text, figure=None):
    """The CSS px a text's font renders at in the book (the desktop text column).

    Parameters
    ----------
    text : matplotlib.text.Text
    figure : matplotlib.figure.Figure, optional
        The figure it is drawn in; by default ``text.get_figure(root=True)``.

    Returns
    -------
    float

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import plotting
    >>> fig = plt.figure(figsize=(14, 3), dpi=100)  # 1400 px, shown at 700
    >>> round(plotting.rendered_text_px(fig.text(0, 0, "a", fontsize=72)), 1)
    50.0
    >>> plt.close(fig)
    """
    fig = figure if figure is not None else text.get_figure(root=True)
    width = fig.get_figwidth() * fig.dpi
    return float(text.get_fontsize() * fig.dpi / 72 * min(1.0, COLUMN_PX / width))


def _drawn_texts(artist):
    # The visible, non-empty texts under `artist`, skipping the tick labels an
    # axis keeps but does not draw (ticks outside its view limits).
    if not artist.get_visible():
        return
    if isinstance(artist, Axis):
        children = [artist.label, artist.offsetText, *artist._update_ticks()]
    else:
        if isinstance(artist, Text) and artist.get_text().strip():
            yield artist
        children = artist.get_children()
        if isinstance(artist, Axes) and not artist.axison:  # ax.set_axis_off()
            children = [c for c in children if not isinstance(c, Axis)]
    for child in children:
        yield from _drawn_texts(child)


def text_sizes(fig):
    """Every visible text of a figure with the CSS px it renders at, smallest first.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of (str, float)

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import plotting
    >>> fig = plt.figure(figsize=(5, 2), dpi=100)  # 500 px, shown at its size
    >>> _ = fig.suptitle("title", fontsize=18)
    >>> [(s, round(px, 1)) for s, px in plotting.text_sizes(fig)]
    [('title', 25.0)]
    >>> plt.close(fig)
    """
    return sorted(((t.get_text(), rendered_text_px(t, fig)) for t in _drawn_texts(fig)), key=lambda p: p[1])


def check_text_sizes(fig, min_px=MIN_TEXT_PX):
    """Raise :class:`FigureTextTooSmall` if any visible text renders below ``min_px``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    min_px : float
        The smallest font size allowed, in CSS px at the book's text column.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import plotting
    >>> fig, ax = plt.subplots(figsize=(7, 3))
    >>> _ = ax.set_xlabel("time", fontsize=4)
    >>> plotting.check_text_sizes(fig)
    Traceback (most recent call last):
    ...
    convbook.plotting.FigureTextTooSmall: ...'time' at 5.6 px...
    >>> plt.close(fig)
    """
    min_px = positive_real(min_px, "min_px")
    small = [(s, px) for s, px in text_sizes(fig) if px < min_px - 1e-9]
    if small:
        width = fig.get_figwidth() * fig.dpi
        names = ", ".join(f"{s[:40]!r} at {px:.1f} px" for s, px in small[:8])
        more = f" and {len(small) - 8} more" if len(small) > 8 else ""
        raise FigureTextTooSmall(
            f"figure text would render below {min_px} px in the book: {names}{more}"
            f" (figure {width:.0f} px wide, shown at most {COLUMN_PX} px wide;"
            " use larger fonts or a narrower figure)"
        )


def _check_on_draw(event):
    check_text_sizes(event.canvas.figure)


def install_text_check(fig):
    """Make ``fig`` check its text sizes each time it is drawn (a matplotlib figure hook).

    :func:`use_book_style` registers it in ``rcParams["figure.hooks"]``; call it
    directly for a figure made without pyplot.

    Examples
    --------
    >>> from matplotlib.backends.backend_agg import FigureCanvasAgg
    >>> from matplotlib.figure import Figure
    >>> from convbook import plotting
    >>> fig = Figure(figsize=(7, 3))
    >>> canvas = FigureCanvasAgg(fig)
    >>> plotting.install_text_check(fig)
    >>> _ = fig.text(0.5, 0.5, "tiny", fontsize=3)
    >>> fig.canvas.draw()
    Traceback (most recent call last):
    ...
    convbook.plotting.FigureTextTooSmall: ...'tiny'...
    """
    if not getattr(fig, "_convbook_text_check", False):
        fig.canvas.mpl_connect("draw_event", _check_on_draw)
        fig._convbook_text_check = True


def label_log_ticks(ax, values, axis="x"):
    """Label a log axis at exactly ``values`` in plain numbers, with no minor labels.

    A log axis spanning about a decade labels its minor ticks too, and the
    labels collide; a few measured sizes (kernel sizes 3, 9, 33, ...) read
    better as the ticks themselves.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : sequence of numbers
        Where to put the ticks.
    axis : {"x", "y"}

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import plotting
    >>> fig, ax = plt.subplots()
    >>> _ = ax.loglog([3, 9, 33], [1, 2, 3])
    >>> plotting.label_log_ticks(ax, [3, 9, 33])
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['3', '9', '33']
    >>> plt.close(fig)
    """
    check_choice(axis, "axis", ("x", "y"))
    which = ax.xaxis if axis == "x" else ax.yaxis
    values = sorted(set(values))
    which.set_major_locator(FixedLocator(values))
    which.set_major_formatter(lambda v, _: f"{v:g}")
    which.set_minor_locator(NullLocator())
    which.set_minor_formatter(NullFormatter())


def show_matrix(
    ax, matrix, title=None, cmap="RdBu_r", symmetric=True, annotate=False, fmt="{:.2g}", annotate_size=10
):
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
    annotate_size : float
        Their font size in points.

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
                ax.text(j, i, fmt.format(value), ha="center", va="center", fontsize=annotate_size)
    return image
