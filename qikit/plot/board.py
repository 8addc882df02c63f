"""A Making Data Count board: several metrics in one table with their variation and assurance icons.

:func:`mdc_summary_table` returns an :class:`MDCBoard`, a pandas DataFrame (one row per metric, or per
metric and facet) that a notebook shows as an HTML table with the icons drawn as inline SVG, followed
by a key to the icons. Everything is read from the results' summaries and data; nothing is recomputed.
This module does not load matplotlib.

Source: NHS England and NHS Improvement. *Making Data Count: strengthening your decisions*, 2019 (the
variation and assurance icons and the board, or "summary table", that lists metrics with them).
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..display import fmt_number
from ..errors import QIDataError
from ..stats.mdc.result import MDCResult
from .style import MDC_COLOURS

__all__ = ["mdc_summary_table", "MDCBoard", "latest_status", "variation_words", "assurance_words",
           "svg_variation", "svg_assurance"]

_ASSURANCE_COLOURS = {"consistent_pass": MDC_COLOURS["special_cause_improvement"],
                      "consistent_fail": MDC_COLOURS["special_cause_concern"],
                      "inconsistent": MDC_COLOURS["common_cause"]}
_ASSURANCE_LETTER = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}


def variation_words(variation: str, direction: int) -> str:
    """The variation icon in words: "Special cause, improving (high)", "Common cause"."""
    if variation is None or (isinstance(variation, float) and np.isnan(variation)):
        return "No data"
    if variation == "common_cause":
        return "Common cause"
    side = "high" if MDCResult.icon_letter(variation, direction) == "H" else "low"
    nature = {"special_cause_improvement": "improving", "special_cause_concern": "concerning"}.get(variation, "neutral")
    return f"Special cause, {nature} ({side})"


def assurance_words(assurance) -> str:
    """The assurance icon in words."""
    return {"consistent_pass": "Target consistently met", "consistent_fail": "Target consistently missed",
            "inconsistent": "Target met only some of the time"}.get(assurance, "No target")


def latest_status(result) -> pd.DataFrame:
    """For each facet of an :class:`MDCResult`, the last segment's status (:meth:`MDCResult.latest_status`,
    which computes it; kept here under its old name).

    Examples
    --------
    >>> from qikit.stats.mdc import mdc
    >>> res = mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5])
    >>> latest_status(res)[["latest", "variation"]].values.tolist()
    [[5.0, 'common_cause']]
    """
    return result.latest_status()


def mdc_summary_table(results: Mapping[str, object]) -> MDCBoard:
    """A board of Making Data Count metrics: one row per metric (and facet), with its latest value,
    mean, process limits, target, variation and assurance.

    Parameters
    ----------
    results : dict of {str: MDCResult}
        Metric name -> result of :func:`qikit.mdc`. A faceted result gives one row per facet, named
        ``"metric: facet"``.

    Returns
    -------
    MDCBoard
        A DataFrame with columns ``metric, facet, x, latest, mean, lpl, upl, target, variation, direction,
        assurance`` (the codes of :meth:`MDCResult.summary`; ``direction`` +1 high, -1 low). In a notebook
        it renders as an HTML table with the variation and assurance icons and a key.

    Examples
    --------
    >>> from qikit.stats.mdc import mdc
    >>> flat = mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5], target=2)
    >>> board = mdc_summary_table({"Waiting (days)": flat})
    >>> board[["metric", "variation", "assurance"]].values.tolist()
    [['Waiting (days)', 'common_cause', 'consistent_pass']]
    """
    if not isinstance(results, Mapping) or not results:
        raise QIDataError("give the results as a dict {metric name: qikit.mdc(...) result}.", column="results")
    frames = []
    for name, res in results.items():
        if not hasattr(res, "summary") or not hasattr(res, "improvement"):
            raise QIDataError(f"the result for {name!r} is not a Making Data Count result (qikit.mdc(...)); "
                              f"it is a {type(res).__name__}.", column=str(name))
        st = latest_status(res)
        label = [str(name) if f is None else f"{name}: {f}" for f in st["facet"]]
        st.insert(0, "metric", label)
        frames.append(st)
    table = pd.concat(frames, ignore_index=True)
    return MDCBoard(table)


class MDCBoard(pd.DataFrame):
    """A DataFrame of MDC metrics that shows itself in a notebook as a table with icons (inline SVG).

    Derived tables (slices, copies) are plain DataFrames.
    """

    @property
    def _constructor(self):
        return pd.DataFrame

    def _repr_html_(self) -> str:
        need = {"metric", "latest", "mean", "lpl", "upl", "variation", "assurance"}
        if not need <= set(self.columns):
            return pd.DataFrame(self)._repr_html_()
        head = ["Metric", "Latest", "Mean", "Lower limit", "Upper limit", "Target", "Variation", "Assurance"]
        cell = 'style="padding:4px 8px;text-align:{}"'
        out = ['<table class="qikit-mdc-board" style="border-collapse:collapse">',
               "<thead><tr>" + "".join(f'<th {cell.format("left" if i in (0, 6, 7) else "right")}>{h}</th>'
                                       for i, h in enumerate(head)) + "</tr></thead><tbody>"]
        for r in self.itertuples(index=False):
            direction = int(getattr(r, "direction", 0) or 0)
            var = (f'{svg_variation(r.variation, direction)} '
                   f'<span style="font-size:0.85em">{html.escape(variation_words(r.variation, direction))}</span>')
            ass = (f'{svg_assurance(r.assurance)} <span style="font-size:0.85em">'
                   f'{html.escape(assurance_words(r.assurance))}</span>') if r.assurance is not None else \
                '<span style="color:#777;font-size:0.85em">no target</span>'
            target = getattr(r, "target", np.nan)
            nums = [fmt_number(v, missing="") for v in (r.latest, r.mean, r.lpl, r.upl, target)]
            out.append("<tr style=\"border-top:1px solid #ddd\">"
                       f'<td {cell.format("left")}>{html.escape(str(r.metric))}</td>'
                       + "".join(f'<td {cell.format("right")}>{v}</td>' for v in nums)
                       + f'<td {cell.format("left")}>{var}</td><td {cell.format("left")}>{ass}</td></tr>')
        out.append("</tbody></table>")
        out.append(_key_html())
        return "".join(out)


def _key_html() -> str:
    items = [
        (svg_variation("common_cause", 0, 18), "common cause: no significant change"),
        (svg_variation("special_cause_improvement", 1, 18), "special cause, improving; H high, L low"),
        (svg_variation("special_cause_concern", 1, 18), "special cause, concerning"),
        (svg_assurance("consistent_pass", 18), "P: target consistently met"),
        (svg_assurance("consistent_fail", 18), "F: target consistently missed"),
        (svg_assurance("inconsistent", 18), "?: target met only some of the time"),
    ]
    body = " &nbsp; ".join(f'{icon} {html.escape(text)}' for icon, text in items)
    return (f'<p style="font-size:0.8em;color:#333;margin-top:6px">Key: {body}. Blue = improvement, '
            "orange = concern, grey = common cause (NHS England, Making Data Count).</p>")


# ---------------------------------------------------------------------------------------- SVG icons

def _svg(body: str, title: str, size: int) -> str:
    t = html.escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 100 100" '
            f'role="img" aria-label="{t}" style="vertical-align:middle"><title>{t}</title>{body}</svg>')


def svg_variation(variation, direction: int = 0, size: int = 28) -> str:
    """The variation icon as inline SVG: a grey circle with a flat run of dots for common cause; a blue
    (improving), orange (concerning) or purple (neutral) circle with H or L for special cause."""
    if variation is None or variation not in MDC_COLOURS:
        return _svg('<circle cx="50" cy="50" r="44" fill="white" stroke="#BBBBBB" stroke-width="6"/>', "no data",
                    size)
    colour = MDC_COLOURS[variation]
    ring = f'<circle cx="50" cy="50" r="44" fill="white" stroke="{colour}" stroke-width="8"/>'
    if variation == "common_cause":
        xs = np.linspace(24, 76, 7)
        ys = 50 + np.array([0, -8, 6, -4, 8, -6, 2])
        pts = " ".join(f"{x:.0f},{y:.0f}" for x, y in zip(xs, ys, strict=True))
        dots = "".join(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{colour}"/>' for x, y in zip(xs, ys, strict=True))
        body = ring + f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="3"/>' + dots
    else:
        letter = MDCResult.icon_letter(variation, direction)
        body = ring + (f'<text x="50" y="64" text-anchor="middle" font-family="sans-serif" font-weight="bold" '
                       f'font-size="44" fill="{colour}">{letter}</text>')
    return _svg(body, variation_words(variation, direction), size)


def svg_assurance(assurance, size: int = 28) -> str:
    """The assurance icon as inline SVG: P (blue, the target is consistently met), F (orange, consistently
    missed) or ? (grey, met only some of the time)."""
    if assurance not in _ASSURANCE_COLOURS:
        return ""
    colour = _ASSURANCE_COLOURS[assurance]
    body = (f'<circle cx="50" cy="50" r="44" fill="white" stroke="{colour}" stroke-width="8"/>'
            f'<text x="50" y="66" text-anchor="middle" font-family="sans-serif" font-weight="bold" font-size="48" '
            f'fill="{colour}">{_ASSURANCE_LETTER[assurance]}</text>')
    return _svg(body, assurance_words(assurance), size)
