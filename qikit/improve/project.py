"""One improvement project in one file: aim, measures, driver diagram, stakeholders, PDSA log, data, notes.

A trainee's QI project outlives a notebook session and often a rotation. :class:`Project` keeps the
whole of it in one human-readable JSON file that can be opened next week, on another machine, or by
a supervisor, and turned into a portfolio write-up with :meth:`Project.report`::

    p = Project.create("falls-ward7.qiproject.json", "Fewer falls on ward 7", owner="Dr A Patel")
    p.aim = AimStatement(...)
    p.save()
    ...
    p = Project.open("falls-ward7.qiproject.json")     # next week

Files
-----
The file is JSON with a ``"format": "qikit-project"`` entry and a ``schema_version``. Saving is
atomic: the new text goes to a temporary file in the same folder, is flushed and synced to disk,
and is then renamed over the old file in one step (``os.replace``), so a crash or a full disk during
a save leaves the previous file as it was. Before that, the previous good file is copied (also
atomically) to ``<name>.bak``. A file that is damaged, is not a qikit project, or was written by a
newer qikit is reported with a :class:`qikit.errors.QIProjectError` naming the file, the problem and
what to do, and is never written to: :meth:`Project.save` refuses to replace such a file.

The data table is stored as rows together with each column's pandas dtype, so dates, whole numbers,
decimals, blanks and text (including UK dates kept as text, such as ``"01/06/2025"``) come back
exactly as they were read.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import decimal
import functools
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import QIDataError, QIProjectError
from ._util import file_mode, sync_folder, write_atomically, write_temporary
from .aims import AimStatement
from .drivers import DriverDiagram
from .measures import Measure
from .pdsa import PDSACycle

__all__ = ["Project", "SCHEMA_VERSION", "SQUIRE_SECTIONS", "STAKEHOLDER_KEYS", "STAKEHOLDER_STANCES",
           "squire_sections"]

FORMAT = "qikit-project"
SCHEMA_VERSION = 1
"""The version of the project file layout this qikit writes (and the newest it reads)."""

STAKEHOLDER_KEYS = ("name", "role", "power", "interest", "stance", "engage")
"""The keys of each stakeholder dict, shared with ``qikit.improve.stakeholders`` and the forms."""
STAKEHOLDER_LEVELS = ("high", "low")
STAKEHOLDER_STANCES = ("champion", "supporter", "neutral", "sceptic", "blocker")
DATA_SPEC_KEYS = ("x", "y", "n", "chart", "title")


def squire_sections() -> list[dict]:
    """The SQUIRE 2.0 sections a write-up follows, as a list of dicts (``id``, ``part``, ``heading``,
    ``item``, ``prompt``), read from the package data file ``squire.json``.

    ``id`` is the key of :attr:`Project.notes`. Source: Ogrinc G, Davies L, Goodman D, Batalden P,
    Davidoff F, Stevens D. SQUIRE 2.0 (Standards for QUality Improvement Reporting Excellence): revised
    publication guidelines from a detailed consensus process. *BMJ Qual Saf* 2016;25:986-992.

    Examples
    --------
    >>> [s["id"] for s in squire_sections()][:4]
    ['title', 'abstract', 'problem', 'available_knowledge']
    >>> len(squire_sections())
    18
    """
    return [dict(section) for section in _package_json("squire.json")["sections"]]


@functools.cache
def _package_json(name: str) -> dict:
    """A JSON data file shipped beside this module (read once)."""
    return json.loads(resources.files("qikit.improve").joinpath(name).read_text(encoding="utf-8"))


def _squire_ids() -> tuple[str, ...]:
    return tuple(section["id"] for section in squire_sections())


# ---------------------------------------------------------------------------------------------
# The data table: rows plus each column's dtype, so that a table comes back exactly as it was read.
# ---------------------------------------------------------------------------------------------
def _is_missing(value) -> bool:
    try:
        return value is None or value is pd.NA or value is pd.NaT or bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays and other things pd.isna cannot answer with one bool
        return False


def _encode_loose(value):
    """One value of a text (object) column as JSON: text, a number, true/false, a tagged date, or null."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if np.isfinite(number) else {"float": str(number)}
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return {"timestamp": pd.Timestamp(value).isoformat()}
    if isinstance(value, _dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def _decode_loose(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        if tag == "timestamp":
            return pd.Timestamp(text)
        if tag == "date":
            return _dt.date.fromisoformat(text)
        if tag == "float":
            return float(text)
    if value is None:
        return np.nan
    return value


def _blanks_to_none(values: list, missing: np.ndarray) -> list:
    for position in np.flatnonzero(missing):
        values[position] = None
    return values


def _encode_column(series: pd.Series) -> tuple[dict, list]:
    """Describe a column (``{"name", "dtype", ...}``) and turn its values into JSON values (whole columns at a
    time; only text columns look at each value, and only at values that are not text)."""
    dtype = series.dtype
    info: dict = {"name": series.name, "dtype": str(dtype)}
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.CategoricalDtype):
        categories = [_encode_loose(c) for c in dtype.categories]
        info["categories"] = categories
        info["ordered"] = bool(dtype.ordered)
        return info, [None if code < 0 else categories[code] for code in series.cat.codes.tolist()]
    kind = dtype.kind
    if kind == "M":  # ISO 8601, as short as each value allows; time-zone aware columns in UTC ("Z")
        stamps = series
        zone = getattr(dtype, "tz", None)
        if zone is not None:
            stamps = series.dt.tz_convert("UTC").dt.tz_localize(None)
        text = np.datetime_as_string(stamps.to_numpy(), unit="auto").tolist()
        if zone is not None:
            text = [t + "Z" for t in text]
        return info, _blanks_to_none(text, missing)
    if kind == "m":
        return info, _blanks_to_none(series.astype(str).tolist(), missing)
    if kind == "f":
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        values = numbers.tolist()
        for position in np.flatnonzero(np.isinf(numbers)):
            values[position] = str(values[position])  # "inf" / "-inf": JSON has no infinity
        return info, _blanks_to_none(values, missing)
    if kind in "iu":
        filled = series.fillna(0) if missing.any() else series
        return info, _blanks_to_none(filled.to_numpy(dtype="uint64" if kind == "u" else "int64").tolist(), missing)
    if kind == "b":
        filled = series.fillna(False) if missing.any() else series
        return info, _blanks_to_none(filled.to_numpy(dtype=bool).tolist(), missing)
    values = series.to_numpy(dtype=object).tolist()
    return info, _blanks_to_none([v if type(v) is str else _encode_loose(v) for v in values], missing)


def _decode_column(info: dict, values: list) -> pd.Series:
    dtype = info["dtype"]
    name = info["name"]
    if dtype == "category":
        categories = [_decode_loose(c) for c in info.get("categories", [])]
        decoded = [None if v is None else _decode_loose(v) for v in values]
        return pd.Series(pd.Categorical(decoded, categories=categories, ordered=bool(info.get("ordered"))),
                         name=name)
    if dtype.startswith("datetime64"):
        tz = re.search(r"datetime64\[\w+, (.+)\]", dtype)
        if tz:
            stamps = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")
            return stamps.dt.tz_convert(tz.group(1)).astype(dtype).rename(name)
        return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601").astype(dtype).rename(name)
    if dtype.startswith("timedelta64"):
        return pd.to_timedelta(pd.Series(values, dtype=object)).astype(dtype).rename(name)
    if dtype == "object":
        return pd.Series([_decode_loose(v) for v in values], dtype=object, name=name)
    if dtype == "str":  # pandas 3's text type, whose blanks are NaN
        return pd.Series([np.nan if v is None else v for v in values], dtype="str", name=name)
    if dtype == "string":
        return pd.Series(values, dtype="string", name=name)
    series = pd.Series([np.nan if v is None and dtype.startswith("float") else v for v in values],
                       dtype=object, name=name)
    if dtype.startswith("float"):
        return series.astype("float64").astype(dtype)
    return series.astype(dtype)


def _frame_to_json(frame: pd.DataFrame) -> dict:
    names = list(frame.columns)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise QIDataError(f"the data's column names must be text; {', '.join(map(repr, bad))} is not. Rename "
                          "the columns (e.g. df.columns = [str(c) for c in df.columns]).", column=str(bad[0]))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QIDataError(f"the data has two columns called {', '.join(map(repr, repeated))}: give each column "
                          "its own name.", column=repeated[0])
    columns, cells = [], []
    for name in names:
        info, values = _encode_column(frame[name])
        columns.append(info)
        cells.append(values)
    out: dict = {"columns": columns, "rows": [list(row) for row in zip(*cells, strict=True)]}
    if not frame.columns.empty and not cells:
        out["rows"] = []
    if len(frame.columns) == 0:
        out["length"] = len(frame)
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None):
        info, values = _encode_column(pd.Series(index, name=index.name))
        out["index"] = {**info, "values": values}
    return out


