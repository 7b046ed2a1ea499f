"""convbook: the helper package of the executable book on convolution.

Each public function's docstring names the chapter that teaches it. The
package needs only numpy and scipy; the modules that draw or compute
symbolically (``plotting``, ``symbolic``, ``widgets``) import matplotlib,
sympy or anywidget themselves and are not imported here, so
``import convbook`` stays fast.

The convolution layer is :func:`conv2d` (``convbook.layers``), whose
algorithms live one per module: ``conv_direct``, ``conv_im2col``,
``conv_fft`` and ``winograd``; ``geometry`` holds the layer sizes the layer
and the cost model (``cost``) share.
"""

# Used as modules, because their names are too generic for the top level:
# convbook.cnn.train (the CNN of *Training a CNN through the FFT*,
# book/08_training_through_fft.ipynb), convbook.graphs.laplacian (not the
# kernel convbook.laplacian), convbook.adjoints.crop, .inner and the other
# operators of the FFT route with their adjoints
# (*Backpropagation through convolution*, book/06_backpropagation.ipynb),
# and the modules of *What locality buys* (book/11_locality.ipynb):
# convbook.precision, convbook.locality and convbook.spectral_layers; those of
# *Convolution on graphs* (book/12_graphs.ipynb): convbook.graphs and convbook.gcn;
# and convbook.lowrank (*Low rank: from separable kernels to recommendation*,
# book/13_low_rank.ipynb).
from . import adjoints, cnn, gcn, graphs, locality, lowrank, precision, spectral_layers
from .convolution import circular_convolve, conv_output_size, convolve, correlate, output_shape
from .cost import choose_conv2d_method
from .data import grace_hopper
from .geometry import LayerGeometry, layer_geometry
from .kernels import box, difference, gaussian, gaussian_2d, laplacian, moving_average, sobel
from .layers import (
    Conv2dContext,
    conv2d,
    conv2d_backward,
    conv2d_forward,
    conv2d_vjp,
    winograd_conv2d,
    winograd_conv2d_backward,
)
from .matrices import (
    bttb_matrix,
    circulant,
    conv_singular_values,
    convolution_matrix,
    dft2_matrix,
    dft_matrix,
    im2col,
)

__version__ = "0.1.0"

__all__ = [
    "adjoints",
    "cnn",
    "gcn",
    "graphs",
    "locality",
    "lowrank",
    "precision",
    "spectral_layers",
    "box",
    "bttb_matrix",
    "choose_conv2d_method",
    "circulant",
    "circular_convolve",
    "Conv2dContext",
    "conv2d",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_vjp",
    "conv_output_size",
    "conv_singular_values",
    "convolution_matrix",
    "convolve",
    "correlate",
    "dft2_matrix",
    "dft_matrix",
    "difference",
    "gaussian",
    "gaussian_2d",
    "grace_hopper",
    "LayerGeometry",
    "layer_geometry",
    "im2col",
    "laplacian",
    "moving_average",
    "output_shape",
    "sobel",
    "winograd_conv2d",
    "winograd_conv2d_backward",
]
