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

import pandas as pd

from ._feedback import Verdict, is_blank, not_answered, partly, self_check_quiz, wordings, wrong
from .spec import Fields, Reading, Vocabulary, form_checked

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


#: Exercise 1 as data: for each icon, why R1H's reading is right and what each wrong reading a tutor would
#: recognise misunderstands ({end}, {upl}: R1H's latest month and upper process limit; {truth}: the right
#: reading in words).
_ICONS = {
    "variation": {
        "right": "the latest month ({end:%b %Y}) shows {truth}: it lies below the lower process limit, and lower is "
                 "worse for this measure.",
        "mistakes": {"common_cause": "look at the latest point, not the whole chart. The last month lies below the "
                                     "lower process limit, a special cause; lower is worse here, so it is of concern.",
                     "special_cause_improvement": "a special cause, yes, but which way is better? For four-hour "
                                                  "performance higher is better, and the last month is low."},
    },
    "assurance": {
        "right": "the target (95%) lies above the upper process limit ({upl:.1f}%), so {truth}.",
        "mistakes": {"inconsistent": "hit and miss means the target lies between the process limits. Here the "
                                     "upper limit is {upl:.1f}%, below the 95% target.",
                     "consistent_pass": "compare the target with the process limits, not with the latest value."},
    },
}


def _truth(trust: str = EXERCISE_TRUST) -> tuple[str, str, pd.Series]:
    from ..stats.mdc import mdc

    res = mdc(trust_metrics(trust), x="period", y="pct_4h", improvement="increase", target=95)
    row = res.summary().iloc[-1]
    return row["variation"], row["assurance"], row


def check_icons(answer) -> Verdict:
    """Exercise 1: the variation and the assurance of trust R1H's four-hour performance (target 95%).

    ``answer`` is ``{"variation": "common cause" | "improvement" | "concern", "assurance": "pass" | "fail" |
    "hit and miss"}``.

    Examples
    --------
    >>> check_icons({"variation": "concern", "assurance": "fail"}).correct
    True
    """
    variation, assurance, row = _truth()
    facts = {"end": row["end"], "upl": row["upl"]}
    parts = {"variation": Reading(_VARIATION, variation, words=_V_WORDS, facts=facts, **_ICONS["variation"]),
             "assurance": Reading(_ASSURANCE, assurance, words=_A_WORDS, facts=facts, **_ICONS["assurance"])}
    return Fields(parts, example='{"variation": "...", "assurance": "..."}',
                  blank="Replace each ... with your reading in quotes, then run the cell again.",
                  done=" A signal of concern now, and a process that cannot meet the target as it stands. The "
                       "board needs both: something to investigate, and a system to change.").check(answer)


#: What the checks of the board report recognise (wordings.json): the words of SPC and of assurance, an
#: action, a month-on-month comparison, a RAG rating, and what the report says the chart shows.
_SAYS = wordings("nb08")


def _stated_variation(text: str, latest: str) -> str | None:
    """The variation the report claims for the latest point: "special", "common" or None (not said)."""
    special, common = _SAYS["says_special"].search(text), _SAYS["says_no_signal"].search(text)
    if common and (not special or _SAYS["about_now"].search(
            text[max(common.start() - 60, 0):common.end() + 60])):
        return "common"
    return "special" if special else ("common" if common else None)


def _stated_assurance(text: str) -> str | None:
    if _SAYS["says_hit_miss"].search(text):
        return "inconsistent"
    if _SAYS["says_fail"].search(text):
        return "consistent_fail"
    if _SAYS["says_pass"].search(text):
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
    if _SAYS["month_on_month"].search(text):
        found = _SAYS["month_on_month"].search(text).group(0)
        notes.append(f"- Drop the month-on-month comparison (\"{found}\"): two points say nothing about whether "
                     "the process has changed. Say what the chart as a whole shows.")
    if _SAYS["rag"].search(text):
        notes.append(f"- Drop the red-amber-green word (\"{_SAYS['rag'].search(text).group(0)}\"): a RAG rating compares one "
                     "value with a threshold and ignores variation. Use the variation and assurance readings "
                     "instead.")
    if said_v is None and not _SAYS["spc_words"].search(text):
        notes.append("- Say what kind of variation the chart shows: common cause (stable) or a special cause "
                     "(a signal), and which way.")
    if said_a is None and not _SAYS["target_words"].search(text):
        notes.append("- Say whether the target will be met (the assurance): consistently, never without a change, "
                     "or only some of the time.")
    if not _SAYS["action_words"].search(text):
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
