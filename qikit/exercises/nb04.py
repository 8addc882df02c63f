"""Checks (and the teaching data) for notebook 04, *Measurement for improvement: run charts*.

Sources: Perla RJ, Provost LP, Murray SK, The run chart: a simple analytical tool for learning from
variation in healthcare processes, *BMJ Qual Saf* 2011;20:46-51 (medians, runs, the IHI rules, and why a
before-and-after comparison hides what a run chart shows); Anhøj J, Olesen AV, Run charts revisited,
*PLoS One* 2014;9(11):e113825 (the longest-run and crossings rules).

Examples
--------
>>> from qikit.exercises import nb04
>>> nb04.check_which_ward(...).status
'not answered'
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._feedback import PARTLY, Verdict, is_blank, not_answered, partly, right, self_check_quiz, wrong
from ._options import OPTIONS
from .spec import Choice, Fields, Miss, Number, Option, read_number

__all__ = ["three_wards", "check_which_ward", "exercise_weeks", "check_runs", "ecg_times", "check_rules",
           "self_check"]

#: The week each of the three wards started its change (week 25 of 48).
CHANGE_WEEK = pd.Timestamp("2023-06-19")
_START = pd.Timestamp("2023-01-02")


def three_wards() -> pd.DataFrame:
    """Section 1: weekly % of discharges before noon on three wards, 24 weeks before and 24 after each
    ward started the same change (week of 19 June 2023).

    The three series are built so that each ward's mean before the change and mean after it are the same
    (16% and 26%): a before-and-after bar chart cannot tell them apart. Over time they differ: on Ward 3
    the rise had begun long before the change, on Ward 5 it starts with the change and holds, on Ward 8 it
    jumps at the change and fades. The noise is fixed (seeded), so every trainee sees the same charts.

    Returns
    -------
    DataFrame
        ``week`` (Monday), ``ward``, ``period`` ("before" or "after") and ``pct_before_noon``.

    Examples
    --------
    >>> df = three_wards()
    >>> df.groupby(["ward", "period"])["pct_before_noon"].mean().round(1).unique().tolist()
    [26.0, 16.0]
    """
    weeks = pd.date_range(_START, periods=48, freq="W-MON")
    t = np.arange(48)
    after = t >= 24
    noise = np.random.default_rng(404).normal(0.0, 1.6, size=(3, 48))
    shapes = {
        "Ward 3": 9.0 + 0.45 * t,                                     # already rising before the change
        "Ward 5": np.where(after, 26.0, 16.0),                        # a step at the change, sustained
        "Ward 8": np.where(after, 16.0 + 22.0 * np.exp(-(t - 24) / 7.0), 16.0),  # a jump that fades
    }
    frames = []
    for (ward, shape), e in zip(shapes.items(), noise, strict=True):
        y = shape + e
        # shift each half so its mean is exactly 16 (before) and 26 (after): identical bar charts
        y = np.where(after, y - y[after].mean() + 26.0, y - y[~after].mean() + 16.0)
        frames.append(pd.DataFrame({"week": weeks, "ward": ward, "period": np.where(after, "after", "before"),
                                    "pct_before_noon": y.round(1)}))
    return pd.concat(frames, ignore_index=True)


_WHICH = {
    "a": "Ward 3 was already improving, week after week, long before the change: the rise would have "
         "happened anyway, so the change cannot take the credit (a before-and-after comparison hides this).",
    "b": "On Ward 5 the line steps up in the week of the change and stays up: a shift that starts with the "
         "change and holds is the evidence a run chart gives that the change made the difference.",
    "c": "Ward 8 jumped at the change but drifted back to where it started: the effect did not last (perhaps "
         "a burst of enthusiasm), and the 'after' average hides the fade.",
}


def check_which_ward(answer) -> Verdict:
    """Exercise 1: on which ward did the change itself bring a lasting improvement? (a, b or c)

    Examples
    --------
    >>> check_which_ward("b").correct
    True
    """
    texts = OPTIONS["nb04.check_which_ward"][0]
    # a ward named by its number alone ("5", "ward five") is a fair answer: the wards' numbers are unique
    words = {"a": ("3", "three", "ward three"), "b": ("5", "five", "ward five"), "c": ("8", "eight", "ward eight")}
    return Choice({k: Option(texts[k], why, words[k]) for k, why in _WHICH.items()}, "b").check(answer)


def exercise_weeks() -> pd.DataFrame:
    """Exercise 2: the first 20 weeks of ward 12's % of discharges before noon (from
    ``qikit.datasets.discharge_before_noon()``), with ``week`` and ``pct_before_noon`` rounded to 1 place.

    Examples
    --------
    >>> exercise_weeks().shape
    (20, 2)
    """
    from ..datasets import discharge_before_noon

    df = discharge_before_noon()
    ward = df[df["ward"] == "Ward 12"].sort_values("week").head(20)
    return ward[["week", "pct_before_noon"]].assign(pct_before_noon=lambda d: d["pct_before_noon"].round(1)) \
        .reset_index(drop=True)


def _runs_truth(values: np.ndarray) -> dict:
    """Median, longest run and crossings of a series, counted as Anhøj and Perla et al. do: points on the
    median are skipped (they neither break nor extend a run)."""
    median = float(np.median(values))
    side = np.sign(values - median)
    useful = side[side != 0]
    changes = np.flatnonzero(np.diff(useful) != 0)
    bounds = np.r_[-1, changes, len(useful) - 1]
    return {"median": median, "longest_run": int(np.diff(bounds).max()), "crossings": len(changes),
            "mean": float(values.mean()), "useful": len(useful)}


def _as_number(value):
    return read_number(value)[0]


@functools.cache
def _runs_check() -> Fields:
    """Exercise 2 as data: the three numbers counted from the data, with the mistakes a tutor would name."""
    t = _runs_truth(exercise_weeks()["pct_before_noon"].to_numpy())
    median = t["median"]
    rounded = ("{value:g} is the median rounded. With 20 values the median is halfway between the 10th and "
               f"11th, exactly {median:g}: keep the second decimal, since a week on the median neither extends nor "
               "breaks a run.")
    return Fields({
        "median": Number(
            median, f"median {median:g}: half the weeks lie above it, half below.", tol=0.005,
            # rounded to the data's one decimal place (the mean may be as close, so it cannot be told apart)
            misses=[Miss(math.floor(median * 10) / 10, rounded, tol=1e-9, status=PARTLY),
                    Miss(math.ceil(median * 10) / 10, rounded, tol=1e-9, status=PARTLY),
                    Miss(t["mean"], "{value:g} is the mean (the average). A run chart uses the median, the middle "
                         "value when the 20 weeks are sorted: with 20 values, halfway between the 10th and 11th.",
                         tol=0.051)],
            hint="{value:g} is not the middle value. Sort the 20 percentages; the median is halfway between the "
                 "10th and 11th."),
        "longest_run": Number(
            t["longest_run"], f"longest run {t['longest_run']}: the most weeks in a row on one side of the median.",
            misses=[Miss(t["longest_run"] + 1, "{value:g} is one too many. Did you count a week that lies exactly "
                         "on the median? Such weeks are skipped: they neither extend nor break a run.")],
            hint="{value:g} is not right. A run is a sequence of weeks on the same side of the median; it ends "
                 "when the line crosses the median."),
        "crossings": Number(
            t["crossings"], f"{t['crossings']} crossings: the number of times the line goes from one side of the "
                            "median to the other.",
            misses=[Miss(t["crossings"] + 1, "{value:g} is the number of runs. The number of crossings is one less "
                         "than the number of runs.")],
            hint="{value:g} is not right. Count each time the line passes from one side of the median to the "
                 "other, ignoring weeks on the median."),
    }, example='the three numbers in the dictionary {"median": ..., "longest_run": ..., "crossings": ...}')


def check_runs(answer) -> Verdict:
    """Exercise 2: the median, the longest run and the number of crossings of :func:`exercise_weeks`.

    ``answer`` is a dict ``{"median": ..., "longest_run": ..., "crossings": ...}``.

    Examples
    --------
    >>> check_runs({"median": ..., "longest_run": ..., "crossings": ...}).status
    'not answered'
    """
    return _runs_check().check(answer)


def ecg_times() -> pd.DataFrame:
    """Exercise 3: 24 weeks of the median minutes from arrival to first ECG for chest pain in one ED.

    The process did not change at all: the values come from ``qikit.simulate.common_cause`` (mean 20,
    standard deviation 4, seed 9), so any signal is a false alarm.

    Examples
    --------
    >>> ecg_times().columns.tolist()
    ['week', 'minutes']
    """
    from ..simulate import common_cause

    sim = common_cause(n=24, mean=20.0, sd=4.0, start="2024-01-01", freq="W-MON", seed=9)
    return pd.DataFrame({"week": sim["date"], "minutes": sim["value"].round(1)})


_FLAGS = {"true": True, "yes": True, "y": True, "signal": True, "false": False, "no": False, "n": False,
          "no signal": False}


def _flag(value):
    """True/False as typed: the booleans themselves, or the words "True", "yes", "no", ... in any case."""
    if isinstance(value, str) and not is_blank(value):
        return _FLAGS.get(value.strip().lower(), value)
    return value


def check_rules(answer) -> Verdict:
    """Exercise 3: does each rule set signal on :func:`ecg_times`? ``{"anhoej": True/False, "ihi": True/False}``.

    The IHI rules signal (a trend of five points), the Anhøj rules do not; the data come from a
    process that never changed.

    Examples
    --------
    >>> check_rules({"anhoej": False, "ihi": True}).correct
    True
    """
    keys = ("anhoej", "ihi")
    if is_blank(answer) or (isinstance(answer, Mapping) and all(is_blank(answer.get(k)) for k in keys)):
        return not_answered("Replace each ... with True or False, then run the cell again.")
    if not isinstance(answer, Mapping):
        return wrong("Give your answer as the dictionary in the cell: {\"anhoej\": True or False, \"ihi\": True or "
                     "False}.")
    given = {k: _flag(answer.get(k)) for k in keys}
    if any(not is_blank(v) and not isinstance(v, bool | np.bool_) for v in given.values()):
        return wrong("Answer each with True or False (no quotes).")
    if any(is_blank(v) for v in given.values()):
        return partly("Answer both: True or False for each rule set.")
    a, i = bool(given["anhoej"]), bool(given["ihi"])
    if not a and i:
        return right("The IHI rules signal (a trend: five weeks in a row each going the same way) but the "
                     "Anhøj rules do not. These data come from a process that never changed, so the IHI signal is "
                     "a false alarm: with more rules, each looking for a short pattern, false alarms are more "
                     "common (Anhøj and Olesen 2014 found the trend rule adds them without finding more real "
                     "shifts).")
    if a:
        return wrong("The Anhøj rules do not signal here: compare the longest run and the crossings in "
                     "summary() with their limits (longest_run_max and n_crossings_min).")
    return wrong("The IHI rules do signal: look at res_ihi.explain(). Five points in a row each going the same "
                 "way count as a trend under the IHI rules.")


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 04: three multiple-choice questions."""
    return self_check_quiz("nb04", answers)
