"""``explore(data)``: pick columns, chart type, rule set, freeze point and phases; see the chart change.

The explorer calls the public front door, :func:`qikit.spc`, with the options shown, draws the result
with ``result.plot()`` and writes ``result.explain()`` under it. It computes nothing itself. The
"copy code" box holds the exact call, so a trainee can paste the chart they settled on into their own
notebook or assignment.
"""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import pandas as pd

from ..display import rule_set_name
from ..errors import QIDataError
from ..plot import alt_text
from ..plot.spc import caption_text
from ..stats.api import spc
from ..stats.charts import CHARTS
from ..stats.rules import RULE_SETS
from ._render import ChartImage, message_html, run_quietly

__all__ = ["explore", "Explorer"]

_NONE = "(none)"
_ROW_ORDER = "(row order)"
#: Column names that suggest time, used to pick a default x.
_TIME_WORDS = re.compile(r"date|time|day|week|month|year|period|quarter", re.IGNORECASE)


def _default_x(data: pd.DataFrame):
    for col in data.columns:
        if pd.api.types.is_datetime64_any_dtype(data[col].dtype):
            return col
    for col in data.columns:
        if _TIME_WORDS.search(str(col)):
            return col
    return None


def _default_y(data: pd.DataFrame, x):
    for col in data.columns:
        if col != x and pd.api.types.is_numeric_dtype(data[col].dtype) \
                and not pd.api.types.is_bool_dtype(data[col].dtype):
            return col
    return next((c for c in data.columns if c != x), data.columns[0])


def parse_splits(text: str) -> list[int] | None:
    """Read phase splits typed by a trainee: ``"12, 24"`` -> ``[12, 24]``; blank -> None.

    Examples
    --------
    >>> parse_splits("12, 24"), parse_splits(" "), parse_splits("6;18")
    ([12, 24], None, [6, 18])
    """
    bits = [b for b in re.split(r"[\s,;]+", text.strip()) if b]
    if not bits:
        return None
    bad = [b for b in bits if not re.fullmatch(r"\d+", b)]
    if bad:
        raise QIDataError(f"phases must be whole numbers separated by commas, such as 12, 24 (a new phase starts "
                          f"after that many points); {', '.join(repr(b) for b in bad)} is not.", column="part")
    return sorted({int(b) for b in bits})


