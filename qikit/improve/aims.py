"""Aim statements: the first question of the Model for Improvement, "What are we trying to accomplish?".

An aim names *what* will change, *how much* (a number with a unit, against a baseline), *by when*
and *for whom* (and often *where*). :class:`AimStatement` holds one aim and checks it against
the SMART criteria; :meth:`AimStatement.parse` reads a trainee's free-text aim and reports what
is missing, for formative feedback.

Sources
-------
- Langley GJ, Moen RD, Nolan KM, Nolan TW, Norman CL, Provost LP. *The Improvement Guide*,
  2nd ed. Jossey-Bass, 2009: the Model for Improvement's three questions; an aim should be
  time-specific and measurable and should define the population affected.
- The Health Foundation. *Quality improvement made simple*, 3rd ed., 2021: setting aims
  with a clear measure, target and timescale.
- Doran GT. There's a S.M.A.R.T. way to write management's goals and objectives.
  *Management Review* 1981;70(11):35-36: the SMART mnemonic.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, field

from ..errors import QIDataError
from ._util import as_date, check_fields, is_number, long_date, optional_text, text

__all__ = ["AimStatement", "ParsedAim"]

# ---------------------------------------------------------------------------------------------
# Plain-word findings, shared by AimStatement.check() and ParsedAim so both speak alike.
# ---------------------------------------------------------------------------------------------
_WHAT_MISSING = ("Say what will change: begin with a verb such as 'increase' or 'reduce' and name the "
                 "measure, e.g. 'increase the percentage of patients who receive antibiotics within one hour'.")
_WHAT_VAGUE = ("Say more specifically what will change: '{what}' is too short. Name the measure, "
               "e.g. 'increase the percentage of patients who receive antibiotics within one hour'.")
_NO_NUMBER = "Give a numerical target: say how much, e.g. 'from 62% to 90%'."
_UNCLEAR_NUMBER = ("Make the target clear: qikit found {numbers} but could not tell which is the target. "
                   "Write it as 'to 90%' or 'from 62% to 90%'.")
_NO_UNIT = ("Give the target a unit: '{how_much}' has a number but no unit "
            "(%, per 1,000 bed-days, minutes, ...).")
_NO_BASELINE = "Add a baseline: say where you are now (e.g. 'from 62%'), so the size of the change is clear."
_NO_DATE = "Give a deadline: say by when, e.g. 'by 31 March 2026'."
_YEAR_ONLY = ("Give a precise deadline: 'by {year}' names only a year. Name the day or month, "
              "e.g. 'by 31 March {year}'.")
_BAD_DATE = "Check the date '{text}': it is not a real day of the calendar."
_DATE_PAST = "Set a deadline in the future: {date} is not after today ({today})."
_NO_POPULATION = ("Name the population: say whose care will change "
                  "(e.g. 'adults with suspected sepsis in the emergency department').")
_WRONG_WAY = ("The aim says '{verb}', but the target ({target}) is {side} the baseline ({baseline}): "
              "check the numbers or the verb.")
_NO_CHANGE = "The target ({target}) is the same as the baseline ({baseline}): the aim asks for no change."

_UP = {"increase", "raise", "double", "triple", "maximise", "maximize", "grow", "boost", "lengthen"}
_DOWN = {"reduce", "decrease", "lower", "cut", "halve", "eliminate", "minimise", "minimize", "shorten",
         "prevent", "eradicate"}
_NEUTRAL = {"improve", "achieve", "ensure", "maintain", "sustain", "deliver", "get", "have", "see"}
_VERBS = _UP | _DOWN | _NEUTRAL

# A number as people write it in an aim: 62, 7.5, 1,000, 1,250.5 or the word zero.
_NUM = r"(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|zero|none)"
_PERCENT = r"(?:\s*%|\s*per\s?cent\b|\s*percent\b)"
# Where a target phrase ends: before a following clause, at punctuation that is not inside a number.
_END = r"(?=\s+(?:by|for|in|on|at|across|among|within|before|over|and|from|when)\b|[.;:](?!\d)|,(?!\d)|\s*$)"
_TARGET = rf"(?P<target>{_NUM}(?:[^.;:,]|,(?=\d)|\.(?=\d))*?){_END}"

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MON = rf"(?P<mon>{_MONTH_WORDS})\b\.?"

_DATE_PATTERNS = [  # (regex, has day?) tried in this order; earlier patterns win overlapping text
    (re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"), True),
    (re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b"), True),  # UK order: day/month/year
    (re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON},?\s+(?P<y>\d{{4}})\b", re.I), True),
    (re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I), True),
    (re.compile(rf"\b{_MON}\s+(?P<y>\d{{4}})\b", re.I), False),  # a month: its last day is the deadline
]
_YEAR = re.compile(r"\b(?:by|in|before|during|end of)\s+(?:the\s+end\s+of\s+)?(?P<y>20\d{2})\b", re.I)

_POPULATION_NOUNS = (r"patients|adults|children|people|persons|women|men|residents|inpatients|outpatients|"
                     r"admissions|attendances|attenders|mothers|babies|infants|neonates|newborns|"
                     r"service users|clients|families|carers|users|cases|discharges|staff|nurses|doctors|"
                     r"trainees|referrals")
_POPULATION = re.compile(
    r"(?:\b(?:all|adult|older|elderly|frail|paediatric|pediatric|surgical|medical|elective|emergency|"
    r"acute|new|eligible|diabetic|pregnant)\s+)*"
    rf"\b(?:{_POPULATION_NOUNS})\b"
    r"(?:\s+(?:aged|over|under|with|having|admitted|undergoing)\s+.+?"
    r"(?=\s+(?:in|on|at|who|whose|from|to|by|within|across|that|receiving|seen)\b|[.;,](?!\d)|\s*$))?",
    re.I)
_PLACES = (r"wards?|departments?|units?|clinics?|practices?|hospitals?|trusts?|theatres?|icu|itu|ed|a&e|"
           r"services?|surgery|surgeries|homes?|bays?|pathways?|lists?")
_WHERE = re.compile(
    r"\b(?P<prep>on|in|at|across|within)\s+(?P<place>(?:the\s+|our\s+|all\s+)?(?:[\w&'-]+\s+){0,3}?"
    rf"(?:{_PLACES})\b(?:\s+\d+\w*)?|(?:ward|unit|bay)\s+\w+)", re.I)
_VERB = re.compile(r"\b(" + "|".join(sorted(_VERBS, key=len, reverse=True)) + r")\b", re.I)


def _to_float(number: str) -> float:
    number = number.strip().lower()
    if number in ("zero", "none"):
        return 0.0
    return float(number.replace(",", ""))


def _number_and_unit(how_much) -> tuple[float | None, str | None]:
    """Split a target such as ``"90%"``, ``"to below 5 falls per 1,000 bed-days"`` or ``90``
    into its first number and the unit written after it (``None`` when there is none)."""
    if is_number(how_much):
        return float(how_much), None
    match = re.search(_NUM, str(how_much), re.I)
    if match is None:
        return None, None
    rest = str(how_much)[match.end():].strip().rstrip(".")
    if re.match(r"%|per\s?cent\b|percent\b", rest, re.I):
        return _to_float(match.group()), "%"
    return _to_float(match.group()), (rest or None)


def _direction(what: str) -> tuple[str | None, str | None]:
    """The change verb of ``what`` and whether it asks for the measure to go ``"up"`` or ``"down"``."""
    match = _VERB.search(what)
    if match is None:
        return None, None
    verb = match.group(1).lower()
    return verb, ("up" if verb in _UP else "down" if verb in _DOWN else None)


def _display(value) -> str:
    if is_number(value):
        return f"{float(value):g}"
    return str(value)


@dataclass(frozen=True)
class AimStatement:
    """An improvement aim: what will change, how much, by when, for whom (and where).

    Parameters
    ----------
    what : str
        What will change, starting with a verb: ``"increase the percentage of patients with
        red-flag sepsis who receive IV antibiotics within one hour of arrival"``.
    how_much : str or number
        The target, with its unit: ``"90%"``, ``"below 5 falls per 1,000 bed-days"``, ``"by 30%"``.
        It must contain a number; a bare number is accepted but :meth:`check` asks for its unit.
    by_when : datetime.date or str
        The deadline, as a date or an ISO string such as ``"2026-03-31"``.
    for_whom : str or None
        The population whose care changes: ``"adults with red-flag sepsis"``. ``None`` is accepted
        (so a draft can be stored) and :meth:`check` reports it.
    where : str, optional
        The setting: ``"the emergency department"``, ``"ward 7"``.
    baseline : str or number, optional
        Where the measure is now (``"62%"``); :meth:`check` asks for one when it is missing.

    Raises
    ------
    qikit.QIDataError
        When ``what`` is empty, ``how_much`` holds no number, or ``by_when`` is not a date.

    Notes
    -----
    The checks follow the Model for Improvement (Langley et al., *The Improvement Guide*, 2009), whose
    aims are time-specific, measurable and name the population, and the SMART mnemonic (Doran 1981).

    Examples
    --------
    >>> import datetime
    >>> aim = AimStatement("increase the percentage of patients with red-flag sepsis who receive "
    ...                    "IV antibiotics within one hour of arrival", "90%", "2026-03-31",
    ...                    "adults", where="the emergency department", baseline="62%")
    >>> aim.check(today=datetime.date(2025, 4, 1))
    []
    >>> aim.text
    'Increase the percentage of patients with red-flag sepsis who receive IV antibiotics within one \
hour of arrival for adults in the emergency department from 62% to 90% by 31 March 2026.'
    """

    what: str
    how_much: object
    by_when: _dt.date
    for_whom: str | None = None
    where: str | None = None
    baseline: object = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "what", text(self.what, "what", "Say what will change, e.g. 'reduce inpatient falls'."))
        if is_number(self.how_much):
            pass
        elif isinstance(self.how_much, str) and re.search(_NUM, self.how_much, re.I):
            set_(self, "how_much", self.how_much.strip())
        else:
            raise QIDataError(
                f"how_much={self.how_much!r} has no number. An aim needs a numerical target with a unit, "
                "e.g. how_much='90%' or how_much='below 5 falls per 1,000 bed-days'.", column="how_much")
        if self.by_when is None:
            raise QIDataError("by_when is missing. An aim needs a deadline, e.g. by_when='2026-03-31'.",
                              column="by_when")
        set_(self, "by_when", as_date(self.by_when, "by_when"))
        set_(self, "for_whom", optional_text(self.for_whom, "for_whom"))
        set_(self, "where", optional_text(self.where, "where"))
        if self.baseline is not None and not is_number(self.baseline):
            baseline = optional_text(self.baseline, "baseline")
            if baseline is not None and not re.search(_NUM, baseline, re.I):
                raise QIDataError(f"baseline={self.baseline!r} has no number: give the current value, "
                                  "e.g. baseline='62%'.", column="baseline")
            set_(self, "baseline", baseline)

    # -- reading -------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The aim as one sentence."""
        what = self.what[0].upper() + self.what[1:]
        parts = [what.rstrip(".")]
        low = self.what.lower()
        if self.for_whom and self.for_whom.lower() not in low:
            who = self.for_whom
            parts.append(who if re.match(r"(for|among|in)\b", who, re.I) else f"for {who}")
        if self.where and self.where.lower() not in low:
            place = self.where
            parts.append(place if re.match(r"(on|in|at|across|within)\b", place, re.I) else f"in {place}")
        if self.baseline is not None:
            parts.append(f"from {_display(self.baseline)}")
        how = _display(self.how_much)
        parts.append(how if re.match(r"(to|by)\b", how, re.I) else f"to {how}")
        parts.append(f"by {long_date(self.by_when)}")
        return " ".join(parts) + "."

    def __str__(self) -> str:
        return self.text

    @property
    def target(self) -> float:
        """The target's number (the first number in ``how_much``)."""
        return _number_and_unit(self.how_much)[0]

    @property
    def unit(self) -> str | None:
        """The target's unit, e.g. ``"%"``; ``None`` when the target has none."""
        return _number_and_unit(self.how_much)[1]

    def check(self, today: _dt.date | str | None = None) -> list[str]:
        """Check the aim against SMART and return the findings in plain words (empty when all is well).

        Parameters
        ----------
        today : datetime.date or str, optional
            The date the deadline must be after; defaults to the real today. Pass a fixed date in
            tests and assignments so the answer does not change with the calendar.

        Returns
        -------
        list of str
            One sentence per problem: a vague ``what``, a target without a unit, no baseline, a
            deadline that is not in the future, no population, or a verb that contradicts the numbers.

        Examples
        --------
        >>> aim = AimStatement("reduce falls", 5, "2024-01-31", None)
        >>> for finding in aim.check(today="2025-01-01"):
        ...     print(finding.split(":")[0])
        Say more specifically what will change
        Give the target a unit
        Add a baseline
        Set a deadline in the future
        Name the population
        """
        today = _dt.date.today() if today is None else as_date(today, "today")
        findings = []
        if len(self.what.split()) < 3:
            findings.append(_WHAT_VAGUE.format(what=self.what))
        target, unit = _number_and_unit(self.how_much)
        if unit is None:
            findings.append(_NO_UNIT.format(how_much=_display(self.how_much)))
        if self.baseline is None:
            findings.append(_NO_BASELINE)
        if self.by_when <= today:
            findings.append(_DATE_PAST.format(date=long_date(self.by_when), today=long_date(today)))
        if not self.for_whom:
            findings.append(_NO_POPULATION)
        relative = isinstance(self.how_much, str) and re.match(r"by\b", self.how_much, re.I)
        if self.baseline is not None and not relative:
            base = _number_and_unit(self.baseline)[0]
            verb, way = _direction(self.what)
            words = {"target": _display(self.how_much), "baseline": _display(self.baseline)}
            if base == target:
                findings.append(_NO_CHANGE.format(**words))
            elif way == "up" and target < base:
                findings.append(_WRONG_WAY.format(verb=verb, side="below", **words))
            elif way == "down" and target > base:
                findings.append(_WRONG_WAY.format(verb=verb, side="above", **words))
        return findings

    # -- files -----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The aim as plain JSON-ready values (the deadline as an ISO date), for :class:`qikit.Project` files.

        Examples
        --------
        >>> aim = AimStatement("reduce falls on ward 7", "5 per 1,000 bed-days", "31/03/2026", "inpatients")
        >>> aim.to_dict()["by_when"]
        '2026-03-31'
        >>> AimStatement.from_dict(aim.to_dict()) == aim
        True
        """
        return {"what": self.what, "how_much": self.how_much, "by_when": self.by_when.isoformat(),
                "for_whom": self.for_whom, "where": self.where, "baseline": self.baseline}

    @classmethod
    def from_dict(cls, data: dict) -> AimStatement:
        """Rebuild an aim from :meth:`to_dict` output, validating it like a new one.

        Raises :class:`qikit.QIDataError` for an entry that is not a dict, an unknown field (a typing
        mistake in a hand-edited file) or a missing ``what``/``how_much``/``by_when``.
        """
        known = ("what", "how_much", "by_when", "for_whom", "where", "baseline")
        return cls(**check_fields(data, known, ("what", "how_much", "by_when"), "an aim", "the aim", "aim"))

    # -- writing from free text ----------------------------------------------------------------
    @classmethod
    def parse(cls, aim_text: str) -> ParsedAim:
        """Read a free-text aim, extract what it can and report what is missing.

        The reading is a simple pattern match, made for formative feedback, not a language model:
        it finds change verbs (increase, reduce, ...), a target written as "from 62% to 90%",
        "to 90%", "to below 5 per 1,000" or "by 30%", a deadline ("by 31 March 2026",
        "by March 2026" meaning its last day, "2026-03-31", or "31/03/2026" read day/month/year),
        a population ("adults with sepsis", "patients aged over 65") and a setting ("on ward 7").

        Parameters
        ----------
        aim_text : str
            The aim as the trainee wrote it.

        Returns
        -------
        ParsedAim
            The parts found, ``missing`` (what to add, in plain words) and ``to_aim()``.

        Examples
        --------
        >>> parsed = AimStatement.parse("We will reduce falls on ward 7 by 2026.")
        >>> parsed.how_much is None, parsed.by_when is None, parsed.where
        (True, True, 'ward 7')
        >>> len(parsed.missing)
        4
        """
        original = text(aim_text, "aim_text", "Paste the aim as one or two sentences.")
        gaps: dict[str, str] = {}  # what is missing, by part; reported in the order what, number, ...

        # Dates first: their digits must not be read as targets.
        masked = original
        dates: list[tuple[int, _dt.date | None, str]] = []
        for pattern, has_day in _DATE_PATTERNS:
            for match in pattern.finditer(masked):
                parts = match.groupdict()
                month = _MONTHS[parts["mon"].lower()] if parts.get("mon") else int(parts["m"])
                year = int(parts["y"])
                try:
                    day = int(parts["d"]) if has_day else calendar.monthrange(year, month)[1]
                    found = _dt.date(year, month, day)
                except ValueError:
                    found = None
                dates.append((match.start(), found, match.group()))
                masked = masked[:match.start()] + " " * (match.end() - match.start()) + masked[match.end():]
        dates.sort(key=lambda item: item[0])
        by_when = None
        if dates:
            _, by_when, written = dates[-1]  # the last date written is taken as the deadline
            if by_when is None:
                gaps["date"] = _BAD_DATE.format(text=written)
        else:
            year = _YEAR.search(masked)
            gaps["date"] = _YEAR_ONLY.format(year=year.group("y")) if year else _NO_DATE
            if year:
                masked = masked[:year.start("y")] + " " * 4 + masked[year.end("y"):]

        where_match = _WHERE.search(masked)
        where = where_match.group("place").strip() if where_match else None
        if where_match:  # ward numbers are not targets
            masked = (masked[:where_match.start("place")] + " " * len(where_match.group("place"))
                      + masked[where_match.end("place"):])

        baseline = how_much = None
        span = None
        qualifier = (r"(?P<qual>(?:at least|at most|below|under|above|fewer than|less than|more than|"
                     r"no more than)\s+)?")
        pair = re.search(rf"\bfrom\s+(?P<base>{_NUM}{_PERCENT}?)\s+to\s+{qualifier}{_TARGET}", masked, re.I)
        if pair:
            baseline, span = pair.group("base").strip(), pair.span()
            how_much = ((pair.group("qual") or "") + pair.group("target")).strip()
        else:
            to = re.search(rf"\bto\s+{qualifier}{_TARGET}", masked, re.I)
            by = re.search(rf"\bby\s+(?P<target>{_NUM}{_PERCENT}){_END}", masked, re.I)
            pct = re.search(rf"(?P<target>{_NUM}{_PERCENT})", masked, re.I)
            if to:
                how_much = ((to.group("qual") or "") + to.group("target")).strip()
                span = to.span()
            elif by:
                how_much, span = "by " + by.group("target").strip(), by.span()
            elif pct:
                how_much, span = pct.group("target").strip(), pct.span()
            base = re.search(rf"\b(?:from a baseline of|baseline(?: of| is|:)?|currently(?: at)?)\s+"
                             rf"(?P<base>{_NUM}{_PERCENT}?)", masked, re.I)
            if base:
                baseline = base.group("base").strip()
        if how_much is None:
            numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", masked)
            if numbers:
                gaps["number"] = _UNCLEAR_NUMBER.format(numbers=", ".join(numbers))
            else:
                gaps["number"] = _NO_NUMBER
        if baseline is None:
            gaps["baseline"] = _NO_BASELINE

        verb = _VERB.search(original)
        what = None
        if verb is None:
            gaps["what"] = _WHAT_MISSING
        else:
            stop = len(original)
            for candidate in ([span[0]] if span else []) + [m.start() for m in re.finditer(
                    rf"\s(?:by|from|to)\s+(?:{_NUM}|(?:{_MONTH_WORDS})\b)|\s+by\s+(?:the\s+end|20\d\d)",
                    original, re.I)]:
                if candidate > verb.start():
                    stop = min(stop, candidate)
            what = original[verb.start():stop].strip(" .,;:") or None
            if what and len(what.split()) < 3:
                gaps["what"] = _WHAT_VAGUE.format(what=what)

        population = _POPULATION.search(original)
        for_whom = population.group().strip() if population else None
        if for_whom is None:
            gaps["population"] = _NO_POPULATION
        missing = tuple(gaps[part] for part in ("what", "number", "baseline", "date", "population")
                        if part in gaps)
        return ParsedAim(text=original, what=what, how_much=how_much, baseline=baseline, by_when=by_when,
                         for_whom=for_whom, where=where, missing=missing)


@dataclass(frozen=True)
class ParsedAim:
    """What :meth:`AimStatement.parse` found in a free-text aim.

    Attributes
    ----------
    text : str
        The aim as written.
    what, how_much, baseline, for_whom, where : str or None
        The parts found (``None`` when not found).
    by_when : datetime.date or None
        The deadline found.
    missing : tuple of str
        What the aim lacks, one plain sentence each (empty when nothing is missing).
    """

    text: str
    what: str | None
    how_much: str | None
    baseline: str | None
    by_when: _dt.date | None
    for_whom: str | None
    where: str | None
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        """True when nothing is missing."""
        return not self.missing

    def to_aim(self) -> AimStatement:
        """Build the :class:`AimStatement`; raises :class:`qikit.QIDataError` when the text lacks
        what every aim must have (a verb, a number, a date)."""
        if self.what is None:
            raise QIDataError(_WHAT_MISSING, column="what")
        if self.how_much is None:
            raise QIDataError(_NO_NUMBER, column="how_much")
        if self.by_when is None:
            raise QIDataError(_NO_DATE, column="by_when")
        return AimStatement(self.what, self.how_much, self.by_when, self.for_whom, where=self.where,
                            baseline=self.baseline)

    def feedback(self, today: _dt.date | str | None = None) -> list[str]:
        """Everything to fix: what is missing, then (when an aim can be built) its SMART findings."""
        notes = list(self.missing)
        if self.what and self.how_much and self.by_when:
            notes += [f for f in self.to_aim().check(today=today) if f not in notes]
        return notes
