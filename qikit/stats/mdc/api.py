"""The Making Data Count front door, :func:`mdc`: check the data, lay it out in groups (facet + segment),
compute the limits and rules for every group at once and return an :class:`MDCResult`."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._checks import dates_or_values, numeric, refuse, resolve
from ...errors import ProvisionalLimitsWarning, QIDataError, rows_phrase
from .layout import check_fix_after, check_improvement, facet_codes, layout, plain, targets_per_facet, x_key
from .limits import MIN_POINTS, process_limits, xmr_limits
from .result import MDCResult
from .rules import IMPROVEMENTS, POINT_TYPES, RULE_ORDER, apply_rules, point_type_codes

_POINT_TYPE_DTYPE = pd.CategoricalDtype(POINT_TYPES)
_RULE_DTYPE = pd.CategoricalDtype(RULE_ORDER)


def mdc(data: pd.DataFrame | None = None, x=None, y=None, *, facet=None, improvement: str = "increase", target=None,
        rebase=None, fix_after: int | None = None, screen_mr: bool = True, freeze: int | None = None) -> MDCResult:
    """Making Data Count XmR chart: limits, special-cause rules, variation and assurance.

    Parameters
    ----------
    data : DataFrame, optional
        The table; ``x``, ``y`` and ``facet`` name its columns. With ``data=None`` (the default) they are
        arrays, as in :func:`qikit.spc`.
    x : str or array-like
        The time axis: datetimes, numbers, or date text such as ``"2024-03-31"``. Other text is
        taken as labels in the order the rows are given.
    y : str or array-like
        The measure. An empty cell is kept as a gap: it is left out of the mean and of the moving
        ranges (the points either side of it are not joined) and it breaks trends and shifts.
    facet : str or array-like, optional
        One chart per value of this column (e.g. per ward), all computed in one pass.
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better. ``"neutral"`` labels special causes high or low instead.
    target : float or dict, optional
        One target, or ``{facet: target}``. Facets left out have no target.
    rebase : list or dict, optional
        x values where a new segment (with its own limits) starts, or ``{facet: [x, ...]}``.
    fix_after : int, optional
        Set each segment's mean and limits from its first ``fix_after`` points only; the limits
        still apply to every point of the segment.
    freeze : int, optional
        The same as ``fix_after``, under the name :func:`qikit.spc` gives it (give one of the two).
    screen_mr : bool, default True
        Leave out moving ranges of at least 3.267 x their mean before setting limits (Nelson 1982).

    Returns
    -------
    MDCResult
        ``.data`` (one row per point), ``.summary()``, ``.signals``, ``.explain()``, ``.describe()``.

    Raises
    ------
    QIDataError
        When a column is missing, ``y`` holds text, an x value repeats within a facet, an argument
        is not understood, a rebase x value is not in the data, or a segment is too short.

    Notes
    -----
    Method as in NHSRplotthedots 0.2.2, per facet and segment: mean of the first ``fix_after``
    points (all points by default); moving ranges between neighbouring points of those; the mean
    moving range after screening; process limits mean +/- 2.66 x mean mR; 2-sigma lines
    mean +/- (2/3) x 2.66 x mean mR. Rules, in precedence order: a point beyond a process limit;
    a trend of 7 points; two of three points beyond a 2-sigma line on one side of the mean; a
    shift of 7 or more points on one side of the mean.

    Differences from :func:`qikit.spc`'s I chart on the same points (see :mod:`qikit.stats.mdc.limits`): the
    limits are the mean +/- 2.66 x the mean moving range, the rounded value Making Data Count prints
    (NHSRplotthedots ``ptd_spc_standard()``: ``limit <- 2.66``), where the I chart uses 3 / 1.128 = 2.6596 as
    qicharts2 does; the 2-sigma lines are 1.7733 against 1.7730 mean moving ranges from the mean. The screening
    of moving ranges is the same (3.267 x their mean, shared code in :mod:`qikit.stats._xmr`), except that a
    flat baseline keeps a mean moving range of 0 here. ``explain()`` says this with the chart's own numbers.

    Differences from NHSRplotthedots, on purpose:

    - A special cause's direction comes from the first rule that caught it: a rising trend is
      high (improving when higher is better) even where it lies below the mean. ptd uses the side
      of the mean for every rule.
    - With ``improvement="neutral"``, points below the mean are ``special_cause_neutral_low``. ptd
      0.2.2 tests ``ifelse(relative_to_mean, "high", "low")``, where -1 counts as true, so it labels
      every neutral special cause "high".
    - The assurance is given for every segment, not only the last one of each facet.
    - The provisional-limits warning counts the values the limits rest on (after ``fix_after``
      and leaving out gaps) and asks for at least 13; ptd counts rows and asks for 12.
    - When a segment's baseline is flat (mean moving range 0), screening is skipped: ptd would
      screen every moving range out and leave no limits.

    Examples
    --------
    >>> import pandas as pd, qikit
    >>> df = pd.DataFrame({"month": pd.date_range("2020-01-01", periods=18, freq="MS"),
    ...                    "y": [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]})
    >>> res = qikit.mdc(df, x="month", y="y", improvement="decrease")
    >>> round(float(res.summary().loc[0, "upl"]), 2)
    4.6
    >>> res.signals[["rule", "point_type"]].values.tolist()
    [['beyond_limits', 'special_cause_concern']]
    """
    improvement = check_improvement(improvement)
    imp = IMPROVEMENTS[improvement]
    if freeze is not None:
        if fix_after is not None:
            raise QIDataError("give fix_after or freeze, not both: they are two names for the number of points "
                              "the limits rest on.", column="freeze")
        fix_after = freeze
    fix_after = check_fix_after(fix_after)
    screen_mr = bool(screen_mr)

    if x is None or y is None:
        raise QIDataError("mdc() needs both x (the time axis) and y (the measure).",
                          column="x" if x is None else "y")
    xs, x_label = resolve(data, x, "x")
    ys, y_label = resolve(data, y, "y")
    fs, f_label = resolve(data, facet, "facet") if facet is not None else (None, None)
    assert xs is not None and ys is not None  # x and y were given, so both resolve to columns
    if data is None:
        n_x, n_y = len(xs), len(ys)
        if n_x != n_y:
            raise QIDataError(f"x has {n_x} values but y has {n_y}.", column="x")
        if fs is not None and len(fs) != n_y:
            raise QIDataError(f"facet has {len(fs)} values but y has {n_y}.", column="facet")
        xs = xs.set_axis(ys.index)  # a new Series: never relabel the caller's own
        if fs is not None:
            fs = fs.set_axis(ys.index)
    index = ys.index
    yv = numeric(ys, y_label)
    refuse(np.isinf(yv), index, y_label, "an infinite value (check for a division by zero)")
    xs = dates_or_values(xs, x_label)
    refuse(xs.isna().to_numpy(), index, x_label, "an empty cell: every point needs an x value, and it is missing")

    if fs is None:
        fcode = np.zeros(len(yv), dtype=np.intp)
        facets = pd.Index([None], dtype=object)
    else:
        fcode, facets = facet_codes(fs, index, str(f_label))
    if len(yv) < 2:
        raise QIDataError(f"column {y_label!r} has {len(yv)} value(s): an XmR chart needs at least 2 points.",
                          column=y_label, rows=list(index))

    kind, key = x_key(xs)
    targets = targets_per_facet(target, facets, f_label)
    lay = layout(index, xs, kind, key, fcode, facets, x_label, f_label, rebase)

    def where_group(g: int) -> str:
        xg = xs.iloc[lay.order[lay.starts[g]]]
        part = f"the segment starting at {plain(xg)}"
        return f"{part} of {f_label} {facets[lay.seg_facet[g]]!r}" if f_label is not None else part

    def group_rows(g: int) -> list:
        s = lay.starts[g]
        return list(index[lay.order[s:s + lay.lengths[g]]])

    tiny = np.flatnonzero(lay.lengths < 2)
    if len(tiny):
        g = int(tiny[0])
        n_groups = len(lay.starts)
        by_rebase = lay.seg_number[g] > 1 or (g + 1 < n_groups and lay.seg_facet[g + 1] == lay.seg_facet[g])
        if by_rebase:
            raise QIDataError(
                f"{where_group(g)} has only 1 point ({rows_phrase(group_rows(g))}): a segment needs at least 2 "
                "points to have a moving range. Move or remove that rebase value.",
                column="rebase", rows=group_rows(g))
        raise QIDataError(
            f"{f_label} {facets[lay.seg_facet[g]]!r} has only 1 point ({rows_phrase(group_rows(g))}): an XmR chart "
            "needs at least 2 points to have a moving range.", column=f_label, rows=group_rows(g))
    if fix_after is not None:
        over = np.flatnonzero(lay.lengths < fix_after)
        if len(over):
            g = int(over[0])
            raise QIDataError(
                f"fix_after={fix_after} is more than the {lay.lengths[g]} points of {where_group(g)} "
                f"({rows_phrase(group_rows(g))}). Use a smaller fix_after, or fewer rebase points.",
                column="fix_after", rows=group_rows(g))

    y_s = yv if lay.identity else yv[lay.order]
    pos = np.arange(len(y_s)) - lay.starts[lay.seg]
    baseline = pos < fix_after if fix_after is not None else np.ones(len(y_s), dtype=bool)
    mean, amr, mr, mr_used, n_values, n_mr = xmr_limits(y_s, lay.seg, lay.first, lay.starts, baseline, screen_mr)
    empty = np.flatnonzero(n_mr == 0)
    if len(empty):
        g = int(empty[0])
        rows = group_rows(g)
        raise QIDataError(
            f"column {y_label!r} has too few values in {where_group(g)} ({rows_phrase(rows)}) to set limits: "
            "the limits need at least two values next to each other"
            + (f" among the first {fix_after} points" if fix_after is not None else "") + ".",
            column=y_label, rows=rows)

    g_lpl, g_upl, g_lpl2, g_upl2 = process_limits(mean, amr)
    seg = lay.seg
    p_mean, p_lpl, p_upl, p_lpl2, p_upl2 = mean[seg], g_lpl[seg], g_upl[seg], g_lpl2[seg], g_upl2[seg]
    missing = np.isnan(y_s)
    rule_code, direction = apply_rules(y_s, lay.first, p_mean, p_lpl, p_upl, p_lpl2, p_upl2)
    pt_code = point_type_codes(direction, imp, missing)

    # Categoricals keep a million-row table cheap; a missing code (-1) reads as missing (NaN).
    if f_label is not None:
        facet_col = pd.Categorical.from_codes(lay.fcode, categories=facets, validate=False)
    else:
        facet_col = pd.Series(np.full(len(y_s), None, dtype=object), dtype=object)
    out = pd.DataFrame({
        "x": (xs if lay.identity else xs.iloc[lay.order]).reset_index(drop=True),
        "facet": facet_col,
        "segment": lay.seg_number[seg],
        "y": y_s,
        "mean": p_mean,
        "lpl": p_lpl,
        "upl": p_upl,
        "lpl_2s": p_lpl2,
        "upl_2s": p_upl2,
        "mr": mr,
        "mr_used": mr_used,
        "baseline": baseline,
        "point_type": pd.Categorical.from_codes(pt_code, dtype=_POINT_TYPE_DTYPE, validate=False),
        "rule": pd.Categorical.from_codes(rule_code - 1, dtype=_RULE_DTYPE, validate=False),
        "direction": direction,
        "target": targets[lay.fcode],
        "row": index if lay.identity else index[lay.order],
    })

    summary = _summary(out, lay, facets, f_label, mean, g_lpl, g_upl, targets, n_values, pt_code,
                       missing, improvement)
    short = summary["warning"].notna()
    if short.any():
        warnings.warn(ProvisionalLimitsWarning(
            f"{int(short.sum())} of {len(summary)} segment(s) have limits resting on fewer than {MIN_POINTS} values; "
            "treat those limits as provisional (see summary()['warning'])."), stacklevel=2)

    return MDCResult(
        data=out, x=x_label, y=y_label, facet=f_label, improvement=improvement, target=target, rebase=rebase,
        fix_after=fix_after, screen_mr=screen_mr, x_kind=kind, _summary=summary)


def _summary(out, lay, facets, f_label, mean, lpl, upl, targets, n_values, pt_code, missing,
             improvement) -> pd.DataFrame:
    n_groups = len(lay.starts)
    seg = lay.seg
    ends = lay.starts + lay.lengths - 1
    x_sorted = out["x"]
    # last point with a value in each group (every group has at least two values)
    idx = np.where(missing, -1, np.arange(len(seg)))
    last = np.maximum.reduceat(idx, lay.starts)
    pt_names = np.array(POINT_TYPES, dtype=object)
    variation = pt_names[pt_code[last]]
    tgt = targets[lay.seg_facet]
    if improvement == "neutral":
        assurance = np.full(n_groups, None, dtype=object)
    else:
        above, below = tgt > upl, tgt < lpl
        up = improvement == "increase"
        assurance = np.where(above, "consistent_fail" if up else "consistent_pass",
                             np.where(below, "consistent_pass" if up else "consistent_fail", "inconsistent"))
        assurance = np.where(np.isnan(tgt), np.array(None, dtype=object), assurance).astype(object)
    k = len(POINT_TYPES)
    valid = pt_code >= 0
    table = np.bincount(seg[valid] * k + pt_code[valid], minlength=n_groups * k).reshape(n_groups, k)
    counts = {name: table[:, j].astype(np.int64) for j, name in enumerate(POINT_TYPES)}
    n_vals = n_values.astype(np.int64)
    warning = np.full(n_groups, None, dtype=object)
    short = np.flatnonzero(n_vals < MIN_POINTS)
    if len(short):
        warning[short] = ("limits rest on only " + pd.Series(n_vals[short]).astype(str)
                          + f" values (fewer than {MIN_POINTS}): treat them as provisional").to_numpy(dtype=object)
    facet_col = facets.to_numpy(dtype=object)[lay.seg_facet] if f_label is not None \
        else np.full(n_groups, None, dtype=object)
    table = pd.DataFrame({
        "facet": pd.Series(facet_col, dtype=object),
        "segment": lay.seg_number,
        "start": x_sorted.iloc[lay.starts].reset_index(drop=True),
        "end": x_sorted.iloc[ends].reset_index(drop=True),
        "n": lay.lengths.astype(np.int64),
        "n_values": n_vals,
        "mean": mean,
        "lpl": lpl,
        "upl": upl,
        "target": tgt,
        "variation": pd.Series(variation, dtype=object),
        "assurance": pd.Series(assurance, dtype=object),
        **counts,
        "warning": pd.Series(warning, dtype=object),
    })
    return table
