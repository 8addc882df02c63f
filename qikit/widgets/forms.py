"""Forms instead of code: an aim, a measure, a PDSA cycle, and the route from a spreadsheet to a chart.

Each form is an ``ipywidgets.VBox`` a trainee fills in by typing and clicking; nothing needs to be
written in Python. Every form has

- ``.value``: the qikit object the form describes (:class:`qikit.AimStatement`, :class:`qikit.Measure`,
  :class:`qikit.PDSACycle`), or ``None`` while it cannot be built;
- ``.problems``: what to fix or add, one plain sentence each, shown inside the form as the trainee types;
- ``on_save(callback)``: ``callback(value)`` runs when the trainee presses **Save** and the form holds a
  value. With ``project=`` the form also puts its value into a :class:`qikit.Project` and saves the file.

The forms reuse qikit's own checks, so the form and the notebooks' exercises say the same thing: the aim
builder shows :meth:`qikit.AimStatement.check` (the Model for Improvement's what, how much, by when and
for whom: Langley et al., *The Improvement Guide*, 2009), the measure form builds the operational
definition Provost & Murray ask for (*The Health Care Data Guide*, 2011, ch. 2), and the PDSA form keeps
the prediction before the test (Taylor et al., *BMJ Qual Saf* 2014). :func:`data_route` reads a file with
:func:`qikit.widgets.uploader.read_table`, asks :func:`qikit.choose_chart` (Provost & Murray's decision
tree) which chart fits, draws it and reads it with :meth:`qikit.stats.result.SPCResult.explain`.

Dates are typed as in the UK (31/01/2024, 31 January 2024) or as 2024-01-31 (:func:`qikit.dates.read_date`).

Examples
--------
>>> from qikit.widgets.forms import aim_form
>>> form = aim_form(today="2025-04-01")
>>> form.fill(what="increase the percentage of patients discharged before noon", baseline="16%",
...           how_much="30%", by_when="31/03/2026", for_whom="patients on ward 7")
>>> form.problems
[]
>>> print(form.value.text)
Increase the percentage of patients discharged before noon for patients on ward 7 from 16% to 30% by 31 March 2026.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import ipywidgets as widgets
import pandas as pd

from ..errors import QIError

__all__ = ["aim_form", "AimForm", "measure_form", "MeasureForm", "pdsa_form", "PDSAForm", "ramp_form",
           "RampForm", "data_route", "DataRoute", "DATA_KINDS"]

_WIDE = widgets.Layout(width="95%", max_width="46em")
_STYLE = {"description_width": "15em"}
_OK = "#3d6b35"
_BAD = "#D55E00"


def _text(description: str, placeholder: str = "", area: bool = False, value: str = "") -> widgets.Widget:
    cls = widgets.Textarea if area else widgets.Text
    box = cls(value=value, description=description, placeholder=placeholder, layout=_WIDE, style=_STYLE,
              continuous_update=True)
    return box


def _clean(value) -> str | None:
    """Text from a box, or None when blank."""
    value = "" if value is None else str(value).strip()
    return value or None


def _problems_html(problems: list[str], ok: str, preview: str = "") -> str:
    parts = []
    if preview:
        parts.append(f"<p class='qikit-form-preview' style='font-style:italic;max-width:60em'>"
                     f"{html.escape(preview)}</p>")
    if problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
        parts.append(f"<div class='qikit-form-problems' role='status' style='border-left:4px solid {_BAD};"
                     f"background:#FBEDE5;padding:4px 10px;max-width:60em'><strong>To fix or add:</strong>"
                     f"<ul style='margin:0.2em 0'>{items}</ul></div>")
    else:
        parts.append(f"<div class='qikit-form-ok' role='status' style='border-left:4px solid {_OK};"
                     f"background:#EEF5EC;padding:4px 10px;max-width:60em'>{html.escape(ok)}</div>")
    return "".join(parts)


def _error_text(error: Exception) -> str:
    """A qikit error's message with its first letter in capitals (it is shown as a sentence)."""
    text = str(error)
    return text[:1].upper() + text[1:]


