"""One vocabulary across the front doors (issue 15): the names spc() uses work in mdc() and funnel(), and the
old names still work as documented aliases."""

import pandas as pd
import pytest

import qikit
from qikit.stats import mdc as mdc_package

WARDS = pd.DataFrame({"ward": ["A", "B", "C", "D"], "deaths": [5, 10, 3, 8], "patients": [50, 80, 40, 60]})


def test_funnel_takes_cl_like_spc_and_target_as_its_old_name():
    # a fixed centre of 0.1: ward A's 5 of 50 sits exactly on it (z = 0)
    by_cl = qikit.funnel(WARDS, "ward", "deaths", "patients", cl=0.1)
    by_target = qikit.funnel(WARDS, "ward", "deaths", "patients", target=0.1)
    pd.testing.assert_frame_equal(by_cl.data, by_target.data)
    assert by_cl.data["cl"].iloc[0] == pytest.approx(0.1)
    pooled = qikit.funnel(WARDS, "ward", "deaths", "patients")
    assert pooled.data["cl"].iloc[0] == pytest.approx(26 / 230)  # sum(y) / sum(n) when no centre is given


def test_funnel_refuses_two_different_centres():
    with pytest.raises(qikit.QIDataError, match="two names for the centre line"):
        qikit.funnel(WARDS, "ward", "deaths", "patients", cl=0.1, target=0.2)


def test_mdc_calls_unit_labels_categorical_as_spc_does():
    df = pd.DataFrame({"unit": list("ABCDEFGHIJKLMNO"), "y": [5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5]})
    assert qikit.mdc(df, x="unit", y="y").x_kind == "categorical"
    assert qikit.spc(df, x="unit", y="y", chart="i").options["x_kind"] == "categorical"


def test_mdc_rule_order_is_named_apart_from_the_spc_registry():
    assert mdc_package.RULE_ORDER == ("beyond_limits", "trend", "two_in_three", "shift")
    assert mdc_package.RULES is mdc_package.RULE_ORDER  # the old name still works
    assert isinstance(qikit.stats.RULES, dict)
