"""Checks for notebook 05, *Variation: Deming and Shewhart*: the red beads, tampering, and XmR limits.

Sources: Deming WE, *Out of the Crisis*, MIT CAES, 1986, ch. 11 (the red bead experiment; the funnel
experiment and its four rules, after Lloyd S. Nelson); Wheeler DJ, Chambers DS, *Understanding Statistical
Process Control*, 2nd ed., SPC Press, 1992 (natural process limits: mean +/- 2.66 x the average moving range);
Provost LP, Murray SK, *The Health Care Data Guide*, Jossey-Bass, 2011, ch. 5 and 7.

Examples
--------
>>> from qikit.exercises import nb05
>>> nb05.check_red_beads("c").correct
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._feedback import Verdict, is_blank, not_answered, self_check_quiz, wrong
from ._options import OPTIONS
from .spec import Choice, Item, Items, Miss, Number, Option, Vocabulary

__all__ = ["check_red_beads", "SCENARIOS", "check_tampering", "exercise_trust", "check_upper_limit",
           "self_check"]

_BEADS = {
    "a": "Worker 4 followed the same procedure with the same bowl and paddle as everyone else, and every one "
         "of their days lies inside the control limits. Retraining them would change nothing: the red beads "
         "come from the system (the bowl holds 20% red beads), not from the worker.",
    "b": "Worker 2's low count is luck inside the limits, not skill: next week the ranking will shuffle. "
         "Rewarding it teaches the team that results depend on effort when they depend on the system.",
    "c": "Every point lies within the limits: common cause variation. The differences between workers come "
         "from the system (the bowl's 20% red beads and the paddle). Only management can change the system, "
         "for example by buying beads with fewer red ones.",
}


def check_red_beads(answer) -> Verdict:
    """Exercise 1: what should the supervisor do about Worker 4 (most red beads)? (a, b or c)"""
    texts = OPTIONS["nb05.check_red_beads"][0]
    # the option's gist in a trainee's words: "neither", "change the system", "c. change the system"
    words = {"a": ("retrain worker 4",), "b": ("give worker 2 a bonus", "a bonus for worker 2"),
             "c": ("neither", "change the system", "neither change the system")}
    return Choice({k: Option(texts[k], why, words[k]) for k, why in _BEADS.items()}, "c").check(answer)


#: Exercise 2: four ways of reacting to results; the trainee names the funnel rule each one follows.
SCENARIOS = {
    1: "A well-calibrated infusion pump is left alone; nobody adjusts it between patients.",
    2: "A ward manager who finds the fridge 1 °C too warm turns the thermostat down by 1 °C, every day, "
       "from wherever it was set the day before.",
    3: "After a month 5 points under the target, a team sets next month's goal 5 points above the target "
       "to 'make up for it'.",
    4: "Each new registrar learns the procedure from the previous registrar, not from the written protocol.",
}
# Why each rule is what it is, and what choosing it wrongly misunderstands (the same for every scenario).
_RULE_WHY = {
    "1": "leave a stable process alone. This gives the smallest spread.",
    "2": "move by minus the last error, from the last setting. It feels responsible but doubles the variance.",
    "3": "aim opposite the last result, measured from the target. The results swing back and forth, further and "
         "further.",
    "4": "aim at the last result. Each copy inherits the last one's error, so practice drifts away (a random walk).",
}
_RULE_MISTAKES = {
    "1": "Something is being adjusted here, so this is tampering, not rule 1.",
    "2": "Rule 2 moves the setting by the last error from where it was; check where this scenario aims from.",
    "3": "Rule 3 aims opposite the last result, measured from the target.",
    "4": "Rule 4 aims at the last result itself (copying it).",
}
#: Exercise 2 as data: scenario n is funnel rule n (SCENARIOS is written in that order).
TAMPERING = Items(
    [Item(SCENARIOS[n], str(n), _RULE_WHY[str(n)], {k: v for k, v in _RULE_MISTAKES.items() if k != str(n)})
     for n in range(1, 5)],
    Vocabulary({str(n): f"rule {n}" for n in range(1, 5)},
               words={w: str(n) for n, ws in enumerate((("one", "1.0"), ("two", "2.0"), ("three", "3.0"),
                                                        ("four", "4.0")), start=1) for w in ws}),
    example="rule",
    done=" Only rule 1 leaves a stable process alone; rules 2, 3 and 4 all react to common cause variation, and "
         "each makes the results worse.",
    partial="",
    unknown="{given!r} is not a rule: answer 1, 2, 3 or 4.",
    blank="Replace each ... with a rule number (1, 2, 3 or 4), then run the cell again.",
    wrong_form="Give your answers as a dictionary from scenario to rule, as in the cell: {1: ..., 2: ..., 3: ..., "
               "4: ...} with a rule number (1 to 4) for each scenario.",
)


def check_tampering(answer) -> Verdict:
    """Exercise 2: the funnel rule (1, 2, 3 or 4) behind each scenario in :data:`SCENARIOS`.

    Examples
    --------
    >>> check_tampering({1: 1, 2: 2, 3: 3, 4: 4}).correct
    True
    """
    return TAMPERING.check(answer)


def exercise_trust() -> pd.DataFrame:
    """Exercise 3: monthly attendances at trust RW6's major (type 1) A&E department, April 2016 to March 2019,
    from ``qikit.datasets.ae_attendances()``: columns ``period`` and ``attendances``.

    Examples
    --------
    >>> exercise_trust().shape
    (36, 2)
    """
    from ..datasets import ae_attendances

    ae = ae_attendances()
    trust = ae[(ae["org_code"] == "RW6") & (ae["type"] == "1")].sort_values("period")
    return trust[["period", "attendances"]].reset_index(drop=True)


#: Answers within this relative distance of the upper limit count as right (2.66 or 3 / 1.128, rounding).
_TOLERANCE = 0.003


def check_upper_limit(answer) -> Verdict:
    """Exercise 3: the upper natural process limit of :func:`exercise_trust`'s XmR chart, worked out by hand
    as mean + 2.66 x the average moving range.

    Examples
    --------
    >>> check_upper_limit("lots").status
    'not yet right'
    """
    if is_blank(answer):
        return not_answered("Replace the ... with your upper limit (a number), then run the cell again.")
    y = exercise_trust()["attendances"].to_numpy(dtype=float)
    mean, mr = y.mean(), np.abs(np.diff(y)).mean()
    truth = mean + 2.66 * mr
    spec = Number(
        truth, f"About {truth:,.0f} attendances a month: the mean ({mean:,.0f}) plus 2.66 times the average moving "
        f"range ({mr:,.0f}). A month above it would be a special cause worth asking about.", rel=_TOLERANCE,
        misses=[
            Miss(mean + 3 * y.std(ddof=1), "That is the mean plus 3 standard deviations of all 36 months. An XmR chart "
                 "estimates the spread from the moving ranges (month-to-month differences) instead, so that a shift "
                 "or trend in the data does not widen the limits and hide itself. Use mean + 2.66 x average moving "
                 "range."),
            Miss(mean + 3 * mr, "Nearly: you used 3 x the average moving range. The factor is 2.66 (that is 3 / 1.128, "
                 "which turns the average moving range into an estimate of the standard deviation).", status="partly right"),
            Miss(2.66 * mr, "That is the width of the band only: add it to the mean."),
            Miss(3 * mr, "That is the width of the band only: add it to the mean."),
            Miss(mean, "That is the mean, the centre line. The upper limit is the mean plus 2.66 x the average moving "
                 "range."),
        ],
        hint="Not yet. Work it out in three steps: the mean of the 36 months; the moving ranges (the size of each "
             "month-to-month change, ignoring its sign) and their average; then mean + 2.66 x average moving range.")
    if spec.mark(answer).line.endswith("e.g. 12.5."):
        return wrong("Give the limit as a number, e.g. 25000 (no quotes, no commas).")
    return spec.check(answer)


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 05: three multiple-choice questions."""
    return self_check_quiz("nb05", answers)
