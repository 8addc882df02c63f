"""SPC charts (qikit.plot.spc): the structure of what is drawn, checked against the result.

The tests read the artists matplotlib holds (lines by their gid, texts, markers) rather than pixels: the
limits drawn must be the result's limits, signals must sit at the signalling points and differ from
ordinary points in shape, annotations must carry their text and not overlap.
"""

from __future__ import annotations

import io
import warnings
from html import escape

import matplotlib

matplotlib.use("agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from plot_helpers import line, per_point  # noqa: E402

from qikit.errors import ProvisionalLimitsWarning, QIDataError, QIError  # noqa: E402
from qikit.improve.pdsa import PDSACycle, PDSALog  # noqa: E402
from qikit.plot import accessible, alt_text  # noqa: E402
from qikit.plot.spc import plot_spc  # noqa: E402
from qikit.stats.api import spc  # noqa: E402
from qikit.stats.charts import CHARTS  # noqa: E402


def caption_of(ax) -> str:
    texts = [t.get_text() for t in ax.texts if t.get_gid() == "caption"]
    assert len(texts) == 1
    return texts[0].replace("\n", " ")


def gids(ax):
    return [ln.get_gid() for ln in ax.lines]




MONTHS = pd.date_range("2022-01-01", periods=24, freq="MS")
# 24 monthly counts: a stable process with one very high month (point 10)
COUNTS = [12, 14, 11, 13, 15, 12, 14, 13, 12, 30, 13, 12, 14, 11, 13, 12, 15, 13, 12, 14, 13, 11, 12, 14]
DENOMS = [400, 420, 380, 410, 405, 395, 430, 400, 390, 410, 415, 400, 420, 380, 410, 405, 395, 430, 400, 390,
          410, 415, 400, 420]
DF = pd.DataFrame({"month": MONTHS, "events": COUNTS, "cases": DENOMS})


def test_limits_drawn_equal_the_result_limits_stepped_per_part():
    res = spc(DF, x="month", y="events", n="cases", chart="p", part=[12], multiply=100)
    ax = plot_spc(res)
    d = res.data
    np.testing.assert_allclose(per_point(line(ax, "ucl")), d["ucl"])
    np.testing.assert_allclose(per_point(line(ax, "lcl")), d["lcl"])
    np.testing.assert_allclose(per_point(line(ax, "cl")), d["cl"])
    # one break (NaN) between the two parts, and the step from one point's limit to the next's lies
    # halfway between them (the p chart's limits vary with the denominator)
    xs = np.asarray(line(ax, "ucl").get_xdata(), float)
    assert np.isnan(xs).sum() == 1
    xp = mdates.date2num(d["x"].to_numpy())
    left = xs[~np.isnan(xs)].reshape(-1, 2)[:, 0]
    np.testing.assert_allclose(left[1:12], (xp[:11] + xp[1:12]) / 2)
    # the data line holds the plotted values
    np.testing.assert_allclose(line(ax, "data").get_ydata(), d["y"])


def test_line_styles_centre_solid_limits_dashed_two_sigma_dotted():
    res = spc(DF, x="month", y="events", chart="c")
    ax = plot_spc(res, two_sigma=True, target=10)
    assert line(ax, "cl").get_linestyle() == "-"
    assert line(ax, "ucl").get_linestyle() == "--" and line(ax, "lcl").get_linestyle() == "--"
    assert line(ax, "ucl_2s").get_linestyle() == ":" and line(ax, "lcl_2s").get_linestyle() == ":"
    assert line(ax, "target").get_linestyle() == "-."
    assert line(ax, "target").get_ydata()[0] == 10
    np.testing.assert_allclose(per_point(line(ax, "ucl_2s")), res.data["ucl_2s"])
    # data, points, excluded, signals, cl, ucl, lcl, ucl_2s, lcl_2s, target
    assert sorted(gids(ax)) == sorted(["data", "points", "excluded", "signals", "cl", "ucl", "lcl", "ucl_2s",
                                       "lcl_2s", "target"])


def test_signals_sit_at_the_signalling_points_and_differ_in_shape():
    res = spc(DF, x="month", y="events", chart="c")
    ax = plot_spc(res)
    sig = res.data["signal"].to_numpy()
    assert sig.sum() == 1  # the month with 30
    signals, points = line(ax, "signals"), line(ax, "points")
    np.testing.assert_allclose(signals.get_xdata(), mdates.date2num(res.data["x"][sig].to_numpy()))
    np.testing.assert_allclose(signals.get_ydata(), [30])
    assert len(points.get_xdata()) == len(res.data) - 1
    # readable in greyscale: another shape, larger, and a different colour as well
    assert signals.get_marker() != points.get_marker()
    assert signals.get_markersize() > points.get_markersize()
    assert signals.get_markerfacecolor() != points.get_markerfacecolor()


def test_excluded_points_are_hollow_and_named_in_the_caption():
    res = spc(DF, x="month", y="events", chart="c", exclude=["2022-10-01"])
    ax = plot_spc(res)
    ex = line(ax, "excluded")
    np.testing.assert_allclose(ex.get_xdata(), mdates.date2num(np.array(["2022-10-01"], dtype="datetime64[ns]")))
    assert matplotlib.colors.to_hex(ex.get_markerfacecolor()) == "#ffffff"
    caption = caption_of(ax)
    assert "Hollow points" in caption


def test_phase_boundaries_are_labelled_with_the_part_labels():
    df = DF.assign(phase=["Before"] * 10 + ["Checklist"] * 14)
    with pytest.warns(ProvisionalLimitsWarning):  # 10 points before
        res = spc(df, x="month", y="events", chart="c", part="phase")
    ax = plot_spc(res)
    phases = [ln for ln in ax.lines if ln.get_gid() == "phase"]
    assert len(phases) == 1
    x_between = mdates.date2num(pd.Timestamp("2022-10-01")), mdates.date2num(pd.Timestamp("2022-11-01"))
    assert phases[0].get_xdata()[0] == pytest.approx(sum(x_between) / 2)
    assert [t.get_text() for t in ax.texts if t.get_gid() == "part_label"] == ["Before", "Checklist"]
    with pytest.warns(ProvisionalLimitsWarning):
        numbered = spc(DF, x="month", y="events", chart="c", part=[6, 18])
    labels = [t.get_text() for t in plot_spc(numbered).texts if t.get_gid() == "part_label"]
    assert labels == ["Part 1", "Part 2", "Part 3"]


def test_freeze_marks_the_baseline():
    res = spc(DF, x="month", y="events", chart="c", freeze=12)
    ax = plot_spc(res)
    assert len([ln for ln in ax.lines if ln.get_gid() == "freeze"]) == 1
    assert "Limits from the first 12 points" in caption_of(ax)


def test_caption_title_labels_and_alt_text():
    res = spc(DF, x="month", y="events", n="cases", chart="u", multiply=1000, rules="weco", ylab="Falls per 1,000")
    ax = plot_spc(res)
    caption = caption_of(ax)
    assert "u chart (rates)" in caption and "Western Electric rules" in caption
    assert "dashed: 3-sigma control limits" in caption
    assert ax.get_ylabel() == "Falls per 1,000"
    assert ax.get_xlabel() == "month"
    assert "u chart" in ax.get_title(loc="left")
    assert alt_text(ax) == res.describe() == alt_text(ax.figure)
    edge = [t.get_text() for t in ax.texts if t.get_gid() == "edge_label"]
    assert any(t.startswith("Mean ") for t in edge)


def test_accessible_figure_carries_alt_text_as_html():
    res = spc(DF, x="month", y="events", chart="run")
    wrapped = accessible(plot_spc(res))
    html = wrapped._repr_html_()
    assert f'alt="{escape(res.describe(), quote=True)}"' in html
    assert "<img" in html and html.count("data:image/png;base64,") == 1
    assert wrapped._repr_png_().startswith(b"\x89PNG")


def test_dates_use_the_concise_formatter_and_categories_their_labels():
    ax = plot_spc(spc(DF, x="month", y="events", chart="c"))
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    units = pd.DataFrame({"ward": list("ABCDEFGH"), "falls": [3, 5, 4, 6, 2, 5, 4, 3], "days": [900] * 8})
    with pytest.warns(ProvisionalLimitsWarning):
        res = spc(units, x="ward", y="falls", n="days", chart="u")
    ax = plot_spc(res)
    assert [t.get_text() for t in ax.get_xticklabels()] == list("ABCDEFGH")
    assert line(ax, "data").get_linestyle() == "None"  # no line joining different units


def test_a_long_series_stays_legible():
    rng = np.random.default_rng(7)
    y = rng.normal(50, 5, 600)
    y[300] = 90
    res = spc(y=y, chart="i")
    ax = plot_spc(res)
    assert line(ax, "points").get_markersize() == 0  # 600 points: the line alone ...
    assert 300 + 1 in line(ax, "signals").get_xdata()  # ... but signals keep their diamonds
    assert line(ax, "signals").get_markersize() >= 5
    assert line(ax, "data").get_linewidth() < 1.0


def make_frame(chart: str) -> dict:
    """Arguments for spc() giving 24 usable points for each chart type."""
    rng = np.random.default_rng(11)
    if chart in ("xbar", "s"):
        x = np.repeat(np.arange(1, 25), 4)
        return dict(data=pd.DataFrame({"x": x, "y": rng.normal(20, 2, len(x))}), x="x", y="y")
    if chart in ("p", "pp"):
        n = rng.integers(80, 120, 24)
        return dict(data=pd.DataFrame({"x": MONTHS, "y": rng.binomial(n, 0.2), "n": n}), x="x", y="y", n="n")
    if chart in ("u", "up"):
        n = rng.integers(800, 1200, 24)
        return dict(data=pd.DataFrame({"x": MONTHS, "y": rng.poisson(n * 0.01), "n": n}), x="x", y="y", n="n")
    if chart in ("t", "g"):
        return dict(data=pd.DataFrame({"x": MONTHS, "y": rng.integers(1, 60, 24)}), x="x", y="y")
    return dict(data=pd.DataFrame({"x": MONTHS, "y": rng.poisson(12, 24)}), x="x", y="y")


@pytest.mark.parametrize("chart", list(CHARTS))
def test_every_chart_type_plots_its_own_limits(chart):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalLimitsWarning)
        res = spc(chart=chart, **make_frame(chart))
    ax = plot_spc(res)
    d = res.data
    assert len(line(ax, "data").get_ydata()) == len(d)
    np.testing.assert_allclose(per_point(line(ax, "cl")), d["cl"])
    if CHARTS[chart].has_limits:
        np.testing.assert_allclose(per_point(line(ax, "ucl")), d["ucl"])
        np.testing.assert_allclose(per_point(line(ax, "lcl")), d["lcl"])
    else:
        assert "ucl" not in gids(ax) and "lcl" not in gids(ax)
    assert CHARTS[chart].title in caption_of(ax)


