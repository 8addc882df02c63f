"""Checks for notebook 02, *The Model for Improvement*: aims, the family of measures, operational definitions.

The aim check uses :meth:`qikit.AimStatement.parse` and :meth:`qikit.AimStatement.check` (Langley et al.,
*The Improvement Guide*, 2009; SMART after Doran 1981); the measures follow Provost & Murray, *The Health
Care Data Guide* (2011), ch. 2.

Examples
--------
>>> from qikit.exercises import nb02
>>> print(nb02.check_aim("Reduce falls on ward 7").status)
not yet right
"""

from __future__ import annotations

import datetime as _dt
import re

import pandas as pd

from ..errors import QIDataError
from ._feedback import Verdict, choice, is_blank, not_answered, partly, right, self_check_quiz, wrong
from ._options import OPTIONS
from .spec import Item, Items, Vocabulary

__all__ = ["check_aim", "measures", "check_measure_kinds", "check_definition", "check_question", "self_check"]


def check_aim(aim, today: _dt.date | str | None = None) -> Verdict:
    """Exercise 1: is the aim SMART? Accepts the aim as text or as a :class:`qikit.AimStatement`.

    Parameters
    ----------
    aim : str or AimStatement
        The trainee's aim.
    today : date or str, optional
        The date the deadline must come after (default: the real today).

    Examples
    --------
    >>> check_aim("Increase the percentage of patients on ward 7 discharged before noon from 16% to 30% "
    ...           "by 31 March 2027", today="2025-10-01").correct
    True
    """
    from ..improve.aims import AimStatement

    if is_blank(aim):
        return not_answered("Replace the ... with your aim in quotes, then run the cell again.")
    try:
        if isinstance(aim, AimStatement):
            findings = aim.check(today=today)
        elif isinstance(aim, str):
            findings = AimStatement.parse(aim).feedback(today=today)
        else:
            return wrong(f"Write the aim as text in quotes (or as a qikit.AimStatement), not as a "
                         f"{type(aim).__name__}.")
    except QIDataError as error:
        return wrong(str(error))
    if not findings:
        return right("The aim says what will change, by how much from where, by when and for whom. "
                     "Share it with the team: a good aim is one they would sign up to.")
    if len(findings) >= 3:
        lead = (f"This reads like a topic rather than an aim: {len(findings)} things are missing. An aim "
                "answers what, how much, by when and for whom.")
    else:
        lead = "Nearly there. To make the aim SMART:"
    return (partly if len(findings) < 3 else wrong)(lead, [f"- {f}" for f in findings])


# --- exercise 2: the family of measures ------------------------------------------------------------
_MEASURES = (
    ("Falls per 1,000 occupied bed-days", "outcome",
     "it shows how the system performs for patients: the result the project exists for."),
    ("Percentage of patients with a falls risk assessment within 24 hours of admission", "process",
     "it shows whether a step the team believes prevents falls is carried out."),
    ("Percentage of patients aged 65 or over with lying and standing blood pressure recorded", "process",
     "it is a step of care that should prevent falls, not the falls themselves."),
    ("Falls causing moderate or severe harm per month", "outcome",
     "harm to patients is an outcome; it is often the one patients and boards care about most."),
    ("Patients with bed rails raised at the midnight check", "balancing",
     "a push to prevent falls can lead to more restraint, which harms patients in other ways."),
    ("Nursing hours spent on one-to-one supervision each week", "balancing",
     "enhanced supervision takes staff time from other patients: a cost elsewhere in the system."),
)
_KINDS = Vocabulary({"outcome": "outcome", "process": "process", "balancing": "balancing"},
                    {"balance": "balancing", "balancing outcome": "balancing"}, strip=("measure",))


def measures() -> pd.DataFrame:
    """Exercise 2: six measures a ward 7 falls project might use."""
    return pd.DataFrame({"measure": [m for m, _, _ in _MEASURES]},
                        index=pd.RangeIndex(1, len(_MEASURES) + 1, name="number"))