class _Form(widgets.VBox):
    """What every form shares: the boxes, live feedback, a Save button and the on_save hook."""

    ok_message = "Nothing missing."
    save_label = "Save"

    def __init__(self, fields: dict[str, widgets.Widget], heading: str, project=None):
        self.fields = fields
        self.project = project
        self._callbacks: list[Callable] = []
        self.feedback = widgets.HTML()
        self.feedback.add_class("qikit-form-feedback")
        self.save_button = widgets.Button(description=self.save_label, button_style="primary",
                                          icon="save", tooltip="Save what the form holds")
        self.save_button.add_class("qikit-form-save")
        self.save_button.on_click(lambda _: self.save())
        self.saved = widgets.HTML()
        self.saved.add_class("qikit-form-saved")
        for box in fields.values():
            box.observe(lambda _change: self.refresh(), names="value")
        title = widgets.HTML(f"<h4 style='margin:0.3em 0'>{html.escape(heading)}</h4>")
        super().__init__([title, *fields.values(), self.feedback, widgets.HBox([self.save_button, self.saved])])
        self.add_class("qikit-form")
        self.problems: list[str] = []
        self._value = None

    # -- to be provided by each form ----------------------------------------------------------
    def _build(self):  # -> (value or None, problems, preview text)
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------
    @property
    def value(self):
        """The object the form describes, or None while it cannot be built (see ``problems``)."""
        return self._value

    @property
    def empty(self) -> bool:
        """True when nothing has been typed or chosen yet."""
        return all(_clean(box.value) is None for box in self._typed())

    def _typed(self):
        return [b for b in self.fields.values() if isinstance(b, (widgets.Text, widgets.Textarea))]

    def refresh(self) -> None:
        """Rebuild the value and the feedback from what the boxes hold (called on every change)."""
        try:
            value, problems, preview = self._build()
        except QIError as error:  # a form never shows a traceback
            value, problems, preview = None, [_error_text(error)], ""
        self._value, self.problems = value, problems
        self.feedback.value = _problems_html(problems, self.ok_message, preview)
        self.saved.value = ""

    def fill(self, **values) -> None:
        """Set several boxes at once, by name (what typing into them does)."""
        unknown = sorted(set(values) - set(self.fields))
        if unknown:
            raise QIError(f"this form has no box called {', '.join(map(repr, unknown))}; its boxes are "
                          f"{', '.join(self.fields)}.")
        with self.hold_trait_notifications():
            for name, value in values.items():
                self.fields[name].value = value
        self.refresh()

    def on_save(self, callback: Callable) -> None:
        """Call ``callback(value)`` each time the trainee presses Save with a value in the form."""
        self._callbacks.append(callback)

    def save(self):
        """What the Save button does: check, hand the value on, say what happened. Returns the value."""
        self.refresh()
        value = self.value
        if value is None:
            self.saved.value = (f"<span style='color:{_BAD}'>Not saved: fix what the form lists first."
                                "</span>")
            return None
        try:
            for callback in self._callbacks:
                callback(value)
            where = self._into_project(value) if self.project is not None else ""
        except QIError as error:
            self.saved.value = f"<span style='color:{_BAD}'>Not saved: {html.escape(str(error))}</span>"
            return None
        self.saved.value = f"<span style='color:{_OK}'>Saved{html.escape(where)}.</span>"
        return value

    def _into_project(self, value) -> str:
        raise NotImplementedError


def _save_project(project) -> str:
    project.save()
    name = getattr(getattr(project, "path", None), "name", None)
    return f" in {name}" if name else ""


def _replace_or_add(items: list, value, key: Callable) -> list:
    """``items`` with the item whose key matches ``value``'s replaced by it, or ``value`` added at the end."""
    out = list(items)
    for i, item in enumerate(out):
        if key(item).casefold() == key(value).casefold():
            out[i] = value
            return out
    return out + [value]


# ============================================================================================ the aim
def _missing(got: dict, table: dict) -> list[str]:
    """The sentences of ``table`` (box name -> what to add) for the boxes left empty, in the table's order."""
    return [words for key, words in table.items() if got.get(key) is None]


#: What an aim cannot be built without, and what else it should have (Langley et al. 2009; SMART).
_AIM_NEEDS = {
    "what": "Say what will change: begin with a verb such as 'increase' or 'reduce' and name the measure.",
    "how_much": "Give a numerical target with its unit, e.g. '90%'.",
    "by_when": "Give a deadline, e.g. 31/03/2026.",
}
_AIM_WANTS = {
    "baseline": "Add a baseline: where the measure is now (e.g. 62%).",
    "for_whom": "Name the population: whose care will change.",
}


class AimForm(_Form):
    """The aim builder: what, how much (from what baseline), by when, for whom and where."""

    ok_message = ("The aim says what will change, by how much from where, by when and for whom. Share it with "
                  "the team: a good aim is one they would sign up to.")

    def __init__(self, value=None, project=None, today=None):
        from ..improve.aims import AimStatement

        self.today = today
        fields = {
            "what": _text("What will change?", "start with a verb: increase the percentage of patients who ...",
                          area=True),
            "baseline": _text("Where is it now? (baseline)", "e.g. 62%"),
            "how_much": _text("How much? (target)", "e.g. 90%, or below 5 falls per 1,000 bed-days"),
            "by_when": _text("By when?", "a date, e.g. 31/03/2026"),
            "for_whom": _text("For whom?", "e.g. adults with red-flag sepsis"),
            "where": _text("Where? (optional)", "e.g. the emergency department"),
        }
        super().__init__(fields, "Your aim: what are we trying to accomplish?", project)
        self.add_class("qikit-aim-form")
        if isinstance(value, AimStatement):
            self.fill(what=value.what, baseline="" if value.baseline is None else str(value.baseline),
                      how_much=str(value.how_much), by_when=value.by_when.strftime("%d/%m/%Y"),
                      for_whom=value.for_whom or "", where=value.where or "")
        else:
            self.refresh()

    def _build(self):
        from ..improve.aims import AimStatement

        got = {k: _clean(b.value) for k, b in self.fields.items()}
        missing = _missing(got, _AIM_NEEDS)
        if missing:  # the aim cannot be built yet: say everything that is missing, including the optional parts
            return None, missing + _missing(got, _AIM_WANTS), ""
        aim = AimStatement(got["what"], got["how_much"], got["by_when"], got["for_whom"], where=got["where"],
                           baseline=got["baseline"])
        return aim, aim.check(today=self.today), aim.text

    def _into_project(self, value) -> str:
        self.project.aim = value
        return _save_project(self.project)


