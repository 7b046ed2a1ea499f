"""Interactive explorers: convolution in space and in frequency, side by side.

:class:`SpaceFrequencyExplorer` is an ``anywidget`` whose logic runs in
JavaScript (``explorer.js``), so it works in the static HTML book without a
kernel; in a live kernel it also sends what it computed back to Python,
where :meth:`SpaceFrequencyExplorer.check` compares it with
:func:`convbook.convolve`. It belongs to Chapter *Convolution in 1-D*
(book/01_convolution_1d.ipynb), where it illustrates the convolution
theorem, and to Chapter *Circulant matrices and the convolution rule*
(book/03_circulant.ipynb), where it shows the wrap-around of cyclic convolution.

:func:`image_filter_figure` and :func:`image_filter_explorer` are the 2-D
companion of Chapter *Convolution in 2-D* (book/02_convolution_2d.ipynb):
a photograph filtered in space, and its spectrum multiplied in frequency.

:class:`FootprintExplorer`, also an ``anywidget`` computed in JavaScript
(``footprint.js``), belongs to Chapter *The symbolic gradient comparison*
(book/07_symbolic_gradients.ipynb): the footprint of a derivative of the
FFT route collapsing onto the spatial one as frequency terms are added.

:class:`GraphFilterExplorer`, computed in JavaScript too (``graphfilter.js``),
belongs to Chapter *Convolution on graphs* (book/12_graphs.ipynb): an
impulse on a node of the karate club, filtered by the heat kernel, by a
polynomial of the Laplacian or by GCN layers, and the K-hop ball that the
local filters stay in; :func:`graph_filter_output` is its reference, by
:mod:`convbook.graphs`.

This module imports matplotlib, anywidget and ipywidgets, so it is not
imported by ``import convbook``; chapters use ``from convbook import widgets``.
"""

import io
import math
import pathlib

import anywidget
import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
import scipy.fft
import scipy.sparse
import scipy.sparse.csgraph
import traitlets

from . import graphs, kernels, plotting, symbolic
from ._validation import (
    as_numeric_array,
    check_choice,
    check_fits,
    check_ndim,
    index_pair,
    nonnegative_int,
    pair_of_positive_ints,
    positive_int,
    real_array,
    real_number,
)
from .convolution import circular_convolve, convolve

__all__ = [
    "SIGNAL_LENGTH",
    "PRESETS",
    "FILTERS",
    "IMAGE_KERNELS",
    "SpaceFrequencyExplorer",
    "preset_signal",
    "filter_taps",
    "explorer_output",
    "explorer_spectra",
    "explorer_figure",
    "image_filter_figure",
    "image_filter_explorer",
    "ImageFilterExplorer",
    "FootprintExplorer",
    "GRAPH_FILTERS",
    "graph_layout",
    "graph_hops",
    "graph_filter_output",
    "GraphFilterExplorer",
]

_HERE = pathlib.Path(__file__).parent

#: Number of samples of the explorer's signal.
SIGNAL_LENGTH = 64
#: The signals the reader can start from.
PRESETS = ("impulse", "step", "pulse", "noise", "sines")
#: The filters the reader can pick, with the widths each one offers;
#: "custom" takes taps typed by the reader.
FILTERS = {
    "moving_average": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    "gaussian": (3, 5, 7, 9, 11, 13, 15),
    "difference": (2,),
}
MODES = ("linear", "cyclic")
#: Kernels of the 2-D companion.
IMAGE_KERNELS = ("gaussian", "box", "sobel_x", "sobel_y", "laplacian")


