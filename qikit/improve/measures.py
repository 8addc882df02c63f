"""Families of measures: outcome, process and balancing measures with operational definitions.

The second question of the Model for Improvement is "How will we know that a change is an
improvement?". Its answer is a small *family of measures*:

- **outcome** measures: how the system performs for patients (falls per 1,000 bed-days);
- **process** measures: whether the parts of the system work as planned (risk assessments done);
- **balancing** measures: whether the change harms another part of the system (staff overtime,
  readmissions).

Each needs an *operational definition* so that two people measuring the same thing get the same
number: for a proportion or a rate, that means a stated numerator and denominator.

Sources
-------
- Provost LP, Murray SK. *The Health Care Data Guide: Learning from Data for Improvement*.
  Jossey-Bass, 2011, ch. 2: outcome, process and balancing measures and operational definitions.
- Langley GJ et al. *The Improvement Guide*, 2nd ed., 2009: the family of measures.
- The Health Foundation. *Quality improvement made simple*, 2021.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields

import pandas as pd

from ..errors import QIDataError, QIWarning
from ._util import check_fields, optional_text, text

__all__ = ["Measure", "MeasureSet", "MEASURE_KINDS", "FREQUENCIES"]

MEASURE_KINDS = ("outcome", "process", "balancing")
"""The three kinds of measure in a family (Provost & Murray, *The Health Care Data Guide*, 2011)."""

FREQUENCIES = ("daily", "weekly", "fortnightly", "monthly", "quarterly", "yearly")
"""How often a measure can be collected."""

_DIRECTIONS = {"increase": "increase", "up": "increase", "higher": "increase", "higher is better": "increase",
               "decrease": "decrease", "down": "decrease", "lower": "decrease", "lower is better": "decrease"}

# Words that make a measure a ratio (a proportion or a rate), which needs a numerator and a denominator.
_RATIO = re.compile(r"%|\bper\s?cent\b|\bpercent(age)?\b|\bproportion\b|\brate\b|\bratio\b|\bper\s+[\d,]+",
                    re.I)


@dataclass(frozen=True)
class Measure:
    """One measure of a family, with its operational definition.

    Parameters
    ----------
    name : str
        A short name used on charts: ``"Falls per 1,000 bed-days"``.
    kind : {"outcome", "process", "balancing"}
        The measure's role in the family.
    definition : str
        The operational definition: what is counted, from which source, with which inclusions
        and exclusions.
    numerator, denominator : str, optional
        For a proportion or a rate: what is counted on top and underneath. A measure whose name
        or definition speaks of a percentage, proportion, rate or "per 1,000" is read as a ratio,
        and :meth:`check` asks for both.
    direction : {"increase", "decrease"} or None
        Which way is better; ``None`` when neither is (many balancing measures). ``"up"``/``"higher"``
        and ``"down"``/``"lower"`` are accepted.
    frequency : str
        How often it is collected: one of :data:`FREQUENCIES` (default ``"monthly"``).

    Raises
    ------
    qikit.QIDataError
        For an empty name or definition, an unknown kind, direction or frequency.

    Examples
    --------
    >>> falls = Measure("Falls per 1,000 bed-days", "outcome",
    ...                 "Inpatient falls reported on Datix per 1,000 occupied bed-days, ward 7",
    ...                 numerator="falls reported on Datix", denominator="occupied bed-days / 1,000",
    ...                 direction="decrease")
    >>> falls.is_ratio, falls.check()
    (True, [])
    """

    name: str
    kind: str
    definition: str
    numerator: str | None = None
    denominator: str | None = None
    direction: str | None = None
    frequency: str = "monthly"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "name", text(self.name, "name", "Give the measure a short name."))
        kind = self.kind.strip().lower() if isinstance(self.kind, str) else self.kind
        if kind not in MEASURE_KINDS:
            raise QIDataError(
                f"kind={self.kind!r} is not a kind of measure. Use 'outcome' (how the system performs for "
                "patients), 'process' (whether the steps happen as planned) or 'balancing' (whether the "
                "change harms something else).", column="kind")
        set_(self, "kind", kind)
        set_(self, "definition", text(self.definition, "definition",
                                      "Write the operational definition: what is counted, from which source."))
        set_(self, "numerator", optional_text(self.numerator, "numerator"))
        set_(self, "denominator", optional_text(self.denominator, "denominator"))
        if self.direction is not None:
            key = self.direction.strip().lower() if isinstance(self.direction, str) else None
            if key not in _DIRECTIONS:
                raise QIDataError(
                    f"direction={self.direction!r} is not understood. Use 'increase' (higher is better), "
                    "'decrease' (lower is better) or None (neither).", column="direction")
            set_(self, "direction", _DIRECTIONS[key])
        frequency = self.frequency.strip().lower() if isinstance(self.frequency, str) else self.frequency
        if frequency not in FREQUENCIES:
            raise QIDataError(f"frequency={self.frequency!r} is not one qikit knows. Use one of: "
                              f"{', '.join(FREQUENCIES)}.", column="frequency")
        set_(self, "frequency", frequency)

    def to_dict(self) -> dict:
        """The measure and its operational definition as plain JSON-ready values.

        Examples
        --------
        >>> m = Measure("Falls per 1,000 bed-days", "outcome", "Datix falls per 1,000 occupied bed-days",
        ...             numerator="falls", denominator="occupied bed-days / 1,000", direction="down")
        >>> Measure.from_dict(m.to_dict()) == m
        True
        """
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Measure:
        """Rebuild a measure from :meth:`to_dict` output, validating it like a new one."""
        name = data.get("name", "") if isinstance(data, dict) else ""
        return cls(**check_fields(data, [f.name for f in fields(cls)], ("name", "kind", "definition"),
                                  "a measure", f"measure {name!r}", "measures"))

    @property
    def is_ratio(self) -> bool:
        """True when the measure is a proportion or a rate (so it needs a numerator and a denominator)."""
        return bool(self.numerator or self.denominator or _RATIO.search(f"{self.name} {self.definition}"))

    def check(self) -> list[str]:
        """Findings about this measure's operational definition, in plain words."""
        if not self.is_ratio:
            return []
        lacking = [part for part in ("numerator", "denominator") if getattr(self, part) is None]
        if not lacking:
            return []
        return [f"Measure {self.name!r} is a proportion or rate, but its operational definition has no "
                f"{' and no '.join(lacking)}: say what is counted on top and what underneath "
                "(e.g. numerator='patients given antibiotics within 1 hour', denominator='patients with "
                "red-flag sepsis')."]