def check_measure_kinds(answers) -> Verdict:
    """Exercise 2: mark a dict ``{1: "outcome", 2: "process", ...}``.

    Examples
    --------
    >>> check_measure_kinds({1: "outcome", 2: "process", 3: "process", 4: "outcome", 5: "balancing",
    ...                      6: "balancing"}).correct
    True
    """
    return Items([Item(text, kind, why)
                  for text, kind, why in _MEASURES], _KINDS, example='kind, e.g. {1: "outcome", 2: ...}',
                 done=" A family with all three kinds tells you whether the change helps and whether it harms.",
                 partial="", unknown="{given!r} is not a kind of measure: use outcome, process or balancing.",
                 ).check(answers)


# --- exercise 3: an operational definition ----------------------------------------------------------
def check_definition(measure) -> Verdict:
    """Exercise 4: a :class:`qikit.Measure` for falls risk assessment within 24 hours of admission to ward 7,
    built with the measure form (:func:`qikit.widgets.measure_form`) or with ``qikit.Measure(...)``.

    Right when it is a process measure with a numerator and a denominator, a definition that says
    what counts (within 24 hours of what), who is included and where the data come from.

    Examples
    --------
    >>> from qikit import Measure
    >>> m = Measure("Falls risk assessment within 24 h (%)", "process",
    ...             "Patients admitted to ward 7 with a completed falls risk assessment in the e-record within "
    ...             "24 hours of arriving on the ward; patients staying under 24 hours are excluded",
    ...             numerator="patients assessed within 24 hours of arriving on the ward",
    ...             denominator="patients admitted to ward 7", direction="increase", frequency="weekly")
    >>> check_definition(m).correct
    True
    """
    from ..improve.measures import Measure

    if is_blank(measure):
        return not_answered("Replace the ... with qikit.Measure(...) as in the example above, then run the cell.")
    if not isinstance(measure, Measure) and hasattr(measure, "fields") and hasattr(measure, "problems"):
        if measure.empty:  # the measure form, not filled in yet
            return not_answered("Fill in the form above, then run this cell again.")
        if measure.value is None:
            return wrong("The form cannot make a measure yet:", [f"- {p}" for p in measure.problems])
        measure = measure.value
    if not isinstance(measure, Measure):
        return wrong(f"Build the measure with qikit.Measure(name, kind, definition, numerator=..., "
                     f"denominator=...), not as a {type(measure).__name__}.")
    problems = []
    if measure.kind != "process":
        problems.append(f"- Kind: a risk assessment done on time is a process measure (a step of care that "
                        f"should prevent falls), not {measure.kind}; falls per 1,000 bed-days is the outcome.")
    problems += [f"- {finding}" for finding in measure.check()]
    if not measure.is_ratio:
        problems.append("- It is a percentage of patients, so give a numerator and a denominator.")
    wording = f"{measure.definition} {measure.numerator or ''}"
    if not re.search(r"\b24\b|\btwenty[- ]four\b|\bone day\b", wording, re.I):
        problems.append("- Say what counts as on time: within 24 hours of what? Arrival at hospital, or "
                        "arrival on the ward?")
    if len(measure.definition.split()) < 10:
        problems.append("- The definition is short. Say who is included (and excluded) and where the data "
                        "come from, so two people counting would get the same number.")
    if measure.direction is None:
        problems.append("- Say which way is better: direction=\"increase\".")
    if not problems:
        return right("Two people following this definition would count the same patients and get the same "
                     "percentage. That is what makes a measure operational.")
    return (partly if len(problems) <= 2 else wrong)(
        f"{len(problems)} thing{'s' if len(problems) > 1 else ''} to fix:", problems)


_QUESTION = {
    "a": "That is the first question (the aim), not the second.",
    "b": "Right: the second question asks for measures, so that the team can tell a change that helps from "
         "one that does not.",
    "c": "That is the third question (the changes to test).",
}


def check_question(answer) -> Verdict:
    """The three questions: which one do measures answer (a, b or c)?"""
    verdict = choice(answer, "b", _QUESTION, texts=OPTIONS["nb02.check_question"][0])
    if verdict.correct:
        return right("Measures answer 'How will we know that a change is an improvement?'.")
    return verdict


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 02: three multiple-choice questions."""
    return self_check_quiz("nb02", answers)
