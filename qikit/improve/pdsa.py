"""PDSA cycles, ramps of cycles, and the log a team keeps of them.

A Plan-Do-Study-Act cycle tests one change on a small scale: **Plan** the test and *predict* what
will happen; **Do** it and record what happened; **Study** the results against the prediction;
**Act**: adopt the change, adapt it for the next cycle, or abandon it. A **ramp** is a sequence of
cycles testing one change idea at growing scale (one patient, one shift, one ward), so that
confidence grows before the change is spread.

Sources
-------
- Langley GJ, Moen RD, Nolan KM, Nolan TW, Norman CL, Provost LP. *The Improvement Guide*,
  2nd ed. Jossey-Bass, 2009: the PDSA cycle, the prediction made in Plan, and sequential
  cycles of increasing scale.
- Taylor MJ, McNicholas C, Nicolay C, Darzi A, Bell D, Reed JE. Systematic review of the
  application of the plan-do-study-act method to improve quality in healthcare.
  *BMJ Qual Saf* 2014;23:290-298: documenting predictions and iterative cycles.
- The Health Foundation. *Quality improvement made simple*, 2021.

Files
-----
:meth:`PDSALog.save` writes human-readable JSON atomically (a temporary file in the same folder,
flushed and synced to disk, then renamed over the old file), so a crash during a save leaves the
previous log intact. :meth:`PDSALog.load` refuses a damaged file or a file that is not a PDSA
log with a :class:`qikit.QIDataError` naming the problem, and never writes to it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import QIDataError
from ._util import as_date, check_fields, optional_date, optional_text, text, write_atomically

__all__ = ["PDSACycle", "Ramp", "PDSALog", "ACT_DECISIONS"]

ACT_DECISIONS = ("adopt", "adapt", "abandon")
"""What the Act step decides (Langley et al., *The Improvement Guide*, 2009)."""

_FORMAT = "qikit-pdsa-log"
_VERSION = 1


@dataclass(frozen=True)
class PDSACycle:
    """One Plan-Do-Study-Act cycle.

    Parameters
    ----------
    title : str
        A short name, unique within a log: ``"Cycle 1: criteria-led discharge, one patient"``.
    objective : str
        What this test is for.
    prediction : str
        What the team expects to happen, written in Plan *before* the test is run. It must be
        recorded before ``do`` is: a cycle with a Do and no prediction is refused.
    plan : str
        Who does what, when and where, and what data will be collected.
    do, study : str, optional
        What happened (including surprises), and how the results compare with the prediction.
        ``study`` needs ``do``.
    act : str, optional
        The decision, starting with ``"adopt"``, ``"adapt"`` or ``"abandon"``; a note may follow,
        e.g. ``"adapt: include weekend discharges"``. ``act`` needs ``study``.
    start, end : datetime.date or str
        When the test starts (required) and ends (``None`` while running). ISO strings such as
        ``"2025-01-06"`` are accepted.
    scale : int, optional
        How many patients, shifts or clinicians the test covers; required within a ramp.
    scale_reason : str, optional
        Why the scale is smaller than the previous cycle of its ramp (a ramp may step back, but
        only for a stated reason).

    Raises
    ------
    qikit.QIDataError
        For empty required text, a Do without a prediction, a Study without a Do, an Act without a
        Study or not starting with adopt/adapt/abandon, an end before the start, or a scale that
        is not a positive whole number.

    Examples
    --------
    >>> cycle = PDSACycle("Cycle 1", "Can the nurse discharge against criteria set on the ward round?",
    ...                   prediction="1 of 1 patients discharged before noon", plan="Sister Khan, bay 2, Monday",
    ...                   do="Patient left at 11:10", study="As predicted; TTO was the wait",
    ...                   act="adapt: order TTOs the day before", start="2025-01-06", end="2025-01-06", scale=1)
    >>> cycle.decision
    'adapt'
    """

    title: str
    objective: str
    prediction: str | None
    plan: str
    do: str | None = None
    study: str | None = None
    act: str | None = None
    start: _dt.date | str | None = None
    end: _dt.date | str | None = None
    scale: int | None = None
    scale_reason: str | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "title", text(self.title, "title", "Give the cycle a short title, e.g. 'Cycle 1'."))
        where = f" (cycle {self.title!r})"
        set_(self, "objective", text(self.objective, "objective" + where, "Say what this test is for."))
        set_(self, "plan", text(self.plan, "plan" + where, "Say who will do what, when and where."))
        for part in ("prediction", "do", "study", "act", "scale_reason"):
            set_(self, part, optional_text(getattr(self, part), part + where))
        if self.do and not self.prediction:
            raise QIDataError(f"cycle {self.title!r} records what happened (do) but has no prediction. Write "
                              "the prediction in Plan, before running the test: what do you expect to happen?",
                              column="prediction")
        if self.study and not self.do:
            raise QIDataError(f"cycle {self.title!r} has a study but no do: record what happened before "
                              "studying it.", column="do")
        if self.act:
            if not self.study:
                raise QIDataError(f"cycle {self.title!r} has an act but no study: compare the results with the "
                                  "prediction before deciding.", column="act")
            if self.decision is None:
                raise QIDataError(f"act={self.act!r} (cycle {self.title!r}) must start with one of "
                                  f"{', '.join(ACT_DECISIONS)}, e.g. 'adapt: try it on the night shift'.",
                                  column="act")
        if self.start is None:
            raise QIDataError(f"cycle {self.title!r} has no start date: give start='2025-01-06' (the day the "
                              "test begins or is planned to begin).", column="start")
        set_(self, "start", as_date(self.start, "start" + where))
        set_(self, "end", optional_date(self.end, "end" + where))
        if self.end is not None and self.end < self.start:
            raise QIDataError(f"cycle {self.title!r} ends ({self.end.isoformat()}) before it starts "
                              f"({self.start.isoformat()}): check the two dates.", column="end")
        if self.scale is not None:
            if isinstance(self.scale, bool) or not isinstance(self.scale, int) or self.scale < 1:
                raise QIDataError(f"scale={self.scale!r} (cycle {self.title!r}) must be a whole number of "
                                  "patients, shifts or staff, 1 or more.", column="scale")

    @property
    def decision(self) -> str | None:
        """``"adopt"``, ``"adapt"`` or ``"abandon"`` (the first word of ``act``), or None."""
        if not self.act:
            return None
        first = self.act.strip().split(maxsplit=1)[0].strip(":;,.-").lower()
        return first if first in ACT_DECISIONS else None

    def to_dict(self) -> dict:
        """The cycle as plain JSON-ready values (dates as ISO strings)."""
        out = dataclasses.asdict(self)
        out["start"] = self.start.isoformat()
        out["end"] = self.end.isoformat() if self.end else None
        return out

    @classmethod
    def from_dict(cls, data: dict) -> PDSACycle:
        """Rebuild a cycle from :meth:`to_dict` output, validating it like a new one.

        Examples
        --------
        >>> cycle = PDSACycle("Cycle 1", "Does the sticker help?", "3 of 5 stickered", "Bay 2, Monday",
        ...                   start="06/01/2025", scale=5)
        >>> PDSACycle.from_dict(cycle.to_dict()) == cycle
        True
        """
        title = data.get("title", "") if isinstance(data, dict) else ""
        return cls(**check_fields(data, [f.name for f in dataclasses.fields(cls)],
                                  ("title", "objective", "prediction", "plan"), "a PDSA cycle", f"cycle {title!r}", "cycle"))


@dataclass(frozen=True)
class Ramp:
    """A named sequence of cycles testing one change idea at growing scale (read-only view).

    Get ramps from :attr:`PDSALog.ramps`; add cycles with ``log.add(cycle, ramp=name)``.
    """

    name: str
    change_idea: str
    cycles: tuple[PDSACycle, ...]

    @property
    def scales(self) -> list[int]:
        """The scale of each cycle, in order."""
        return [c.scale for c in self.cycles]


class PDSALog:
    """A project's log of PDSA cycles, some grouped in ramps.

    Parameters
    ----------
    title : str
        The project, e.g. ``"Discharge before noon, ward 7"``.

    Notes
    -----
    Each addition is validated: cycle titles are unique; a cycle in a ramp has a scale, starts no
    earlier than the ramp's previous cycle, and has a scale no smaller than the previous cycle's
    unless ``scale_reason`` says why (Langley et al. 2009: build confidence by increasing the scale
    of tests step by step).

    Examples
    --------
    >>> log = PDSALog("Discharge before noon, ward 7")
    >>> log.add_ramp("Criteria-led discharge",
    ...              change_idea="Nurses discharge against criteria set on the ward round")
    >>> log.add(PDSACycle("Cycle 1", "Works for one patient?", "Discharged by noon", "Bay 2, Monday",
    ...                   start="2025-01-06", scale=1), ramp="Criteria-led discharge")
    >>> log.add(PDSACycle("Cycle 2", "Works for a whole bay?", "4 of 6 by noon", "Bay 2, all week",
    ...                   start="2025-01-13", scale=6), ramp="Criteria-led discharge")
    >>> log.ramps[0].scales
    [1, 6]
    >>> log.annotations()[0]
    (Timestamp('2025-01-06 00:00:00'), 'Cycle 1')
    """

    def __init__(self, title: str):
        self.title = text(title, "title", "Name the project, e.g. 'Discharge before noon, ward 7'.")
        self._ramps: dict[str, str] = {}  # ramp name -> change idea
        self._entries: list[tuple[PDSACycle, str | None]] = []  # (cycle, ramp name) in the order added

    # -- building ------------------------------------------------------------------------------
    def add_ramp(self, name: str, change_idea: str) -> None:
        """Start a ramp: a sequence of cycles testing ``change_idea`` at growing scale."""
        name = text(name, "ramp name", "Name the ramp, e.g. 'Criteria-led discharge'.")
        if self._ramp_name(name) is not None:
            raise QIDataError(f"there is already a ramp called {name!r}: give each ramp its own name.",
                              column="ramp")
        self._ramps[name] = text(change_idea, "change_idea", "Say which change idea the ramp tests.")

    def add(self, cycle: PDSACycle, ramp: str | None = None) -> None:
        """Add a cycle, on its own or as the next cycle of ``ramp``."""
        if not isinstance(cycle, PDSACycle):
            raise QIDataError(f"{cycle!r} is not a PDSACycle: build it with qikit.PDSACycle(...).", column="cycle")
        same = [c.title for c, _ in self._entries if c.title.casefold() == cycle.title.casefold()]
        if same:
            raise QIDataError(f"the log already has a cycle called {same[0]!r}: give each cycle its own "
                              "title (e.g. 'Cycle 3').", column="title")
        ramp_name = None
        if ramp is not None:
            ramp_name = self._ramp_name(ramp)
            if ramp_name is None:
                known = ", ".join(repr(r) for r in self._ramps) or "none yet"
                raise QIDataError(f"there is no ramp called {ramp!r} (ramps: {known}). Start it with "
                                  f"log.add_ramp({ramp!r}, change_idea=...).", column="ramp")
            previous = [c for c, r in self._entries if r == ramp_name]
            self._check_step(ramp_name, previous[-1] if previous else None, cycle)
        self._entries.append((cycle, ramp_name))

    def record(self, title: str, **changes) -> PDSACycle:
        """Record later steps of a cycle already in the log (``do=``, ``study=``, ``act=``, ``end=``, ...).

        The updated cycle is validated like a new one (a Do still needs its prediction) and
        replaces the old one; returns the updated cycle.
        """
        for position, (cycle, ramp) in enumerate(self._entries):
            if cycle.title.casefold() == str(title).casefold():
                unknown = set(changes) - {f.name for f in dataclasses.fields(PDSACycle)}
                if unknown:
                    raise QIDataError(f"a PDSA cycle has no field {', '.join(sorted(unknown))}.", column="title")
                updated = dataclasses.replace(cycle, **changes)
                if ramp is not None:
                    siblings = [c for c, r in self._entries if r == ramp]
                    at = siblings.index(cycle)
                    self._check_step(ramp, siblings[at - 1] if at else None, updated)
                    if at + 1 < len(siblings):
                        self._check_step(ramp, updated, siblings[at + 1])
                self._entries[position] = (updated, ramp)
                return updated
        raise QIDataError(f"the log has no cycle called {title!r}.", column="title")

    def _ramp_name(self, name: str) -> str | None:
        folded = str(name).strip().casefold()
        return next((known for known in self._ramps if known.casefold() == folded), None)

    @staticmethod
    def _check_step(ramp: str, before: PDSACycle | None, cycle: PDSACycle) -> None:
        if cycle.scale is None:
            raise QIDataError(f"cycle {cycle.title!r} is in ramp {ramp!r} but has no scale: say how many "
                              "patients, shifts or staff it covers (scale=1, 5, ...).", column="scale")
        if before is None:
            return
        if cycle.start < before.start:
            raise QIDataError(f"cycle {cycle.title!r} starts ({cycle.start.isoformat()}) before the previous "
                              f"cycle of ramp {ramp!r}, {before.title!r} ({before.start.isoformat()}): add the "
                              "cycles of a ramp in the order they were run.", column="start")
        if cycle.scale < before.scale and not cycle.scale_reason:
            raise QIDataError(f"in ramp {ramp!r} the scale falls from {before.scale} ({before.title!r}) to "
                              f"{cycle.scale} ({cycle.title!r}). A ramp grows; if stepping back was deliberate, "
                              "say why with scale_reason='...'.", column="scale")

    # -- reading -------------------------------------------------------------------------------
    @property
    def cycles(self) -> tuple[PDSACycle, ...]:
        """All cycles, ordered by start date (cycles starting the same day keep the order added)."""
        return tuple(sorted((c for c, _ in self._entries), key=lambda c: c.start))

    @property
    def ramps(self) -> list[Ramp]:
        """The ramps, each with its cycles in order."""
        return [Ramp(name, idea, tuple(c for c, r in self._entries if r == name))
                for name, idea in self._ramps.items()]

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"PDSALog({self.title!r}: {len(self._entries)} cycles, {len(self._ramps)} ramps)"

    def to_frame(self) -> pd.DataFrame:
        """One row per cycle (ordered by start): title, ramp, start, end, scale, decision, prediction."""
        ramp_of = {id(c): r for c, r in self._entries}
        rows = [{"title": c.title, "ramp": ramp_of[id(c)], "start": pd.Timestamp(c.start),
                 "end": pd.Timestamp(c.end) if c.end else pd.NaT, "scale": c.scale,
                 "decision": c.decision, "prediction": c.prediction} for c in self.cycles]
        frame = pd.DataFrame(rows, columns=["title", "ramp", "start", "end", "scale", "decision", "prediction"])
        frame["scale"] = frame["scale"].astype("Int64")
        frame["start"] = pd.to_datetime(frame["start"])
        frame["end"] = pd.to_datetime(frame["end"])
        return frame

    def annotations(self) -> list[tuple[pd.Timestamp, str]]:
        """``(x, text)`` pairs for the chart layer: each cycle's start date and its title, with the
        Act decision in brackets once made, e.g. ``(Timestamp('2025-01-06'), 'Cycle 1 (adapt)')``."""
        return [(pd.Timestamp(c.start), f"{c.title} ({c.decision})" if c.decision else c.title)
                for c in self.cycles]

    # -- files -----------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The log as JSON-ready data (what :meth:`save` writes)."""
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "title": self.title,
            "ramps": [{"name": name, "change_idea": idea} for name, idea in self._ramps.items()],
            "cycles": [{**c.to_dict(), "ramp": r} for c, r in self._entries],
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "the data") -> PDSALog:
        """Rebuild a log from :meth:`to_dict` output, validating every cycle and ramp."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise QIDataError(f"{source} is not a qikit PDSA log: it has no \"format\": \"{_FORMAT}\" entry. "
                              "Load a file written by PDSALog.save().", column="format")
        version = data.get("version")
        if not isinstance(version, int) or version > _VERSION or version < 1:
            raise QIDataError(f"{source} is a PDSA log of version {version!r}, which this qikit cannot read "
                              f"(it reads version {_VERSION}). Update qikit.", column="version")
        for key, kind in (("title", str), ("ramps", list), ("cycles", list)):
            if not isinstance(data.get(key), kind):
                raise QIDataError(f"{source} is damaged: its {key!r} entry is missing or is not a "
                                  f"{'list' if kind is list else 'text'}.", column=key)
        log = cls(data["title"])
        fields = {f.name for f in dataclasses.fields(PDSACycle)}
        try:
            for number, ramp in enumerate(data["ramps"], start=1):
                if not isinstance(ramp, dict) or set(ramp) != {"name", "change_idea"}:
                    raise QIDataError(f"ramp {number} should have exactly a name and a change_idea.",
                                      column="ramps")
                log.add_ramp(ramp["name"], ramp["change_idea"])
            for number, entry in enumerate(data["cycles"], start=1):
                if not isinstance(entry, dict):
                    raise QIDataError(f"cycle {number} is not a set of named fields.", column="cycles")
                unknown = sorted(set(entry) - fields - {"ramp"})
                if unknown:
                    raise QIDataError(f"cycle {number} has unknown fields {', '.join(map(repr, unknown))} "
                                      "(a typing mistake?).", column="cycles")
                values = {k: v for k, v in entry.items() if k != "ramp"}
                try:
                    cycle = PDSACycle(**values)
                except TypeError as error:  # a required field is absent
                    raise QIDataError(f"cycle {number} is incomplete ({error}).", column="cycles") from None
                log.add(cycle, ramp=entry.get("ramp"))
        except QIDataError as error:
            raise QIDataError(f"{source} holds an invalid PDSA log: {error}", column=error.column) from None
        return log

    def save(self, path: str | os.PathLike) -> Path:
        """Write the log to ``path`` as readable JSON, atomically; returns the path.

        The JSON goes to a temporary file in the same folder, which is flushed and synced to disk
        and then renamed over ``path`` in one step (``os.replace``). If anything fails on the way,
        the temporary file is removed and the previous ``path`` is untouched. An existing file at
        ``path`` that is not a PDSA log is never overwritten.
        """
        path = Path(path)
        if path.exists():
            try:
                existing = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                existing = None
            if not isinstance(existing, dict) or existing.get("format") != _FORMAT:
                raise QIDataError(f"{path} already exists and is not a PDSA log, so qikit will not overwrite "
                                  "it. Choose another file name.", column="path")
        data = self.to_dict()

        def write(handle) -> None:
            text = io.TextIOWrapper(handle, encoding="utf-8")
            json.dump(data, text, indent=2, ensure_ascii=False)
            text.write("\n")
            text.flush()
            text.detach()

        write_atomically(path, write)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> PDSALog:
        """Read a log written by :meth:`save`.

        Raises
        ------
        FileNotFoundError
            When there is no file at ``path``.
        qikit.QIDataError
            When the file is not valid JSON (a damaged file), is not a PDSA log, or holds an invalid
            cycle; the message names the problem. The file is only read, never changed.
        """
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise QIDataError(f"{path} is not a text file, so it cannot be a PDSA log.", column="path") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise QIDataError(f"{path} is damaged: it is not valid JSON ({error.msg} at line {error.lineno}, "
                              f"column {error.colno}). The file was left as it is.", column="path") from None
        return cls.from_dict(data, source=str(path))
