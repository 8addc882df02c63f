"""Making Data Count cut like the SPC side (qikit/stats/mdc/: api, layout, rules, limits, result), its XmR
arithmetic shared with the I chart, and the readings a board and the icons need as methods of the result.
Every expected number is worked out by hand in a comment."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.stats import _xmr, charts
from qikit.stats.mdc import LIMIT_FACTOR, SCREEN_FACTOR, MDCResult, mdc
from qikit.stats.runs import Segments

VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
# mean 35 / 18 = 1.94444; moving ranges 1, 1, 1, 8, 9 and twelve 1s (sum 32, mean 1.88235); screening at
# 3.267 x 1.88235 = 6.1496 drops the 8 and the 9, leaving fifteen 1s: mean moving range 1.


def frame(y) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range("2020-01-01", periods=len(y), freq="MS"), "y": y})


def test_the_package_mirrors_the_spc_side_and_old_imports_work():
    for part in ("api", "layout", "rules", "limits", "result"):
        importlib.import_module(f"qikit.stats.mdc.{part}")
    assert qikit.mdc is mdc and qikit.MDCResult is MDCResult
    from qikit.stats.mdc import (
        POINT_TYPES,
        RULES,
        rule_beyond_limits,
        rule_shift,
        rule_trend,
        rule_two_in_three,
    )

    assert RULES == ("beyond_limits", "trend", "two_in_three", "shift") and len(POINT_TYPES) == 5
    assert all(callable(f) for f in (rule_beyond_limits, rule_shift, rule_trend, rule_two_in_three))


def test_screening_is_the_same_constant_and_arithmetic_as_the_i_chart():
    assert SCREEN_FACTOR == charts.D4 == 3.267
    y = np.array(VIGNETTE, dtype=float)
    # the I chart's own mean moving range and the shared kernel agree: 1 after screening, 32 / 17 without
    assert charts.mean_moving_range(y, screen=True) == pytest.approx(1.0)
    first = np.zeros(len(y), dtype=bool)
    first[0] = True
    mr = _xmr.moving_ranges(y, first)
    for screen, expected in ((True, 1.0), (False, 32 / 17)):
        amr, _ = _xmr.mean_moving_range(mr, ~np.isnan(mr), Segments.one(len(y)), charts.D4 if screen else None,
                                        keep_flat=False)
        assert amr[0] == pytest.approx(expected)
        assert charts.mean_moving_range(y, screen=screen) == pytest.approx(expected)


def test_a_flat_baseline_keeps_its_zero_moving_range_only_in_mdc():
    flat = np.array([4.0, 4.0, 4.0, 4.0])
    first = np.array([True, False, False, False])
    mr = _xmr.moving_ranges(flat, first)
    kept, _ = _xmr.mean_moving_range(mr, ~np.isnan(mr), Segments.one(len(flat)), 3.267, keep_flat=True)
    dropped, _ = _xmr.mean_moving_range(mr, ~np.isnan(mr), Segments.one(len(flat)), 3.267, keep_flat=False)
    assert kept[0] == 0 and np.isnan(dropped[0])
    assert np.isnan(charts.mean_moving_range(flat, screen=True))  # the I chart, as qicharts2: no limits


def test_grouped_moving_ranges_never_cross_a_group_or_a_gap():
    y = np.array([1.0, 3.0, np.nan, 6.0, 10.0, 11.0])
    first = np.array([True, False, False, False, True, False])
    mr = _xmr.moving_ranges(y, first)
    # |3-1| = 2; next to the gap: missing; 6 starts no range (gap before); 10 starts group 2; |11-10| = 1
    assert np.isnan(mr[[0, 2, 3, 4]]).all() and mr[1] == 2 and mr[5] == 1
    amr, used = _xmr.mean_moving_range(mr, np.ones(6, dtype=bool), Segments(None, 2, np.array([4, 2])), None, keep_flat=True)
    assert amr.tolist() == [2.0, 1.0] and used.tolist() == [False, True, False, False, False, True]


def test_the_limit_factor_differs_from_the_i_chart_as_documented():
    """The issue's numbers: on the 18 points the upper limit is 1.94444 + 2.66 x 1 = 4.60444 in Making Data
    Count and 1.94444 + 3 / 1.128 x 1 = 1.94444 + 2.65957 = 4.60402 on the I chart."""
    res = mdc(frame(VIGNETTE), x="month", y="y")
    i_chart = qikit.spc(frame(VIGNETTE), x="month", y="y", chart="i")
    assert LIMIT_FACTOR == 2.66
    assert float(res.summary()["upl"].iloc[0]) == pytest.approx(4.60444, abs=5e-6)
    assert float(i_chart.data["ucl"].iloc[0]) == pytest.approx(4.60402, abs=5e-6)
    text = res.explain()
    # the difference is said once, with this chart's numbers: -0.71513 and 4.60402 round to -0.72 and 4.60
    assert text.count("2.6596") == 1
    assert ("Making Data Count sets the limits at the mean ± 2.66 × the average moving range (3 ÷ 1.128, rounded "
            "as in its guidance); an I chart from qikit.spc() uses 3 ÷ 1.128 = 2.6596 and would put them at -0.72 "
            "to 4.60.") in text
    import qikit.stats.mdc.limits as limits

    assert "4.60444" in limits.__doc__ and "4.60402" in limits.__doc__ and "limit <- 2.66" in limits.__doc__


def test_icon_letter_is_the_one_rule_for_board_and_chart():
    assert MDCResult.icon_letter("special_cause_improvement", 1) == "H"
    assert MDCResult.icon_letter("special_cause_improvement", -1) == "L"  # a falling improvement is low
    assert MDCResult.icon_letter("special_cause_concern", 1) == "H"
    assert MDCResult.icon_letter("special_cause_neutral_low", 1) == "L"  # neutral: the type decides
    assert MDCResult.icon_letter("common_cause", 1) == "" and MDCResult.icon_letter(None) == ""
    from qikit.plot.board import svg_variation, variation_words

    assert ">L</text>" in svg_variation("special_cause_improvement", -1)
    assert variation_words("special_cause_concern", -1) == "Special cause, concerning (low)"
    assert variation_words("special_cause_neutral_high", -1) == "Special cause, neutral (high)"


def test_latest_status_is_computed_by_the_result():
    # decrease is better; the 10 in May 2020 is a concern, but the latest point (Jun 2021, value 1) is common cause
    res = mdc(frame(VIGNETTE), x="month", y="y", improvement="decrease", target=3)
    st = res.latest_status()
    assert st[["latest", "variation", "assurance"]].values.tolist() == [[1.0, "common_cause", "inconsistent"]]
    assert st["x"].iloc[0] == pd.Timestamp("2021-06-01")
    from qikit.plot.board import latest_status

    pd.testing.assert_frame_equal(latest_status(res), st)


def test_latest_status_skips_a_missing_last_value_and_reads_each_facet():
    df = pd.concat([frame(VIGNETTE).assign(ward="A"), frame(VIGNETTE[:-1] + [np.nan]).assign(ward="B")])
    st = mdc(df, x="month", y="y", facet="ward").latest_status()
    assert st["facet"].tolist() == ["A", "B"]
    # B's last value is missing: its latest point with a value is May 2021, a 2
    assert st["x"].tolist() == [pd.Timestamp("2021-06-01"), pd.Timestamp("2021-05-01")]
    assert st["latest"].tolist() == [1.0, 2.0]


def test_mdc_explain_and_describe_are_text():
    from qikit.display import Text

    res = mdc(frame(VIGNETTE), x="month", y="y")
    assert isinstance(res.explain(), Text) and isinstance(res.describe(), Text)


def test_many_facets_are_listed_as_facets_not_rows():
    df = pd.concat([frame([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5]).assign(ward=f"W{i}") for i in range(8)])
    text = mdc(df, x="month", y="y", facet="ward").describe()
    assert "one for each of 8 values of ward (W0, W1, W2, W3, W4, W5 and 2 more)" in text
    assert "rows in all" not in text


def test_signals_share_the_spc_schema():
    """Issue 15: the .signals tables had different columns in SPC and MDC. Both now start with SPC's
    (facet only when faceted) part, x, y, rule, rule_name, detail; MDC adds point_type, row and segment."""
    spc_cols = ["part", "x", "y", "rule", "rule_name", "detail"]
    # the 10 at point 5 is beyond both charts' upper limits (4.60 and 4.60)
    s = qikit.spc(frame(VIGNETTE), x="month", y="y", chart="i").signals
    m = mdc(frame(VIGNETTE), x="month", y="y").signals
    assert list(s.columns) == spc_cols and list(m.columns)[:6] == spc_cols
    assert m[["part", "x", "y", "rule", "rule_name"]].values.tolist() == \
        [[1, pd.Timestamp("2020-05-01"), 10.0, "beyond_limits", "Point outside the process limits"]]
    assert m["detail"].iloc[0] == "A point beyond the process limits" and m["row"].iloc[0] == 4
    faceted = mdc(pd.concat([frame(VIGNETTE).assign(ward="A"), frame(VIGNETTE).assign(ward="B")]),
                  x="month", y="y", facet="ward").signals
    assert list(faceted.columns)[:7] == ["facet", *spc_cols] and faceted["facet"].tolist() == ["A", "B"]


def test_data_defaults_to_none_everywhere():
    # 15 values alternating 5, 6 and a last 5: mean (8 x 5 + 7 x 6) / 15 = 82 / 15
    res = mdc(x=list(range(1, 16)), y=[5, 6] * 7 + [5])
    assert float(res.summary()["mean"].iloc[0]) == pytest.approx(82 / 15)
    assert qikit.pareto(category=["falls", "falls", "drug"]).data["count"].tolist() == [2, 1]
    # 72 events in 530 patients
    fun = qikit.funnel(unit=list("ABCDE"), y=[10, 12, 9, 30, 11], n=[100, 110, 95, 120, 105])
    assert fun.centre == pytest.approx(72 / 530)


def test_freeze_is_the_spc_name_for_fix_after():
    # limits from the first 8 points 1, 2, 1, 2, 10, 1, 2, 1: mean 20 / 8 = 2.5; moving ranges 1, 1, 1, 8, 9,
    # 1, 1 (mean 22 / 7 = 3.143; screening at 10.27 keeps all) -> upper limit 2.5 + 2.66 x 22 / 7
    with pytest.warns(qikit.ProvisionalLimitsWarning):
        by_freeze = mdc(frame(VIGNETTE), x="month", y="y", freeze=8)
    assert float(by_freeze.summary()["upl"].iloc[0]) == pytest.approx(2.5 + 2.66 * 22 / 7)
    with pytest.raises(qikit.QIDataError, match="not both"):
        mdc(frame(VIGNETTE), x="month", y="y", freeze=8, fix_after=8)
