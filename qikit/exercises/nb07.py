"""Checks for notebook 07, *PDSA cycles*: predictions, ramps of tests, and when to start a new phase.

Sources: Langley et al., *The Improvement Guide*, 2nd ed., 2009 (predictions in Plan; sequential cycles of
growing scale); Provost & Murray, *The Health Care Data Guide*, 2011, ch. 6 (when to extend a baseline,
when to calculate new limits).

Examples
--------
>>> from qikit.exercises import nb07
>>> nb07.check_prediction("It will work").status
'not yet right'
"""

from __future__ import annotations

import re

import pandas as pd

from ..dates import try_date
from ._feedback import Verdict, is_blank, not_answered, partly, right, self_check_quiz, wrong
from .spec import form_checked

__all__ = ["check_prediction", "check_ramp", "check_new_phase", "self_check"]

# a quantity a Study step can compare with what happened ("no" alone is not one: "no idea")
_NUMBER = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|half|quarter|third|all|none|every|each|most|fewer|more than|less than|"
                     r"at least|at most)\b", re.I)
_VAGUE = re.compile(r"\b(work|better|improve|improvement|help|like|successful|success|fine|ok|okay)\b", re.I)
_HEDGE = re.compile(r"no idea|not sure|unsure|don'?t know|do not know|dunno|can'?t (say|tell)|cannot (say|tell)|"
                    r"unknown|we'?ll see|see what happens|who knows|\?\s*$|\bmaybe\b|\bperhaps\b|\bhopefully\b",
                    re.I)
# what is counted: patients, discharges, time, ... (a number alone says nothing)
_MEASURE = re.compile(r"\b(patients?|people|discharg\w*|beds?|bay|ward|leave|left|go(es|ing)? home|home|noon|"
                      r"minutes?|hours?|days?|%|per ?cent|percentage|staff|nurses?|doctors?|TTOs?|prescri\w*|"
                      r"before|by|within)\b", re.I)


def _prediction_problem(prediction: str) -> str | None:
    """Why a prediction cannot be checked by Study, or None when its form is checkable."""
    if _HEDGE.search(prediction):
        return ("This is not yet a prediction: a prediction commits to what you expect, so that Study can find "
                "out whether you were right. Say how many patients you expect to leave before noon.")
    if not _NUMBER.search(prediction):
        hint = " Words like 'work' or 'better' cannot be proved wrong." if _VAGUE.search(prediction) else ""
        return ("The prediction has no number, so Study cannot compare it with what happened." + hint +
                " Say how many, how much or how long: 'of the 6 patients in bay 2 on Tuesday, 4 will leave "
                "before noon'.")
    if len(prediction.split()) < 6 or not _MEASURE.search(prediction):
        return ("There is a number, but say what it counts and where: which patients, on which day, measured "
                "how?")
    return None


def check_prediction(prediction) -> Verdict:
    """Exercise 1: is the prediction specific enough to be proved wrong?

    A useful prediction names what will be measured and gives a number that the Study step can
    compare with what happened ("4 of the 6 patients in bay 2 will leave before noon"). A program can check
    that form (a commitment, a number, what it counts), not whether the number is a sensible expectation:
    a prediction with the right form gets a "form checked" verdict that says what a tutor should read for.

    Examples
    --------
    >>> check_prediction("Of the 6 patients in bay 2 on Tuesday, 4 will leave the ward before noon").status
    'form checked'
    >>> check_prediction("No idea what will happen this week").status
    'not yet right'
    """
    if is_blank(prediction):
        return not_answered("Replace the ... with your prediction in quotes, then run the cell again.")
    if not isinstance(prediction, str):
        return wrong("Write the prediction as a sentence in quotes.")
    problem = _prediction_problem(prediction)
    if problem is not None:
        return (partly if problem.startswith("There is a number") else wrong)(problem)
    return form_checked(
        "It commits to a number and says what is counted, so Study can compare it with what happened. "
        "Writing it down before the test stops hindsight from rewriting what you expected.",
        "whether it is about this test (the patients in bay 2 this week) and whether the number is what the "
        "team really expects; a wrong prediction is where the learning is.")


def _cycles_of(log):
    from ..improve.pdsa import PDSACycle, PDSALog

    if isinstance(log, PDSALog):
        ramps = [r for r in log.ramps if r.cycles]
        if not ramps:
            return None, "The log has no ramp with cycles yet: start one with log.add_ramp(...) and add cycles to it."
        return list(max(ramps, key=lambda r: len(r.cycles)).cycles), None
    if isinstance(log, (list, tuple)) and all(isinstance(c, PDSACycle) for c in log):
        return sorted(log, key=lambda c: c.start), None
    return None, "Give a qikit.PDSALog (or a list of qikit.PDSACycle) built as in the example above."


