"""The book's figure style and its check that no figure text is too small to read."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convbook import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def book_style():
    with plt.rc_context():
        plotting.use_book_style()
        yield
    plt.close("all")


def test_four_point_text_fails_when_drawn_and_names_the_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    ax.set_xlabel("far too small", fontsize=4)
    with pytest.raises(plotting.FigureTextTooSmall, match="'far too small' at 5.6 px"):
        fig.canvas.draw()


def test_default_style_passes():
    fig, axes = plt.subplots(1, 2)
    for ax in axes:
        ax.loglog([1, 10, 100], [1, 5, 3], label="a line")
        ax.set(title="a title", xlabel="x", ylabel="y")
        ax.legend()
    plotting.show_matrix(axes[0].inset_axes([0.5, 0.5, 0.4, 0.4]), np.eye(3), annotate=True)
    fig.savefig(io.BytesIO(), format="png")
    sizes = plotting.text_sizes(fig)
    assert sizes and sizes[0][1] >= plotting.MIN_TEXT_PX


def test_wide_figures_are_scaled_to_the_column():
    # 8 pt tick labels read at 12.2 px in a 7-inch figure but at 7.8 px in a
    # 10-inch one, which the book shrinks to the column.
    for width, ok in ((7, True), (10, False)):
        fig, ax = plt.subplots(figsize=(width, 3))
        ax.tick_params(labelsize=8)
        if ok:
            fig.canvas.draw()
        else:
            with pytest.raises(plotting.FigureTextTooSmall, match="figure 1100 px wide"):
                fig.canvas.draw()


def test_hidden_and_undrawn_texts_are_not_checked():
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "hidden", fontsize=3).set_visible(False)
    ax.text(0.5, 0.5, "", fontsize=3)
    off = fig.add_axes([0.1, 0.1, 0.2, 0.2])
    off.tick_params(labelsize=3)
    off.set_axis_off()
    fig.canvas.draw()
    assert "hidden" not in [s for s, _ in plotting.text_sizes(fig)]


def test_hook_is_registered_once():
    plotting.use_book_style()
    assert plt.rcParams["figure.hooks"].count("convbook.plotting:install_text_check") == 1


def test_label_log_ticks_gives_one_label_per_value():
    fig, ax = plt.subplots()
    ks = [3, 5, 9, 17, 33]
    ax.loglog(ks, ks)
    plotting.label_log_ticks(ax, ks)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in ks]
    assert not [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()]


def test_label_log_ticks_names_a_bad_axis():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axis"):
        plotting.label_log_ticks(ax, [3, 9], axis="z")
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, -1.0, "10"])
def test_check_text_sizes_names_a_bad_min_px(bad):
    fig, _ = plt.subplots()
    with pytest.raises((ValueError, TypeError), match="min_px"):
        plotting.check_text_sizes(fig, min_px=bad)
    plt.close(fig)
