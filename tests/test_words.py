"""One place for the words and numbers a trainee reads (qikit.display): numbers, dates, lists, plurals and the
rule sets' names, and every result writing them the same way. Expected values are worked out by hand in the
comments, never copied from the code's output."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.display import (
    RULE_SET_NAMES,
    Text,
    date_style,
    fmt_date,
    fmt_label,
    fmt_list,
    fmt_number,
    fmt_value,
    number_formatter,
    plural,
    rule_set_name,
)
from qikit.stats.rules import RULE_SETS

VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


# ---------------------------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("value, text", [
    (999.6, "1,000"),          # 3 significant figures of 999.6 round up to 1000: never "1e+03"
    (0.0000123, "0.0000123"),  # a small rate is written out, never "1.23e-05"
    (1234.5, "1,234"),         # no decimals at 4 digits; round half to even gives 1234
    (-0.000456, "-0.000456"),
])
def test_numbers_never_in_scientific_notation(value, text):
    assert fmt_number(value) == text


def test_missing_numbers_take_the_callers_word():
    assert fmt_number(float("nan"), missing="n/a") == "n/a"
    assert fmt_number(None, missing="") == ""
    assert fmt_number(float("inf"), missing="missing") == "missing"


def test_user_values_keep_their_digits_and_x_numbers_no_separator():
    # a target of 95.3 stays 95.3; 1234567 gains separators but no exponent (",.6g" gave 1.23457e+06)
    assert (fmt_value(95.3), fmt_value(1234567), fmt_value(0.0125)) == ("95.3", "1,234,567", "0.0125")
    # x values that are numbers are labels: a year is 2020, not 2,020
    assert (fmt_label(2020.0), fmt_label(np.int64(7)), fmt_label(2.5)) == ("2020", "7", "2.5")


def test_chart_numbers_share_decimals_from_the_spread():
    # spread 4.60 - -0.72 = 5.32: log10 -> 0, so 2 - 0 = 2 decimals for centre and both limits
    fmt = number_formatter(5.32, 1.94)
    assert (fmt(35 / 18), fmt(35 / 18 + 2.66), fmt(35 / 18 - 2.66)) == ("1.94", "4.60", "-0.72")
    # spread 1,500: log10 -> 3, 2 - 3 < 0 -> no decimals; a value rounding to 0 loses its minus sign
    fmt = number_formatter(1500, 20000)
    assert (fmt(21234.6), fmt(-0.2)) == ("21,235", "0")


# ----------------------------------------------------------------------------------- lists and plurals

def test_lists_and_plurals_read_as_sentences():
    assert fmt_list([]) == ""
    assert fmt_list(["Ward 3"]) == "Ward 3"
    assert fmt_list(["Ward 3", "Ward 5", "Ward 8"]) == "Ward 3, Ward 5 and Ward 8"
    assert fmt_list(["a", "b"], conjunction="or") == "a or b"
    assert fmt_list(list("abcdefgh"), limit=6) == "a, b, c, d, e, f and 2 more"
    assert (plural(1, "point"), plural(2, "point"), plural(0, "time"), plural(1500, "point")) == \
        ("1 point", "2 points", "0 times", "1,500 points")


def test_rule_set_names_are_written_once_for_every_rule_set():
    assert set(RULE_SET_NAMES) == set(RULE_SETS)
    assert rule_set_name("anhoej") == "Anhøj runs analysis"
    assert rule_set_name("ihi", long=False) == "IHI run-chart"
    from qikit.plot.spc import caption_text, rule_set_label

    assert rule_set_label("nelson") == "Nelson rules"
    res = qikit.spc(y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6], chart="i", rules="weco")
    assert "Signals: Western Electric rules." in caption_text(res)


# ---------------------------------------------------------------------------------------------- dates

def test_one_date_style_decided_by_the_spacing():
    # monthly data on the 15th: one point a month, always the 15th -> months
    assert date_style(pd.to_datetime(["2021-01-15", "2021-02-15", "2021-03-15"])) == "month"
    # month ends (31 Jan, 28 Feb, 31 Mar) -> months
    assert date_style(pd.to_datetime(["2021-01-31", "2021-02-28", "2021-03-31"])) == "month"
    # quarterly data on the 1st -> months
    assert date_style(pd.to_datetime(["2020-01-01", "2020-04-01", "2020-07-01"])) == "month"
    # weekly data: even two points in different months keep their day (28 Jan, 4 Feb)
    assert date_style(pd.to_datetime(["2020-01-28", "2020-02-04"])) == "day"
    # two dates in January -> days (two labels would both read "Jan 2020")
    assert date_style(pd.to_datetime(["2020-01-01", "2020-01-29"])) == "day"
    # events on irregular dates, months apart, keep their day: the day is information
    assert date_style(pd.to_datetime(["2023-01-05", "2023-03-20", "2023-07-02"])) == "day"
    # a single date keeps its day; a time of day -> times; missing dates are ignored
    assert date_style(pd.to_datetime(["2021-04-15"])) == "day"
    assert date_style(pd.to_datetime(["2021-05-02 08:15", None])) == "time"


def test_dates_written_the_same_way_everywhere():
    d = dt.datetime(2021, 4, 15, 9, 5)
    assert [fmt_date(d, s) for s in ("month", "day", "time", "long")] == \
        ["Apr 2021", "15 Apr 2021", "15 Apr 2021 09:05", "15 April 2021"]
    from qikit.improve._util import long_date

    assert long_date(dt.date(2026, 3, 1)) == "1 March 2026"  # the improvement toolkit's sentences agree


def test_spc_and_mdc_explain_write_the_same_month():
    """The issue's defect: for monthly data on the 15th spc().explain() said "15 May 2021" where
    mdc().explain() said "May 2021". Both now read the spacing (30 days, one a month) and say "May 2021"."""
    df = pd.DataFrame({"m": pd.date_range("2021-01-01", periods=18, freq="MS") + pd.Timedelta(days=14),
                       "y": VIGNETTE})
    # point 5 is 15 May 2021, the 10: beyond both charts' upper limit (about 4.60)
    spc_text = qikit.spc(df, x="m", y="y", chart="i").explain()
    mdc_text = qikit.mdc(df, x="m", y="y").explain()
    assert "Point 5 (May 2021) is above the upper control limit" in spc_text
    assert "in May 2021: the value 10 is above the upper process limit" in mdc_text
    assert "15 May" not in spc_text + mdc_text


def test_weekly_dates_keep_the_day_in_both():
    df = pd.DataFrame({"w": pd.date_range("2024-01-01", periods=18, freq="7D"), "y": VIGNETTE})
    # point 5 is 2024-01-01 + 28 days = 29 Jan 2024
    assert "Point 5 (29 Jan 2024)" in qikit.spc(df, x="w", y="y", chart="i").explain()
    assert "in 29 Jan 2024" in qikit.mdc(df, x="w", y="y").explain()


# -------------------------------------------------------------------------------------- SPC sentences

def test_spc_runs_are_split_with_the_runs_analysis_tie_rule():
    """0.1 + 0.2 is 0.30000000000000004: on the centre line 0.3 by runs.py's tie rule, so the shift is ONE run
    of 16 points (1-8 and 10-17) not counting point 9. np.sign called point 9 "above" and split the run in two
    runs of 8, which is not the run the Anhøj rule found."""
    y = [0.5] * 8 + [0.1 + 0.2] + [0.5] * 8 + [0.1] * 8
    text = qikit.spc(y=y, chart="run", cl=0.3).explain()
    # 24 useful points: longest-run limit round(log2(24) + 3) = round(7.58) = 8
    assert "Points 1-17 (1 to 17) form a run of 16 points above the centre line (not counting 1 on the line); " \
           "with 24 useful points a run longer than 8 is unlikely to be chance" in text
    assert "run of 8 points" not in text
    # 16 above then 8 below: one crossing
    assert "The line crosses the centre line 1 time;" in text


def test_parts_are_named_in_prose():
    y = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6] + [9, 10, 9, 10, 9, 10, 9, 10, 9, 10, 9, 10]
    res = qikit.spc(y=y, chart="i", part=[12])
    # part 1: mean 5.5, moving ranges all 1 -> limits 5.5 -/+ 3 / 1.128 = 2.84 / 8.16
    assert "Before the change: centre line 5.5, control limits 2.84 to 8.16. After the change: centre line 9.5" \
        in res.describe()
    # 12 alternating points: longest run 1 point, 11 crossings
    assert "Before the change, the longest run is 1 point (more than" in res.explain()
    assert "After the change, the longest run is 1 point" in res.explain()
    three = qikit.spc(y=y, chart="run", part=[8, 16]).describe()
    assert "Before the first change: median 5.5. After change 1: median" in three and "After change 2:" in three
    labelled = pd.DataFrame({"y": y, "phase": ["Baseline"] * 12 + ["PDSA 1"] * 12})
    text = qikit.spc(labelled, y="y", part="phase", chart="run").describe()
    assert "Part Baseline: median 5.5. Part PDSA 1: median 9.5." in text


def test_centre_named_from_the_chart_spec():
    # a g chart's centre line is the median (ChartSpec.centre_name), as its legend says
    days = [3, 7, 1, 12, 5, 7, 2, 9, 7, 4, 6, 8]  # sorted: 1 2 3 4 5 6 7 7 7 8 9 12 -> median (6 + 7) / 2 = 6.5
    assert "Median 6.5, control limits" in qikit.spc(y=days, chart="g").describe()
    assert "Centre line 5.5" in qikit.spc(y=[5, 6] * 6, chart="i").describe()


def test_results_speak_text_that_jupyter_shows_as_html():
    results = [qikit.spc(y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6], chart="i"),
               qikit.mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5]),
               qikit.pareto(None, ["falls", "falls", "drug"]),
               qikit.funnel(None, unit=list("ABCDE"), y=[10, 12, 9, 30, 11], n=[100, 110, 95, 120, 105])]
    for res in results:
        for text in (res.explain() if hasattr(res, "explain") else res.describe(), res.describe()):
            assert isinstance(text, Text) and "<p" in text._repr_html_()


def test_chart_labels_are_rounded_and_never_scientific():
    from qikit.plot._base import number

    assert (number(999.6), number(0.0000456), number(float("nan"))) == ("1,000", "0.0000456", "")


def test_rounding_noise_beside_a_limit_reads_as_zero():
    """A t chart's lower limit back-transformed from a negative value is 4.7e-11, not a number a trainee should
    read as "0.0000000000473": beside an upper limit of 330 it is 0."""
    assert fmt_number(4.73e-11, scale=330) == "0" and fmt_number(0.5, scale=330) == "0.5"
    ulcers = qikit.datasets.pressure_ulcers()
    gaps = ulcers["days_between"].where(ulcers["days_between"] > 0, 0.5)
    after = int((ulcers["date"] < "2023-10-01").sum())
    text = qikit.spc(y=gaps.to_numpy(), chart="t", part=[after]).describe()
    # the t chart's transformed lower limit after the change is below 0, so the limit is 0 (Nelson 1994)
    assert "After the change: centre line" in text and ", control limits 0 to " in text.split("After the change")[1]
    assert "0.0000" not in text and "e-" not in text


def test_bare_numbers_on_x_are_labelled_subgroup_on_both_charts():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y = [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5]
    ax_spc = qikit.spc(y=y, chart="i").plot()
    ax_mdc = qikit.mdc(x=list(range(1, 16)), y=y).plot()
    assert ax_spc.get_xlabel() == ax_mdc.get_xlabel() == "Subgroup"
    plt.close("all")