def test_facets_give_a_grid_with_shared_or_free_y():
    df = pd.concat([DF.assign(ward="A"), DF.assign(ward="B", events=[c * 3 for c in COUNTS]),
                    DF.assign(ward="C")], ignore_index=True)
    res = spc(df, x="month", y="events", chart="c", facet="ward")
    fig = plot_spc(res)
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 3
    assert [a.get_title(loc="left") for a in axes] == ["A", "B", "C"]
    assert len({a.get_ylim() for a in axes}) == 1
    # the shared range shows ward B's highest point (90) and ward A's limits
    assert axes[0].get_ylim()[1] > 90
    free = plot_spc(res, sharey=False)
    lims = [a.get_ylim() for a in free.axes if a.get_visible()]
    assert lims[1][1] > 3 * lims[0][1] / 2
    for a, key in zip(axes, ["A", "B", "C"], strict=True):
        sub = res.data[res.data["facet"] == key]
        np.testing.assert_allclose(per_point(line(a, "ucl")), sub["ucl"])
    assert alt_text(fig) == res.describe()
    with pytest.raises(QIError, match="pass fig="):
        plot_spc(res, ax=plt.gca())
    four = spc(pd.concat([df, DF.assign(ward="D")], ignore_index=True), x="month", y="events", chart="c",
               facet="ward")
    assert len([a for a in plot_spc(four, ncols=2).axes if a.get_visible()]) == 4


