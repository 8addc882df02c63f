"""Spreading a change: Rogers' adopter categories, Bass diffusion curves and a spread-readiness checklist.

An improvement that works on one ward still has to spread to the next ward, and the next trust.
Three small tools help a team think about that:

- :func:`adopter_categories` and :func:`classify_adopters`: Rogers' five adopter categories
  (innovators 2.5%, early adopters 13.5%, early majority 34%, late majority 34%, laggards 16%).
- :func:`bass`: the Bass diffusion model, whose S-shaped curve shows adoption across wards or
  trusts, driven by external influence (``p``) and by imitation of earlier adopters (``q``).
- :class:`SpreadReadiness`: a checklist built on seven factors for laying the ground for spread.

Sources
-------
- Rogers EM. *Diffusion of Innovations*, 5th ed. Free Press, 2003, ch. 7: adopter categories
  defined by standard deviations from the mean time of adoption.
- Bass FM. A new product growth for model consumer durables. *Management Science* 1969;15(5):215-227.
- Greenhalgh T, Papoutsi C. Spreading and scaling up innovation and improvement.
  *BMJ* 2019;365:l2068 (BMJ/Health Foundation quality improvement series): spread is adaptive and
  social, not a mechanical copy.
- ImproveWell. How to spread and sustain Quality Improvement in health and care (guide on
  Quality Improvement in health and care): seven factors that lay the foundation for spread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import QIDataError
from ._util import is_number

__all__ = ["ADOPTER_CATEGORIES", "adopter_categories", "classify_adopters", "bass", "SPREAD_FACTORS",
           "SpreadReadiness"]


class AdopterCategory(NamedTuple):
    name: str
    percent: float
    description: str


ADOPTER_CATEGORIES: tuple[AdopterCategory, ...] = (
    AdopterCategory("innovators", 2.5, "adopt first, before the mean time of adoption minus two standard "
                    "deviations; venturesome, comfortable with uncertainty"),
    AdopterCategory("early adopters", 13.5, "between two and one standard deviations before the mean; "
                    "respected opinion leaders whom others watch"),
    AdopterCategory("early majority", 34.0, "within one standard deviation before the mean; deliberate, "
                    "adopt just before the average member"),
    AdopterCategory("late majority", 34.0, "within one standard deviation after the mean; sceptical, adopt "
                    "when most peers have"),
    AdopterCategory("laggards", 16.0, "more than one standard deviation after the mean; adopt last, "
                    "oriented to how things were done before"),
)
"""Rogers' adopter categories and their share of adopters (Rogers, *Diffusion of Innovations*, 5th ed.,
2003, ch. 7). The shares are the rounded areas of a normal curve cut at the mean and at one and two
standard deviations before it (2.3%, 13.6%, 34.1%, 34.1%, 15.9%)."""


def adopter_categories(n: int | None = None) -> pd.DataFrame:
    """Rogers' five adopter categories, optionally with the expected number among ``n`` units.

    Parameters
    ----------
    n : int, optional
        How many wards, teams or trusts could adopt. Counts are rounded so that they add up to
        ``n`` (largest remainders first).

    Returns
    -------
    DataFrame
        Columns ``category``, ``percent``, ``description`` and, with ``n``, ``expected``.

    Examples
    --------
    >>> adopter_categories(40)[["category", "expected"]].to_dict("list")["expected"]
    [1, 5, 14, 14, 6]
    """
    table = pd.DataFrame(ADOPTER_CATEGORIES, columns=["category", "percent", "description"])
    if n is None:
        return table
    if not is_number(n) or n < 0 or int(n) != n:
        raise QIDataError(f"n={n!r} must be a whole number of units (wards, teams, trusts), 0 or more.",
                          column="n")
    exact = table["percent"].to_numpy() * int(n) / 100
    counts = np.floor(exact).astype(int)
    short = int(n) - counts.sum()
    # Largest remainders get the leftover units; ties go to the earlier category (stable sort).
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return table.assign(expected=counts)


def classify_adopters(adoption_times) -> pd.Series:
    """Place each unit in Rogers' adopter category from the time it adopted.

    Rogers divides adopters by the mean (m) and standard deviation (sd) of the time of adoption:
    innovators before m - 2sd, early adopters from m - 2sd to before m - sd, early majority from
    m - sd to before m, late majority from m to before m + sd, laggards from m + sd on. The standard
    deviation is the sample one (n - 1).

    Parameters
    ----------
    adoption_times : array-like or Series of numbers or dates
        When each unit adopted (e.g. month number, or a date). Missing values (not adopted yet)
        are left unclassified.

    Returns
    -------
    Series of category names, aligned with the input.

    Examples
    --------
    >>> classify_adopters([1, 4, 5, 5, 6, 6, 6, 7, 7, 9]).tolist()[:3]
    ['innovators', 'early majority', 'early majority']
    """
    series = adoption_times if isinstance(adoption_times, pd.Series) else pd.Series(adoption_times)
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or (
            series.dtype == object and series.dropna().map(lambda v: hasattr(v, "year")).all()
            and len(series.dropna())):
        stamps = pd.to_datetime(series)
        values = (stamps - stamps.min()).dt.total_seconds().to_numpy(dtype=float) / 86400
    else:
        try:
            values = pd.to_numeric(series).to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise QIDataError("adoption_times must be numbers (e.g. month of adoption) or dates.",
                              column="adoption_times") from None
    known = ~np.isnan(values)
    if known.sum() < 2:
        raise QIDataError("classify_adopters needs the adoption times of at least two units.",
                          column="adoption_times")
    mean = values[known].mean()
    sd = values[known].std(ddof=1)
    names = [c.name for c in ADOPTER_CATEGORIES]
    conditions = [values < mean - 2 * sd, values < mean - sd, values < mean, values < mean + sd, known]
    labels = np.select(conditions, names, default="")
    result = pd.Series(labels, index=series.index, dtype=object).where(known, None)
    return result


def _log1p_over_x(x: np.ndarray) -> np.ndarray:
    """ln(1 + x) / x, taking its limit 1 - x/2 for tiny x."""
    out = 1 - x / 2
    big = x >= 1e-8
    out[big] = np.log1p(x[big]) / x[big]
    return out


def bass(p: float, q: float, m: float, periods: int) -> pd.DataFrame:
    """Simulate the spread of a change with the Bass diffusion model.

    Among ``m`` potential adopters (wards, trusts), the fraction that has adopted by time t is

    ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))``    (Bass 1969),

    where ``p`` is the coefficient of innovation (adoption prompted from outside: mandates, national
    campaigns) and ``q`` the coefficient of imitation (adoption prompted by peers who have adopted).
    Adoptions in each period are split into those from innovation, ``p (m - N)``, and from imitation,
    ``q (N / m)(m - N)``, integrated exactly over the period; the innovation share over [t-1, t] is
    ``(p m / q) ln[(1 + (q/p) e^{-(p+q)(t-1)}) / (1 + (q/p) e^{-(p+q)t})]``.

    Parameters
    ----------
    p : float
        Coefficient of innovation, above 0 and at most 1. A meta-analysis of consumer products found an
        average of 0.03 per year (Sultan, Farley & Lehmann, *J Mark Res* 1990;27:70-77); for wards or
        trusts, choose values that make the teaching point.
    q : float
        Coefficient of imitation, 0 or more (average 0.38 in the same meta-analysis).
    m : float
        Number of potential adopters, above 0.
    periods : int
        Number of periods to simulate (1 or more).

    Returns
    -------
    DataFrame
        One row per period 1..periods: ``period``, ``new`` (expected adoptions in the period),
        ``from_innovation``, ``from_imitation``, ``cumulative`` (adopters by the period's end) and
        ``fraction`` (cumulative / m). Values are expected numbers, not rounded.

    Notes
    -----
    Adoption peaks at ``t* = ln(q/p) / (p + q)`` when q > p, when ``F = 1/2 - p/(2q)`` (Bass 1969).

    Examples
    --------
    >>> curve = bass(p=0.03, q=0.38, m=40, periods=20)
    >>> int(curve.loc[curve["new"].idxmax(), "period"])  # t* = ln(0.38/0.03) / 0.41 = 6.2
    7
    """
    for name, value in (("p", p), ("q", q), ("m", m)):
        if not is_number(value):
            raise QIDataError(f"{name}={value!r} must be a number.", column=name)
    if not 0 < p <= 1:
        raise QIDataError(f"p={p!r} must be above 0 and at most 1: with p = 0 nobody adopts first, so "
                          "nobody can imitate.", column="p")
    if q < 0:
        raise QIDataError(f"q={q!r} cannot be negative: it is the pull of peers who have adopted.",
                          column="q")
    if m <= 0:
        raise QIDataError(f"m={m!r} must be above 0: it is the number of wards or trusts that could adopt.",
                          column="m")
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 1:
        raise QIDataError(f"periods={periods!r} must be a whole number, 1 or more.", column="periods")
    t = np.arange(0, periods + 1, dtype=float)
    decay = np.exp(-(p + q) * t)
    fraction = (1 - decay) / (1 + (q / p) * decay)
    cumulative = m * fraction
    new = np.diff(cumulative)
    # (p m / q) ln[(1 + r a) / (1 + r b)] with r = q/p, a and b the decays at t-1 and t, rewritten as
    # m [a g(r a) - b g(r b)] with g(x) = ln(1 + x) / x, so that q near or at 0 (where the share from
    # innovation is all of it) needs no special case and never divides by a tiny q.
    ratio = q / p
    earlier, later = decay[:-1], decay[1:]
    from_innovation = m * (earlier * _log1p_over_x(ratio * earlier) - later * _log1p_over_x(ratio * later))
    return pd.DataFrame({"period": np.arange(1, periods + 1), "new": new, "from_innovation": from_innovation,
                         "from_imitation": new - from_innovation, "cumulative": cumulative[1:],
                         "fraction": fraction[1:]})


class SpreadFactor(NamedTuple):
    key: str
    name: str
    question: str


SPREAD_FACTORS: tuple[SpreadFactor, ...] = (
    SpreadFactor("leadership", "Leadership support",
                 "Have leaders committed both backing and resources (time, people, money) to the spread?"),
    SpreadFactor("journey", "Bringing people on the journey",
                 "Have front-line staff in each new setting shaped how the change will be adapted to it?"),
    SpreadFactor("pilot_results", "Sharing the results of pilots",
                 "Have the pilot's results (data and stories) been shared with the teams who will adopt?"),
    SpreadFactor("plan", "A plan for spread",
                 "Is there a written plan saying what will spread, to whom, where, and why?"),
    SpreadFactor("structure", "Using the organisational structure",
                 "Will the change be built into existing routines, roles, meetings and governance?"),
    SpreadFactor("communications", "Communications",
                 "Is there a communications plan so that everyone affected hears about the change?"),
    SpreadFactor("tracking", "Tracking and measuring",
                 "Have you agreed what success looks like and how adoption and impact will be measured?"),
)
"""Seven factors that lay the foundation for spread, after ImproveWell's guide to Quality Improvement
in health and care ("How to spread and sustain Quality Improvement"); questions worded by qikit."""

_ANSWERS = {"yes": 1.0, "partly": 0.5, "no": 0.0}


class SpreadReadiness:
    """A spread-readiness checklist on the seven factors in :data:`SPREAD_FACTORS`.

    Parameters
    ----------
    answers : dict
        Factor key (or name) to ``"yes"``, ``"partly"`` or ``"no"`` (``True``/``False`` mean yes/no).
        Factors left out count as not yet answered.

    Examples
    --------
    >>> ready = SpreadReadiness({"leadership": "yes", "journey": "partly", "pilot_results": "yes",
    ...                          "plan": "no", "structure": "yes", "communications": "yes", "tracking": "yes"})
    >>> ready.ready, ready.gaps
    (False, ['Bringing people on the journey', 'A plan for spread'])
    """

    def __init__(self, answers: Mapping | None = None):
        answers = {} if answers is None else answers
        if not isinstance(answers, Mapping):
            raise QIDataError("answers must be a dict such as {'leadership': 'yes', 'plan': 'partly'}.",
                              column="answers")
        self._answers: dict[str, str | None] = {f.key: None for f in SPREAD_FACTORS}
        for label, answer in answers.items():
            folded = str(label).strip().casefold()
            key = next((f.key for f in SPREAD_FACTORS if folded in (f.key, f.name.casefold())), None)
            if key is None:
                raise QIDataError(f"{label!r} is not one of the seven spread factors: use "
                                  f"{', '.join(f.key for f in SPREAD_FACTORS)}.", column=str(label))
            if isinstance(answer, bool):
                answer = "yes" if answer else "no"
            word = answer.strip().lower() if isinstance(answer, str) else None
            if word not in _ANSWERS:
                raise QIDataError(f"the answer for {key!r} is {answer!r}: answer 'yes', 'partly' or 'no'.",
                                  column=key)
            self._answers[key] = word

    def summary(self) -> pd.DataFrame:
        """One row per factor: key, factor, question, answer (missing when not answered), score (1/0.5/0)."""
        rows = [(f.key, f.name, f.question, self._answers[f.key]) for f in SPREAD_FACTORS]
        table = pd.DataFrame(rows, columns=["key", "factor", "question", "answer"])
        table["score"] = table["answer"].map(_ANSWERS).astype(float)
        return table

    @property
    def gaps(self) -> list[str]:
        """The factors not yet answered 'yes', in checklist order."""
        return [f.name for f in SPREAD_FACTORS if self._answers[f.key] != "yes"]

    @property
    def ready(self) -> bool:
        """True when all seven factors are answered 'yes'."""
        return not self.gaps

    def explain(self) -> str:
        """Plain sentences: what is in place and what to work on before spreading."""
        if self.ready:
            return "All seven foundations for spread are in place."
        table = self.summary()
        lines = [f"{int((table['answer'] == 'yes').sum())} of 7 foundations for spread are in place."]
        for row in table[table["answer"] != "yes"].itertuples():
            state = "not answered yet" if pd.isna(row.answer) else f"answered '{row.answer}'"
            lines.append(f"{row.factor} ({state}): {row.question}")
        return "\n".join(lines)

