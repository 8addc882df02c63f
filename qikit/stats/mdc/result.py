"""MDCResult: what :func:`qikit.mdc` returns. Plain data, the readings of it a trainee sees
(``explain()``, ``describe()``, the latest status and its icon) and nothing drawn here.

Every number, date and list is written by :mod:`qikit.display`, the same words as :class:`qikit.SPCResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from html import escape

import numpy as np
import pandas as pd

from ...display import Text, date_style, fmt_date, fmt_list, fmt_value, number_formatter, plural, upper_first
from ..charts import D2
from .layout import plain
from .limits import LIMIT_FACTOR, MIN_POINTS
from .rules import RULE_ORDER

_RULE_TEXT = {
    "beyond_limits": "a point beyond the process limits",
    "trend": "a trend of 7 points rising or falling in a row",
    "two_in_three": "two out of three points beyond the 2-sigma line",
    "shift": "a shift of 7 or more points on one side of the mean",
}
#: Each rule's short name, as :attr:`qikit.stats.rules.Rule.name` names the SPC rules.
RULE_NAMES = {
    "beyond_limits": "Point outside the process limits",
    "trend": "Trend of 7 points",
    "two_in_three": "Two of three points beyond 2-sigma",
    "shift": "Shift of 7 points",
}
_RULE_DETAIL = {rule: upper_first(text) for rule, text in _RULE_TEXT.items()}
_NATURE = {
    "special_cause_improvement": "special cause variation of an improving nature",
    "special_cause_concern": "special cause variation of a concerning nature",
    "special_cause_neutral_high": "special cause variation of a neutral nature (higher than expected)",
    "special_cause_neutral_low": "special cause variation of a neutral nature (lower than expected)",
    "common_cause": "common cause variation",
}



@dataclass(frozen=True, eq=False, repr=False)
class MDCResult:
    """The result of :func:`mdc`: a plain data object read by plots and sentences.

    Attributes
    ----------
    data : DataFrame
        One row per point, ordered by facet then x: ``x, facet, segment, y, mean, lpl, upl, lpl_2s,
        upl_2s, mr`` (moving range from the previous point of the segment), ``mr_used`` (whether it
        entered the limits), ``baseline`` (whether the point is among those the limits rest on),
        ``point_type`` (None for a missing value), ``rule`` (the rule that set the type, None for
        common cause), ``direction`` (+1 high, -1 low, 0), ``target`` and ``row`` (the input row label).
    x, y, facet : str
        Column labels used.
    improvement, target, rebase, fix_after, screen_mr
        The arguments used.
    x_kind : str
        ``"datetime"``, ``"number"`` or ``"categorical"`` (unit labels; qikit.spc's word, formerly ``"label"``).

    Readings: :meth:`summary`, :attr:`signals` (the columns of :attr:`qikit.SPCResult.signals` first),
    :meth:`explain` and :meth:`describe` (:class:`qikit.display.Text`), :meth:`latest_status` (what a board
    shows) and :meth:`icon_letter` (the H or L on the variation icon).

    Examples
    --------
    >>> import qikit
    >>> res = qikit.mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5])
    >>> res.summary()[["n", "variation"]].to_dict("records")
    [{'n': 15, 'variation': 'common_cause'}]
    """

    data: pd.DataFrame
    x: str
    y: str
    facet: str | None
    improvement: str
    target: object
    rebase: object
    fix_after: int | None
    screen_mr: bool
    x_kind: str
    _summary: pd.DataFrame = field(repr=False)

    # -- tables -------------------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """One row per facet and segment: start/end x, n, mean, limits, target, ``variation`` (the
        latest point's type), ``assurance``, counts of each point type and a ``warning``."""
        return self._summary.copy()

    @cached_property
    def signals(self) -> pd.DataFrame:
        """The points showing special cause variation, one row each, in the columns of
        :attr:`qikit.SPCResult.signals`: ``facet`` (a faceted result only), ``part`` (the rebase segment),
        ``x, y, rule, rule_name, detail``; then Making Data Count's own ``point_type``, ``row`` (the input
        row label) and ``segment`` (the former name of ``part``, kept so older code still runs)."""
        d = self.data
        flagged = d["rule"].notna().to_numpy()
        sig = d.loc[flagged, ["facet", "segment", "x", "y", "rule", "point_type", "row"]].reset_index(drop=True)
        rule = sig["rule"].astype(object)
        out = pd.DataFrame({
            "facet": sig["facet"], "part": sig["segment"], "x": sig["x"], "y": sig["y"], "rule": sig["rule"],
            "rule_name": rule.map(RULE_NAMES), "detail": rule.map(_RULE_DETAIL), "point_type": sig["point_type"],
            "row": sig["row"], "segment": sig["segment"]})
        return out if self.facet is not None else out.drop(columns="facet")

    # -- words --------------------------------------------------------------------------------
    @cached_property
    def _date_style(self) -> str:
        return date_style(self.data["x"]) if self.x_kind == "datetime" else self.x_kind

    def _fx(self, value) -> str:
        """An x value in words, as :meth:`qikit.SPCResult.explain` writes it: "Mar 2018" for monthly data,
        "3 Mar 2018" for finer dates (:func:`qikit.display.date_style`)."""
        if self.x_kind == "datetime":
            return fmt_date(pd.Timestamp(value), self._date_style)
        return plain(value)

    def _episodes(self) -> pd.DataFrame:
        """Stretches of consecutive flagged points of one segment with the same point type (the same
        nature of special cause), one row each, with the rules that caught them in MDC precedence."""
        d = self.data
        rule = d["rule"].to_numpy(dtype=object)
        flagged = pd.notna(d["rule"]).to_numpy()
        seg_key = np.repeat(np.arange(len(self._summary)), self._summary["n"].to_numpy())
        pt = d["point_type"].to_numpy(dtype=object)
        n = len(d)
        new = np.ones(n, dtype=bool)
        if n > 1:
            new[1:] = ~flagged[:-1] | (pt[1:] != pt[:-1]) | (seg_key[1:] != seg_key[:-1])
        new &= flagged
        ep = np.cumsum(new) - 1
        pos = np.flatnonzero(flagged)
        if not len(pos):
            return pd.DataFrame(columns=["seg_key", "first", "last", "n", "rules", "point_type"])
        e = ep[pos]
        first = pos[np.r_[True, e[1:] != e[:-1]]]
        last = pos[np.r_[e[1:] != e[:-1], True]]
        rules = [tuple(r for r in RULE_ORDER if r in set(rule[a:b + 1])) for a, b in zip(first, last, strict=True)]
        return pd.DataFrame({"seg_key": seg_key[first], "first": first, "last": last,
                             "n": np.bincount(e), "rules": rules, "point_type": pt[first]})

    def _finding(self, ep, fmt) -> str:
        d = self.data
        i, j, k = int(ep["first"]), int(ep["last"]), int(ep["n"])
        when = f"in {self._fx(d['x'].iat[i])}" if k == 1 else \
            f"from {self._fx(d['x'].iat[i])} to {self._fx(d['x'].iat[j])} ({k} points)"
        rule = d["rule"].to_numpy(dtype=object)[i:j + 1]
        direction = d["direction"].to_numpy()[i:j + 1]
        y = d["y"].to_numpy()[i:j + 1]
        parts = []
        for r in ep["rules"]:
            hit = rule == r
            m = int(hit.sum())
            high = direction[hit][0] > 0
            if r == "beyond_limits":
                side = "above the upper" if high else "below the lower"
                parts.append(f"the value {fmt_value(y[hit][0])} is {side} process limit" if m == 1 else
                             f"{m} values are {side} process limit")
            elif r == "trend":
                parts.append(f"a trend: 7 or more points in a row each {'higher' if high else 'lower'} than the one "
                             "before")
            elif r == "two_in_three":
                parts.append(f"two out of three points in a row are close to the {'upper' if high else 'lower'} "
                             "process limit (beyond the 2-sigma line)")
            else:
                parts.append(f"a shift: 7 or more points in a row {'above' if high else 'below'} the mean")
        nature = _NATURE[ep["point_type"]]
        listed = parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]
        return f"{upper_first(nature)} {when}: {listed}."

    def explain(self) -> Text:
        """Plain-English reading of every facet and segment, one sentence per finding.

        Uses Making Data Count's own words: "special cause variation of an improving nature",
        "of a concerning nature", "common cause variation", and for a target "will consistently
        be met", "will not be met consistently without a change to the process" or "will be met
        only some of the time".
        """
        s = self._summary
        eps = self._episodes()
        by_seg = {key: grp for key, grp in eps.groupby("seg_key", sort=False)} if len(eps) else {}
        lines: list[str] = []
        fcodes = pd.factorize(s["facet"], use_na_sentinel=False)[0]
        many_segments = s.groupby(fcodes)["segment"].transform("max").to_numpy() > 1
        for g, row in enumerate(s.itertuples(index=False)):
            fmt = number_formatter(row.upl - row.lpl, row.mean)
            span = f"rom {self._fx(row.start)} to {self._fx(row.end)} ({row.n} points)"
            where = "" if self.facet is None else f"{self.facet} {row.facet}"
            if many_segments[g]:
                where += (", " if where else "") + f"segment {row.segment}"
            head = (f"{where}: f{span}" if where else f"F{span}") + \
                f" the mean is {fmt(row.mean)} and the process limits are {fmt(row.lpl)} to {fmt(row.upl)}."
            sentences = [head]
            if g == 0:
                sentences.append(self._constants_note(row, fmt))
            if row.warning is not None:
                sentences.append(f"These limits rest on only {row.n_values} values, fewer than {MIN_POINTS}, "
                                 "so treat them as provisional.")
            grp = by_seg.get(g)
            if grp is None:
                sentences.append("There is no signal: every point shows common cause variation (no point beyond "
                                 "the process limits, no trend, no two-in-three, no shift).")
            else:
                sentences.extend(self._finding(ep, fmt) for ep in grp.to_dict("records"))
            last_x = self._last_x(g)
            latest = "The latest point" if last_x == row.end else "The latest point with a value"
            sentences.append(f"{latest}, {self._fx(last_x)}, shows {_NATURE[row.variation]}.")
            if row.assurance is not None:
                t = fmt_value(row.target)
                sentences.append({
                    "consistent_pass": f"The target of {t} lies {'below the lower' if self.improvement == 'increase' else 'above the upper'} process limit, so the target will consistently be met.",  # noqa: E501
                    "consistent_fail": f"The target of {t} lies {'above the upper' if self.improvement == 'increase' else 'below the lower'} process limit, so the target will not be met consistently without a change to the process.",  # noqa: E501
                    "inconsistent": f"The target of {t} lies between the process limits, so the target will be "
                                    "met only some of the time.",
                }[row.assurance])
            lines.append(" ".join(sentences))
        return Text("\n".join(lines))

    @staticmethod
    def _constants_note(row, fmt) -> str:
        """Where Making Data Count's constant differs from the I chart's, with this chart's numbers."""
        amr = (row.upl - row.mean) / LIMIT_FACTOR
        i_lcl, i_ucl = row.mean - 3 / D2 * amr, row.mean + 3 / D2 * amr
        return (f"Making Data Count sets the limits at the mean ± {LIMIT_FACTOR} × the average moving range "
                f"(3 ÷ 1.128, rounded as in its guidance); an I chart from qikit.spc() uses 3 ÷ 1.128 = "
                f"{3 / D2:.4f} and would put them at {fmt(i_lcl)} to {fmt(i_ucl)}.")

    def _last_x(self, g: int):
        d = self.data
        starts = self._group_starts
        lo, hi = starts[g], starts[g + 1]
        ys = d["y"].to_numpy()[lo:hi]
        k = np.flatnonzero(~np.isnan(ys))[-1]
        return d["x"].iat[lo + k]

    @cached_property
    def _group_starts(self) -> np.ndarray:
        return np.append(0, np.cumsum(self._summary["n"].to_numpy()))

    def describe(self) -> Text:
        """A short alt-text paragraph for screen readers: what is plotted, dates, mean, limits, signals."""
        s = self._summary
        d = self.data
        xr = f"{self._fx(d['x'].min())} to {self._fx(d['x'].max())}"
        n_sig = int(d["rule"].notna().sum())
        if self.facet is None:
            last = s.iloc[-1]
            fmt = number_formatter(last["upl"] - last["lpl"], last["mean"])
            text = (f"Making Data Count XmR chart of {self.y} against {self.x}: {len(d)} points from {xr}. "
                    f"Mean {fmt(last['mean'])}, process limits {fmt(last['lpl'])} to {fmt(last['upl'])}")
            text += f" (latest of {len(s)} segments)." if len(s) > 1 else "."
            if n_sig == 0:
                return Text(text + " No point shows special cause variation.")
            eps = self._episodes()
            parts = []
            for ep in eps.to_dict("records")[:4]:
                i, j = int(ep["first"]), int(ep["last"])
                when = self._fx(d["x"].iat[i]) if i == j else f"{self._fx(d['x'].iat[i])} to {self._fx(d['x'].iat[j])}"
                rules = ", ".join(_RULE_TEXT[r] for r in ep["rules"])
                parts.append(f"{when} ({rules}; {_short_type(ep['point_type'])})")
            more = f" and {len(eps) - 4} more" if len(eps) > 4 else ""
            shows = "shows" if n_sig == 1 else "show"
            return Text(text + f" {plural(n_sig, 'point')} {shows} special cause variation: {'; '.join(parts)}{more}.")
        facets = s["facet"].drop_duplicates().tolist()
        names = fmt_list(facets, limit=6)
        text = (f"Making Data Count XmR charts of {self.y} against {self.x}, one for each of {len(facets)} values of "
                f"{self.facet} ({names}): {len(d)} points from {xr}.")
        flagged = d.loc[d["rule"].notna(), "facet"].value_counts(sort=False)
        if flagged.empty:
            return Text(text + " No point shows special cause variation.")
        listed = fmt_list([f"{f} ({plural(c, 'point')})" for f, c in flagged.items()], limit=6)
        return Text(text + f" {len(flagged)} of them show special cause variation: {listed}.")

    # -- status (what a board and the icons show) ---------------------------------------------------
    def latest_status(self) -> pd.DataFrame:
        """For each facet, the last segment's status: facet, x and value of the latest point with a value,
        mean, limits, target, variation (its point type), direction and assurance.

        Examples
        --------
        >>> import qikit
        >>> res = qikit.mdc(None, x=list(range(1, 16)), y=[5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 5, 6, 7, 6, 5])
        >>> res.latest_status()[["latest", "variation"]].values.tolist()
        [[5.0, 'common_cause']]
        """
        s = self._summary
        d = self.data
        # Data are ordered by facet then x, the summary by facet then segment, so both list the facets in
        # the same order: the last row of each is the latest point with a value / the latest segment.
        s_last = s.groupby(pd.factorize(s["facet"].astype(object), use_na_sentinel=False)[0], sort=False).tail(1)
        have = d[d["y"].notna().to_numpy()]
        d_last = have.groupby(pd.factorize(have["facet"].astype(object), use_na_sentinel=False)[0],
                              sort=False).tail(1)
        return pd.DataFrame({
            "facet": s_last["facet"].astype(object).to_numpy(),
            "x": d_last["x"].to_numpy(),
            "latest": d_last["y"].to_numpy(dtype=float),
            "mean": s_last["mean"].to_numpy(dtype=float),
            "lpl": s_last["lpl"].to_numpy(dtype=float),
            "upl": s_last["upl"].to_numpy(dtype=float),
            "target": s_last["target"].to_numpy(dtype=float),
            "variation": s_last["variation"].astype(object).to_numpy(),
            "direction": d_last["direction"].to_numpy(dtype=int),
            "assurance": s_last["assurance"].astype(object).to_numpy(),
        })

    @staticmethod
    def icon_letter(variation, direction: int = 0) -> str:
        """The letter on the variation icon: "H" (high) or "L" (low) for special cause, "" otherwise.

        An improving or concerning special cause is high or low by the direction of the rule that caught it
        (a rising trend is high); a neutral one by its type (Making Data Count: strengthening your decisions,
        2019, the variation icons).

        Examples
        --------
        >>> MDCResult.icon_letter("special_cause_concern", -1), MDCResult.icon_letter("special_cause_neutral_high")
        ('L', 'H')
        >>> MDCResult.icon_letter("common_cause", 1), MDCResult.icon_letter(None)
        ('', '')
        """
        if variation in ("special_cause_improvement", "special_cause_concern"):
            return "H" if direction > 0 else "L"
        if variation in ("special_cause_neutral_high", "special_cause_neutral_low"):
            return "H" if variation.endswith("high") else "L"
        return ""

    # -- drawing (the presentation layer, loaded on first use) -------------------------------------
    def plot(self, ax=None, **style):
        """Draw the XmR chart with its icons; return the Axes (a Figure for a faceted result).
        Options are those of :func:`qikit.plot.mdc.plot_mdc`."""
        from ...plot.mdc import plot_mdc

        return plot_mdc(self, ax=ax, **style)

    def icons(self, fig=None, **style):
        """The variation and assurance icons alone, as a matplotlib Figure (:func:`qikit.plot.mdc.mdc_icons`)."""
        from ...plot.mdc import mdc_icons

        return mdc_icons(self, fig=fig, **style)

    # -- display ------------------------------------------------------------------------------
    def _heading(self) -> str:
        bits = [f"improvement: {self.improvement}"]
        if self.target is not None:
            bits.append(f"target: {self.target}")
        if self.fix_after is not None:
            bits.append(f"fixed after {self.fix_after} points")
        return f"MDCResult: Making Data Count XmR of {self.y!r} by {self.x!r} ({', '.join(bits)})"

    def _display_table(self) -> pd.DataFrame:
        cols = ["facet", "segment", "start", "end", "n", "mean", "lpl", "upl", "variation", "assurance"]
        t = self._summary[cols]
        if self.facet is None:
            t = t.drop(columns="facet")
        if self.target is None or self.improvement == "neutral":
            t = t.drop(columns="assurance")
        return t

    def __repr__(self) -> str:
        return self._heading() + "\n" + self._display_table().to_string(index=False, max_rows=12, float_format="{:.4g}".format)

    def _repr_html_(self) -> str:
        return (f"<p><b>{escape(self._heading())}</b></p>"
                + self._display_table().to_html(index=False, max_rows=20, float_format="{:.4g}".format))


def _short_type(point_type: str) -> str:
    return {"special_cause_improvement": "improving", "special_cause_concern": "concerning",
            "special_cause_neutral_high": "high", "special_cause_neutral_low": "low"}[point_type]
