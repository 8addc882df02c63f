"""Pareto charts and funnel plots (qikit.plot.pareto, qikit.plot.funnel): what is drawn is the result."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from plot_helpers import line  # noqa: E402

from qikit.errors import QIError  # noqa: E402
from qikit.plot import alt_text  # noqa: E402
from qikit.stats.funnel import funnel  # noqa: E402
from qikit.stats.pareto import pareto  # noqa: E402

CAUSES = pd.DataFrame({"cause": ["Footwear", "Slip", "Bed", "Toilet", "Other", "Delirium"],
                       "n": [5, 30, 22, 15, 4, 9]})


def test_pareto_bars_are_sorted_with_a_cumulative_line_and_80_line():
    res = pareto(CAUSES, "cause", "n", other="Other")
    ax = res.plot()
    heights = [b.get_height() for b in ax.patches]
    assert heights == [30, 22, 15, 9, 5, 4]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Slip", "Bed", "Toilet", "Delirium", "Footwear", "Other"]
    pax = ax.qikit_percent_axis
    np.testing.assert_allclose(line(pax, "cumulative").get_ydata(), res.data["cum_percent"])
    assert line(pax, "eighty").get_ydata()[0] == 80
    # total 85: 30/85 = 35.3%, 52/85 = 61.2%, 67/85 = 78.8%, 76/85 = 89.4% -> vital few are the first 4
    assert [b.get_gid() for b in ax.patches] == ["bar_vital"] * 4 + ["bar"] * 2
    assert ax.patches[0].get_hatch() is None and ax.patches[-1].get_hatch() == "///"  # greyscale too
    assert [t.get_text() for t in ax.texts if t.get_gid() == "bar_label"] == ["30", "22", "15", "9", "5", "4"]
    assert alt_text(ax) == res.describe()


def test_pareto_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert pareto(CAUSES, "cause", "n").plot(ax=ax) is ax


PROP = pd.DataFrame({"ward": ["A", "B", "C", "D"], "deaths": [30, 35, 50, 85], "patients": [100, 100, 400, 400]})


def test_funnel_draws_the_result_curves_and_names_units_outside():
    res = funnel(PROP, "ward", "deaths", "patients", multiply=100)
    ax = res.plot()
    for gid in ("ucl", "lcl", "ucl_2s", "lcl_2s"):
        np.testing.assert_allclose(line(ax, gid).get_ydata(), res.curve[gid])
        np.testing.assert_allclose(line(ax, gid).get_xdata(), res.curve["n"])
    assert line(ax, "ucl").get_linestyle() == "--" and line(ax, "ucl_2s").get_linestyle() == ":"
    assert line(ax, "cl").get_ydata()[0] == pytest.approx(20)
    out = line(ax, "units_3s")
    np.testing.assert_allclose(out.get_xdata(), [100, 400])  # B and C
    np.testing.assert_allclose(out.get_ydata(), [35, 12.5])
    np.testing.assert_allclose(line(ax, "units_2s").get_ydata(), [30])  # A, between 2 and 3 sigma
    np.testing.assert_allclose(line(ax, "units").get_ydata(), [21.25])  # D
    assert out.get_marker() != line(ax, "units").get_marker()
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "unit_label") == ["B", "C"]
    assert sorted(t.get_text() for t in res.plot(label="2s").texts if t.get_gid() == "unit_label") == ["A", "B", "C"]
    assert alt_text(ax) == res.describe()


def test_funnel_names_at_most_max_labels_the_furthest_out():
    # 30 wards of 100 patients around 20%, three far out: 60%, 2% and 45%
    y = [20] * 27 + [60, 2, 45]
    res = funnel(None, unit=[f"W{i}" for i in range(30)], y=y, n=[100] * 30)
    names = sorted(t.get_text() for t in res.plot(max_labels=2).texts if t.get_gid() == "unit_label")
    # pooled p = (27 x 20 + 107) / 3000 = 0.21567; on the arcsine scale t0 = asin(sqrt(0.21567)) = 0.48373 and
    # se = 1 / (2 sqrt(100)) = 0.05. z: W27 (asin(sqrt(0.60)) = 0.88608) -> 8.05; W28 (asin(sqrt(0.02)) =
    # 0.14190) -> -6.84; W29 (asin(sqrt(0.45)) = 0.73531) -> 5.03: the two furthest out are W27 and W28
    # (a 2% ward is further from 22% than a 45% ward once the scale allows for skew near 0)
    assert names == ["W27", "W28"]
    with pytest.raises(QIError, match="label="):
        res.plot(label="all")


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _caption(ax):
    return " ".join(t.get_text() for t in ax.figure.texts) + " ".join(t.get_text() for t in ax.texts)


def test_the_chart_says_which_funnel_was_drawn():
    # Five trusts that vary more than chance allows (see tests/test_funnel.py: phi 1.91, tau2 0.000697)
    five = pd.DataFrame({"trust": list("VWXYZ"), "y": [30, 40, 100, 160, 400], "n": [100, 200, 400, 800, 1600]})
    plain = funnel(five, "trust", "y", "n")
    wide = funnel(five, "trust", "y", "n", overdispersion="additive")
    ax_plain, ax_wide = plain.plot(), wide.plot()
    assert "2-sigma" in _legend_texts(ax_plain) and "3-sigma" in _legend_texts(ax_plain)
    assert "2-sigma, widened" in _legend_texts(ax_wide) and "3-sigma, widened" in _legend_texts(ax_wide)
    assert "chance alone" in _caption(ax_plain)
    assert "limits widened for over-dispersion, phi 1.91, tau² 0.000697" in _caption(ax_wide)
    for gid in ("ucl", "lcl", "ucl_2s", "lcl_2s"):
        np.testing.assert_allclose(line(ax_wide, gid).get_ydata(), wide.curve[gid])
    # the widened curve lies outside the plain one everywhere
    assert (wide.curve["ucl"] > plain.curve["ucl"]).all() and (wide.curve["lcl"] < plain.curve["lcl"]).all()
    assert alt_text(ax_wide) == wide.describe()
    spieg = funnel(five, "trust", "y", "n", z=(1.959964, 3.090232)).plot()
    assert "95%" in _legend_texts(spieg) and "Beyond 99.8%" in _legend_texts(spieg)
    ratio = funnel(pd.DataFrame({"u": list("ABC"), "o": [5, 12, 30], "e": [8, 10, 25]}), "u", "o", "e",
                   kind="ratio").plot()
    assert ratio.get_ylabel().startswith("Observed / expected") and "exact Poisson limits" in _caption(ratio)


def test_log_axis_labels_are_plain_numbers():
    res = funnel(None, unit=list("ABCD"), y=[300, 3500, 5000, 85000], n=[1000, 10000, 40000, 400000])
    ax = res.plot(logx=True)
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "10,000" in labels and "100,000" in labels and "20,000" in labels
    assert not any("times" in t or "^" in t or "$" in t for t in labels)  # no mathtext powers of ten
