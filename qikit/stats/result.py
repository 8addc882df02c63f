"""SPCResult: what :func:`qikit.spc` returns. Plain data plus readings of it; no plotting here."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..display import Text, date_style, fmt_date, fmt_label, fmt_number, plural, upper_first
from .charts import CHARTS

# the tie rule of the runs analysis: a point on the centre line (within rounding) is on neither side
from .rules import SIGNAL_COLUMNS
from .runs import side_of_centre


class XLabels:
    """Human labels for x values, made on demand: dates in the one style :func:`qikit.display.date_style`
    picks for the whole series from its spacing (months as "Mar 2020", other dates as "7 Mar 2020",
    date-times with the time), numbers plain (:func:`qikit.display.fmt_label`). ``labels[i]`` formats one
    point, so a sentence about two points does not pay for formatting two hundred."""

    def __init__(self, values, kind: str):
        self.kind = kind
        if kind == "datetime":
            self.values = pd.DatetimeIndex(list(values) if not hasattr(values, "dtype") else values)
            self.style = date_style(self.values)
        else:
            self.values = list(values)
            self.style = kind

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i) -> str:
        v = self.values[int(i)]
        if self.kind == "datetime":
            return fmt_date(v, self.style)
        if self.kind == "number":
            return fmt_label(v)
        return str(v)

    def __iter__(self):
        return (self[i] for i in range(len(self)))


def _num(v: float, scale: float | None = None) -> str:
    """A number to three significant figures for sentences (1,234; 12.3; 0.0456), "n/a" when missing; with
    ``scale``, rounding noise far below it is 0 (:func:`qikit.display.fmt_number`)."""
    return fmt_number(v, missing="n/a", scale=scale)


def _stretches(points: np.ndarray) -> list[np.ndarray]:
    """Split sorted positions into stretches of consecutive positions."""
    if len(points) == 0:
        return []
    return np.split(points, np.flatnonzero(np.diff(points) != 1) + 1)


@dataclass(frozen=True, repr=False)
class SPCResult:
    """The result of :func:`qikit.spc`.

    Attributes
    ----------
    data : DataFrame
        One row per subgroup in x order: ``x, part, part_label, n, y, cl, lcl, ucl, lcl_2s, ucl_2s,
        baseline, include, sigma_signal, runs_signal, n_useful, longest_run, longest_run_max, n_crossings,
        n_crossings_min, signal, rule``. Values are on the ``multiply`` scale.
    chart : str
        The chart type.
    options : dict
        The arguments used (the keys of :class:`qikit.stats.SPCOptions`).
    findings : tuple of :class:`qikit.stats.Finding`
        Every signal the rule set found, one per rule and part; ``.signals`` lays them out as a table.
    """

    data: pd.DataFrame
    chart: str
    options: dict  # an SPCOptions
    findings: tuple = field(default=())

    # ---------------------------------------------------------------- tables
    def summary(self) -> pd.DataFrame:
        """One row per part: points, useful points, runs analysis against its limits, points outside
        the limits, centre line and the average limits."""
        d = self.data
        keys = self._keys()
        g = d.groupby(keys, sort=False)
        out = pd.DataFrame({
            "part_label": g["part_label"].first(),
            "points": g.size(),
            "n_useful": g["n_useful"].first(),
            "longest_run": g["longest_run"].first(),
            "longest_run_max": g["longest_run_max"].first(),
            "n_crossings": g["n_crossings"].first(),
            "n_crossings_min": g["n_crossings_min"].first(),
            "runs_signal": g["runs_signal"].any(),
            "sigma_signals": g["sigma_signal"].sum(),
            "cl": g["cl"].mean(),
            "lcl": g["lcl"].mean(),
            "ucl": g["ucl"].mean(),
        })
        return out.reset_index()

    def _keys(self) -> list[str]:
        return ["facet", "part"] if "facet" in self.data else ["part"]

    @property
    def signals(self) -> pd.DataFrame:
        """The points that signal, one row per point and rule, with the columns every qikit result's ``.signals``
        shares (``qikit.stats.SIGNAL_COLUMNS``: ``facet`` only when faceted, ``part, x, y, rule, rule_name, detail``).
        A rule that concerns a whole part (too few crossings, too few runs) has one row with x missing."""
        rows = []
        xs, ys = self.data["x"].to_numpy(), self.data["y"].to_numpy()
        for f in self.findings:
            facet = getattr(f, "facet", None)
            if f.part_level:
                rows.append(dict(facet=facet, part=f.part, x=None, y=np.nan, rule=f.rule.code,
                                 rule_name=f.rule.name, detail=f.detail))
            for i in f.points:
                rows.append(dict(facet=facet, part=f.part, x=xs[i], y=ys[i], rule=f.rule.code,
                                 rule_name=f.rule.name, detail=f.rule.description))
        out = pd.DataFrame(rows, columns=list(SIGNAL_COLUMNS))
        return out if "facet" in self.data else out.drop(columns="facet")

    # ---------------------------------------------------------------- words
    def _labels(self) -> XLabels:
        return XLabels(self.data["x"], self.options.get("x_kind", "number"))

    def _where(self, positions: np.ndarray, labels: list[str]) -> str:
        """'point 7 (Jul 2020)' or 'points 25-36 (Jan 2020 to Dec 2020)'."""
        parts = []
        for s in _stretches(np.asarray(positions)):
            a, b = int(s[0]), int(s[-1])
            if a == b:
                parts.append(f"point {a + 1} ({labels[a]})")
            else:
                parts.append(f"points {a + 1}-{b + 1} ({labels[a]} to {labels[b]})")
        return "; ".join(parts)

    def _part_name(self, label, heading: bool = False) -> str:
        """A part of a split chart in words. Parts cut by ``part=[breaks]`` are "before the change" and "after
        the change" (with more breaks, "before the first change", "after change 1", ...); parts the user
        labelled keep their labels ("in part Baseline", as a heading "Part Baseline")."""
        names = [str(c) for c in self.data["part_label"].cat.categories] \
            if isinstance(self.data["part_label"].dtype, pd.CategoricalDtype) \
            else [str(c) for c in dict.fromkeys(self.data["part_label"])]
        label = str(label)
        if names != [str(i) for i in range(1, len(names) + 1)]:
            return f"Part {label}" if heading else f"in part {label}"
        k, j = len(names), int(label)
        if k == 2:
            name = "before the change" if j == 1 else "after the change"
        else:
            name = "before the first change" if j == 1 else f"after change {j - 1}"
        return upper_first(name) if heading else name

    def _label_of_part(self, part):
        hit = self.data["part"].to_numpy() == part
        return self.data["part_label"].to_numpy()[hit][0] if hit.any() else part

    def explain(self) -> Text:
        """A plain-English reading of the chart: one sentence per finding, or a sentence saying that
        the data show no signal."""
        d = self.data
        spec = CHARTS[self.chart]
        labels = self._labels()
        sentences = []
        multi = d["part"].nunique() > 1
        for f in self.findings:
            label = d["part_label"].iloc[f.points[0]] if len(f.points) else self._label_of_part(f.part)
            prefix = upper_first(self._part_name(label)) + ", " if multi else ""
            if getattr(f, "facet", None) is not None:
                prefix = f"{f.facet}: " + prefix
            text = self._sentence(f, labels)
            sentences.append(prefix + (text[:1].lower() + text[1:] if prefix.endswith(", ") else text))
        if self.options.get("x_kind") == "categorical":
            sentences.append("Runs analysis is not used because x names units rather than points in time.")
        if not self.findings:
            sentences.append(self._no_signal(spec))
        if self.options.get("freeze") is not None:
            what = "The centre line and limits come" if spec.has_limits else "The centre line comes"
            sentences.append(f"{what} from the first {self.options['freeze']} points (the baseline).")
        return Text(" ".join(sentences))

    def _sentence(self, f, labels) -> str:
        d = self.data
        code = f.rule.code
        if f.part_level:
            return f"{f.detail} {_MEANING}"
        where = self._where(f.points, labels)
        y = d["y"].to_numpy()
        if code == "beyond_limits":
            bits = []
            for i in f.points:
                side = "above the upper" if y[i] > d["ucl"].iloc[i] else "below the lower"
                lim = d["ucl"].iloc[i] if y[i] > d["ucl"].iloc[i] else d["lcl"].iloc[i]
                bits.append(f"{upper_first(self._where(np.array([i]), labels))} is {side} control limit "
                            f"({_num(y[i])} against {_num(lim)})")
            what = ("This is special cause variation: find out what happened at that time." if len(bits) == 1 else
                    "These are special cause variation: find out what happened at those times.")
            return ". ".join(bits) + ". " + what
        if code in ("anhoej_shift", "ihi_shift"):
            sentences = []
            cl = d["cl"].to_numpy(dtype=float)
            known = ~np.isnan(y) & ~np.isnan(cl)  # a missing value or centre is on no side
            side_of = side_of_centre(np.where(known, y, 0.0), np.where(known, cl, 0.0))
            useful = d["include"].to_numpy() & ~np.isnan(y) & (side_of != 0)
            runs, current = [], [int(f.points[0])]
            for p, q in zip(f.points[:-1], f.points[1:], strict=True):
                # a run goes on across points on the centre line (not useful), never across a change of side
                if side_of[q] == side_of[p] and not useful[p + 1:q].any():
                    current.append(int(q))
                else:
                    runs.append(np.array(current))
                    current = [int(q)]
            runs.append(np.array(current))
            for s in runs:
                i = int(s[0])
                side = "above" if y[i] > d["cl"].iloc[i] else "below"
                n_useful = d["n_useful"].iloc[i]
                limit = d["longest_run_max"].iloc[i]
                tail = (f"with {int(n_useful)} useful points a run longer than {int(limit)} is unlikely to be chance"
                        if code == "anhoej_shift" and np.isfinite(limit) else f.rule.description.lower())
                span = (f"Point {s[0] + 1} ({labels[s[0]]})" if len(s) == 1 else
                        f"Points {s[0] + 1}-{s[-1] + 1} ({labels[s[0]]} to {labels[s[-1]]})")
                on_line = (s[-1] - s[0] + 1) - len(s)
                extra = f" (not counting {on_line} on the line)" if on_line else ""
                sentences.append(f"{span} form a run of {len(s)} points {side} the centre line{extra}; {tail}: "
                                 "this is a shift.")
            return " ".join(sentences)
        return f"{upper_first(where)}: {f.rule.description.rstrip('.')} ({f.rule.name}), a signal of " \
               "special cause variation."

    def _no_signal(self, spec) -> str:
        s = self.summary()
        bits = []
        multi = s["part"].nunique() > 1
        for _, r in s.iterrows():
            if np.isfinite(r["n_useful"]) and np.isfinite(r["longest_run"]):
                where = ([f"for {r['facet']}"] if "facet" in r else []) + \
                    ([self._part_name(r["part_label"])] if multi else [])
                who = upper_first(", ".join(where)) + ", the" if where else "The"
                bits.append(f"{who} longest run is {plural(int(r['longest_run']), 'point')} (more than "
                            f"{int(r['longest_run_max'])} would signal) and the line crosses the centre line "
                            f"{plural(int(r['n_crossings']), 'time')} (fewer than {int(r['n_crossings_min'])} would "
                            "signal).")
        if spec.has_limits:
            bits.append("No point lies outside the control limits.")
        return " ".join(["No signal: the variation looks like common cause variation only.", *bits,
                         "The process is stable: to improve it, change the system rather than react to single "
                         "points."])

    def describe(self) -> Text:
        """A short alt-text paragraph for the chart: what is plotted, over what range, the centre line and
        limits, and the signals. Used as figure alt text for screen readers."""
        d = self.data
        spec = CHARTS[self.chart]
        labels = self._labels()
        o = self.options
        what = o.get("ylab") or o.get("y") or "y"
        text = [f"{spec.title} of {what}"]
        text[0] += f" by {o.get('xlab') or o.get('x')}" if o.get("x") else ""
        text[0] += f": {len(d)} points from {labels[0]} to {labels[-1]}." if len(d) else "."
        for _, r in self.summary().iterrows():
            part = self._part_name(r["part_label"], heading=True) + ": " if len(d["part"].unique()) > 1 else ""
            if "facet" in r:
                part = f"{r['facet']}, {part[:1].lower() + part[1:]}" if part else f"{r['facet']}: "
            centre = "median" if spec.centre_name == "median" else "centre line"
            line = f"{part}{centre} {_num(r['cl'])}" if part else f"{upper_first(centre)} {_num(r['cl'])}"
            if spec.has_limits:
                sub = d[d["part"] == r["part"]] if "facet" not in d else \
                    d[(d["part"] == r["part"]) & (d["facet"] == r["facet"])]
                size = max((abs(v) for v in (r["cl"], r["lcl"], r["ucl"]) if np.isfinite(v)), default=None)
                if np.allclose(sub["lcl"], sub["lcl"].iloc[0], equal_nan=True) and \
                        np.allclose(sub["ucl"], sub["ucl"].iloc[0], equal_nan=True):
                    line += f", control limits {_num(r['lcl'], size)} to {_num(r['ucl'], size)}"
                else:
                    line += (f", control limits varying with the denominator (on average {_num(r['lcl'], size)} "
                             f"to {_num(r['ucl'], size)})")
            text.append(line + ".")
        n_sig = int(d["signal"].sum())
        whole = sorted({f.rule.name.lower() for f in self.findings if f.part_level})
        if n_sig:
            text.append(f"{plural(n_sig, 'point')} marked as signals.")
        if whole:
            text.append(f"The pattern as a whole signals: {', '.join(whole)}.")
        if not n_sig and not whole:
            text.append("No signals.")
        return Text(" ".join(text))

    def plot(self, ax=None, **style):
        """Draw the chart with matplotlib and return the Axes (a Figure for a faceted result).

        Options (``annotate=``, ``two_sigma=``, ``target=``, ``sharey=``, ...) are those of
        :func:`qikit.plot.spc.plot_spc`, which draws it; the presentation layer loads on first use.
        """
        from ..plot.spc import plot_spc

        return plot_spc(self, ax=ax, **style)

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        head = f"SPCResult: {CHARTS[self.chart].title}, {len(self.data)} points, rules={self.options['rules']!r}"
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            return f"{head}\n{self.summary().to_string(index=False)}\n{self.explain()}"

    def _repr_html_(self) -> str:
        head = html.escape(f"{CHARTS[self.chart].title}: {len(self.data)} points, rules = {self.options['rules']}")
        table = self.summary().to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}", border=0)
        return f"<div><p><strong>{head}</strong></p>{table}<p>{html.escape(self.explain())}</p></div>"


_MEANING = "This is a signal of a non-random pattern: something in the process has probably changed."