def aim_form(value=None, *, project=None, today=None) -> AimForm:
    """A form that builds a :class:`qikit.AimStatement`, with live SMART feedback.

    Parameters
    ----------
    value : AimStatement, optional
        An aim to start from (e.g. ``project.aim``).
    project : qikit.Project, optional
        Save puts the aim into ``project.aim`` and saves the project file.
    today : date or str, optional
        The date the deadline must come after (default: the real today).
    """
    return AimForm(value, project=project, today=today)


# ============================================================================================ a measure
#: The parts of an operational definition the form asks for (Provost & Murray 2011, ch. 2), and what to say
#: when one is left empty.
_MEASURE_NEEDS = {
    "name": "Give the measure a short name, as it will appear on the chart.",
    "kind": "Choose its kind: outcome (how the system performs for patients), process (whether a step of care "
            "happens) or balancing (whether the change harms something else).",
    "numerator": "Say what is counted (the numerator).",
    "inclusions": "Say who or what is included, so two people would count the same cases.",
    "exclusions": "Say who or what is excluded (write 'none' if nothing is).",
    "source": "Say where the data come from (the record, the form, the system).",
    "collector": "Say who collects the data, and when.",
    "direction": "Say which way is better (choose 'neither' for most balancing measures).",
}


class MeasureForm(_Form):
    """The measure definition form: the kind of measure and its operational definition.

    ``.details`` holds the parts of the definition as typed (inclusions, exclusions, source, who
    collects); the :class:`qikit.Measure`'s ``definition`` is written from them in one sentence.
    """

    ok_message = ("Two people following this definition would count the same cases and get the same number: "
                  "that is what makes a measure operational.")

    def __init__(self, value=None, project=None):
        from ..improve.measures import FREQUENCIES

        fields = {
            "name": _text("Name of the measure", "e.g. Falls risk assessment within 24 h (%)"),
            "kind": widgets.ToggleButtons(options=[("outcome", "outcome"), ("process", "process"),
                                                   ("balancing", "balancing")], value=None,
                                          description="Kind of measure", style=_STYLE,
                                          tooltips=["how the system performs for patients",
                                                    "whether a step of care happens as planned",
                                                    "whether the change harms something else"]),
            "numerator": _text("Numerator (what is counted)", "e.g. patients assessed within 24 hours of arrival"),
            "denominator": _text("Denominator (out of how many)", "e.g. patients admitted to ward 7; leave blank "
                                                                  "for a plain count"),
            "inclusions": _text("Who or what is included", "e.g. every adult admitted to ward 7", area=True),
            "exclusions": _text("Who or what is excluded", "e.g. stays under 24 hours; or 'none'", area=True),
            "source": _text("Where the data come from", "e.g. the e-record's admission form"),
            "frequency": widgets.Dropdown(options=list(FREQUENCIES), value="weekly", description="How often",
                                          style=_STYLE),
            "collector": _text("Who collects it", "e.g. the nurse in charge, every Monday"),
            "direction": widgets.ToggleButtons(options=[("higher is better", "increase"),
                                                        ("lower is better", "decrease"), ("neither", "")],
                                               value=None, description="Which way is better?", style=_STYLE),
        }
        super().__init__(fields, "A measure and its operational definition", project)
        self.add_class("qikit-measure-form")
        if value is not None:
            self._load(value)
        else:
            self.refresh()

    @property
    def empty(self) -> bool:
        return super().empty and self.fields["kind"].value is None and self.fields["direction"].value is None

    def _load(self, measure) -> None:
        parts = _split_definition(measure.definition)
        self.fill(name=measure.name, kind=measure.kind, numerator=measure.numerator or "",
                  denominator=measure.denominator or "", inclusions=parts.get("includes", measure.definition),
                  exclusions=parts.get("excludes", ""), source=parts.get("source", ""),
                  frequency=measure.frequency, collector=parts.get("collected by", ""),
                  direction=measure.direction or "")

    @property
    def details(self) -> dict:
        """The operational definition's parts as typed: inclusions, exclusions, source, collector, frequency."""
        return {k: _clean(self.fields[k].value) for k in ("inclusions", "exclusions", "source", "collector",
                                                          "frequency")}

    def _definition(self, got: dict) -> str | None:
        bits = []
        if got["numerator"]:
            bits.append(f"Counts {got['numerator']}" + (f" out of {got['denominator']}" if got["denominator"]
                                                         else ""))
        if got["inclusions"]:
            bits.append(f"includes {got['inclusions']}")
        if got["exclusions"]:
            bits.append(f"excludes {got['exclusions']}")
        if got["source"]:
            bits.append(f"source: {got['source']}")
        if got["collector"]:
            bits.append(f"collected {got['frequency']} by {got['collector']}")
        if not bits:
            return None
        text = "; ".join(b.rstrip(".;") for b in bits)
        return text[:1].upper() + text[1:] + "."

    def _build(self):
        from ..improve.measures import Measure

        got = {k: _clean(b.value) for k, b in self.fields.items()}
        got["kind"], got["direction"] = self.fields["kind"].value, self.fields["direction"].value
        problems = _missing(got, _MEASURE_NEEDS)
        definition = self._definition(got)
        if got["name"] is None or got["kind"] is None or definition is None:
            return None, problems, definition or ""
        measure = Measure(got["name"], got["kind"], definition, numerator=got["numerator"],
                          denominator=got["denominator"], direction=got["direction"] or None,
                          frequency=got["frequency"])
        problems += [f for f in measure.check() if f not in problems]
        return measure, problems, definition

    def _into_project(self, value) -> str:
        self.project.measures = _replace_or_add(self.project.measures, value, key=lambda m: m.name)
        return _save_project(self.project)