def preset_signal(name, n=SIGNAL_LENGTH):
    """One of the explorer's preset signals, of ``n`` samples.

    Used in Chapter *Convolution in 1-D* (book/01_convolution_1d.ipynb).

    Parameters
    ----------
    name : {"impulse", "step", "pulse", "noise", "sines"}
        ``"impulse"``: a single 1 at ``n // 4``. ``"step"``: 0, then 1 from
        the middle on. ``"pulse"``: 1 on the middle quarter of the samples.
        ``"noise"``: Gaussian white noise of standard deviation 0.5 (seeded,
        so always the same). ``"sines"``: a slow sine (3 periods) plus a
        faster, weaker one (20 periods), which a low-pass filter removes.
    n : int
        Number of samples, at least 8.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(n,)``.

    Examples
    --------
    >>> from convbook import widgets
    >>> widgets.preset_signal("pulse", 8)
    array([0., 0., 0., 1., 1., 0., 0., 0.])
    """
    check_choice(name, "name", PRESETS)
    n = positive_int(n, "n")
    if n < 8:
        raise ValueError(f"n must be at least 8 samples, got {n}")
    t = np.arange(n)
    if name == "impulse":
        return (t == n // 4).astype(float)
    if name == "step":
        return (t >= n // 2).astype(float)
    if name == "pulse":
        return ((t >= 3 * n // 8) & (t < 5 * n // 8)).astype(float)
    if name == "noise":
        return 0.5 * np.random.default_rng(0).standard_normal(n)
    return np.sin(2 * np.pi * 3 * t / n) + 0.5 * np.sin(2 * np.pi * 20 * t / n)


def filter_taps(name, width):
    """The taps of one of the explorer's filters, from :mod:`convbook.kernels`.

    Used in Chapter *Convolution in 1-D* (book/01_convolution_1d.ipynb).

    Parameters
    ----------
    name : {"moving_average", "gaussian", "difference"}
        Which filter.
    width : int
        Number of taps, one of ``FILTERS[name]``.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(width,)``.

    Examples
    --------
    >>> from convbook import widgets
    >>> widgets.filter_taps("moving_average", 4)
    array([0.25, 0.25, 0.25, 0.25])
    """
    check_choice(name, "name", tuple(FILTERS))
    if width not in FILTERS[name]:
        raise ValueError(f"width must be one of {FILTERS[name]} for the {name} filter, got {width!r}")
    if name == "moving_average":
        return kernels.moving_average(width)
    if name == "gaussian":
        return kernels.gaussian(width)
    return kernels.difference()


def _check_state(signal, taps, mode, length):
    x = as_numeric_array(signal, "signal").astype(float)
    h = as_numeric_array(taps, "taps").astype(float)
    check_ndim(x, "signal", 1)
    check_ndim(h, "taps", 1)
    check_choice(mode, "mode", MODES)
    length = positive_int(length, "length")
    if mode == "cyclic" and length < max(x.size, h.size):
        raise ValueError(
            f"length must be at least max(len(signal), len(taps)) = {max(x.size, h.size)} "
            f"for a cyclic convolution, got {length}"
        )
    return x, h, length


def explorer_output(signal, taps, mode="linear", length=SIGNAL_LENGTH):
    """What the explorer computes, by :func:`convbook.convolve`: the reference for its JavaScript.

    Parameters
    ----------
    signal, taps : array_like
        1-D signal ``x`` (``n`` samples) and filter ``h`` (``r`` taps).
    mode : {"linear", "cyclic"}
        ``"linear"``: the full convolution, ``n + r - 1`` samples.
        ``"cyclic"``: both zero-padded to ``length`` samples and convolved
        cyclically, which is what multiplying their length-``length`` DFTs
        computes; it equals the linear result, padded with zeros, when
        ``length >= n + r - 1``, and folds its tail onto its head
        (aliasing) when ``length`` is shorter.
    length : int
        The padded length of the cyclic mode, at least ``max(n, r)``;
        ignored in the linear mode.

    Returns
    -------
    numpy.ndarray
        The output ``y``.

    Examples
    --------
    >>> from convbook import widgets
    >>> widgets.explorer_output([1.0, 2.0, 3.0], [1.0, 1.0])
    array([1., 3., 5., 3.])
    >>> widgets.explorer_output([1.0, 2.0, 3.0], [1.0, 1.0], mode="cyclic", length=3)
    array([4., 3., 5.])
    """
    x, h, length = _check_state(signal, taps, mode, length)
    if mode == "linear":
        return convolve(x, h)
    return circular_convolve(np.pad(x, (0, length - x.size)), h)


def explorer_spectra(signal, taps, mode="linear", length=SIGNAL_LENGTH):
    """The magnitudes ``|F x|``, ``|F h|`` and ``|F y|`` the explorer draws.

    The DFT length is ``n + r - 1`` in the linear mode (the shortest padding
    without aliasing) and ``length`` in the cyclic mode; ``|F y|`` is the
    DFT of :func:`explorer_output`, and equals ``|F x| * |F h|``, frequency
    by frequency, in both modes. Only the frequencies ``0 .. L // 2`` are
    returned: for a real signal the others mirror them.

    Parameters
    ----------
    signal, taps, mode, length
        As in :func:`explorer_output`.

    Returns
    -------
    tuple of numpy.ndarray
        ``(|F x|, |F h|, |F y|)``, each of shape ``(L // 2 + 1,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import widgets
    >>> fx, fh, fy = widgets.explorer_spectra([1.0, 2.0, 3.0], [1.0, 1.0])
    >>> bool(np.allclose(fy, fx * fh))
    True
    """
    x, h, length = _check_state(signal, taps, mode, length)
    size = x.size + h.size - 1 if mode == "linear" else length
    y = explorer_output(x, h, mode, length)
    return tuple(np.abs(scipy.fft.rfft(a, size)) for a in (x, h, y))


class SpaceFrequencyExplorer(anywidget.AnyWidget):
    """Edit a signal, pick a filter, and see the convolution in space and in frequency.

    The reader draws on the signal with the mouse or picks a preset, picks a
    filter and switches between linear and cyclic convolution. The widget
    shows the signal, the filter and their convolution computed by sliding,
    and the magnitudes of their DFTs, where ``|F y|`` is ``|F x| * |F h|``
    frequency by frequency. All of this is computed in JavaScript, so it
    runs in the static book; in a live kernel the JavaScript writes its
    output to :attr:`output`, which :meth:`check` compares with
    :func:`convbook.convolve`. Used in Chapter *Convolution in 1-D*
    (book/01_convolution_1d.ipynb) and Chapter *Circulant matrices and the
    convolution rule* (book/03_circulant.ipynb).

    Parameters
    ----------
    preset : str
        Starting signal, one of :data:`PRESETS`.
    filter : str
        ``"moving_average"``, ``"gaussian"``, ``"difference"`` or ``"custom"``.
    width : int
        Number of taps of the filter, one of ``FILTERS[filter]`` (ignored
        for ``"custom"``).
    mode : {"linear", "cyclic"}
        Linear convolution, or cyclic convolution of the signal and filter
        zero-padded to ``length`` samples.
    length : int
        Padded length in the cyclic mode, from ``SIGNAL_LENGTH`` to
        ``SIGNAL_LENGTH + 32``.
    taps : sequence of float, optional
        The filter for ``filter="custom"``.

    Examples
    --------
    >>> from convbook import widgets
    >>> w = widgets.SpaceFrequencyExplorer(preset="impulse", filter="gaussian", width=5)
    >>> w.taps == list(widgets.filter_taps("gaussian", 5))
    True
    >>> w.output  # filled in by the JavaScript once a browser shows the widget
    []
    """

    _esm = _HERE / "explorer.js"
    _css = _HERE / "explorer.css"

    signal = traitlets.List(traitlets.Float()).tag(sync=True)
    preset = traitlets.Unicode("sines").tag(sync=True)
    filter = traitlets.Unicode("moving_average").tag(sync=True)
    width = traitlets.Int(7).tag(sync=True)
    taps = traitlets.List(traitlets.Float()).tag(sync=True)
    mode = traitlets.Unicode("linear").tag(sync=True)
    length = traitlets.Int(SIGNAL_LENGTH).tag(sync=True)
    #: The presets and the filter bank, so that the JavaScript offers exactly
    #: the signals of :func:`preset_signal` and the taps of :mod:`convbook.kernels`.
    presets = traitlets.Dict().tag(sync=True)
    filters = traitlets.Dict().tag(sync=True)
    #: Written by the JavaScript: the output it computed by sliding the filter.
    output = traitlets.List(traitlets.Float()).tag(sync=True)

    def __init__(
        self, preset="sines", filter="moving_average", width=7, mode="linear", length=SIGNAL_LENGTH, taps=None
    ):
        check_choice(preset, "preset", PRESETS)
        check_choice(filter, "filter", (*FILTERS, "custom"))
        check_choice(mode, "mode", MODES)
        length = positive_int(length, "length")
        if not SIGNAL_LENGTH <= length <= SIGNAL_LENGTH + 32:
            raise ValueError(f"length must be from {SIGNAL_LENGTH} to {SIGNAL_LENGTH + 32}, got {length}")
        if filter == "custom":
            if taps is None:
                raise ValueError("taps must be given for filter='custom'")
            h = as_numeric_array(taps, "taps").astype(float)
            if h.ndim != 1 or not 1 <= h.size <= 32:
                raise ValueError(f"taps must be a 1-D sequence of 1 to 32 numbers, got shape {h.shape}")
        else:
            h = filter_taps(filter, width)
        super().__init__(
            signal=preset_signal(preset).tolist(),
            preset=preset,
            filter=filter,
            width=int(h.size),
            taps=h.tolist(),
            mode=mode,
            length=length,
            presets={name: preset_signal(name).tolist() for name in PRESETS},
            filters={
                name: {str(w): filter_taps(name, w).tolist() for w in widths}
                for name, widths in FILTERS.items()
            },
        )

    # The JavaScript keeps signal and taps in step with preset, filter and
    # width; these do the same when Python changes them in a live kernel.
    @traitlets.observe("preset")
    def _preset_changed(self, change):
        if change["new"] in PRESETS:
            self.signal = preset_signal(change["new"]).tolist()

    @traitlets.observe("filter", "width")
    def _filter_changed(self, change):
        if self.filter in FILTERS and self.width in FILTERS[self.filter]:
            self.taps = filter_taps(self.filter, self.width).tolist()

    def __repr__(self):
        return (
            f"SpaceFrequencyExplorer(preset={self.preset!r}, filter={self.filter!r}, "
            f"taps={len(self.taps)}, mode={self.mode!r}, length={self.length})"
        )

    def expected_output(self):
        """:func:`explorer_output` for the widget's current state: what the JavaScript must compute."""
        return explorer_output(self.signal, self.taps, self.mode, self.length)

    def check(self, rtol=1e-9, atol=1e-9):
        """Check the widget's state against :mod:`convbook`, and its JavaScript output if there is one.

        Computes the output with :func:`convbook.convolve` (or
        :func:`convbook.circular_convolve`) and checks the convolution
        theorem on it, ``|F y| = |F x| |F h|``. If a browser has shown the
        widget, its JavaScript has written its own output to
        :attr:`output`; that must agree too. Without a browser (as when the
        book is built by executing the notebooks), there is no JavaScript
        output and the report says so.

        Returns
        -------
        str
            A short report.

        Raises
        ------
        AssertionError
            If any of the comparisons fails.
        """
        y = self.expected_output()
        fx, fh, fy = explorer_spectra(self.signal, self.taps, self.mode, self.length)
        np.testing.assert_allclose(fy, fx * fh, rtol=rtol, atol=atol)
        lines = [
            f"{self.mode} convolution, {self.preset!r} signal ({len(self.signal)} samples), "
            f"{len(self.taps)} taps: {y.size} output samples",
            f"|F y| = |F x| |F h| at all {fy.size} frequencies (to {atol:g})",
        ]
        if self.output:
            np.testing.assert_allclose(self.output, y, rtol=rtol, atol=atol)
            lines.append(
                f"the JavaScript output ({len(self.output)} samples) equals convbook's (to {atol:g})"
            )
        else:
            lines.append("no JavaScript output: no browser has shown the widget in this kernel")
        return "\n".join(lines)


def explorer_figure(preset="sines", filter="moving_average", width=7, mode="linear", length=SIGNAL_LENGTH):
    """The explorer's picture at the given settings, drawn by matplotlib.

    The static figure that precedes the widget, so that the page is
    complete without JavaScript: signal, filter and output on the left, the
    magnitudes of their DFTs on the right, with ``|F x| |F h|`` marked on
    ``|F y|``.

    Parameters
    ----------
    preset, filter, width, mode, length
        As in :class:`SpaceFrequencyExplorer` (``filter`` not ``"custom"``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from convbook import widgets
    >>> fig = widgets.explorer_figure(preset="pulse", filter="gaussian", width=9)
    >>> plt.close(fig)
    """
    x = preset_signal(preset)
    h = filter_taps(filter, width)
    y = explorer_output(x, h, mode, length)
    spectra = explorer_spectra(x, h, mode, length)
    fig, axes = plt.subplots(3, 2, figsize=(7.5, 5.4), sharex="col")
    names = ("x", "h", "y")
    colors = (plotting.COLORS["input"], plotting.COLORS["kernel"], plotting.COLORS["output"])
    for row, (name, a, f, color) in enumerate(zip(names, (x, h, y), spectra, colors)):
        ax = axes[row, 0]
        ax.stem(np.arange(a.size), a, linefmt=color, markerfmt="o", basefmt="0.7")
        ax.get_lines()[0].set_markersize(3)
        ax.set_ylabel(name)
        axf = axes[row, 1]
        axf.bar(np.arange(f.size), f, color=color, width=0.8)
        axf.set_ylabel(f"|F {name}|")
    axes[2, 1].plot(
        np.arange(spectra[0].size), spectra[0] * spectra[1], "k.", markersize=3, label="|F x| · |F h|"
    )
    axes[2, 1].legend(loc="upper right")
    if mode == "cyclic":
        linear = explorer_output(x, h)
        axes[2, 0].plot(
            np.arange(linear.size), linear, color="0.5", linestyle="--", linewidth=1, label="linear"
        )
        axes[2, 0].legend(loc="upper right")
    axes[0, 0].set_title("space: y = h * x by sliding")
    axes[0, 1].set_title(f"frequency: DFT magnitudes, length {2 * (spectra[0].size - 1)}")
    axes[2, 0].set_xlabel("sample m")
    axes[2, 1].set_xlabel("frequency q")
    return fig


def _check_image(image):
    return check_ndim(as_numeric_array(image, "image").astype(float), "image", 2)


def _image_kernel(name):
    check_choice(name, "name", IMAGE_KERNELS)
    if name == "gaussian":
        return kernels.gaussian_2d(9)
    if name == "box":
        return kernels.box(7)
    if name == "laplacian":
        return kernels.laplacian()
    return kernels.sobel(name[-1])


def image_filter_figure(image, kernel="gaussian"):
    """A photograph filtered in space, and its spectrum multiplied in frequency.

    Top row: the image, the kernel, and their convolution (``mode="same"``).
    Bottom row: the log-magnitudes of the three 2-D DFTs (zero frequency in
    the centre), all padded to the full output size, where the third is the
    product of the first two. Used in Chapter *Convolution in 2-D*
    (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    image : array_like
        2-D grayscale image.
    kernel : str
        One of :data:`IMAGE_KERNELS`: a 9 x 9 Gaussian blur, a 7 x 7 box
        blur, the Sobel derivatives across x or y, or the Laplacian.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from convbook import widgets
    >>> fig = widgets.image_filter_figure(np.eye(16), "sobel_x")
    >>> plt.close(fig)
    """
    img = _check_image(image)
    h = _image_kernel(kernel)
    full = tuple(n + k - 1 for n, k in zip(img.shape, h.shape))
    same = convolve(img, h, mode="same", method="fft")
    spectra = [np.fft.fftshift(np.abs(scipy.fft.fft2(a, full))) for a in (img, h)]
    spectra.append(spectra[0] * spectra[1])
    fig, axes = plt.subplots(2, 3, figsize=(7.5, 5.2))
    smooth = kernel in ("gaussian", "box")
    panels = [
        (img, "image x", "gray"),
        (h, f"kernel h ({kernel})", "RdBu_r"),
        (same, "h * x (space)", "gray" if smooth else "RdBu_r"),
    ]
    for ax, (a, title, cmap) in zip(axes[0], panels):
        if cmap == "RdBu_r":
            plotting.show_matrix(ax, a, title=title)
        else:
            ax.imshow(a, cmap=cmap)
            ax.set_title(title)
            ax.set_xticks([])
            ax.set_yticks([])
    floor = 1e-3 * spectra[0].max()
    for ax, s, title in zip(axes[1], spectra, ("log |F x|", "log |F h|", "log |F x| |F h| = log |F y|")):
        ax.imshow(np.log10(s + floor), cmap="magma")
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


def image_filter_explorer(image):
    """Pick a kernel and see the photograph filtered: a widget for a live kernel.

    A drop-down list of :data:`IMAGE_KERNELS` above :func:`image_filter_figure`,
    redrawn by Python whenever the choice changes; so it needs a running
    kernel (Binder, or a local Jupyter), unlike :class:`SpaceFrequencyExplorer`.
    The figure is shown as an image widget rather than through an output
    area, so that executing the notebook stores the same outputs with or
    without a front end. Used in Chapter *Convolution in 2-D*
    (book/02_convolution_2d.ipynb).

    Parameters
    ----------
    image : array_like
        2-D grayscale image.

    Returns
    -------
    ImageFilterExplorer
        The widget (display it, or let it be a cell's last value).
    """
    return ImageFilterExplorer(_check_image(image))


class ImageFilterExplorer(ipywidgets.VBox):
    """The widget of :func:`image_filter_explorer`: a kernel chooser above the figure."""

    def __init__(self, image):
        self.image = image
        self.kernel = ipywidgets.Dropdown(options=IMAGE_KERNELS, value="gaussian", description="kernel")
        self.picture = ipywidgets.Image(format="png")
        self.kernel.observe(lambda change: self._draw(), names="value")
        super().__init__([self.kernel, self.picture])
        self._draw()

    def _draw(self):
        fig = image_filter_figure(self.image, self.kernel.value)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)  # a live view: keep the stored widget state small
        plt.close(fig)
        self.picture.value = buffer.getvalue()

    def __repr__(self):
        return f"ImageFilterExplorer(kernel={self.kernel.value!r}, image shape {self.image.shape})"


#: The largest image side :class:`FootprintExplorer` takes: its grids must fit a phone.
FOOTPRINT_MAX_SIDE = 8


class FootprintExplorer(anywidget.AnyWidget):
    """Add the FFT route's frequency terms one by one and watch a derivative's footprint collapse.

    Through the FFT route, a valid output ``y_n`` of the correlation of an
    ``M x N`` image with a ``K x L`` kernel is a sum of ``M N`` frequency
    terms, each of which involves every pixel and every weight. The reader
    picks an output, a weight (derivative ``d y_n / d w_k``, whose
    coefficients live on the pixels) or a pixel (``d y_n / d x_j``, on the
    weights), and the number of terms; the widget shows the magnitude of
    every coefficient of the partial sum, spread over the whole image after
    one term, and the spatial derivative alone (one pixel, one weight, or
    nothing) after all of them. Everything is computed in JavaScript
    (``footprint.js``), so it runs in the static book; its numbers are those
    of :func:`convbook.symbolic.partial_sum_footprints`. Used in Chapter
    *The symbolic gradient comparison* (book/07_symbolic_gradients.ipynb).

    Parameters
    ----------
    output : tuple of int
        0-based ``(i, j)`` of the valid output (``(0, 0)`` is ``y11``).
    variable : tuple of int
        0-based ``(k, l)`` of the weight for ``wrt="w"``, ``(m, n)`` of the
        pixel for ``wrt="x"``.
    wrt : {"w", "x"}
        Differentiate by a weight or by a pixel.
    terms : int
        How many frequency terms are added, from 1 to ``M N``.
    image_shape, kernel_shape : tuple of int
        ``(M, N)``, sides at most :data:`FOOTPRINT_MAX_SIDE`, and ``(K, L)``,
        no larger than the image.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import widgets
    >>> w = widgets.FootprintExplorer(output=(1, 1), variable=(0, 0), terms=16)
    >>> w.output, w.terms, w.image_shape
    ([1, 1], 16, [4, 4])
    >>> np.round(abs(w.expected_footprint()), 12)[1:3, 1:3] + 0.0  # x22 alone: y22 = w11 x22 + ...
    array([[1., 0.],
           [0., 0.]])
    """

    _esm = _HERE / "footprint.js"
    _css = _HERE / "footprint.css"

    image_shape = traitlets.List(traitlets.Int(), [4, 4]).tag(sync=True)
    kernel_shape = traitlets.List(traitlets.Int(), [3, 3]).tag(sync=True)
    output = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)
    variable = traitlets.List(traitlets.Int(), [0, 0]).tag(sync=True)
    wrt = traitlets.Unicode("w").tag(sync=True)
    terms = traitlets.Int(1).tag(sync=True)

    def __init__(
        self, output=(0, 0), variable=(0, 0), wrt="w", terms=1, image_shape=(4, 4), kernel_shape=(3, 3)
    ):
        M, N = pair_of_positive_ints(image_shape, "image_shape", "(rows, columns)")
        K, L = pair_of_positive_ints(kernel_shape, "kernel_shape", "(rows, columns)")
        if max(M, N) > FOOTPRINT_MAX_SIDE:
            raise ValueError(f"image_shape must have sides of at most {FOOTPRINT_MAX_SIDE}, got {(M, N)}")
        check_fits((K, L), (M, N), "kernel_shape", "image_shape", "to be zero-padded to it")
        check_choice(wrt, "wrt", ("w", "x"))
        output = index_pair(output, "output", (M - K + 1, N - L + 1), "the valid output")
        variable = index_pair(
            variable,
            "variable",
            (K, L) if wrt == "w" else (M, N),
            "the kernel" if wrt == "w" else "the image",
        )
        terms = positive_int(terms, "terms")
        if terms > M * N:
            raise ValueError(f"terms must be from 1 to the {M * N} frequencies of the image, got {terms}")
        super().__init__(
            image_shape=[M, N],
            kernel_shape=[K, L],
            output=list(output),
            variable=list(variable),
            wrt=wrt,
            terms=terms,
        )

    def __repr__(self):
        return (
            f"FootprintExplorer(output={tuple(self.output)}, variable={tuple(self.variable)}, "
            f"wrt={self.wrt!r}, terms={self.terms}, image_shape={tuple(self.image_shape)}, "
            f"kernel_shape={tuple(self.kernel_shape)})"
        )

    def expected_footprint(self):
        """The partial sum the JavaScript shows, by :func:`convbook.symbolic.partial_sum_footprints`."""
        sums = symbolic.partial_sum_footprints(
            self.output, self.variable, self.wrt, self.image_shape, self.kernel_shape
        )
        return sums[self.terms - 1]


# -- the graph filter explorer ---------------------------------------------------

#: The filters of :class:`GraphFilterExplorer`: the heat kernel ``exp(-t L)``,
#: the polynomial ``(I - L/2)^K`` and ``L`` GCN layers ``Â^L``.
GRAPH_FILTERS = ("heat", "polynomial", "gcn")
#: The largest order ``K`` and number of layers ``L`` the explorer offers
#: (the karate club's diameter is 5: by ``K = 5`` every ball is the whole graph).
GRAPH_MAX_HOPS = 8
#: The longest time ``t`` of the heat kernel the explorer offers.
GRAPH_MAX_TIME = 20.0
#: The most nodes :class:`GraphFilterExplorer` draws: more would not be readable.
GRAPH_MAX_NODES = 100
#: The seed of the spring layout, so that the graph is drawn the same way every time.
GRAPH_LAYOUT_SEED = 0


def _graph_adjacency(adjacency):
    """A validated adjacency as a float64 csr_array, symmetric as :mod:`convbook.graphs` makes it."""
    graphs.laplacian(adjacency)  # validates, naming "adjacency"
    A = scipy.sparse.csr_array(adjacency, dtype=np.float64)
    A = ((A + A.T) / 2).tocsr()  # exact for a symmetric matrix, graphs' repair for a nearly symmetric one
    A.eliminate_zeros()
    if A.shape[0] > GRAPH_MAX_NODES:
        raise ValueError(f"adjacency must have at most {GRAPH_MAX_NODES} nodes to be drawn, got {A.shape[0]}")
    return A


def _graph_node(node, n):
    node = nonnegative_int(node, "node")
    if node >= n:
        raise ValueError(f"node must be a node of the graph, 0 to {n - 1}, got {node}")
    return node


def _graph_time(t, limit=math.inf):
    t = real_number(t, "t")
    if not 0 <= t <= limit:
        raise ValueError(f"t must be from 0 to {limit:g}, got {t!r}")
    return t


def _graph_hop_count(value, name, limit=math.inf):
    value = nonnegative_int(value, name)
    if value > limit:
        raise ValueError(f"{name} must be from 0 to {limit}, got {value}")
    return value


def graph_layout(adjacency, seed=GRAPH_LAYOUT_SEED):
    """Node positions for drawing a graph: networkx's spring layout, seeded, rescaled to the unit square.

    :func:`networkx.spring_layout` of the weighted graph (heavier edges
    pull harder) with a fixed seed, so the drawing is the same on every
    run; each axis is then rescaled to ``[0, 1]``. Imports networkx. Used
    by :class:`GraphFilterExplorer` in Chapter *Convolution on graphs*
    (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for
        :func:`convbook.graphs.laplacian`, with at most
        :data:`GRAPH_MAX_NODES` nodes.
    seed : int
        Seed of the layout's random start.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: the ``(x, y)`` of each node, each in ``[0, 1]``.

    Examples
    --------
    >>> from convbook import graphs, widgets
    >>> adjacency, _ = graphs.karate_club()
    >>> xy = widgets.graph_layout(adjacency)
    >>> xy.shape, float(xy.min()), float(xy.max())
    ((34, 2), 0.0, 1.0)
    """
    import networkx as nx

    A = _graph_adjacency(adjacency)
    seed = nonnegative_int(seed, "seed")
    graph = nx.from_scipy_sparse_array(A)
    where = nx.spring_layout(graph, seed=seed)
    xy = np.array([where[i] for i in range(A.shape[0])], dtype=float).reshape(-1, 2)
    low, extent = xy.min(axis=0), np.ptp(xy, axis=0)
    return np.where(extent > 0, (xy - low) / np.where(extent > 0, extent, 1), 0.5)


def graph_hops(adjacency, node):
    """The number of hops from ``node`` to every node: breadth first, ignoring the weights.

    By :func:`scipy.sparse.csgraph.shortest_path` with ``unweighted=True``.
    A polynomial filter of degree ``K`` (and ``K`` GCN layers) moves an
    impulse at most ``K`` hops: its output vanishes where this exceeds
    ``K``. Used in Chapter *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for
        :func:`convbook.graphs.laplacian`.
    node : int
        The source node, ``0 <= node < n``.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(n,)``: the hops, ``inf`` where ``node`` cannot reach.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import widgets
    >>> path = np.array([[0, 1, 0, 0], [1, 0, 2, 0], [0, 2, 0, 0], [0, 0, 0, 0]])
    >>> widgets.graph_hops(path, 0)
    array([ 0.,  1.,  2., inf])
    """
    A = _graph_adjacency(adjacency)
    node = _graph_node(node, A.shape[0])
    return scipy.sparse.csgraph.shortest_path(A, directed=False, unweighted=True, indices=node)


def graph_filter_output(adjacency, node, filter="heat", t=1.0, order=2, layers=2):
    """An impulse at ``node`` filtered on the graph, by :mod:`convbook.graphs`: the reference of the explorer.

    ``L`` is the normalised Laplacian, whose spectrum lies in ``[0, 2]``, and
    ``δ`` the impulse at ``node``.

    - ``"heat"``: ``exp(-t L) δ``, by
      :func:`convbook.graphs.spectral_filter` with the response
      ``exp(-t λ)``. Not local: it reaches every node connected to ``node``.
    - ``"polynomial"``: ``(I - L/2)^K δ`` with ``K = order``, by
      :func:`convbook.graphs.polynomial_filter` with the monomial
      coefficients ``θ_k = C(K, k) (-1/2)^k``; its response
      ``(1 - λ/2)^K`` is low-pass, 1 at ``λ = 0`` and 0 at ``λ = 2``.
    - ``"gcn"``: ``Â^L δ`` with ``L = layers``, ``Â`` of
      :func:`convbook.graphs.gcn_propagation`: ``L`` GCN layers with
      identity weights and no nonlinearity.

    ``I - L/2`` and ``Â`` have non-negative entries and a positive diagonal,
    so the last two are nonzero exactly on the nodes within ``K`` (or
    ``L``) hops of ``node`` (:func:`graph_hops`). Used in Chapter
    *Convolution on graphs* (book/12_graphs.ipynb).

    Parameters
    ----------
    adjacency : array_like or scipy.sparse array or matrix
        Weighted adjacency matrix of shape ``(n, n)``, as for
        :func:`convbook.graphs.laplacian`.
    node : int
        Where the impulse is, ``0 <= node < n``.
    filter : {"heat", "polynomial", "gcn"}
        The filter.
    t : float
        Time of the heat kernel, at least 0.
    order : int
        Degree ``K`` of the polynomial, at least 0.
    layers : int
        Number of GCN layers, at least 0.

    Returns
    -------
    numpy.ndarray
        float64, shape ``(n,)``: the filtered impulse.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import widgets
    >>> path = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> widgets.graph_filter_output(path, 0, "polynomial", order=1).round(4)
    array([0.5   , 0.3536, 0.    ])
    >>> bool(np.all(widgets.graph_filter_output(path, 0, "heat", t=0.1) > 0))
    True
    """
    A = _graph_adjacency(adjacency)
    node = _graph_node(node, A.shape[0])
    check_choice(filter, "filter", GRAPH_FILTERS)
    t = _graph_time(t)
    order = _graph_hop_count(order, "order")
    layers = _graph_hop_count(layers, "layers")
    delta = np.zeros(A.shape[0])
    delta[node] = 1.0
    if filter == "heat":
        return graphs.spectral_filter(A, delta, lambda lam: np.exp(-t * lam), normalized=True)
    if filter == "polynomial":
        coefficients = [math.comb(order, k) * (-0.5) ** k for k in range(order + 1)]
        return graphs.polynomial_filter(A, delta, coefficients, basis="monomial", normalized=True)
    propagation = graphs.gcn_propagation(A)
    y = delta
    for _ in range(layers):
        y = propagation @ y
    return y


class GraphFilterExplorer(anywidget.AnyWidget):
    """Put an impulse on a node of a graph, filter it, and see how far it reaches.

    The karate club (:func:`convbook.graphs.karate_club`, or any graph of
    at most :data:`GRAPH_MAX_NODES` nodes) is drawn at the positions of
    :func:`graph_layout`. The reader clicks a node to put the impulse ``δ``
    there and picks a filter of :func:`graph_filter_output`: the heat
    kernel ``exp(-t L)`` (a slider for ``t``), the polynomial
    ``(I - L/2)^K`` or ``L`` GCN layers ``Â^L`` (a slider for ``K`` or
    ``L``). The nodes are coloured by the filtered impulse (hollow where it
    is exactly 0, its value in each node's tooltip), the nodes within ``K``
    hops of the impulse are outlined, and a line counts the nonzero nodes
    and the ball: for the polynomial and GCN filters they are the same set,
    while the heat kernel reaches every connected node at once.

    Everything is computed in JavaScript (``graphfilter.js``), so it runs
    in the static book: sparse products with the edge list, and for the heat
    kernel ``m = ceil(2 t)`` steps ``exp(-(t/m) L)``, each a Taylor series of
    21 terms (the spectrum of ``L`` lies in ``[0, 2]``, so each step's error
    is below ``e / 21!``, about ``1e-19``). Its numbers are those of
    :func:`graph_filter_output`, which computes them with
    :mod:`convbook.graphs`. Used in Chapter *Convolution on graphs*
    (book/12_graphs.ipynb).

    Parameters
    ----------
    filter : {"heat", "polynomial", "gcn"}
        The filter shown first.
    node : int
        Where the impulse is, ``0 <= node < n``.
    t : float
        Time of the heat kernel, from 0 to :data:`GRAPH_MAX_TIME`.
    order, layers : int
        Degree ``K`` of the polynomial and number ``L`` of GCN layers, each
        from 0 to :data:`GRAPH_MAX_HOPS`.
    adjacency : array_like or scipy.sparse array or matrix, optional
        Weighted adjacency matrix, as for :func:`convbook.graphs.laplacian`;
        the karate club if omitted.
    positions : array_like, optional
        ``(n, 2)`` node positions, each coordinate in ``[0, 1]`` (``y`` up);
        :func:`graph_layout` if omitted.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import widgets
    >>> w = widgets.GraphFilterExplorer(filter="polynomial", node=0, order=2)
    >>> len(w.positions), len(w.edges), w.adjacency().shape
    (34, 78, (34, 34))
    >>> y = w.expected_output()  # what the JavaScript shows, by convbook.graphs
    >>> int(np.count_nonzero(y)), int(np.sum(w.hops() <= 2))  # nonzero exactly on the 2-hop ball
    (26, 26)
    """

    _esm = _HERE / "graphfilter.js"
    _css = _HERE / "graphfilter.css"

    #: The graph, from Python: ``(x, y)`` of each node, the edges ``[i, j]``
    #: with ``i <= j`` (``i == j`` a self-loop), and their weights.
    positions = traitlets.List(traitlets.List(traitlets.Float())).tag(sync=True)
    edges = traitlets.List(traitlets.List(traitlets.Int())).tag(sync=True)
    weights = traitlets.List(traitlets.Float()).tag(sync=True)
    filter = traitlets.Unicode("heat").tag(sync=True)
    node = traitlets.Int(0).tag(sync=True)
    t = traitlets.Float(1.0).tag(sync=True)
    order = traitlets.Int(2).tag(sync=True)
    layers = traitlets.Int(2).tag(sync=True)
    #: The ranges of the sliders.
    max_hops = traitlets.Int(GRAPH_MAX_HOPS).tag(sync=True)
    max_time = traitlets.Float(GRAPH_MAX_TIME).tag(sync=True)

    def __init__(self, filter="heat", node=0, t=1.0, order=2, layers=2, adjacency=None, positions=None):
        if adjacency is None:
            adjacency, _ = graphs.karate_club()
        A = _graph_adjacency(adjacency)
        n = A.shape[0]
        if positions is None:
            xy = graph_layout(A)
        else:
            xy = real_array(positions, "positions").astype(float)
            if xy.shape != (n, 2):
                raise ValueError(f"positions must have shape ({n}, 2), one (x, y) per node, got {xy.shape}")
            if not np.all((xy >= 0) & (xy <= 1)):
                raise ValueError("positions must lie in the unit square, each coordinate from 0 to 1")
        check_choice(filter, "filter", GRAPH_FILTERS)
        node = _graph_node(node, n)
        t = _graph_time(t, GRAPH_MAX_TIME)
        order = _graph_hop_count(order, "order", GRAPH_MAX_HOPS)
        layers = _graph_hop_count(layers, "layers", GRAPH_MAX_HOPS)
        upper = scipy.sparse.triu(A, format="coo")
        keep = np.lexsort((upper.col, upper.row))
        super().__init__(
            positions=xy.tolist(),
            edges=np.column_stack([upper.row[keep], upper.col[keep]]).tolist(),
            weights=upper.data[keep].tolist(),
            filter=filter,
            node=node,
            t=t,
            order=order,
            layers=layers,
        )

    # A change from Python in a live kernel is checked as the constructor checks it.
    @traitlets.validate("filter")
    def _valid_filter(self, proposal):
        return check_choice(proposal["value"], "filter", GRAPH_FILTERS)

    @traitlets.validate("node")
    def _valid_node(self, proposal):
        return _graph_node(proposal["value"], len(self.positions))

    @traitlets.validate("t")
    def _valid_t(self, proposal):
        return _graph_time(proposal["value"], GRAPH_MAX_TIME)

    @traitlets.validate("order", "layers")
    def _valid_hops(self, proposal):
        return _graph_hop_count(proposal["value"], proposal["trait"].name, GRAPH_MAX_HOPS)

    def __repr__(self):
        return (
            f"GraphFilterExplorer(filter={self.filter!r}, node={self.node}, t={self.t:g}, "
            f"order={self.order}, layers={self.layers}, {len(self.positions)} nodes, {len(self.edges)} edges)"
        )

    def adjacency(self):
        """The weighted adjacency matrix of the graph drawn, rebuilt from :attr:`edges` and :attr:`weights`."""
        n = len(self.positions)
        edges = np.array(self.edges, dtype=np.int64).reshape(-1, 2)
        weights = np.array(self.weights, dtype=float)
        off = edges[:, 0] != edges[:, 1]
        rows = np.concatenate([edges[:, 0], edges[off, 1]])
        cols = np.concatenate([edges[:, 1], edges[off, 0]])
        return scipy.sparse.csr_array((np.concatenate([weights, weights[off]]), (rows, cols)), shape=(n, n))

    def hops(self):
        """:func:`graph_hops` from the impulse's node."""
        return graph_hops(self.adjacency(), self.node)

    def expected_output(self):
        """:func:`graph_filter_output` for the widget's current state: what the JavaScript must show."""
        return graph_filter_output(self.adjacency(), self.node, self.filter, self.t, self.order, self.layers)
