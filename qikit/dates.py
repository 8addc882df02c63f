"""The one date reader for everything a trainee types: day-first like the UK, ISO 8601 accepted.

A date written with numbers only is read day first, as the NHS writes it: ``"01/06/2017"`` is
1 June 2017, never 6 January. Year-first text is ISO 8601 (``"2017-06-01"``). Month names in English
are read in either order (``"1 June 2017"``, ``"June 1, 2017"``, ``"1st Jun 17"``); a month without a
day (``"June 2017"``, ``"2017-06"``) means the first day of that month.

This module uses the standard library only, so ``import qikit`` stays light.

Examples
--------
>>> read_date("01/06/2017")
datetime.date(2017, 6, 1)
>>> read_date("2026-03-31") == read_date("31/03/2026") == read_date("31 March 2026")
True
>>> read_date("June 2017")
datetime.date(2017, 6, 1)
"""

from __future__ import annotations

import datetime as _dt
import re

from .errors import QIDataError

__all__ = ["read_date", "try_date", "DATE_HINT"]

#: How to write a date, said the same way in every message.
DATE_HINT = "write it day first, e.g. '31/03/2026' or '31 March 2026', or as '2026-03-31'"

_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")], start=1) for name in names}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{4}|\d{2})"
_SEP = r"[/.\-\s]"

_PATTERNS = (  # (regex, order of the groups: d = day, m = month number, M = month name, y = year)
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})-(\d{1,2})"), "ym"),
    (re.compile(rf"{_DAY}{_SEP}(\d{{1,2}}){_SEP}{_YEAR}"), "dmy"),
    (re.compile(rf"{_DAY}(?:\s+of)?[\s\-/]*{_MONTH},?[\s\-/]*{_YEAR}"), "dMy"),
    (re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}"), "Mdy"),
    (re.compile(rf"{_MONTH}[\s\-/,]*{_YEAR}"), "My"),
)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _parse(text: str) -> _dt.date | None:
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    for pattern, order in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = _MONTHS[parts["M"].rstrip(".")] if "M" in parts else int(parts["m"])
        day = int(parts.get("d", 1))
        try:
            return _dt.date(_year(parts["y"]), month, day)
        except ValueError:
            return None
    return None


def try_date(value) -> _dt.date | None:
    """``value`` as a :class:`datetime.date`, or ``None`` when it is not a date this reader understands.

    Accepts ``datetime.date``/``datetime.datetime``/``pandas.Timestamp`` (time of day dropped),
    ``numpy.datetime64`` and text (see the module's notes).

    Examples
    --------
    >>> try_date("29.05.2023"), try_date("next Tuesday")
    (datetime.date(2023, 5, 29), None)
    """
    if isinstance(value, _dt.datetime):  # also pandas.Timestamp
        if value != value:  # NaT
            return None
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if type(value).__name__ == "datetime64":
        text = str(value)
        return None if text == "NaT" else _parse(text[:10])
    if isinstance(value, str):
        return _parse(value)
    return None


def read_date(value, field: str = "date") -> _dt.date:
    """``value`` as a :class:`datetime.date`; a :class:`qikit.QIDataError` naming ``field`` otherwise.

    Examples
    --------
    >>> read_date("1/6/17")
    datetime.date(2017, 6, 1)
    >>> read_date("31/02/2026", "by_when")
    Traceback (most recent call last):
    ...
    qikit.errors.QIDataError: by_when='31/02/2026' is not a date qikit can read: write it day first, e.g. '31/03/2026' or '31 March 2026', or as '2026-03-31'.
    """
    date = try_date(value)
    if date is not None:
        return date
    if isinstance(value, str) or isinstance(value, _dt.date):
        raise QIDataError(f"{field}={value!r} is not a date qikit can read: {DATE_HINT}.", column=field)
    raise QIDataError(f"{field} must be a date ({DATE_HINT}), not {value!r}.", column=field)
