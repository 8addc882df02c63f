"""Answer bank for the notebooks' instant checks (``qikit.exercises.nbNN``).

Each row is an answer a trainee might type, written from the exercise as the notebook states it (not from the
check's code), with the verdict a fair tutor gives: ``R`` right, ``P`` partly right, ``W`` not yet right,
``N`` not answered, ``F`` form checked (free text whose meaning only a tutor can judge: never "Right").
Numbers the answers need are worked out here from the data files with plain pandas, by hand where the notes
say so.

Rows: (check, kind, answer, verdict, note). ``kind`` is model, right, misconception, wrong or blank.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

R, P, W, N, F = "right", "partly right", "not yet right", "not answered", "form checked"
ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- truths worked out from the data
_FALLS = pd.read_csv(ROOT / "qikit" / "datasets" / "falls.csv").groupby("ward")["falls"].sum()
WARD9, WARD7 = int(_FALLS["Ward 9"]), int(_FALLS["Ward 7"])
# notebook 04, exercise 2: the first 20 weeks of ward 12; by hand (sides of 18.55, in order):
# + - + + - - - + - + - + + - - + - - + +  -> 13 runs, the longest 3 weeks, 12 crossings
RUNS = {"median": 18.55, "longest_run": 3, "crossings": 12}
_AE = pd.read_csv(ROOT / "qikit" / "datasets" / "ae_attendances.csv", dtype={"type": str})
_RW6 = _AE[(_AE["org_code"] == "RW6") & (_AE["type"] == "1")].sort_values("period")["attendances"].astype(float)
UPL = _RW6.mean() + 2.66 * _RW6.diff().abs().mean()
SD_UPL = _RW6.mean() + 3 * _RW6.std()
_INC = pd.read_csv(ROOT / "notebooks" / "data" / "falls_incidents.csv")
_NIGHT = _INC.loc[_INC["shift"] == "night", "factor"].value_counts()
NIGHT_TOP = list(_NIGHT.index[:3])
NIGHT_SHARE = 100 * _NIGHT.iloc[:3].sum() / _NIGHT.sum()
ALL_TOP = list(_INC["factor"].value_counts().index[:3])

_STEPS = ["Patient arrives in the emergency department", "Triage nurse records observations and NEWS2",
          "Sepsis screen finds a red flag", "Doctor reviews the patient", "Blood cultures taken",
          "Antibiotics prescribed", "Antibiotics fetched and prepared", "IV antibiotics given"]

def _trust_funnels() -> tuple[int, int]:
    """Trusts outside the plain and the widened 3-sigma funnel, from the call notebook 06 makes."""
    import qikit
    from qikit.exercises.nb06 import ae_trusts

    kw = dict(unit="org_code", y="within_4h", n="attendances", multiply=100)
    trusts = ae_trusts()
    return (len(qikit.funnel(trusts, **kw).outside),
            len(qikit.funnel(trusts, overdispersion="additive", **kw).outside))


PLAIN_OUT, WIDE_OUT = _trust_funnels()


# notebook 06, exercise 2: the sepsis baseline (weeks before 7 August 2023), a week with 25 patients, by hand
_SEPSIS = pd.read_csv(ROOT / "qikit" / "datasets" / "sepsis_antibiotics.csv")
_BASE = _SEPSIS[_SEPSIS["week"] < "2023-08-07"]
_PBAR = _BASE["within_1h"].sum() / _BASE["eligible"].sum()
P_UCL = 100 * (_PBAR + 3 * np.sqrt(_PBAR * (1 - _PBAR) / 25))
P_2S = 100 * (_PBAR + 2 * np.sqrt(_PBAR * (1 - _PBAR) / 25))
# notebook 06, exercises 2c and 2d: the normal tail (about 1 in 370), and the notebook's printed table
_P3 = 2 * (1 - 0.5 * (1 + math.erf(3 / math.sqrt(2))))
ONE_IN, IN_36 = 1 / _P3, 100 * (1 - (1 - _P3) ** 36)


def _nb06_table() -> dict:
    """The false-alarm table notebook 06 prints, from the notebook's own cell."""
    import json

    nb = json.loads((ROOT / "notebooks" / "06-control-charts.ipynb").read_text(encoding="utf-8"))
    code = "".join(next(c for c in nb["cells"] if c.get("id") == "nb06-018m")["source"])
    namespace = {"np": np, "pd": pd}
    exec(compile(code, "nb06-018m", "exec"), namespace)  # noqa: S102 - the course's own cell
    return namespace["false_alarms"]


_TABLE = _nb06_table()
ALL_FOUR, RULE_ONE = list(_TABLE.values())[-1], list(_TABLE.values())[0]

GOOD_REPORT = ("Four-hour performance at RDU shows common cause variation in the latest month (March 2019), "
               "after special causes in the last two winters. The 95% target lies between the process limits, so "
               "it will be met only some months: hit and miss. The emergency care team will redesign patient flow "
               "and chart the effect, rather than react to single months.")

