"""Checks for notebook 08, *Making Data Count*: reading the variation and assurance icons, and writing the
sentence that goes in a board report.

Sources: NHS England and NHS Improvement, *Making Data Count: getting started* (2019) and *Making Data
Count: strengthening your decisions* (2019): XmR charts with the four special-cause rules, the variation and
assurance icons, and the advice to replace month-on-month comparisons and red-amber-green ratings with
statistical process control in board reports.

Examples
--------
>>> from qikit.exercises import nb08
>>> nb08.check_icons(...).status
'not answered'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from ._feedback import Verdict, is_blank, not_answered, partly, quiz, right, wrong

__all__ = ["trust_metrics", "EXERCISE_TRUST", "check_icons", "check_report", "self_check"]

#: Exercise 1's trust (ODS code): its major A&E department's four-hour performance.
EXERCISE_TRUST = "R1H"


def trust_metrics(org_code: str) -> pd.DataFrame:
    """One trust's major (type 1) A&E department, one row per month, from ``qikit.datasets.ae_attendances()``:
    ``period, attendances, breaches, admissions``, ``pct_4h`` (the percentage of attendances admitted,
    transferred or discharged within four hours) and ``pct_admitted`` (the percentage admitted).

    Examples
    --------
    >>> trust_metrics("R1H").shape
    (36, 6)
    """
    from ..datasets import ae_attendances

    ae = ae_attendances()
    t = ae[(ae["org_code"] == org_code) & (ae["type"] == "1")].sort_values("period")
    t = t[["period", "attendances", "breaches", "admissions"]].reset_index(drop=True)
    return t.assign(pct_4h=100 * (t["attendances"] - t["breaches"]) / t["attendances"],
                    pct_admitted=100 * t["admissions"] / t["attendances"])


_VARIATION = {"common": "common_cause", "common cause": "common_cause", "common_cause": "common_cause",
              "improvement": "special_cause_improvement", "improving": "special_cause_improvement",
              "special cause improvement": "special_cause_improvement",
              "special_cause_improvement": "special_cause_improvement",
              "concern": "special_cause_concern", "concerning": "special_cause_concern",
              "special cause concern": "special_cause_concern", "special_cause_concern": "special_cause_concern"}
_ASSURANCE = {"pass": "consistent_pass", "consistent pass": "consistent_pass", "consistent_pass": "consistent_pass",
              "fail": "consistent_fail", "consistent fail": "consistent_fail", "consistent_fail": "consistent_fail",
              "hit and miss": "inconsistent", "hit or miss": "inconsistent", "inconsistent": "inconsistent"}
_V_WORDS = {"common_cause": "common cause variation",
            "special_cause_improvement": "special cause variation of an improving nature",
            "special_cause_concern": "special cause variation of a concerning nature"}
_A_WORDS = {"consistent_pass": "the target will consistently be met",
            "consistent_fail": "the target will not be met without a change to the process",
            "inconsistent": "the target will be met only some of the time (hit and miss)"}


def _truth() -> tuple[str, str, pd.Series]:
    from ..stats.mdc import mdc

    res = mdc(trust_metrics(EXERCISE_TRUST), x="period", y="pct_4h", improvement="increase", target=95)
    row = res.summary().iloc[-1]
    return row["variation"], row["assurance"], row


def _key(value) -> str:
    return re.sub(r"[\s_-]+", " ", str(value).strip().lower())


def check_icons(answer) -> Verdict:
    """Exercise 1: the variation and the assurance of trust R1H's four-hour performance (target 95%).

    ``answer`` is ``{"variation": "common cause" | "improvement" | "concern", "assurance": "pass" | "fail" |
    "hit and miss"}``.

    Examples
    --------
    >>> check_icons({"variation": "concern", "assurance": "fail"}).correct
    True
    """
    keys = ("variation", "assurance")
    if is_blank(answer) or (isinstance(answer, Mapping) and all(is_blank(answer.get(k)) for k in keys)):
        return not_answered("Replace each ... with your reading in quotes, then run the cell again.")
    if not isinstance(answer, Mapping):
        return wrong("Give your answer as the dictionary in the cell: {\"variation\": \"...\", \"assurance\": "
                     "\"...\"}.")
    variation, assurance, row = _truth()
    lines, good, blank = [], 0, 0
    given_v, given_a = answer.get("variation"), answer.get("assurance")
    if is_blank(given_v):
        blank += 1
        lines.append("variation: not answered yet")
    else:
        v = _VARIATION.get(_key(given_v).replace(" nature", "").replace("special cause of an ", "")
                           .replace("special cause of a ", ""))
        if v is None:
            lines.append(f"✘ variation: {given_v!r} is not one of \"common cause\", \"improvement\", \"concern\".")
        elif v == variation:
            good += 1
            lines.append(f"✔ variation: the latest month ({row['end']:%b %Y}) shows {_V_WORDS[v]}: it lies below the "
                         "lower process limit, and lower is worse for this measure.")
        elif v == "common_cause":
            lines.append("✘ variation: look at the latest point, not the whole chart. The last month lies below the "
                         "lower process limit, a special cause; lower is worse here, so it is of concern.")
        else:
            lines.append("✘ variation: a special cause, yes, but which way is better? For four-hour performance "
                         "higher is better, and the last month is low.")
    if is_blank(given_a):
        blank += 1
        lines.append("assurance: not answered yet")
    else:
        a = _ASSURANCE.get(_key(given_a))
        if a is None:
            lines.append(f"✘ assurance: {given_a!r} is not one of \"pass\", \"fail\", \"hit and miss\".")
        elif a == assurance:
            good += 1
            lines.append(f"✔ assurance: the target (95%) lies above the upper process limit ({row['upl']:.1f}%), "
                         f"so {_A_WORDS[a]}.")
        elif a == "inconsistent":
            lines.append(f"✘ assurance: hit and miss means the target lies between the process limits. Here the "
                         f"upper limit is {row['upl']:.1f}%, below the 95% target.")
        else:
            lines.append("✘ assurance: compare the target with the process limits, not with the latest value.")
    if good == 2:
        return right("Both right: a signal of concern now, and a process that cannot meet the target as it stands. "
                     "The board needs both: something to investigate, and a system to change.", lines)
    score = f"{good} of 2 right" + (f" ({blank} not answered yet)" if blank else "") + "."
    return (partly if good else wrong)(score, lines)


_SPC_WORDS = re.compile(r"common[- ]cause|special[- ]cause|no signal|signal|stable|process limit|shift|trend",
                        re.I)
_TARGET_WORDS = re.compile(r"target|standard|95 ?%|assurance|hit[- ]and[- ]miss|will not (be )?(meet|met)|"
                           r"cannot (meet|reach)|consistently", re.I)
_ACTION_WORDS = re.compile(r"\b(will|plan|plans|planned|propose|proposes|recommend|recommends|ask|asks|action|"
                           r"actions|change|changes|redesign|project|test|tests|investigat\w*|review)\b", re.I)
_MONTH_ON_MONTH = re.compile(r"last month|previous month|month before|compared (with|to) (the )?(last|previous|"
                             r"same)|up from|down from|worse than (in )?\w+ \d{4}|better than (in )?\w+ \d{4}|"
                             r"month[- ]on[- ]month", re.I)
_RAG = re.compile(r"\b(RAG|red|amber|green)\b", re.I)


def check_report(text) -> Verdict:
    """Exercise 2: two or three sentences for the board about the four-hour metric of the worked example.

    A good board sentence says what kind of variation the chart shows (common or special cause), whether the
    target will be met (assurance), and what will be done; it does not compare one month with the one
    before, and it does not use red-amber-green ratings (Making Data Count, 2019).

    Examples
    --------
    >>> check_report("Performance is green this month, up from last month.").status
    'not yet right'
    """
    if is_blank(text):
        return not_answered("Write your sentences in quotes in place of the ..., then run the cell again.")
    if not isinstance(text, str):
        return wrong("Write the report as text in quotes.")
    notes = []
    if _MONTH_ON_MONTH.search(text):
        found = _MONTH_ON_MONTH.search(text).group(0)
        notes.append(f"- Drop the month-on-month comparison (\"{found}\"): two points say nothing about whether "
                     "the process has changed. Say what the chart as a whole shows.")
    if _RAG.search(text):
        notes.append(f"- Drop the red-amber-green word (\"{_RAG.search(text).group(0)}\"): a RAG rating compares one "
                     "value with a threshold and ignores variation. Use the variation and assurance readings "
                     "instead.")
    if not _SPC_WORDS.search(text):
        notes.append("- Say what kind of variation the chart shows: common cause (stable) or a special cause "
                     "(a signal), and which way.")
    if not _TARGET_WORDS.search(text):
        notes.append("- Say whether the target will be met (the assurance): consistently, never without a change, "
                     "or only some of the time.")
    if not _ACTION_WORDS.search(text):
        notes.append("- Say what will happen next: investigate a special cause, or change the system when a "
                     "stable process cannot meet the target.")
    if len(text.split()) < 15:
        notes.append("- Write two or three full sentences: the board reads them without the chart in front of it.")
    if not notes:
        return right("A report a board can act on: the kind of variation, whether the target will be met, and "
                     "what happens next, with no month-on-month comparison. (This check reads for the elements; "
                     "ask a colleague whether it reads clearly.)")
    return (partly if len(notes) == 1 else wrong)("The report needs work:", notes)


_QUESTIONS = {
    1: ("b", {"a": "Blue is for improvement in Making Data Count; orange signals concern.",
              "b": "An orange icon is special cause variation of a concerning nature: something has changed for "
                   "the worse.",
              "c": "Grey is common cause variation: no signal either way."}),
    2: ("c", {"a": "A target inside the limits will be met only some of the time: hit and miss.",
              "b": "A target below the lower limit (higher is better) will be met consistently.",
              "c": "If the target lies outside the limits on the wrong side, the process as it is cannot meet it: "
                   "the system must change."}),
    3: ("a", {"a": "The chart shows whether this month differs from the process; one month against another "
                   "cannot.",
              "b": "A RAG rating judges one number against a threshold and ignores variation.",
              "c": "A 12-month average hides both signals and the direction of travel."}),
}


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 08: three multiple-choice questions."""
    return quiz(answers, _QUESTIONS)
