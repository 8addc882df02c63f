"""Funnel plots (qikit.stats.funnel): limits from Spiegelhalter (Stat Med 2005), units outside named.

Expected values are worked out by hand in the comments; the numbers are chosen so the square roots
come out exactly.
"""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from qikit.errors import QIDataError
from qikit.stats import funnel as funnel_module
from qikit.stats.funnel import funnel, funnel_limits

# Proportions. Units A 30/100, B 35/100, C 50/400, D 85/400: pooled p = 200/1000 = 0.2.
# n = 100: se = sqrt(0.2 x 0.8 / 100) = 0.04 -> 2 sigma 0.12 to 0.28, 3 sigma 0.08 to 0.32.
# n = 400: se = sqrt(0.16 / 400) = 0.02   -> 2 sigma 0.16 to 0.24, 3 sigma 0.14 to 0.26.
# A 0.30: above 2 sigma, inside 3 sigma (z = 0.1 / 0.04 = 2.5).
# B 0.35: above 3 sigma (z = 3.75).   C 0.125: below 3 sigma (z = -0.075 / 0.02 = -3.75).
# D 0.2125: inside (z = 0.625).
PROP = pd.DataFrame({"ward": ["A", "B", "C", "D"], "deaths": [30, 35, 50, 85], "patients": [100, 100, 400, 400]})


def test_proportion_limits_and_units_outside():
    res = funnel(PROP, "ward", "deaths", "patients")
    d = res.data
    assert res.centre == pytest.approx(0.2)
    np.testing.assert_allclose(d["value"], [0.30, 0.35, 0.125, 0.2125])
    np.testing.assert_allclose(d["lcl"], [0.08, 0.08, 0.14, 0.14])
    np.testing.assert_allclose(d["ucl"], [0.32, 0.32, 0.26, 0.26])
    np.testing.assert_allclose(d["lcl_2s"], [0.12, 0.12, 0.16, 0.16])
    np.testing.assert_allclose(d["ucl_2s"], [0.28, 0.28, 0.24, 0.24])
    np.testing.assert_allclose(d["z"], [2.5, 3.75, -3.75, 0.625])
    assert d["beyond_3s"].tolist() == [None, "above", "below", None]
    assert d["beyond_2s"].tolist() == ["above", "above", "below", None]
    assert res.outside["unit"].tolist() == ["B", "C"]
    assert res.outside_2s["unit"].tolist() == ["A", "B", "C"]


def test_units_outside_are_named_in_words():
    res = funnel(PROP, "ward", "deaths", "patients")
    text = res.explain()
    assert "B lies above the 3-sigma funnel" in text
    assert "C lies below the 3-sigma funnel" in text
    assert "A lies between the 2- and 3-sigma funnels" in text
    assert "B and C" in res.describe()


def test_rate_limits_use_poisson_and_floor_at_zero():
    # 5 units of 100 bed-days with 1, 3, 0, 4, 12 falls: r = 20 / 500 = 0.04.
    # se = sqrt(0.04 / 100) = 0.02: 3 sigma 0.04 +/- 0.06 -> 0 (floored) to 0.10; 2 sigma 0 to 0.08.
    # T at 0.12 is above 3 sigma; R at 0 is not below a lower limit of 0.
    res = funnel(None, unit=list("PQRST"), y=[1, 3, 0, 4, 12], n=[100] * 5, kind="rate", multiply=1000)
    d = res.data
    assert res.centre == pytest.approx(40)  # 0.04 per bed-day = 40 per 1,000
    np.testing.assert_allclose(d["ucl"], 100)
    np.testing.assert_allclose(d["lcl"], 0, atol=1e-12)
    np.testing.assert_allclose(d["ucl_2s"], 80)
    assert res.outside["unit"].tolist() == ["T"]
    assert res.outside["beyond_3s"].tolist() == ["above"]


