"""Convolution, the DFT and their gradients in exact symbolic arithmetic.

The book's central claim, that computing a convolution through the FFT
changes nothing about its gradients, is an identity between two symbolic
expressions. This module builds both sides with sympy: the spatial route (the
block-Toeplitz matrix of the kernel times the image), the FFT route (pad,
transform, multiply, invert) with the roots of unity kept exact, the
Jacobians of either with respect to pixels and weights, and a kernel
parametrised by its frequency-domain coefficients, the case where the
intuition "every pixel touches every parameter" is right.

Imports sympy, so it is not imported by ``import convbook``; use
``from convbook import symbolic``. Taught in Chapter *The FFT route as matrix
products* (book/05_fft_as_matrices.ipynb) and Chapter *The symbolic gradient
comparison* (book/07_symbolic_gradients.ipynb); :func:`symbol_matrix` and
:func:`bttb` also in Chapter *Convolution as one matrix multiply*
(book/04_matrix_multiply.ipynb).

Conventions: images and kernels are 2-D, ``vec`` stacks rows (row-major,
as ``numpy.ravel``), correlation conjugates the kernel as
:func:`scipy.signal.correlate` does, and the DFT is
``F[j, k] = exp(-2 pi i j k / n)`` as in :func:`numpy.fft.fft`.
"""

import math

import numpy as np
import sympy as sp

from ._validation import (
    MODES,
    OPERATIONS,
    check_choice,
    check_fits,
    index_pair,
    pair_of_positive_ints,
    positive_int,
)
from .convolution import _window
from .matrices import dft2_matrix as _numeric_dft2_matrix

__all__ = [
    "symbol_matrix",
    "vec",
    "bttb",
    "dft_matrix",
    "dft2_matrix",
    "spatial_route",
    "fft_route",
    "jacobian",
    "spectral_kernel",
    "latex_sum",
    "partial_sum_footprints",
]


