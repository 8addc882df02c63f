"""Stakeholder analysis: who a change affects, how much say they have, and how the team will engage them.

A :class:`StakeholderMap` holds one row per stakeholder, each a dictionary with exactly the keys of
``qikit.Project.stakeholders``::

    {"name": "Sister Okafor", "role": "ward sister, ward 12", "power": "high", "interest": "high",
     "stance": "champion", "engage": "co-leads the project; weekly catch-up"}

**The power/interest grid.** Each stakeholder sits in one of four quadrants by their power over the change
(can they make it happen or stop it?) and their interest in it (does it change their work or their care?).
The grid is Mendelow's (1991); the four ways of engaging each quadrant are the labels the NHS uses in its
improvement tools:

=================  =================  =====================================================
power / interest   quadrant           how to engage
=================  =================  =====================================================
high / high        manage closely     involve them in designing and testing the change
high / low         keep satisfied     brief them and ask for what you need, in their terms
low / high         keep informed      keep them up to date and give them ways to take part
low / low          monitor            check from time to time whether their place has moved
=================  =================  =====================================================

**Feedback as data.** :data:`FEEDBACK_RULES` is a table of the gaps a tutor looks for in a trainee's grid
(a powerful sceptic with no plan, no patient or carer voice, nobody from the staff who do the work, everyone
in one quadrant, ...). :meth:`StakeholderMap.feedback` applies them and returns plain sentences. Which
group a role belongs to (patients and carers, staff who do the work, leaders, support services) is read from
the role's words with :data:`ROLE_GROUPS`, a table too.

Sources
-------
- Mendelow A. Stakeholder mapping. *Proceedings of the 2nd International Conference on Information Systems*,
  Cambridge, MA, 1991 (the power/interest grid).
- NHS England and NHS Improvement. *Stakeholder analysis*, Quality, Service Improvement and Redesign (QSIR)
  tools, 2018 (the four quadrants: manage closely, keep satisfied, keep informed, monitor).
- ImproveWell. *A guide to Quality Improvement in health and care* (stakeholder feedback; engaging staff,
  patients and carers; communicating early and often).
- Academy of Medical Royal Colleges. *Quality improvement: training for better outcomes*, 2016,
  recommendation 3 (patient involvement at every level).

Examples
--------
>>> m = StakeholderMap.from_records([
...     {"name": "Sister Okafor", "role": "ward sister", "power": "high", "interest": "high",
...      "stance": "champion", "engage": "co-leads the project"},
...     {"name": "Dr Hale", "role": "consultant physician", "power": "high", "interest": "low",
...      "stance": "sceptic", "engage": ""}])
>>> m.quadrant("Dr Hale")
'keep satisfied'
>>> print(m.feedback()[0])
Dr Hale (consultant physician) has the power to stop the change and is a sceptic, but has no engagement plan yet: say how you will meet them, listen to their concerns and what you will ask of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

import pandas as pd

from ..errors import QIDataError

__all__ = ["StakeholderMap", "KEYS", "LEVELS", "STANCES", "QUADRANTS", "ROLE_GROUPS", "FEEDBACK_RULES",
           "GROUP_NAMES", "quadrant_of", "role_group"]

#: The keys of one stakeholder record, in order (the same as ``qikit.Project.stakeholders``).
KEYS = ("name", "role", "power", "interest", "stance", "engage")
#: The two levels of power and of interest.
LEVELS = ("high", "low")
#: Stances towards the change, from most to least supportive.
STANCES = ("champion", "supporter", "neutral", "sceptic", "blocker")
_STANCE_WORDS = {"skeptic": "sceptic", "sceptical": "sceptic", "skeptical": "sceptic", "supportive": "supporter",
                 "resistant": "blocker", "opposed": "blocker", "against": "blocker", "for": "supporter"}


class Quadrant(NamedTuple):
    name: str
    power: str
    interest: str
    engage: str


#: The four quadrants of the power/interest grid (Mendelow 1991; labels as in NHS QSIR tools), with advice.
QUADRANTS: tuple[Quadrant, ...] = (
    Quadrant("manage closely", "high", "high",
             "involve them in designing and testing the change, and meet them regularly"),
    Quadrant("keep satisfied", "high", "low",
             "brief them in their own terms, ask for what you need from them, and do not overload them"),
    Quadrant("keep informed", "low", "high",
             "keep them up to date and give them easy ways to take part and give feedback"),
    Quadrant("monitor", "low", "low",
             "check now and then whether their power or interest has changed"),
)
_QUADRANT = {(q.power, q.interest): q for q in QUADRANTS}


def quadrant_of(power: str, interest: str) -> str:
    """The quadrant of the power/interest grid for ``power`` and ``interest`` ("high" or "low").

    Examples
    --------
    >>> quadrant_of("low", "high")
    'keep informed'
    """
    key = (_level(power, "power"), _level(interest, "interest"))
    return _QUADRANT[key].name


class RoleGroup(NamedTuple):
    key: str
    words: tuple[str, ...]


#: The groups a stakeholder can belong to, by key.
GROUP_NAMES = {"patient": "patients, carers and families", "frontline": "staff who do the work",
               "leader": "leaders and managers", "support": "support services", "other": "others"}

#: Words that place a role in a group, read in order: the first entry with a matching word wins, so the
#: more specific words come first ("chief nurse" is a leader, "ward manager" frontline staff, "manager" a
#: leader). ``frontline`` is the staff who do the work the change touches.
ROLE_GROUPS: tuple[RoleGroup, ...] = (
    RoleGroup("patient", ("patient", "carer", "relative", "family", "families", "daughter", "son", "wife",
                          "husband", "partner of", "parent", "service user", "lay member", "lay representative",
                          "public", "healthwatch", "expert by experience", "experts by experience",
                          "resident of")),
    RoleGroup("leader", ("chief", "director", "executive", "board", "matron", "divisional", "head of",
                         "governance", "general manager", "service manager", "operations manager")),
    RoleGroup("frontline", ("nurse", "sister", "charge nurse", "ward manager", "healthcare assistant",
                            "health care assistant", "hca", "nursing associate", "support worker", "doctor", "fy1",
                            "fy2", "foundation", "sho", "registrar", "resident", "junior", "consultant",
                            "physician", "surgeon", "outreach", "physio", "physiotherapist", "therapist",
                            "occupational", "pharmacist", "ward clerk", "porter", "midwife", "paramedic",
                            "student", "bank staff", "agency staff", "night staff", "frontline", "front line",
                            "ward team")),
    RoleGroup("leader", ("manager", "clinical lead", "lead for", "commissioner")),
    RoleGroup("support", ("it", "digital", "informatics", "estates", "procurement", "finance", "educator",
                          "education team", "communications", "resuscitation", "quality improvement team",
                          "qi team", "analyst", "audit")),
)


def role_group(role: str) -> str:
    """The group a role belongs to (a key of :data:`GROUP_NAMES`), read with :data:`ROLE_GROUPS`.

    Patients and carers are checked first, so "relative of a patient on ward 12" is a patient voice; "ward
    manager" and "night charge nurse" are staff who do the work, "chief nurse" and "matron" leaders.

    Examples
    --------
    >>> role_group("Healthcare assistant, nights"), role_group("Daughter of a patient"), role_group("Matron")
    ('frontline', 'patient', 'leader')
    """
    text = re.sub(r"[^a-z0-9]+", " ", str(role).lower()).strip()
    for group in ROLE_GROUPS:
        for word in group.words:
            if re.search(r"(?<![a-z0-9])" + re.escape(word) + r"s?(?![a-z0-9])", text):
                return group.key
    return "other"


def _level(value, field: str, where: str = "") -> str:
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in LEVELS:
        raise QIDataError(f"{field}{where} must be 'high' or 'low', not {value!r}.", column=field)
    return text


# --------------------------------------------------------------------------------------------- feedback
class Rule(NamedTuple):
    """One thing a tutor looks for in a grid: ``applies(table)`` returns the rows it is about (an empty
    frame when the grid is fine), ``message`` is formatted with ``names`` (those rows, as "Name (role)")."""

    key: str
    level: str  # "gap" (something missing that matters) or "note" (worth a second look)
    applies: Callable[[pd.DataFrame], pd.DataFrame | bool]
    message: str


def _names(rows: pd.DataFrame) -> str:
    items = [f"{n} ({r})" for n, r in zip(rows["name"], rows["role"], strict=True)]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _blank(series: pd.Series) -> pd.Series:
    return series.str.strip().isin(["", "...", "…"])


FEEDBACK_RULES: tuple[Rule, ...] = (
    Rule("powerful_opponent_unplanned", "gap",
         lambda t: t[(t["power"] == "high") & t["stance"].isin(["sceptic", "blocker"]) & _blank(t["engage"])],
         "{names} {has} the power to stop the change and {is_} {stance}, but {has} no engagement plan yet: say "
         "how you will meet them, listen to their concerns and what you will ask of them."),
    Rule("no_patient_voice", "gap",
         lambda t: not (t["group"] == "patient").any(),
         "There is no patient, carer or family voice on the grid. The people who receive the care see what staff "
         "cannot: add patients or carers (for example through the ward's patient panel) and say how they will "
         "shape the change."),
    Rule("no_frontline", "gap",
         lambda t: not (t["group"] == "frontline").any(),
         "Nobody on the grid does the work the change touches (nurses, healthcare assistants, doctors on the "
         "ward). They know how the process really runs and will make or break it: add them."),
    Rule("one_quadrant", "gap",
         lambda t: len(t) >= 3 and t["quadrant"].nunique() == 1,
         "Everyone is in one quadrant ({quadrant}). Ask again, person by person: who could stop the change, and "
         "whose daily work or care does it alter? Stakeholders rarely all have the same power and interest."),
    Rule("no_champion", "gap",
         lambda t: not t["stance"].isin(["champion", "supporter"]).any(),
         "No one on the grid supports the change yet. Find at least one champion, someone known and trusted by "
         "colleagues, before you start testing."),
    Rule("close_unplanned", "note",
         lambda t: t[(t["quadrant"] == "manage closely") & _blank(t["engage"])
                     & ~t["stance"].isin(["sceptic", "blocker"])],
         "{names} {is_} to be managed closely but {has} no engagement plan: say how they will be involved in "
         "designing and testing the change."),
    Rule("few", "note",
         lambda t: 0 < len(t) < 4,
         "Only {count} stakeholder{s} so far. A change to a ward process usually touches more people: think of "
         "each shift, each profession, the patients and those who must approve or fund it."),
)


# --------------------------------------------------------------------------------------------- the map
class StakeholderMap:
    """The stakeholders of one change, with their place on the power/interest grid.

    Build it with :meth:`from_records` (a list of dictionaries with the keys in :data:`KEYS`) and read it
    back with :meth:`to_records`; :meth:`table` adds the quadrant and group of each stakeholder,
    :meth:`feedback` says what a tutor would point out, :meth:`explain` reads the grid in sentences.

    Bad input raises :class:`qikit.QIDataError` naming the record (counted from 1) and the key at fault.
    """

    def __init__(self, records: Iterable[Mapping] = (), *, change: str = ""):
        self.change = str(change or "")
        self._rows: list[dict] = []
        for n, record in enumerate(records, start=1):
            self._rows.append(self._clean(record, n))
        self._check_unique()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_records(cls, records, *, change: str = "") -> StakeholderMap:
        """A map from a list of stakeholder dictionaries (``qikit.Project.stakeholders``), another map, or a
        DataFrame with one row per stakeholder and the columns in :data:`KEYS`."""
        if isinstance(records, StakeholderMap):
            return cls(records.to_records(), change=change or records.change)
        if isinstance(records, pd.DataFrame):  # e.g. a table read from a spreadsheet, one row per stakeholder
            records = records.astype(object).where(records.notna(), None).to_dict("records")
        if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
            raise QIDataError("Give the stakeholders as a list of dictionaries, one per stakeholder, each with "
                              f"the keys {', '.join(KEYS)}.", column="stakeholders")
        return cls(list(records), change=change)

    def to_records(self) -> list[dict]:
        """The stakeholders as a list of dictionaries with exactly the keys in :data:`KEYS`, in order."""
        return [{k: row[k] for k in KEYS} for row in self._rows]

    @staticmethod
    def _clean(record, n: int) -> dict:
        where = f" of stakeholder {n}"
        if not isinstance(record, Mapping):
            raise QIDataError(f"Stakeholder {n} must be a dictionary with the keys {', '.join(KEYS)}, not "
                              f"{type(record).__name__}.", column="stakeholders", rows=[n])
        missing = [k for k in KEYS if k not in record]
        extra = [str(k) for k in record if k not in KEYS]
        if missing:
            raise QIDataError(f"Stakeholder {n} has no {', '.join(repr(k) for k in missing)}: every stakeholder "
                              f"needs {', '.join(KEYS)} ('engage' may be an empty text).", column=missing[0],
                              rows=[n])
        if extra:
            raise QIDataError(f"Stakeholder {n} has unknown key(s) {', '.join(repr(k) for k in extra)}: use only "
                              f"{', '.join(KEYS)}.", column=extra[0], rows=[n])
        row = {}
        for key in ("name", "role"):
            value = record[key]
            if not isinstance(value, str) or not value.strip() or value.strip() in ("...", "…"):
                raise QIDataError(f"The {key}{where} must be a short text, not {value!r}.", column=key, rows=[n])
            row[key] = value.strip()
        row["power"] = _level(record["power"], "power", where)
        row["interest"] = _level(record["interest"], "interest", where)
        stance = record["stance"]
        text = stance.strip().lower() if isinstance(stance, str) else None
        text = _STANCE_WORDS.get(text, text)
        if text not in STANCES:
            raise QIDataError(f"The stance{where} must be one of {', '.join(STANCES)}, not {stance!r}.",
                              column="stance", rows=[n])
        row["stance"] = text
        engage = record["engage"]
        if engage is None:
            engage = ""
        if not isinstance(engage, str):
            raise QIDataError(f"'engage'{where} must be text (how you will engage them), not {engage!r}.",
                              column="engage", rows=[n])
        row["engage"] = engage.strip()
        return row

    def _check_unique(self) -> None:
        seen: dict[str, int] = {}
        for n, row in enumerate(self._rows, start=1):
            key = row["name"].casefold()
            if key in seen:
                raise QIDataError(f"Stakeholders {seen[key]} and {n} are both called {row['name']!r}: give each "
                                  "a different name (add their role or shift if two people share a name).",
                                  column="name", rows=[seen[key], n])
            seen[key] = n

    # ------------------------------------------------------------------ editing
    def add(self, name: str, role: str, power: str, interest: str, stance: str = "neutral",
            engage: str = "") -> StakeholderMap:
        """Add a stakeholder (a new name) or replace the one with this name; returns the map."""
        row = self._clean(dict(name=name, role=role, power=power, interest=interest, stance=stance,
                               engage=engage), len(self._rows) + 1)
        for i, old in enumerate(self._rows):
            if old["name"].casefold() == row["name"].casefold():
                self._rows[i] = row
                return self
        self._rows.append(row)
        return self

    def remove(self, name: str) -> StakeholderMap:
        """Remove the stakeholder called ``name``; returns the map."""
        for i, row in enumerate(self._rows):
            if row["name"].casefold() == str(name).strip().casefold():
                del self._rows[i]
                return self
        raise QIDataError(f"There is no stakeholder called {name!r} (names: "
                          f"{', '.join(r['name'] for r in self._rows) or 'none yet'}).", column="name")

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self):
        return iter(self.to_records())

    def __eq__(self, other) -> bool:
        return isinstance(other, StakeholderMap) and self.to_records() == other.to_records()

    def __repr__(self) -> str:
        counts = self.table()["quadrant"].value_counts()
        parts = ", ".join(f"{q.name} {int(counts.get(q.name, 0))}" for q in QUADRANTS)
        return f"StakeholderMap({len(self)} stakeholders: {parts})"

    def quadrant(self, name: str) -> str:
        """The quadrant of the stakeholder called ``name``."""
        for row in self._rows:
            if row["name"].casefold() == str(name).strip().casefold():
                return quadrant_of(row["power"], row["interest"])
        raise QIDataError(f"There is no stakeholder called {name!r}.", column="name")

    def table(self) -> pd.DataFrame:
        """One row per stakeholder: the record's keys, then ``quadrant``, ``group`` (from the role, see
        :func:`role_group`) and ``advice`` (how to engage that quadrant)."""
        frame = pd.DataFrame(self.to_records(), columns=list(KEYS)).astype(object)
        quadrants = [_QUADRANT[p, i] for p, i in zip(frame["power"], frame["interest"], strict=True)]
        return frame.assign(quadrant=[q.name for q in quadrants],
                            group=[role_group(r) for r in frame["role"]],
                            advice=[q.engage for q in quadrants])

    def review(self) -> pd.DataFrame:
        """The rules of :data:`FEEDBACK_RULES` that apply to this grid: columns ``rule``, ``level``,
        ``message`` (empty when a tutor would find nothing to point out)."""
        table = self.table()
        found = []
        if not len(table):
            found.append(("empty", "gap", "The grid is empty. Start with the people whose work or care the "
                                          "change alters, and the people who could stop it."))
        else:
            for rule in FEEDBACK_RULES:
                hit = rule.applies(table)
                if isinstance(hit, pd.DataFrame):
                    if hit.empty:
                        continue
                    several = len(hit) > 1
                    stances = sorted(set(hit["stance"]), reverse=True)
                    stance = ("a " + stances[0] if not several else
                              " or ".join(s + "s" for s in stances))
                    message = rule.message.format(
                        names=_names(hit), has="have" if several else "has", is_="are" if several else "is",
                        stance=stance, count=len(table), s="" if len(table) == 1 else "s",
                        quadrant=table["quadrant"].iloc[0])
                elif hit:
                    message = rule.message.format(count=len(table), s="" if len(table) == 1 else "s",
                                                  quadrant=table["quadrant"].iloc[0])
                else:
                    continue
                found.append((rule.key, rule.level, message))
        return pd.DataFrame(found, columns=["rule", "level", "message"])

    def feedback(self) -> list[str]:
        """What a tutor would point out about this grid, as plain sentences (gaps first); ``[]`` when none."""
        review = self.review()
        order = review["level"].map({"gap": 0, "note": 1})
        return review.assign(_o=order).sort_values("_o", kind="stable")["message"].tolist()

    def explain(self) -> str:
        """The grid in sentences: who is in each quadrant and how to engage them, then the feedback."""
        if not len(self):
            return "No stakeholders yet."
        table = self.table()
        what = f" for {self.change}" if self.change else ""
        lines = [f"{len(table)} stakeholder{'s' if len(table) != 1 else ''}{what}."]
        for q in QUADRANTS:
            rows = table[table["quadrant"] == q.name]
            if len(rows):
                lines.append(f"{q.name.capitalize()} ({q.power} power, {q.interest} interest): "
                             f"{', '.join(rows['name'])}. {q.engage.capitalize()}.")
        notes = self.feedback()
        lines += ["To look at again:", *[f"- {n}" for n in notes]] if notes else ["Nothing obvious is missing."]
        return "\n".join(lines)

    def plot(self, ax=None):
        """Draw the power/interest grid (:func:`qikit.widgets.stakeholders.plot_stakeholder_grid`)."""
        from ..widgets.stakeholders import plot_stakeholder_grid

        return plot_stakeholder_grid(self, ax=ax)
