"""Aim statements: construction, SMART checks against an injected today, and free-text parsing."""

import datetime as dt

import pytest

from qikit.errors import QIDataError
from qikit.improve import AimStatement

SEPSIS_WHAT = ("increase the percentage of adults with red-flag sepsis who receive IV antibiotics within "
               "one hour of arrival")


def sepsis_aim(**changes):
    args = dict(what=SEPSIS_WHAT, how_much="90%", by_when="2026-03-31", for_whom="adults with red-flag sepsis",
                where="the emergency department", baseline="62%")
    args.update(changes)
    return AimStatement(**args)


def test_sepsis_aim_is_smart_before_its_deadline():
    assert sepsis_aim().check(today=dt.date(2025, 4, 1)) == []


def test_sepsis_aim_renders_one_sentence():
    # for_whom is already inside `what`, so it is not repeated; where is added with "in".
    assert sepsis_aim().text == (
        "Increase the percentage of adults with red-flag sepsis who receive IV antibiotics within one hour of "
        "arrival in the emergency department from 62% to 90% by 31 March 2026.")
    assert str(sepsis_aim()) == sepsis_aim().text


def test_deadline_is_checked_against_injected_today():
    aim = sepsis_aim()
    assert aim.check(today="2026-03-30") == []
    on_the_day = aim.check(today="2026-03-31")  # a deadline of today is not in the future
    assert on_the_day == ["Set a deadline in the future: 31 March 2026 is not after today (31 March 2026)."]
    assert aim.check(today=dt.date(2027, 1, 1))[0].endswith("(1 January 2027).")


def test_dates_accept_date_datetime_and_iso_string():
    for value in (dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 14, 5), "2026-03-31"):
        assert sepsis_aim(by_when=value).by_when == dt.date(2026, 3, 31)


def test_missing_parts_are_each_reported_in_plain_words():
    aim = AimStatement("reduce falls", 5, "2024-01-31", None)
    findings = aim.check(today="2025-01-01")
    assert [f.split(":")[0] for f in findings] == [
        "Say more specifically what will change", "Give the target a unit", "Add a baseline",
        "Set a deadline in the future", "Name the population"]
    assert "'5' has a number but no unit" in findings[1]


def test_target_number_and_unit():
    assert (sepsis_aim().target, sepsis_aim().unit) == (90.0, "%")
    falls = sepsis_aim(how_much="below 5 falls per 1,000 bed-days", baseline="7.1")
    assert (falls.target, falls.unit) == (5.0, "falls per 1,000 bed-days")
    assert (sepsis_aim(how_much=90).target, sepsis_aim(how_much=90).unit) == (90.0, None)


def test_verb_that_contradicts_the_numbers_is_flagged():
    wrong = sepsis_aim(baseline="95%")  # "increase" from 95% to 90%
    assert wrong.check(today="2025-01-01") == [
        "The aim says 'increase', but the target (90%) is below the baseline (95%): check the numbers or the "
        "verb."]
    same = sepsis_aim(baseline="90%")
    assert "asks for no change" in same.check(today="2025-01-01")[0]
    # A relative target ("by 30%") is not compared with the baseline.
    relative = AimStatement("reduce inpatient falls on ward 7", "by 30%", "2026-03-31", "inpatients",
                            baseline="8.5 per 1,000 bed-days")
    assert relative.check(today="2025-01-01") == []


@pytest.mark.parametrize("how_much", ["a lot", "", None, float("nan"), True])
def test_aim_without_a_number_is_refused(how_much):
    with pytest.raises(QIDataError, match="numerical target") as info:
        sepsis_aim(how_much=how_much)
    assert info.value.column == "how_much"


@pytest.mark.parametrize("by_when, words", [
    (None, "needs a deadline"), ("next March", "day first"), ("31/02/2026", "day first"),
    (20260331, "must be a date")])
def test_aim_without_a_date_is_refused(by_when, words):
    with pytest.raises(QIDataError, match=words) as info:
        sepsis_aim(by_when=by_when)
    assert info.value.column == "by_when"


@pytest.mark.parametrize("by_when", ["31/03/2026", "31 March 2026", "2026-03-31", "31.03.26"])
def test_deadline_is_read_day_first_as_in_the_uk(by_when):
    """Issue 14: AimStatement(by_when="31/03/2026") raised and zeroed four of a1's checks."""
    assert sepsis_aim(by_when=by_when).by_when == dt.date(2026, 3, 31)