def _frame_from_json(data: dict) -> pd.DataFrame:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list) or not isinstance(
            data.get("rows"), list):
        raise QIDataError("the data must have a list of 'columns' and a list of 'rows'.", column="data")
    columns = data["columns"]
    for number, info in enumerate(columns, start=1):
        if not isinstance(info, dict) or not isinstance(info.get("name"), str) or not isinstance(
                info.get("dtype"), str):
            raise QIDataError(f"column {number} of the data has no name or dtype.", column="data")
    width = len(columns)
    for number, row in enumerate(data["rows"], start=1):
        if not isinstance(row, list) or len(row) != width:
            raise QIDataError(f"row {number} of the data does not have {width} values.", column="data")
    series = {}
    for position, info in enumerate(columns):
        values = [row[position] for row in data["rows"]]
        try:
            series[info["name"]] = _decode_column(info, values)
        except (TypeError, ValueError, KeyError) as error:
            raise QIDataError(f"column {info['name']!r} of the data cannot be read as {info['dtype']} "
                              f"({error}).", column=info["name"]) from None
    frame = pd.DataFrame(series) if series else pd.DataFrame(index=pd.RangeIndex(int(data.get("length", 0))))
    if "index" in data:
        index = data["index"]
        try:
            labels = _decode_column(index, index["values"])
        except (TypeError, ValueError, KeyError) as error:
            raise QIDataError(f"the data's row labels cannot be read ({error}).", column="data") from None
        if len(labels) != len(frame):
            raise QIDataError("the data has a different number of row labels and rows.", column="data")
        frame.index = pd.Index(labels, name=index.get("name"))
    return frame


