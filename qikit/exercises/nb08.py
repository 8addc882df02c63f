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

from ._feedback import Verdict, is_blank, not_answered, partly, right, self_check_quiz, wrong
from .spec import Vocabulary, form_checked

__all__ = ["trust_metrics", "EXERCISE_TRUST", "REPORT_TRUST", "check_icons", "check_report", "self_check"]

#: Exercise 1's trust (ODS code): its major A&E department's four-hour performance.
EXERCISE_TRUST = "R1H"
#: The worked example's trust, whose four-hour performance exercise 2 reports to the board.
REPORT_TRUST = "RDU"


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


# The words a trainee may use for each icon: Making Data Count's own, qikit's keys, and the icons' colours.
_VARIATION = Vocabulary(
    {"common_cause": "common cause", "special_cause_improvement": "improvement",
     "special_cause_concern": "concern"},
    {"common": "common_cause", "no signal": "common_cause", "stable": "common_cause", "grey": "common_cause",
     "gray": "common_cause", "normal variation": "common_cause", "random variation": "common_cause",
     "improving": "special_cause_improvement", "improvement": "special_cause_improvement",
     "special cause improvement": "special_cause_improvement", "special cause improving": "special_cause_improvement",
     "special cause of an improving nature": "special_cause_improvement", "blue": "special_cause_improvement",
     "concerning": "special_cause_concern", "special cause concern": "special_cause_concern",
     "special cause concerning": "special_cause_concern", "special cause of a concerning nature":
     "special_cause_concern", "orange": "special_cause_concern", "deterioration": "special_cause_concern",
     "worsening": "special_cause_concern"},
    strip=("variation", "nature"), drop=("variation", "of", "a", "an", "nature"))
_ASSURANCE = Vocabulary(
    {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "hit and miss"},
    {"consistent pass": "consistent_pass", "consistently pass": "consistent_pass", "passing": "consistent_pass",
     "consistently passing": "consistent_pass", "will consistently pass": "consistent_pass",
     "will consistently meet the target": "consistent_pass", "consistently meet": "consistent_pass",
     "consistently met": "consistent_pass", "consistent fail": "consistent_fail", "consistently fail": "consistent_fail",
     "consistently failing": "consistent_fail", "failing": "consistent_fail", "will consistently fail":
     "consistent_fail", "will not meet the target": "consistent_fail", "not capable": "consistent_fail",
     "will fail": "consistent_fail", "hit or miss": "inconsistent", "inconsistent": "inconsistent",
     "inconsistently": "inconsistent", "hit and miss": "inconsistent", "random": "inconsistent",
     "variable": "inconsistent", "sometimes": "inconsistent"},
    strip=("the target", "target", "assurance"))
_V_WORDS = {"common_cause": "common cause variation",
            "special_cause_improvement": "special cause variation of an improving nature",
            "special_cause_concern": "special cause variation of a concerning nature"}
_A_WORDS = {"consistent_pass": "the target will consistently be met",
            "consistent_fail": "the target will not be met without a change to the process",
            "inconsistent": "the target will be met only some of the time (hit and miss)"}


def _truth(trust: str = EXERCISE_TRUST) -> tuple[str, str, pd.Series]:
    from ..stats.mdc import mdc

    res = mdc(trust_metrics(trust), x="period", y="pct_4h", improvement="increase", target=95)
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
        v = _VARIATION.read(given_v)
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
        a = _ASSURANCE.read(given_a)
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
_TARGET_WORDS = re.compile(r"target|standard|95 ?%|assurance|hit[- ](and|or)[- ]miss|will not (be )?(meet|met)|"
                           r"cannot (meet|reach)|consistently|some months", re.I)
_ACTION_WORDS = re.compile(r"\b(will|plan|plans|planned|propose|proposes|recommend|recommends|ask|asks|action|"
                           r"actions|change|changes|redesign|project|test|tests|investigat\w*|review)\b", re.I)
# comparing two points; "in the last month" alone describes the latest point and is fine
_MONTH_ON_MONTH = re.compile(r"compared (with|to) (the )?(last|previous|same|prior)|\b(up|down|rose|fell|risen|"
                             r"fallen|improved|worse|better|higher|lower)\b[^.]{0,25}\b(from|than|on) (the |in )?"
                             r"(last|previous|prior|preceding) month|month[- ]on[- ]month|\b(up|down) from\b|"
                             r"(worse|better) than (in )?\w+ \d{4}", re.I)
_RAG = re.compile(r"\b(RAG|red|amber|green)\b", re.I)
# what the report says the chart shows, to compare with the chart itself
_SAYS_SPECIAL = re.compile(r"special[- ]cause|\bsignal(s|led)?\b(?<!no signal)|outside the (process )?limits|"
                           r"(above|below) the (upper|lower)( process)? limit|\bshift\b|\btrend\b", re.I)
_SAYS_NO_SIGNAL = re.compile(r"common[- ]cause|no (special[- ]cause )?(signals?|special cause)|\bstable\b|"
                             r"within (the )?(process )?limits|in control|no (real )?change", re.I)
