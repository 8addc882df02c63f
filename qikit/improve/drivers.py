"""Driver diagrams: the theory of change linking an aim to the ideas a team will test.

A driver diagram reads from left to right: the **aim**; the **primary drivers**, the few things
that must be true for the aim to be met; the **secondary drivers**, the parts of the system that
act on each primary driver; and the **change ideas**, concrete changes to test with PDSA cycles.
A change idea may act on several drivers, so the diagram is a tree whose leaves may be shared.

Sources
-------
- Langley GJ et al. *The Improvement Guide*, 2nd ed. Jossey-Bass, 2009: developing a theory of
  change and change concepts.
- Bennett B, Provost L. What's your theory? Driver diagram serves as tool for building and testing
  theories for improvement. *Quality Progress* 2015;48(7):36-43.
- The Health Foundation. *Quality improvement made simple*, 2021: driver diagrams.

Drawing the diagram with matplotlib belongs to the presentation layer (``qikit.plot``); this
module holds the structure, its validation, and Markdown and Mermaid text exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import QIDataError
from ._util import text

__all__ = ["DriverDiagram"]

_PRIMARY, _SECONDARY, _CHANGE = "primary driver", "secondary driver", "change idea"


def _names(serves, what: str) -> list[str]:
    if serves is None:
        return []
    if isinstance(serves, str):
        serves = [serves]
    return [text(name, f"serves (for {what!r})") for name in serves]


class DriverDiagram:
    """A driver diagram: aim, primary drivers, secondary drivers and change ideas.

    Parameters
    ----------
    aim : AimStatement or str
        The aim the drivers lead to.

    Notes
    -----
    Every element is checked as it is added, so a diagram is always valid: a secondary driver or a
    change idea must name the driver(s) it serves, and those must already exist; a link that would
    make a loop (a driver serving itself through others) is refused. Names are unique within a
    diagram (ignoring case), so the same change idea named under two drivers is one idea serving both.

    Examples
    --------
    >>> dd = DriverDiagram("Reduce inpatient falls on ward 7 from 7.1 to 5 per 1,000 bed-days by March 2026")
    >>> dd.add_primary("Reliable falls risk assessment")
    >>> dd.add_secondary("Assessment within 24 hours of admission", serves="Reliable falls risk assessment")
    >>> dd.add_change_idea("Falls checklist in the admission pack",
    ...                    serves="Assessment within 24 hours of admission")
    >>> print(dd.to_mermaid().splitlines()[0])
    flowchart LR
    """

    def __init__(self, aim):
        from .aims import AimStatement

        self.aim = aim if isinstance(aim, AimStatement) else None
        self.aim_text = aim.text if isinstance(aim, AimStatement) else text(
            aim, "aim", "Give the aim as an AimStatement or a sentence.")
        self._kind: dict[str, str] = {}    # name -> primary driver / secondary driver / change idea
        self._serves: dict[str, list[str]] = {}  # name -> the drivers it serves ([] for a primary driver)

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, aim, drivers: Mapping) -> DriverDiagram:
        """Build a diagram from nested dictionaries.

        Each key of ``drivers`` is a primary driver. Its value is a dict of secondary drivers
        (which may nest further) or a list of change ideas; a secondary driver's value likewise.
        A change idea listed under several drivers serves all of them.

        Examples
        --------
        >>> dd = DriverDiagram.from_dict("Reduce falls", {
        ...     "Safe environment": {"Call bell in reach": ["Bedside safety check at handover"]},
        ...     "Reliable risk assessment": ["Bedside safety check at handover"],
        ... })
        >>> dd.serves("Bedside safety check at handover")
        ('Call bell in reach', 'Reliable risk assessment')
        """
        diagram = cls(aim)
        if not isinstance(drivers, Mapping) or not drivers:
            raise QIDataError("drivers must be a dict whose keys are the primary drivers, e.g. "
                              "{'Reliable risk assessment': ['Falls checklist on admission']}.", column="drivers")

        def add_children(parent: str, children) -> None:
            if isinstance(children, Mapping):
                for name, grandchildren in children.items():
                    diagram.add_secondary(name, serves=parent)
                    add_children(name, grandchildren)
            elif isinstance(children, Iterable) and not isinstance(children, str):
                for idea in children:
                    existing = diagram._find(idea) if isinstance(idea, str) else None
                    if existing is not None and diagram._kind[existing] == _CHANGE:
                        diagram.link(existing, parent)
                    else:
                        diagram.add_change_idea(idea, serves=parent)
            elif children is not None:
                raise QIDataError(f"under driver {parent!r}, give a dict of drivers or a list of change ideas, "
                                  f"not {children!r}.", column="drivers")

        for primary, children in drivers.items():
            diagram.add_primary(primary)
            add_children(text(primary, "primary driver"), children)
        return diagram

    def _find(self, name: str) -> str | None:
        """The stored spelling of ``name`` (names are matched ignoring case), or None."""
        folded = str(name).strip().casefold()
        return next((known for known in self._kind if known.casefold() == folded), None)

    def _new(self, name, kind: str) -> str:
        name = text(name, kind, f"Give the {kind} a short name.")
        existing = self._find(name)
        if existing is not None:
            raise QIDataError(f"{existing!r} is already in the diagram as a {self._kind[existing]}: give each "
                              "driver and change idea its own name.", column=kind)
        return name

    def add_primary(self, name: str) -> None:
        """Add a primary driver (it serves the aim directly)."""
        name = self._new(name, _PRIMARY)
        self._kind[name] = _PRIMARY
        self._serves[name] = []

    def add_secondary(self, name: str, serves: str | Iterable[str]) -> None:
        """Add a secondary driver serving one or more existing drivers (primary or secondary)."""
        name = self._new(name, _SECONDARY)
        parents = self._parents(name, serves, _SECONDARY, allowed=(_PRIMARY, _SECONDARY))
        self._kind[name] = _SECONDARY
        self._serves[name] = parents

    def add_change_idea(self, name: str, serves: str | Iterable[str]) -> None:
        """Add a change idea serving one or more existing drivers (primary or secondary)."""
        name = self._new(name, _CHANGE)
        parents = self._parents(name, serves, _CHANGE, allowed=(_PRIMARY, _SECONDARY))
        self._kind[name] = _CHANGE
        self._serves[name] = parents

    def link(self, name: str, serves: str | Iterable[str]) -> None:
        """Make an existing secondary driver or change idea serve more drivers."""
        known = self._find(name)
        if known is None:
            raise QIDataError(f"{name!r} is not in the diagram yet: add it first.", column="name")
        if self._kind[known] == _PRIMARY:
            raise QIDataError(f"{known!r} is a primary driver: it serves the aim directly and cannot serve "
                              "another driver. Add it as a secondary driver instead.", column="name")
        for parent in self._parents(known, serves, self._kind[known], allowed=(_PRIMARY, _SECONDARY)):
            if parent in self._serves[known]:
                continue
            loop = self._path_up(parent, known)
            if loop is not None:
                chain = " -> ".join([known, *loop])
                raise QIDataError(f"linking {known!r} to {parent!r} would make a loop ({chain}): a driver "
                                  "cannot lead to itself. Every driver must lead towards the aim.",
                                  column="serves")
            self._serves[known].append(parent)

    def _parents(self, name: str, serves, kind: str, allowed: tuple[str, ...]) -> list[str]:
        wanted = _names(serves, name)
        if not wanted:
            raise QIDataError(f"{kind} {name!r} serves no driver, so it would not lead to the aim: name the "
                              f"driver(s) it serves, e.g. serves={next(iter(self._kind), 'a primary driver')!r}.",
                              column="serves")
        parents = []
        for wish in wanted:
            found = self._find(wish)
            if found is None:
                drivers = [n for n, k in self._kind.items() if k != _CHANGE]
                listed = ", ".join(repr(d) for d in drivers) or "none yet"
                raise QIDataError(f"{kind} {name!r} serves {wish!r}, which is not a driver in this diagram "
                                  f"(drivers: {listed}). Add that driver first or check the spelling.",
                                  column="serves")
            if self._kind[found] not in allowed:
                raise QIDataError(f"{kind} {name!r} cannot serve {found!r}, which is a {self._kind[found]}: "
                                  "change ideas and drivers serve drivers.", column="serves")
            if found.casefold() == name.casefold():
                raise QIDataError(f"{name!r} cannot serve itself.", column="serves")
            if found not in parents:
                parents.append(found)
        return parents

    def _path_up(self, start: str, target: str) -> list[str] | None:
        """The chain of 'serves' links from ``start`` up to ``target``, or None if there is none."""
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            if node == target:
                return path
            if node in seen:
                continue
            seen.add(node)
            stack.extend((parent, [*path, parent]) for parent in self._serves.get(node, []))
        return None

    # -- reading -------------------------------------------------------------------------------
    @property
    def primary_drivers(self) -> tuple[str, ...]:
        return tuple(n for n, k in self._kind.items() if k == _PRIMARY)

    @property
    def secondary_drivers(self) -> tuple[str, ...]:
        return tuple(n for n, k in self._kind.items() if k == _SECONDARY)

    @property
    def change_ideas(self) -> tuple[str, ...]:
        return tuple(n for n, k in self._kind.items() if k == _CHANGE)

    def serves(self, name: str) -> tuple[str, ...]:
        """The drivers ``name`` serves (empty for a primary driver, which serves the aim)."""
        known = self._find(name)
        if known is None:
            raise QIDataError(f"{name!r} is not in the diagram.", column="name")
        return tuple(self._serves[known])

    def children(self, name: str | None = None) -> tuple[str, ...]:
        """What serves ``name`` (drivers first, then change ideas); ``None`` means the aim."""
        if name is None:
            return self.primary_drivers
        known = self._find(name)
        if known is None:
            raise QIDataError(f"{name!r} is not in the diagram.", column="name")
        below = [n for n, parents in self._serves.items() if known in parents]
        return tuple(sorted(below, key=lambda n: self._kind[n] == _CHANGE))

    def edges(self) -> list[tuple[str, str | None]]:
        """``(element, what it serves)`` pairs; ``None`` stands for the aim."""
        pairs = []
        for name, parents in self._serves.items():
            pairs.extend([(name, None)] if self._kind[name] == _PRIMARY else [(name, p) for p in parents])
        return pairs

    def check(self) -> list[str]:
        """Gaps worth discussing, in plain words (empty when every driver has change ideas beneath it)."""
        findings = []
        if not self.primary_drivers:
            findings.append("The diagram has no primary drivers: add the few things that must be true for the "
                            "aim to be met.")
        if not self.change_ideas and self.primary_drivers:
            findings.append("The diagram has no change ideas yet: add concrete changes you could test.")
        for name, kind in self._kind.items():
            if kind != _CHANGE and self.change_ideas and not self._leads_to_change(name):
                findings.append(f"{kind.capitalize()} {name!r} has no change idea beneath it: how would you "
                                "act on it?")
        return findings

    def _leads_to_change(self, name: str) -> bool:
        return any(self._kind[child] == _CHANGE or self._leads_to_change(child) for child in self.children(name))

    def validate(self) -> DriverDiagram:
        """Check the structure (at least one primary driver, every element leads to the aim); raise
        :class:`qikit.QIDataError` naming the problem, or return the diagram."""
        if not self.primary_drivers:
            raise QIDataError("the driver diagram has no primary drivers: add at least one with add_primary().",
                              column="primary driver")
        for name, kind in self._kind.items():
            if kind == _PRIMARY:
                continue
            parents = self._serves[name]
            if not parents:
                raise QIDataError(f"{kind} {name!r} serves no driver: link it to the driver(s) it serves.",
                                  column="serves")
            for parent in parents:
                loop = self._path_up(parent, name)
                if loop:
                    raise QIDataError(f"{kind} {name!r} leads back to itself ({' -> '.join([name, *loop])}): "
                                      "remove one of those links.", column="serves")
        return self

    # -- exports -------------------------------------------------------------------------------
    def to_markdown(self) -> str:
        """The diagram as a nested Markdown list (aim, then each primary driver and what serves it).

        A change idea that serves several drivers appears under each, with a note naming the others.

        Examples
        --------
        >>> dd = DriverDiagram("Reduce falls")
        >>> dd.add_primary("Safe environment")
        >>> dd.add_change_idea("Bedside safety check", serves="Safe environment")
        >>> print(dd.to_markdown())
        **Aim:** Reduce falls
        <BLANKLINE>
        - **Primary driver:** Safe environment
          - *Change idea:* Bedside safety check
        """
        self.validate()
        lines = [f"**Aim:** {self.aim_text}", ""]

        def walk(name: str, depth: int, parent: str | None) -> None:
            kind = self._kind[name]
            label = {_PRIMARY: "**Primary driver:**", _SECONDARY: "**Secondary driver:**",
                     _CHANGE: "*Change idea:*"}[kind]
            others = [p for p in self._serves[name] if p != parent] if kind == _CHANGE else []
            note = f" (also serves: {', '.join(others)})" if others else ""
            lines.append(f"{'  ' * depth}- {label} {name}{note}")
            for child in self.children(name):
                walk(child, depth + 1, name)

        for primary in self.primary_drivers:
            walk(primary, 0, None)
        return "\n".join(lines)

    def to_mermaid(self) -> str:
        """The diagram as Mermaid flowchart text (aim on the left, change ideas on the right).

        Paste it into any Markdown cell or viewer that renders Mermaid. Each element appears once;
        a change idea serving several drivers has a line to each.
        """
        self.validate()
        prefix = {_PRIMARY: "P", _SECONDARY: "S", _CHANGE: "C"}
        ids: dict[str, str] = {}
        for kind in (_PRIMARY, _SECONDARY, _CHANGE):
            for number, name in enumerate((n for n, k in self._kind.items() if k == kind), start=1):
                ids[name] = f"{prefix[kind]}{number}"

        def label(words: str) -> str:
            return '"' + words.replace('"', "#quot;").replace("\n", " ") + '"'

        lines = ["flowchart LR", f"    aim[{label('Aim: ' + self.aim_text)}]"]
        lines += [f"    {ids[name]}[{label(name)}]" for name in self._kind]
        for name, parent in self.edges():
            lines.append(f"    {'aim' if parent is None else ids[parent]} --- {ids[name]}")
        lines += ["    classDef aim fill:#005eb8,color:#fff,stroke:#003087",
                  "    classDef primary fill:#41b6e6,stroke:#005eb8",
                  "    classDef secondary fill:#e8edee,stroke:#425563",
                  "    classDef change fill:#fff,stroke:#425563,stroke-dasharray:4 2",
                  "    class aim aim"]
        for kind, css in ((_PRIMARY, "primary"), (_SECONDARY, "secondary"), (_CHANGE, "change")):
            members = [ids[n] for n, k in self._kind.items() if k == kind]
            if members:
                lines.append(f"    class {','.join(members)} {css}")
        return "\n".join(lines)

    # -- files -----------------------------------------------------------------------------------
    def to_record(self) -> dict:
        """The whole diagram as plain JSON-ready values, for :class:`qikit.Project` files.

        Unlike the nested dicts :meth:`from_dict` reads, the record keeps every link, so a secondary
        driver or change idea serving several drivers comes back exactly: ``{"aim": ..., "elements":
        [{"name", "kind", "serves"}, ...]}`` in the order the elements were added. ``aim`` is the
        :class:`AimStatement` as a dict when the diagram was built from one, otherwise its text.

        Examples
        --------
        >>> dd = DriverDiagram.from_dict("Reduce falls", {
        ...     "Safe environment": {"Call bell in reach": ["Bedside safety check"]},
        ...     "Reliable risk assessment": ["Bedside safety check"]})
        >>> again = DriverDiagram.from_record(dd.to_record())
        >>> again.serves("Bedside safety check")
        ('Call bell in reach', 'Reliable risk assessment')
        """
        kinds = {_PRIMARY: "primary", _SECONDARY: "secondary", _CHANGE: "change idea"}
        return {"aim": self.aim.to_dict() if self.aim is not None else self.aim_text,
                "elements": [{"name": name, "kind": kinds[kind], "serves": list(self._serves[name])}
                             for name, kind in self._kind.items()]}

    @classmethod
    def from_record(cls, data: dict) -> DriverDiagram:
        """Rebuild a diagram from :meth:`to_record` output, checking every element as it is added."""
        from .aims import AimStatement

        if not isinstance(data, dict) or set(data) != {"aim", "elements"}:
            raise QIDataError("a driver diagram record must have exactly an 'aim' and a list of 'elements'.",
                              column="drivers")
        aim = AimStatement.from_dict(data["aim"]) if isinstance(data["aim"], dict) else data["aim"]
        diagram = cls(aim)
        elements = data["elements"]
        if not isinstance(elements, list):
            raise QIDataError("the driver diagram's 'elements' must be a list.", column="drivers")
        pending = []  # links to add once every element exists (an element may serve one listed later)
        for number, element in enumerate(elements, start=1):
            if not isinstance(element, dict) or set(element) != {"name", "kind", "serves"}:
                raise QIDataError(f"element {number} of the driver diagram must have exactly a name, a kind "
                                  "and the list of drivers it serves.", column="drivers")
            kind, serves = element["kind"], element["serves"]
            if not isinstance(serves, list):
                raise QIDataError(f"element {number} ({element['name']!r}): 'serves' must be a list.",
                                  column="serves")
            if kind == "primary":
                if serves:
                    raise QIDataError(f"primary driver {element['name']!r} serves the aim, so its 'serves' "
                                      "list must be empty.", column="serves")
                diagram.add_primary(element["name"])
            elif kind in ("secondary", "change idea"):
                name = diagram._new(element["name"], _SECONDARY if kind == "secondary" else _CHANGE)
                diagram._kind[name] = _SECONDARY if kind == "secondary" else _CHANGE
                diagram._serves[name] = []
                pending.append((name, serves))
            else:
                raise QIDataError(f"element {number} ({element['name']!r}) has kind {kind!r}: use 'primary', "
                                  "'secondary' or 'change idea'.", column="kind")
        for name, serves in pending:
            if not serves:
                raise QIDataError(f"{diagram._kind[name]} {name!r} serves no driver: name the driver(s) it serves.",
                                  column="serves")
            diagram.link(name, serves)
        return diagram

    def plot(self, fig=None, **style):
        """Draw the diagram with matplotlib and return the Figure (:func:`qikit.plot.drivers.plot_driver_diagram`)."""
        from ..plot.drivers import plot_driver_diagram

        return plot_driver_diagram(self, fig=fig, **style)

    def __repr__(self) -> str:
        return (f"DriverDiagram({self.aim_text!r}: {len(self.primary_drivers)} primary, "
                f"{len(self.secondary_drivers)} secondary, {len(self.change_ideas)} change ideas)")
