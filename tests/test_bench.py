"""The benchmark command line: argument parsing, a tiny run end to end, accuracy scoring."""

import io
import sys

import pytest

import convbook.cost
from convbook import bench


def test_help_describes_the_tool(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.parse_args(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--quick", "--fit", "--torch", "--grid", "--out", "--constants"):
        assert flag in text


def test_default_grids_follow_the_task():
    assert bench.parse_args([]).grid == ["single", "layer"]
    assert bench.parse_args(["--fit"]).grid == ["layer", "holdout"]
    assert bench.parse_args(["--torch"]).grid == ["compare"]
    assert bench.parse_args(["--quick"]).repeat == 1
    assert bench.parse_args(["--repeat", "7"]).repeat == 7


@pytest.mark.parametrize(
    "argv",
    [
        ["--grid", "nonsense"],
        ["--repeat", "0"],
        ["--repeat", "two"],
        ["--fit", "--grid", "single"],
        ["--threads", "0"],
    ],
)
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.parse_args(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_torch_flag_without_torch_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(SystemExit, match="--torch needs PyTorch"):
        bench.main(["--torch", "--quick"])


def test_progress_bar_counts_and_draws():
    out = io.StringIO()
    bar = bench.ProgressBar(3, out, width=6)
    for label in "abc":
        bar.update(label)
    bar.close()
    frames = out.getvalue().split("\r")
    assert frames[1].startswith("[##....]   1/3") and frames[-1].startswith("[######]   3/3")
    silent = bench.ProgressBar(3, None)
    silent.update("a")
    assert silent.done == 1


def test_tiny_run_writes_csv_fits_and_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "single_grid", lambda quick: [(1, 40, 3), (2, 8, 3)])
    layers = [((1, c, 8, 8), (c, c, k, k), (k - 1) // 2) for c in (1, 4) for k in (1, 3, 5)]
    monkeypatch.setattr(bench, "layer_grid", lambda quick: layers)
    monkeypatch.setattr(bench, "holdout_grid", lambda quick: [((2, 3, 9, 9), (2, 3, 2, 2), 0)])
    constants = tmp_path / "constants.json"
    argv = [
        "--grid",
        "single",
        "layer",
        "holdout",
        "--fit",
        "--repeat",
        "1",
        "--quiet",
        "--out",
        str(tmp_path),
        "--constants",
        str(constants),
    ]
    assert bench.main(argv) == 0
    text = capsys.readouterr().out
    assert "numpy" in text and "scipy" in text and "cores" in text
    single = bench.read_csv(tmp_path / "bench_single.csv")
    assert {r["method"] for r in single} == set(bench.SINGLE_METHODS)
    layer = bench.read_csv(tmp_path / "bench_layer.csv")
    assert len(layer) == len(layers) * 3 and all(r["seconds"] > 0 for r in layer)
    assert (tmp_path / "bench_single.png").stat().st_size > 0
    assert (tmp_path / "bench_layer.png").stat().st_size > 0
    fitted = convbook.cost.load_constants(constants)
    assert fitted["machine"]["cores"] >= 1
    assert f"written to {constants}" in text and "holdout: the refitted model's pick" in text


def test_pick_accuracy_scores_slowdowns():
    def rows(times, n):
        return [
            dict(
                batch=1,
                c_in=2,
                c_out=2,
                n=n,
                k=3,
                stride=1,
                padding=1,
                method=m,
                seconds=t,
                **{"pass": "forward"},
            )
            for m, t in times.items()
        ]

    prefer_direct = {"direct": [0.01, 0, 0, 0, 0], "im2col": [2.0, 0, 0, 0, 0], "fft": [3.0, 0, 0, 0, 0, 0]}
    # The model always picks direct: right within 10 % in the first case, 1.5x too slow in the second.
    data = rows({"direct": 1.05, "im2col": 1.0, "fft": 2.0}, 8) + rows(
        {"direct": 3.0, "im2col": 2.0, "fft": 2.5}, 9
    )
    accuracy, results = bench.pick_accuracy(data, prefer_direct)
    assert accuracy == 0.5
    assert [r["best"] for r in results] == ["im2col", "im2col"]
    assert results[1]["slowdown"] == pytest.approx(1.5)
    with pytest.raises(ValueError, match="all three methods"):
        bench.pick_accuracy(data[:2], prefer_direct)


def test_csv_round_trip(tmp_path):
    rows = [bench._row("single", "fft", 0.5, ndim=1, n=10, k=3)]
    back = bench.read_csv(bench.write_csv(rows, tmp_path / "a" / "b.csv"))
    assert back[0]["method"] == "fft" and back[0]["seconds"] == 0.5 and back[0]["n"] == "10"


def test_cores_and_torch_threads_without_sched_getaffinity(monkeypatch):
    """macOS and Windows have no os.sched_getaffinity: os.cpu_count() stands in."""
    import os
    import types

    from convbook import _parallel

    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    threads = []
    fake_torch = types.SimpleNamespace(set_num_threads=threads.append, __version__="0.0")
    monkeypatch.setitem(sys.modules, "torch", fake_torch)
    assert _parallel.available_cpus() == 3
    assert bench._import_torch(None) is fake_torch and threads == [3]
    bench._import_torch(2)
    assert threads == [3, 2]
    assert bench.machine_info()["cores"] == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # "undetermined"
    assert _parallel.available_cpus() == 1


def test_single_plot_labels_each_measured_kernel_size_once():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convbook import plotting

    ks = {1: [3, 9, 33, 129, 513], 2: [3, 5, 9, 17, 33]}
    rows = [
        {"ndim": d, "n": 4096 if d == 1 else 128, "k": k, "method": m, "seconds": 1e-5 * k * (i + 1)}
        for d in ks
        for k in ks[d]
        for i, m in enumerate(bench.SINGLE_METHODS)
    ]
    with plt.rc_context():
        plotting.use_book_style()
        fig = bench._draw(plt, plotting, "single", rows, None)
        fig.canvas.draw()  # the book's text-size check passes
        for ax, d in zip(fig.axes, ks):
            assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in ks[d]]
            assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))
        plt.close(fig)
