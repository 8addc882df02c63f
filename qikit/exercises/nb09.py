"""Checks for notebook 09, *Sustain and spread*.

Sources: Maher, Gustafson & Evans, *NHS Sustainability Model and Guide* (NHS Institute for Innovation and
Improvement, 2007/2010); Bass, *Management Science* 1969;15:215-227; Rogers, *Diffusion of Innovations*,
5th ed., 2003; Greenhalgh & Papoutsi, *BMJ* 2019;365:l2068.

Examples
--------
>>> from qikit.exercises import nb09
>>> nb09.check_lever("b").correct
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ._feedback import Verdict, choice, is_blank, not_answered, partly, right, self_check_quiz, wrong
from ._options import OPTIONS
from .spec import normalise, read_number

__all__ = ["draw_adoption", "describe_adoption", "check_priorities", "check_peak", "check_lever", "self_check"]


# --- prepared helpers for section 4: the Bass curve as two charts, and the same in words ------------------
def draw_adoption(curve):
    """Two charts of a :func:`qikit.spread.bass` curve: new adopters each period (bars) and the cumulative
    number of adopters (the S-curve). Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt

    fig, (bars, line) = plt.subplots(1, 2, figsize=(10, 3.5))
    bars.bar(curve["period"], curve["new"], color="#0072B2")
    bars.set(title="New wards adopting each month", xlabel="month", ylabel="wards")
    total = float(curve["cumulative"].iloc[-1] / curve["fraction"].iloc[-1]) if curve["fraction"].iloc[-1] else 1
    line.plot(curve["period"], curve["cumulative"], marker="o", color="#D55E00")
    line.set(title="Wards that have adopted (S-curve)", xlabel="month", ylabel="wards", ylim=(0, total + 1))
    fig.tight_layout()
    return fig


def describe_adoption(curve) -> str:
    """The two charts of :func:`draw_adoption` in words (their alt text): the peak month of new adopters,
    the month half have adopted, and how many have adopted by the end.

    Examples
    --------
    >>> import qikit
    >>> print(describe_adoption(qikit.spread.bass(p=0.01, q=0.5, m=40, periods=24)))  # doctest: +ELLIPSIS
    Two charts over 24 months. Left: new adopters per month, rising to a peak of ... wards in month ...
    """
    peak = curve.loc[curve["new"].idxmax()]
    half = curve.loc[curve["fraction"] >= 0.5, "period"].min()
    half_text = f"passing half of the wards in month {int(half)}" if half == half else "not reaching half of the wards"
    return (f"Two charts over {len(curve)} months. Left: new adopters per month, rising to a peak of "
            f"{peak['new']:.1f} wards in month {int(peak['period'])}, then falling. Right: the cumulative "
            f"number of adopters, an S-shaped curve {half_text} and "
            f"reaching {curve['cumulative'].iloc[-1]:.0f} by the end.")


def check_priorities(answer, assessment) -> Verdict:
    """Exercise 1: the two factors of the NHS Sustainability Model the team should work on first.

    The right answer is the two factors with the lowest mean rating (normalised per factor), as listed first
    by ``assessment.summary()``. Factor keys (``"infrastructure"``) or full names are accepted.

    Examples
    --------
    >>> from qikit import SustainabilityAssessment
    >>> sa = SustainabilityAssessment("Test")
    >>> keys = ["benefits", "credibility", "adaptability", "monitoring", "involvement", "behaviours",
    ...         "senior_leadership", "clinical_leadership", "fit", "infrastructure"]
    >>> sa.add("A", {k: (1 if k in ("fit", "monitoring") else 3) for k in keys})
    >>> check_priorities(["fit", "monitoring"], sa).correct
    True
    """
    if is_blank(answer):
        return not_answered("Replace the ... with a list of two factor keys, e.g. [\"benefits\", \"fit\"].")
    if isinstance(answer, str) or not isinstance(answer, Sequence):
        return wrong("Give a list of two factor keys in square brackets, e.g. [\"benefits\", \"fit\"].")
    table = assessment.summary()
    lookup = {}
    for row in table.itertuples():
        lookup[normalise(row.key)] = row.key
        lookup[normalise(row.factor)] = row.key
    given, unknown = [], []
    for item in answer:
        key = lookup.get(normalise(item))
        (given.append(key) if key else unknown.append(item))
    if unknown:
        return wrong(f"{', '.join(repr(u) for u in unknown)} {'is' if len(unknown) == 1 else 'are'} not a factor "
                     f"key. Use the 'key' column of the summary: {', '.join(table['key'])}.")
    if len(set(given)) != 2:
        return wrong(f"Name exactly two different factors (you named {len(set(given))}).")
    weakest = table["key"].head(2).tolist()
    means = dict(zip(table["key"], table["mean"], strict=True))
    if set(given) == set(weakest):
        return right(f"{weakest[0]} (mean {means[weakest[0]]:.1f}) and {weakest[1]} (mean {means[weakest[1]]:.1f}) "
                     "are the weakest: plan how to strengthen them before the project team moves on.")
    extra = [g for g in given if g not in weakest]
    notes = []
    divided = set(table.loc[table["divided"], "key"])
    for key in extra:
        if key in divided:
            notes.append(f"- {key}: opinion is divided (worth a conversation), but its mean ({means[key]:.1f}) is "
                         "not among the two lowest.")
        else:
            notes.append(f"- {key}: mean {means[key]:.1f}, not among the two lowest.")
    verdict = partly if len(extra) == 1 else wrong
    return verdict("Read the summary from the top: it lists the weakest factors first.", notes)


