"""Checks for notebook 06, *Choosing and reading control charts*: which chart, a p chart's limits,
reading a funnel plot, and reading a funnel widened for over-dispersion.

Sources: Provost LP, Murray SK, *The Health Care Data Guide*, Jossey-Bass, 2011, ch. 5-8 (the choice of
chart; p chart limits p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n); g and t charts for rare events); Laney DB,
Improved control charts for attributes, *Quality Engineering* 2002;14(4):531-537 (p' and u' charts);
Montgomery DC, *Introduction to Statistical Quality Control*, 7th ed., Wiley, 2013, ch. 5-6 (trial limits from
20-25 subgroups; the false-alarm rate of 3-sigma limits, 0.0027 per point, and how sensitising rules raise it);
Champ CW, Woodall WH, Exact results for Shewhart control charts with supplementary runs rules, *Technometrics*
1987;29(4):393-399 (the Western Electric rules together: about one false alarm in 92 points);
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

import functools
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._feedback import (
    PARTLY,
    Verdict,
    choice,
    is_blank,
    not_answered,
    partly,
    right,
    self_check_quiz,
    wrong,
)
from ._options import OPTIONS
from .spec import Choice, Fields, Item, Items, Miss, Number, Option, Vocabulary

__all__ = ["SCENARIOS", "check_charts", "exercise_week", "check_p_limit", "limit_spread", "check_trial_limits",
           "false_alarm_one_in", "check_false_alarm", "false_alarm_rates", "check_more_rules", "hospital_wards",
           "check_funnel", "ae_trusts", "check_widened", "self_check"]

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
# Other answers a fair tutor accepts, with why (this notebook itself teaches them): a g chart counts the
# opportunities between events, "cases (or days)"; the A&E percentages are charted with XmR in 06, 08
# and assignment 5, as Making Data Count does; a u chart of counts with a constant area is a c chart.
_ALSO_RIGHT = {
    (4, "g"): "a g chart also works for days between events (06 draws one for days between pressure ulcers); the "
              "t chart is the usual choice for time, and copes with gaps of part of a day.",
    (3, "u"): "a u chart works too: with the same area of opportunity every month it draws the same picture as a "
              "c chart, which is the simpler choice.",
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
    (5, "t"): "The gap here is counted in operations (cases), which is a g chart; the t chart measures time.",
    (6, "p"): "With about 10,000 patients a month the p chart's limits are far too narrow (over-dispersion): "
              "nearly every month signals. Use Laney's p′ chart.",
}


#: Exercise 1 as data: the chart a fair tutor expects for each measure, what else they accept and why, and
#: the mistakes they would diagnose.
CHARTS = Items(
    [Item(SCENARIOS[n], _CHARTS[n], _WHY[n],
          mistakes={k: v for (m, k), v in _MISTAKES.items() if m == n},
          also={k: v for (m, k), v in _ALSO_RIGHT.items() if m == n}) for n in SCENARIOS],
    Vocabulary({"p": "p chart", "u": "u chart", "c": "c chart", "t": "t chart", "g": "g chart",
                "pp": "Laney p′ chart", "up": "Laney u′ chart", "i": "XmR (i) chart", "mr": "moving range chart",
                "run": "run chart", "xbar": "Xbar chart", "s": "S chart"},
               words=_ALIASES, strip=("chart",)),
    example="chart type",
    done="",
    partial="",
    otherwise="The measure calls for {why}",
    name_first=False,
    unknown="{given!r} is not a chart type (p, u, c, g, t, Laney p′ or u′, XmR, run, Xbar, S).",
    blank="Replace each ... with a chart type in quotes (\"p\", \"u\", ...), then run the cell again.",
    wrong_form="Give your answers as a dictionary from measure number to chart, as in the cell: {1: ..., 2: ..., "
               "...} with a chart type in quotes for each measure.",
)


def check_charts(answer) -> Verdict:
    """Exercise 1: the chart type for each measure in :data:`SCENARIOS` (``"p"``, ``"u"``, ``"c"``, ``"g"``,
    ``"t"``, ``"pp"`` for Laney p′ ...).

    Examples
    --------
    >>> check_charts({1: "p", 2: "u", 3: "c", 4: "t", 5: "g", 6: "pp"}).correct
    True
    """
    return CHARTS.check(answer)


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
    w = exercise_week()
    p, n = w["p_bar"], w["n"]
    se = math.sqrt(p * (1 - p) / n)
    truth = 100 * (p + 3 * se)
    square_root = "Check the square root: sigma for a proportion is sqrt(p x (1 - p) / n), with n inside the root."
    spec = Number(truth, f"{truth:.1f}%: the baseline {100 * p:.1f}% plus 3 x sqrt(p(1 - p) / n) = 3 x "
                  f"{100 * se:.2f} percentage points. With only 25 patients a week, a week anywhere between the "
                  "limits is ordinary variation.", tol=0.5, percent=True,
                  misses=[Miss(100 * (p + 2 * se), "That is the 2-sigma line. Control limits sit at 3 sigma: p-bar + "
                               "3 x sqrt(p(1 - p) / n)."),
                          Miss(100 * (p + 3 * p * (1 - p) / n), square_root),
                          Miss(100 * (p + 3 * math.sqrt(p * (1 - p))), square_root),
                          Miss(100 * 3 * se, "That is the distance from the centre line to the limit: add p-bar.")],
                  hint=f"Not yet. Use the baseline proportion p-bar = {p:.4f} and n = {n}: "
                       "100 x (p-bar + 3 x sqrt(p-bar x (1 - p-bar) / n)).")
    verdict = spec.check(answer)
    if verdict.status == "partly right":  # a proportion for the percentage
        return partly(f"Right number, wrong scale: {spec.mark(answer).line.split(' is the')[0]} is a proportion. "
                      f"Give it in per cent ({truth:.1f}).")
    if verdict.status == "not answered":
        return not_answered("Replace the ... with your upper limit in per cent (a number), then run the cell again.")
    return verdict


# ------------------------------------------------------------------------- how far to trust the limits
#: Exercises 2b-2d's numbers come from these simulations, run exactly as the notebook's cells run them.
SIM_SEED = 2011


def limit_spread(points=(5, 10, 20, 25, 50), processes: int = 5000, seed: int = SIM_SEED) -> pd.DataFrame:
    """Section 3: how much an XmR chart's upper limit varies when it is worked out from few points.

    ``processes`` stable processes (mean 100, standard deviation 10, so the true upper limit is 130) are each
    charted from their first k points; the table gives, for each k, the range in which the middle 90% of the
    upper limits fall. Notebook 06 runs the same numpy code in view.

    Examples
    --------
    >>> table = limit_spread(points=(5, 50), processes=2000)
    >>> bool(table.loc[5, "width"] > table.loc[50, "width"])
    True
    """
    rng = np.random.default_rng(seed)
    values = 100 + 10 * rng.standard_normal((processes, max(points)))
    rows = {}
    for k in points:
        first = values[:, :k]
        ucl = first.mean(axis=1) + 2.66 * np.abs(np.diff(first, axis=1)).mean(axis=1)
        low, high = np.percentile(ucl, [5, 95])
        rows[k] = {"low": low, "high": high, "width": high - low}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("points")


_ABOUT_WORDS = {"at", "least", "about", "around", "roughly", "approximately", "or", "more", "to", "points", "point",
                "weeks", "subgroups", "values", "and", "over", "minimum", "of", "a", "between", "than"}


def _range_to_number(value):
    """A count typed in words for "about how many": "20-25", "20 to 25 points" -> 22.5; "at least 20",
    "20+", "20 or more" -> 20; anything else unchanged."""
    if isinstance(value, str):
        numbers = re.findall(r"\d+(?:\.\d+)?", value)
        words = re.findall(r"[a-z]+", value.lower())
        if "," not in value and 1 <= len(numbers) <= 2 and set(words) <= _ABOUT_WORDS:
            return sum(float(n) for n in numbers) / len(numbers)
    return value


_TRIAL_TEXTS = OPTIONS["nb06.check_trial_limits"][0]
_TRIAL_ACTION = Choice({
    "a": Option(_TRIAL_TEXTS["a"],
                "Limits from 10 points are trial limits: good enough to spot a large signal, rough enough to "
                "recalculate as each week arrives. Once 20 to 25 points have set them, fix (freeze) them and judge "
                "new points against them.", words=("trial limits", "trial")),
    "b": Option(_TRIAL_TEXTS["b"],
                "Waiting wastes 15 weeks of learning: a chart with trial limits already shows large signals, and "
                "a run chart needs no limits at all."),
    "c": Option(_TRIAL_TEXTS["c"],
                "Limits from 10 points are rough (see the table): fixed now, they may be far too wide or too "
                "narrow for the whole project."),
}, correct="a")

_TRIAL = Fields({
    "points": Number(22.5, "Provost and Murray advise 20 to 25 points (subgroups) before the limits are treated as "
                     "firm; limits from fewer are trial limits.", tol=2.5,
                     misses=[Miss(12, "12 is the fewest points for a first chart (qikit calls limits from fewer "
                                  "'provisional'); limits stay trial limits until about 20 to 25 points.", tol=0.5),
                             Miss(30, "More points do make better limits, but the common advice is 20 to 25: "
                                  "beyond that they firm up only slowly (see the table).", tol=5, status=PARTLY)],
                     hint="Not yet: the advice is in the text above the table (a number, or a range such as "
                          "20-25)."),
    "action": _TRIAL_ACTION,
}, example='{"points": ..., "action": ...} with a number and a letter (a, b or c)',
   partial=" Read the table again: how far apart are the limits from 10 points and from 25?")


def check_trial_limits(answer) -> Verdict:
    """Exercise 2b: how many points set firm limits, and what to do with limits from 10 weeks.

    ``answer["points"]``: a number (or a range such as ``"20-25"``); ``answer["action"]``: a, b or c.

    Examples
    --------
    >>> check_trial_limits({"points": "20-25", "action": "a"}).correct
    True
    """
    if isinstance(answer, Mapping) and "points" in answer:
        answer = {**answer, "points": _range_to_number(answer["points"])}
    return _TRIAL.check(answer)


def false_alarm_one_in() -> float:
    """One point in how many of a stable, normally distributed process falls beyond 3-sigma limits by chance:
    1 / P(|Z| > 3) = 1 / erfc(3 / sqrt 2), about 370.

    Examples
    --------
    >>> round(false_alarm_one_in())
    370
    """
    return 1 / math.erfc(3 / math.sqrt(2))


def _any_of(points: int) -> float:
    """Per cent chance that at least one of ``points`` points of a stable process lies beyond 3 sigma."""
    return 100 * (1 - (1 - 1 / false_alarm_one_in()) ** points)


def check_false_alarm(answer) -> Verdict:
    """Exercise 2c: the false-alarm rate of 3-sigma limits, per point and over ward 7's 36 months.

    ``answer["one_in"]``: one point in how many lies beyond the limits by chance (about 370);
    ``answer["in_36"]``: the per cent chance that at least one of 36 points does (about 9.3).

    Examples
    --------
    >>> check_false_alarm({"one_in": 370, "in_36": 9.3}).correct
    True
    """
    if isinstance(answer, Mapping) and isinstance(answer.get("one_in"), str):  # "1 in 370" is 370
        match = re.fullmatch(r"\s*(?:1|one)\s+in\s+([\d,.]+)\s*", answer["one_in"], re.I)
        if match:
            answer = {**answer, "one_in": match.group(1)}
    p = 1 / false_alarm_one_in()
    in_36 = _any_of(36)
    spec = Fields({
        "one_in": Number(false_alarm_one_in(), f"About 1 in {false_alarm_one_in():.0f}: 0.27% of the points of a "
                         "stable process lie beyond 3-sigma limits, half above and half below.", rel=0.02,
                         misses=[Miss(100 * p, f"{100 * p:.2f}% is the chance for one point; the question asks "
                                      "'one point in how many': 1 / 0.0027.", tol=0.01, status=PARTLY),
                                 Miss(p, f"{p:.4f} is the chance for one point; the question asks 'one point in "
                                      "how many': 1 / 0.0027.", tol=0.0002, status=PARTLY),
                                 Miss(1 / math.erfc(2 / math.sqrt(2)), "That is for 2-sigma lines (about 1 point in "
                                      "22): control limits sit at 3 sigma.", tol=1),
                                 Miss(2 / math.erfc(3 / math.sqrt(2)), "That counts one side only (above the upper "
                                      "limit): a point below the lower limit is a signal too.", tol=10)],
                         hint="Not yet: use the chance per point printed above, p = 0.0027, and work out 1 / p."),
        "in_36": Number(in_36, f"About {in_36:.0f}%: 1 - (1 - {p:.4f})^36 = {in_36 / 100:.3f}. One point beyond the "
                        "limits in three years of a stable process is not rare, so a lone point like September "
                        "2022 is worth a question, not a verdict.", tol=0.6, percent=True,
                        misses=[Miss(100 * p, "That is the chance for one point; over 36 points the chance that "
                                     "at least one of them is beyond the limits is much larger.", tol=0.01),
                                Miss(_any_of(25), "That is for 25 points; ward 7's chart has 36.", tol=0.3)],
                        hint="Not yet: the chance that none of 36 points is beyond the limits is (1 - p)^36; "
                             "the chance of at least one is 1 minus that, times 100 for a percentage."),
    }, example='{"one_in": ..., "in_36": ...} with two numbers')
    return spec.check(answer)


#: The rule sets compared in section 3, each adding one Western Electric rule to the one before.
RULES_ADDED = {"beyond 3 sigma": ("weco_1",), "+ 2 of 3 beyond 2 sigma": ("weco_1", "weco_2"),
               "+ 4 of 5 beyond 1 sigma": ("weco_1", "weco_2", "weco_3"),
               "+ 8 in a row on one side": ("weco_1", "weco_2", "weco_3", "weco_4")}


@functools.lru_cache(maxsize=4)
def false_alarm_rates(charts: int = 2000, points: int = 25, seed: int = SIM_SEED) -> pd.Series:
    """Section 3: the per cent of stable charts of ``points`` points with at least one false alarm, for each
    rule set of :data:`RULES_ADDED` (standard normal data, limits known). Notebook 06 runs the same code.

    Examples
    --------
    >>> rates = false_alarm_rates(charts=200)
    >>> bool(rates.is_monotonic_increasing)
    True
    """
    from ..stats import rules

    z = np.random.default_rng(seed).standard_normal((charts, points))
    every_rule = RULES_ADDED[list(RULES_ADDED)[-1]]
    fired = np.array([[getattr(rules, rule)(chart).any() for chart in z] for rule in every_rule])
    rates = 100 * np.logical_or.accumulate(fired).mean(axis=1)  # each set adds one rule to the one before
    return pd.Series(dict(zip(RULES_ADDED, rates, strict=True)), name="% of stable charts with a false alarm")


_MORE_TEXTS = OPTIONS["nb06.check_more_rules"][0]
_WHY_MORE = Choice({
    "a": Option(_MORE_TEXTS["a"],
                "Each rule has its own small chance of firing on a stable process, and the chances add up: the "
                "more rules, the more false alarms. Choose one rule set before you look at the data, and keep to "
                "it.", words=("more noise",)),
    "b": Option(_MORE_TEXTS["b"],
                "The limits stay at 3 sigma whatever rules you add; the extra rules look for patterns inside them."),
    "c": Option(_MORE_TEXTS["c"],
                "Every chart in the simulation is a stable process: every alarm in the table is false."),
}, correct="a")


def check_more_rules(answer) -> Verdict:
    """Exercise 2d: the false-alarm rate with all four Western Electric rules, read from the notebook's table,
    and why adding rules raises it.

    ``answer["all_four"]``: the per cent of stable 25-point charts with at least one false alarm under all four
    rules; ``answer["why"]``: a, b or c.

    Examples
    --------
    >>> check_more_rules({"all_four": ..., "why": ...}).status
    'not answered'
    """
    if is_blank(answer) or (isinstance(answer, Mapping) and all(is_blank(v) for v in answer.values())):
        return not_answered('Fill in {"all_four": ..., "why": ...} with a percentage and a letter (a, b or c), '
                            'then run the cell again.')
    rates = false_alarm_rates()
    names = list(RULES_ADDED)
    spec = Fields({
        "all_four": Number(rates[names[-1]], f"About {rates[names[-1]]:.0f}% of stable 25-point charts raise at "
                           f"least one false alarm under all four rules, against {rates[names[0]]:.0f}% with the "
                           "3-sigma rule alone.", tol=1.0, percent=True,
                           misses=[Miss(rates[names[0]], "That is the row for the 3-sigma rule alone; the question "
                                        "asks about all four rules (the last row).", tol=0.3),
                                   Miss(_any_of(25), "That is the 3-sigma rule alone, worked out exactly; the "
                                        "question asks about all four rules (the last row of the table).", tol=0.3)],
                           hint="Not yet: read the last row of the table (all four rules)."),
        "why": _WHY_MORE,
    }, example='{"all_four": ..., "why": ...} with a percentage and a letter (a, b or c)')
    return spec.check(answer)


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


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 06: three multiple-choice questions."""
    return self_check_quiz("nb06", answers)