_SAYS_FAIL = re.compile(r"(will|would) not (consistently |reliably )?(meet|reach|achieve|hit|pass)|won'?t (meet|reach|"
                        r"achieve|hit)|(cannot|can'?t|unable to) (meet|reach|achieve|hit)|consistently fail\w*|"
                        r"never (meet|reach|hit)|not capable|incapable|(will|would|can) never be (met|reached|achieved)|"
                        r"(will|would|can) not be (met|reached|achieved)|won'?t be (met|reached|achieved)", re.I)
_SAYS_HIT_MISS = re.compile(r"hit[- ](and|or)[- ]miss|some months|some of the time|inconsistent\w*|by chance", re.I)
_SAYS_PASS = re.compile(r"(will|to) (consistently |reliably )?(meet|reach|achieve|pass|hit) (the|its|our) "
                        r"(target|standard)|consistently pass\w*|consistently meet\w*", re.I)


def _stated_variation(text: str, latest: str) -> str | None:
    """The variation the report claims for the latest point: "special", "common" or None (not said)."""
    special, common = _SAYS_SPECIAL.search(text), _SAYS_NO_SIGNAL.search(text)
    if common and (not special or re.search(r"latest|last month|march 2019|now|currently|this month",
                                            text[max(common.start() - 60, 0):common.end() + 60], re.I)):
        return "common"
    return "special" if special else ("common" if common else None)


def _stated_assurance(text: str) -> str | None:
    if _SAYS_HIT_MISS.search(text):
        return "inconsistent"
    if _SAYS_FAIL.search(text):
        return "consistent_fail"
    if _SAYS_PASS.search(text):
        return "consistent_pass"
    return None


def check_report(text) -> Verdict:
    """Exercise 2: two or three sentences for the board about RDU's four-hour performance (the worked example).

    A good board sentence says what kind of variation the chart shows (common or special cause), whether the
    target will be met (assurance), and what will be done; it does not compare one month with the one
    before, and it does not use red-amber-green ratings (Making Data Count, 2019). The check compares what the
    text says about the variation and the assurance with RDU's chart; it cannot judge the rest of the meaning,
    so a report with every part in place gets a "form checked" verdict that says what a tutor should read for.

    Examples
    --------
    >>> check_report("Performance is green this month, up from last month.").status
    'not yet right'
    """
    if is_blank(text):
        return not_answered("Write your sentences in quotes in place of the ..., then run the cell again.")
    if not isinstance(text, str):
        return wrong("Write the report as text in quotes.")
    variation, assurance, row = _truth(REPORT_TRUST)
    facts, notes = [], []
    said_v = _stated_variation(text, variation)
    if said_v == "common" and variation != "common_cause":
        facts.append(f"- The variation is wrong: the latest month ({row['end']:%B %Y}) shows {_V_WORDS[variation]}, "
                     "not common cause. Read the latest point against the process limits and the rules.")
    elif said_v == "special" and variation == "common_cause":
        facts.append(f"- The variation is wrong for the latest month: {row['end']:%B %Y} shows common cause "
                     "variation. Earlier special causes (the winter months) are history: say so if you mention them, "
                     "but the reading for the board is the latest point's.")
    said_a = _stated_assurance(text)
    if said_a is not None and said_a != assurance:
        facts.append(f"- The assurance is wrong: the target (95%) lies {'between' if assurance == 'inconsistent' else 'outside'} "
                     f"the process limits ({row['lpl']:.1f}% to {row['upl']:.1f}%), so {_A_WORDS[assurance]}.")
    if _MONTH_ON_MONTH.search(text):
        found = _MONTH_ON_MONTH.search(text).group(0)
        notes.append(f"- Drop the month-on-month comparison (\"{found}\"): two points say nothing about whether "
                     "the process has changed. Say what the chart as a whole shows.")
    if _RAG.search(text):
        notes.append(f"- Drop the red-amber-green word (\"{_RAG.search(text).group(0)}\"): a RAG rating compares one "
                     "value with a threshold and ignores variation. Use the variation and assurance readings "
                     "instead.")
    if said_v is None and not _SPC_WORDS.search(text):
        notes.append("- Say what kind of variation the chart shows: common cause (stable) or a special cause "
                     "(a signal), and which way.")
    if said_a is None and not _TARGET_WORDS.search(text):
        notes.append("- Say whether the target will be met (the assurance): consistently, never without a change, "
                     "or only some of the time.")
    if not _ACTION_WORDS.search(text):
        notes.append("- Say what will happen next: investigate a special cause, or change the system when a "
                     "stable process cannot meet the target.")
    if len(text.split()) < 15:
        notes.append("- Write two or three full sentences: the board reads them without the chart in front of it.")
    if facts:
        return wrong("The report tells the board something the chart does not show:", facts + notes)
    if notes:
        return (partly if len(notes) == 1 else wrong)("The report needs work:", notes)
    stated = [w for w, said in (("the variation", said_v), ("the assurance", said_a)) if said]
    agree = f"What it says about {' and '.join(stated)} agrees with RDU's chart; " if stated else ""
    return form_checked(
        f"{agree}it names the variation, the target and what happens next, with no month-on-month comparison "
        "or RAG rating.",
        "whether each statement is true of the chart (this check compares only the variation and assurance "
        "words), whether the action fits the finding, and whether a board member would understand it without "
        "the chart.")


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 08: three multiple-choice questions."""
    return self_check_quiz("nb08", answers)