def symbol_matrix(name, shape):
    """A matrix of real symbols, named by 1-based row and column.

    For shapes whose sides are at most 9 the entry in row ``i`` and column
    ``j`` (counting from 1, as in the maths) is ``{name}{i}{j}``: ``x11``,
    ``x12``, ..., ``x44``. If a side is 10 or more, ``x12`` would be ambiguous
    (row 1, column 12 or row 12, column ...), so every entry is named
    ``{name}_{i}_{j}`` instead, e.g. ``x_10_2``.

    Parameters
    ----------
    name : str
        Prefix of the symbols, a letter or a word (``"x"``, ``"w"``).
    shape : tuple of int
        ``(rows, columns)``, both positive.

    Returns
    -------
    sympy.Matrix
        Matrix of ``sympy.Symbol(..., real=True)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> symbolic.symbol_matrix("w", (2, 3))
    Matrix([
    [w11, w12, w13],
    [w21, w22, w23]])
    >>> symbolic.symbol_matrix("x", (10, 1))[9, 0]
    x_10_1
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"name must be a string usable as a symbol name, such as 'x', got {name!r}")
    rows, cols = pair_of_positive_ints(shape, "shape", "(rows, columns)")
    template = "{}{}{}" if max(rows, cols) <= 9 else "{}_{}_{}"
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(template.format(name, i + 1, j + 1), real=True))


def vec(A):
    """Stack the rows of a matrix into one column (row-major ``vec``).

    The book's ``vec`` is ``numpy.ravel``'s order, not the column-stacking
    of most linear-algebra texts, so that ``vec`` of an image matches
    ``image.ravel()``.

    Parameters
    ----------
    A : sympy.Matrix or array_like
        2-D array of numbers or sympy expressions.

    Returns
    -------
    sympy.Matrix
        Column of ``rows * columns`` entries.

    Examples
    --------
    >>> from convbook import symbolic
    >>> symbolic.vec(symbolic.symbol_matrix("x", (2, 2))).T
    Matrix([[x11, x12, x21, x22]])
    """
    A = _as_matrix(A, "A")
    return A.reshape(A.rows * A.cols, 1)


def bttb(W, image_shape, mode="valid", operation="correlate"):
    """The block-Toeplitz-with-Toeplitz-blocks matrix of a 2-D kernel.

    ``bttb(W, X.shape, mode, operation) * vec(X)`` is ``vec`` of the
    correlation (or convolution) of the image ``X`` with the kernel ``W``,
    the same numbers as ``scipy.signal.correlate(X, W, mode)``. Built from the
    definition, one output entry (one row) at a time: row ``(i, j)`` holds
    the kernel entry that multiplies pixel ``(m, n)`` in output ``(i, j)``.
    For a 4 x 4 image and a 3 x 3 kernel in ``"valid"`` mode it is 4 x 16.

    Parameters
    ----------
    W : sympy.Matrix or array_like
        2-D kernel, numbers or sympy expressions.
    image_shape : tuple of int
        ``(M, N)``, the shape of the images the matrix multiplies.
    mode : {"valid", "full", "same"}
        Which outputs become rows, as in :func:`scipy.signal.correlate`. In
        ``"valid"`` mode the kernel must be no larger than the image.
    operation : {"correlate", "convolve"}
        ``"correlate"`` slides ``conj(W)`` unflipped (what CNN layers do);
        ``"convolve"`` slides ``W`` flipped.

    Returns
    -------
    sympy.Matrix
        Shape ``(P * Q, M * N)`` for an output of shape ``(P, Q)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> T = symbolic.bttb(symbolic.symbol_matrix("w", (2, 2)), (2, 3))
    >>> T
    Matrix([
    [w11, w12,   0, w21, w22,   0],
    [  0, w11, w12,   0, w21, w22]])
    """
    W = _as_matrix(W, "W")
    M, N = pair_of_positive_ints(image_shape, "image_shape", "(rows, columns)")
    check_choice(mode, "mode", MODES)
    check_choice(operation, "operation", OPERATIONS)
    K, L = W.shape
    if mode == "valid":
        check_fits((K, L), (M, N), "W.shape", "image_shape", "in 'valid' mode")
    # Correlation is convolution with the conjugated, flipped kernel.
    H = W.conjugate()[::-1, ::-1] if operation == "correlate" else W
    (r0, P), (c0, Q) = _window((M, N), (K, L), mode)
    T = sp.zeros(P * Q, M * N)
    for i in range(P):
        for j in range(Q):
            p, q = i + r0, j + c0  # index into the full convolution
            for m in range(max(0, p - K + 1), min(M, p + 1)):
                for n in range(max(0, q - L + 1), min(N, q + 1)):
                    T[i * Q + j, m * N + n] = H[p - m, q - n]
    return T


def dft_matrix(n):
    """The exact ``n``-point DFT matrix ``F[j, k] = exp(-2 pi i j k / n)``.

    The roots of unity are exact sympy numbers: for ``n = 4`` the entries
    are ``1, -I, -1, I``; other sizes keep ``exp(-2*I*pi*k/n)`` with the
    exponent reduced modulo ``n``. Numerically it equals
    :func:`convbook.dft_matrix`.

    Parameters
    ----------
    n : int
        Size of the transform.

    Returns
    -------
    sympy.Matrix
        Shape ``(n, n)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> symbolic.dft_matrix(4)
    Matrix([
    [1,  1,  1,  1],
    [1, -I, -1,  I],
    [1, -1,  1, -1],
    [1,  I, -1, -I]])
    """
    n = positive_int(n, "n")
    return sp.Matrix(n, n, lambda j, k: sp.exp(-2 * sp.pi * sp.I * sp.Rational((j * k) % n, n)))


def dft2_matrix(shape):
    """The exact 2-D DFT matrix ``kron(F_M, F_N)`` acting on row-major ``vec``.

    ``dft2_matrix(X.shape) * vec(X)`` is ``vec(numpy.fft.fft2(X))``: the
    Kronecker product applies ``F_N`` along each row and ``F_M`` down each
    column. Numerically it equals :func:`convbook.dft2_matrix`.

    Parameters
    ----------
    shape : tuple of int
        ``(M, N)``; the matrix is ``MN x MN``.

    Returns
    -------
    sympy.Matrix
        Shape ``(M * N, M * N)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> symbolic.dft2_matrix((2, 2))
    Matrix([
    [1,  1,  1,  1],
    [1, -1,  1, -1],
    [1,  1, -1, -1],
    [1, -1, -1,  1]])
    """
    M, N = pair_of_positive_ints(shape, "shape", "(rows, columns)")
    return sp.kronecker_product(dft_matrix(M), dft_matrix(N))


def spatial_route(X, W, mode="valid", operation="correlate"):
    """Correlate (or convolve) ``X`` with ``W`` by sliding the kernel: ``T vec(X)``.

    Parameters
    ----------
    X, W : sympy.Matrix or array_like
        2-D image and kernel.
    mode : {"valid", "full", "same"}
        As in :func:`bttb`.
    operation : {"correlate", "convolve"}
        As in :func:`bttb`.

    Returns
    -------
    sympy.Matrix
        The output, of the shape ``convbook.output_shape(X.shape, W.shape, mode)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> X, W = symbolic.symbol_matrix("x", (3, 3)), symbolic.symbol_matrix("w", (2, 2))
    >>> symbolic.spatial_route(X, W)[0, 0]
    w11*x11 + w12*x12 + w21*x21 + w22*x22
    """
    X = _as_matrix(X, "X")
    W = _as_matrix(W, "W")
    T = bttb(W, X.shape, mode=mode, operation=operation)
    (_, P), (_, Q) = _window(X.shape, W.shape, mode)
    return (T * vec(X)).reshape(P, Q)


def fft_route(X, W, operation="correlate", mode="circular", return_steps=False):
    """Correlate (or convolve) ``X`` with ``W`` through the DFT, exactly.

    The four steps of the FFT route as matrix products, with ``F`` the exact
    2-D DFT matrix of the image's shape (:func:`dft2_matrix`):

    1. zero-pad ``W`` to the shape of ``X``;
    2. transform both: ``X^ = F vec(X)``, ``W^ = F vec(W_pad)``;
    3. multiply element-wise: ``conj(W^) * X^`` for correlation (the
       spectrum of ``conj(W)`` slid unflipped), ``W^ * X^`` for convolution;
    4. invert with ``F^-1 = conj(F) / (M N)``.

    The result is the *circular* correlation (convolution) of ``X`` with
    ``W``: indices wrap around the image. Before the sum over frequencies the
    roots of unity are kept as powers of a primitive root and reduced with
    its cyclotomic polynomial, so the terms that cancel cancel exactly and
    every output of real input comes back as a plain polynomial in the
    pixels and weights, with no roots of unity left. The work grows like
    ``(M N)**3`` times the kernel size: meant for the small examples of the
    book.

    Parameters
    ----------
    X, W : sympy.Matrix or array_like
        2-D image and kernel; the kernel no larger than the image.
    operation : {"correlate", "convolve"}
        As in :func:`bttb`.
    mode : {"circular", "valid"}
        ``"circular"``: all ``M x N`` outputs. ``"valid"``: only those that
        never wrap, which equal the linear ``"valid"`` outputs: the top-left
        block for correlation, the bottom-right block for convolution.
    return_steps : bool
        Also return the intermediate pieces.

    Returns
    -------
    sympy.Matrix or (sympy.Matrix, dict)
        The output; with ``return_steps`` also a dict with ``"W_pad"``
        (M x N), ``"F"`` (MN x MN) and the columns of MN entries
        ``"X_hat"``, ``"W_hat"`` and ``"product"`` (the spectra multiplied
        element-wise, for correlation with ``W_hat`` conjugated). Frequency
        ``f`` contributes ``product[f] * conj(F[n, f]) / (M N)`` to output
        ``n`` of ``vec(Y)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> X, W = symbolic.symbol_matrix("x", (2, 2)), symbolic.symbol_matrix("w", (1, 2))
    >>> symbolic.fft_route(X, W)
    Matrix([
    [w11*x11 + w12*x12, w11*x12 + w12*x11],
    [w11*x21 + w12*x22, w11*x22 + w12*x21]])
    >>> symbolic.fft_route(X, W, mode="valid")
    Matrix([
    [w11*x11 + w12*x12],
    [w11*x21 + w12*x22]])
    """
    X = _as_matrix(X, "X")
    W = _as_matrix(W, "W")
    check_choice(operation, "operation", OPERATIONS)
    check_choice(mode, "mode", ("circular", "valid"))
    if not isinstance(return_steps, bool):
        raise TypeError(f"return_steps must be True or False, got {return_steps!r}")
    (M, N), (K, L) = X.shape, W.shape
    check_fits((K, L), (M, N), "W.shape", "X.shape", "to be zero-padded to it")
    W_pad = sp.zeros(M, N)
    W_pad[:K, :L] = W
    x, w = list(vec(X)), list(vec(W_pad))
    if operation == "correlate":
        w = [sp.conjugate(e) for e in w]
    # Every DFT entry is a power of one root of unity zeta = exp(-2 pi i / R):
    # F[f, p] = zeta**e_F[f, p]. Products of entries add exponents, so the
    # whole route is integer arithmetic on exponents until the final sum.
    R = math.lcm(M, N)
    f1, f2 = np.divmod(np.arange(M * N), N)
    e_F = ((np.outer(f1, f1) % M) * (R // M) + (np.outer(f2, f2) % N) * (R // N)) % R
    e_W = -e_F if operation == "correlate" else e_F  # conj(W^) = conj(F) conj(w)
    support = [a for a in range(M * N) if w[a] != 0]
    # exponent[n, f, a, b] of the term zeta**. * w_a * x_b / (M N) in y_n
    exponent = (-e_F[:, :, None, None] + e_W[None, :, support, None] + e_F[None, :, None, :]) % R
    counts = (exponent[..., None] == np.arange(R)).sum(axis=1)  # sum over frequencies f
    coeffs = _reduce_cyclotomic(counts, R)
    roots = [sp.exp(-2 * sp.pi * sp.I * sp.Rational(r, R)) for r in range(R)]
    expand = sp.expand if not all(e.is_Atom for e in w + x) else (lambda e: e)

    def bilinear(table):
        """sum over (a, b) of table[a, b] * w_a * x_b, table holding exact numbers."""
        return expand(sp.Add(*(c * w[support[i]] * x[b] for (i, b), c in np.ndenumerate(table) if c != 0)))

    def coefficient(c):
        return sum((int(k) * roots[d] for d, k in enumerate(c) if k), sp.S.Zero) / (M * N)

    Y = sp.Matrix(
        [bilinear(np.apply_along_axis(coefficient, -1, coeffs[n]).astype(object)) for n in range(M * N)]
    ).reshape(M, N)
    if mode == "valid":
        Y = Y[: M - K + 1, : N - L + 1] if operation == "correlate" else Y[K - 1 :, L - 1 :]
    if not return_steps:
        return Y
    F = dft2_matrix((M, N))
    root_of = np.vectorize(lambda r: roots[r], otypes=[object])
    product_exponent = (e_W[:, support, None] + e_F[:, None, :]) % R  # [f, a, b]
    steps = {
        "W_pad": W_pad,
        "F": F,
        "X_hat": (F * vec(X)).applyfunc(sp.expand),
        "W_hat": (F * vec(W_pad)).applyfunc(sp.expand),
        "product": sp.Matrix([bilinear(root_of(product_exponent[f])) for f in range(M * N)]),
    }
    return Y, steps


def jacobian(Y, variables):
    """The Jacobian of the entries of ``Y`` with respect to ``variables``.

    Row ``r`` holds the partial derivatives of the ``r``-th entry of
    ``vec(Y)``, column ``c`` those with respect to the ``c``-th entry of
    ``vec(variables)`` (both row-major), so for the valid correlation of a
    4 x 4 image with a 3 x 3 kernel, ``jacobian(Y, W)`` is 4 x 9 and
    ``jacobian(Y, X)`` is 4 x 16 (the BTTB matrix itself).

    Parameters
    ----------
    Y : sympy.Matrix or array_like
        Outputs (any 2-D shape) or a single expression.
    variables : sympy.Matrix or sequence of sympy.Symbol
        The symbols to differentiate by.

    Returns
    -------
    sympy.Matrix
        Shape ``(Y.rows * Y.cols, number of variables)``.

    Examples
    --------
    >>> from convbook import symbolic
    >>> X, W = symbolic.symbol_matrix("x", (3, 3)), symbolic.symbol_matrix("w", (2, 2))
    >>> symbolic.jacobian(symbolic.spatial_route(X, W), W)[0, :]
    Matrix([[x11, x12, x21, x22]])
    """
    if isinstance(Y, sp.Expr):
        Y = sp.Matrix([[Y]])
    Y = _as_matrix(Y, "Y")
    if isinstance(variables, sp.MatrixBase):
        symbols = list(vec(variables))
    elif isinstance(variables, (list, tuple)):
        symbols = list(variables)
    else:
        raise TypeError(
            f"variables must be a sympy Matrix or a list of symbols, got {type(variables).__name__}"
        )
    if not symbols or not all(isinstance(s, sp.Symbol) for s in symbols):
        raise ValueError(f"variables must be a non-empty collection of sympy Symbols, got {variables!r}")
    return vec(Y).jacobian(symbols)


def spectral_kernel(shape, name="a", orthonormal=False):
    """A real kernel parametrised by its frequency-domain coefficients.

    The kernel is ``W = F^-1 C`` with ``C`` a Hermitian-symmetric spectrum
    (``C[-f] = conj(C[f])``, indices modulo ``shape``), so ``W`` is real and
    every real kernel of this shape is reached, as in the spectral
    parametrisation of Rippel, Snoek & Adams (2015). The free real
    parameters are ``C[f] = {name}{p}{q}`` at self-conjugate frequencies
    ``f = (p, q) = -f`` and ``C[f] = {name}{p}{q} + I*{name}i{p}{q}`` at the
    first frequency of every conjugate pair (then ``C[-f]`` is its
    conjugate). Frequencies count from 0, unlike pixels; sides of 10 or more
    use ``{name}_{p}_{q}`` and ``{name}i_{p}_{q}``. There are exactly
    ``M * N`` parameters.

    With ``orthonormal=True`` the coefficients are scaled so that the map
    from parameters to kernel entries is an orthogonal matrix: the same
    parameters, and plain gradient descent on them takes exactly the steps
    gradient descent on the kernel entries takes.

    Parameters
    ----------
    shape : tuple of int
        ``(M, N)``: a K x K kernel parametrised by its own K x K DFT, or a
        global filter with the shape of the image.
    name : str
        Prefix of the parameter names.
    orthonormal : bool
        Scale ``C[f]`` by ``sqrt(M N)`` (self-conjugate) or ``sqrt(M N / 2)``
        (paired frequencies).

    Returns
    -------
    (sympy.Matrix, list of sympy.Symbol)
        The kernel (real expressions in the parameters) and the parameters,
        in row-major frequency order.

    Examples
    --------
    >>> from convbook import symbolic
    >>> W, params = symbolic.spectral_kernel((1, 2))
    >>> W, params
    (Matrix([[a00/2 + a01/2, a00/2 - a01/2]]), [a00, a01])
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise TypeError(f"name must be a string usable as a symbol name, such as 'a', got {name!r}")
    if not isinstance(orthonormal, bool):
        raise TypeError(f"orthonormal must be True or False, got {orthonormal!r}")
    M, N = pair_of_positive_ints(shape, "shape", "(rows, columns)")
    template = "{}{}{}{}" if max(M, N) <= 10 else "{}{}_{}_{}"
    m, n = np.divmod(np.arange(M * N), N)  # pixel coordinates in vec order
    W = sp.zeros(M * N, 1)
    params = []
    for p in range(M):
        for q in range(N):
            f, g = p * N + q, ((-p) % M) * N + (-q) % N
            if g < f:
                continue  # already counted as the partner of frequency g
            # angle of exp(+2 pi i (p m / M + q n / N)), the inverse DFT's entry
            theta = [
                2 * sp.pi * sp.Rational(p * int(mi) * N + q * int(ni) * M, M * N) for mi, ni in zip(m, n)
            ]
            re = sp.Symbol(template.format(name, "", p, q), real=True)
            params.append(re)
            if f == g:  # a real coefficient; exp(i theta) = cos(theta) = +-1 here
                scale = sp.sqrt(M * N) if orthonormal else 1
                W += sp.Matrix([scale * re * sp.cos(t) for t in theta])
            else:  # C[f] exp(i theta) + conj(C[f]) exp(-i theta) = 2 Re(C[f] exp(i theta))
                im = sp.Symbol(template.format(name, "i", p, q), real=True)
                params.append(im)
                scale = sp.sqrt(sp.Rational(M * N, 2)) if orthonormal else 1
                W += sp.Matrix([2 * scale * (re * sp.cos(t) - im * sp.sin(t)) for t in theta])
    return (W / (M * N)).applyfunc(sp.expand).reshape(M, N), params