class Explorer(widgets.VBox):
    """The widget :func:`explore` returns: controls, chart, explanation and the code that reproduces it.

    Attributes
    ----------
    controls : dict of widgets
        ``x, y, n, chart, rules, freeze, phases``: set their ``.value`` to drive the explorer from code.
    result : SPCResult or None
        The result drawn now (None while the selection cannot be charted).
    error : str or None
        The message shown when the selection cannot be charted.
    notes : list of str
        Warnings about the current chart (provisional limits, ...), shown under it.
    code : ipywidgets.Textarea
        Read-only; ``code.value`` is the Python that reproduces the view.
    png : bytes
        The chart image now shown.
    """

    def __init__(self, data: pd.DataFrame, *, x=None, y=None, n=None, chart: str = "run", rules: str = "anhoej",
                 freeze: int | None = None, part=None, multiply: float = 1, name: str = "df"):
        if not isinstance(data, pd.DataFrame):
            raise QIDataError("explore() needs a pandas DataFrame: the table of your data, one row per "
                              "observation (e.g. pd.read_csv('my_data.csv')).", column="data")
        if data.shape[1] == 0:
            raise QIDataError("the table has no columns to explore.", column="data")
        if not name.isidentifier():
            raise QIDataError(f"name={name!r} must be a Python variable name, such as df.", column="name")
        self.data, self.name, self.multiply = data, name, multiply
        self.result, self.error, self.notes, self.png = None, None, [], b""
        self._holding = False

        cols = list(data.columns)
        x = _default_x(data) if x is None else x
        y = _default_y(data, x) if y is None else y
        for role, value in (("x", x), ("y", y), ("n", n)):
            if value is not None and value not in cols:
                raise QIDataError(f"{role}={value!r} is not a column of the data. The columns are: "
                                  f"{', '.join(repr(c) for c in cols)}.", column=str(value))
        if chart not in CHARTS:
            raise QIDataError(f"chart={chart!r} is not a chart qikit knows. Choose one of: {', '.join(CHARTS)}.",
                              column="chart")
        if rules not in RULE_SETS:
            raise QIDataError(f"rules={rules!r} is not a rule set qikit knows. Choose one of: "
                              f"{', '.join(RULE_SETS)}.", column="rules")

        wide = dict(layout=widgets.Layout(width="320px"), style={"description_width": "110px"})
        named = [(str(c), c) for c in cols]
        c = self.controls = {
            "x": widgets.Dropdown(options=[(_ROW_ORDER, None), *named], value=x, description="x (time)", **wide),
            "y": widgets.Dropdown(options=named, value=y, description="y (measure)", **wide),
            "n": widgets.Dropdown(options=[(_NONE, None), *named], value=n, description="n (denominator)",
                                  **wide),
            "chart": widgets.Dropdown(options=[(f"{s.title}", k) for k, s in CHARTS.items()], value=chart,
                                      description="Chart", **wide),
            "rules": widgets.Dropdown(options=[(rule_set_name(k), k) for k in RULE_SETS], value=rules,
                                      description="Rules", **wide),
            "freeze": widgets.SelectionSlider(options=[("off", 0)], value=0, description="Freeze after",
                                              continuous_update=False, **wide),
            "phases": widgets.Text(value=", ".join(str(int(p)) for p in part) if part else "",
                                   placeholder="e.g. 12, 24", description="Phases after",
                                   continuous_update=False, **wide),
        }
        c["freeze"].add_class("qikit-freeze")
        c["freeze"].tooltip = "Fix the centre line and limits on the first points (the baseline)"
        c["phases"].tooltip = "A new phase, with its own centre line and limits, starts after each of these points"
        self._set_freeze_options(freeze or 0)

        self.chart_image = ChartImage()
        self.image = self.chart_image.widget
        self.words = widgets.HTML()
        self.words.add_class("qikit-words")
        self.code = widgets.Textarea(disabled=True, rows=4, layout=widgets.Layout(width="100%", max_width="850px"))
        self.code.add_class("qikit-code")

        for w in c.values():
            w.observe(self._on_change, names="value")
        rows = [widgets.HBox([c["x"], c["y"], c["n"]], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([c["chart"], c["rules"]], layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([c["freeze"], c["phases"]], layout=widgets.Layout(flex_flow="row wrap"))]
        code_label = widgets.HTML("<strong>Code for this chart</strong> (copy it into your notebook):")
        super().__init__([*rows, self.image, self.words, code_label, self.code])
        self.add_class("qikit-explore")
        self.update()

    # ------------------------------------------------------------------ state
    def _subgroups(self) -> int:
        x = self.controls["x"].value
        return len(self.data) if x is None else int(self.data[x].nunique(dropna=True))

    def _set_freeze_options(self, value: int) -> None:
        k = self._subgroups()
        slider = self.controls["freeze"]
        options = [("off", 0)] + [(str(i), i) for i in range(2, k + 1)]
        held, self._holding = self._holding, True
        try:
            slider.options = options
            slider.value = value if 2 <= value <= k else 0
        finally:
            self._holding = held

    def _on_change(self, change) -> None:
        if self._holding:
            return
        if change["owner"] is self.controls["x"]:
            self._set_freeze_options(self.controls["freeze"].value)
        self.update()

    def kwargs(self) -> dict:
        """The arguments of :func:`qikit.spc` (besides the data) for the current view.

        Raises QIDataError when the phases box does not hold whole numbers."""
        c = self.controls
        parts = parse_splits(c["phases"].value)
        out = {}
        if c["x"].value is not None:
            out["x"] = c["x"].value
        out["y"] = c["y"].value
        if c["n"].value is not None:
            out["n"] = c["n"].value
        out["chart"] = c["chart"].value
        out["rules"] = c["rules"].value
        if parts:
            out["part"] = parts
        elif c["freeze"].value:
            out["freeze"] = int(c["freeze"].value)
        if self.multiply != 1:
            out["multiply"] = self.multiply
        return out

    def code_text(self, kwargs: dict | None = None) -> str:
        """The Python that reproduces the view (the data is the variable ``name``)."""
        if kwargs is None:
            kwargs = self.kwargs()
        args = ", ".join([self.name] + [f"{k}={v!r}" for k, v in kwargs.items()])
        call = f"res = qikit.spc({args})"
        if len(call) > 100:
            call = "res = qikit.spc(\n    " + ",\n    ".join([self.name] + [f"{k}={v!r}" for k, v in kwargs.items()]) \
                   + ",\n)"
        return f"import qikit\n\n{call}\nres.plot()\nprint(res.explain())"

    # ------------------------------------------------------------------ drawing
    def update(self) -> None:
        """Recompute and redraw from the controls' current values (the observers call this)."""
        c = self.controls
        c["freeze"].disabled = bool(c["phases"].value.strip())
        kwargs, error, _ = run_quietly(self.kwargs)
        if error:
            self._fail(error, [])
            self.code.value = ""
            return
        self.code.value = self.code_text(kwargs)
        result, error, notes = run_quietly(spc, self.data, **kwargs)
        if c["freeze"].disabled and c["freeze"].value:
            notes.append("Freeze is off while the chart is split into phases: each phase has its own centre line "
                         "and limits.")
        if error:
            self._fail(error, notes)
            return
        ax = self.chart_image.axes()
        _, error, more = run_quietly(result.plot, ax=ax, caption=False)
        if error:
            self._fail(error, notes + more)
            return
        self.result, self.error, self.notes = result, None, notes + more
        self.png = self.chart_image.show(alt=alt_text(self.chart_image.figure))
        caption = html.escape(caption_text(result))
        self.words.value = (f'<p style="color:#444;font-size:0.9em;margin:2px 0">{caption}</p>'
                            + message_html(notes=self.notes, text=result.explain(), alt=self.chart_image.alt))

    def _fail(self, error: str, notes: list[str]) -> None:
        self.result, self.error, self.notes = None, error, notes
        self.chart_image.hide()
        self.words.value = message_html(error=error, notes=notes,
                                        text="Change the selection above to draw a chart.")


def explore(data: pd.DataFrame, *, x=None, y=None, n=None, chart: str = "run", rules: str = "anhoej",
            freeze: int | None = None, part=None, multiply: float = 1, name: str = "df") -> Explorer:
    """An interactive SPC chart: choose the columns, chart type, rule set, freeze point and phases.

    The chart, its caption and the plain-English reading (``result.explain()``) update as the controls
    change. A selection that cannot be charted (text as the measure, a p chart without a denominator,
    phases beyond the data) shows qikit's message instead of a chart. The "code" box holds the
    :func:`qikit.spc` call that reproduces the chart shown.

    Parameters
    ----------
    data : DataFrame
        The table, one row per observation.
    x, y, n : column names, optional
        Starting columns (defaults: the first date column, the first other numeric column, none).
    chart : str
        Starting chart type (a key of ``qikit.stats.charts.CHARTS``).
    rules : str
        Starting rule set (``"anhoej"``, ``"ihi"``, ``"weco"``, ``"nelson"``).
    freeze : int, optional
        Starting freeze point (subgroups in the baseline).
    part : list of int, optional
        Starting phase splits.
    multiply : float
        Passed to :func:`qikit.spc` (100 for percentages, 1000 for rates per 1,000).
    name : str
        The variable name of the data in the generated code.

    The result, a :class:`Explorer` (an ``ipywidgets.VBox``), shows itself as a cell's last line.

    Examples
    --------
    >>> from qikit import datasets
    >>> from qikit.widgets import explore
    >>> falls = datasets.falls().query("ward == 'Ward 7'")
    >>> ex = explore(falls, x="month", y="falls", n="bed_days", chart="u", multiply=1000)
    >>> ex.controls["freeze"].value = 12      # what moving the slider does
    >>> ex.result.options["freeze"]
    12
    """
    return Explorer(data, x=x, y=y, n=n, chart=chart, rules=rules, freeze=freeze, part=part, multiply=multiply,
                    name=name)
