"""Small pieces shared by the improvement toolkit (aims, measures, PDSA logs, projects, ...).

The input checks return a clean value or raise :class:`qikit.QIDataError` naming the argument at
fault and saying, in plain words, what to write instead. The file helpers save a trainee's work so that
a crash or a full disk never leaves a half-written file: write beside it, sync, rename over it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import numbers
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

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


# ------------------------------------------------------------------------------------------ fields
def check_fields(data, known: Iterable[str], required: Iterable[str], kind: str, what: str, column: str) -> dict:
    """``data`` as a dict of named fields from a saved file: refuse a non-dict (naming the ``kind`` of thing,
    e.g. "an aim"), an unknown field (a typing mistake in a hand-edited file) or a missing required one
    (naming ``what`` it is, e.g. "measure 'Falls'")."""
    known = list(known)
    if not isinstance(data, dict):
        raise QIDataError(f"{kind} must be a set of named fields ({', '.join(known)}), not {data!r}.",
                          column=column)
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise QIDataError(f"{what} has unknown fields {', '.join(map(repr, unknown))} "
                          f"(it can have: {', '.join(known)}).", column=column)
    missing = [key for key in required if data.get(key) is None]
    if missing:
        raise QIDataError(f"{what} has no {' and no '.join(missing)}.", column=missing[0])
    return data


# ------------------------------------------------------------------------------------------- files
def file_mode(path: Path) -> int:
    """Permissions for a saved file: those of the file it replaces, else the usual ones for a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)  # reading the umask means setting it; put it straight back
        os.umask(mask)
        return 0o666 & ~mask


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the operating system allows it."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def write_temporary(path: Path, write: Callable[[IO[bytes]], object], mode: int) -> str:
    """Write a new temporary file beside ``path`` with ``write(handle)``, give it ``mode`` and sync it to disk;
    return its name. On any failure the temporary file is removed and the error raised."""
    handle = tempfile.NamedTemporaryFile("wb", dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            os.chmod(handle.name, mode)  # temporary files are private (0600); give the usual permissions
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
    return handle.name


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], mode: int | None = None) -> None:
    """Replace ``path`` in one step with what ``write(handle)`` writes: a temporary file beside it, synced,
    then renamed over it (``os.replace``). If anything fails the old file is untouched."""
    name = write_temporary(path, write, file_mode(path) if mode is None else mode)
    try:
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    sync_folder(path.parent)
