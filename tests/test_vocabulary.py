"""One vocabulary across the statistics API (issue 15.5): one name per idea with the old names kept as
documented aliases, one ``.signals`` schema, a public ``Finding``, typed options, and error rows that are
the user's own row labels."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.stats import (
    ALIASES,
    RULE_SETS,
    RULES,
    SIGNAL_COLUMNS,
    Finding,
    Rule,
    SPCOptions,
    choose,
    rules,
    runs,
)


def _spc(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qikit.QIWarning)
        return qikit.spc(*args, **kwargs)


def _weeks(n):
    return pd.date_range("2023-01-02", periods=n, freq="7D")


Y = [12, 14, 11, 13, 15, 12, 14, 13, 12, 30, 13, 12, 20, 21, 22, 20, 23, 21, 22, 20]


# ------------------------------------------------------------------------------------------------
# names and aliases

def test_alias_table_names_the_words_in_use():
    assert ALIASES == {"rebase": "part", "fix_after": "freeze", "segment": "part", "label": "categorical"}
    for new in ALIASES.values():
        assert new in ("part", "freeze", "categorical")


def test_rebase_is_part_given_as_the_x_where_a_part_starts():
    df = pd.DataFrame({"week": _weeks(20), "y": Y})
    by_count = _spc(df, x="week", y="y", chart="i", part=[12])
    by_date = _spc(df, x="week", y="y", chart="i", rebase=["2023-03-27"])  # the 13th week
    by_timestamp = _spc(df, x="week", y="y", chart="i", rebase=[df.week[12]])
    for res in (by_date, by_timestamp):
        pd.testing.assert_frame_equal(res.data, by_count.data)
        assert [f.rule.code for f in res.findings] == [f.rule.code for f in by_count.findings]
    assert by_date.data.part.tolist() == [1] * 12 + [2] * 8


def test_rebase_starts_the_part_at_that_x_in_every_facet():
    # ward B starts two weeks later, so the same date is its 11th point, not its 13th
    df = pd.DataFrame({"ward": ["A"] * 20 + ["B"] * 18, "week": list(_weeks(20)) + list(_weeks(20)[2:]),
                       "y": Y + Y[2:]})
    d = _spc(df, x="week", y="y", chart="i", facet="ward", rebase=["2023-03-27"]).data
    assert d[d.facet == "A"].part.tolist() == [1] * 12 + [2] * 8
    assert d[d.facet == "B"].part.tolist() == [1] * 10 + [2] * 8


def test_rebase_value_not_in_the_data_is_refused():
    df = pd.DataFrame({"week": _weeks(20), "y": Y})
    with pytest.raises(qikit.QIDataError, match="rebase") as e:
        _spc(df, x="week", y="y", chart="i", rebase=["2030-01-01"])
    assert e.value.column == "rebase"
    with pytest.raises(qikit.QIDataError, match="not both"):
        _spc(df, x="week", y="y", chart="i", rebase=["2023-03-27"], part=[12])


def test_fix_after_is_freeze():
    df = pd.DataFrame({"week": _weeks(20), "y": Y})
    a = _spc(df, x="week", y="y", chart="i", freeze=12)
    b = _spc(df, x="week", y="y", chart="i", fix_after=12)
    pd.testing.assert_frame_equal(a.data, b.data)
    assert b.options["freeze"] == 12
    assert _spc(df, x="week", y="y", chart="i", freeze=12, fix_after=12).options["freeze"] == 12
    with pytest.raises(qikit.QIDataError, match="not both") as e:
        _spc(df, x="week", y="y", chart="i", freeze=12, fix_after=10)
    assert e.value.column == "fix_after"


def test_data_is_optional_in_the_front_door():
    res = qikit.spc(x=list(range(1, 13)), y=Y[:12], chart="i")
    assert len(res.data) == 12
    assert qikit.spc(None, y=Y[:12]).options["x_kind"] == "number"


def test_dead_constant_is_gone():
    assert not hasattr(choose, "LARGE_DENOMINATOR")


# ------------------------------------------------------------------------------------------------
# Finding, rules registry and options

def test_finding_is_one_public_class_for_evaluate_and_spc():
    res = _spc(y=Y[:12], chart="i")  # the front door's own example: mean 14.25, point 10 (30) beyond
    assert res.findings and all(isinstance(f, Finding) for f in res.findings)
    f = res.findings[0]
    assert (f.part, f.rule.code, list(f.points), f.facet) == (1, "beyond_limits", [9], None)
    assert repr(f) == "Finding(part=1, rule='beyond_limits', points=[9])"
    # evaluate(): points count from the part's first point and follow the mask
    found = rules.evaluate("anhoej", [1, 2, 1, 2, 1, 8, 9, 8, 9, 8, 9, 8, 9, 8], cl=5)
    assert all(isinstance(g, Finding) for g in found)
    assert list(found[0].points) == list(np.flatnonzero(found[0].mask)) == list(range(5, 14))


def test_rules_registry_is_a_dict_of_rules_by_code():
    assert isinstance(RULES, dict) and all(isinstance(r, Rule) and r.code == c for c, r in RULES.items())
    assert set(RULE_SETS) == {"anhoej", "ihi", "weco", "nelson"}


def test_options_are_typed():
    res = _spc(pd.DataFrame({"week": _weeks(20), "y": Y}), x="week", y="y", chart="i", part=[12])
    assert set(res.options) == set(SPCOptions.__annotations__)
    assert res.options["x"] == "week" and res.options["part"] == [12] and res.options["x_kind"] == "datetime"
    assert _spc(x=["ward 1", "ward 2", "ward 3"], y=[3, 4, 5]).options["x_kind"] == "categorical"


def test_signals_have_the_documented_columns():
    df = pd.DataFrame({"ward": ["A"] * 20 + ["B"] * 20, "week": list(_weeks(20)) * 2, "y": Y + Y})
    faceted = _spc(df, x="week", y="y", chart="i", facet="ward")
    assert tuple(faceted.signals.columns) == SIGNAL_COLUMNS
    assert tuple(_spc(y=Y, chart="i").signals.columns) == SIGNAL_COLUMNS[1:]  # no facet column without facets


# ------------------------------------------------------------------------------------------------
# error rows are the user's row labels

def test_too_few_points_for_limits_names_the_rows_of_that_part():
    df = pd.DataFrame({"y": [5.0, np.nan, np.nan, 6, 7, 8]}, index=["a", "b", "c", "d", "e", "f"])
    with pytest.raises(qikit.QIDataError, match="part 1 has 1 usable point") as e:
        _spc(df, y="y", chart="i", part=[3])
    assert e.value.rows == ["a", "b", "c"]


def test_run_chart_without_a_baseline_value_names_rows():
    df = pd.DataFrame({"y": [np.nan, np.nan, 3.0, 4, 5, 6, 7]}, index=[f"2024-0{i}" for i in range(1, 8)])
    with pytest.raises(qikit.QIDataError, match="no centre line") as e:
        _spc(df, y="y", freeze=2)
    assert e.value.rows == list(df.index)


def test_negative_sigma_from_a_fixed_centre_line_names_rows():
    df = pd.DataFrame({"y": [3.0, 5, 4, 6, 5]}, index=[10, 20, 30, 40, 50])
    with pytest.raises(qikit.QIDataError, match="negative") as e:
        _spc(df, y="y", chart="mr", cl=-1.0)
    assert e.value.rows == [10, 20, 30, 40, 50] and e.value.column == "cl"


def test_runs_and_rules_name_a_series_own_labels():
    y = pd.Series([1.0, np.nan, 2.0, np.inf], index=["Jan", "Feb", "Mar", "Apr"])
    with pytest.raises(qikit.QIDataError, match="rows Feb and Apr") as e:
        runs.anhoej(y, 1.5)
    assert e.value.rows == ["Feb", "Apr"]
    sigma = pd.Series([1.0, -1.0, 1.0], index=["ward 7", "ward 8", "ward 9"])
    with pytest.raises(qikit.QIDataError, match="ward 8") as e:
        rules.evaluate("weco", [1.0, 2.0, 3.0], cl=2.0, sigma=sigma)
    assert e.value.rows == ["ward 8"]
    # a plain list has no labels of its own: its positions (0-based, as pandas would label it)
    with pytest.raises(qikit.QIDataError, match="positions 1") as e:
        rules.evaluate("weco", [1.0, 2.0, 3.0], cl=2.0, sigma=[1.0, -1.0, 1.0])
    assert e.value.rows == [1]


def test_every_column_of_the_result_can_be_edited():
    # a trainee correcting a cell of res.data must not meet "assignment destination is read-only"
    for kw in (dict(chart="run"), dict(chart="i"), dict(chart="p", n=[40] * 12)):
        d = _spc(y=Y[:12], **kw).data
        for column in d.columns:
            d.loc[0, column] = d[column].iloc[1]