# -- helpers -----------------------------------------------------------------


def latex_sum(label, expr, terms_per_line=6):
    """LaTeX for ``label = expr`` with a long sum broken over aligned lines.

    A chapter shows a symbolic result as maths (``IPython.display.Math``), but
    a sum of sixteen products does not fit the page on one line; this writes
    ``terms_per_line`` terms per line, in sympy's printing order, each later
    line starting with its sign.

    Parameters
    ----------
    label : str
        LaTeX for the left-hand side.
    expr : sympy.Expr
    terms_per_line : int, optional
        At least 1.

    Returns
    -------
    str

    Examples
    --------
    >>> import sympy as sp
    >>> from convbook import symbolic
    >>> a, b, c = sp.symbols("a b c")
    >>> print(symbolic.latex_sum("y", a - 2 * b + c, terms_per_line=2))
    \\begin{aligned} y &= a - 2 b \\\\ &\\quad + c \\end{aligned}
    """
    if not isinstance(label, str):
        raise TypeError(f"label must be a LaTeX string, got {type(label).__name__}")
    expr = sp.sympify(expr)
    per_line = positive_int(terms_per_line, "terms_per_line")
    lines, line = [], ""
    for index, term in enumerate(expr.as_ordered_terms()):
        negative = term.could_extract_minus_sign()
        body = sp.latex(-term if negative else term)
        if index == 0:
            line = ("-" if negative else "") + body
        else:
            piece = ("- " if negative else "+ ") + body
            if index % per_line == 0:
                lines.append(line)
                line = r"\quad " + piece
            else:
                line += " " + piece
    lines.append(line)
    return rf"\begin{{aligned}} {label} &= " + r" \\ &".join(lines) + r" \end{aligned}"


