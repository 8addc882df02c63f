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
    """Return ``value`` as a :class:`datetime.date`, read by :func:`qikit.dates.read_date`.

    Accepts a ``datetime.date``, a ``datetime.datetime`` or pandas ``Timestamp`` (the time of day is
    dropped), or text written day first as in the UK (``"31/03/2026"``, ``"31 March 2026"``) or in ISO
    8601 (``"2026-03-31"``).
    """
    from ..dates import read_date

    return read_date(value, field)


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
    """``31 March 2026``: the unambiguous form used in sentences (:func:`qikit.display.fmt_date`)."""
    from ..display import fmt_date

    return fmt_date(day, "long")