class MeasureSet:
    """A family of measures for one improvement project.

    Building the set checks the family and warns (:class:`qikit.QIWarning`) when it lacks an
    outcome, a process or a balancing measure, or when a proportion or rate has no numerator or
    denominator; :meth:`check` returns the same findings as a list, for autograding.

    Parameters
    ----------
    measures : iterable of Measure
        The family; names must be unique.

    Raises
    ------
    qikit.QIDataError
        When an item is not a :class:`Measure` or two measures share a name.

    Notes
    -----
    Provost & Murray (*The Health Care Data Guide*, 2011, ch. 2) recommend a small family that
    combines outcome, process and balancing measures, so that a team sees both whether the change
    helps and whether it harms elsewhere.

    Examples
    --------
    >>> family = MeasureSet([
    ...     Measure("Falls per 1,000 bed-days", "outcome", "Datix falls per 1,000 occupied bed-days",
    ...             numerator="falls", denominator="occupied bed-days / 1,000", direction="decrease"),
    ...     Measure("Risk assessment within 24 h (%)", "process",
    ...             "Percentage of admissions with a falls risk assessment within 24 hours",
    ...             numerator="admissions assessed within 24 h", denominator="admissions",
    ...             direction="increase", frequency="weekly"),
    ...     Measure("Bed rails in use", "balancing", "Patients with bed rails raised at the midday audit",
    ...             frequency="weekly"),
    ... ])
    >>> family.check()
    []
    >>> [m.name for m in family.of_kind("outcome")]
    ['Falls per 1,000 bed-days']
    """

    def __init__(self, measures: Iterable[Measure]):
        measures = tuple(measures)
        for position, measure in enumerate(measures):
            if not isinstance(measure, Measure):
                raise QIDataError(f"item {position} of the family is {measure!r}, not a Measure: build each "
                                  "one with qikit.Measure(name, kind, definition, ...).", column="measures")
        counts = Counter(m.name.casefold() for m in measures)
        repeated = sorted({m.name for m in measures if counts[m.name.casefold()] > 1})
        if repeated:
            raise QIDataError(f"the family has two measures called {', '.join(map(repr, repeated))}: give each "
                              "measure its own name.", column="measures")
        self._measures = measures
        for finding in self.check():
            warnings.warn(finding, QIWarning, stacklevel=2)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._measures)

    def __len__(self) -> int:
        return len(self._measures)

    def __getitem__(self, name: str) -> Measure:
        for measure in self._measures:
            if measure.name.casefold() == str(name).casefold():
                return measure
        raise KeyError(f"no measure called {name!r}; the family has: "
                       f"{', '.join(repr(m.name) for m in self._measures)}")

    def __repr__(self) -> str:
        return f"MeasureSet({[m.name for m in self._measures]!r})"

    def of_kind(self, kind: str) -> list[Measure]:
        """The measures of one kind (``"outcome"``, ``"process"`` or ``"balancing"``)."""
        if kind not in MEASURE_KINDS:
            raise QIDataError(f"kind={kind!r} is not one of {', '.join(MEASURE_KINDS)}.", column="kind")
        return [m for m in self._measures if m.kind == kind]

    def check(self) -> list[str]:
        """The family's gaps in plain words: missing kinds, then incomplete operational definitions."""
        findings = []
        why = {"outcome": "how the system performs for patients (e.g. falls per 1,000 bed-days)",
               "process": "whether the changes are carried out (e.g. risk assessments done within 24 hours)",
               "balancing": "whether the change harms another part of the system (e.g. staff overtime, "
                            "readmissions)"}
        for kind in MEASURE_KINDS:
            if not self.of_kind(kind):
                findings.append(f"The family has no {kind} measure: add one that shows {why[kind]}.")
        for measure in self._measures:
            findings.extend(measure.check())
        return findings

    def table(self) -> pd.DataFrame:
        """One row per measure: name, kind, definition, numerator, denominator, direction, frequency."""
        columns = ["name", "kind", "definition", "numerator", "denominator", "direction", "frequency"]
        return pd.DataFrame([[getattr(m, c) for c in columns] for m in self._measures], columns=columns)