def partial_sum_footprints(output, variable, wrt="w", image_shape=(4, 4), kernel_shape=(3, 3)):
    """The footprint of a derivative as the FFT route's frequency terms are added one by one.

    Through the FFT route, output ``y_n`` (``n = (i, j)``, a valid output of
    the correlation of an ``M x N`` image with a ``K x L`` kernel) is a sum of
    ``M N`` frequency terms, ``y_n = sum_f tau_f`` with
    ``tau_f = conj(F[n, f]) conj(W^_f) X^_f / (M N)``, as in
    :func:`fft_route`. The derivative of one term by a weight ``w_k`` is
    linear in the pixels, and by a pixel ``x_j`` linear in the weights; this
    function returns their coefficients (the footprint of the derivative)
    for the partial sums ``sum_{g <= f} d tau_g / d w_k`` (or ``d x_j``),
    ``f = 0 .. M N - 1`` in row-major order of the frequencies. One term
    spreads ``1 / (M N)`` in magnitude over the whole image; the complete sum
    is the spatial derivative, ``d y_n / d w_k = x_{n + k}`` (a single pixel)
    and ``d y_n / d x_j = w_{j - n}`` (a single weight, or none when pixel
    ``j`` lies outside the window of output ``n``). Computed in floating
    point from :func:`convbook.dft2_matrix`: the numbers the footprint
    widget (:class:`convbook.widgets.FootprintExplorer`) computes in
    JavaScript. Taught in Chapter *The symbolic gradient comparison*
    (book/07_symbolic_gradients.ipynb), whose figure of the partial sums it
    draws.

    Parameters
    ----------
    output : tuple of int
        ``(i, j)``, 0-based, of the valid output, ``0 <= i <= M - K`` and
        ``0 <= j <= N - L``.
    variable : tuple of int
        0-based ``(k, l)`` of the weight for ``wrt="w"``, or ``(m, n)`` of
        the pixel for ``wrt="x"``.
    wrt : {"w", "x"}
        Differentiate by a weight or by a pixel.
    image_shape, kernel_shape : tuple of int
        ``(M, N)`` and ``(K, L)``; the kernel no larger than the image.

    Returns
    -------
    numpy.ndarray
        complex128, shape ``(M N, M, N)`` for ``wrt="w"`` (coefficients of
        the pixels) or ``(M N, K, L)`` for ``wrt="x"`` (coefficients of the
        weights); entry ``[f]`` is the partial sum of the first ``f + 1``
        terms.

    Examples
    --------
    >>> import numpy as np
    >>> from convbook import symbolic
    >>> sums = symbolic.partial_sum_footprints((0, 0), (0, 0))
    >>> np.round(abs(sums[0]), 4)  # one term: 1/16 on every pixel
    array([[0.0625, 0.0625, 0.0625, 0.0625],
           [0.0625, 0.0625, 0.0625, 0.0625],
           [0.0625, 0.0625, 0.0625, 0.0625],
           [0.0625, 0.0625, 0.0625, 0.0625]])
    >>> np.round(sums[-1].real, 12) + 0.0  # all sixteen: x11 alone
    array([[1., 0., 0., 0.],
           [0., 0., 0., 0.],
           [0., 0., 0., 0.],
           [0., 0., 0., 0.]])
    """
    M, N = pair_of_positive_ints(image_shape, "image_shape", "(rows, columns)")
    K, L = pair_of_positive_ints(kernel_shape, "kernel_shape", "(rows, columns)")
    check_fits((K, L), (M, N), "kernel_shape", "image_shape", "to be zero-padded to it")
    check_choice(wrt, "wrt", ("w", "x"))
    i, j = index_pair(output, "output", (M - K + 1, N - L + 1), "the valid output")
    where = (K, L) if wrt == "w" else (M, N)
    a, b = index_pair(variable, "variable", where, "the kernel" if wrt == "w" else "the image")
    F = _numeric_dft2_matrix((M, N))
    n = i * N + j
    # d tau_f / d w_k, coefficient of x_p (equally d tau_f / d x_p, coefficient of w_k):
    # conj(F[n, f]) conj(F[f, k]) F[f, p] / (M N), with k indexing the zero-padded kernel.
    if wrt == "w":
        terms = (np.conj(F[n, :]) * np.conj(F[:, a * N + b]))[:, None] * F / (M * N)
        shape = (M, N)
    else:
        kernel = (np.arange(K)[:, None] * N + np.arange(L)[None, :]).ravel()
        terms = (np.conj(F[n, :]) * F[:, a * N + b])[:, None] * np.conj(F[:, kernel]) / (M * N)
        shape = (K, L)
    return np.cumsum(terms, axis=0).reshape(M * N, *shape)