def _split_definition(definition: str) -> dict:
    """The parts of a definition written by :class:`MeasureForm` (to fill the form again from a Measure)."""
    out = {}
    for bit in definition.rstrip(".").split("; "):
        for key in ("includes", "excludes", "source:"):
            if bit.lower().startswith(key):
                out[key.rstrip(":")] = bit[len(key):].strip()
        m = re.match(r"collected \w+ by (.*)", bit, re.I)
        if m:
            out["collected by"] = m.group(1)
    return out


def measure_form(value=None, *, project=None) -> MeasureForm:
    """A form that builds a :class:`qikit.Measure` with its operational definition.

    Parameters
    ----------
    value : Measure, optional
        A measure to start from.
    project : qikit.Project, optional
        Save adds the measure to ``project.measures`` (replacing one of the same name) and saves the file.
    """
    return MeasureForm(value, project=project)


# ============================================================================================ a PDSA cycle
#: What a cycle cannot be recorded without (Langley et al. 2009: the prediction is written in Plan).
_PDSA_NEEDS = {
    "title": "Give the cycle a short title, e.g. 'Cycle 1: one patient'.",
    "objective": "Say what this test is for.",
    "plan": "Say who will do what, when and where, and what you will record.",
    "prediction": "Write your prediction before the test: what do you expect to happen? A number makes it "
                  "checkable (4 of 6 patients ...).",
    "start": "Give the start date (the day the test begins or is planned to begin).",
}
_ACT_CHOICES = [("not decided yet", ""), ("adopt", "adopt"), ("adapt", "adapt"), ("abandon", "abandon")]


class PDSAForm(_Form):
    """The PDSA cycle form: Plan (with the prediction), Do, Study, Act (adopt, adapt or abandon)."""

    ok_message = "The cycle is recorded, with its prediction written before the test."

    def __init__(self, value=None, project=None, planning: bool = False, heading: str | None = None):
        self.planning = planning
        fields = {
            "title": _text("Title", "e.g. Cycle 1: one patient"),
            "objective": _text("Plan: what is this test for?", "e.g. Can the nurse discharge against criteria?",
                               area=True),
            "plan": _text("Plan: who, what, when, where", "e.g. Sister Khan, bay 2, Monday; time each step",
                          area=True),
            "prediction": _text("Plan: your prediction", "e.g. 4 of 6 patients will leave before noon", area=True),
            "start": _text("Start date", "e.g. 06/01/2025"),
            "scale": _text("Scale (how many patients, staff or shifts)", "e.g. 1"),
            "do": _text("Do: what happened", "including surprises", area=True),
            "study": _text("Study: results against the prediction", "", area=True),
            "act": widgets.ToggleButtons(options=_ACT_CHOICES, value="", description="Act: decision",
                                         style=_STYLE),
            "act_note": _text("Act: what next", "e.g. book transport the day before"),
            "end": _text("End date (optional)", "e.g. 10/01/2025"),
        }
        if planning:  # a cycle being planned: Do, Study and Act come later
            for key in ("do", "study", "act", "act_note", "end"):
                fields[key].layout.display = "none"
        super().__init__(fields, heading or "A PDSA cycle", project)
        self.add_class("qikit-pdsa-form")
        if value is not None:
            decision = value.decision or ""
            note = (value.act or "")[len(decision):].lstrip(" :;,-") if decision else (value.act or "")
            self.fill(title=value.title, objective=value.objective, plan=value.plan,
                      prediction=value.prediction or "", start=value.start.strftime("%d/%m/%Y"),
                      scale="" if value.scale is None else str(value.scale), do=value.do or "",
                      study=value.study or "", act=decision, act_note=note,
                      end=value.end.strftime("%d/%m/%Y") if value.end else "")
        else:
            self.refresh()

    @property
    def empty(self) -> bool:
        return super().empty and not self.fields["act"].value

    def _build(self):
        from ..dates import DATE_HINT, try_date
        from ..improve.pdsa import PDSACycle

        got = {k: _clean(b.value) for k, b in self.fields.items()}
        problems = _missing(got, _PDSA_NEEDS)
        for key in ("start", "end"):
            if got[key] is not None and try_date(got[key]) is None:
                problems.append(f"The {key} date {got[key]!r} is not a date qikit can read: {DATE_HINT}.")
        scale = None
        if got["scale"] is not None:
            if re.fullmatch(r"\d+", got["scale"]) and int(got["scale"]) > 0:
                scale = int(got["scale"])
            else:
                problems.append(f"Scale {got['scale']!r}: write a whole number of patients, staff or shifts, "
                                "e.g. 1 or 6.")
        elif self.planning:
            problems.append("Give the scale: how many patients, staff or shifts the test covers.")
        act = None
        if got["act"]:
            act = got["act"] + (f": {got['act_note']}" if got["act_note"] else "")
        if act and not got["study"]:
            problems.append("Study before you act: compare what happened with the prediction.")
        if got["study"] and not got["do"]:
            problems.append("Record what happened (Do) before you study it.")
        if problems:
            return None, problems, ""
        cycle = PDSACycle(got["title"], got["objective"], got["prediction"], got["plan"], do=got["do"],
                          study=got["study"], act=act, start=got["start"], end=got["end"], scale=scale)
        return cycle, [], ""

    def clear(self) -> None:
        """Empty the boxes (for the next cycle)."""
        with self.hold_trait_notifications():
            for box in self.fields.values():
                box.value = ""
        self.refresh()

    def _into_project(self, value) -> str:
        self.project.pdsa = _replace_or_add(self.project.pdsa, value, key=lambda c: c.title)
        return _save_project(self.project)


