"""Errors and warnings that qikit raises.

Every problem with a trainee's data is reported as a :class:`QIDataError` that says
*what* is wrong and *where* (which column, which rows), in words a clinician can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "QIError",
    "QIDataError",
    "QIProjectError",
    "QIWarning",
    "ProvisionalLimitsWarning",
    "format_rows",
    "rows_phrase",
]


def format_rows(rows: Iterable[object], limit: int = 8) -> str:
    """Render row labels for a message: ``"4, 9 and 12"`` or ``"4, 9, 12, ... (20 rows)"``."""
    rows = [str(r) for r in rows]
    if not rows:
        return ""
    if len(rows) > limit:
        return ", ".join(rows[:limit]) + f", ... ({len(rows)} rows in all)"
    if len(rows) == 1:
        return rows[0]
    return ", ".join(rows[:-1]) + " and " + rows[-1]


def rows_phrase(rows: Sequence[object]) -> str:
    """``"row 4"`` or ``"rows 4, 9 and 12"``: the rows part of a message."""
    rows = list(rows)
    return ("row " if len(rows) == 1 else "rows ") + format_rows(rows)


class QIError(Exception):
    """Base class of every error qikit raises on purpose."""


class QIDataError(QIError, ValueError):
    """The data cannot give a correct chart or result.

    Attributes
    ----------
    column : str or None
        The column (or argument) at fault.
    rows : list
        The row labels at fault (the DataFrame's index labels), possibly empty.
    """

    def __init__(self, message: str, column: str | None = None, rows: Sequence[object] | None = None):
        self.column = column
        self.rows = list(rows) if rows is not None else []
        super().__init__(message)


class QIProjectError(QIError):
    """A project file cannot be opened or saved safely (see :class:`qikit.Project`).

    The message names the file, says what is wrong with it and what to do; the file itself is left
    exactly as it was.

    Attributes
    ----------
    path : str or None
        The project file at fault.
    """

    def __init__(self, message: str, path: object = None):
        self.path = None if path is None else str(path)
        super().__init__(message)


class QIWarning(UserWarning):
    """Something a trainee should know about a result that is still usable."""


class ProvisionalLimitsWarning(QIWarning):
    """Limits rest on too few points to be more than provisional."""
