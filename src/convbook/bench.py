"""Time convolution methods side by side: ``python -m convbook.bench``.

Two grids. ``single``: one-channel convolution in 1-D and 2-D, over kernel
and signal sizes, with :func:`convbook.convolve` (``"loop"``, ``"direct"``,
``"fft"``) and, as reference points, :func:`scipy.signal.convolve`
(``direct``, ``fft``) and :func:`scipy.signal.oaconvolve`. ``layer``: the
forward pass of :func:`convbook.conv2d` (``"direct"``, ``"im2col"``,
``"fft"``) over kernel size, image size and channel count, next to what
the cost model (:mod:`convbook.cost`) predicts.

The tool writes ``bench_<grid>.csv`` and, when matplotlib is installed,
``bench_<grid>.png`` with the crossover plots into ``--out``, and prints
the machine it ran on. ``--fit`` refits the cost model's machine
constants to the ``layer`` measurements and writes them where
:func:`convbook.cost.load_constants` finds them, then checks the refitted
model on a second grid of shapes it was not fitted to. ``--torch`` adds
PyTorch's ``conv2d`` (forward and forward+backward) to a fixed comparison
(``--grid compare``) when torch is importable; torch is never needed
otherwise.

Examples (from a shell)::

    python -m convbook.bench --quick              # small grids, under a minute
    python -m convbook.bench --grid layer --fit   # refit the model on this machine
    python -m convbook.bench --grid compare --torch

Taught in Chapter *What convolution costs* (book/09_cost.ipynb).
"""

import argparse
import csv
import pathlib
import platform
import statistics
import sys
import time

import numpy as np
import scipy
import scipy.signal

from . import cost
from ._parallel import available_cpus
from .convolution import METHODS as CONVOLUTION_METHODS
from .convolution import convolve
from .geometry import LAYER_METHODS

__all__ = [
    "GRIDS",
    "ProgressBar",
    "bench_layers",
    "bench_single",
    "compare_grid",
    "holdout_grid",
    "layer_grid",
    "machine_info",
    "main",
    "parse_args",
    "pick_accuracy",
    "read_csv",
    "single_grid",
    "time_call",
    "time_interleaved",
    "write_csv",
]

GRIDS = ("single", "layer", "holdout", "compare")
SINGLE_METHODS = CONVOLUTION_METHODS + ("scipy-direct", "scipy-fft", "scipy-oaconvolve")
FIELDS = (
    "grid",
    "ndim",
    "n",
    "k",
    "batch",
    "c_in",
    "c_out",
    "padding",
    "stride",
    "method",
    "pass",
    "seconds",
)

# Above these many multiplications a method is too slow to be worth timing
# (the Python loop, and scipy's direct n-D code, which does not vectorise).
_LOOP_LIMIT = 2e5
_SCIPY_DIRECT_LIMIT = 3e7