def pdsa_form(value=None, *, project=None) -> PDSAForm:
    """A form that builds a :class:`qikit.PDSACycle`.

    Parameters
    ----------
    value : PDSACycle, optional
        A cycle to start from (to add its Do, Study and Act after the test).
    project : qikit.Project, optional
        Save adds the cycle to ``project.pdsa`` (replacing one with the same title) and saves the file.
    """
    return PDSAForm(value, project=project)


class RampForm(widgets.VBox):
    """A ramp of PDSA cycles planned with a form: fill in one cycle, press "Add to the ramp", repeat.

    ``.pdsa_log`` is the :class:`qikit.PDSALog` holding the ramp; ``.problems`` what stopped the last addition.
    """

    def __init__(self, title: str, ramp: str, change_idea: str):
        from ..improve.pdsa import PDSALog

        self.pdsa_log = PDSALog(title)
        self.ramp = ramp
        self.pdsa_log.add_ramp(ramp, change_idea=change_idea)
        self.form = PDSAForm(planning=True, heading=f"Plan the next cycle of the ramp: {change_idea}")
        self.form.save_button.description = "Add to the ramp"
        self.form.save_button.icon = "plus"
        self.form.on_save(self._add)
        self.table = widgets.HTML()
        self.table.add_class("qikit-ramp-table")
        self.problems: list[str] = []
        super().__init__([self.form, self.table])
        self.add_class("qikit-ramp-form")
        self._show()

    def _add(self, cycle) -> None:
        self.pdsa_log.add(cycle, ramp=self.ramp)  # a QIError (dates out of order, smaller scale) shows in the form
        self._show()

    def add(self, **values):
        """Fill the form with ``values`` and add the cycle (what typing and pressing the button do)."""
        self.form.fill(**values)
        cycle = self.form.save()
        self.problems = list(self.form.problems)
        if cycle is not None and cycle in self.pdsa_log.cycles:
            self.form.clear()
        return cycle

    def _show(self) -> None:
        cycles = self.pdsa_log.cycles
        if not cycles:
            self.table.value = "<p>No cycles in the ramp yet.</p>"
            return
        rows = "".join(f"<tr><td>{html.escape(c.title)}</td><td>{c.start:%d/%m/%Y}</td><td>{c.scale}</td>"
                       f"<td>{html.escape(c.prediction or '')}</td></tr>" for c in cycles)
        self.table.value = ("<table class='qikit-ramp'><tr><th>cycle</th><th>start</th><th>scale</th>"
                            f"<th>prediction</th></tr>{rows}</table>")

    @property
    def value(self):
        return self.pdsa_log


def ramp_form(title: str, ramp: str, change_idea: str) -> RampForm:
    """A form for planning a ramp of PDSA cycles, one cycle at a time; the cycles gather in ``.pdsa_log``."""
    return RampForm(title, ramp, change_idea)


# ============================================================================================ the data route
DATA_KINDS = {
    "count": "a count of events (falls, infections, complaints) in each period",
    "classification": "a number of patients out of a total (yes or no for each patient): a proportion",
    "measurement": "a measurement for each row (minutes, days, a score)",
    "rare": "rare events: most periods have none",
}
_CHARTS = ["run", "i", "xbar", "p", "pp", "c", "u", "up", "g", "t"]
_CHART_NAMES = {"run": "run chart", "i": "I chart (individuals)", "xbar": "Xbar chart", "p": "p chart",
                "pp": "p' chart (Laney)", "c": "c chart", "u": "u chart", "up": "u' chart (Laney)",
                "g": "g chart", "t": "t chart"}
