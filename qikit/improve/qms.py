"""A quality management system: planning, control, assurance and improvement.

Quality improvement is one of four ways an organisation manages quality. Juran's trilogy named
three: **quality planning** (designing a service to meet people's needs), **quality control**
(keeping a process performing as designed, day to day) and **quality improvement** (raising
performance to a new level). Shah (2020) adds **quality assurance** (checking that standards are
met and giving confidence to others) and argues that an organisation needs all four, in balance,
as one system, rather than relying on improvement projects alone.

This module explains the four functions, guesses the function of a described activity from its
wording, and keeps twelve reference activities that pin the classifier's behaviour in the tests.

Sources
-------
- Juran JM. The quality trilogy: a universal approach to managing for quality. *Quality Progress*
  1986;19(8):19-24.
- Shah A. How to move beyond quality improvement projects. *BMJ* 2020;370:m2319.
- The Health Foundation. *Quality improvement made simple*, 2021.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import QIDataError

__all__ = ["QUALITY_FUNCTIONS", "QMSClassification", "classify_activity"]


class QualityFunction(NamedTuple):
    name: str
    purpose: str
    when: str
    examples: str


QUALITY_FUNCTIONS: dict[str, QualityFunction] = {
    "planning": QualityFunction(
        "Quality planning",
        "Design a new or redesigned service around the needs of the people it serves: understand those needs, "
        "set goals, and design the processes and measures before the service starts.",
        "Before something new starts, or when a service is rebuilt from the ground up.",
        "needs assessment for a new clinic; co-designing a pathway with patients; setting the standards and "
        "capacity of a new service"),
    "control": QualityFunction(
        "Quality control",
        "Keep a working process performing as designed: watch a few key measures close to real time, spot "
        "deviation quickly and act to bring the process back.",
        "Every day, for processes that already work and must keep working.",
        "a daily safety huddle reviewing yesterday's data; a dashboard that alerts the nurse in charge; "
        "standard work and checklists"),
    "assurance": QualityFunction(
        "Quality assurance",
        "Check, usually periodically and often independently, that standards are being met, and give "
        "confidence to patients, boards, commissioners and regulators.",
        "At intervals, against agreed standards, and when others need evidence.",
        "clinical audit against a NICE standard; a CQC inspection; accreditation; compliance reports to "
        "the board"),
    "improvement": QualityFunction(
        "Quality improvement",
        "Solve a complex problem whose answer is not yet known by testing changes, learning from data over "
        "time, and involving the people closest to the problem.",
        "When performance must reach a new level and the way to get there is uncertain.",
        "PDSA cycles testing a new discharge process; a driver diagram and run chart for falls"),
}
"""The four functions of a quality management system (Juran 1986; Shah, *BMJ* 2020;370:m2319),
described in qikit's words."""

# Wording that points to each function; matched as whole words, case-insensitive.
_CUES: dict[str, tuple[str, ...]] = {
    "planning": ("design", "designing", "designed", "redesign", "new service", "new clinic", "new pathway",
                 "new unit", "needs assessment", "population needs", "business case", "co-design", "co-designing",
                 "commission", "commissioning", "capacity planning", "specification", "before opening",
                 "before it opens", "before launch", "service model", "plan the service", "planning a"),
    "control": ("huddle", "huddles", "daily", "every shift", "each shift", "real time", "real-time",
                "dashboard", "alert", "alerts", "escalate", "escalation", "standard work",
                "standard operating procedure", "sop", "checklist", "board round", "bed state",
                "keep", "day to day", "day-to-day", "within expected limits", "control chart"),
    "assurance": ("audit", "audits", "re-audit", "inspection", "inspect", "inspects", "cqc", "accreditation",
                  "accredit", "compliance", "comply", "assurance", "assure", "external review",
                  "peer review", "regulator", "regulatory", "board report", "report to the board",
                  "quarterly report", "annual report", "evidence that", "standards are met", "nice standard"),
    "improvement": ("pdsa", "plan-do-study-act", "test", "tests", "testing", "tested", "change idea",
                    "change ideas", "driver diagram", "model for improvement", "run chart", "small scale",
                    "improvement project", "qi project", "improve", "improving", "try", "trial", "learn"),
}

