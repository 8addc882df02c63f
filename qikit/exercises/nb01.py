"""Checks for notebook 01, *What is quality, and what is QI?*

Three classification exercises: QI, audit or research; the IOM's six domains of quality; and the four
functions of a quality management system (Shah, *BMJ* 2020;370:m2319).

Examples
--------
>>> from qikit.exercises import nb01
>>> len(nb01.activities())
6
>>> nb01.check_activities({1: ..., 2: ..., 3: ..., 4: ..., 5: ..., 6: ...}).status
'not answered'
"""

from __future__ import annotations

import pandas as pd

from ._feedback import Verdict, self_check_quiz
from .spec import Item, Items, Vocabulary

__all__ = ["activities", "check_activities", "problems", "check_domains", "qms_activities", "check_qms",
           "self_check"]

# --- exercise 1: QI, audit or research -------------------------------------------------------------
_ACTIVITIES = (
    ("Checking whether every patient admitted to the stroke unit last quarter had a swallow screen within "
     "four hours, against the national standard.", "audit",
     "it measures current care against an agreed standard; it does not itself test a change."),
    ("Randomly allocating 400 adults with cellulitis to 7 or 14 days of antibiotics, to find out which is "
     "better and publish the answer.", "research",
     "it creates new, generalisable knowledge with a designed comparison (randomisation) and needs ethics "
     "approval."),
    ("Trying a new ward-round checklist with one consultant's team for a week, changing it after feedback, "
     "then trying it with two teams.", "qi",
     "it tests a change on a small scale, learns from each test and tries again: the PDSA way of working."),
    ("Comparing two dressings for pressure ulcers across twelve hospitals in a trial designed to show which "
     "heals faster.", "research",
     "it sets out to answer a general question for everyone, with a design fixed in advance, rather than to "
     "improve one local system."),
    ("Repeating last year's measurement of VTE risk assessment on admission to see whether the trust now "
     "meets the NICE standard.", "audit",
     "re-audit still measures against a standard; it checks whether care has changed but tests no change "
     "itself."),
    ("Plotting time to antibiotics every week on a run chart while the sepsis team tries a series of changes "
     "to triage.", "qi",
     "it tests changes in the local system and uses data over time to learn whether each change helps."),
)
_KINDS = Vocabulary({"qi": "quality improvement", "audit": "audit", "research": "research"},
                    {"improvement": "qi", "quality improvement project": "qi", "qip": "qi", "pdsa": "qi",
                     "clinical audit": "audit", "re audit": "audit", "reaudit": "audit", "audit cycle": "audit",
                     "clinical research": "research", "research study": "research", "trial": "research"},
                    strip=("project",))


def activities() -> pd.DataFrame:
    """Exercise 1: six activities to label ``"qi"``, ``"audit"`` or ``"research"``."""
    return pd.DataFrame({"activity": [a for a, _, _ in _ACTIVITIES]},
                        index=pd.RangeIndex(1, len(_ACTIVITIES) + 1, name="number"))


def _items(table, vocabulary: Vocabulary, example: str, mistakes=None, **kwargs) -> Items:
    mistakes = mistakes or {}
    return Items([Item(text, answer, why, mistakes.get(n, {}))
                  for n, (text, answer, why) in enumerate(table, start=1)], vocabulary, example=example, **kwargs)


def check_activities(answers) -> Verdict:
    """Exercise 1: mark a dict ``{1: "audit", 2: "research", ...}``.

    Examples
    --------
    >>> check_activities({1: "audit", 2: "research", 3: "qi", 4: "research", 5: "audit", 6: "qi"}).correct
    True
    """
    return _items(_ACTIVITIES, _KINDS, "'qi', 'audit' or 'research'").check(answers)