def check_ramp(log) -> Verdict:
    """Exercise 2: a ramp of PDSA cycles for one change idea, planned with :func:`qikit.widgets.ramp_form`
    (or built as a :class:`qikit.PDSALog` or a list of :class:`qikit.PDSACycle`).

    Right when the ramp has three to five cycles, every cycle has a prediction and a scale, the first test
    is small (five or fewer patients, staff or shifts), the scale never falls without a reason and ends at
    least three times larger than it started.

    Examples
    --------
    >>> from qikit import PDSACycle
    >>> ramp = [PDSACycle(f"Cycle {i}", "Test", f"{p} patients will have TTOs ready the day before", "Plan",
    ...                   start=f"2025-01-{7 * i:02d}", scale=s)
    ...         for i, (s, p) in enumerate([(1, "1 of 1"), (5, "4 of 5"), (20, "15 of 20")], start=1)]
    >>> check_ramp(ramp).status
    'form checked'
    """
    from ..improve.pdsa import PDSALog

    if is_blank(log):
        return not_answered("Replace the ... with your PDSALog, then run the cell again.")
    if not isinstance(log, PDSALog) and isinstance(getattr(log, "pdsa_log", None), PDSALog):  # the ramp form
        if len(log.pdsa_log) == 0:
            return not_answered("The ramp has no cycles yet: fill in the form and press 'Add to the ramp' for each "
                                "of three to five cycles, then run this cell again.")
        log = log.pdsa_log
    if isinstance(log, PDSALog) and len(log) == 0:
        return not_answered("The log has no cycles yet: add three to five with my_log.add(..., ramp=...), then run "
                            "the cell again.")
    cycles, problem = _cycles_of(log)
    if cycles is None:
        return wrong(problem)
    notes = []
    if not 3 <= len(cycles) <= 5:
        notes.append(f"- A ramp of {len(cycles)} cycle{'s' if len(cycles) != 1 else ''}: plan three to five, each "
                     "a little bigger than the last.")
    unscaled = [c.title for c in cycles if c.scale is None]
    if unscaled:
        notes.append(f"- Give every cycle a scale (how many patients, staff or shifts): {', '.join(unscaled)}.")
    unfilled = [c.title for c in cycles if any(is_blank(getattr(c, f, None)) for f in ("objective", "plan"))]
    if unfilled:
        notes.append(f"- Fill in the objective and the plan of {', '.join(unfilled)} (replace each \"...\" with "
                     "what the test will do, with whom, where and when).")
    no_prediction = [c.title for c in cycles if is_blank(c.prediction)]
    if no_prediction:
        notes.append(f"- Write a prediction for {', '.join(no_prediction)}: what do you expect to happen?")
    vague = [c.title for c in cycles if not is_blank(c.prediction) and _prediction_problem(c.prediction)]
    if vague:
        notes.append(f"- Make the prediction of {', '.join(vague)} checkable: a number and what it counts, e.g. "
                     "'4 of 5 patients will have their TTOs ready the day before'.")
    scales = [c.scale for c in cycles if c.scale is not None]
    if scales:
        if scales[0] > 5:
            notes.append(f"- The first test covers {scales[0]}. Start smaller (one patient, one nurse, one shift): "
                         "a small test that fails costs little and teaches fast.")
        if len(scales) >= 2 and scales[-1] < 3 * scales[0]:
            notes.append(f"- The scale goes from {scales[0]} to {scales[-1]}: let it grow, so that by the last "
                         "cycle you are testing in the conditions the change must survive (nights, weekends, "
                         "busy days).")
    if not notes:
        growth = " → ".join(str(s) for s in scales)
        return form_checked(
            f"Scale {growth}, small first and growing, and every cycle has an objective, a plan and a "
            "prediction with a number.",
            "whether each cycle really tests the change idea, and whether each prediction is what the team expects "
            "at that scale.")
    return (partly if len(notes) == 1 else wrong)("The ramp needs work:", notes)


_CHANGE = pd.Timestamp("2023-05-29")
_FIRST_WEEK = pd.Timestamp("2022-04-04")
_LAST_WEEK = pd.Timestamp("2024-03-25")


def check_new_phase(answer) -> Verdict:
    """Exercise 3: the week in which ward 7's discharge-before-noon chart should start a new phase.

    Criteria-led discharge was adopted for the whole ward in the week of 29 May 2023, and the frozen
    baseline then shows a sustained shift; that week starts the new phase.

    Examples
    --------
    >>> check_new_phase("2023-05-29").correct
    True
    >>> check_new_phase("2023-04-17").status
    'not yet right'
    """
    if is_blank(answer):
        return not_answered("Replace the ... with the date in quotes, e.g. \"2023-01-02\", then run the cell.")
    date = try_date(answer)
    if date is None:
        return wrong(f"{answer!r} is not a date: write it as \"YYYY-MM-DD\" (e.g. \"2023-01-02\") or day first "
                     "(\"02/01/2023\").")
    when = pd.Timestamp(date)
    monday = (when - pd.Timedelta(days=when.day_of_week)).normalize()
    if monday < _FIRST_WEEK or monday > _LAST_WEEK:
        return wrong(f"{when.date()} is outside the chart (4 April 2022 to 25 March 2024).")
    if monday == _CHANGE:
        return right("The week of 29 May 2023: the ramp adopted the change for the whole ward that week, and the "
                     "points against the frozen baseline then show a sustained shift. A known change plus a signal: "
                     "that is an honest reason for a new phase.")
    if monday < _CHANGE:
        return wrong(f"The week of {monday.date()} is before the change was adopted for the whole ward. The odd "
                     "high week in April 2023 is one point (noise or a one-off), not a new process: starting a "
                     "phase there would be re-baselining on noise.")
    weeks = (monday - _CHANGE).days // 7
    if weeks <= 4:
        return partly(f"Close: {monday.date()} is {weeks} week{'s' if weeks != 1 else ''} after the change. A "
                      "new phase starts when the change started (find it in your PDSA log), not when you noticed "
                      "the signal.")
    return wrong(f"The week of {monday.date()} is {weeks} weeks after the change was adopted: by then the new "
                 "process had been running for a while. Start the phase at the change, which your PDSA log "
                 "records.")


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 07: three multiple-choice questions."""
    return self_check_quiz("nb07", answers)