# ---------------------------------------------------------------------------------------------
# Checks of what the trainee put in the project (in memory) before it is written.
# ---------------------------------------------------------------------------------------------
def _check_stakeholder(entry, number: int) -> dict:
    where = f"stakeholder {number}"
    if not isinstance(entry, dict):
        raise QIDataError(f"{where} must be a dict with the keys {', '.join(STAKEHOLDER_KEYS)}, not {entry!r}.",
                          column="stakeholders")
    unknown = sorted(set(entry) - set(STAKEHOLDER_KEYS))
    missing = [k for k in STAKEHOLDER_KEYS if k not in entry]
    if unknown or missing:
        parts = ([f"unknown keys {', '.join(map(repr, unknown))}"] if unknown else []) + (
            [f"no {', '.join(map(repr, missing))}"] if missing else [])
        raise QIDataError(f"{where} has {' and '.join(parts)}: each stakeholder has exactly "
                          f"{', '.join(STAKEHOLDER_KEYS)}.", column="stakeholders")
    out = {}
    for key in STAKEHOLDER_KEYS:
        value = entry[key]
        if not isinstance(value, str):
            raise QIDataError(f"{where}'s {key} must be text, not {value!r}.", column="stakeholders")
        out[key] = value.strip()
    if not out["name"]:
        raise QIDataError(f"{where} has no name: say who they are (a person or a group, e.g. 'Ward 7 "
                          "night nurses').", column="stakeholders")
    where = f"stakeholder {number} ({out['name']!r})"
    for key, allowed in (("power", STAKEHOLDER_LEVELS), ("interest", STAKEHOLDER_LEVELS),
                         ("stance", STAKEHOLDER_STANCES)):
        out[key] = out[key].lower()
        if out[key] not in allowed:
            raise QIDataError(f"{where}: {key}={entry[key]!r} is not one of {', '.join(allowed)}.",
                              column="stakeholders")
    return out


