"""Pareto analysis (qikit.stats.pareto): counts, ordering, cumulative percentages and the vital few.

Every expected value below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qikit.errors import QIDataError
from qikit.stats.pareto import VITAL_FEW_PERCENT, pareto


def test_rows_are_counted_and_sorted_with_cumulative_percent():
    # falls x3, pressure x2, drug x1: total 6.
    # percent 3/6 = 50, 2/6 = 33.33, 1/6 = 16.67; cumulative 50, 83.33, 100.
    res = pareto(None, ["falls", "falls", "pressure", "falls", "drug", "pressure"])
    d = res.data
    assert d["category"].tolist() == ["falls", "pressure", "drug"]
    assert d["count"].tolist() == [3, 2, 1]
    np.testing.assert_allclose(d["percent"], [50, 100 / 3, 100 / 6])
    np.testing.assert_allclose(d["cum_percent"], [50, 250 / 3, 100])
    assert d["cum_count"].tolist() == [3, 5, 6]
    # 50 < 80, then 83.3 >= 80: the vital few are the first two.
    assert res.vital_few == ["falls", "pressure"]
    assert res.total == 6


def test_count_column_sums_rows_of_the_same_category():
    df = pd.DataFrame({"cause": ["Falls", "Drug", "Falls", "Other", "Pressure"], "n": [5, 3, 2, 10, 1]})
    res = pareto(df, "cause", "n")
    # Falls 5 + 2 = 7; Other 10; Drug 3; Pressure 1; total 21.
    assert res.data["category"].tolist() == ["Other", "Falls", "Drug", "Pressure"]
    assert res.data["count"].tolist() == [10, 7, 3, 1]
    # cumulative 10/21 = 47.6%, 17/21 = 80.95% -> the vital few are Other and Falls
    assert res.vital_few == ["Other", "Falls"]
    assert res.count == "n" and res.category == "cause"


def test_other_category_is_kept_last():
    df = pd.DataFrame({"cause": ["Falls", "Drug", "Falls", "Other", "Pressure"], "n": [5, 3, 2, 10, 1]})
    res = pareto(df, "cause", "n", other="Other")
    # Falls 7, Drug 3, Pressure 1, then Other 10: cumulative 7, 10, 11, 21 of 21.
    assert res.data["category"].tolist() == ["Falls", "Drug", "Pressure", "Other"]
    assert res.data["cum_count"].tolist() == [7, 10, 11, 21]


def test_ties_keep_the_order_of_first_appearance():
    res = pareto(None, ["b", "a", "c", "a", "b", "c"])
    assert res.data["category"].tolist() == ["b", "a", "c"]


def test_a_category_reaching_exactly_80_percent_ends_the_vital_few():
    # 8 of 10 = 80% exactly: the first category alone reaches 80%.
    res = pareto(None, ["x", "y"], [8, 2])
    assert res.vital_few == ["x"]
    assert VITAL_FEW_PERCENT == 80


def test_fractional_counts_are_kept():
    res = pareto(None, ["a", "b"], [1.5, 2.5])
    assert res.data["count"].tolist() == [2.5, 1.5]


@pytest.mark.parametrize("counts, problem, rows", [
    ([1, -2, 3], "negative", [1]),
    ([1, "two", 3], "text", [1]),
    ([1, None, 3], "empty", [1]),
])
def test_bad_counts_name_the_rows(counts, problem, rows):
    df = pd.DataFrame({"cause": ["a", "b", "c"], "n": counts})
    with pytest.raises(QIDataError) as err:
        pareto(df, "cause", "n")
    assert err.value.column == "n"
    assert err.value.rows == rows
    assert problem in str(err.value)


def test_empty_category_and_all_zero_counts_are_refused():
    df = pd.DataFrame({"cause": ["a", None, "c"], "n": [1, 2, 3]})
    with pytest.raises(QIDataError, match="every row needs a category") as err:
        pareto(df, "cause", "n")
    assert err.value.rows == [1]
    with pytest.raises(QIDataError, match="every count in column 'n' is 0"):
        pareto(pd.DataFrame({"cause": ["a", "b"], "n": [0, 0]}), "cause", "n")
    with pytest.raises(QIDataError, match="not a column"):
        pareto(df, "reason")


def test_describe_names_the_vital_few():
    text = pareto(None, ["falls", "falls", "pressure", "falls", "drug", "pressure"]).describe()
    assert "3 categories" in text and "falls, pressure" in text and "80%" in text
