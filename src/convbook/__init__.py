"""convbook: the helper package of the executable book on convolution.

Each public function's docstring names the chapter that teaches it. The
package needs only numpy and scipy; the modules that draw or compute
symbolically (``plotting``, ``symbolic``, ``widgets``) import matplotlib,
sympy or anywidget themselves and are not imported here, so
``import convbook`` stays fast.
"""

from .convolution import circular_convolve, conv_output_size, convolve, correlate, output_shape
from .matrices import circulant, convolution_matrix, dft2_matrix, dft_matrix

__version__ = "0.1.0"

__all__ = [
    "circulant",
    "circular_convolve",
    "conv_output_size",
    "convolution_matrix",
    "convolve",
    "correlate",
    "dft2_matrix",
    "dft_matrix",
    "output_shape",
]