def _as_matrix(A, name):
    """``A`` as a non-empty 2-D sympy Matrix, or raise naming ``name``."""
    if isinstance(A, sp.MatrixBase):
        M = sp.Matrix(A)
    else:
        arr = np.asarray(A, dtype=object) if not isinstance(A, np.ndarray) else A
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got an array of shape {arr.shape}")
        if arr.dtype.kind in "USV" or any(isinstance(a, (str, bytes)) for a in arr.flat):
            raise TypeError(f"{name} must hold numbers or sympy expressions, not strings")
        try:
            M = sp.Matrix(arr.tolist())
        except (TypeError, ValueError, sp.SympifyError) as exc:
            raise TypeError(f"{name} must hold numbers or sympy expressions ({exc})") from exc
    if M.rows == 0 or M.cols == 0:
        raise ValueError(f"{name} must not be empty, got shape {M.shape}")
    if not all(isinstance(e, sp.Expr) for e in M):
        raise TypeError(f"{name} must hold numbers or sympy expressions")
    return M


def _reduce_cyclotomic(counts, R):
    """Integer coordinates of sum_r counts[..., r] zeta**r in the basis 1, zeta, ..., zeta**(phi(R) - 1).

    zeta is a primitive R-th root of unity; the reduction divides by its
    minimal polynomial, the cyclotomic polynomial Phi_R, whose coefficients
    are integers. The coordinates are unique, so a rational sum has only the
    first one non-zero.
    """
    phi = [int(c) for c in sp.Poly(sp.cyclotomic_poly(R, sp.Symbol("t")), sp.Symbol("t")).all_coeffs()[::-1]]
    deg = len(phi) - 1
    counts = counts.astype(np.int64).copy()
    for d in range(R - 1, deg - 1, -1):  # zeta**d = -sum_i phi[i] zeta**(d - deg + i), phi monic
        for i, c in enumerate(phi[:-1]):
            counts[..., d - deg + i] -= c * counts[..., d]
    return counts[..., :deg]