def machine_info():
    """The CPU, core count and library versions a measurement ran on.

    Examples
    --------
    >>> from convbook.bench import machine_info
    >>> sorted(machine_info())[:3]
    ['cores', 'cpu', 'numpy']
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    info = {
        "cpu": cpu,
        "cores": available_cpus(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch"] = torch.__version__
    return info


class ProgressBar:
    """A one-line text progress bar, redrawn in place with carriage returns.

    Parameters
    ----------
    total : int
        Number of steps.
    stream : file, optional
        Where to draw (default ``sys.stderr``); ``None`` draws nothing.
    width : int
        Characters of the bar itself.

    Examples
    --------
    >>> import io
    >>> from convbook.bench import ProgressBar
    >>> out = io.StringIO()
    >>> bar = ProgressBar(4, out, width=8)
    >>> bar.update("a"); bar.update("b"); bar.close()
    >>> out.getvalue().splitlines()[-1].strip()
    '[####....]   2/4    b'
    """

    def __init__(self, total, stream=sys.stderr, width=30):
        self.total = max(int(total), 1)
        self.stream = stream
        self.width = width
        self.done = 0

    def update(self, label=""):
        self.done += 1
        if self.stream is None:
            return
        filled = self.width * self.done // self.total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {self.done:3d}/{self.total:<4d} {label:<40.40s}")
        self.stream.flush()

    def close(self):
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def time_call(fn, repeat=5, min_time=0.02, stat="median"):
    """Wall-clock seconds of one call of ``fn()``: the median (or minimum) of ``repeat`` loops.

    ``fn`` runs once to warm up; then ``repeat`` times a loop of as many
    calls as make the loop last at least ``min_time`` (so that fast calls
    are not lost in the clock's resolution), each loop divided by its count.
    ``stat="min"`` keeps the fastest loop, the one least disturbed by other
    processes: the better estimate of a method's own cost on a shared
    machine (the grids that fit the cost model go further, see
    :func:`time_interleaved`).

    Examples
    --------
    >>> from convbook.bench import time_call
    >>> time_call(lambda: sum(range(100)), repeat=3, min_time=0.001) > 0
    True
    """
    start = time.perf_counter()
    fn()
    once = time.perf_counter() - start
    number = max(1, int(min_time / max(once, 1e-9)))
    samples = []
    for _ in range(max(int(repeat), 1)):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return min(samples) if stat == "min" else statistics.median(samples)


def time_interleaved(calls, repeat=5, min_time=0.005, rounds_per_repeat=3):
    """Seconds of one call of each function, timed in turn: the minimum over many rounds.

    Each round runs, one after the other, a loop of every function in
    ``calls`` (as many calls as make the loop last ``min_time``), and each
    function keeps its fastest loop. On a virtual machine whose speed drifts
    by up to a factor of two over fractions of a second, timing one method
    to the end before the next lets a slow spell fall on one method only, so
    that the ranking of near-equal methods changed from run to run (two runs
    of the holdout grid agreed on a method within 10% in only 86% of
    layers). Interleaved, every method samples the same spells, and many
    short loops give each a chance at a fast one (95-100% agreement).

    Parameters
    ----------
    calls : dict
        Any keys, to functions without arguments.
    repeat : int
        ``rounds_per_repeat * repeat`` rounds are run.
    min_time : float
        Seconds each loop lasts at least.
    rounds_per_repeat : int

    Returns
    -------
    dict
        The keys of ``calls`` to seconds per call.

    Examples
    --------
    >>> from convbook.bench import time_interleaved
    >>> times = time_interleaved({"short": lambda: sum(range(10)), "long": lambda: sum(range(10_000))},
    ...                          repeat=2, min_time=0.001)
    >>> times["short"] < times["long"]
    True
    """
    numbers = {}
    for key, fn in calls.items():
        fn()  # warm-up
        start = time.perf_counter()
        fn()
        numbers[key] = max(1, int(min_time / max(time.perf_counter() - start, 1e-9)))
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(max(int(repeat), 1) * rounds_per_repeat):
        for key, fn in calls.items():
            start = time.perf_counter()
            for _ in range(numbers[key]):
                fn()
            best[key] = min(best[key], (time.perf_counter() - start) / numbers[key])
    return best


# -- grids ---------------------------------------------------------------------


def single_grid(quick=False):
    """(ndim, n, k) cases of the single-channel grid.

    Examples
    --------
    >>> from convbook.bench import single_grid
    >>> single_grid(quick=True)[:2]
    [(1, 1000, 3), (1, 1000, 9)]
    """
    if quick:
        return [(1, 1000, k) for k in (3, 9, 33, 129)] + [(2, 64, k) for k in (3, 7, 15)]
    one = [(1, n, k) for n in (1000, 100_000) for k in (3, 9, 33, 129, 513) if k < n]
    two = [(2, n, k) for n in (64, 256) for k in (3, 5, 9, 17, 33) if k < n]
    return one + two


def _layer_case(batch, channels, n, k, padding=None, c_out=None):
    padding = (k - 1) // 2 if padding is None else padding
    c_out = channels if c_out is None else c_out
    return (batch, channels, n, n), (c_out, channels, k, k), padding


def layer_grid(quick=False):
    """(x_shape, w_shape, padding) cases the model's constants are fitted on.

    "Same" padding, stride 1, as in most CNN layers. Mostly C_in = C_out,
    plus two pairs that differ (not those of the holdout grid), without which
    costs that grow with C_in cannot be told from those that grow with C_out.

    Examples
    --------
    >>> from convbook.bench import layer_grid
    >>> layer_grid(quick=True)[0]
    ((4, 4, 16, 16), (4, 4, 1, 1), 0)
    """
    if quick:
        return [_layer_case(4, c, 16, k) for c in (4, 16) for k in (1, 3, 5, 9)]
    return [
        _layer_case(8, c_in, n, k, c_out=c_out)
        for c_in, c_out in ((4, 4), (16, 16), (64, 64), (4, 32), (32, 8))
        for n in ((16, 32, 64) if c_in * c_out < 64 * 64 else (16, 32))
        for k in (1, 3, 5, 7, 11)
        if c_in * c_out * n * n * k * k <= 64 * 64 * 32 * 32 * 49
    ]


def holdout_grid(quick=False):
    """Cases the constants are *not* fitted on: other batches, sizes, paddings.

    Examples
    --------
    >>> from convbook.bench import holdout_grid
    >>> len(holdout_grid(quick=True)) < len(holdout_grid())
    True
    """
    if quick:
        return [_layer_case(2, 8, 20, k, padding=0) for k in (3, 7)]
    cases = []
    for c_in, c_out in ((3, 32), (12, 12), (48, 24), (32, 96)):
        for n in (24, 48):
            for k in (2, 3, 4, 6, 9):
                cases.append(_layer_case(6, c_in, n, k, padding=0 if k % 2 == 0 else None, c_out=c_out))
    return [c for c in cases if c[0][1] * c[1][0] * c[0][2] ** 2 * c[1][2] ** 2 <= 64 * 64 * 32 * 32 * 49]


def compare_grid(quick=False):
    """The PyTorch comparison: B=32, C_in=C_out=64, 32x32 inputs, "same" padding.

    Examples
    --------
    >>> from convbook.bench import compare_grid
    >>> compare_grid(quick=True)
    [((32, 64, 32, 32), (64, 64, 3, 3), 1), ((32, 64, 32, 32), (64, 64, 7, 7), 3)]
    """
    ks = (3, 7) if quick else (3, 5, 7, 9, 11)
    return [_layer_case(32, 64, 32, k) for k in ks]


def _case_methods(grid, case, torch):
    """Methods timed on one case.

    The comparison skips direct above 5x5, where it is hopeless, and adds
    winograd on 3x3 kernels (the only size it takes; the cost model does not
    cover it).
    """
    methods = LAYER_METHODS
    if grid == "compare" and case[1][2] > 5:
        methods = ("im2col", "fft")
    if grid == "compare" and case[1][2:] == (3, 3):
        methods += ("winograd",)
    return methods + (("torch",) if torch is not None else ())


# -- measurements --------------------------------------------------------------


def _single_calls(ndim, n, k, rng):
    x = rng.standard_normal((n,) * ndim)
    h = rng.standard_normal((k,) * ndim)
    products = float(n**ndim * k**ndim)
    calls = {method: (lambda method=method: convolve(x, h, method=method)) for method in CONVOLUTION_METHODS}
    calls |= {
        "scipy-direct": lambda: scipy.signal.convolve(x, h, method="direct"),
        "scipy-fft": lambda: scipy.signal.convolve(x, h, method="fft"),
        "scipy-oaconvolve": lambda: scipy.signal.oaconvolve(x, h),
    }
    if products > _LOOP_LIMIT:
        del calls["loop"]
    if products > _SCIPY_DIRECT_LIMIT:
        del calls["scipy-direct"]
    return calls


def bench_single(cases, repeat=3, progress=None):
    """Time the single-channel methods ("full" mode, float64) on ``cases``.

    Returns
    -------
    list of dict
        One row per (case, method), with the keys of the CSV files.

    Examples
    --------
    >>> from convbook.bench import bench_single
    >>> rows = bench_single([(1, 50, 3)], repeat=1)
    >>> sorted({r["method"] for r in rows}) == sorted(SINGLE_METHODS)
    True
    """
    rng = np.random.default_rng(0)
    rows = []
    for ndim, n, k in cases:
        for method, fn in _single_calls(ndim, n, k, rng).items():
            seconds = time_call(fn, repeat)
            rows.append(_row("single", method, seconds, ndim=ndim, n=n, k=k))
            if progress is not None:
                progress.update(f"{ndim}-D n={n} k={k} {method}")
    return rows


def _row(grid, method, seconds, **fields):
    row = dict.fromkeys(FIELDS, "")
    row.update(fields, grid=grid, method=method, seconds=seconds)
    return row


def _layer_fields(x_shape, w_shape, padding):
    b, c_in, n, _ = x_shape
    return dict(ndim=2, n=n, k=w_shape[2], batch=b, c_in=c_in, c_out=w_shape[0], padding=padding, stride=1)


def bench_layers(
    cases, methods=LAYER_METHODS, passes=("forward",), repeat=3, grid="layer", progress=None, torch=None
):
    """Time conv2d methods on layer ``cases`` (float32).

    Parameters
    ----------
    cases : list of (x_shape, w_shape, padding)
    methods : sequence of str
        Methods of :func:`convbook.conv2d`, ``"winograd"`` (for
        :func:`convbook.winograd_conv2d`, F(4x4, 3x3)) and ``"torch"``
        (needs ``torch``).
    passes : sequence of {"forward", "training"}
        ``"training"`` times the forward pass followed by both gradients:
        :func:`convbook.conv2d_forward` and :func:`convbook.conv2d_vjp`, so
        that the FFT reuses its forward spectra as a training step would
        (and as PyTorch's autograd keeps its saved tensors).
    repeat : int
        Timing loops per measurement.
    grid : str
        Name written in the rows' ``grid`` column. The ``"compare"`` grid
        keeps the median of ``repeat`` loops of each call (:func:`time_call`);
        the others, whose times the cost model is fitted to and judged by,
        take the minimum over loops of all the methods of a layer run in turn
        (:func:`time_interleaved`).
    progress : ProgressBar, optional
    torch : module, optional
        The imported ``torch``, for the ``"torch"`` method.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> from convbook.bench import bench_layers
    >>> rows = bench_layers([((1, 2, 6, 6), (2, 2, 3, 3), 1)], repeat=1)
    >>> [r["method"] for r in rows]
    ['direct', 'im2col', 'fft']
    """
    from .layers import conv2d, conv2d_forward, conv2d_vjp, winograd_conv2d, winograd_conv2d_backward

    def forward(x, w, padding, method):
        if method == "winograd":  # its own function: conv2d's methods are the three the model covers
            return winograd_conv2d(x, w, padding=padding)
        return conv2d(x, w, padding=padding, method=method)

    def train(x, w, padding, method):
        if method == "winograd":
            return winograd_conv2d_backward(x, w, forward(x, w, padding, method), padding)
        y, ctx = conv2d_forward(x, w, padding=padding, method=method)
        return conv2d_vjp(ctx, y)

    rng = np.random.default_rng(0)
    rows = []
    for x_shape, w_shape, padding in cases:
        x = rng.standard_normal(x_shape).astype(np.float32)
        w = rng.standard_normal(w_shape).astype(np.float32)
        calls = {}
        for method in methods:
            for which in passes:
                if method == "torch":
                    fn = _torch_call(torch, x, w, padding, which)
                elif which == "forward":

                    def fn(method=method, x=x, w=w, padding=padding):
                        return forward(x, w, padding, method)
                else:

                    def fn(method=method, x=x, w=w, padding=padding):
                        return train(x, w, padding, method)

                calls[method, which] = fn
        if grid == "compare":
            times = {key: time_call(fn, repeat) for key, fn in calls.items()}
        else:
            times = time_interleaved(calls, repeat)
        for (method, which), seconds in times.items():
            rows.append(
                _row(grid, method, seconds, **_layer_fields(x_shape, w_shape, padding), **{"pass": which})
            )
            if progress is not None:
                progress.update(f"{x_shape} k={w_shape[2]} {method} {which}")
    return rows


def _torch_call(torch, x, w, padding, which):
    if torch is None:
        raise ValueError("the 'torch' method needs the torch module (pass torch=...)")
    xt = torch.from_numpy(x)
    wt = torch.from_numpy(w)
    if which == "forward":

        def fn():
            with torch.no_grad():
                return torch.nn.functional.conv2d(xt, wt, padding=padding)

        return fn
    xg = xt.clone().requires_grad_(True)
    wg = wt.clone().requires_grad_(True)

    def train():
        y = torch.nn.functional.conv2d(xg, wg, padding=padding)
        return torch.autograd.grad(y, (xg, wg), y.detach())

    return train


def _record(row):
    b, c_in, c_out, n, k = (int(row[f]) for f in ("batch", "c_in", "c_out", "n", "k"))
    return dict(
        x_shape=(b, c_in, n, n),
        w_shape=(c_out, c_in, k, k),
        stride=int(row["stride"]),
        padding=int(row["padding"]),
        method=row["method"],
        seconds=float(row["seconds"]),
    )


def pick_accuracy(rows, constants=None, tolerance=0.10):
    """How often the cost model's pick is within ``tolerance`` of the fastest measured method.

    Parameters
    ----------
    rows : list of dict
        Forward-pass layer rows (from :func:`bench_layers` or :func:`read_csv`)
        with all three methods per case.
    constants : dict, optional
        Passed to :func:`convbook.cost.choose_conv2d_method`.
    tolerance : float
        0.10: a pick at most 10 % slower than the best counts as right.

    Returns
    -------
    (float, list of dict)
        The fraction right, and per case the measured times, the pick, the
        best method and the pick's slowdown ``t_pick / t_best``.

    Examples
    --------
    >>> from convbook.bench import pick_accuracy
    >>> rows = [dict(batch=1, c_in=1, c_out=1, n=8, k=3, stride=1, padding=1, method=m, seconds=s, **{"pass": "forward"})
    ...         for m, s in (("direct", 1.0), ("im2col", 1.05), ("fft", 3.0))]
    >>> pick_accuracy(rows, {"direct": [1, 0, 0, 0, 0], "im2col": [0.5, 0, 0, 0, 0], "fft": [2, 0, 0, 0, 0, 0]})[0]
    1.0
    """
    cases = {}
    for row in rows:
        if row.get("pass", "forward") != "forward" or row["method"] not in LAYER_METHODS:
            continue
        r = _record(row)
        key = (r["x_shape"], r["w_shape"], r["stride"], r["padding"])
        cases.setdefault(key, {})[r["method"]] = r["seconds"]
    results = []
    for (x_shape, w_shape, stride, padding), times in cases.items():
        if set(times) != set(LAYER_METHODS):
            continue
        pick = cost.choose_conv2d_method(x_shape, w_shape, stride, padding, constants)
        best = min(times, key=times.get)
        results.append(
            dict(
                x_shape=x_shape,
                w_shape=w_shape,
                padding=padding,
                pick=pick,
                best=best,
                slowdown=times[pick] / times[best],
                **times,
            )
        )
    if not results:
        raise ValueError("rows must hold forward times of all three methods for at least one layer")
    right = sum(r["slowdown"] <= 1 + tolerance for r in results)
    return right / len(results), results


def write_csv(rows, path):
    """Write benchmark rows to a CSV file with the columns ``FIELDS``."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path):
    """Read rows written by :func:`write_csv` (values as strings, ``seconds`` as float)."""
    with pathlib.Path(path).open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["seconds"] = float(row["seconds"])
    return rows


# -- plots ---------------------------------------------------------------------


def _plot(grid, rows, path, constants=None):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convbook import plotting

    # The book's style, and its check that no text is too small to read.
    with plt.rc_context():
        plotting.use_book_style()
        fig = _draw(plt, plotting, grid, rows, constants)
        fig.savefig(path)
        plt.close(fig)
    return path


def _draw(plt, plotting, grid, rows, constants):
    if grid == "single":
        fig, axes = plt.subplots(1, 2, figsize=(7, 3.9), sharey=True)
        for ax, ndim in zip(axes, (1, 2)):
            sub = [r for r in rows if int(r["ndim"]) == ndim]
            if not sub:
                continue
            n = max(int(r["n"]) for r in sub)
            for method in SINGLE_METHODS:
                pts = sorted(
                    (int(r["k"]), r["seconds"]) for r in sub if r["method"] == method and int(r["n"]) == n
                )
                if pts:
                    ax.loglog(*zip(*pts), "o-", label=method)
            # One plain label per measured size: a log axis spanning about a
            # decade would label its minor ticks too, and they collide.
            plotting.label_log_ticks(ax, [int(r["k"]) for r in sub if int(r["n"]) == n])
            size = f"n = {n}" if ndim == 1 else f"{n} × {n}"
            ax.set(title=f"{ndim}-D, {size}", xlabel="kernel size K")
        axes[0].set_ylabel("seconds")
        # Below the panels, where the legend covers no data.
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3)
        return fig
    keys = sorted({(int(r["c_in"]), int(r["n"])) for r in rows})
    ncols = min(2, len(keys))
    nrows = -(-len(keys) // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(7, 2.6 * nrows + 0.8), squeeze=False, sharex=True, sharey=True
    )
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    for ax, (c, n) in zip(axes.flat, keys):
        sub = [_record(r) | {"pass": r["pass"]} for r in rows if (int(r["c_in"]), int(r["n"])) == (c, n)]
        for method in sorted({r["method"] for r in sub}):
            pts = sorted(
                (r["w_shape"][2], r["seconds"])
                for r in sub
                if r["method"] == method and r["pass"] == "forward"
            )
            if not pts:
                continue
            line = ax.semilogy(*zip(*pts), "o-", label=method)[0]
            if method in LAYER_METHODS:
                predicted = sorted(
                    (
                        r["w_shape"][2],
                        cost.predict_conv2d_times(r["x_shape"], r["w_shape"], 1, r["padding"], constants)[
                            method
                        ],
                    )
                    for r in sub
                    if r["method"] == method and r["pass"] == "forward"
                )
                ax.semilogy(*zip(*predicted), "--", color=line.get_color())
        ax.set(title=f"C = {c}, {n} × {n}")
    for ax in axes[-1]:
        ax.set_xlabel("kernel size K")
    for ax in axes[:, 0]:
        ax.set_ylabel("seconds")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="gray", ls="--", lw=1))
    labels.append("model (dashed)")
    fig.legend(handles, labels, loc="outside lower center", ncol=4)
    return fig


