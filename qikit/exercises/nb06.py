"""Checks for notebook 06, *Choosing and reading control charts*: which chart, a p chart's limits,
reading a funnel plot, and reading a funnel widened for over-dispersion.

Sources: Provost LP, Murray SK, *The Health Care Data Guide*, Jossey-Bass, 2011, ch. 5-8 (the choice of
chart; p chart limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n); g and t charts for rare events); Laney DB,
Improved control charts for attributes, *Quality Engineering* 2002;14(4):531-537 (p' and u' charts);
Spiegelhalter DJ, Funnel plots for comparing institutional performance, *Stat Med* 2005;24:1185-1202;
Spiegelhalter DJ, Handling over-dispersion of performance indicators, *Qual Saf Health Care*
2005;14:347-351 (phi, tau² and the widened funnel).

Examples
--------
>>> from qikit.exercises import nb06
>>> nb06.check_funnel("b").correct
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._feedback import Verdict, choice, is_blank, not_answered, partly, quiz, right, wrong
from ._options import OPTIONS

__all__ = ["SCENARIOS", "check_charts", "exercise_week", "check_p_limit", "hospital_wards", "check_funnel",
           "ae_trusts", "check_widened", "self_check"]

#: Exercise 1: six measures; the trainee names the chart for each.
SCENARIOS = {
    1: "Weekly % of admitted patients with a VTE risk assessment within 14 hours (20 to 60 admissions a week)",
    2: "Monthly falls per 1,000 occupied bed-days on a ward whose bed-days vary from month to month",
    3: "Monthly number of needlestick injuries in a theatre department whose size and activity stay the same",
    4: "Days between MRSA bloodstream infections in a hospital (a handful a year)",
    5: "Number of operations between surgical site infections after hip replacement",
    6: "Monthly % of attendances seen within 4 hours in a large A&E department (about 10,000 a month)",
}
_CHARTS = {1: "p", 2: "u", 3: "c", 4: "t", 5: "g", 6: "pp"}
# Other answers a fair tutor accepts, with why (this notebook itself teaches both): a g chart counts the
# opportunities between events, "cases (or days)", and the A&E percentages are charted with XmR in 06, 08
# and assignment 5, as Making Data Count does.
_ALSO_RIGHT = {
    (4, "g"): "a g chart also works for days between events (06 draws one for days between pressure ulcers); the "
              "t chart is the usual choice for time, and copes with gaps of part of a day.",
    (6, "i"): "an XmR (i) chart, as Making Data Count and this course's A&E charts use; Laney's p′ would also use "
              "the known denominator while allowing for the extra variation.",
}
_WHY = {
    1: "a p chart: each patient is assessed or not (classification data), and the denominator varies.",
    2: "a u chart: falls are counts of events, and the area of opportunity (bed-days) varies.",
    3: "a c chart: counts of events with the same area of opportunity each month.",
    4: "a t chart: the events are rare, so chart the time between them.",
    5: "a g chart: the events are rare, so chart the number of cases (operations) between them.",
    6: "a Laney p′ chart: with denominators this large, p chart limits are so narrow that almost every month "
       "falls outside them; p′ adds the month-to-month variation between them.",
}
_ALIASES = {"p'": "pp", "p′": "pp", "laney p": "pp", "laney p'": "pp", "laney p′": "pp", "pprime": "pp",
            "u'": "up", "u′": "up", "laney u'": "up", "xmr": "i", "imr": "i", "i-mr": "i", "individuals": "i"}
_MISTAKES = {
    (1, "c"): "Counts of assessed patients depend on how many were admitted: use a proportion with its denominator.",
    (1, "u"): "Each patient is either assessed or not: that is classification data (a proportion), not a rate "
              "of events.",
    (2, "c"): "A c chart assumes the same area of opportunity every month; bed-days vary, so use a rate.",
    (2, "p"): "A patient can fall more than once, and falls are counted per bed-day: a rate of events, not a "
              "proportion of patients.",
    (3, "u"): "A u chart works too, but with the same area of opportunity each month the simpler c chart is "
              "enough.",
    (5, "t"): "The gap here is counted in operations (cases), which is a g chart; the t chart measures time.",
    (6, "p"): "With about 10,000 patients a month the p chart's limits are far too narrow (over-dispersion): "
              "nearly every month signals. Use Laney's p′ chart.",
}


def _chart_name(value) -> str:
    """'p-chart', 'U chart', 'c charts' -> 'p', 'u', 'c'; aliases (XmR, Laney p') to the chart's code."""
    text = re.sub(r"[\s-]*charts?$", "", str(value).strip().lower())
    return _ALIASES.get(text, text)


def check_charts(answer) -> Verdict:
    """Exercise 1: the chart type for each measure in :data:`SCENARIOS` (``"p"``, ``"u"``, ``"c"``, ``"g"``,
    ``"t"``, ``"pp"`` for Laney p′ ...).

    Examples
    --------
    >>> check_charts({1: "p", 2: "u", 3: "c", 4: "t", 5: "g", 6: "pp"}).correct
    True
    """
    if is_blank(answer) or (isinstance(answer, Mapping) and all(is_blank(v) for v in answer.values())):
        return not_answered("Replace each ... with a chart type in quotes (\"p\", \"u\", ...), then run the cell "
                            "again.")
    if not isinstance(answer, Mapping):
        return wrong("Give your answers as a dictionary from measure number to chart, e.g. {1: \"p\", 2: \"u\"}.")
    lines, good, blank = [], 0, 0
    for number, chart in _CHARTS.items():
        given = answer.get(number, answer.get(str(number)))
        if is_blank(given):
            blank += 1
            lines.append(f"{number}. not answered yet")
            continue
        name = _chart_name(given)
        if name == chart or (number, name) in _ALSO_RIGHT:
            good += 1
            why = _WHY[number] if name == chart else _ALSO_RIGHT[number, name]
            lines.append(f"{number}. ✔ {why[0].upper()}{why[1:]}")
        else:
            why = _MISTAKES.get((number, name), f"The measure calls for {_WHY[number]}")
            lines.append(f"{number}. ✘ Not {given!r}. {why}")
    total = len(_CHARTS)
    if good == total:
        return right(f"{total} of {total} right.", lines)
    score = f"{good} of {total} right" + (f" ({blank} not answered yet)" if blank else "") + "."
    return (partly if good else wrong)(score, lines)


_CHANGE = "2023-08-07"  # sepsis trolley and nurse-given antibiotics start (the data set's documented change)


def exercise_week() -> dict:
    """Exercise 2: the numbers for one baseline week of the sepsis p chart.

    Returns ``{"week": the first baseline week with 25 eligible patients, "n": 25, "p_bar": the baseline
    proportion (0-1) over all weeks before 7 August 2023}``.

    Examples
    --------
    >>> exercise_week()["n"]
    25
    """
    from ..datasets import sepsis_antibiotics

    df = sepsis_antibiotics()
    base = df[df["week"] < _CHANGE]
    week = base.loc[base["eligible"] == 25, "week"].iloc[0]
    return {"week": week.date().isoformat(), "n": 25,
            "p_bar": float(base["within_1h"].sum() / base["eligible"].sum())}


def check_p_limit(answer) -> Verdict:
    """Exercise 2: the upper control limit, in per cent, of the sepsis p chart for a baseline week with 25
    patients: 100 x (p-bar + 3 sqrt(p-bar (1 - p-bar) / 25)).

    Examples
    --------
    >>> check_p_limit(...).status
    'not answered'
    """
    if is_blank(answer):
        return not_answered("Replace the ... with your upper limit in per cent (a number), then run the cell again.")
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating) \
            or not np.isfinite(float(answer)):
        return wrong("Give the limit as a number of per cent, e.g. 75.3 (no quotes, no % sign).")
    value = float(answer)
    w = exercise_week()
    p, n = w["p_bar"], w["n"]
    se = math.sqrt(p * (1 - p) / n)
    truth = 100 * (p + 3 * se)

    def near(target: float, tol: float = 0.15) -> bool:
        return abs(value - target) <= tol

    if near(truth):
        return right(f"{truth:.1f}%: the baseline {100 * p:.1f}% plus 3 x sqrt(p(1 - p) / n) = 3 x {100 * se:.2f} "
                     "percentage points. With only 25 patients a week, a week anywhere between the limits is "
                     "ordinary variation.")
    if 0 < value <= 1 and abs(100 * value - truth) <= 0.15:
        return partly(f"Right number, wrong scale: {value:g} is a proportion. Give it in per cent ({truth:.1f}).")
    if near(100 * (p + 2 * se)):
        return wrong("That is the 2-sigma line. Control limits sit at 3 sigma: p-bar + 3 x sqrt(p(1 - p) / n).")
    if near(100 * (p + 3 * p * (1 - p) / n)) or near(100 * (p + 3 * math.sqrt(p * (1 - p)))):
        return wrong("Check the square root: sigma for a proportion is sqrt(p x (1 - p) / n), with n inside the "
                     "root.")
    if near(100 * 3 * se):
        return wrong("That is the distance from the centre line to the limit: add p-bar.")
    return wrong(f"Not yet. Use the baseline proportion p-bar = {p:.4f} and n = {n}: "
                 "100 x (p-bar + 3 x sqrt(p-bar x (1 - p-bar) / n)).")


def hospital_wards() -> pd.DataFrame:
    """Section 6: one year of inpatient falls on a hospital's 24 wards (8 to 36 beds), for a funnel plot.

    Synthetic and seeded: every ward shares one underlying rate of 6.5 falls per 1,000 occupied bed-days
    except Ward 14 (10.5) and Ward 21 (3.5); counts are Poisson. By chance the smallest ward, Ward 1, has the
    highest rate of all, yet lies inside the funnel.

    Returns
    -------
    DataFrame
        ``ward``, ``bed_days`` and ``falls``, one row per ward.

    Examples
    --------
    >>> hospital_wards().shape
    (24, 3)
    """
    rng = np.random.default_rng(13)
    beds = np.array([8, 10, 12, 14, 16, 18, 20, 20, 22, 24, 24, 26, 26, 28, 28, 28, 30, 30, 30, 32, 32, 34, 36, 36])
    bed_days = (beds * 365 * rng.uniform(0.88, 0.97, size=beds.size)).round().astype(int)
    rate = np.full(beds.size, 6.5 / 1000)
    rate[13], rate[20] = 10.5 / 1000, 3.5 / 1000
    return pd.DataFrame({"ward": [f"Ward {i}" for i in range(1, beds.size + 1)], "bed_days": bed_days,
                         "falls": rng.poisson(rate * bed_days)})


_FUNNEL = {
    "a": "Ward 1 is the smallest ward: with so few bed-days its rate jumps about by chance, and it lies inside "
         "the 3-sigma funnel. Singling it out would be judging noise (next year it may be near the bottom).",
    "b": "Ward 1's rate is within what chance can produce for a ward of its size: it lies inside the 3-sigma "
         "funnel (between the 2- and 3-sigma lines: worth watching, no more). The "
         "wards to ask about are those outside the 3-sigma funnel (Wards 14 and 21): they differ by more "
         "than chance would explain.",
    "c": "Funnel plots work for a handful of units as well as for hundreds; they are built for comparing units "
         "of different sizes.",
}


def check_funnel(answer) -> Verdict:
    """Exercise 3: what to conclude about Ward 1, top of the league table but inside the funnel (a, b or c)."""
    return choice(answer, "b", _FUNNEL, texts=OPTIONS["nb06.check_funnel"][0])


def ae_trusts() -> pd.DataFrame:
    """Section 6: four-hour performance of each trust's major (type 1) A&E, April 2018 to March 2019.

    The same table as the notebook builds: one row per trust with ``org_code``, ``attendances``,
    ``breaches`` (over 4 hours) and ``within_4h`` (attendances - breaches), summed over the year.

    Examples
    --------
    >>> ae_trusts().shape
    (137, 4)
    """
    from ..datasets import ae_attendances

    ae = ae_attendances()
    year = ae[(ae["type"] == "1") & (ae["period"] >= "2018-04-01")]
    trusts = year.groupby("org_code", as_index=False)[["attendances", "breaches"]].sum()
    trusts["within_4h"] = trusts["attendances"] - trusts["breaches"]
    return trusts


def _widened():
    """The trusts' funnel, plain and widened for over-dispersion (as in the notebook)."""
    from ..stats.funnel import funnel

    trusts = ae_trusts()
    kw = dict(unit="org_code", y="within_4h", n="attendances", multiply=100)
    return funnel(trusts, **kw), funnel(trusts, overdispersion="additive", **kw)


_PHI_READING = {
    "a": "φ is the average squared z-score, about 1 when trusts differ by chance alone. In the thousands, it "
         "says the trusts differ far more than chance allows: most of the difference between them is real "
         "(case mix, how each department works, how it records its data).",
    "b": "Nothing here says the data are wrong. With tens of thousands of attendances a year chance hardly moves a "
         "trust's percentage, so real differences between trusts dominate: that is what a large φ measures.",
    "c": "Outside the plain funnel is almost every trust, better and worse alike, so it cannot mean 'performing "
         "badly'. A large φ says trusts really differ; the widened funnel then asks which differ even allowing "
         "for that, and a trust outside it is a question to ask, not a verdict.",
}


def check_widened(answers) -> Verdict:
    """Exercise 4: reading the funnel widened for over-dispersion.

    ``answers[1]``: how many trusts lie outside the widened 3-sigma funnel (a whole number).
    ``answers[2]``: what phi says about the trusts (a, b or c).

    Examples
    --------
    >>> check_widened({1: ..., 2: ...}).status
    'not answered'
    """
    if not isinstance(answers, Mapping):
        if is_blank(answers):
            return not_answered("Fill in the dictionary, e.g. {1: 5, 2: \"b\"}, then run the cell again.")
        return wrong("Give your answers as a dictionary, e.g. {1: 5, 2: \"b\"}: 1 is a number, 2 a letter.")
    count = answers.get(1, answers.get("1"))
    reading = answers.get(2, answers.get("2"))
    if is_blank(count) and is_blank(reading):
        return not_answered("Replace each ... (1: a number of trusts, 2: a letter), then run the cell again.")
    plain, wide = _widened()
    truth = len(wide.outside)
    names = ", ".join(wide.outside["unit"].astype(str))
    lines, good = [], 0
    if isinstance(count, str):  # "3" typed in quotes is still the number 3
        try:
            count = float(count.strip())
        except ValueError:
            pass
    if is_blank(count):
        lines.append("1. not answered yet")
    elif isinstance(count, bool) or not isinstance(count, int | float | np.integer | np.floating) \
            or not np.isfinite(float(count)):
        lines.append("1. ✘ Give the number of trusts as a number, e.g. 5 (no quotes).")
    elif float(count) == truth:
        good += 1
        sides = sorted(set(wide.outside["beyond_3s"]))
        lines.append(f"1. ✔ {truth} trusts ({names}) lie {' and '.join(sides)} the widened 3-sigma funnel: "
                     "they differ even allowing for the real spread between trusts.")
    elif float(count) == len(plain.outside):
        lines.append(f"1. ✘ {len(plain.outside)} is the count outside the plain funnel (compare.outside). "
                     "Count the trusts outside the widened one: widened.outside.")
    elif float(count) == len(wide.outside_2s):
        lines.append(f"1. ✘ {len(wide.outside_2s)} counts every trust beyond the inner, 2-sigma funnel. The "
                     "question asks about the 3-sigma funnel: widened.outside, or beyond_3s in widened.data.")
    else:
        lines.append("1. ✘ Not yet. len(widened.outside) counts the trusts beyond the widened 3-sigma funnel.")
    verdict = choice(reading, "a", _PHI_READING, texts=OPTIONS["nb06.check_widened"][0])
    if verdict.status == "not answered":
        lines.append("2. not answered yet")
    else:
        good += verdict.correct
        lines.append(f"2. {'✔' if verdict.correct else '✘'} {verdict.message}")
    if good == 2:
        return right("2 of 2 right.", lines)
    return (partly if good else wrong)(f"{good} of 2 right.", lines)


_QUESTIONS = {
    1: ("c", {"a": "A c chart assumes the same area of opportunity for every point.",
              "b": "A p chart is for proportions of patients (yes/no for each), not counts of events.",
              "c": "Events per bed-day with bed-days that vary: a u chart."}),
    2: ("a", {"a": "With huge denominators the p chart's limits become very narrow and nearly every point "
                   "signals; Laney's p′ widens them by the variation between points.",
              "b": "The p′ chart changes the limits, not the data: the points are the same.",
              "c": "Small denominators give wide limits, which is not the p′ chart's problem."}),
    3: ("b", {"a": "Ranking units in a league table makes someone last, whether or not the difference is real.",
              "b": "A funnel plot shows each unit against limits that narrow as its size grows, so small units "
                   "are not judged on chance alone.",
              "c": "A funnel plot compares units at one time, not one unit over time (that is a control chart)."}),
}


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 06: three multiple-choice questions."""
    return quiz(answers, _QUESTIONS, texts=OPTIONS["nb06.self_check"])
