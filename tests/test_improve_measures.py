"""Families of measures: kinds, operational definitions, and the warnings a MeasureSet gives."""


import pytest

from qikit.errors import QIDataError, QIWarning
from qikit.improve import Measure, MeasureSet


def falls_rate():
    return Measure("Falls per 1,000 bed-days", "outcome", "Inpatient falls on Datix per 1,000 occupied bed-days",
                   numerator="falls reported on Datix", denominator="occupied bed-days / 1,000",
                   direction="decrease")


def risk_assessment():
    return Measure("Falls risk assessment within 24 h (%)", "process",
                   "Percentage of admissions with a multifactorial falls risk assessment within 24 hours",
                   numerator="admissions assessed within 24 hours", denominator="admissions",
                   direction="increase", frequency="weekly")


def bed_rails():
    return Measure("Patients with bed rails raised", "balancing", "Count at the Wednesday midday audit",
                   frequency="weekly")


def test_a_complete_falls_family_gives_no_warning():
    family = MeasureSet([falls_rate(), risk_assessment(), bed_rails()])  # an unexpected warning fails here
    assert family.check() == []
    assert len(family) == 3
    assert [m.kind for m in family] == ["outcome", "process", "balancing"]
    assert family["falls PER 1,000 bed-days"].direction == "decrease"


def test_family_without_balancing_measure_warns():
    with pytest.warns(QIWarning, match="no balancing measure"):
        family = MeasureSet([falls_rate(), risk_assessment()])
    assert family.check() == ["The family has no balancing measure: add one that shows whether the change harms "
                              "another part of the system (e.g. staff overtime, readmissions)."]


def test_family_without_outcome_measure_warns():
    with pytest.warns(QIWarning, match="no outcome measure"):
        MeasureSet([risk_assessment(), bed_rails()])


def test_proportion_without_denominator_warns_naming_the_measure():
    sepsis = Measure("Antibiotics within 1 hour (%)", "process",
                     "Percentage of adults with red-flag sepsis given IV antibiotics within 1 hour of arrival",
                     numerator="given antibiotics within 1 hour")
    assert sepsis.is_ratio
    assert len(sepsis.check()) == 1 and "has no denominator" in sepsis.check()[0]
    with pytest.warns(QIWarning, match=r"'Antibiotics within 1 hour \(%\)' is a proportion or rate"):
        MeasureSet([falls_rate(), sepsis, bed_rails()])


def test_rate_without_numerator_or_denominator_is_reported():
    rate = Measure("Falls rate", "outcome", "Falls per 1,000 occupied bed-days")
    assert rate.is_ratio
    assert "no numerator and no denominator" in rate.check()[0]


def test_a_plain_count_needs_no_denominator():
    count = Measure("Falls with harm", "outcome", "Number of falls with moderate or severe harm on Datix")
    assert not count.is_ratio and count.check() == []


def test_unknown_kind_is_refused_with_the_three_kinds_named():
    with pytest.raises(QIDataError, match="'result' is not a kind of measure. Use 'outcome'") as info:
        Measure("Falls", "result", "Datix falls")
    assert info.value.column == "kind"
    assert Measure("Falls", " Outcome ", "Datix falls").kind == "outcome"


@pytest.mark.parametrize("direction, stored", [("lower", "decrease"), ("UP", "increase"), (None, None),
                                               ("higher is better", "increase")])
def test_direction_aliases(direction, stored):
    assert Measure("Falls", "outcome", "Datix falls", direction=direction).direction == stored


def test_bad_direction_frequency_and_empty_text_are_refused():
    with pytest.raises(QIDataError, match="direction='better'"):
        Measure("Falls", "outcome", "Datix falls", direction="better")
    with pytest.raises(QIDataError, match="frequency='hourly' is not one qikit knows") as info:
        Measure("Falls", "outcome", "Datix falls", frequency="hourly")
    assert info.value.column == "frequency"
    with pytest.raises(QIDataError, match="definition"):
        Measure("Falls", "outcome", "")


def test_duplicate_names_and_non_measures_are_refused():
    with pytest.raises(QIDataError, match="two measures called 'Falls per 1,000 bed-days'"):
        MeasureSet([falls_rate(), falls_rate(), bed_rails()])
    with pytest.raises(QIDataError, match="item 1 of the family is 'falls', not a Measure"):
        MeasureSet([falls_rate(), "falls"])


def test_table_and_lookup():
    family = MeasureSet([falls_rate(), risk_assessment(), bed_rails()])
    table = family.table()
    assert table.columns.tolist() == ["name", "kind", "definition", "numerator", "denominator", "direction",
                                      "frequency"]
    assert table["frequency"].tolist() == ["monthly", "weekly", "weekly"]
    assert [m.name for m in family.of_kind("balancing")] == ["Patients with bed rails raised"]
    with pytest.raises(KeyError, match="no measure called 'Readmissions'"):
        family["Readmissions"]
    with pytest.raises(QIDataError):
        family.of_kind("result")