# -- command line --------------------------------------------------------------


def parse_args(argv=None):
    """Parse the command line of ``python -m convbook.bench``.

    Examples
    --------
    >>> from convbook.bench import parse_args
    >>> args = parse_args(["--quick", "--grid", "layer"])
    >>> args.quick, args.grid
    (True, ['layer'])
    """
    parser = argparse.ArgumentParser(
        prog="python -m convbook.bench",
        description="Time direct, im2col and FFT convolution side by side, write CSV files and crossover "
        "plots, and refit the cost model's machine constants (convbook.cost).",
    )
    parser.add_argument(
        "--grid",
        nargs="+",
        choices=GRIDS,
        default=None,
        help="grids to run (default: single layer; with --fit: layer holdout; with --torch: compare)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small grids: the whole run takes under a minute"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="timing loops per point, median kept (default 3, 1 with --quick)",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("convbook_bench"),
        help="folder for the CSV files and plots (default ./convbook_bench)",
    )
    parser.add_argument(
        "--fit", action="store_true", help="refit the cost-model constants on the layer grid and save them"
    )
    parser.add_argument(
        "--constants",
        type=pathlib.Path,
        default=None,
        help=f"JSON file --fit writes (default {cost.constants_path()}, which the model reads)",
    )
    parser.add_argument(
        "--torch",
        action="store_true",
        help="also time PyTorch conv2d (forward and forward+backward); needs torch",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for torch (torch.set_num_threads); default: the cores available",
    )
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error(f"--repeat must be a positive integer, got {args.repeat}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be a positive integer, got {args.threads}")
    if args.grid is None:
        args.grid = ["layer", "holdout"] if args.fit else ["compare"] if args.torch else ["single", "layer"]
    if args.fit and "layer" not in args.grid:
        parser.error("--fit needs the layer grid (add: --grid layer)")
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    return args


