"""Making Data Count presentation (qikit.plot.mdc, qikit.plot.board): chart, icons and the board table."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from plot_helpers import line, per_point  # noqa: E402

from qikit.errors import ProvisionalLimitsWarning, QIDataError, QIError  # noqa: E402
from qikit.plot import alt_text  # noqa: E402
from qikit.plot.board import MDCBoard, mdc_summary_table  # noqa: E402
from qikit.plot.mdc import mdc_icons, plot_mdc  # noqa: E402
from qikit.plot.style import MDC_COLOURS  # noqa: E402
from qikit.stats.mdc import mdc  # noqa: E402


def icons_of(ax_or_fig):
    axes = ax_or_fig.child_axes if hasattr(ax_or_fig, "child_axes") else ax_or_fig.axes
    return [a for a in axes if hasattr(a, "_qikit_icon")]


# The NHSRplotthedots vignette series: 18 months, one very high month (the 5th).
MONTHS = pd.date_range("2020-01-01", periods=18, freq="MS")
VIGNETTE = pd.DataFrame({"month": MONTHS, "y": [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]})
# A stable series, then a shift up over the last 7 points: the latest point is special cause, high.
SHIFT = pd.DataFrame({"month": pd.date_range("2020-01-01", periods=21, freq="MS"),
                      "y": [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 9, 9.5, 9, 9.5, 9, 9.5, 9]})


def test_chart_draws_the_result_limits_and_marks_special_cause_by_shape():
    res = mdc(VIGNETTE, x="month", y="y", improvement="decrease", target=5)
    ax = plot_mdc(res)
    d = res.data
    np.testing.assert_allclose(per_point(line(ax, "mean")), d["mean"])
    np.testing.assert_allclose(per_point(line(ax, "upl")), d["upl"])
    np.testing.assert_allclose(per_point(line(ax, "lpl")), d["lpl"])
    assert line(ax, "upl").get_linestyle() == "--" and line(ax, "mean").get_linestyle() == "-"
    assert line(ax, "target").get_ydata()[0] == 5
    concern, common = line(ax, "concern"), line(ax, "common_cause")
    # the 10 in May 2020 is above the upper limit: a concern when lower is better
    assert list(concern.get_ydata()) == [10]
    assert len(common.get_ydata()) == 17
    assert concern.get_marker() != common.get_marker()  # greyscale: shape differs
    assert matplotlib.colors.to_hex(concern.get_markerfacecolor()) == MDC_COLOURS["special_cause_concern"].lower()
    assert matplotlib.colors.to_hex(common.get_markerfacecolor()) == MDC_COLOURS["common_cause"].lower()
    assert alt_text(ax) == res.describe()
    caption = " ".join(t.get_text() for t in ax.texts if t.get_gid() == "caption").replace("\n", " ")
    assert "Making Data Count XmR chart (lower is better)" in caption


def test_icons_sit_in_the_chart_corner():
    # upper process limit 4.6 (mean 1.94 + 2.66 x 1) is below the target of 5, lower is better: the
    # target is consistently met (P); the latest point is common cause.
    res = mdc(VIGNETTE, x="month", y="y", improvement="decrease", target=5)
    ax = plot_mdc(res)
    icons = icons_of(ax)
    assert [a._qikit_icon for a in icons] == [("variation", "common_cause"), ("assurance", "consistent_pass")]
    assert [t.get_text() for t in icons[1].texts] == ["P"]
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    box = ax.get_window_extent(r)
    for a in icons:  # in the top right corner of the chart, inside it
        b = a.get_window_extent(r)
        assert b.x0 > box.x0 + 0.75 * box.width and b.x1 <= box.x1 + 1
        assert b.y0 > box.y0 + 0.75 * box.height and b.y1 <= box.y1 + 1
    # and above every point
    top = ax.transData.transform((0, res.data["y"].max()))[1]
    assert all(a.get_window_extent(r).y0 > top for a in icons)
    no_icons = plot_mdc(res, icons=False)
    assert icons_of(no_icons) == []


def test_improving_shift_gives_an_H_icon_in_blue():
    res = mdc(SHIFT, x="month", y="y", improvement="increase")
    ax = plot_mdc(res)
    imp = line(ax, "improvement")
    assert imp.get_marker() == "^"  # a triangle pointing the way the process moved
    (var_icon,) = icons_of(ax)  # no target, so no assurance icon
    assert var_icon._qikit_icon == ("variation", "special_cause_improvement")
    assert [t.get_text() for t in var_icon.texts] == ["H"]
    ring = [p for p in var_icon.patches if p.get_gid() == "icon_ring"][0]
    assert matplotlib.colors.to_hex(ring.get_edgecolor()) == MDC_COLOURS["special_cause_improvement"].lower()
    worse = mdc(SHIFT, x="month", y="y", improvement="decrease")
    (icon,) = icons_of(plot_mdc(worse))
    assert icon._qikit_icon == ("variation", "special_cause_concern") and icon.texts[0].get_text() == "H"


def test_neutral_special_causes_are_squares():
    res = mdc(SHIFT, x="month", y="y", improvement="neutral")
    ax = plot_mdc(res)
    assert line(ax, "neutral").get_marker() == "s"


def test_rebase_breaks_the_lines_and_labels_the_segments():
    with pytest.warns(ProvisionalLimitsWarning):  # 7 points after the rebase
        res = mdc(SHIFT, x="month", y="y", rebase=["2021-03-01"])
    ax = plot_mdc(res)
    assert np.isnan(np.asarray(line(ax, "mean").get_xdata(), float)).sum() == 1
    np.testing.assert_allclose(per_point(line(ax, "mean")), res.data["mean"])
    assert len([ln for ln in ax.lines if ln.get_gid() == "rebase"]) == 1
    assert [t.get_text() for t in ax.texts if t.get_gid() == "part_label"] == ["Segment 1", "Segment 2"]


def test_two_sigma_lines_are_optional_and_dotted():
    res = mdc(VIGNETTE, x="month", y="y")
    ax = plot_mdc(res, two_sigma=True)
    assert line(ax, "upl_2s").get_linestyle() == ":"
    np.testing.assert_allclose(per_point(line(ax, "upl_2s")), res.data["upl_2s"])
    assert "upl_2s" not in [ln.get_gid() for ln in plot_mdc(res).lines]


def test_annotations_avoid_the_icons():
    res = mdc(VIGNETTE, x="month", y="y", target=5)
    ax = plot_mdc(res, annotate=[("2021-06-01", "PDSA 3: a label right under the icons")])
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    label = [t for t in ax.texts if t.get_gid() == "annotation"][0].get_bbox_patch().get_window_extent(r)
    for icon in icons_of(ax):
        assert not label.overlaps(icon.get_window_extent(r))


def test_facets_plot_as_a_grid_with_icons_per_panel():
    df = pd.concat([VIGNETTE.assign(ward="A"), SHIFT.iloc[:18].assign(ward="B"),
                    VIGNETTE.assign(ward="C", y=VIGNETTE["y"] * 10)], ignore_index=True)
    res = mdc(df, x="month", y="y", facet="ward", target={"A": 5})
    fig = plot_mdc(res, sharey=False)
    panels = [a for a in fig.axes if a.get_visible() and a.get_gid() != "mdc_icon" and a.get_title(loc="left")]
    assert [a.get_title(loc="left") for a in panels] == ["ward: A", "ward: B", "ward: C"]
    assert len({a.get_ylim() for a in panels}) == 3  # free y axes
    assert [len(icons_of(a)) for a in panels] == [2, 1, 1]
    shared = plot_mdc(res)  # shared by default
    panels = [a for a in shared.axes if a.get_visible() and a.get_title(loc="left")]
    assert len({a.get_ylim() for a in panels}) == 1
    assert panels[0].get_ylim()[1] > 100  # ward C's 10 x 10
    with pytest.raises(QIError, match="pass fig="):
        plot_mdc(res, ax=plt.gca())


def test_icons_alone_make_a_figure():
    res = mdc(VIGNETTE, x="month", y="y", improvement="decrease", target=5)
    fig = mdc_icons(res)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [a._qikit_icon for a in icons_of(fig)] == [("variation", "common_cause"), ("assurance", "consistent_pass")]
    words = [t.get_text() for t in fig.texts]
    assert "Common cause" in words and "Target consistently met" in words
    assert "Common cause" in alt_text(fig)
    df = pd.concat([VIGNETTE.assign(ward="A"), SHIFT.iloc[:18].assign(ward="B")], ignore_index=True)
    fig = mdc_icons(mdc(df, x="month", y="y", facet="ward"))
    assert len(icons_of(fig)) == 2 and {"A", "B"} <= {t.get_text() for t in fig.texts}


def test_summary_table_reads_the_latest_status_of_each_metric():
    flat = mdc(VIGNETTE, x="month", y="y", improvement="decrease", target=5)
    up = mdc(SHIFT, x="month", y="y", improvement="increase")
    board = mdc_summary_table({"Falls": flat, "Discharges before noon": up})
    assert isinstance(board, pd.DataFrame) and isinstance(board, MDCBoard)
    assert {"metric", "latest", "mean", "lpl", "upl", "variation", "assurance"} <= set(board.columns)
    assert board["metric"].tolist() == ["Falls", "Discharges before noon"]
    assert board["latest"].tolist() == [1.0, 9.0]  # the last values of the two series
    np.testing.assert_allclose(board["mean"], [flat.summary()["mean"].iloc[-1], up.summary()["mean"].iloc[-1]])
    np.testing.assert_allclose(board["upl"], [flat.summary()["upl"].iloc[-1], up.summary()["upl"].iloc[-1]])
    assert board["variation"].tolist() == ["common_cause", "special_cause_improvement"]
    assert board["assurance"].tolist() == ["consistent_pass", None]
    assert board["direction"].tolist() == [0, 1]
    html = board._repr_html_()
    assert html.count("<svg") >= 3 + 6  # icons in the rows, and the key
    assert "Falls" in html and "Special cause, improving (high)" in html and "Target consistently met" in html
    assert "Key:" in html
    assert type(board.head(1)) is pd.DataFrame  # derived tables are plain DataFrames


def test_summary_table_has_a_row_per_facet_and_refuses_other_objects():
    df = pd.concat([VIGNETTE.assign(ward="A"), SHIFT.iloc[:18].assign(ward="B")], ignore_index=True)
    board = mdc_summary_table({"Falls": mdc(df, x="month", y="y", facet="ward")})
    assert board["metric"].tolist() == ["Falls: A", "Falls: B"]
    with pytest.raises(QIDataError, match="not a Making Data Count result"):
        mdc_summary_table({"Falls": pd.DataFrame()})
    with pytest.raises(QIDataError, match="as a dict"):
        mdc_summary_table([])


def test_board_needs_no_matplotlib():
    code = ("import sys, qikit\nfrom qikit.plot import mdc_summary_table\n"
            "r = qikit.mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5])\n"
            "mdc_summary_table({'m': r})._repr_html_()\nprint('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_result_methods_draw_through_the_plot_layer():
    res = mdc(VIGNETTE, x="month", y="y", improvement="decrease", target=5)
    ax = res.plot(icons=False)
    assert "concern" in [ln.get_gid() for ln in ax.lines] and icons_of(ax) == []
    fig = res.icons(size=0.8)
    assert len(icons_of(fig)) == 2