def test_draws_into_a_given_axes_and_never_shows(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot called plt.show()"))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    res = spc(DF, x="month", y="events", chart="c")
    assert plot_spc(res, ax=a2, color="black") is a2
    assert matplotlib.colors.to_hex(line(a2, "data").get_color()) == "#000000"
    assert not a1.lines
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # the caption and labels lay out without error
    assert buf.getvalue().startswith(b"\x89PNG")


# ------------------------------------------------------------------------------------------ annotations

def _annotations(ax):
    return [t for t in ax.texts if t.get_gid() == "annotation"]


def test_annotations_from_a_list_carry_their_text_above_the_data_with_leader_lines():
    res = spc(DF, x="month", y="events", chart="c")
    ax = plot_spc(res, annotate=[("2022-10-01", "PDSA 1: new discharge checklist"), ("2023-06-01", "PDSA 2")])
    anns = _annotations(ax)
    assert [a.get_text() for a in anns] == ["PDSA 1: new discharge checklist", "PDSA 2"]
    assert all(a.arrow_patch is not None for a in anns)
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    top_of_data = ax.transData.transform((0, np.nanmax(res.data[["y", "ucl"]].to_numpy())))[1]
    for a in anns:
        assert a.get_bbox_patch().get_window_extent(r).y0 > top_of_data  # labels never cover the data
    # the leader line of PDSA 1 points at the data at its x (the month with 30)
    assert anns[0].xy == pytest.approx((mdates.date2num(pd.Timestamp("2022-10-01")), 30))


def test_annotations_at_close_x_are_staggered_without_overlap():
    res = spc(DF, x="month", y="events", chart="c")
    notes = [("2022-05-01", "PDSA 1: discharge checklist"), ("2022-06-01", "PDSA 2: weekend discharge"),
             ("2022-07-01", "PDSA 3: pharmacy TTO"), ("2023-10-01", "Audit")]
    ax = plot_spc(res, annotate=notes)
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [a.get_bbox_patch().get_window_extent(r) for a in _annotations(ax)]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (notes[i][1], notes[j][1])
    rows = {round(a.get_position()[1], 4) for a in _annotations(ax)}
    assert len(rows) >= 2  # staggered into more than one row


def test_annotations_from_a_dataframe_and_a_pdsa_log():
    res = spc(DF, x="month", y="events", chart="c")
    table = pd.DataFrame({"x": pd.to_datetime(["2022-03-01", "2023-01-01"]), "text": ["Start", "New rota"]})
    assert [a.get_text() for a in _annotations(plot_spc(res, annotate=table))] == ["Start", "New rota"]
    log = PDSALog("Discharge before noon")
    log.add(PDSACycle("Cycle 1", "One patient?", "Discharged by noon", "Bay 2", start="2022-04-04"))
    log.add(PDSACycle("Cycle 2", "A whole bay?", "4 of 6 by noon", "Bay 2", start="2022-09-05",
                      do="Done", study="3 of 6", act="adapt: add pharmacy"))
    texts = [a.get_text() for a in _annotations(plot_spc(res, annotate=log))]
    assert texts == ["Cycle 1", "Cycle 2 (adapt)"]


def test_bad_annotations_say_what_is_wrong():
    res = spc(DF, x="month", y="events", chart="c")
    with pytest.raises(QIDataError, match="column 'text' is missing") as err:
        plot_spc(res, annotate=pd.DataFrame({"x": ["2022-03-01"], "label": ["a"]}))
    assert err.value.column == "text"
    with pytest.raises(QIDataError, match="not an \\(x, text\\) pair"):
        plot_spc(res, annotate=["PDSA 1"])
    with pytest.raises(QIError, match="not a date"):
        plot_spc(res, annotate=[("soon", "PDSA 1")])
    units = pd.DataFrame({"ward": list("ABCDEFGHIJKL"), "falls": [3, 5, 4, 6, 2, 5, 4, 3, 4, 5, 3, 4]})
    with pytest.raises(QIError, match="not one of the chart's x labels"):
        plot_spc(spc(units, x="ward", y="falls", chart="c"), annotate=[("Z", "new")])


def test_long_annotations_are_shortened_but_keep_their_full_text():
    res = spc(DF, x="month", y="events", chart="c")
    long = "PDSA 4: a very long description of the change that was tested on the ward"
    ann = _annotations(plot_spc(res, annotate=[("2022-06-01", long)]))[0]
    assert ann.get_text().endswith("…") and len(ann.get_text()) <= 40
    assert ann._qikit_full_text == long


def test_result_methods_draw_through_the_plot_layer():
    res = spc(DF, x="month", y="events", chart="c")
    ax = res.plot(two_sigma=True)
    assert "ucl_2s" in gids(ax)
    assert alt_text(ax) == res.describe()