_DENOMINATOR_WORDS = re.compile(r"\b(n|total|totals|eligible|denominator|patients|admissions|attendances|"
                                r"discharges|bed.?days|cases|audited|population|opportunit\w*|of)\b", re.I)
_NONE = "(none)"


def _guess_columns(kinds: dict) -> dict:
    """Sensible first choices: the first date column for x, a numbers column for y, a total for n."""
    cols = list(kinds)
    dates = [c for c in cols if kinds[c] == "dates"]
    numbers = [c for c in cols if kinds[c] == "numbers"]
    x = dates[0] if dates else (next((c for c in cols if kinds[c] == "text"), None))
    n = next((c for c in numbers if _DENOMINATOR_WORDS.search(str(c).replace("_", " "))), None)
    y_options = [c for c in cols if c not in (x, n) and kinds[c] != "dates"]
    y = next((c for c in y_options if kinds[c] == "numbers"), y_options[0] if y_options else None)
    if n is not None and y is None:
        y, n = n, None
    return {"x": x, "y": y, "n": n}


class DataRoute(widgets.VBox):
    """Upload a file, pick the columns, take the chart the chooser suggests, read the chart in words.

    Attributes
    ----------
    data : DataFrame or None
        The table as read from the file (rows numbered as in the spreadsheet).
    spec : dict
        ``{"x", "y", "n", "chart", "title"}``: what to chart (the keys of ``Project.data_spec``).
    result : SPCResult or None
        The chart's result; None while there is no chart.
    problems : list of str
        Why there is no chart (or what to fix in the file), in plain words.
    choice : ChartChoice or None
        The chooser's suggestion and its reason.
    """

    def __init__(self, project=None):
        from .uploader import Upload

        self.project = project
        self.data, self.result, self.choice, self.problems = None, None, None, []
        self._callbacks: list[Callable] = []
        self._kinds: dict = {}
        self._busy = False
        self.upload = Upload(on_read=lambda _got: self._loaded())
        self.x = widgets.Dropdown(description="Time (x axis)", style=_STYLE, options=[])
        self.y = widgets.Dropdown(description="Measure (y axis)", style=_STYLE, options=[])
        self.n = widgets.Dropdown(description="Out of (denominator)", style=_STYLE, options=[_NONE])
        self.kind = widgets.RadioButtons(options=[(v, k) for k, v in DATA_KINDS.items()], value="count",
                                         description="Each value is", style=_STYLE, layout=_WIDE)
        self.equal = widgets.Checkbox(value=True, description="the area of opportunity (patients, bed-days) is "
                                                              "about the same each period", indent=False,
                                     layout=widgets.Layout(width="auto"))
        self.chart_type = widgets.Dropdown(description="Chart", style=_STYLE,
                                           options=[(_CHART_NAMES[c], c) for c in _CHARTS], value="run")
        self.title = widgets.Text(description="Chart title", style=_STYLE, layout=_WIDE)
        self.skip_bad = widgets.Checkbox(value=False, indent=False, layout=widgets.Layout(width="auto"),
                                         description="chart now, leaving the cells I still have to fix as gaps")
        self.suggestion = widgets.HTML()
        self.suggestion.add_class("qikit-route-suggestion")
        self.message = widgets.HTML()
        self.message.add_class("qikit-route-message")
        self.reading = widgets.HTML()
        self.reading.add_class("qikit-route-reading")
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="save")
        self.save_button.add_class("qikit-form-save")
        self.save_button.on_click(lambda _: self.save())
        self.saved = widgets.HTML()
        self.saved.add_class("qikit-form-saved")
        self._chart = None
        self.picture = widgets.Box()
        self.controls = widgets.VBox([
            widgets.HTML("<h4 style='margin:0.3em 0'>2. Choose the columns</h4>"), self.x, self.y, self.n,
            widgets.HTML("<h4 style='margin:0.3em 0'>3. What kind of data? (the chart follows)</h4>"), self.kind,
            self.equal, self.suggestion, self.chart_type, self.title, self.skip_bad])
        self.controls.layout.display = "none"
        for box in (self.x, self.y, self.n, self.kind, self.equal, self.chart_type, self.title, self.skip_bad):
            box.observe(self._changed, names="value")
        super().__init__([widgets.HTML("<h4 style='margin:0.3em 0'>1. Upload your data</h4>"), self.upload,
                          self.controls, self.message, self.picture, self.reading,
                          widgets.HBox([self.save_button, self.saved])])
        self.add_class("qikit-data-route")

    # -- public --------------------------------------------------------------------------------
    def load(self, content: bytes, name: str):
        """Read ``content`` as the file ``name``: what uploading it does."""
        return self.upload.load(content, name)

    @property
    def spec(self) -> dict:
        n = None if self.n.value in (None, _NONE) else self.n.value
        return {"x": self.x.value, "y": self.y.value, "n": n, "chart": self.chart_type.value,
                "title": self.title.value.strip() or (str(self.y.value) if self.y.value else "")}

    def on_save(self, callback: Callable) -> None:
        """Call ``callback(spec)`` each time the trainee presses Save with a chart drawn."""
        self._callbacks.append(callback)

    def select(self, **values) -> None:
        """Set several choices at once by name (x, y, n, kind, equal, chart_type, title, skip_bad)."""
        self._busy = True
        try:
            for name, value in values.items():
                if name == "n" and value is None:
                    value = _NONE
                getattr(self, name).value = value
        finally:
            self._busy = False
        if "kind" in values or "equal" in values or "n" in values or "x" in values:
            self._suggest(set_chart="chart_type" not in values)
        self._draw()

    def save(self):
        """What the Save button does: hand the data and the spec on (and to the project). Returns the spec.

        The project gets the table as read, except that cells left out of the chart (the "chart now" box)
        are saved empty, so that ``project.report()`` draws the chart the trainee saw."""
        if self.result is None:
            self.saved.value = f"<span style='color:{_BAD}'>Not saved: there is no chart yet.</span>"
            return None
        spec = self.spec
        try:
            for callback in self._callbacks:
                callback(spec)
            where = ""
            if self.project is not None:
                # the table as read; cells the trainee chose to leave out of the chart are saved empty, so
                # that the report draws the chart the trainee saw
                data, left_out = self._chart_data()
                self.project.data = data
                self.project.data_spec = dict(spec)
                where = _save_project(self.project)
                if left_out:
                    where += ", with the cells left out of the chart saved empty"
        except QIError as error:
            self.saved.value = f"<span style='color:{_BAD}'>Not saved: {html.escape(str(error))}</span>"
            return None
        self.saved.value = f"<span style='color:{_OK}'>Saved{html.escape(where)}.</span>"
        return spec

    # -- steps ---------------------------------------------------------------------------------
    def _loaded(self) -> None:
        up = self.upload
        self.data, self._kinds = up.data, dict(up.kinds)
        self.result = None
        if up.data is None:
            self.controls.layout.display = "none"
            self.problems = list(up.problems)
            self._show_error("The file could not be read: the list under the upload button says why and how to "
                             "fix it. Fix the file and upload it again.")
            return
        cols = [str(c) for c in up.data.columns]
        guess = _guess_columns({str(c): k for c, k in up.kinds.items()})
        self._busy = True
        try:
            self.x.options = cols
            self.y.options = cols
            self.n.options = [_NONE, *cols]
            self.x.value = guess["x"] if guess["x"] is not None else cols[0]
            self.y.value = guess["y"] if guess["y"] is not None else cols[-1]
            self.n.value = guess["n"] if guess["n"] is not None else _NONE
            self.kind.value = self._guess_kind()
            self.skip_bad.value = False
            self.title.value = ""
        finally:
            self._busy = False
        self.controls.layout.display = None
        self._suggest(set_chart=True)
        self._draw()

    def _guess_kind(self) -> str:
        data, y, n = self.upload.data, self.y.value, self.spec["n"]
        values = pd.to_numeric(data[y], errors="coerce") if y in data else pd.Series(dtype=float)
        if n is not None:
            if re.search(r"day|hour|week|month|year|time|exposure", str(n), re.I):
                return "count"  # events per bed-days or hours: a rate, not a proportion
            totals = pd.to_numeric(data[n], errors="coerce")
            both = values.notna() & totals.notna()
            if both.any() and (values[both] <= totals[both]).all():
                return "classification"
            return "count"
        whole = values.dropna()
        if len(whole) and (whole == whole.round()).all() and (whole >= 0).all():
            return "count"
        return "measurement"

    def _suggest(self, set_chart: bool) -> None:
        from ..stats.choose import choose_chart

        kind = self.kind.value
        self.equal.layout.display = None if kind == "count" else "none"
        if kind == "count" and self.spec["n"] is not None and self.equal.value:
            self._busy, self.equal.value = True, False
            self._busy = False
        try:
            if kind == "measurement":
                self.choice = choose_chart("measurement", subgroup_size=self._subgroup_size())
            elif kind == "count":
                self.choice = choose_chart("count", equal_opportunity=bool(self.equal.value))
            else:
                self.choice = choose_chart(kind)
        except QIError as error:
            self.choice = None
            self.suggestion.value = f"<p>{html.escape(_error_text(error))}</p>"
            return
        chart = self.choice.chart
        if chart in ("p", "pp", "u", "up") and self.spec["n"] is None:
            need = ("the total each value is out of" if chart in ("p", "pp") else "the area of opportunity "
                    "(bed-days, patients)")
            extra = f" It needs a denominator: choose the column with {need} under 'Out of'."
        else:
            extra = ""
        if chart in ("g", "t"):
            extra += (" A g chart wants the number of cases between events and a t chart the days between them, "
                      "one row per event.")
        self.suggestion.value = (f"<p class='qikit-route-choice'><strong>Suggested: "
                                 f"{html.escape(_CHART_NAMES.get(chart, chart))}</strong>, because "
                                 f"{html.escape(self.choice.reason)}{html.escape(extra)} A run chart is always a "
                                 "fair start, and the better choice with fewer than about 12 points.</p>")
        if set_chart and chart in _CHARTS:
            self._busy, self.chart_type.value = True, chart
            self._busy = False

    def _subgroup_size(self) -> int:
        data, x = self.upload.data, self.x.value
        if data is None or x not in data:
            return 1
        sizes = data[x].dropna().value_counts()
        return int(sizes.median()) if len(sizes) else 1

    def _changed(self, change) -> None:
        if self._busy:
            return
        if change["owner"] in (self.kind, self.equal, self.n, self.x):
            self._suggest(set_chart=True)
        self._draw()

    def _chart_data(self) -> tuple[pd.DataFrame | None, list[str]]:
        """The table to chart, and notes on what was left out; fixes nothing silently."""
        data = self.upload.data
        spec = self.spec
        if not self.skip_bad.value:
            return data, []
        from ..dates import try_date
        from ..errors import rows_phrase

        data = data.copy()
        notes = []
        for role in ("y", "n"):
            col = spec[role]
            if col is None or pd.api.types.is_numeric_dtype(data[col]):
                continue
            numbers = pd.to_numeric(data[col], errors="coerce")
            bad = data[col].notna() & numbers.isna()
            if bad.any():
                rows = list(data.index[bad])
                notes.append(f"Left out for now: {rows_phrase(rows)} of column {col!r} (not a number). Fix "
                             f"{'it' if len(rows) == 1 else 'them'} in the file and upload it again to chart "
                             "every row.")
            data[col] = numbers
        x = spec["x"]
        if self._kinds.get(x) == "text" and not pd.api.types.is_datetime64_any_dtype(data[x]):
            dates = data[x].map(lambda v: try_date(v) if isinstance(v, str) else None)
            readable = dates.notna()
            if readable.mean() >= 0.8:
                bad = data[x].notna() & ~readable
                if bad.any():
                    notes.append(f"Left out for now: {rows_phrase(list(data.index[bad]))} (the date in column "
                                 f"{x!r} could not be read).")
                data = data[readable.to_numpy()].copy()
                data[x] = pd.to_datetime(dates[readable])
        return data, notes

    def _draw(self) -> None:
        from . import _render

        if self.upload.data is None:
            return
        spec = self.spec
        data, notes = self._chart_data()
        fixes = [p for p in self.upload.problems if any(repr(str(spec[r])) in p for r in ("x", "y", "n")
                                                        if spec[r] is not None)]
        kwargs = dict(x=spec["x"], y=spec["y"], chart=spec["chart"], title=spec["title"] or None)
        if spec["n"] is not None:
            kwargs["n"] = spec["n"]
        if spec["y"] == spec["x"]:
            result, error, warn = None, "Choose different columns for time (x) and the measure (y).", []
        else:
            from ..stats.api import spc
            result, error, warn = _render.run_quietly(spc, data, **kwargs)
        self.result = result
        if error:
            self.problems = [error]
            hint = (" Or tick 'chart now, leaving the cells I still have to fix as gaps'."
                    if not self.skip_bad.value and fixes else "")
            self._show_error(error + hint)
            return
        self.problems = list(fixes) if not self.skip_bad.value else []
        if self._chart is None:
            self._chart = _render.ChartImage()
            self.picture.children = [self._chart.widget]
        ax = self._chart.axes()
        _, plot_error, _ = _render.run_quietly(result.plot, ax=ax)
        if plot_error:
            self.result = None
            self._show_error(plot_error)
            return
        alt = result.describe()
        self._chart.show(alt=alt)
        self.picture.layout.display = None
        self.message.value = _render.message_html(notes=[*notes, *warn])
        self.reading.value = ("<h4 style='margin:0.3em 0'>4. What the chart says</h4>"
                              + _render.message_html(text=result.explain(), alt=alt))
        self.saved.value = ""

    def _show_error(self, error: str) -> None:
        self.result = None
        self.picture.layout.display = "none"
        self.reading.value = ""
        self.message.value = (
            '<div class="qikit-error" role="alert" style="border-left:4px solid #D55E00;background:#FBEDE5;'
            f'padding:6px 10px;margin:4px 0;max-width:60em"><strong>No chart yet.</strong> '
            f"{html.escape(error)}</div>")


def data_route(project=None) -> DataRoute:
    """From a spreadsheet to a chart and its reading, with forms only.

    1. Upload a CSV or Excel file (problems in the file are listed by row and column, with the fix).
    2. Pick the columns: qikit guesses the date column for time, a column of numbers for the measure and
       a column of totals for the denominator.
    3. Say what kind of data it is: qikit's chooser (Provost & Murray's decision tree) suggests the chart
       and says why; the trainee may pick another.
    4. Read the chart and what it says (``result.explain()``).

    Parameters
    ----------
    project : qikit.Project, optional
        Save puts the table and the choices into ``project.data`` and ``project.data_spec`` and saves
        the project file.

    Examples
    --------
    >>> route = data_route()
    >>> _ = route.load(b"month,falls\\n31/01/2024,4\\n29/02/2024,6\\n31/03/2024,3\\n30/04/2024,5\\n", "falls.csv")
    >>> route.spec["x"], route.spec["y"], route.spec["chart"]
    ('month', 'falls', 'c')
    >>> route.result is not None
    True
    """
    return DataRoute(project=project)