def check_peak(answer, p: float = 0.01, q: float = 0.3, m: float = 40, periods: int = 24) -> Verdict:
    """Exercise 2: the month in which most wards adopt when peer influence is weaker (q = 0.3, not 0.5).

    The expected answer is read from :func:`qikit.spread.bass` (the period with the most new adopters);
    the month either side is partly right, since the continuous peak falls between months.

    Examples
    --------
    >>> check_peak(11).correct   # t* = ln(q/p)/(p+q) = ln(30)/0.31 = 11.0
    True
    >>> print(check_peak(8))     # the worked example's peak (q = 0.5): t* = ln(50)/0.51 = 7.7
    ✘ Not yet. Month 8 is the peak of the worked example, where q = 0.5. Change q to 0.3 in the cell, run it again and read the new peak.
    """
    from ..improve.spread import bass

    if is_blank(answer):
        return not_answered()
    number, _ = read_number(re.sub(r"^\s*month\s*", "", answer, flags=re.I) if isinstance(answer, str) else answer)
    if number is None:
        return wrong(f"Give the month as a number, e.g. 5, not {answer!r}.")
    answer = int(number) if float(number).is_integer() else number
    curve = bass(p=p, q=q, m=m, periods=periods)
    peak = int(curve.loc[curve["new"].idxmax(), "period"])
    example = bass(p=p, q=0.5, m=m, periods=periods)
    example_peak = int(example.loc[example["new"].idxmax(), "period"])
    if q != 0.5 and answer == example_peak and answer != peak:
        return wrong(f"Month {example_peak} is the peak of the worked example, where q = 0.5. Change q to {q:g} in "
                     "the cell, run it again and read the new peak.")
    half = int(np.argmax(curve["fraction"].to_numpy() >= 0.5)) + 1
    if answer == peak:
        return right(f"Month {peak}: with weaker peer influence the S-curve is flatter and its peak comes later. "
                     f"Adoption is fastest when about half the wards have adopted (by month {half}): then there are "
                     "many adopters to imitate and many wards still to win over.")
    if abs(answer - peak) == 1:
        return partly(f"Close: the most wards adopt in month {peak}. Read the tallest bar of new adopters.")
    if answer == periods:
        return wrong("That is the end of the simulation, not the peak. Look for the tallest bar of new adopters "
                     "per month.")
    return wrong(f"In month {answer:g} the number of new adopters is not at its highest. Find the tallest bar of "
                 "'new' (or the steepest part of the S-curve).")


_LEVER = {
    "a": "A national mandate pushes from outside: that is p, the coefficient of innovation. It starts spread but "
         "does not by itself make peers copy each other.",
    "b": "Peers seeing a respected ward's results and talking to its staff is imitation: it raises q, and the "
         "S-curve gets steeper.",
    "c": "A longer project timeline changes neither p nor q; it only shows more of the same curve.",
}


def check_lever(answer) -> Verdict:
    """Exercise 3: which action raises q, the pull of peers (options a, b, c)."""
    return choice(answer, "b", _LEVER, texts=OPTIONS["nb09.check_lever"][0])


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 09: three multiple-choice questions."""
    return self_check_quiz("nb09", answers)