# Twelve activities with the function a QI tutor gives each: the classifier must agree with all of them.
REFERENCE_ACTIVITIES: tuple[tuple[str, str], ...] = (
    ("Designing a new frailty assessment unit with patients and carers before it opens", "planning"),
    ("A needs assessment to size a new community diabetes clinic for the local population", "planning"),
    ("Writing the service specification and business case for a new hospital-at-home service", "planning"),
    ("A daily safety huddle where the ward team reviews yesterday's falls and today's risks", "control"),
    ("A real-time dashboard that alerts the nurse in charge when sepsis screening is overdue", "control"),
    ("Nurses following a standard operating procedure and checklist for every blood transfusion", "control"),
    ("A clinical audit of VTE assessment against the NICE standard, reported to the board", "assurance"),
    ("A CQC inspection of the emergency department", "assurance"),
    ("Quarterly compliance reports on hand hygiene for the infection control committee", "assurance"),
    ("Testing a discharge checklist with PDSA cycles on one ward before trying it on three", "improvement"),
    ("A team uses a driver diagram and a run chart to test change ideas that reduce falls", "improvement"),
    ("Trying a new way of booking follow-up appointments on a small scale and learning from each test",
     "improvement"),
)


class QMSClassification(NamedTuple):
    """The result of :func:`classify_activity`."""

    function: str | None
    cues: tuple[str, ...]
    explanation: str


def classify_activity(description: str) -> QMSClassification:
    """Guess which function of the quality management system an activity serves, from its wording.

    The guess counts cue words for each function (e.g. "huddle", "dashboard" for control; "audit",
    "inspection" for assurance; "PDSA", "test" for improvement; "design", "new service" for
    planning). It is a teaching aid: when no cue is found, or two functions tie, ``function`` is
    None and the explanation asks for a human judgement.

    Parameters
    ----------
    description : str
        The activity in a sentence.

    Returns
    -------
    QMSClassification
        ``function`` (``"planning"``, ``"control"``, ``"assurance"``, ``"improvement"`` or None),
        the ``cues`` found, and an ``explanation`` in plain words.

    Examples
    --------
    >>> classify_activity("Monthly audit of consent forms against the trust standard").function
    'assurance'
    """
    if not isinstance(description, str) or not description.strip():
        raise QIDataError("describe the activity in a sentence, e.g. 'a daily huddle reviewing falls'.",
                          column="description")
    found: dict[str, tuple[str, ...]] = {}
    for function, cues in _CUES.items():
        hits = tuple(cue for cue in cues if re.search(rf"(?<![\w-]){re.escape(cue)}(?![\w-])", description, re.I))
        if hits:
            found[function] = hits
    if not found:
        return QMSClassification(None, (), "No wording points to one function: decide whether the activity "
                                 "designs something new (planning), keeps a process on track day to day "
                                 "(control), checks against standards (assurance) or tests changes to solve a "
                                 "problem (improvement).")
    best = max(len(h) for h in found.values())
    leaders = [f for f, h in found.items() if len(h) == best]
    if len(leaders) > 1:
        names = " and ".join(QUALITY_FUNCTIONS[f].name.lower() for f in leaders)
        return QMSClassification(None, tuple(c for f in leaders for c in found[f]),
                                 f"The wording points equally to {names}: decide from the activity's purpose.")
    function = leaders[0]
    info = QUALITY_FUNCTIONS[function]
    cues = found[function]
    mentioned = ", ".join(repr(c) for c in cues)
    return QMSClassification(function, cues, f"{info.name}: the activity mentions {mentioned}. {info.purpose}")