def test_rows_of_the_same_unit_are_added_together():
    # A's two months, 10/50 and 20/50, make 30/100: the same funnel as PROP.
    df = pd.DataFrame({"ward": ["A", "A", "B", "C", "D"], "deaths": [10, 20, 35, 50, 85],
                       "patients": [50, 50, 100, 400, 400]})
    res = funnel(df, "ward", "deaths", "patients")
    assert res.data["unit"].tolist() == ["A", "B", "C", "D"]
    assert res.data["y"].tolist() == [30, 35, 50, 85]
    assert res.data["n"].tolist() == [100, 100, 400, 400]
    assert res.outside["unit"].tolist() == ["B", "C"]


def test_a_given_target_is_the_centre():
    # target 0.25 at n = 100: se = sqrt(0.25 x 0.75 / 100) = sqrt(0.001875) = 0.0433013;
    # 3-sigma upper limit 0.25 + 0.1299038 = 0.3799038, x 100 = 37.99038.
    res = funnel(PROP, "ward", "deaths", "patients", target=0.25, multiply=100)
    assert res.centre == pytest.approx(25)
    assert res.data["ucl"].iloc[0] == pytest.approx(37.99038, abs=1e-4)
    assert "target" in res.explain()


def test_proportion_limits_are_clipped_to_0_and_1():
    # p = 0.02, n = 10: se = sqrt(0.0196 / 10) = 0.04427; 0.02 - 3 x 0.04427 < 0 -> 0.
    lo, hi = funnel_limits(0.02, [10], "proportion", 3)
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(0.02 + 3 * np.sqrt(0.0196 / 10))
    lo, hi = funnel_limits(0.98, [10], "proportion", 3)
    assert hi[0] == 1.0


def test_curve_narrows_as_the_denominator_grows():
    res = funnel(PROP, "ward", "deaths", "patients")
    c = res.curve
    assert len(c) == 200
    assert (np.diff(c["n"]) > 0).all()
    assert (np.diff(c["ucl"]) < 0).all() and (np.diff(c["lcl"]) > 0).all()
    assert c["n"].iloc[0] <= 100 and c["n"].iloc[-1] >= 400
    # the curve is the same formula as the per-unit limits: at n = 100 the 3-sigma upper limit is 0.32
    assert np.interp(100, c["n"], c["ucl"]) == pytest.approx(0.32, abs=2e-3)


@pytest.mark.parametrize("column, values, words, rows", [
    ("deaths", [30, 135, 50, 85], "numerators larger than their denominators", [1]),
    ("patients", [100, 0, 400, 400], "0 or negative denominators", [1]),
    ("deaths", [30, "n/a", 50, 85], "must hold numbers", [1]),
    ("deaths", [30, -1, 50, 85], "negative values", [1]),
    ("patients", [100, None, 400, 400], "empty cells", [1]),
])
def test_bad_data_names_column_and_rows(column, values, words, rows):
    df = PROP.copy()
    df[column] = values
    with pytest.raises(QIDataError, match=words) as err:
        funnel(df, "ward", "deaths", "patients")
    assert err.value.column == column
    assert err.value.rows == rows


def test_bad_arguments_are_refused_in_plain_words():
    with pytest.raises(QIDataError, match="kind='percent' is not understood"):
        funnel(PROP, "ward", "deaths", "patients", kind="percent")
    with pytest.raises(QIDataError, match="target=25 must be above 0 and below 1"):
        funnel(PROP, "ward", "deaths", "patients", target=25)
    with pytest.raises(QIDataError, match="is 0 in every row"):
        funnel(PROP.assign(deaths=0), "ward", "deaths", "patients")
    with pytest.raises(QIDataError, match="not a column"):
        funnel(PROP, "hospital", "deaths", "patients")
    with pytest.raises(QIDataError, match="every row needs a unit") as err:
        funnel(PROP.assign(ward=["A", None, "C", "D"]), "ward", "deaths", "patients")
    assert err.value.rows == [1]


def test_docstring_examples_run():
    assert doctest.testmod(funnel_module).failed == 0