def _jsonable(value, where: str):
    """Check that ``value`` (a data_spec entry) is plain JSON: text, number, true/false, null, list or dict."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not np.isfinite(value):
            raise QIDataError(f"{where} is {value!r}: give a finite number.", column="data_spec")
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return _jsonable(value.item(), where)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v, where) for k, v in value.items()}
    raise QIDataError(f"{where} is {value!r}, which cannot be written to a project file: use text or numbers.",
                      column="data_spec")


class Project:
    """A QI project kept in one human-readable JSON file (see the module notes for how it is saved).

    Make one with :meth:`create` and reopen it with :meth:`open`; do not call ``Project(...)`` directly.
    Then fill in the attributes, and :meth:`save` whenever you want to keep your work.

    Attributes
    ----------
    path : pathlib.Path
        The project file (read-only).
    title, owner, setting : str
        The project's title, who leads it, and where it happens (e.g. ``"Ward 7, care of older people"``).
    aim : AimStatement or None
    measures : list of Measure
        The family of measures, each with its operational definition.
    drivers : DriverDiagram or None
    stakeholders : list of dict
        Each exactly ``{"name", "role", "power": "high"|"low", "interest": "high"|"low",
        "stance": "champion"|"supporter"|"neutral"|"sceptic"|"blocker", "engage": how you will engage them}``.
    pdsa : list of PDSACycle
    data : pandas.DataFrame or None
        The project's data as read (stored with each column's type, so it comes back the same).
    data_spec : dict
        How to chart the data: ``{"x": column, "y": column, "n": column or None, "chart": "run" | "i" |
        "p" | ..., "title": text}`` (the arguments of :func:`qikit.spc`).
    notes : dict of str to str
        The trainee's own words for the write-up, keyed by SQUIRE 2.0 section id (:data:`SQUIRE_SECTIONS`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> p = Project.create(folder / "falls.qiproject.json", "Fewer falls on ward 7", owner="Dr A Patel")
    >>> p.notes["problem"] = "Ward 7 had 9 falls in March."
    >>> p.save().name
    'falls.qiproject.json'
    >>> Project.open(folder / "falls.qiproject.json").notes["problem"]
    'Ward 7 had 9 falls in March.'
    """

    def __init__(self, path, title: str, *, owner: str = "", setting: str = "", _token: object = None):
        if _token is not _PRIVATE:
            raise QIProjectError("Use qikit.Project.create(path, title) for a new project or "
                                 "qikit.Project.open(path) for an existing one.", path=path)
        self._path = Path(path)
        self.title = title
        self.owner = owner
        self.setting = setting
        self.aim: AimStatement | None = None
        self.measures: list[Measure] = []
        self.drivers: DriverDiagram | None = None
        self.stakeholders: list[dict] = []
        self.pdsa: list[PDSACycle] = []
        self.data: pd.DataFrame | None = None
        self.data_spec: dict = {}
        self.notes: dict[str, str] = {}
        self._id = uuid.uuid4().hex
        self._created = _now()
        self._on_disk: str | None = None  # fingerprint of the file as this object last read or wrote it

    # -- the file ----------------------------------------------------------------------------------
    @property
    def path(self) -> Path:
        """The project file."""
        return self._path

    @property
    def backup_path(self) -> Path:
        """Where the previous good copy is kept: the file's name with ``.bak`` added."""
        return self._path.with_name(self._path.name + ".bak")

    @classmethod
    def create(cls, path, title: str, *, owner: str = "", setting: str = "") -> Project:
        """Start a new project and write its file at once; refuses when ``path`` already exists.

        Raises
        ------
        qikit.errors.QIProjectError
            When a file (or folder) is already at ``path`` (open it with :meth:`open` instead) or the
            folder does not exist.
        qikit.QIDataError
            When ``title`` is empty.
        """
        path = Path(path)
        if not isinstance(title, str) or not title.strip():
            raise QIDataError("title must be a short piece of text naming the project, e.g. "
                              "'Fewer falls on ward 7'.", column="title")
        if path.exists() or path.is_symlink():
            raise QIProjectError(f"{path} already exists, so qikit will not start a new project there. To carry "
                                 f"on with it, use qikit.Project.open({str(path)!r}); to start afresh, choose "
                                 "another file name.", path=path)
        if not path.parent.is_dir():
            raise QIProjectError(f"cannot create {path}: the folder {path.parent} does not exist. Create the "
                                 "folder first or choose a file in an existing folder.", path=path)
        project = cls(path, title.strip(), owner=owner, setting=setting, _token=_PRIVATE)
        content = project._serialise()
        # Claim the name without ever replacing a file that appeared meanwhile: a hard link fails if the name
        # is taken. Where hard links are not allowed, fall back to an exclusive create.
        name = write_temporary(path, lambda handle: handle.write(content), file_mode(path))
        try:
            try:
                os.link(name, path)
            except FileExistsError:
                raise QIProjectError(f"{path} appeared while the project was being created; it was left as "
                                     "it is. Open it or choose another file name.", path=path) from None
            except OSError:
                try:
                    with open(path, "xb") as claim:
                        claim.write(content)
                        claim.flush()
                        os.fsync(claim.fileno())
                except FileExistsError:
                    raise QIProjectError(f"{path} appeared while the project was being created; it was left "
                                         "as it is. Open it or choose another file name.", path=path) from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        sync_folder(path.parent)
        project._on_disk = hashlib.sha256(content).hexdigest()
        return project

    @classmethod
    def open(cls, path) -> Project:
        """Open a project file written by :meth:`save`.

        Raises
        ------
        qikit.errors.QIProjectError
            When there is no such file, or it is damaged (not JSON, cut short, an entry that is not
            valid), is not a qikit project, or was written by a newer qikit. The message names the
            file, what is wrong and what to do; the file is only read, never changed.
        """
        path = Path(path)
        data, raw = _read(path)
        project = cls(path, data["title"], owner=data["owner"], setting=data["setting"], _token=_PRIVATE)
        project._id = data["id"]
        project._created = data["created"]
        project._on_disk = hashlib.sha256(raw).hexdigest()
        try:
            project._load(data)
        except QIDataError as error:
            raise QIProjectError(_damaged(path, f"an entry is not valid: {error}"), path=path) from None
        return project

    def save(self) -> Path:
        """Save the project atomically and return its path.

        The previous good copy is kept as :attr:`backup_path`. Nothing is written when the project holds
        something that cannot be saved (the message says what), and a file now at :attr:`path` that is
        damaged, newer, another project, or saved by someone else since this one was opened or saved (another
        notebook, another session) is never replaced.
        """
        content = self._serialise()  # every check first: a project that cannot be written changes nothing
        path = self._path
        mode = file_mode(path)
        if path.exists() or path.is_symlink():
            current, raw = _read(path)  # raises, without writing, for a damaged or newer file
            if current["id"] != self._id:
                raise QIProjectError(f"{path} now holds a different project ({current['title']!r}), so qikit "
                                     "will not overwrite it. Save this one elsewhere with "
                                     "p.save_as('another-name.qiproject.json').", path=path)
            if self._on_disk is not None and hashlib.sha256(raw).hexdigest() != self._on_disk:
                raise QIProjectError(f"{path} was saved by someone else (another notebook or session, saved at "
                                     f"{current.get('saved', 'an unknown time')}) after you opened it, so qikit will "
                                     "not overwrite their work. Keep yours with p.save_as('another-name.qiproject"
                                     ".json'), or open the file again with qikit.Project.open to carry on from "
                                     "theirs.", path=path)
            write_atomically(self.backup_path, lambda handle: handle.write(raw), mode)
        write_atomically(path, lambda handle: handle.write(content), mode)
        self._on_disk = hashlib.sha256(content).hexdigest()
        return path

    def save_as(self, path) -> Path:
        """Save the project to a new file (which must not exist yet) and carry on working there."""
        path = Path(path)
        if path.exists() or path.is_symlink():
            raise QIProjectError(f"{path} already exists, so qikit will not overwrite it. Choose another "
                                 "file name.", path=path)
        if not path.parent.is_dir():
            raise QIProjectError(f"cannot save to {path}: the folder {path.parent} does not exist.", path=path)
        old = self._path, self._id
        self._path, self._id = path, uuid.uuid4().hex  # a copy is a project of its own from now on
        try:
            content = self._serialise()
            write_atomically(path, lambda handle: handle.write(content))
        except BaseException:
            self._path, self._id = old
            raise
        self._on_disk = hashlib.sha256(content).hexdigest()
        return path

    # -- JSON ---------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The whole project as JSON-ready data (what :meth:`save` writes), after checking every part."""
        if not isinstance(self.title, str) or not self.title.strip():
            raise QIDataError("the project's title is empty: give it a short title.", column="title")
        for name in ("owner", "setting"):
            if not isinstance(getattr(self, name), str):
                raise QIDataError(f"the project's {name} must be text.", column=name)
        if self.aim is not None and not isinstance(self.aim, AimStatement):
            raise QIDataError(f"p.aim must be an AimStatement (or None), not {self.aim!r}.", column="aim")
        measures = _list_of(self.measures, Measure, "measures", "a Measure")
        cycles = _list_of(self.pdsa, PDSACycle, "pdsa", "a PDSACycle")
        titles = [c.title.casefold() for c in cycles]
        repeated = sorted({c.title for c in cycles if titles.count(c.title.casefold()) > 1})
        if repeated:
            raise QIDataError(f"two PDSA cycles are called {', '.join(map(repr, repeated))}: give each its own "
                              "title.", column="pdsa")
        names = [m.name.casefold() for m in measures]
        repeated = sorted({m.name for m in measures if names.count(m.name.casefold()) > 1})
        if repeated:
            raise QIDataError(f"two measures are called {', '.join(map(repr, repeated))}: give each its own "
                              "name.", column="measures")
        if self.drivers is not None and not isinstance(self.drivers, DriverDiagram):
            raise QIDataError(f"p.drivers must be a DriverDiagram (or None), not {self.drivers!r}.",
                              column="drivers")
        if not isinstance(self.stakeholders, list):
            raise QIDataError("p.stakeholders must be a list of dicts.", column="stakeholders")
        stakeholders = [_check_stakeholder(s, i) for i, s in enumerate(self.stakeholders, start=1)]
        if self.data is not None and not isinstance(self.data, pd.DataFrame):
            raise QIDataError(f"p.data must be a pandas DataFrame (or None), not {type(self.data).__name__}.",
                              column="data")
        if not isinstance(self.data_spec, dict):
            raise QIDataError("p.data_spec must be a dict such as {'x': 'week', 'y': 'minutes', 'chart': 'i'}.",
                              column="data_spec")
        spec = {str(k): _jsonable(v, f"data_spec[{k!r}]") for k, v in self.data_spec.items()}
        if not isinstance(self.notes, dict):
            raise QIDataError("p.notes must be a dict of section id to text.", column="notes")
        notes = {}
        known = _squire_ids()
        for key, value in self.notes.items():
            if key not in known:
                raise QIDataError(f"p.notes has a section {key!r} that SQUIRE 2.0 does not have; use one of: "
                                  f"{', '.join(known)}.", column="notes")
            if not isinstance(value, str):
                raise QIDataError(f"p.notes[{key!r}] must be text, not {value!r}.", column="notes")
            notes[key] = value
        return {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "id": self._id,
            "title": self.title.strip(),
            "owner": self.owner,
            "setting": self.setting,
            "created": self._created,
            "saved": _now(),
            "aim": None if self.aim is None else self.aim.to_dict(),
            "measures": [m.to_dict() for m in measures],
            "drivers": None if self.drivers is None else self.drivers.to_record(),
            "stakeholders": stakeholders,
            "pdsa": [c.to_dict() for c in cycles],
            "data": None if self.data is None else _frame_to_json(self.data),
            "data_spec": spec,
            "notes": {key: notes[key] for key in known if key in notes},
        }

    def _serialise(self) -> bytes:
        data = self.to_dict()
        rows = None
        if data["data"] is not None:  # one data row per line keeps the file readable and diff-able
            rows = data["data"]["rows"]
            marker = f"@@rows-{uuid.uuid4().hex}@@"
            data["data"]["rows"] = marker
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
        if rows is not None:
            encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # one encoder for every row
            lines = ",\n      ".join(encoder.encode(row) for row in rows)
            text = text.replace(json.dumps(marker), f"[\n      {lines}\n    ]" if rows else "[]", 1)
        return (text + "\n").encode("utf-8")

    def _load(self, data: dict) -> None:
        self.aim = None if data["aim"] is None else AimStatement.from_dict(data["aim"])
        self.measures = [Measure.from_dict(m) for m in _entries(data, "measures")]
        self.drivers = None if data["drivers"] is None else DriverDiagram.from_record(data["drivers"])
        self.stakeholders = [_check_stakeholder(s, i) for i, s in enumerate(_entries(data, "stakeholders"), 1)]
        self.pdsa = [PDSACycle.from_dict(c) for c in _entries(data, "pdsa")]
        self.data = None if data["data"] is None else _frame_from_json(data["data"])
        if not isinstance(data["data_spec"], dict):
            raise QIDataError("'data_spec' must be a set of named values.", column="data_spec")
        self.data_spec = dict(data["data_spec"])
        notes = data["notes"]
        if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
            raise QIDataError("'notes' must be a set of section ids with text.", column="notes")
        unknown = sorted(set(notes) - set(_squire_ids()))
        if unknown:
            raise QIDataError(f"'notes' has sections SQUIRE 2.0 does not have: {', '.join(map(repr, unknown))}.",
                              column="notes")
        self.notes = dict(notes)
        # Everything read must also be writable: catches what only the in-memory checks know about.
        self.to_dict()

    # -- reading -------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        parts = [f"aim: {'yes' if self.aim else 'no'}", f"{len(self.measures)} measures",
                 f"driver diagram: {'yes' if self.drivers else 'no'}", f"{len(self.stakeholders)} stakeholders",
                 f"{len(self.pdsa)} PDSA cycles",
                 f"data: {'none' if self.data is None else f'{len(self.data)} rows'}"]
        return f"Project({self.title!r} at {str(self._path)!r}; {', '.join(parts)})"

    def assessment(self) -> pd.DataFrame:
        """The project against published QI project assessment criteria: one row per criterion with
        ``criterion``, ``met`` (bool) and ``missing`` (what to add, empty when met). See
        :mod:`qikit.improve.report` for the criteria and their sources."""
        from .report import assess

        return assess(self)

    def report(self, path=None) -> Path:
        """Write the portfolio write-up as one self-contained HTML file and return its path.

        ``path`` defaults to the project file's name with ``.html`` in place of ``.json``. Open it in a
        browser and print to PDF for the e-portfolio. See :func:`qikit.improve.report.write_report`.
        """
        from .report import write_report

        return write_report(self, path)


