"""The notebooks' instant-feedback checks (qikit.exercises).

For each check: a right answer is marked right; a typical misconception is marked not (yet) right with
a reason that names the misconception; the notebook's placeholder (``...``) is "not answered". Checks
never raise on a trainee's answer, whatever its type.

Expected answers are worked out here independently of the checks (from the data files with plain
pandas, or by hand), never copied from a check's own output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.exercises import Verdict, nb00, nb01, nb02, nb03, nb07, nb09
from qikit.exercises._feedback import FORM_CHECKED, NOT_ANSWERED, PARTLY, RIGHT, WRONG, choice, is_blank, quiz

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2023-04-03"  # the date the notebooks' worked examples are set


def right_(v: Verdict) -> None:
    assert isinstance(v, Verdict) and v.status == RIGHT and v.correct, str(v)


def not_right(v: Verdict, *phrases: str, status=(WRONG, PARTLY)) -> None:
    assert v.status in status and not v.correct, str(v)
    for phrase in phrases:
        assert phrase.lower() in str(v).lower(), f"{phrase!r} not in:\n{v}"


def form_ok(v: Verdict) -> None:
    """Free text whose form passed: never "Right", and the verdict says what a tutor should look at."""
    assert v.status == FORM_CHECKED and not v.correct and "tutor should look at" in v.message, str(v)


def unanswered(v: Verdict) -> None:
    assert v.status == NOT_ANSWERED and not v.answered, str(v)


# ------------------------------------------------------------------------------------ shared pieces
def test_verdict_prints_heading_reason_and_details():
    v = Verdict(PARTLY, "2 of 3 right.", ("1. ✔ yes", "2. ✘ no"))
    assert str(v) == "◐ Partly right. 2 of 3 right.\n  1. ✔ yes\n  2. ✘ no"
    assert repr(v) == str(v) and not v.correct and v.answered


@pytest.mark.parametrize("blank", [..., None, "", "  ", "...", "…"])
def test_placeholders_are_blank(blank):
    assert is_blank(blank)


@pytest.mark.parametrize("value", [0, "a", [], {}, False])
def test_answers_are_not_blank(value):
    assert not is_blank(value)


def test_choice_accepts_letters_in_any_case_and_brackets():
    why = {"a": "A is wrong.", "b": "B is right.", "c": "C is wrong."}
    right_(choice("(B)", "b", why))
    not_right(choice("a", "b", why), "A is wrong")
    not_right(choice("d", "b", why), "not one of the options")
    unanswered(choice(..., "b", why))


def test_quiz_counts_right_partly_and_blank():
    questions = {1: ("a", {"a": "yes", "b": "no"}), 2: ("b", {"a": "no", "b": "yes"})}
    right_(quiz({1: "a", 2: "b"}, questions))
    v = quiz({1: "a", 2: "a"}, questions)
    assert v.status == PARTLY and "1 of 2 right" in v.message
    v = quiz({1: "a", 2: ...}, questions)
    assert v.status == PARTLY and "1 not answered yet" in v.message
    not_right(quiz({1: "b", 2: "a"}, questions), "0 of 2 right", status=(WRONG,))
    unanswered(quiz({1: ..., 2: ...}, questions))
    unanswered(quiz(..., questions))
    not_right(quiz(["a", "b"], questions), "dictionary")


# ------------------------------------------------------------------------------------ notebook 00
def test_nb00_ward_total():
    falls = pd.read_csv(ROOT / "qikit" / "datasets" / "falls.csv")
    totals = falls.groupby("ward")["falls"].sum()
    right_(nb00.check_ward_total(int(totals["Ward 9"])))
    # forgot to edit the cell: the worked example's ward
    not_right(nb00.check_ward_total(int(totals["Ward 7"])), "Ward 7", "change")
    not_right(nb00.check_ward_total(int(totals.sum())), "all three wards")
    not_right(nb00.check_ward_total(36), "number of months")
    right_(nb00.check_ward_total("186"))  # the right number in quotes: a tutor accepts it
    not_right(nb00.check_ward_total("lots"), "not a number")
    unanswered(nb00.check_ward_total(...))


def test_nb00_loaded():
    path = ROOT / "notebooks" / "data" / "my_ward_obs.csv"
    right_(nb00.check_loaded(pd.read_csv(path, parse_dates=["week"])))
    not_right(nb00.check_loaded(pd.read_csv(path)), "parse_dates")  # dates left as text
    not_right(nb00.check_loaded(str(path)), "file's name")
    not_right(nb00.check_loaded(pd.read_csv(path, parse_dates=["week"]).head(10)), "40 weeks")
    not_right(nb00.check_loaded(pd.DataFrame({"a": [1]})), "my_ward_obs.csv")
    unanswered(nb00.check_loaded(...))


def test_nb00_restart_and_self_check():
    right_(nb00.check_restart("b"))
    not_right(nb00.check_restart("a"), "not delete")
    unanswered(nb00.check_restart(...))
    right_(nb00.self_check({1: "c", 2: "a", 3: "b"}))
    not_right(nb00.self_check({1: "a", 2: "a", 3: "b"}), "Enter alone")
    unanswered(nb00.self_check({1: ..., 2: ..., 3: ...}))


# ------------------------------------------------------------------------------------ notebook 01
def test_nb01_domains():
    answer = {1: "timely", 2: "safe", 3: "effective", 4: "equitable", 5: "efficient", 6: "patient-centred"}
    right_(nb01.check_domains(answer))
    right_(nb01.check_domains({**answer, 6: "Person centred", 2: "Safety"}))  # other spellings
    # misconception: overuse of antibiotics is a safety problem (it is effectiveness: care that cannot help)
    not_right(nb01.check_domains({**answer, 3: "safe"}), "not safe", "evidence")
    not_right(nb01.check_domains({**answer, 1: "quick"}), "not one of the options")
    v = nb01.check_domains({1: "timely"})
    assert v.status == PARTLY and "5 not answered yet" in v.message
    unanswered(nb01.check_domains({n: ... for n in range(1, 7)}))
    assert len(nb01.problems()) == 6


def test_nb01_activities():
    answer = {1: "audit", 2: "research", 3: "qi", 4: "research", 5: "audit", 6: "qi"}
    right_(nb01.check_activities(answer))
    right_(nb01.check_activities({**answer, 3: "Quality improvement", 1: "clinical audit"}))
    # misconception: a re-audit is improvement
    not_right(nb01.check_activities({**answer, 5: "qi"}), "not quality improvement", "standard")
    unanswered(nb01.check_activities(...))
    not_right(nb01.check_activities(["audit"] * 6), "dictionary")


def test_nb01_qms():
    answer = {1: "planning", 2: "control", 3: "assurance", 4: "improvement"}
    right_(nb01.check_qms(answer))
    right_(nb01.check_qms({1: "QP", 2: "quality control", 3: "QA", 4: "QI"}))
    # misconception: a daily huddle about falls is improvement
    not_right(nb01.check_qms({**answer, 2: "improvement"}), "huddle", "control")
    unanswered(nb01.check_qms({1: ..., 2: ..., 3: ..., 4: ...}))
    right_(nb01.self_check({1: "b", 2: "c", 3: "a"}))


# ------------------------------------------------------------------------------------ notebook 02
GOOD_AIM = ("Increase the percentage of patients on ward 7 discharged before noon from 16% to 30% "
            "by 31 March 2024")


def test_nb02_aim():
    right_(nb02.check_aim(GOOD_AIM, today=TODAY))
    right_(nb02.check_aim(qikit.AimStatement(
        "increase the percentage of discharges before noon", "30%", "2024-03-31", "patients on ward 7",
        baseline="16%"), today=TODAY))
    # misconception: a topic, not an aim
    not_right(nb02.check_aim("Improve discharges on ward 7", today=TODAY), "topic", "numerical target",
              "deadline", status=(WRONG,))
    # nearly there: no baseline
    v = nb02.check_aim("Increase the percentage of patients on ward 7 discharged before noon to 30% by "
                       "31 March 2024", today=TODAY)
    not_right(v, "baseline", status=(PARTLY,))
    # a deadline that has passed
    not_right(nb02.check_aim(GOOD_AIM, today="2024-06-01"), "future")
    not_right(nb02.check_aim(42, today=TODAY), "as text")
    unanswered(nb02.check_aim(..., today=TODAY))


def test_nb02_measure_kinds():
    answer = {1: "outcome", 2: "process", 3: "process", 4: "outcome", 5: "balancing", 6: "balancing"}
    right_(nb02.check_measure_kinds(answer))
    # misconception: bed rails are part of the falls process
    not_right(nb02.check_measure_kinds({**answer, 5: "process"}), "not process", "restraint")
    not_right(nb02.check_measure_kinds({**answer, 1: "result"}), "not a kind of measure")
    unanswered(nb02.check_measure_kinds({n: ... for n in range(1, 7)}))


def _risk_measure(**changes):
    fields = dict(name="Falls risk assessment within 24 h (%)", kind="process",
                  definition="Patients admitted to ward 7 with a completed falls risk assessment in the e-record "
                             "within 24 hours of arriving on the ward; stays under 24 hours excluded",
                  numerator="patients assessed within 24 hours of arriving on the ward",
                  denominator="patients admitted to ward 7", direction="increase", frequency="weekly")
    fields.update(changes)
    return qikit.Measure(**fields)


def test_nb02_definition():
    right_(nb02.check_definition(_risk_measure()))
    # misconception: a percentage without a denominator
    not_right(nb02.check_definition(_risk_measure(denominator=None)), "denominator")
    # misconception: calling it an outcome
    not_right(nb02.check_definition(_risk_measure(kind="outcome")), "process measure")
    vague_time = _risk_measure(definition="Patients admitted to ward 7 with a falls risk assessment completed "
                                          "on time, from the e-record", numerator="patients assessed on time")
    not_right(nb02.check_definition(vague_time), "within 24 hours of what", status=(PARTLY,))
    not_right(nb02.check_definition(_risk_measure(definition="Risk assessments within 24 hours")), "short")
    not_right(nb02.check_definition("falls risk assessment"), "qikit.Measure")
    unanswered(nb02.check_definition(...))


def test_nb02_question_and_self_check():
    right_(nb02.check_question("b"))
    not_right(nb02.check_question("c"), "third question")
    right_(nb02.self_check({1: "c", 2: "a", 3: "b"}))


# ------------------------------------------------------------------------------------ notebook 03
STEPS = ["Patient arrives in the emergency department", "Triage nurse records observations and NEWS2",
         "Sepsis screen finds a red flag", "Doctor reviews the patient", "Blood cultures taken",
         "Antibiotics prescribed", "Antibiotics fetched and prepared", "IV antibiotics given"]


def test_nb03_order():
    shuffled = nb03.shuffled_steps()
    assert sorted(shuffled) == sorted(STEPS) and shuffled != STEPS
    right_(nb03.check_order(STEPS))
    swapped = STEPS[:4] + [STEPS[5], STEPS[4]] + STEPS[6:]  # cultures and prescribing: either order
    right_(nb03.check_order(swapped))
    # misconception: antibiotics given before the doctor has seen the patient
    late_review = STEPS[:3] + STEPS[4:] + [STEPS[3]]
    not_right(nb03.check_order(late_review), "out of order", "Doctor reviews the patient")
    not_right(nb03.check_order(STEPS[:-1]), "missing: IV antibiotics given")
    not_right(nb03.check_order("arrive, triage"), "list")
    unanswered(nb03.check_order(...))


def test_nb03_flowchart_is_mermaid():
    text = nb03.flowchart(["Arrive", "Triage", "Treat"]).data
    assert text.startswith("```mermaid\nflowchart TD") and "s0 --> s1" in text and "s1 --> s2" in text
    with pytest.raises(ValueError):
        nb03.flowchart(["only one step"])


def test_nb03_pareto():
    incidents = pd.read_csv(ROOT / "notebooks" / "data" / "falls_incidents.csv")
    night = incidents.loc[incidents["shift"] == "night", "factor"].value_counts()
    top = night.index[:3].tolist()
    assert night.iloc[2] > night.iloc[3], "the exercise needs a clear third factor at night"
    share = round(100 * night.iloc[:3].sum() / night.sum())
    right_(nb03.check_pareto(top, share, incidents))
    right_(nb03.check_pareto([t.upper() for t in reversed(top)], share + 1, incidents))
    # misconception: the chart of all falls instead of the night shift
    everyone = incidents["factor"].value_counts().index[:3].tolist()
    assert set(everyone) != set(top), "the exercise needs night-time falls to differ from all falls"
    not_right(nb03.check_pareto(everyone, share, incidents), "night shift")
    not_right(nb03.check_pareto(top, share / 100, incidents), "percentage", status=(PARTLY,))
    not_right(nb03.check_pareto(top, share + 10, incidents), "cumulative")
    assert nb03.check_pareto(top, ..., incidents).status == PARTLY
    unanswered(nb03.check_pareto(..., ..., incidents))


FISHBONE = {"Patients": ["Delirium", "Urgent need for the toilet at night"],
            "Staff": ["Too few staff at night", "Agency staff do not know the patients"],
            "Environment": ["Poor lighting at night", "Wet bathroom floors"],
            "Equipment": ["Call bell out of reach", "Beds left at working height"]}


def test_nb03_fishbone():
    form_ok(nb03.check_fishbone(FISHBONE))
    # misconception: solutions instead of causes
    not_right(nb03.check_fishbone({**FISHBONE, "Equipment": ["Buy bed sensors", "More night staff"]}),
              "solution", "Buy bed sensors")
    not_right(nb03.check_fishbone({"Patients": FISHBONE["Patients"]}), "at least four categories")
    not_right(nb03.check_fishbone({**FISHBONE, "Methods": []}), "Methods")
    not_right(nb03.check_fishbone(["Delirium"]), "dictionary")
    unanswered(nb03.check_fishbone(...))
    assert "c0_0" in nb03.fishbone("Falls", FISHBONE).data


AIM = "Reduce falls on ward 7 from 8.5 to 6 per 1,000 bed-days by 31 March 2024"


def test_nb03_driver_diagram():
    good = qikit.DriverDiagram.from_dict(AIM, {
        "Patients can reach the toilet safely": ["Two-hourly toileting round", "Commode by the bed at night"],
        "Confusion is spotted and managed": {"Delirium screened on admission": ["4AT on admission"]},
    })
    form_ok(nb03.check_driver_diagram(good))
    # misconception: change ideas written as primary drivers
    actions = qikit.DriverDiagram.from_dict(AIM, {
        "Introduce bed sensors": ["Trial two sensors in bay 1"],
        "Patients can reach the toilet safely": ["Two-hourly toileting round", "Commode by the bed"],
    })
    not_right(nb03.check_driver_diagram(actions), "Introduce bed sensors", "change idea")
    no_number = qikit.DriverDiagram.from_dict("Reduce falls", {
        "Patients can reach the toilet safely": ["Toileting round", "Commode by the bed"],
        "Confusion is managed": ["4AT on admission"]})
    not_right(nb03.check_driver_diagram(no_number), "no number")
    not_right(nb03.check_driver_diagram({"a": ["b"]}), "from_dict")
    unanswered(nb03.check_driver_diagram(...))
    right_(nb03.self_check({1: "b", 2: "a", 3: "c"}))


# ------------------------------------------------------------------------------------ notebook 07
def test_nb07_prediction():
    form_ok(nb07.check_prediction("Of the 6 patients discharged from bay 2, 4 will leave before noon"))
    not_right(nb07.check_prediction("No idea what will happen this week"), "not yet a prediction")
    # misconception: a hope, not a prediction
    not_right(nb07.check_prediction("It will work better"), "no number", "cannot be proved wrong",
              status=(WRONG,))
    not_right(nb07.check_prediction("4 of 6"), "what it counts", status=(PARTLY,))
    not_right(nb07.check_prediction(4), "sentence")
    unanswered(nb07.check_prediction(...))


def _cycle(n, scale, start, prediction="3 of 5 patients will have their TTO ready the day before"):
    return qikit.PDSACycle(f"TTO {n}", "Are TTOs ready the day before?", prediction, "Ward 7 pharmacist",
                           start=start, scale=scale)


def _log(scales):
    log = qikit.PDSALog("TTOs")
    log.add_ramp("TTOs the day before", change_idea="Prescribe TTOs the day before discharge")
    for n, scale in enumerate(scales, start=1):
        log.add(_cycle(n, scale, f"2023-06-{5 + 7 * (n - 1):02d}"), ramp="TTOs the day before")
    return log


def test_nb07_ramp():
    form_ok(nb07.check_ramp(_log([1, 5, 15])))
    form_ok(nb07.check_ramp([_cycle(1, 1, "2023-06-05"), _cycle(2, 6, "2023-06-12"), _cycle(3, 30, "2023-06-19")]))
    # misconception: starting with the whole ward
    not_right(nb07.check_ramp(_log([30, 30, 30])), "start smaller")
    not_right(nb07.check_ramp(_log([1, 2])), "three to five")
    not_right(nb07.check_ramp(_log([1, 1, 2])), "let it grow")
    unanswered(nb07.check_ramp(_log([])))  # the notebook's scaffold: a log with an empty ramp
    lone = qikit.PDSALog("no ramp")
    lone.add(_cycle(1, 1, "2023-06-05"))
    not_right(nb07.check_ramp(lone), "no ramp")
    not_right(nb07.check_ramp("my plan"), "PDSALog")
    unanswered(nb07.check_ramp(...))


def test_nb07_new_phase():
    # Criteria-led discharge reached the whole ward in the week of Monday 29 May 2023 (the data set's
    # documented change, and cycle 4 of the notebook's log).
    right_(nb07.check_new_phase("2023-05-29"))
    right_(nb07.check_new_phase("2023-05-31"))  # a day in that week
    # misconception: re-baselining on the single high week of April 2023
    not_right(nb07.check_new_phase("2023-04-17"), "re-baselining on noise", status=(WRONG,))
    not_right(nb07.check_new_phase("2023-06-12"), "2 weeks after", status=(PARTLY,))
    not_right(nb07.check_new_phase("2023-09-04"), "14 weeks after", status=(WRONG,))
    not_right(nb07.check_new_phase("2025-01-06"), "outside the chart")
    not_right(nb07.check_new_phase("next week"), "not a date")
    unanswered(nb07.check_new_phase(...))
    right_(nb07.self_check({1: "a", 2: "c", 3: "b"}))


# ------------------------------------------------------------------------------------ notebook 09
KEYS = ["benefits", "credibility", "adaptability", "monitoring", "involvement", "behaviours",
        "senior_leadership", "clinical_leadership", "fit", "infrastructure"]


def _team():
    team = qikit.SustainabilityAssessment("test")
    # Means by hand: infrastructure (1+2+1)/3 = 1.33, senior_leadership (2+1+2)/3 = 1.67, the rest >= 2;
    # clinical_leadership 2..4 is divided (spread 2 >= half the 1-4 scale) but has mean 3.
    scores = {"A": [4, 3, 3, 2, 3, 3, 2, 3, 3, 1], "B": [3, 4, 2, 2, 2, 3, 1, 4, 3, 2],
              "C": [4, 3, 3, 2, 2, 2, 2, 2, 4, 1]}
    for rater, values in scores.items():
        team.add(rater, dict(zip(KEYS, values, strict=True)))
    return team


def test_nb09_priorities():
    team = _team()
    right_(nb09.check_priorities(["infrastructure", "senior_leadership"], team))
    right_(nb09.check_priorities(["Senior leadership engagement", "Infrastructure for sustainability"], team))
    # misconception: the divided factor is the weakest
    not_right(nb09.check_priorities(["infrastructure", "clinical_leadership"], team), "divided",
              status=(PARTLY,))
    not_right(nb09.check_priorities(["leadership", "fit"], team), "not a factor key")
    not_right(nb09.check_priorities(["infrastructure"], team), "exactly two")
    not_right(nb09.check_priorities("infrastructure", team), "list")
    unanswered(nb09.check_priorities(..., team))


def test_nb09_peak():
    # Bass (1969): adoption peaks at t* = ln(q/p) / (p + q). With p = 0.01 and q = 0.3,
    # t* = ln(30) / 0.31 = 10.97 months, inside month 11 (t from 10 to 11).
    t_star = math.log(0.3 / 0.01) / 0.31
    assert 10 < t_star < 11
    right_(nb09.check_peak(11))
    not_right(nb09.check_peak(12), "close", status=(PARTLY,))
    # misconception: the worked example's peak (q = 0.5: t* = ln(50) / 0.51 = 7.67, month 8), q unchanged
    not_right(nb09.check_peak(8), "q = 0.5", status=(WRONG,))
    not_right(nb09.check_peak(24), "end of the simulation")
    not_right(nb09.check_peak("eleven"), "as a number")
    unanswered(nb09.check_peak(...))


def test_nb09_lever_and_self_check():
    right_(nb09.check_lever("b"))
    not_right(nb09.check_lever("a"), "coefficient of innovation")
    unanswered(nb09.check_lever(...))
    right_(nb09.self_check({1: "b", 2: "c", 3: "a"}))


# ------------------------------------------------------------------------------------ robustness
CHECKS = [nb00.check_ward_total, nb00.check_loaded, nb00.check_restart, nb00.self_check,
          nb01.check_domains, nb01.check_activities, nb01.check_qms, nb01.self_check,
          nb02.check_aim, nb02.check_measure_kinds, nb02.check_definition, nb02.check_question, nb02.self_check,
          nb03.check_order, nb03.check_fishbone, nb03.check_driver_diagram, nb03.self_check,
          nb07.check_prediction, nb07.check_ramp, nb07.check_new_phase, nb07.self_check,
          nb09.check_peak, nb09.check_lever, nb09.self_check]


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f"{f.__module__.rsplit('.', 1)[-1]}.{f.__name__}")
@pytest.mark.parametrize("answer", [None, 0, -1.5, True, "", "x", [], [1, 2], {}, {1: 2}, object()],
                         ids=["None", "0", "float", "True", "empty", "text", "list0", "list", "dict0", "dict",
                              "object"])
def test_checks_never_raise(check, answer):
    verdict = check(answer)
    assert isinstance(verdict, Verdict) and str(verdict)


# ==================================================================================== part B: 04, 05, 06, 08
from qikit.exercises import nb04, nb05, nb06, nb08  # noqa: E402  (appended section for notebooks 04-08)

DATA = ROOT / "qikit" / "datasets"


def _ae_type1(org_code: str) -> pd.DataFrame:
    ae = pd.read_csv(DATA / "ae_attendances.csv", dtype={"type": str}, parse_dates=["period"])
    return ae[(ae["org_code"] == org_code) & (ae["type"] == "1")].sort_values("period").reset_index(drop=True)


# ------------------------------------------------------------------------------------ notebook 04
def test_nb04_three_wards_hide_their_stories_in_the_averages():
    wards = nb04.three_wards()
    means = wards.groupby(["ward", "period"])["pct_before_noon"].mean()
    # the bar chart: every ward goes from 16% to 26% (to rounding of the stored 1-decimal values)
    assert all(abs(means[(w, "before")] - 16) < 0.06 and abs(means[(w, "after")] - 26) < 0.06
               for w in ("Ward 3", "Ward 5", "Ward 8"))
    by = {w: g.sort_values("week")["pct_before_noon"].to_numpy() for w, g in wards.groupby("ward")}
    # Ward 3 was already rising: its last 8 baseline weeks sit well above its first 8
    assert by["Ward 3"][16:24].mean() - by["Ward 3"][:8].mean() > 5
    # Ward 8 faded: its last 8 weeks are back within 6 points of its 16% baseline, and at least 10 points below
    # its first 4 weeks after the change
    assert by["Ward 8"][40:].mean() < 22 and by["Ward 8"][24:28].mean() > by["Ward 8"][40:].mean() + 10
    # Ward 5 stepped and held: its last 8 weeks are as high as its first 8 after the change (within 3 points)
    assert abs(by["Ward 5"][40:].mean() - by["Ward 5"][24:32].mean()) < 3


def test_nb04_which_ward():
    right_(nb04.check_which_ward("b"))
    # misconception: the ward that ends highest (Ward 3) must be the success
    not_right(nb04.check_which_ward("a"), "already improving")
    not_right(nb04.check_which_ward("c"), "did not last")
    unanswered(nb04.check_which_ward(...))


def _runs_by_hand(values):
    ordered = sorted(values)
    median = (ordered[9] + ordered[10]) / 2  # 20 values: halfway between the 10th and 11th
    sides = [1 if v > median else -1 for v in values if v != median]
    crossings = sum(a != b for a, b in zip(sides, sides[1:], strict=False))
    longest = run = 1
    for a, b in zip(sides, sides[1:], strict=False):
        run = run + 1 if a == b else 1
        longest = max(longest, run)
    return median, longest, crossings


def test_nb04_runs():
    raw = pd.read_csv(DATA / "discharge_before_noon.csv", parse_dates=["week"])
    ward = raw[raw["ward"] == "Ward 12"].sort_values("week").head(20)
    values = (100 * ward["before_noon"] / ward["discharges"]).round(1).tolist()
    assert nb04.exercise_weeks()["pct_before_noon"].tolist() == values
    median, longest, crossings = _runs_by_hand(values)
    right_(nb04.check_runs({"median": median, "longest_run": longest, "crossings": crossings}))
    # misconception: the mean as the centre line (the mean of these 20 values is not their median)
    mean = round(sum(values) / 20, 2)
    assert abs(mean - median) > 0.005
    v = nb04.check_runs({"median": mean, "longest_run": longest, "crossings": crossings})
    not_right(v, "mean", status=(PARTLY,))
    # misconception: counting runs instead of crossings
    not_right(nb04.check_runs({"median": median, "longest_run": longest, "crossings": crossings + 1}),
              "number of runs")
    not_right(nb04.check_runs({"median": median, "longest_run": "three", "crossings": crossings}), "not a number")
    v = nb04.check_runs({"median": median, "longest_run": ..., "crossings": ...})
    assert v.status == PARTLY and "2 not answered yet" in v.message
    unanswered(nb04.check_runs({"median": ..., "longest_run": ..., "crossings": ...}))
    not_right(nb04.check_runs([median, longest, crossings]), "dictionary")


def test_nb04_rules():
    # The series: 24 weeks; by hand from ecg_times(), points 7-11 fall five times in a row (an IHI trend of
    # 5), while the longest run about the median is far below Anhøj's limit for 24 points (log2(24) + 3 = 7.6).
    minutes = nb04.ecg_times()["minutes"].to_numpy()
    steps = (minutes[1:] < minutes[:-1]).astype(int)
    longest_fall = max(len(s) for s in "".join(map(str, steps)).split("0"))
    assert longest_fall >= 4  # 4 falls in a row = 5 points going down
    right_(nb04.check_rules({"anhoej": False, "ihi": True}))
    # misconception: every pattern is a signal under both rule sets
    not_right(nb04.check_rules({"anhoej": True, "ihi": True}), "do not signal")
    not_right(nb04.check_rules({"anhoej": False, "ihi": False}), "trend")
    right_(nb04.check_rules({"anhoej": "no", "ihi": "yes"}))  # the question is "does it signal?": yes/no answer it
    not_right(nb04.check_rules({"anhoej": "maybe", "ihi": "yes"}), "True or False")
    assert nb04.check_rules({"anhoej": False, "ihi": ...}).status == PARTLY
    unanswered(nb04.check_rules({"anhoej": ..., "ihi": ...}))
    right_(nb04.self_check({1: "b", 2: "a", 3: "c"}))
    not_right(nb04.self_check({1: "a", 2: "a", 3: "c"}), "median")


# ------------------------------------------------------------------------------------ notebook 05
def test_nb05_red_beads_and_tampering():
    right_(nb05.check_red_beads("c"))
    # misconception: the worker with most red beads needs retraining
    not_right(nb05.check_red_beads("a"), "system")
    unanswered(nb05.check_red_beads(...))
    right_(nb05.check_tampering({1: 1, 2: 2, 3: 3, 4: 4}))
    right_(nb05.check_tampering({"1": "rule 1", "2": "2", "3": 3, "4": 4}))
    # misconception: copying the last registrar (rule 4) mistaken for correcting by the last error (rule 2)
    not_right(nb05.check_tampering({1: 1, 2: 2, 3: 3, 4: 2}), "3 of 4 right", status=(PARTLY,))
    not_right(nb05.check_tampering({1: 2, 2: 1, 3: 4, 4: 3}), "0 of 4", "Something is being adjusted",
              status=(WRONG,))
    not_right(nb05.check_tampering({1: 7, 2: 2, 3: 3, 4: 4}), "not a rule")
    unanswered(nb05.check_tampering({1: ..., 2: ..., 3: ..., 4: ...}))


def test_nb05_upper_limit():
    y = _ae_type1("RW6")["attendances"].astype(float)
    assert len(y) == 36
    mean, mr = y.mean(), y.diff().abs().mean()  # 35 moving ranges
    assert (y.diff().abs().dropna() < 3.267 * mr).all()  # no moving range screened out: the hand rule applies
    right_(nb05.check_upper_limit(mean + 2.66 * mr))
    right_(nb05.check_upper_limit(round(mean + 3 / 1.128 * mr)))
    # misconception: 3 standard deviations of all the values
    sd_limit = mean + 3 * y.std()
    assert abs(sd_limit - (mean + 2.66 * mr)) > 0.003 * sd_limit
    not_right(nb05.check_upper_limit(sd_limit), "moving ranges")
    not_right(nb05.check_upper_limit(mean + 3 * mr), "2.66", status=(PARTLY,))
    not_right(nb05.check_upper_limit(2.66 * mr), "add it to the mean")
    not_right(nb05.check_upper_limit(mean), "centre line")
    right_(nb05.check_upper_limit(f"{mean + 2.66 * mr:,.0f}"))  # typed with a thousands comma, in quotes
    not_right(nb05.check_upper_limit("about twenty-six thousand"), "as a number")
    unanswered(nb05.check_upper_limit(...))
    right_(nb05.self_check({1: "b", 2: "c", 3: "a"}))


# ------------------------------------------------------------------------------------ notebook 06
def test_nb06_charts():
    answer = {1: "p", 2: "u", 3: "c", 4: "t", 5: "g", 6: "pp"}
    right_(nb06.check_charts(answer))
    right_(nb06.check_charts({**answer, 6: "Laney p'", 1: "P chart"}))
    # 06 teaches the g chart for "cases (or days)" between events and charts A&E with XmR (issue 14): both
    # are accepted, each with a word on the usual choice.
    v = nb06.check_charts({**answer, 4: "g", 6: "XmR"})
    right_(v)
    assert "t chart is the usual choice" in str(v) and "Making Data Count" in str(v)
    right_(nb06.check_charts({1: "p-chart", 2: "U chart", 3: "c charts", 4: "t", 5: "g", 6: "pp"}))
    # misconception: a plain p chart for huge denominators
    not_right(nb06.check_charts({**answer, 6: "p"}), "too narrow")
    not_right(nb06.check_charts({**answer, 2: "c"}), "bed-days vary")
    unanswered(nb06.check_charts({n: ... for n in range(1, 7)}))
    not_right(nb06.check_charts(["p", "u"]), "dictionary")


def test_nb06_p_limit():
    raw = pd.read_csv(DATA / "sepsis_antibiotics.csv", parse_dates=["week"])
    base = raw[raw["week"] < "2023-08-07"]
    assert len(base) == 70 and (base["eligible"] == 25).any()
    p = base["within_1h"].sum() / base["eligible"].sum()
    se = math.sqrt(p * (1 - p) / 25)
    right_(nb06.check_p_limit(100 * (p + 3 * se)))
    not_right(nb06.check_p_limit(p + 3 * se), "per cent", status=(PARTLY,))
    # misconception: the 2-sigma line
    not_right(nb06.check_p_limit(100 * (p + 2 * se)), "2-sigma")
    not_right(nb06.check_p_limit(100 * (p + 3 * math.sqrt(p * (1 - p)))), "square root")
    not_right(nb06.check_p_limit(300 * se), "add p-bar")
    right_(nb06.check_p_limit(f"{100 * (p + 3 * se):.1f}%"))  # typed with its unit, as the question's per cent
    right_(nb06.check_p_limit(round(100 * (p + 3 * se))))  # a whole per cent is a fair rounding
    not_right(nb06.check_p_limit("about the top"), "not a number")
    unanswered(nb06.check_p_limit(...))


def test_nb06_trial_limits_false_alarms_and_rules():
    """Exercises 2b-2d: the figures are recomputed here by hand (the normal tail with math.erf; the limits'
    spread with numpy written out again), not read from the checks."""
    p = 1 - math.erf(3 / math.sqrt(2))  # P(|Z| > 3)
    assert round(1 / p) == 370
    right_(nb06.check_false_alarm({"one_in": 1 / p, "in_36": 100 * (1 - (1 - p) ** 36)}))
    not_right(nb06.check_false_alarm({"one_in": 2 / p, "in_36": 100 * (1 - (1 - p) ** 36)}), "one side")
    not_right(nb06.check_false_alarm({"one_in": 1 / p, "in_36": 100 * (1 - (1 - p) ** 25)}), "25 points")
    unanswered(nb06.check_false_alarm({"one_in": ..., "in_36": ...}))
    not_right(nb06.check_false_alarm([370, 9.3]), "dictionary")
    right_(nb06.check_trial_limits({"points": "20–25", "action": "a"}))
    not_right(nb06.check_trial_limits({"points": 12, "action": "a"}), "fewest points")
    not_right(nb06.check_trial_limits({"points": 20, "action": "b"}), "Waiting")
    not_right(nb06.check_trial_limits({"points": 20, "action": "d"}), "not one of the options")
    rng = np.random.default_rng(nb06.SIM_SEED)
    values = 100 + 10 * rng.standard_normal((5000, 50))
    first = values[:, :20]
    upper = first.mean(axis=1) + 2.66 * np.abs(np.diff(first, axis=1)).mean(axis=1)
    assert np.percentile(upper, 5) == pytest.approx(nb06.limit_spread().loc[20, "low"])
    assert abs(np.median(upper) - 130) < 1  # the true upper limit, 100 + 3 x 10
    rates = nb06.false_alarm_rates()
    assert abs(rates.iloc[0] - 100 * (1 - (1 - p) ** 25)) < 1.5  # the simulation agrees with the formula
    right_(nb06.check_more_rules({"all_four": f"{rates.iloc[-1]:.0f}%", "why": "a"}))
    not_right(nb06.check_more_rules({"all_four": rates.iloc[0], "why": "a"}), "3-sigma rule alone")
    not_right(nb06.check_more_rules({"all_four": rates.iloc[-1], "why": "b"}), "stay at 3 sigma")


def test_nb06_funnel_wards():
    wards = nb06.hospital_wards()
    target = wards["falls"].sum() / wards["bed_days"].sum()  # the pooled rate per bed-day
    rate = wards["falls"] / wards["bed_days"]
    z = (rate - target) / (target / wards["bed_days"]) ** 0.5  # Poisson standard errors
    outside = set(wards.loc[z.abs() > 3, "ward"])
    assert outside == {"Ward 14", "Ward 21"}
    top = wards.loc[rate.idxmax(), "ward"]
    assert top == "Ward 1" and abs(z[rate.idxmax()]) < 3  # top of the league, inside the 3-sigma funnel
    right_(nb06.check_funnel("b"))
    # misconception: the top of the league table is the worst ward
    not_right(nb06.check_funnel("a"), "chance")
    not_right(nb06.check_funnel("c"), "a handful")
    unanswered(nb06.check_funnel(...))
    right_(nb06.self_check({1: "c", 2: "a", 3: "b"}))


# ------------------------------------------------------------------------------------ notebook 08
def test_nb08_trust_metrics():
    r1h = _ae_type1("R1H")
    got = nb08.trust_metrics("R1H")
    assert got["attendances"].tolist() == r1h["attendances"].tolist()
    assert got["pct_4h"].round(6).tolist() == (100 * (1 - r1h["breaches"] / r1h["attendances"])).round(6).tolist()


def test_nb08_icons():
    r1h = _ae_type1("R1H")
    y = 100 * (1 - r1h["breaches"] / r1h["attendances"])
    mr = y.diff().abs()
    assert (mr.dropna() < 3.267 * mr.mean()).all()  # nothing screened: limits are mean +/- 2.66 x mean mR
    lpl, upl = y.mean() - 2.66 * mr.mean(), y.mean() + 2.66 * mr.mean()
    assert upl < 95  # target above the upper limit, higher is better: consistently fail
    assert y.iloc[-1] < lpl  # the latest month below the lower limit: a special cause of concern
    right_(nb08.check_icons({"variation": "concern", "assurance": "fail"}))
    right_(nb08.check_icons({"variation": "Special cause concern", "assurance": "consistent_fail"}))
    # misconception: reading the whole chart's story instead of the latest point
    not_right(nb08.check_icons({"variation": "common cause", "assurance": "fail"}), "latest point",
              status=(PARTLY,))
    # misconception: comparing the target with the latest value instead of the limits
    not_right(nb08.check_icons({"variation": "concern", "assurance": "hit and miss"}), "between the process limits")
    not_right(nb08.check_icons({"variation": "red", "assurance": "fail"}), "not one of")
    unanswered(nb08.check_icons({"variation": ..., "assurance": ...}))
    not_right(nb08.check_icons("concern"), "dictionary")


GOOD_REPORT = ("Four-hour performance shows common cause variation in the latest month, and the 95% target lies "
               "between the process limits, so it will be met only some of the time. The emergency care team "
               "will test a change to the flow of admitted patients.")


def test_nb08_report():
    form_ok(nb08.check_report(GOOD_REPORT))
    # factually wrong for RDU (its latest month is common cause, its assurance hit and miss): never "Right"
    not_right(nb08.check_report("Four-hour performance shows special cause variation of a concerning nature in "
                                "March 2019 and the 95% target will never be met without a change, so the team "
                                "will redesign the flow of patients through the department."),
              "variation is wrong", "assurance is wrong", status=(WRONG,))
    # describing the latest point "in the last month" is not a month-on-month comparison
    form_ok(nb08.check_report("In the last month performance showed common cause variation, with the 95% target "
                              "between the process limits so it will be hit and miss; the team will redesign "
                              "the flow of patients."))
    # misconception: month-on-month comparison and a RAG rating
    not_right(nb08.check_report("Performance was 83.3% in March, up from last month, and is rated red. " + GOOD_REPORT),
              "month-on-month", "red-amber-green")
    # nearly there: no action
    not_right(nb08.check_report("Four-hour performance shows common cause variation, and the 95% target lies "
                                "between the process limits: it is hit and miss."), "what will happen next",
              status=(PARTLY,))
    not_right(nb08.check_report("Good."), "two or three")
    not_right(nb08.check_report(95), "as text")
    unanswered(nb08.check_report(...))
    right_(nb08.self_check({1: "b", 2: "c", 3: "a"}))


CHECKS_B = [nb04.check_which_ward, nb04.check_runs, nb04.check_rules, nb04.self_check,
            nb05.check_red_beads, nb05.check_tampering, nb05.check_upper_limit, nb05.self_check,
            nb06.check_charts, nb06.check_p_limit, nb06.check_trial_limits, nb06.check_false_alarm,
            nb06.check_more_rules, nb06.check_funnel, nb06.self_check,
            nb08.check_icons, nb08.check_report, nb08.self_check]


@pytest.mark.parametrize("check", CHECKS_B, ids=lambda f: f"{f.__module__.rsplit('.', 1)[-1]}.{f.__name__}")
@pytest.mark.parametrize("answer", [None, 0, -1.5, True, "", "x", [], [1, 2], {}, {1: 2}, object(),
                                    float("nan"), {"median": "x"}],
                         ids=["None", "0", "float", "True", "empty", "text", "list0", "list", "dict0", "dict",
                              "object", "nan", "dict_text"])
def test_checks_b_never_raise(check, answer):
    verdict = check(answer)
    assert isinstance(verdict, Verdict) and str(verdict)
