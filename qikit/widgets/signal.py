"""``signal_or_noise()``: add a special cause to a stable process and see which rules catch it, and when.

The process comes from :mod:`qikit.simulate` (seeded, so a class sees the same chart): the stable series
from :func:`~qikit.simulate.common_cause`, and the same noise with a sustained shift
(:func:`~qikit.simulate.shift`), a steady drift (:func:`~qikit.simulate.trend`) or one outlying point
(:func:`~qikit.simulate.outlier`) from the point the trainee chooses. Each rule set of
:data:`qikit.stats.rules.RULE_SETS` (Anhøj, IHI, Western Electric, Nelson) is applied by :func:`qikit.spc`
to the same data; the table beside the chart says whether it caught the change, at which point, how
many points after the change that was, and how many points it flagged before the change (false alarms:
the price of a sensitive rule set).
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import pandas as pd

from .. import simulate
from ..display import plural, rule_set_name
from ..errors import QIDataError
from ..plot import alt_text
from ..stats.api import spc
from ..stats.charts import CHARTS
from ..stats.result import XLabels
from ..stats.rules import RULE_SETS
from ._render import ChartImage, message_html, run_quietly

__all__ = ["signal_or_noise", "SignalOrNoise", "catch_table"]

KINDS = {"none": "Nothing", "shift": "Shift", "trend": "Trend", "outlier": "Outlier"}
_SIZE_LABEL = {"none": "Size (SD)", "shift": "Shift (SD)", "trend": "Slope (SD/pt)", "outlier": "Outlier (SD)"}


def catch_table(results: dict, errors: dict, change: int | None) -> pd.DataFrame:
    """Which rule set caught a special cause starting at position ``change`` (0-based; None: no change).

    Parameters
    ----------
    results : dict
        Rule-set key -> SPCResult of the same data (or None when it could not be computed).
    errors : dict
        Rule-set key -> message for the rule sets that could not be applied.
    change : int or None
        Position of the first changed point.

    Returns
    -------
    DataFrame
        One row per rule set: ``rules``, ``name``, ``caught`` (a point at or after the change signals, or
        a whole-chart rule fires), ``first`` (0-based position of the first signal at or after the change,
        -1 if none), ``delay`` (points from the change to that signal), ``fired`` (names of the rules that
        flagged points from the change on, or the whole chart), ``false_alarms`` (points flagged before
        the change; every flagged point when there is no change), ``note``.
    """
    rows = []
    for key in RULE_SETS:
        res = results.get(key)
        row = dict(rules=key, name=rule_set_name(key, long=False), caught=False, first=-1, delay=-1, fired="",
                   false_alarms=0, note=errors.get(key, ""))
        if res is not None:
            d = res.data
            flagged = np.flatnonzero(d["signal"].to_numpy(dtype=bool))
            start = len(d) if change is None else change
            after, before = flagged[flagged >= start], flagged[flagged < start]
            row["false_alarms"] = int(before.size)
            # the rules behind the flagged points (in the order of res.signals) and the whole-chart rules
            fired = list(dict.fromkeys(f.rule.name for f in res.findings
                                       if (np.asarray(f.points) >= start).any()))
            whole = list(dict.fromkeys(f.rule.name for f in res.findings if f.part_level))
            if change is not None:
                fired += [f"{n} (whole chart)" for n in whole if n not in fired]
            row["fired"] = ", ".join(fired)
            if after.size:
                row.update(first=int(after[0]), delay=int(after[0] - start), caught=True)
            elif change is not None and whole:
                row["caught"] = True
            if change is None and whole:
                row["note"] = "whole chart: " + ", ".join(whole)
        rows.append(row)
    return pd.DataFrame(rows)

_FOOTNOTE = ("The rules look back over the whole chart: a run is flagged from its first point, although it is "
             "only recognised once it is long enough. Signals before the change are false alarms, or the start "
             "of a run that the change completes.")


class SignalOrNoise(widgets.VBox):
    """The widget :func:`signal_or_noise` returns.

    Attributes
    ----------
    controls : dict of widgets
        ``kind`` ("none", "shift", "trend", "outlier"), ``size`` (standard deviations; per point for a
        trend), ``at`` (the first changed point, counting from 1), ``chart`` ("i" or "run"), ``baseline``
        (True: centre line and limits from the points before the change, as when monitoring against a
        baseline; False: from all points), ``show`` (the rule set drawn on the chart); set their
        ``.value`` to drive it from code.
    seed : int
        The seed of the process; the "New process" button adds one.
    data : DataFrame
        The series charted now (``date``, ``value``, ``special``).
    options : dict
        The arguments given to :func:`qikit.spc` besides the data and ``rules``.
    results : dict
        Rule-set key -> SPCResult of ``data`` (None where the rule set does not apply).
    table : DataFrame
        What :func:`catch_table` says about them (shown beside the chart).
    result : SPCResult
        The result drawn.
    """

    def __init__(self, seed: int = 2024, n: int = 52, mean: float = 100.0, sd: float = 10.0,
                 kind: str = "shift", size: float = 2.0, at: int | None = None, chart: str = "i",
                 show: str = "anhoej", baseline: bool = True):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 12 <= n <= 1000:
            raise QIDataError(f"n={n!r}: choose a whole number of points from 12 to 1000.", column="n")
        if kind not in KINDS:
            raise QIDataError(f"kind={kind!r}: choose one of {', '.join(KINDS)}.", column="kind")
        if chart not in ("i", "run"):
            raise QIDataError(f"chart={chart!r}: choose 'i' (I chart) or 'run' (run chart).", column="chart")
        if show not in RULE_SETS:
            raise QIDataError(f"show={show!r}: choose one of {', '.join(RULE_SETS)}.", column="show")
        at = (2 * n) // 3 + 1 if at is None else at
        if isinstance(at, bool) or not isinstance(at, int | np.integer) or not 1 <= at <= n:
            raise QIDataError(f"at={at!r}: the change starts at a point from 1 to {n}.", column="at")
        self.seed, self.n, self.mean, self.sd = int(seed), int(n), float(mean), float(sd)
        self.results, self.errors, self.result = {}, {}, None
        self.png = b""

        style = {"description_width": "95px"}
        c = self.controls = {
            "kind": widgets.ToggleButtons(options=[(v, k) for k, v in KINDS.items()], value=kind,
                                          description="Add", style={"description_width": "95px",
                                                                    "button_width": "105px"}),
            "size": widgets.FloatSlider(value=size, min=-4, max=4, step=0.25, description=_SIZE_LABEL[kind],
                                        continuous_update=False, readout_format=".2f", style=style,
                                        layout=widgets.Layout(width="330px")),
            "at": widgets.IntSlider(value=at, min=1, max=self.n, description="From point",
                                    continuous_update=False, style=style, layout=widgets.Layout(width="330px")),
            "chart": widgets.ToggleButtons(options=[("I chart", "i"), ("Run chart", "run")], value=chart,
                                           description="Chart", style={"description_width": "95px",
                                                                       "button_width": "105px"}),
            "baseline": widgets.ToggleButtons(options=[("Before the change", True), ("All points", False)],
                                              value=bool(baseline), description="Limits from",
                                              tooltips=["Centre line and limits from the points before the change "
                                                        "(a baseline), as when monitoring a process",
                                                        "Centre line and limits from every point"],
                                              style={"description_width": "95px", "button_width": "150px"}),
            "show": widgets.Dropdown(options=[(rule_set_name(k), k) for k in RULE_SETS], value=show,
                                     description="Chart shows", style=style, layout=widgets.Layout(width="330px")),
        }
        self.new_button = widgets.Button(description="New process", icon="refresh",
                                         tooltip="Draw a new stable process (the next seed)")
        self.new_button.on_click(self._new_process)
        for w in c.values():
            w.observe(self._on_change, names="value")

        self.chart_image = ChartImage(figsize=(7.2, 3.9), margins=dict(left=0.1, right=0.87, top=0.78, bottom=0.2))
        self.image = self.chart_image.widget
        # the chart shrinks (down to 420 px) so that the table stays beside it in a notebook's width
        self.image.layout = widgets.Layout(flex="1 1 420px", min_width="420px", max_width="720px", height="auto")
        self.table_html = widgets.HTML(layout=widgets.Layout(flex="0 1 330px", min_width="260px"))
        self.table_html.add_class("qikit-catch-table")
        self.words = widgets.HTML()
        controls = widgets.VBox([c["kind"], widgets.HBox([c["size"], c["at"]]),
                                 widgets.HBox([c["show"], self.new_button]),
                                 c["chart"], c["baseline"]])
        body = widgets.HBox([self.image, self.table_html], layout=widgets.Layout(flex_flow="row wrap",
                                                                                 align_items="flex-start"))
        super().__init__([controls, body, self.words])
        self.add_class("qikit-signal-or-noise")
        self.update()

    # ------------------------------------------------------------------ data
    def make_data(self) -> pd.DataFrame:
        """The series for the current controls (same seed, same noise, whatever is added)."""
        c = self.controls
        kind, size, at = c["kind"].value, float(c["size"].value), int(c["at"].value) - 1
        common = dict(n=self.n, mean=self.mean, sd=self.sd, seed=self.seed)
        if kind == "shift":
            return simulate.shift(at=at, size=size, **common)
        if kind == "trend":
            return simulate.trend(at=at, slope=size, **common)
        if kind == "outlier":
            return simulate.outlier(at=at, size=size, **common)
        return simulate.common_cause(**common)

    def change_point(self) -> int | None:
        """0-based position of the first changed point, or None for a stable process (or size 0)."""
        c = self.controls
        if c["kind"].value == "none" or c["size"].value == 0:
            return None
        return int(c["at"].value) - 1

    def _on_change(self, change) -> None:
        if change["owner"] is self.controls["kind"]:
            self.controls["size"].description = _SIZE_LABEL[change["new"]]
        self.update()

    def _new_process(self, _button=None) -> None:
        self.seed += 1
        self.update()

    # ------------------------------------------------------------------ drawing
    def update(self) -> None:
        """Simulate, apply every rule set, draw the chosen one and fill the table."""
        c = self.controls
        self.controls["size"].disabled = self.controls["at"].disabled = c["kind"].value == "none"
        self.data = self.make_data()
        self.results, self.errors, self.notes = {}, {}, []
        options = dict(x="date", y="value", chart=c["chart"].value)
        change = self.change_point()
        if c["baseline"].value and change is not None and change >= 2:
            options["freeze"] = change
        self.options = options
        for key in RULE_SETS:
            res, error, notes = run_quietly(spc, self.data, rules=key, **options)
            self.notes += [note for note in notes if note not in self.notes]
            self.results[key] = res
            if error:
                self.errors[key] = ("needs control limits: choose the I chart"
                                    if not CHARTS[c["chart"].value].has_limits else error)
        self.table = catch_table(self.results, self.errors, change)
        self.table_html.value = self._table_html(change)
        shown = c["show"].value
        self.result = self.results[shown]
        if self.result is None:
            self.chart_image.hide()
            self.words.value = message_html(error=self.errors[shown] + ".")
            return
        ax = self.chart_image.axes()
        annotate = [(self.data["date"].iloc[change], "change")] if change is not None else None
        self.result.plot(ax=ax, caption=False, annotate=annotate, title=f"{rule_set_name(shown, long=False)} rules on "
                         f"{'an I chart' if CHARTS[c['chart'].value].has_limits else 'a run chart'}")
        self.png = self.chart_image.show(alt=alt_text(self.chart_image.figure))
        self.words.value = message_html(notes=self.notes, text=self.result.explain(), alt=self.chart_image.alt)

    def _table_html(self, change: int | None) -> str:
        labels = XLabels(self.data["date"], "datetime")
        shown = self.controls["show"].value
        head = ("Signals with no special cause added (all false alarms)" if change is None else
                f"The change starts at point {change + 1} ({labels[change]})")
        rows = []
        for r in self.table.itertuples():
            if r.note and r.rules in self.errors:
                caught = f"<em>{html.escape(r.note)}</em>"
            elif change is None:
                caught = plural(r.false_alarms, "point") if r.false_alarms else "none"
                if r.note:
                    caught += f"; {html.escape(r.note)}"
            elif r.first >= 0:
                after = "at the change" if r.delay == 0 else f"{plural(r.delay, 'point')} later"
                caught = f"<strong>Yes</strong>: first flagged point {r.first + 1} ({after})"
            elif r.caught:
                caught = "<strong>Yes</strong>: whole chart"
            else:
                caught = "No"
            fired = html.escape(r.fired) if change is not None else ""
            alarms = "" if change is None or r.rules in self.errors else str(r.false_alarms)
            weight = "background:#EEF4FA;" if r.rules == shown else ""
            rows.append(f'<tr style="{weight}"><th style="text-align:left;padding:3px 6px">{html.escape(r.name)}</th>'
                        f'<td style="padding:3px 6px">{caught}'
                        + (f'<br><span style="color:#555;font-size:0.85em;line-height:1.2">{fired}</span>'
                           if fired else "")
                        + (f'</td><td style="padding:3px 6px;text-align:center">{alarms}</td></tr>'
                           if change is not None else "</td></tr>"))
        cols = ("<th>Rules</th><th>Caught it?</th><th>Signals before</th>" if change is not None
                else "<th>Rules</th><th>Points flagged</th>")
        return (f'<div style="font-size:0.92em;line-height:1.3"><p style="margin:4px 0"><strong>{html.escape(head)}</strong></p>'
                f'<table style="border-collapse:collapse"><thead><tr style="border-bottom:1px solid #999">{cols}'
                f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
                f'<p style="margin:4px 0;color:#555;font-size:0.9em">{_FOOTNOTE}</p></div>')


def signal_or_noise(seed: int = 2024, n: int = 52, *, mean: float = 100.0, sd: float = 10.0, kind: str = "shift",
                    size: float = 2.0, at: int | None = None, chart: str = "i",
                    show: str = "anhoej", baseline: bool = True) -> SignalOrNoise:
    """A stable process to which a trainee adds a shift, a trend or an outlier, and the rules that catch it.

    Move the sliders to choose the size of the change (in standard deviations of the process; per point
    for a trend) and the point where it starts. The table beside the chart shows, for each rule set
    (Anhøj, IHI, Western Electric, Nelson), whether it caught the change, at which point and how many
    points after the change, and how many points it flagged before the change (false alarms). With
    "None (stable)" every signal is a false alarm: noise mistaken for a signal.

    Parameters
    ----------
    seed : int
        Seed of the simulated process (:mod:`qikit.simulate`); "New process" moves to the next seed.
    n : int
        Points in the series (12 to 1000).
    mean, sd : float
        Centre and spread of the stable process.
    kind : {"none", "shift", "trend", "outlier"}
        The special cause to start with.
    size : float
        Its size in standard deviations (per point for a trend).
    at : int, optional
        The first changed point, counting from 1 (default: two thirds of the way along).
    chart : {"i", "run"}
        I chart (all four rule sets) or run chart (Anhøj and IHI only: the others need control limits).
    show : str
        The rule set drawn on the chart.
    baseline : bool
        Compute the centre line and limits from the points before the change (``freeze``), as when a
        process is monitored against its baseline, so that a signal before the change is a false alarm.
        With False they come from all points, and a large shift also pulls the centre line, so runs
        appear on the far side of it before the change too.

    The result, a :class:`SignalOrNoise` (an ``ipywidgets.VBox``), shows itself as a cell's last line.

    Examples
    --------
    >>> from qikit.widgets import signal_or_noise
    >>> w = signal_or_noise(seed=1, kind="outlier", size=6, at=30)
    >>> bool(w.table.set_index("rules").loc["anhoej", "caught"])
    True
    """
    return SignalOrNoise(seed=seed, n=n, mean=mean, sd=sd, kind=kind, size=size, at=at, chart=chart, show=show,
                        baseline=baseline)