_PRIVATE = object()


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _list_of(values, kind: type, name: str, what: str) -> list:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise QIDataError(f"p.{name} must be a list of {what.split(' ', 1)[1]}s.", column=name)
    values = list(values)
    for position, value in enumerate(values, start=1):
        if not isinstance(value, kind):
            raise QIDataError(f"item {position} of p.{name} is {value!r}, not {what}.", column=name)
    return values


def _entries(data: dict, key: str) -> list:
    value = data[key]
    if not isinstance(value, list):
        raise QIDataError(f"'{key}' must be a list.", column=key)
    return value


def _damaged(path: Path, problem: str) -> str:
    backup = path.with_name(path.name + ".bak")
    advice = (f"The previous good copy is {backup}: copy it to a new name and open that. " if backup.exists()
              else "If you have a copy (e.g. downloaded earlier), open that instead. ")
    return (f"{path} cannot be opened: {problem}. The file was left exactly as it is. {advice}Ask your tutor if "
            "you need help reading the file (it is plain text).")


def _read(path: Path) -> tuple[dict, bytes]:
    """Read and check a project file's outer layout (the data and the bytes read); raise QIProjectError
    without ever writing."""
    if path.is_dir():
        raise QIProjectError(f"{path} is a folder, not a project file. Give the path of the .json file.", path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise QIProjectError(f"there is no project file at {path}. Check the name and folder, or start a new "
                             f"project with qikit.Project.create({str(path)!r}, title).", path=path) from None
    except OSError as error:
        raise QIProjectError(f"{path} cannot be read ({error.strerror}). Check that the file is yours and not "
                             "open in another program.", path=path) from None
    if not raw.strip():
        raise QIProjectError(_damaged(path, "it is empty (a save may have been interrupted)"), path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise QIProjectError(_damaged(path, "it is not a text file, so it cannot be a qikit project"),
                             path=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise QIProjectError(_damaged(path, f"it is not valid JSON ({error.msg} at line {error.lineno}, column "
                                            f"{error.colno}); it may have been cut short or edited by hand"),
                             path=path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise QIProjectError(f"{path} is not a qikit project file (it has no \"format\": \"{FORMAT}\" entry), so "
                             "qikit will neither read nor overwrite it. Check that you chose the right file.",
                             path=path)
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise QIProjectError(_damaged(path, f"its schema_version is {version!r}, not a whole number"), path=path)
    if version > SCHEMA_VERSION:
        raise QIProjectError(f"{path} was saved by a newer qikit (project file version {version}; this qikit reads "
                             f"up to version {SCHEMA_VERSION}). It was left as it is: update qikit "
                             "(pip install --upgrade qikit-course, or ask your course's JupyterHub admin) and "
                             "open it again.", path=path)
    wanted = {"id": str, "title": str, "owner": str, "setting": str, "created": str, "aim": (dict, type(None)),
              "measures": list, "drivers": (dict, type(None)), "stakeholders": list, "pdsa": list,
              "data": (dict, type(None)), "data_spec": dict, "notes": dict}
    for key, kind in wanted.items():
        if key not in data:
            raise QIProjectError(_damaged(path, f"its {key!r} entry is missing"), path=path)
        if not isinstance(data[key], kind):
            raise QIProjectError(_damaged(path, f"its {key!r} entry has the wrong type"), path=path)
    unknown = sorted(set(data) - set(wanted) - {"format", "schema_version", "saved"})
    if unknown:
        raise QIProjectError(_damaged(path, f"it has entries a version {version} project file cannot have: "
                                            f"{', '.join(map(repr, unknown))}"), path=path)
    return data, raw


SQUIRE_SECTIONS = _squire_ids()
"""The SQUIRE 2.0 section ids, in the order of the guideline: the keys of :attr:`Project.notes`."""
