"""Simulated process data for learning to read run charts and control charts.

:func:`common_cause` makes a stable process (only common-cause variation). :func:`shift`,
:func:`trend` and :func:`outlier` make *the same series* (same seed, same noise) with one special
cause injected, so a trainee can compare the two charts point by point. :func:`pdsa_test` makes a
before-and-after series for a change whose effect size and noise the trainee chooses.

Every function takes ``seed``: the same seed gives the same data on every machine, so a class can
discuss one chart and an autograder can check one answer.

Sources
-------
- Shewhart WA. *Economic Control of Quality of Manufactured Product*. Van Nostrand, 1931:
  common-cause (chance) and assignable-cause variation.
- Provost LP, Murray SK. *The Health Care Data Guide*. Jossey-Bass, 2011, ch. 3-5: shifts,
  trends and astronomical points as signals of special causes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import QIDataError
from ._common import dates, real, rng, whole

__all__ = ["common_cause", "shift", "trend", "outlier", "pdsa_test"]


def _base(n, mean, sd, start, freq, seed) -> tuple[pd.DatetimeIndex, np.ndarray, float]:
    n = whole(n, "n")
    mean = real(mean, "mean")
    sd = real(sd, "sd", positive=True)
    when = dates(start, n, freq)
    noise = rng(seed).standard_normal(n)
    return when, mean + sd * noise, sd


def _position(at, n: int) -> int:
    at = whole(at, "at", minimum=0)
    if at >= n:
        raise QIDataError(f"at={at} is beyond the series: with n={n} points, positions run from 0 to {n - 1}.",
                          column="at")
    return at


def common_cause(n: int = 52, mean: float = 100.0, sd: float = 10.0, start="2024-01-01", freq: str = "W-MON",
                 seed=None) -> pd.DataFrame:
    """A stable process: independent normal values around ``mean`` with standard deviation ``sd``.

    Parameters
    ----------
    n : int
        Number of points.
    mean, sd : float
        Centre and spread of the process (``sd`` above 0).
    start, freq
        First date and pandas frequency of the ``date`` column ("W-MON" weekly, "MS" monthly, "D" daily).
    seed : int, optional
        Makes the series reproducible.

    Returns
    -------
    DataFrame
        ``date``, ``value`` and ``special`` (all False: no special cause was injected).

    Examples
    --------
    >>> df = common_cause(n=30, mean=50, sd=5, seed=1)
    >>> df.shape, bool(df["special"].any())
    ((30, 3), False)
    """
    when, values, _ = _base(n, mean, sd, start, freq, seed)
    return pd.DataFrame({"date": when, "value": values, "special": np.zeros(len(values), dtype=bool)})


def shift(n: int = 52, at: int = 30, size: float = 2.0, mean: float = 100.0, sd: float = 10.0,
          start="2024-01-01", freq: str = "W-MON", seed=None) -> pd.DataFrame:
    """The :func:`common_cause` series with a sustained shift of ``size`` standard deviations from
    position ``at`` (counting from 0) to the end.

    Examples
    --------
    >>> base, moved = common_cause(n=40, seed=7), shift(n=40, at=25, size=2, seed=7)
    >>> float((moved["value"] - base["value"]).iloc[25])  # 2 sd of 10
    20.0
    """
    when, values, sd = _base(n, mean, sd, start, freq, seed)
    at = _position(at, len(values))
    special = np.arange(len(values)) >= at
    values = values + real(size, "size") * sd * special
    return pd.DataFrame({"date": when, "value": values, "special": special})


def trend(n: int = 52, at: int = 30, slope: float = 0.3, mean: float = 100.0, sd: float = 10.0,
          start="2024-01-01", freq: str = "W-MON", seed=None) -> pd.DataFrame:
    """The :func:`common_cause` series with a steady drift from position ``at``: the point at ``at``
    moves by ``slope`` standard deviations, the next by 2 x ``slope``, and so on to the end.

    Examples
    --------
    >>> base, drift = common_cause(n=10, sd=1, seed=3), trend(n=10, at=7, slope=0.5, sd=1, seed=3)
    >>> (drift["value"] - base["value"]).round(2).tolist()[6:]
    [0.0, 0.5, 1.0, 1.5]
    """
    when, values, sd = _base(n, mean, sd, start, freq, seed)
    at = _position(at, len(values))
    steps = np.clip(np.arange(len(values)) - at + 1, 0, None)
    values = values + real(slope, "slope") * sd * steps
    return pd.DataFrame({"date": when, "value": values, "special": steps > 0})


def outlier(n: int = 52, at: int = 30, size: float = 4.0, mean: float = 100.0, sd: float = 10.0,
            start="2024-01-01", freq: str = "W-MON", seed=None) -> pd.DataFrame:
    """The :func:`common_cause` series with one point at position ``at`` moved by ``size`` standard
    deviations (negative moves it down).

    Examples
    --------
    >>> odd = outlier(n=20, at=12, size=5, seed=2)
    >>> int(odd["special"].sum()), int(odd.index[odd["special"]][0])
    (1, 12)
    """
    when, values, sd = _base(n, mean, sd, start, freq, seed)
    at = _position(at, len(values))
    special = np.arange(len(values)) == at
    values = values + real(size, "size") * sd * special
    return pd.DataFrame({"date": when, "value": values, "special": special})


def pdsa_test(baseline: float, effect: float, noise: float | None = None, n: int | None = None,
              before: int = 20, after: int = 20, start="2024-01-01", freq: str = "W-MON",
              seed=None) -> pd.DataFrame:
    """Data from a PDSA test: ``before`` points of the old process, then ``after`` points with the change.

    Choose one of two kinds of measure:

    - a **measurement** (minutes, days, mmol/L): give ``noise``, the standard deviation around the
      process mean. Values are normal with mean ``baseline`` before and ``baseline + effect`` after.
    - a **proportion** (% discharged before noon): give ``n``, the patients per period. ``baseline``
      and ``baseline + effect`` are proportions between 0 and 1; each period's count is binomial,
      so the noise comes from ``n`` (smaller ``n``, noisier percentages).

    Parameters
    ----------
    baseline, effect : float
        The process level before the change and how much the change moves it.
    noise : float, optional
        Standard deviation for a measurement (above 0).
    n : int, optional
        Patients per period for a proportion.
    before, after : int
        Points before and after the change (after at least 1).
    start, freq, seed
        As in :func:`common_cause`.

    Returns
    -------
    DataFrame
        ``date``, ``phase`` ("before"/"after") and ``value``; for a proportion also ``events`` and ``n``
        (``value`` = events / n).

    Examples
    --------
    >>> df = pdsa_test(baseline=0.18, effect=0.12, n=25, before=26, after=26, seed=4)
    >>> df.columns.tolist()
    ['date', 'phase', 'events', 'n', 'value']
    """
    if (noise is None) == (n is None):
        raise QIDataError("give exactly one of noise= (for a measurement such as minutes) or n= (patients per "
                          "period, for a proportion).", column="noise")
    before = whole(before, "before", minimum=0)
    after = whole(after, "after", minimum=1)
    baseline, effect = real(baseline, "baseline"), real(effect, "effect")
    when = dates(start, before + after, freq)
    phase = np.repeat(np.array(["before", "after"], dtype=object), [before, after])
    changed = phase == "after"
    generator = rng(seed)
    if noise is not None:
        noise = real(noise, "noise", positive=True)
        values = baseline + effect * changed + noise * generator.standard_normal(before + after)
        return pd.DataFrame({"date": when, "phase": phase, "value": values})
    n = whole(n, "n")
    for label, p in (("baseline", baseline), ("baseline + effect", baseline + effect)):
        if not 0 <= p <= 1:
            raise QIDataError(f"{label} = {p:g}, but a proportion must lie between 0 and 1 (e.g. 0.18 for 18%).",
                              column="baseline" if label == "baseline" else "effect")
    events = generator.binomial(n, baseline + effect * changed)
    return pd.DataFrame({"date": when, "phase": phase, "events": events, "n": n, "value": events / n})