def _import_torch(threads):
    try:
        import torch
    except ImportError:
        raise SystemExit(
            "--torch needs PyTorch, which is not importable in this Python "
            f"({sys.executable}); run with a Python that has torch, or drop --torch"
        ) from None
    torch.set_num_threads(threads or available_cpus())
    return torch


def _print_table(grid, rows, out):
    if grid == "compare":
        fwd = {(int(r["k"]), r["method"], r["pass"]): r["seconds"] for r in rows}
        ks = sorted({int(r["k"]) for r in rows})
        methods = [m for m in (*LAYER_METHODS, "winograd", "torch") if any(key[1] == m for key in fwd)]
        out.write("\nms per call (ratio to torch where timed)\n")
        for which in ("forward", "training"):
            out.write(f"{which:>9s} " + "".join(f"{m:>18s}" for m in methods) + "\n")
            for k in ks:
                ref = fwd.get((k, "torch", which))
                cells = []
                for m in methods:
                    t = fwd.get((k, m, which))
                    if t is None:
                        cells.append("-")
                        continue
                    ratio = f" ({t / ref:4.2f}x)" if ref and m != "torch" else ""
                    cells.append(f"{t * 1e3:9.1f}{ratio}")
                out.write(f"   K = {k:<3d} " + "".join(f"{c:>18s}" for c in cells) + "\n")
        return
    if grid == "single":
        return
    accuracy, results = pick_accuracy(rows)
    out.write(
        f"\n{grid}: the model's pick is within 10% of the fastest in {accuracy:.0%} of {len(results)} layers\n"
    )