def test_empty_what_and_baseline_without_number_are_refused():
    with pytest.raises(QIDataError, match="what must be a short piece of text"):
        sepsis_aim(what="   ")
    with pytest.raises(QIDataError, match="baseline='poor' has no number"):
        sepsis_aim(baseline="poor")
    with pytest.raises(QIDataError, match="for_whom must be text"):
        sepsis_aim(for_whom=12)


def test_parse_reads_a_complete_sepsis_aim():
    parsed = AimStatement.parse(
        "We aim to increase the percentage of adults with red-flag sepsis in the emergency department who "
        "receive IV antibiotics within one hour of arrival from 62% to 90% by 31 March 2026.")
    assert parsed.complete and parsed.missing == ()
    assert (parsed.baseline, parsed.how_much, parsed.by_when) == ("62%", "90%", dt.date(2026, 3, 31))
    assert parsed.for_whom == "adults with red-flag sepsis"
    assert parsed.where == "the emergency department"
    assert parsed.what.startswith("increase the percentage") and parsed.what.endswith("of arrival")
    assert parsed.to_aim().check(today="2025-04-01") == []
    assert parsed.feedback(today="2025-04-01") == []


def test_parse_reports_what_a_vague_aim_lacks():
    parsed = AimStatement.parse("We will reduce falls on ward 7 by 2026.")
    assert parsed.where == "ward 7" and parsed.how_much is None and parsed.by_when is None
    assert [m.split(":")[0] for m in parsed.missing] == [
        "Give a numerical target", "Add a baseline", "Give a precise deadline", "Name the population"]
    assert "'by 2026' names only a year" in parsed.missing[2]
    assert not parsed.complete
    with pytest.raises(QIDataError, match="numerical target"):
        parsed.to_aim()


def test_parse_reports_a_missing_verb_first():
    parsed = AimStatement.parse("Sepsis antibiotics 90% by 31 March 2026 for adults")
    assert parsed.missing[0].startswith("Say what will change")
    assert parsed.how_much == "90%" and parsed.for_whom == "adults"
    with pytest.raises(QIDataError, match="Say what will change"):
        parsed.to_aim()


@pytest.mark.parametrize("written, expected", [
    ("31/03/2026", dt.date(2026, 3, 31)),      # UK order: day/month/year
    ("2026-03-31", dt.date(2026, 3, 31)),
    ("31st March 2026", dt.date(2026, 3, 31)),
    ("March 31, 2026", dt.date(2026, 3, 31)),
    ("March 2026", dt.date(2026, 3, 31)),      # a month means its last day
    ("Feb 2028", dt.date(2028, 2, 29)),        # 2028 is a leap year
    ("end of September 2026", dt.date(2026, 9, 30)),
])
def test_parse_reads_deadlines_written_in_several_ways(written, expected):
    parsed = AimStatement.parse(f"Reduce pressure ulcers among inpatients from 12 to 6 a month by {written}.")
    assert parsed.by_when == expected


def test_parse_reports_an_impossible_date():
    parsed = AimStatement.parse("Reduce waiting for adults from 45 to 30 minutes by 31 February 2026")
    assert parsed.by_when is None
    assert parsed.missing == ("Check the date '31 February 2026': it is not a real day of the calendar.",)


def test_parse_reads_relative_and_qualified_targets():
    relative = AimStatement.parse("Reduce pressure ulcers by 50% among inpatients by 30/06/2026.")
    assert relative.how_much == "by 50%" and relative.for_whom == "inpatients"
    qualified = AimStatement.parse("Reduce inpatient falls on Ward 7 from 7.1 to below 5 falls per 1,000 "
                                   "bed-days by March 2026 for patients aged over 65.")
    assert (qualified.baseline, qualified.how_much) == ("7.1", "below 5 falls per 1,000 bed-days")
    assert qualified.for_whom == "patients aged over 65"
    aim = qualified.to_aim()
    assert aim.text == ("Reduce inpatient falls on Ward 7 for patients aged over 65 from 7.1 to below 5 falls "
                        "per 1,000 bed-days by 31 March 2026.")


def test_parse_feedback_adds_smart_findings_once_an_aim_can_be_built():
    parsed = AimStatement.parse("Increase discharges before noon on the acute medical unit to 30% by 2024-12-31")
    feedback = parsed.feedback(today="2025-01-01")
    assert feedback[0] == parsed.missing[0]  # the missing baseline, once
    assert sum("baseline" in f for f in feedback) == 1
    assert feedback[-1].startswith("Set a deadline in the future: 31 December 2024")


def test_parse_refuses_empty_text():
    with pytest.raises(QIDataError, match="aim_text"):
        AimStatement.parse("  ")