# --- exercise 2: the six domains ---------------------------------------------------------------------
_PROBLEMS = (
    ("Patients wait more than twelve hours in the emergency department for a bed on a ward.", "timely",
     "the harm comes from delay."),
    ("A patient is given penicillin although an allergy to it is recorded in the notes.", "safe",
     "the care itself caused harm that could have been avoided."),
    ("Antibiotics are prescribed for sore throats that are almost always viral.", "effective",
     "care is given that the evidence says will not help (overuse)."),
    ("Interpreters are hard to book, so patients who speak little English miss follow-up appointments.",
     "equitable", "care is worse for some people because of who they are."),
    ("Blood tests are repeated on admission because the GP's results of the day before cannot be seen.",
     "efficient", "time, money and blood are wasted on duplication."),
    ("A ward round plans a patient's discharge without asking what matters to her or her family.",
     "patient-centred", "care does not respond to the person's own preferences, needs and values."),
)
_DOMAINS = Vocabulary({d: d for d in ("safe", "effective", "patient-centred", "timely", "efficient", "equitable")},
                      {"safety": "safe", "effectiveness": "effective", "patient centered": "patient-centred",
                       "person centred": "patient-centred", "person centered": "patient-centred",
                       "patient centredness": "patient-centred", "patient centeredness": "patient-centred",
                       "person centredness": "patient-centred", "timeliness": "timely", "efficiency": "efficient",
                       "equity": "equitable", "equality": "equitable", "fair": "equitable", "fairness": "equitable"},
                      strip=("care", "domain"))


def problems() -> pd.DataFrame:
    """Exercise 2: six problems, each failing one of the IOM's six domains."""
    return pd.DataFrame({"problem": [p for p, _, _ in _PROBLEMS]},
                        index=pd.RangeIndex(1, len(_PROBLEMS) + 1, name="number"))


def check_domains(answers) -> Verdict:
    """Exercise 2: mark a dict ``{1: "timely", 2: "safe", ...}`` (the IOM's six domains, 2001).

    Examples
    --------
    >>> check_domains({1: "timely", 2: "safe", 3: "effective", 4: "equitable", 5: "efficient",
    ...                6: "patient-centred"}).correct
    True
    """
    return _items(_PROBLEMS, _DOMAINS, "domain").check(answers)


# --- exercise 3: the four functions of a quality management system ------------------------------------
_QMS = (
    ("Designing, with patients and carers, how falls will be prevented on a new frailty unit before it opens.",
     "planning", "it designs a service before it starts, around the needs of the people it will serve."),
    ("A five-minute huddle every morning reviewing yesterday's falls and today's patients at high risk.",
     "control", "it keeps a working process on track day to day, acting quickly when something slips."),
    ("The annual audit of falls care against the NICE standard, reported to the trust's quality committee.",
     "assurance", "it checks at intervals that standards are met and gives others confidence."),
    ("Testing a new toileting round on one bay with PDSA cycles, to find out whether it prevents falls.",
     "improvement", "it tests changes to solve a problem whose answer is not yet known."),
)
_FUNCTIONS = Vocabulary({"planning": "quality planning", "control": "quality control",
                         "assurance": "quality assurance", "improvement": "quality improvement"},
                        {"plan": "planning", "qp": "planning", "qc": "control", "qa": "assurance", "qi": "improvement"})
_QMS_MISTAKES = {2: {"improvement": "A common mix-up: a daily huddle about falls feels like improvement, but it keeps "
                                   "today's process on track (quality control); improvement tests something new."}}


def qms_activities() -> pd.DataFrame:
    """Exercise 3: four falls activities, one for each function of a quality management system."""
    return pd.DataFrame({"activity": [a for a, _, _ in _QMS]},
                        index=pd.RangeIndex(1, len(_QMS) + 1, name="number"))


def check_qms(answers) -> Verdict:
    """Exercise 3: mark a dict ``{1: "planning", 2: "control", ...}``.

    Examples
    --------
    >>> v = check_qms({1: "planning", 2: "improvement", 3: "assurance", 4: "improvement"})
    >>> v.status
    'partly right'
    """
    return _items(_QMS, _FUNCTIONS, "function", _QMS_MISTAKES).check(answers)


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 01: three multiple-choice questions."""
    return self_check_quiz("nb01", answers)