def main(argv=None):
    """Run the benchmark command line (see ``python -m convbook.bench --help``)."""
    args = parse_args(argv)
    torch = _import_torch(args.threads) if args.torch else None
    info = machine_info()
    out = sys.stdout
    out.write("convbook.bench on " + ", ".join(f"{k} {v}" for k, v in info.items()) + "\n")
    grids = {
        "single": single_grid(args.quick),
        "layer": layer_grid(args.quick),
        "holdout": holdout_grid(args.quick),
        "compare": compare_grid(args.quick),
    }
    progress_stream = None if args.quiet else sys.stderr
    fitted = None
    for grid in args.grid:
        cases = grids[grid]
        if grid == "single":
            total = sum(len(_single_calls(nd, n, k, np.random.default_rng(0))) for nd, n, k in cases)
            bar = ProgressBar(total, progress_stream)
            rows = bench_single(cases, args.repeat, bar)
        else:
            passes = ("forward", "training") if grid == "compare" else ("forward",)
            bar = ProgressBar(
                sum(len(_case_methods(grid, c, torch)) for c in cases) * len(passes), progress_stream
            )
            rows = []
            for case in cases:
                rows += bench_layers(
                    [case], _case_methods(grid, case, torch), passes, args.repeat, grid, bar, torch
                )
        bar.close()
        csv_path = write_csv(rows, args.out / f"bench_{grid}.csv")
        out.write(f"{grid}: {len(rows)} timings written to {csv_path}\n")
        if grid == "layer" and args.fit:
            fitted = cost.fit_constants([_record(r) for r in rows])
            fitted["machine"] = info
            path = cost.save_constants(fitted, args.constants)
            errors = ", ".join(f"{m} {e:.0%}" for m, e in fitted["rms_relative_error"].items())
            out.write(f"refitted constants written to {path} (rms relative error: {errors})\n")
            if args.constants is not None:
                out.write(f"the model reads them with CONVBOOK_COST_CONSTANTS={path}\n")
        if grid in ("layer", "holdout") and fitted is not None:
            accuracy, results = pick_accuracy(rows, fitted)
            out.write(
                f"{grid}: the refitted model's pick is within 10% of the fastest in "
                f"{accuracy:.0%} of {len(results)} layers\n"
            )
        else:
            _print_table(grid, rows, out)
        if not args.no_plots:
            try:
                png = _plot(grid, rows, args.out / f"bench_{grid}.png", fitted)
                out.write(f"{grid}: plot written to {png}\n")
            except ImportError:
                out.write(f"{grid}: no plot (matplotlib is not installed)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
