"""``stakeholder_grid()``: fill in a power/interest grid with a form, see it drawn, and read what a tutor would
point out.

The form adds, edits and removes stakeholders (name, role, power, interest, stance, how you will engage
them); the grid is redrawn after each change and the feedback comes from
:meth:`qikit.improve.stakeholders.StakeholderMap.feedback`, so the widget never judges a grid itself.
A problem with what was typed (a blank name, a duplicate) is shown in the form as a sentence, never as a
traceback.

:func:`plot_stakeholder_grid` draws the grid with matplotlib. Stances differ by marker shape as well as by
Okabe-Ito colour (:mod:`qikit.plot.style`), so the grid reads in greyscale and to colour-blind readers;
quadrant names are printed in each quadrant, so position carries the meaning, not colour.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable

import ipywidgets as widgets

from ..errors import QIError
from ..improve.stakeholders import QUADRANTS, STANCES, StakeholderMap
from ..plot.style import OKABE_ITO

__all__ = ["stakeholder_grid", "StakeholderGrid", "plot_stakeholder_grid", "describe_grid", "STANCE_STYLE"]

#: How each stance is drawn: shape first (it survives greyscale), colour second.
STANCE_STYLE = {
    "champion": dict(marker="^", color=OKABE_ITO["blue"], label="champion"),
    "supporter": dict(marker="o", color=OKABE_ITO["bluish_green"], label="supporter"),
    "neutral": dict(marker="s", color="#7F7F7F", label="neutral"),
    "sceptic": dict(marker="v", color=OKABE_ITO["orange"], label="sceptic"),
    "blocker": dict(marker="X", color=OKABE_ITO["vermillion"], label="blocker"),
}
#: Where each quadrant sits: (x, y) of its lower-left corner, interest on x and power on y.
_CORNER = {"manage closely": (1, 1), "keep satisfied": (0, 1), "keep informed": (1, 0), "monitor": (0, 0)}

#: Roles offered in the form (any other role may be typed).
ROLE_SUGGESTIONS = (
    "Patient", "Relative or carer", "Patient panel member", "Staff nurse (days)", "Staff nurse (nights)",
    "Healthcare assistant", "Ward sister / charge nurse", "Junior doctor (FY1)", "Medical registrar",
    "Consultant physician", "Critical care outreach nurse", "Matron", "Director of nursing",
    "Digital / IT team", "Practice educator", "Resuscitation officer",
)


def describe_grid(smap: StakeholderMap) -> str:
    """The grid in one paragraph: the chart's text alternative.

    Examples
    --------
    >>> m = StakeholderMap.from_records([{"name": "Ann", "role": "ward sister", "power": "high",
    ...     "interest": "high", "stance": "champion", "engage": "co-lead"}])
    >>> describe_grid(m)
    'Power/interest grid of 1 stakeholder (interest across, power up). Manage closely: Ann (champion). Keep satisfied: nobody. Keep informed: nobody. Monitor: nobody.'
    """
    table = smap.table()
    n = len(table)
    parts = [f"Power/interest grid of {n} stakeholder{'s' if n != 1 else ''} (interest across, power up)."]
    for q in QUADRANTS:
        rows = table[table["quadrant"] == q.name]
        who = ", ".join(f"{a} ({b})" for a, b in zip(rows["name"], rows["stance"], strict=True)) or "nobody"
        parts.append(f"{q.name.capitalize()}: {who}.")
    return " ".join(parts)


def plot_stakeholder_grid(smap, ax=None):
    """Draw the power/interest grid of ``smap`` (a :class:`StakeholderMap` or a list of records).

    Interest runs across, power up; each quadrant is named in its corner. Each stakeholder is a marker (its
    shape and colour give the stance, see :data:`STANCE_STYLE`) with the name beside it. Returns the Axes;
    the figure's alt text (:func:`qikit.plot.alt_text`) is :func:`describe_grid`.
    """
    from ..plot._base import new_axes, set_alt

    smap = StakeholderMap.from_records(smap)
    fig, ax = new_axes(ax, figsize=(8, 5.6))
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.axhline(1, color="#555555", lw=1.2)
    ax.axvline(1, color="#555555", lw=1.2)
    ax.set_xticks([0.5, 1.5], ["low interest", "high interest"])
    ax.set_yticks([0.5, 1.5], ["low power", "high power"])
    ax.tick_params(length=0)
    ax.set_xlabel("Interest in the change →")
    ax.set_ylabel("Power over the change →")
    for q in QUADRANTS:
        x0, y0 = _CORNER[q.name]
        ax.text(x0 + 0.03, y0 + 0.96, q.name.upper(), va="top", ha="left", fontsize=9, weight="bold",
                color="#333333")
    table = smap.table()
    for q in QUADRANTS:
        rows = table[table["quadrant"] == q.name]
        x0, y0 = _CORNER[q.name]
        k = len(rows)
        cols = 1 if k <= 5 else 2
        per_col = -(-k // cols) if k else 1
        step = 0.78 / max(per_col, 1)
        for i, (_, row) in enumerate(rows.iterrows()):
            col, r = divmod(i, per_col)
            x = x0 + 0.07 + col * 0.48
            y = y0 + 0.82 - (r + 0.5) * step
            style = STANCE_STYLE[row["stance"]]
            ax.plot([x], [y], linestyle="none", marker=style["marker"], color=style["color"],
                    markeredgecolor="black", markeredgewidth=0.6, markersize=9)
            label = textwrap.shorten(row["name"], width=22 if cols == 1 else 14, placeholder="…")
            ax.text(x + 0.04, y, label, va="center", ha="left", fontsize=8.5, color="#222222")
    handles = [ax.plot([], [], linestyle="none", marker=s["marker"], color=s["color"], markeredgecolor="black",
                       markeredgewidth=0.6, markersize=8, label=s["label"])[0] for s in STANCE_STYLE.values()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(handles),
              frameon=False, fontsize=8.5, title="stance", title_fontsize=8.5)
    title = "Stakeholders: power and interest" + (f" ({smap.change})" if smap.change else "")
    ax.set_title(title, fontsize=11, loc="left")
    set_alt(fig, describe_grid(smap))
    return ax


class StakeholderGrid(widgets.VBox):
    """The widget :func:`stakeholder_grid` returns.

    Attributes
    ----------
    value : StakeholderMap
        The grid as it stands (a copy; set it with a map or a list of records).
    name, role, power, interest, stance, engage : ipywidgets widgets
        The form's fields (``role`` is a Combobox: pick a suggestion or type any role).
    rows : ipywidgets.Select
        The stakeholders so far; choosing one loads it into the form to edit.
    save_button, remove_button, clear_button : ipywidgets.Button
        Add (or update, for a name already on the grid), remove the chosen stakeholder, empty the form.
    message : ipywidgets.HTML
        A problem with what was typed, in plain words (empty when there is none).
    feedback : ipywidgets.HTML
        What a tutor would point out (:meth:`StakeholderMap.feedback`).
    chart : ipywidgets.Image
        The grid, redrawn after each change; ``alt`` holds its text description.
    """

    def __init__(self, value=None, *, change: str = ""):
        from ._render import ChartImage

        self._map = StakeholderMap.from_records(value if value is not None else [], change=change)
        self._callbacks: list[Callable] = []
        wide = widgets.Layout(width="100%")
        style = {"description_width": "150px"}
        self.name = widgets.Text(description="Name", placeholder="e.g. Sister Okafor", layout=wide, style=style)
        self.role = widgets.Combobox(description="Role", options=ROLE_SUGGESTIONS, ensure_option=False,
                                     placeholder="pick or type, e.g. Healthcare assistant (nights)",
                                     layout=wide, style=style)
        self.power = widgets.Dropdown(description="Power over it", options=[("High", "high"), ("Low", "low")],
                                      value="high", style=style)
        self.interest = widgets.Dropdown(description="Interest in it", options=[("High", "high"), ("Low", "low")],
                                         value="high", style=style)
        self.stance = widgets.Dropdown(description="Stance", options=[(s.capitalize(), s) for s in STANCES],
                                       value="neutral", style=style)
        self.engage = widgets.Textarea(description="How you will engage them", layout=widgets.Layout(
            width="100%", height="4.5em"), placeholder="e.g. meet before the first test; ask her to co-design "
                                                       "the escalation prompt", style=style)
        self.save_button = widgets.Button(description="Add or update", icon="check", button_style="primary")
        self.remove_button = widgets.Button(description="Remove chosen", icon="trash")
        self.clear_button = widgets.Button(description="New (empty form)", icon="file")
        self.rows = widgets.Select(description="On the grid", options=[], rows=7, style=style,
                                   layout=widgets.Layout(width="100%"))
        self.message = widgets.HTML()
        self.feedback = widgets.HTML()
        self._image = ChartImage(figsize=(8, 5.6), dpi=90, margins=dict(left=0.1, right=0.97, top=0.92,
                                                                          bottom=0.2))
        self.chart = self._image.widget
        self.alt = widgets.HTML()
        self.save_button.on_click(lambda _: self.save())
        self.remove_button.on_click(lambda _: self.remove())
        self.clear_button.on_click(lambda _: self.clear())
        self.rows.observe(self._load, names="value")
        form = widgets.VBox([self.name, self.role, widgets.HBox([self.power, self.interest]), self.stance,
                             self.engage, widgets.HBox([self.save_button, self.remove_button, self.clear_button]),
                             self.message, self.rows], layout=widgets.Layout(max_width="760px"))
        super().__init__([widgets.HTML("<strong>Stakeholder grid</strong>: add each person or group the change "
                                       "affects; the grid and the feedback update as you go."),
                          form, self.chart, self.alt, self.feedback], layout=widgets.Layout(max_width="780px"))
        self.add_class("qikit-stakeholders")
        self._refresh()

    # ------------------------------------------------------------------ the value
    @property
    def value(self) -> StakeholderMap:
        return StakeholderMap.from_records(self._map.to_records(), change=self._map.change)

    @value.setter
    def value(self, records) -> None:
        try:
            self._map = StakeholderMap.from_records(records if records is not None else [],
                                                    change=self._map.change)
        except QIError as e:
            self._say(str(e))
            return
        self._say("")
        self._refresh()
        self._changed()

    def on_change(self, callback: Callable[[StakeholderMap], object]) -> None:
        """Call ``callback(grid.value)`` after every change (add, update, remove)."""
        self._callbacks.append(callback)

    on_save = on_change  # the forms' hook name (qikit.widgets.forms)

    # ------------------------------------------------------------------ actions
    def save(self) -> bool:
        """Add the stakeholder in the form (or update the one with that name); False, with the problem shown
        in the form, when what was typed cannot go on the grid."""
        trial = StakeholderMap.from_records(self._map.to_records(), change=self._map.change)
        try:
            trial.add(self.name.value, self.role.value, self.power.value, self.interest.value, self.stance.value,
                      self.engage.value)
        except QIError as e:
            self._say(str(e).replace("stakeholder " + str(len(self._map) + 1), "this stakeholder")
                      .replace("Stakeholder " + str(len(self._map) + 1), "This stakeholder"))
            return False
        self._map = trial
        self._say("")
        self._refresh(select=self.name.value.strip())
        self._changed()
        return True

    def remove(self) -> bool:
        """Remove the stakeholder chosen in the list."""
        chosen = self.rows.value
        if not chosen:
            self._say("Choose a stakeholder in the list first, then press Remove.")
            return False
        self._map.remove(chosen)
        self._say("")
        self.clear()
        self._refresh()
        self._changed()
        return True

    def clear(self) -> None:
        """Empty the form, ready for a new stakeholder."""
        self.rows.value = None
        self.name.value = self.role.value = self.engage.value = ""
        self.power.value = self.interest.value = "high"
        self.stance.value = "neutral"

    # ------------------------------------------------------------------ display
    def _load(self, change) -> None:
        name = change["new"]
        for row in self._map.to_records():
            if row["name"] == name:
                self.name.value, self.role.value, self.engage.value = row["name"], row["role"], row["engage"]
                self.power.value, self.interest.value, self.stance.value = row["power"], row["interest"], \
                    row["stance"]

    def _say(self, problem: str) -> None:
        self.message.value = ("" if not problem else
                              '<div class="qikit-error" role="alert" style="border-left:4px solid #D55E00;'
                              f'background:#FBEDE5;padding:6px 10px;margin:4px 0">{html.escape(problem)}</div>')

    def _refresh(self, select: str | None = None) -> None:
        names = [r["name"] for r in self._map.to_records()]
        self.rows.unobserve(self._load, names="value")
        self.rows.options = names
        self.rows.value = select if select in names else None
        self.rows.observe(self._load, names="value")
        ax = self._image.axes()
        plot_stakeholder_grid(self._map, ax=ax)
        alt = describe_grid(self._map)
        self._image.show(alt)
        self.alt.value = ('<details class="qikit-alt" style="color:#444;font-size:0.9em;max-width:60em">'
                          f"<summary>Text description of the grid</summary>{html.escape(alt)}</details>")
        notes = self._map.feedback()
        if notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            self.feedback.value = (f'<div class="qikit-feedback"><strong>What a tutor would point out</strong>'
                                   f'<ul style="max-width:60em;line-height:1.4">{items}</ul></div>')
        else:
            self.feedback.value = ('<div class="qikit-feedback"><strong>What a tutor would point out</strong>: '
                                   "nothing obvious is missing. Now check each engagement plan with a colleague: "
                                   "does it fit the quadrant and the person?</div>")

    def _changed(self) -> None:
        value = self.value
        for callback in self._callbacks:
            callback(value)


def stakeholder_grid(value=None, *, change: str = "") -> StakeholderGrid:
    """A form for a power/interest grid: add, edit and remove stakeholders, see the grid drawn, and read the
    feedback a tutor would give. ``value`` is a :class:`~qikit.improve.stakeholders.StakeholderMap` or a
    list of stakeholder dictionaries (``qikit.Project.stakeholders``) to start from; read the grid back with
    ``.value``.
    """
    return StakeholderGrid(value, change=change)