BANK = [
    # ---------------------------------------------------------------- notebook 00
    ("nb00.check_ward_total", "model", WARD9, R, "the sum the edited cell prints"),
    ("nb00.check_ward_total", "right", str(WARD9), R, "the right number typed in quotes"),
    ("nb00.check_ward_total", "right", float(WARD9), R, "as a float"),
    ("nb00.check_ward_total", "misconception", WARD7, W, "forgot to change the ward: ward 7's total"),
    ("nb00.check_ward_total", "misconception", 36, W, "the number of months"),
    ("nb00.check_ward_total", "wrong", "lots", W, "not a number"),
    ("nb00.check_ward_total", "blank", ..., N, ""),
    ("nb00.check_restart", "model", "b", R, ""),
    ("nb00.check_restart", "right", "(B)", R, "letter in brackets, capital"),
    ("nb00.check_restart", "right", "everything the kernel remembers (tables, numbers, answers) is forgotten until "
     "you run the cells again", R, "the option's own words"),
    ("nb00.check_restart", "misconception", "a", W, "thinks the code is deleted"),
    ("nb00.check_restart", "wrong", "the notebook is saved", W, "option c in words"),
    ("nb00.check_restart", "wrong", "d", W, "not an option"),
    ("nb00.check_restart", "blank", "", N, ""),
    ("nb00.self_check", "model", {1: "c", 2: "a", 3: "b"}, R, ""),
    ("nb00.self_check", "right", {"1": "Shift+Enter", "2": "the order in which cells ran", "3": "B"}, R,
     "words and keys as text"),
    ("nb00.self_check", "right", {1: "c.", 2: "(a)", 3: "b) reads the `week` column as dates"}, R, "letters dressed"),
    ("nb00.self_check", "misconception", {1: "a", 2: "a", 3: "b"}, P, "Enter runs a cell"),
    ("nb00.self_check", "wrong", {1: "b", 2: "c", 3: "a"}, W, ""),
    ("nb00.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 01
    ("nb01.check_activities", "model", {1: "audit", 2: "research", 3: "qi", 4: "research", 5: "audit", 6: "qi"}, R,
     ""),
    ("nb01.check_activities", "right", {1: "Audit", 2: "Research", 3: "Quality Improvement", 4: "research",
                                        5: "re-audit", 6: "QI"}, R, "capitals, full name, re-audit"),
    ("nb01.check_activities", "right", {"1": "clinical audit", "2": "research", "3": "quality-improvement",
                                        "4": "Research", "5": "AUDIT", "6": "improvement"}, R, "keys as text"),
    ("nb01.check_activities", "misconception", {1: "audit", 2: "research", 3: "qi", 4: "research", 5: "qi",
                                                6: "qi"}, P, "re-audit taken for QI"),
    ("nb01.check_activities", "wrong", {i: "research" for i in range(1, 7)}, P, "everything research: 2 of 6"),
    ("nb01.check_activities", "wrong", "audit", W, "not a dictionary"),
    ("nb01.check_activities", "blank", {i: ... for i in range(1, 7)}, N, ""),
    ("nb01.check_domains", "model", {1: "timely", 2: "safe", 3: "effective", 4: "equitable", 5: "efficient",
                                     6: "patient-centred"}, R, ""),
    ("nb01.check_domains", "right", {1: "Timeliness", 2: "Safety", 3: "Effectiveness", 4: "Equity",
                                     5: "Efficiency", 6: "person-centred care"}, R, "the nouns"),
    ("nb01.check_domains", "right", {1: "timely", 2: "safe", 3: "effective", 4: "equitable", 5: "efficient",
                                     6: "Patient Centered"}, R, "US spelling"),
    ("nb01.check_domains", "misconception", {1: "timely", 2: "safe", 3: "safe", 4: "equitable", 5: "efficient",
                                             6: "patient-centred"}, P, "overuse taken for safety"),
    ("nb01.check_domains", "wrong", {i: "quality" for i in range(1, 7)}, W, "not domains"),
    ("nb01.check_domains", "blank", ..., N, ""),
    ("nb01.check_qms", "model", {1: "planning", 2: "control", 3: "assurance", 4: "improvement"}, R, ""),
    ("nb01.check_qms", "right", {1: "Quality planning", 2: "quality-control", 3: "QA", 4: "QI"}, R, ""),
    ("nb01.check_qms", "right", {"1": "plan", "2": "QC", "3": "Quality Assurance", "4": "quality improvement"}, R,
     ""),
    ("nb01.check_qms", "misconception", {1: "planning", 2: "improvement", 3: "assurance", 4: "improvement"}, P,
     "the huddle taken for improvement"),
    ("nb01.check_qms", "wrong", {1: "control", 2: "assurance", 3: "improvement", 4: "planning"}, W, ""),
    ("nb01.check_qms", "blank", {1: ..., 2: ..., 3: ..., 4: ...}, N, ""),
    ("nb01.self_check", "model", {1: "b", 2: "c", 3: "a"}, R, ""),
    ("nb01.self_check", "right", {1: "effectiveness, safety, patient experience",
                                  2: "testing a change on a small scale and learning from data over time",
                                  3: "A"}, R, "the options' words"),
    ("nb01.self_check", "right", {1: "B", 2: "C", 3: "a."}, R, ""),
    ("nb01.self_check", "misconception", {1: "a", 2: "c", 3: "a"}, P, "equity as a Darzi dimension"),
    ("nb01.self_check", "wrong", {1: "c", 2: "a", 3: "b"}, W, ""),
    ("nb01.self_check", "blank", ..., N, ""),
    # ---------------------------------------------------------------- notebook 02
    ("nb02.check_aim", "model", "Increase the percentage of patients on ward 7 discharged before noon from 16% to "
     "30% by 31 March 2024", R, "today is 3 April 2023 in the notebook"),
    ("nb02.check_aim", "right", "Increase discharges before noon on ward 7 from 16% to 30% of all discharges by "
     "31/03/2024", R, "UK date"),
    ("nb02.check_aim", "right", "By 2024-03-31, increase the percentage of ward 7 patients discharged before "
     "noon from 16% to 30%", R, "ISO date first"),
    ("nb02.check_aim", "misconception", "Improve discharges before noon on ward 7", W, "a topic, not an aim"),
    ("nb02.check_aim", "wrong", "Increase discharges before noon on ward 7 from 16% to 30% by 31 March 2022", P,
     "deadline already past"),
    ("nb02.check_aim", "blank", ..., N, ""),
    ("nb02.check_measure_kinds", "model", {1: "outcome", 2: "process", 3: "process", 4: "outcome",
                                           5: "balancing", 6: "balancing"}, R, ""),
    ("nb02.check_measure_kinds", "right", {1: "Outcome measure", 2: "Process", 3: "process measure",
                                           4: "OUTCOME", 5: "balance", 6: "Balancing measures"}, R, ""),
    ("nb02.check_measure_kinds", "right", {"1": "outcome", "2": "process", "3": "process", "4": "outcome",
                                           "5": "balancing", "6": "balancing"}, R, "keys as text"),
    ("nb02.check_measure_kinds", "misconception", {1: "outcome", 2: "process", 3: "process", 4: "outcome",
                                                   5: "process", 6: "balancing"}, P, "bed rails as process"),
    ("nb02.check_measure_kinds", "wrong", {1: "result", 2: "step", 3: "step", 4: "result", 5: "cost",
                                           6: "cost"}, W, ""),
    ("nb02.check_measure_kinds", "blank", {i: ... for i in range(1, 7)}, N, ""),
    ("nb02.check_question", "model", "b", R, ""),
    ("nb02.check_question", "right", "the second", R, "the option's words"),
    ("nb02.check_question", "right", "B", R, ""),
    ("nb02.check_question", "misconception", "c", W, "changes"),
    ("nb02.check_question", "wrong", "the first", W, ""),
    ("nb02.check_question", "blank", None, N, ""),
    ("nb02.self_check", "model", {1: "c", 2: "a", 3: "b"}, R, ""),
    ("nb02.self_check", "right", {1: "outcome measure", 2: "a number and a deadline", 3: "b"}, R, ""),
    ("nb02.self_check", "right", {1: "Outcome", 2: "A", 3: "(b)"}, R, "without 'measure'"),
    ("nb02.self_check", "misconception", {1: "b", 2: "a", 3: "b"}, P, "length of stay as process"),
    ("nb02.self_check", "wrong", {1: "a", 2: "c", 3: "c"}, W, ""),
    ("nb02.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 03
    ("nb03.check_order", "model", list(_STEPS), R, ""),
    ("nb03.check_order", "right", [s.lower() for s in _STEPS], R, "retyped in lower case"),
    ("nb03.check_order", "right", _STEPS[:4] + [_STEPS[5], _STEPS[4]] + _STEPS[6:], R,
     "cultures and prescribing in the other order"),
    ("nb03.check_order", "misconception", [_STEPS[0], _STEPS[1], _STEPS[3], _STEPS[2]] + _STEPS[4:], P,
     "doctor before the screen"),
    ("nb03.check_order", "wrong", list(reversed(_STEPS)), W, ""),
    ("nb03.check_order", "blank", ..., N, ""),
    ("nb03.check_pareto", "model", (NIGHT_TOP, round(NIGHT_SHARE)), R, ""),
    ("nb03.check_pareto", "right", ([f.lower() for f in reversed(NIGHT_TOP)], f"{NIGHT_SHARE:.1f}%"), R,
     "lower case, other order, share as text with %"),
    ("nb03.check_pareto", "right", (tuple(NIGHT_TOP), NIGHT_SHARE), R, "a tuple, unrounded"),
    ("nb03.check_pareto", "misconception", (ALL_TOP, round(NIGHT_SHARE)), P, "day and night together"),
    ("nb03.check_pareto", "wrong", (["Floor", "Footwear", "Bed height"], 10), W, ""),
    ("nb03.check_pareto", "blank", (..., ...), N, ""),
    ("nb03.self_check", "model", {1: "b", 2: "a", 3: "c"}, R, ""),
    ("nb03.self_check", "right", {1: "the few causes behind most of the problem",
                                  2: "something that must be true for the aim to be met",
                                  3: "by walking the process with the people who do it"}, R, ""),
    ("nb03.self_check", "right", {1: "B", 2: "A", 3: "C"}, R, ""),
    ("nb03.self_check", "misconception", {1: "b", 2: "b", 3: "c"}, P, "driver as a change idea"),
    ("nb03.self_check", "wrong", {1: "c", 2: "c", 3: "a"}, W, ""),
    ("nb03.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 04
    ("nb04.check_which_ward", "model", "b", R, ""),
    ("nb04.check_which_ward", "right", "Ward 5", R, "the option's words"),
    ("nb04.check_which_ward", "right", "ward 5", R, "lower case"),
    ("nb04.check_which_ward", "right", "5", R, "the ward's number alone"),
    ("nb04.check_which_ward", "right", "Ward five", R, "the number in words"),
    ("nb04.check_which_ward", "misconception", "3", W, "the ward already rising, by number"),
    ("nb04.check_which_ward", "misconception", "Ward 8", W, "the biggest jump"),
    ("nb04.check_which_ward", "wrong", "Ward 12", W, "not an option"),
    ("nb04.check_which_ward", "blank", ..., N, ""),
    ("nb04.check_runs", "model", dict(RUNS), R, ""),
    ("nb04.check_runs", "right", {"median": "18.55", "longest_run": 3.0, "crossings": np.int64(12)}, R,
     "text and numpy numbers"),
    ("nb04.check_runs", "right", {"median": np.float64(18.55), "longest_run": "3", "crossings": "12"}, R, ""),
    ("nb04.check_runs", "misconception", {"median": 18.55, "longest_run": 3, "crossings": 13}, P,
     "counted runs, not crossings"),
    ("nb04.check_runs", "misconception", {"median": 18.6, "longest_run": 3, "crossings": 12}, P,
     "median rounded to the data's decimal"),
    ("nb04.check_runs", "wrong", {"median": 25, "longest_run": 10, "crossings": 1}, W, ""),
    ("nb04.check_runs", "blank", {"median": ..., "longest_run": ..., "crossings": ...}, N, ""),
    ("nb04.check_rules", "model", {"anhoej": False, "ihi": True}, R, ""),
    ("nb04.check_rules", "right", {"anhoej": "no", "ihi": "yes"}, R, "yes/no answer 'does it signal?'"),
    ("nb04.check_rules", "right", {"anhoej": np.False_, "ihi": "True"}, R, ""),
    ("nb04.check_rules", "misconception", {"anhoej": True, "ihi": True}, W, "every pattern is a signal"),
    ("nb04.check_rules", "wrong", {"anhoej": True, "ihi": False}, W, ""),
    ("nb04.check_rules", "blank", {"anhoej": ..., "ihi": ...}, N, ""),
    ("nb04.self_check", "model", {1: "b", 2: "a", 3: "c"}, R, ""),
    ("nb04.self_check", "right", {1: "the median", 2: "a run longer than the limit for that many points",
                                  3: "so that signals can be matched with the changes that may explain them"}, R, ""),
    ("nb04.self_check", "right", {1: "median", 2: "A", 3: "c"}, R, "without the article"),
    ("nb04.self_check", "right", {1: "Median", 2: "a run longer than the limit", 3: "so that signals can be matched"},
     R, "the start of each option, 2 beginning with the article 'a'"),
    ("nb04.self_check", "misconception", {1: "a", 2: "a", 3: "c"}, P, "the mean"),
    ("nb04.self_check", "wrong", {1: "c", 2: "c", 3: "b"}, W, ""),
    ("nb04.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 05
    ("nb05.check_red_beads", "model", "c", R, ""),
    ("nb05.check_red_beads", "right", "Neither: change the system", R, "the start of the option's words"),
    ("nb05.check_red_beads", "right", "C", R, ""),
    ("nb05.check_red_beads", "right", "c. change the system", R, "letter with the option's gist"),
    ("nb05.check_red_beads", "right", "Neither", R, "the option's first word, which no other option shares"),
    ("nb05.check_red_beads", "misconception", "retrain Worker 4", W, "option a in the trainee's words"),
    ("nb05.check_red_beads", "misconception", "a", W, "retrain the worker"),
    ("nb05.check_red_beads", "wrong", "b", W, ""),
    ("nb05.check_red_beads", "blank", "...", N, ""),
    ("nb05.check_tampering", "model", {1: 1, 2: 2, 3: 3, 4: 4}, R, ""),
    ("nb05.check_tampering", "right", {1: "rule 1", 2: "Rule 2", 3: "3", 4: "four"}, R, ""),
    ("nb05.check_tampering", "right", {"1": 1, "2": 2.0, "3": "rule 3", "4": 4}, R, ""),
    ("nb05.check_tampering", "misconception", {1: 1, 2: 3, 3: 2, 4: 4}, P, "rules 2 and 3 confused"),
    ("nb05.check_tampering", "wrong", {1: 4, 2: 4, 3: 4, 4: 1}, W, ""),
    ("nb05.check_tampering", "blank", {1: ..., 2: ..., 3: ..., 4: ...}, N, ""),
    ("nb05.check_upper_limit", "model", UPL, R, ""),
    ("nb05.check_upper_limit", "right", round(UPL), R, "rounded to a whole attendance"),
    ("nb05.check_upper_limit", "right", f"{UPL:,.0f}", R, "typed with a thousands comma"),
    ("nb05.check_upper_limit", "misconception", SD_UPL, W, "3 standard deviations"),
    ("nb05.check_upper_limit", "wrong", 1000, W, ""),
    ("nb05.check_upper_limit", "blank", ..., N, ""),
    ("nb05.self_check", "model", {1: "b", 2: "c", 3: "a"}, R, ""),
    ("nb05.self_check", "right", {1: "change the system", 2: "increases the variation, in some rules without limit",
                                  3: "a"}, R, ""),
    ("nb05.self_check", "right", {1: "B", 2: "C", 3: "A"}, R, ""),
    ("nb05.self_check", "misconception", {1: "a", 2: "c", 3: "a"}, P, "investigate the worst week"),
    ("nb05.self_check", "wrong", {1: "c", 2: "a", 3: "c"}, W, ""),
    ("nb05.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 06 (see NB06_KNOWN in the test)
    ("nb06.check_charts", "model", {1: "p", 2: "u", 3: "c", 4: "t", 5: "g", 6: "pp"}, R, ""),
    ("nb06.check_charts", "right", {1: "p-chart", 2: "U chart", 3: "c", 4: "t chart", 5: "g", 6: "Laney p'"}, R,
     "hyphens, capitals, 'chart'"),
    ("nb06.check_charts", "right", {1: "p", 2: "u", 3: "c", 4: "g", 5: "g", 6: "XmR"}, R,
     "g for days between events and XmR for A&E, as notebook 06 itself teaches"),
    ("nb06.check_charts", "misconception", {1: "p", 2: "c", 3: "c", 4: "t", 5: "g", 6: "pp"}, P, "c for falls"),
    ("nb06.check_charts", "right", {1: "p", 2: "u", 3: "u", 4: "t", 5: "g", 6: "pp"}, R,
     "u for the needlesticks: with a constant area of opportunity it is the c chart's picture"),
    ("nb06.check_charts", "wrong", {i: "run" for i in range(1, 7)}, W, ""),
    ("nb06.check_charts", "blank", {i: ... for i in range(1, 7)}, N, ""),
    ("nb06.check_funnel", "model", "b", R, ""),
    ("nb06.check_funnel", "right", "B", R, ""),
    ("nb06.check_funnel", "right", "Ward 1's rate is within what chance can produce for a ward its size; the wards "
     "to ask about are those outside the 3-sigma funnel.", R, "the option's words"),
    ("nb06.check_funnel", "misconception", "a", W, "the worst rate"),
    ("nb06.check_funnel", "wrong", "c", W, ""),
    ("nb06.check_funnel", "blank", ..., N, ""),
    # Exercise 4 (the widened funnel): question 1 asks for the count the notebook prints from widened.outside
    # (φ and τ² themselves are recomputed by their formulas in tests/test_nb06_overdispersion.py).
    ("nb06.check_widened", "model", {1: WIDE_OUT, 2: "a"}, R, ""),
    ("nb06.check_widened", "right", {1: str(WIDE_OUT), 2: "A"}, R, "the count typed in quotes, capital letter"),
    ("nb06.check_widened", "right", {1: float(WIDE_OUT), 2: "They vary far more than chance allows, so most of the "
     "difference between them is real"}, R, "the option's own words"),
    ("nb06.check_widened", "misconception", {1: PLAIN_OUT, 2: "a"}, P, "counted the plain funnel"),
    ("nb06.check_widened", "misconception", {1: WIDE_OUT, 2: "c"}, P, "outside the funnel read as 'bad'"),
    ("nb06.check_widened", "wrong", {1: 0, 2: "b"}, W, ""),
    ("nb06.check_widened", "blank", {1: ..., 2: ...}, N, ""),
    ("nb06.self_check", "model", {1: "c", 2: "a", 3: "b"}, R, ""),
    ("nb06.self_check", "right", {1: "u chart", 2: "A", 3: "B"}, R, "the option's words"),
    ("nb06.self_check", "right", {1: "C", 2: "(a)", 3: "b."}, R, ""),
    ("nb06.self_check", "misconception", {1: "a", 2: "a", 3: "b"}, P, "c chart for a rate"),
    ("nb06.self_check", "wrong", {1: "b", 2: "c", 3: "c"}, W, ""),
    ("nb06.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 06, exercises 2 to 2d
    ("nb06.check_p_limit", "model", P_UCL, R, "the limit as the formula gives it"),
    ("nb06.check_p_limit", "right", round(P_UCL, 1), R, "rounded to one decimal"),
    ("nb06.check_p_limit", "right", f"{P_UCL:.0f}%", R, "rounded to a whole per cent, typed with %"),
    ("nb06.check_p_limit", "misconception", P_UCL / 100, P, "the proportion, not the per cent"),
    ("nb06.check_p_limit", "misconception", P_2S, W, "the 2-sigma line"),
    ("nb06.check_p_limit", "wrong", 100 * _PBAR, W, "the centre line"),
    ("nb06.check_p_limit", "wrong", "high", W, "not a number"),
    ("nb06.check_p_limit", "blank", ..., N, ""),
    ("nb06.check_trial_limits", "model", {"points": 20, "action": "a"}, R, ""),
    ("nb06.check_trial_limits", "right", {"points": "20-25", "action": "A"}, R, "the advice as a range"),
    ("nb06.check_trial_limits", "right", {"points": 25, "action": "use them as trial limits"}, R,
     "the option's first words"),
    ("nb06.check_trial_limits", "right", {"points": "20 to 25 points", "action": "(a)"}, R, "range in words"),
    ("nb06.check_trial_limits", "right", {"points": "at least 20", "action": "a"}, R, "a minimum in words"),
    ("nb06.check_trial_limits", "misconception", {"points": 12, "action": "a"}, P, "qikit's minimum for a first chart"),
    ("nb06.check_trial_limits", "misconception", {"points": 20, "action": "c"}, P, "freezes limits from 10 weeks"),
    ("nb06.check_trial_limits", "wrong", {"points": 5, "action": "b"}, W, ""),
    ("nb06.check_trial_limits", "blank", {"points": ..., "action": ...}, N, ""),
    ("nb06.check_false_alarm", "model", {"one_in": 370, "in_36": 9.3}, R, ""),
    ("nb06.check_false_alarm", "right", {"one_in": "1 in 370", "in_36": "9%"}, R, "as a clinician would write them"),
    ("nb06.check_false_alarm", "right", {"one_in": round(ONE_IN, 1), "in_36": round(IN_36, 2)}, R, "more decimals"),
    ("nb06.check_false_alarm", "right", {"one_in": 370, "in_36": 100 * 36 / 370}, R,
     "36/370 = 9.7%: about right for a rare event"),
    ("nb06.check_false_alarm", "misconception", {"one_in": 22, "in_36": 9.3}, P, "the 2-sigma rate"),
    ("nb06.check_false_alarm", "misconception", {"one_in": 370, "in_36": 0.27}, P, "one point's chance for 36"),
    ("nb06.check_false_alarm", "misconception", {"one_in": 0.0027, "in_36": 0.093}, P,
     "probabilities where the question asks 1 in N and a per cent"),
    ("nb06.check_false_alarm", "wrong", {"one_in": 100, "in_36": 50}, W, ""),
    ("nb06.check_false_alarm", "blank", {"one_in": ..., "in_36": ...}, N, ""),
    ("nb06.check_more_rules", "model", {"all_four": round(ALL_FOUR, 1), "why": "a"}, R, "read from the table"),
    ("nb06.check_more_rules", "right", {"all_four": f"{ALL_FOUR:.0f}%", "why": "A"}, R, "rounded, with %"),
    ("nb06.check_more_rules", "right", {"all_four": round(ALL_FOUR), "why": "Each rule can be set off by chance, "
     "so every rule added catches more noise as well as more signals."}, R, "the option's words"),
    ("nb06.check_more_rules", "misconception", {"all_four": round(RULE_ONE, 1), "why": "a"}, P,
     "read the first row (3-sigma rule alone)"),
    ("nb06.check_more_rules", "misconception", {"all_four": round(ALL_FOUR), "why": "b"}, P,
     "thinks extra rules narrow the limits"),
    ("nb06.check_more_rules", "wrong", {"all_four": 0, "why": "c"}, W, ""),
    ("nb06.check_more_rules", "blank", {"all_four": ..., "why": ...}, N, ""),
    # ---------------------------------------------------------------- notebook 07
    ("nb07.check_prediction", "model", "Of the 6 patients going home from bay 2 this week, 4 will leave the ward "
     "before noon", F, "a number and what it counts: form checked, a tutor reads the rest"),
    ("nb07.check_prediction", "right", "Four of the six bay 2 discharges will leave before 12:00", F, "words"),
    ("nb07.check_prediction", "right", "We predict 67% of bay 2 patients will be discharged before noon", F, ""),
    ("nb07.check_prediction", "misconception", "It will work better", W, "no number"),
    ("nb07.check_prediction", "wrong", "No idea what will happen this week", W, "no commitment"),
    ("nb07.check_prediction", "wrong", "4 of 6", P, "a number but not what it counts"),
    ("nb07.check_prediction", "blank", ..., N, ""),
    ("nb07.check_new_phase", "model", "2023-05-29", R, ""),
    ("nb07.check_new_phase", "right", "29/05/2023", R, "UK date"),
    ("nb07.check_new_phase", "right", "29 May 2023", R, "in words"),
    ("nb07.check_new_phase", "misconception", "2023-04-17", W, "the one high week"),
    ("nb07.check_new_phase", "wrong", "next Tuesday", W, "not a date"),
    ("nb07.check_new_phase", "blank", ..., N, ""),
    ("nb07.self_check", "model", {1: "a", 2: "c", 3: "b"}, R, ""),
    ("nb07.self_check", "right", {1: "tests of one change idea at growing scale", 2: "C", 3: "adapt"}, R, ""),
    ("nb07.self_check", "right", {1: "A", 2: "c", 3: "Adapt"}, R, ""),
    ("nb07.self_check", "misconception", {1: "a", 2: "a", 3: "b"}, P, "new limits on a few weeks"),
    ("nb07.self_check", "wrong", {1: "b", 2: "b", 3: "c"}, W, ""),
    ("nb07.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 08
    ("nb08.check_icons", "model", {"variation": "concern", "assurance": "fail"}, R, ""),
    ("nb08.check_icons", "right", {"variation": "Special cause variation of a concerning nature",
                                   "assurance": "consistently fail"}, R, "the notebook's own words"),
    ("nb08.check_icons", "right", {"variation": "special-cause concern", "assurance": "Consistently failing"}, R,
     ""),
    ("nb08.check_icons", "misconception", {"variation": "common cause", "assurance": "fail"}, P,
     "read the whole chart, not the latest point"),
    ("nb08.check_icons", "wrong", {"variation": "improvement", "assurance": "pass"}, W, ""),
    ("nb08.check_icons", "blank", {"variation": ..., "assurance": ...}, N, ""),
    ("nb08.check_report", "model", GOOD_REPORT, F, "all three parts; a tutor reads for clarity"),
    ("nb08.check_report", "right", "In the last month four-hour performance showed common cause variation: no "
     "signal. The 95% target sits between the process limits, so it will be hit and miss. The team will redesign "
     "flow and test the changes.", F, "'in the last month' describes the latest point"),
    ("nb08.check_report", "right", "RDU's four-hour performance is stable at present (common cause), and the 95% "
     "standard will be met in some months but not others. We plan to review discharge flow with the medical "
     "teams.", F, ""),
    ("nb08.check_report", "misconception", "Performance was 83.3% in March, up from last month, and is rated "
     "amber. The team will review flow and keep watching the 95% target for signals.", W,
     "month-on-month and RAG"),
    ("nb08.check_report", "wrong", "Four-hour performance shows special cause variation of a concerning nature "
     "and the 95% target will never be met without a change, so the team will redesign the department.", W,
     "factually wrong for RDU"),
    ("nb08.check_report", "blank", ..., N, ""),
    ("nb08.self_check", "model", {1: "b", 2: "c", 3: "a"}, R, ""),
    ("nb08.self_check", "right", {1: "special cause variation of a concerning nature",
                                  2: "the target will not be met without a change to the process", 3: "A"}, R, ""),
    ("nb08.self_check", "right", {1: "B", 2: "C", 3: "a"}, R, ""),
    ("nb08.self_check", "misconception", {1: "b", 2: "a", 3: "a"}, P, "outside the limits read as hit and miss"),
    ("nb08.self_check", "wrong", {1: "a", 2: "b", 3: "c"}, W, ""),
    ("nb08.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
    # ---------------------------------------------------------------- notebook 09
    ("nb09.check_priorities", "model", ["infrastructure", "senior_leadership"], R, ""),
    ("nb09.check_priorities", "right", ["Senior leadership", "Infrastructure"], R, "names, other order"),
    ("nb09.check_priorities", "right", ("senior-leadership", "INFRASTRUCTURE"), R, "hyphen, capitals, tuple"),
    ("nb09.check_priorities", "misconception", ["monitoring", "infrastructure"], P, "a divided factor, not lowest"),
    ("nb09.check_priorities", "wrong", ["benefits", "fit"], W, "the strongest"),
    ("nb09.check_priorities", "blank", ..., N, ""),
    ("nb09.check_peak", "model", 11, R, "ln(30)/0.31 = 11.0"),
    ("nb09.check_peak", "right", "11", R, "in quotes"),
    ("nb09.check_peak", "right", "month 11", R, ""),
    ("nb09.check_peak", "misconception", 8, W, "the worked example's peak"),
    ("nb09.check_peak", "wrong", 24, W, "the end of the simulation"),
    ("nb09.check_peak", "blank", ..., N, ""),
    ("nb09.check_lever", "model", "b", R, ""),
    ("nb09.check_lever", "right", "staff from other wards visiting ward 7, seeing its run chart and talking to its "
     "nurses", R, "the option's words"),
    ("nb09.check_lever", "right", "B", R, ""),
    ("nb09.check_lever", "misconception", "a national mandate to adopt the change", W, "a mandate is p"),
    ("nb09.check_lever", "wrong", "c", W, ""),
    ("nb09.check_lever", "blank", "", N, ""),
    ("nb09.self_check", "model", {1: "b", 2: "c", 3: "a"}, R, ""),
    ("nb09.self_check", "right", {1: "several people score separately, then compare", 2: "early adopters",
                                  3: "each new setting adapting the change to its own staff and patients"}, R, ""),
    ("nb09.self_check", "right", {1: "B", 2: "C", 3: "A"}, R, ""),
    ("nb09.self_check", "misconception", {1: "b", 2: "a", 3: "a"}, P, "innovators first"),
    ("nb09.self_check", "wrong", {1: "a", 2: "b", 3: "b"}, W, ""),
    ("nb09.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
]

# ---------------------------------------------------------------- answers that are objects, not literals
import qikit  # noqa: E402  (after the literal bank, which needs no qikit)

_OBS = ROOT / "notebooks" / "data" / "my_ward_obs.csv"


def _measure(**changes):
    args = dict(name="Falls risk assessment within 24 h (%)", kind="process",
                definition="Patients admitted to ward 7 with a completed falls risk assessment in the e-record within "
                           "24 hours of arriving on the ward; patients staying under 24 hours are excluded",
                numerator="patients assessed within 24 hours of arriving on the ward",
                denominator="patients admitted to ward 7", direction="increase", frequency="weekly")
    args.update(changes)
    return qikit.Measure(**args)


def _ramp(scales, prediction="{k} of {n} patients will have their TTOs ready the day before", filler=None):
    log = qikit.PDSALog("TTOs the day before, ward 7")
    log.add_ramp("TTOs", change_idea="Prescribe discharge medicines (TTOs) the day before discharge")
    for i, n in enumerate(scales, start=1):
        text = filler or prediction.format(k=max(n - 1, 1), n=n)
        log.add(qikit.PDSACycle(f"TTO {i}", objective=filler or "Can TTOs be ready the day before?",
                                prediction=text, plan=filler or f"Pharmacist and F1 for {n} patient(s)",
                                start=f"2023-06-{5 + 7 * (i - 1):02d}", scale=n), ramp="TTOs")
    return log


_DRIVERS = {"Patients can reach the toilet safely": ["Two-hourly toileting round", "Commode at the bedside"],
            "Confusion is spotted and managed": ["4AT on admission"]}
_AIM = "Reduce falls on ward 7 from 8.5 to 6 per 1,000 bed-days by March 2027"
_CAUSES = {"Patients": ["Delirium", "Urgent need for the toilet"],
           "Staff": ["Too few staff at night", "Agency staff unfamiliar with patients"],
           "Environment": ["Poor lighting at night", "Wet floors"],
           "Equipment": ["Call bell out of reach", "Beds left high"]}
_P_WEEK = {"n": 25, "p_bar": None}  # filled by the test from the data (see test_answer_banks)

BANK += [
    ("nb00.check_loaded", "model", pd.read_csv(_OBS, parse_dates=["week"]), R, ""),
    ("nb00.check_loaded", "right", pd.read_csv(_OBS, parse_dates=["week"], date_format="%Y-%m-%d"), R,
     "with the date format given"),
    ("nb00.check_loaded", "right", pd.read_csv(_OBS).assign(week=lambda d: pd.to_datetime(d["week"])), R,
     "dates converted after reading"),
    ("nb00.check_loaded", "misconception", pd.read_csv(_OBS), W, "dates left as text"),
    ("nb00.check_loaded", "wrong", str(_OBS), W, "the file name"),
    ("nb00.check_loaded", "blank", ..., N, ""),
    ("nb02.check_definition", "model", _measure(), R, ""),
    ("nb02.check_definition", "right", _measure(definition="Adults admitted to ward 7 whose falls risk assessment "
                                                           "is completed in the electronic record within twenty-four "
                                                           "hours of arrival on the ward; stays under a day excluded"),
     R, "twenty-four in words"),
    ("nb02.check_definition", "right", _measure(name="Risk assessed in 24 hours", frequency="monthly",
                                                numerator="admissions to ward 7 assessed within 24 h of arrival"), R,
     ""),
    ("nb02.check_definition", "misconception", _measure(kind="outcome"), P, "a process measure called outcome"),
    ("nb02.check_definition", "wrong", _measure(definition="Falls risk assessments", numerator=None,
                                                denominator=None, direction=None), W, ""),
    ("nb02.check_definition", "blank", ..., N, ""),
    ("nb03.check_fishbone", "model", _CAUSES, F, "form checked: a tutor reads whether the causes are real"),
    ("nb03.check_fishbone", "right", {**_CAUSES, "Methods": ("No toileting plan",)}, F, "a tuple, five categories"),
    ("nb03.check_fishbone", "right", {k.lower(): [c.lower() for c in v] for k, v in _CAUSES.items()}, F, ""),
    ("nb03.check_fishbone", "misconception", {"Patients": ["Buy bed sensors", "Delirium"],
                                              "Staff": ["Train staff", "Too few staff at night"],
                                              "Environment": ["Poor lighting", "Wet floors"],
                                              "Equipment": ["Call bell out of reach", "Beds left high"]}, P,
     "solutions written as causes"),
    ("nb03.check_fishbone", "wrong", {"Causes": ["falls"]}, W, ""),
    ("nb03.check_fishbone", "blank", ..., N, ""),
    ("nb03.check_driver_diagram", "model", qikit.DriverDiagram.from_dict(_AIM, _DRIVERS), F, "theory is a tutor's"),
    ("nb03.check_driver_diagram", "right", qikit.DriverDiagram.from_dict(
        "Reduce falls on ward 7 by 30% by 31/03/2027", {**_DRIVERS, "Staff see who is at risk": ["Falls board"]}),
     F, "three drivers, UK date"),
    ("nb03.check_driver_diagram", "right", qikit.DriverDiagram.from_dict(_AIM.lower(), _DRIVERS), F, ""),
    ("nb03.check_driver_diagram", "misconception", qikit.DriverDiagram.from_dict(
        _AIM, {"Buy bed sensors": ["Sensor on every bed"], "Train staff": ["Falls e-learning"],
               "Patients can reach the toilet": ["Commode"]}), P, "actions as drivers"),
    ("nb03.check_driver_diagram", "wrong", qikit.DriverDiagram.from_dict("Fewer falls", {"Sensors": []}), W, ""),
    ("nb03.check_driver_diagram", "blank", ..., N, ""),
    ("nb07.check_ramp", "model", _ramp([1, 5, 15]), F, "form checked: a tutor reads whether it tests the idea"),
    ("nb07.check_ramp", "right", _ramp([1, 3, 10, 30], prediction="We expect {k} out of {n} TTOs written the day "
                                                                  "before"), F, "four cycles, natural wording"),
    ("nb07.check_ramp", "right", _ramp([2, 6, 12]), F, ""),
    ("nb07.check_ramp", "misconception", _ramp([30, 30, 30]), W, "starts with the whole ward and never grows"),
    ("nb07.check_ramp", "wrong", _ramp([1, 5, 15], filler="..."), W, "the example's ... left in"),
    ("nb07.check_ramp", "wrong", _ramp([1, 5, 15], prediction="It will work"), P, "predictions with no number"),
    ("nb07.check_ramp", "blank", _ramp([]), N, "the scaffold's empty ramp"),
]

# ---------------------------------------------------------------- the forms and prepared text of issue 16
from qikit.widgets.forms import MeasureForm, RampForm  # noqa: E402


def _measure_form(**changes):
    """The measure form of notebook 02, exercise 4, filled in as a trainee would."""
    values = dict(name="Falls risk assessment within 24 h (%)", kind="process",
                  numerator="patients with a falls risk assessment within 24 hours of arriving on the ward",
                  denominator="patients admitted to ward 7", inclusions="every adult admitted to ward 7",
                  exclusions="patients who stay less than 24 hours", source="the e-record's admission form",
                  frequency="weekly", collector="the ward's practice educator, every Monday", direction="increase")
    values.update(changes)
    form = MeasureForm()
    form.fill(**{k: v for k, v in values.items() if v is not None})
    return form


def _ramp_form(scales, prediction="{k} of {n} patients will have their TTOs ready the day before"):
    """The ramp form of notebook 07, exercise 2, with one cycle added per scale."""
    form = RampForm("TTOs the day before, ward 7", "TTOs", "Prescribe discharge medicines (TTOs) the day before")
    for i, n in enumerate(scales, start=1):
        form.add(title=f"TTO {i}", objective="Can TTOs be ready the day before?", plan=f"F1 and pharmacist, {n}",
                 prediction=prediction.format(k=max(n - 1, 1), n=n), start=f"{5 + 7 * (i - 1):02d}/06/2023",
                 scale=str(n))
    return form


_CAUSES_TEXT = """
Patients: delirium; urgent need for the toilet
Staff: too few staff at night; agency staff unfamiliar with patients
Methods (how the work is done):
Equipment: call bell out of reach; beds left high
Environment: poor lighting at night; wet floors
"""

BANK += [
    ("nb02.check_definition", "model", _measure_form(), R, "the measure form, filled in"),
    ("nb02.check_definition", "right", _measure_form(numerator="admissions to ward 7 assessed within twenty-four "
                                                               "hours of arrival", frequency="monthly"), R,
     "the form, in other words"),
    ("nb02.check_definition", "misconception", _measure_form(kind="outcome"), P, "the form, called an outcome"),
    ("nb02.check_definition", "wrong", _measure_form(name="Falls", numerator=None, inclusions=None, exclusions=None,
                                                     source=None, collector=None, direction=None), W,
     "the form with a name and a kind only"),
    ("nb02.check_definition", "blank", MeasureForm(), N, "the form untouched"),
    ("nb03.check_fishbone", "model", _CAUSES_TEXT, F, "the prepared text, filled in"),
    ("nb03.check_fishbone", "right", "Patients: Delirium\n- urgent need for the toilet\nStaff: too few at night; "
                                     "agency staff\nEquipment: call bell out of reach; beds left high\n"
                                     "Environment: poor lighting; wet floors", F, "causes on their own lines too"),
    ("nb03.check_fishbone", "misconception", "Patients: buy bed sensors; delirium\nStaff: train staff; too few at "
                                             "night\nEquipment: call bell out of reach; beds high\nEnvironment: "
                                             "poor lighting; wet floors", P, "solutions in the text"),
    ("nb03.check_fishbone", "wrong", "Patients: falls", W, "one cause in one category"),
    ("nb03.check_fishbone", "blank", '\nPatients:\nStaff:\nMethods (how the work is done):\nEquipment:\n'
                                     'Environment:\n', N, "the prepared text untouched"),
    ("nb07.check_ramp", "model", _ramp_form([1, 5, 15]), F, "the ramp form: three cycles added"),
    ("nb07.check_ramp", "right", _ramp_form([2, 6, 12, 30], prediction="We expect {k} out of {n} TTOs written "
                                                                       "the day before"), F, "four cycles by form"),
    ("nb07.check_ramp", "misconception", _ramp_form([30, 30, 30]), W, "the form: whole ward from the start"),
    ("nb07.check_ramp", "wrong", _ramp_form([1, 5, 15], prediction="It will work"), P, "the form: no numbers"),
    ("nb07.check_ramp", "blank", _ramp_form([]), N, "the ramp form untouched"),
    # ------------------------------------------------------------ notebook 11 (written from its questions)
    ("nb11.check_activities", "model", {1: "research", 2: "audit", 3: "qi", 4: "research", 5: "qi"}, R, ""),
    ("nb11.check_activities", "right", {"1": "Research", "2": "clinical audit", "3": "quality improvement",
                                        "4": "research study", "5": "QI project"}, R, "words and keys as text"),
    ("nb11.check_activities", "right", {1: "RESEARCH", 2: "Audit", 3: "QI", 4: "trial", 5: "improvement"}, R, ""),
    ("nb11.check_activities", "misconception", {1: "qi", 2: "qi", 3: "qi", 4: "research", 5: "qi"}, P,
     "anything that improves care is QI"),
    ("nb11.check_activities", "wrong", {1: "audit", 2: "research", 3: "audit", 4: "qi", 5: "research"}, W, ""),
    ("nb11.check_activities", "blank", {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}, N, ""),
    ("nb11.check_ethics", "model", "b", R, ""),
    ("nb11.check_ethics", "right", "register it with the trust's QI or clinical audit team, and check with the HRA "
                                   "decision tool if unsure", R, "the option's words"),
    ("nb11.check_ethics", "right", "(B)", R, ""),
    ("nb11.check_ethics", "misconception", "a", W, "every project needs a research ethics committee"),
    ("nb11.check_ethics", "wrong", "c", W, "QI needs no approval at all"),
    ("nb11.check_ethics", "blank", ..., N, ""),
    ("nb11.check_change_concepts", "model", {1: "waste", 2: "inventory", 3: "mistakes", 4: "variation",
                                             5: "customer"}, R, ""),
    ("nb11.check_change_concepts", "right", {1: "eliminate waste", 2: "improve work flow", 3: "error proofing",
                                             4: "standardise", 5: "enhance the producer/customer relationship"}, R,
     "the groups' names and usual synonyms"),
    ("nb11.check_change_concepts", "right", {1: "Waste", 2: "time", 3: "Mistakes", 4: "Variation", 5: "patients"},
     R, "the trolley as managing time"),
    ("nb11.check_change_concepts", "misconception", {1: "mistakes", 2: "inventory", 3: "variation", 4: "variation",
                                                     5: "customer"}, P, "any safety step is mistake-proofing"),
    ("nb11.check_change_concepts", "wrong", {1: "time", 2: "product", 3: "customer", 4: "waste", 5: "flow"}, W, ""),
    ("nb11.check_change_concepts", "blank", ..., N, ""),
    ("nb11.check_sampling", "model", "b", R, ""),
    ("nb11.check_sampling", "right", "The first 10 admissions of each week, checked every Monday and plotted weekly",
     R, "the option's words"),
    ("nb11.check_sampling", "right", "B.", R, ""),
    ("nb11.check_sampling", "misconception", "c", W, "judgement sample"),
    ("nb11.check_sampling", "wrong", "a", W, "one count a month"),
    ("nb11.check_sampling", "blank", "", N, ""),
    ("nb11.check_wastes", "model", {1: "motion", 2: "waiting", 3: "overprocessing", 4: "defects", 5: "skills"}, R,
     ""),
    ("nb11.check_wastes", "right", {1: "Movement", 2: "delay", 3: "over-processing", 4: "rework",
                                    5: "unused talent"}, R, "synonyms"),
    ("nb11.check_wastes", "right", {"1": "MOTION", "2": "Waiting", "3": "extra processing", "4": "defect",
                                    "5": "unused skills"}, R, ""),
    ("nb11.check_wastes", "misconception", {1: "transport", 2: "waiting", 3: "defects", 4: "defects", 5: "skills"},
     P, "staff walking as transport, repetition as rework"),
    ("nb11.check_wastes", "wrong", {1: "inventory", 2: "overproduction", 3: "skills", 4: "waiting",
                                    5: "transport"}, W, ""),
    ("nb11.check_wastes", "blank", {}, N, ""),
    ("nb11.check_squire", "model", {1: "introduction", 2: "methods", 3: "results", 4: "discussion", 5: "methods"}, R,
     ""),
    ("nb11.check_squire", "right", {1: "Introduction", 2: "Methods", 3: "Results", 4: "Discussion", 5: "method"}, R,
     ""),
    ("nb11.check_squire", "right", {1: "background", 2: "methods section", 3: "findings", 4: "interpretation",
                                    5: "methods"}, R, "synonyms"),
    ("nb11.check_squire", "misconception", {1: "introduction", 2: "results", 3: "results", 4: "results",
                                            5: "methods"}, P, "definitions and interpretation as results"),
    ("nb11.check_squire", "wrong", {1: "results", 2: "discussion", 3: "introduction", 4: "methods",
                                    5: "results"}, W, ""),
    ("nb11.check_squire", "blank", {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}, N, ""),
    ("nb11.self_check", "model", {1: "a", 2: "a", 3: "b"}, R, ""),
    ("nb11.self_check", "right", {"1": "It randomises patients and aims at generalisable knowledge",
                                  "2": "Ask why of the problem until you reach a cause the team can change",
                                  "3": "B"}, R, "words and keys as text"),
    ("nb11.self_check", "right", {1: "(A)", 2: "a.", 3: "b)"}, R, "letters dressed"),
    ("nb11.self_check", "misconception", {1: "b", 2: "a", 3: "b"}, P, "collecting data makes it research"),
    ("nb11.self_check", "wrong", {1: "c", 2: "b", 3: "a"}, W, ""),
    ("nb11.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
]

# ---------------------------------------------------------------- notebook 10 (people and change)
from qikit.improve.stakeholders import StakeholderMap as _StakeholderMap  # noqa: E402


# Written from the exercises as notebook 10 states them. Stakeholder records use the keys of
# qikit.Project.stakeholders; a grid a tutor finds nothing missing in is "form checked" (the fit of each plan
# is a tutor's to read).
def _who(name, role, power, interest, stance, engage=""):
    return {"name": name, "role": role, "power": power, "interest": interest, "stance": stance, "engage": engage}


_GOOD_GRID = [
    _who("Sister Okafor", "ward sister", "high", "high", "champion", "co-leads; weekly catch-up"),
    _who("Dr Hale", "consultant, on-call rota lead", "high", "low", "sceptic",
         "meet him before the first test; ask what worries him; ask for registrars to join one test"),
    _who("Night HCAs", "healthcare assistants on nights", "low", "high", "neutral",
         "design the prompt card with them at the night huddle"),
    _who("Patient panel", "patients and relatives from the ward's patient panel", "low", "high", "supporter",
         "two members join the project group; ask what 'not himself' looks like to them"),
    _who("Outreach lead", "critical care outreach lead nurse", "high", "high", "supporter",
         "agree the call criteria together"),
]
_QUADRANTS = {1: "manage closely", 2: "keep satisfied", 3: "keep informed", 4: "keep informed", 5: "monitor",
              6: "keep satisfied", 7: "manage closely"}
_PLAN = {"why": "to catch patients who are deteriorating before they crash, which is why we all came into nursing",
         "expect": "we review every escalation on Friday and tell you what we changed the following Monday",
         "who": "Sister Okafor and Dr Patel lead it, with a champion on each shift and the chief nurse as sponsor",
         "involve": "tell us your ideas at the huddle or on the board, or test the prompt card on your next shift",
         "channels": ["daily safety huddle", "staff room board", "ward meeting"],
         "how_often": "a minute at every daily huddle and a summary on the board each week"}

BANK += [
    ("nb10.check_quadrants", "model", _QUADRANTS, R, ""),
    ("nb10.check_quadrants", "right", {str(k): v.upper() for k, v in _QUADRANTS.items()}, R, "keys as text, capitals"),
    ("nb10.check_quadrants", "right", {1: "manage", 2: "satisfy", 3: "inform", 4: "Keep-informed", 5: "Monitoring",
                                       6: "keep_satisfied", 7: "key players"}, R, "short and textbook names"),
    ("nb10.check_quadrants", "misconception", {**_QUADRANTS, 3: "manage closely", 6: "manage closely"}, P,
     "anyone who matters is 'manage closely'"),
    ("nb10.check_quadrants", "misconception", {**_QUADRANTS, 2: "keep informed", 3: "keep satisfied",
                                               4: "keep satisfied", 6: "keep informed"}, P, "power and interest swapped"),
    ("nb10.check_quadrants", "wrong", {1: "monitor", 2: "keep informed", 3: "keep satisfied", 4: "keep satisfied",
                                       5: "manage closely", 6: "keep informed", 7: "monitor"}, W,
     "each in the opposite corner"),
    ("nb10.check_quadrants", "wrong", "manage closely", W, "one answer for all, not a dictionary"),
    ("nb10.check_quadrants", "blank", {k: ... for k in range(1, 8)}, N, ""),
    ("nb10.check_grid", "model", _GOOD_GRID, F, "no gap: a tutor reads the plans"),
    ("nb10.check_grid", "right", _StakeholderMap.from_records(
        [{**r, "power": r["power"].upper(), "stance": "skeptic" if r["stance"] == "sceptic" else r["stance"]}
         for r in _GOOD_GRID]), F, "a StakeholderMap, capitals, US spelling"),
    ("nb10.check_grid", "right", [*_GOOD_GRID[:2], _who("Staff nurse Ade", "staff nurse (nights)", "low", "high",
                                                        "supporter", "tests the card on one night"),
                                  _who("Mrs Lee", "daughter of a patient on ward 12", "low", "high", "neutral",
                                       "interview about her father's stay")], F, "named people, four rows"),
    ("nb10.check_grid", "misconception", [r for r in _GOOD_GRID if r["name"] != "Patient panel"], P,
     "staff only: no patient or carer voice"),
    ("nb10.check_grid", "misconception", [{**r, "engage": ""} if r["name"] == "Dr Hale" else r for r in _GOOD_GRID]
     + [], P, "the powerful sceptic left without a plan"),
    ("nb10.check_grid", "wrong", [_who("Matron", "matron", "high", "high", "neutral", "email"),
                                  _who("Director", "director of nursing", "high", "high", "neutral", "email"),
                                  _who("Chief executive", "chief executive", "high", "high", "neutral", "email")], W,
     "only leaders, all in one quadrant, no champion"),
    ("nb10.check_grid", "wrong", [{"name": "Sister Okafor", "power": "high"}], W, "a record with keys missing"),
    ("nb10.check_grid", "blank", [], N, "the empty form"),
    ("nb10.check_psychology", "model", {1: "motivation", 2: "co-design", 3: "power", 4: "adapt", 5: "agency"}, R, ""),
    ("nb10.check_psychology", "right", {1: "Unleash intrinsic motivation", 2: "Co-design people-driven change",
                                        3: "Distribute power", 4: "Adapt in action", 5: "Activate people's agency"},
     R, "the domains' full names"),
    ("nb10.check_psychology", "right", {"1": "intrinsic motivation", "2": "codesign", "3": "POWER", "4": "adapt",
                                        "5": "agency"}, R, "short forms, keys as text"),
    ("nb10.check_psychology", "misconception", {1: "motivation", 2: "co-design", 3: "agency", 4: "adapt",
                                                5: "power"}, P, "agency and power confused"),
    ("nb10.check_psychology", "wrong", {1: "adapt", 2: "adapt", 3: "adapt", 4: "motivation", 5: "co-design"}, W, ""),
    ("nb10.check_psychology", "wrong", {1: "leadership", 2: "teamwork", 3: "power", 4: "adapt", 5: "agency"}, P,
     "two words not among the domains"),
    ("nb10.check_psychology", "blank", {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}, N, ""),
    ("nb10.check_just_culture", "model", "c", R, ""),
    ("nb10.check_just_culture", "right", "the substitution test", R, "the option's words"),
    ("nb10.check_just_culture", "right", "(C)", R, ""),
    ("nb10.check_just_culture", "misconception", "d", W, "departing from protocol: blame the individual"),
    ("nb10.check_just_culture", "wrong", "a", W, ""),
    ("nb10.check_just_culture", "wrong", "the blame test", W, "not an option"),
    ("nb10.check_just_culture", "blank", ..., N, ""),
    ("nb10.check_motivation", "model", {1: "extrinsic", 2: "intrinsic", 3: "extrinsic", 4: "intrinsic",
                                        5: "extrinsic"}, R, ""),
    ("nb10.check_motivation", "right", {1: "External", 2: "internal", 3: "Extrinsic motivation",
                                        4: "intrinsic motivation", 5: "EXTRINSIC"}, R, "synonyms and capitals"),
    ("nb10.check_motivation", "right", {"1": "e", "2": "i", "3": "e", "4": "i", "5": "e"}, R, "initials"),
    ("nb10.check_motivation", "misconception", {1: "intrinsic", 2: "intrinsic", 3: "extrinsic", 4: "intrinsic",
                                                5: "intrinsic"}, P, "rewards and league tables as motivating from within"),
    ("nb10.check_motivation", "wrong", {k: "extrinsic" for k in range(1, 6)}, P, "everything extrinsic: 3 of 5"),
    ("nb10.check_motivation", "wrong", {1: "intrinsic", 2: "extrinsic", 3: "intrinsic", 4: "extrinsic",
                                        5: "intrinsic"}, W, "all reversed"),
    ("nb10.check_motivation", "blank", {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}, N, ""),
    ("nb10.check_feedback_loop", "model", "b", R, ""),
    ("nb10.check_feedback_loop", "right", "B)", R, ""),
    ("nb10.check_feedback_loop", "right", "you said, we did", R, "the slogan"),
    ("nb10.check_feedback_loop", "misconception", "c", W, "a prize instead of closing the loop"),
    ("nb10.check_feedback_loop", "wrong", "a", W, ""),
    ("nb10.check_feedback_loop", "blank", "", N, ""),
    ("nb10.check_ebcd", "model", ["b", "f", "d", "c", "a", "e"], R, ""),
    ("nb10.check_ebcd", "right", "b, d, f, c, a, e", R, "patients' interviews first: the toolkit runs them side by side"),
    ("nb10.check_ebcd", "right", ("B", "F", "D", "C", "A", "E"), R, "capitals, a tuple"),
    ("nb10.check_ebcd", "misconception", ["b", "f", "d", "a", "c", "e"], P, "co-design before agreeing priorities"),
    ("nb10.check_ebcd", "misconception", ["b", "f", "a", "c", "d", "e"], W, "staff design, patients asked afterwards"),
    ("nb10.check_ebcd", "wrong", ["a", "b", "c", "d", "e", "f"], W, "alphabetical"),
    ("nb10.check_ebcd", "wrong", ["b", "f", "d"], W, "three stages only"),
    ("nb10.check_ebcd", "blank", [...], N, ""),
    ("nb10.check_comms_plan", "model", _PLAN, F, "every part: a tutor judges the words"),
    ("nb10.check_comms_plan", "right", {**_PLAN, "channels": "huddles and an email to all staff", "how_often":
                                        "daily"}, F, "channels as one sentence"),
    ("nb10.check_comms_plan", "right", {**_PLAN, "channels": ["posters in the staff room", "the trust intranet",
                                                              "patient information leaflet"]}, F, ""),
    ("nb10.check_comms_plan", "misconception", {**_PLAN, "channels": ["email"]}, P, "one email to everyone"),
    ("nb10.check_comms_plan", "misconception", {**_PLAN, "why": "because it is trust policy", "how_often": "once"},
     F, "a weak why: the form is there, a tutor reads the rest"),
    ("nb10.check_comms_plan", "wrong", {"why": "yes", "expect": "ok", "who": "me", "involve": "ask",
                                        "channels": ["word of mouth"], "how_often": "sometimes"}, W, "one-word parts"),
    ("nb10.check_comms_plan", "wrong", "send an email", W, "not the dictionary"),
    ("nb10.check_comms_plan", "blank", {"why": ..., "expect": ..., "who": ..., "involve": ..., "channels": [...],
                                        "how_often": ...}, N, "the cell as given"),
    ("nb10.self_check", "model", {1: "b", 2: "b", 3: "b"}, R, ""),
    ("nb10.self_check", "right", {"1": "keep them satisfied", "2": "B", "3": "design the change with staff, as "
                                  "partners"}, R, "words"),
    ("nb10.self_check", "right", {1: "(b)", 2: "b.", 3: "B"}, R, "letters dressed"),
    ("nb10.self_check", "misconception", {1: "a", 2: "a", 3: "b"}, P, "powerful means manage closely; no criticism"),
    ("nb10.self_check", "wrong", {1: "c", 2: "c", 3: "a"}, W, ""),
    ("nb10.self_check", "blank", {1: ..., 2: ..., 3: ...}, N, ""),
]
