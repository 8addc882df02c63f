"""choose_chart follows Provost & Murray's decision tree (The Health Care Data Guide, ch. 5)."""

from __future__ import annotations

import pytest

import qikit
from qikit import QIDataError


@pytest.mark.parametrize("kwargs,chart", [
    (dict(data_type="measurement", subgroup_size=1), "i"),
    (dict(data_type="continuous", subgroup_size=5), "xbar"),
    (dict(data_type="classification"), "p"),
    (dict(data_type="classification", large_denominators=True), "pp"),
    (dict(data_type="count", equal_opportunity=True), "c"),
    (dict(data_type="count", equal_opportunity=False), "u"),
    (dict(data_type="count", equal_opportunity=False, large_denominators=True), "up"),
    (dict(data_type="rare"), "g"),
    (dict(data_type="rare", between="days"), "t"),
    (dict(data_type="count", equal_opportunity=True, rare_events=True), "g"),
])
def test_decision_tree(kwargs, chart):
    choice = qikit.choose_chart(**kwargs)
    assert choice.chart == chart
    assert len(choice.reason) > 20 and choice.reason.endswith(".")


def test_companion_charts():
    assert qikit.choose_chart("measurement", subgroup_size=1).companion == "mr"
    assert qikit.choose_chart("measurement", subgroup_size=4).companion == "s"


def test_recommended_chart_runs_in_spc():
    choice = qikit.choose_chart("count", equal_opportunity=True)
    res = qikit.spc(y=[3, 5, 2, 4, 6, 3, 4, 5, 2, 3, 4, 5], chart=choice.chart)
    assert res.chart == "c"


@pytest.mark.parametrize("kwargs,match", [
    (dict(data_type="feelings"), "measurement, classification, count or rare"),
    (dict(data_type="measurement"), "subgroup_size"),
    (dict(data_type="count"), "equal_opportunity"),
    (dict(data_type="rare", between="weeks"), "between"),
])
def test_questions_that_need_an_answer(kwargs, match):
    with pytest.raises(QIDataError, match=match):
        qikit.choose_chart(**kwargs)
