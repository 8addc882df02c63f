"""Small input checks shared by the improvement toolkit (aims, measures, PDSA logs, ...).

Each check returns a clean value or raises :class:`qikit.QIDataError` naming the argument at
fault and saying, in plain words, what to write instead.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers

from ..errors import QIDataError


def as_date(value, field: str) -> _dt.date:
    """Return ``value`` as a :class:`datetime.date`.

    Accepts a ``datetime.date``, a ``datetime.datetime`` or pandas ``Timestamp`` (the time of day is
    dropped) or an ISO 8601 string such as ``"2026-03-31"``.
    """
    if isinstance(value, _dt.datetime):  # also pandas.Timestamp, a datetime subclass
        if value != value:  # NaT
            raise QIDataError(f"{field} is empty (NaT): give a date such as 2026-03-31.", column=field)
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return _dt.date.fromisoformat(text)
        except ValueError:
            pass
        try:
            return _dt.datetime.fromisoformat(text).date()
        except ValueError:
            pass
        raise QIDataError(
            f"{field}={value!r} is not a date qikit can read. Write it as year-month-day, "
            "for example '2026-03-31', or pass a datetime.date.", column=field)
    raise QIDataError(
        f"{field} must be a date such as '2026-03-31' or datetime.date(2026, 3, 31), not {value!r}.",
        column=field)


def optional_date(value, field: str) -> _dt.date | None:
    """Like :func:`as_date`, but ``None`` (not recorded yet) is allowed."""
    return None if value is None else as_date(value, field)


def text(value, field: str, hint: str = "") -> str:
    """A required piece of text: a non-empty string, returned stripped."""
    if not isinstance(value, str) or not value.strip():
        got = "an empty text" if isinstance(value, str) else repr(value)
        raise QIDataError(f"{field} must be a short piece of text, but it is {got}. {hint}".strip(),
                          column=field)
    return value.strip()


def optional_text(value, field: str) -> str | None:
    """Optional text: ``None`` or blank becomes ``None``; anything that is not a string is refused."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise QIDataError(f"{field} must be text (or None), not {value!r}.", column=field)
    return value.strip() or None


def is_number(value) -> bool:
    """True for a real, finite number that is not a bool."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def long_date(day: _dt.date) -> str:
    """``31 March 2026``: the unambiguous form used in sentences."""
    return f"{day.day} {day:%B %Y}"
