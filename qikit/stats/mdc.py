"""Making Data Count: NHS England's XmR charts with special-cause rules, variation and assurance.

This module holds the computation only (no plotting). :func:`mdc` checks the data, splits it into
facets and rebase segments, computes XmR limits and the four Making Data Count special-cause
rules for every group at once (grouped numpy, no loop per facet or per point), and returns an
:class:`MDCResult` that a plotter, ``explain()`` and ``describe()`` read without recomputing.

Sources
-------
- NHS England and NHS Improvement (2019). *Making Data Count: getting started* and *Making Data
  Count: strengthening your decisions*. The rules, the icons' vocabulary ("special cause variation
  of an improving / concerning nature", "common cause variation") and the assurance reading of a
  target against the process limits.
- NHSRplotthedots 0.2.2 (NHS-R Community), ``ptd_spc_standard()``, ``ptd_calculate_point_type()``,
  ``ptd_calculate_assurance_type()``: the reference implementation whose arithmetic this follows
  (differences are listed in :func:`mdc`'s Notes).
- Wheeler DJ, Chambers DS (1992). *Understanding Statistical Process Control*, 2nd ed., SPC Press:
  the XmR chart, 2.66 = 3 / d2 with d2 = 1.128 for moving ranges of two points.
- Nelson LS (1982). Control charts for individual measurements. *Journal of Quality Technology*
  14(3):172-173: screening moving ranges above the upper range limit D4 x mean(mR) = 3.267 x mean(mR).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

import numpy as np
import pandas as pd

from .._checks import dates_or_values, numeric, refuse, resolve
from ..errors import ProvisionalLimitsWarning, QIDataError, format_rows, rows_phrase

__all__ = ["mdc", "MDCResult", "RULES", "POINT_TYPES"]

# ---------------------------------------------------------------------------------------------
# Constants (each with its source)
# ---------------------------------------------------------------------------------------------

#: Process limits are mean +/- 2.66 x mean moving range: 3 / d2 with d2 = 1.128, the bias
#: constant of the range of two points (Wheeler & Chambers 1992, ch. 8; ptd_spc_standard()).
LIMIT_FACTOR = 2.66
#: The "2-sigma" lines used by the two-in-three rule: two thirds of the way to the process limit
#: (Making Data Count: getting started, 2019; ptd_spc_standard()'s ``limitclose``).
NEAR_FACTOR = 2 * LIMIT_FACTOR / 3
#: Moving ranges at or above D4 x mean(mR) = 3.267 x mean(mR) are screened out before the limits
#: are set (Nelson 1982; ptd_spc_standard()'s ``screen_outliers``, which keeps mR < 3.267 x amr).
SCREEN_FACTOR = 3.267
#: A trend is 6 consecutive strict rises or falls, i.e. 7 points (Making Data Count, 2019).
TREND_STEPS = 6
#: A shift is 7 or more consecutive points on one side of the mean (Making Data Count, 2019).
SHIFT_POINTS = 7
#: Limits resting on fewer points than this are provisional (the brief's threshold; ptd 0.2.2's
#: ptd_add_short_group_warnings() flags groups of fewer than 12 points).
MIN_POINTS = 13

#: Rule names in Making Data Count precedence order: a point caught by several rules takes its
#: direction from the first.
RULES = ("beyond_limits", "trend", "two_in_three", "shift")
#: Every point type a point with a value can have.
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
_POINT_TYPE_DTYPE = pd.CategoricalDtype(POINT_TYPES)
_RULE_DTYPE = pd.CategoricalDtype(RULES)
_IMPROVEMENTS = {"increase": 1, "decrease": -1, "neutral": 0}
_RULE_TEXT = {
    "beyond_limits": "a point beyond the process limits",
    "trend": "a trend of 7 points rising or falling in a row",
    "two_in_three": "two out of three points beyond the 2-sigma line",
    "shift": "a shift of 7 or more points on one side of the mean",
}
_NATURE = {
    "special_cause_improvement": "special cause variation of an improving nature",
    "special_cause_concern": "special cause variation of a concerning nature",
    "special_cause_neutral_high": "special cause variation of a neutral nature (higher than expected)",
    "special_cause_neutral_low": "special cause variation of a neutral nature (lower than expected)",
    "common_cause": "common cause variation",
}


# ---------------------------------------------------------------------------------------------
# Special-cause rules: each works on points sorted by group (facet + segment) then x, with
# ``first`` marking the first point of each group, and returns +1 (high), -1 (low) or 0 per point.
# ---------------------------------------------------------------------------------------------


def _side(y: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """+1 above the mean, -1 below, 0 exactly on it or missing."""
    d = y - mean
    return (d > 0).astype(np.int8) - (d < 0).astype(np.int8)


def _run_lengths(v: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Length of the run of equal consecutive values each element belongs to; runs stop at group starts."""
    start = np.empty(len(v), dtype=bool)
    if len(v):
        start[0] = True
        start[1:] = v[1:] != v[:-1]
    start |= first
    run_id = np.cumsum(start) - 1
    return np.bincount(run_id)[run_id]


def rule_beyond_limits(y: np.ndarray, lpl: np.ndarray, upl: np.ndarray) -> np.ndarray:
    """Rule 1: a single point strictly above the upper or below the lower process limit.

    Source: Making Data Count: getting started (NHS England and NHS Improvement, 2019), "a single
    point outside the process limits"; ptd_spc_standard()'s ``outside_limits`` (y > upl | y < lpl).
    A point exactly on a limit is not beyond it. Direction: +1 above upl, -1 below lpl.
    """
    return (y > upl).astype(np.int8) - (y < lpl).astype(np.int8)


def rule_trend(y: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Rule 2: a trend, 7 points each strictly higher (or each strictly lower) than the one before.

    Source: Making Data Count: getting started (2019), "a run of seven increasing or decreasing
    points"; ptd_calculate_point_type()'s ``ptd_seven_point_trend`` (six steps all of sign +1 or
    all -1). An equal value or a missing value breaks the trend. All points of a run of 6 or more
    strict steps are flagged; the direction is the trend's (a rising trend is high, even below the
    mean). A point that ends one trend and starts the opposite one (the tip of a V) takes the
    direction of the trend it ends, so the bottom of a V is low and the top of a peak is high.
    """
    n = len(y)
    step = np.zeros(n, dtype=np.int8)
    if n > 1:
        d = y[1:] - y[:-1]  # NaN where either point is missing: neither > 0 nor < 0
        step[1:] = (d > 0).astype(np.int8) - (d < 0).astype(np.int8)
    step[first] = 0
    run = _run_lengths(step, first)
    ending = np.where((step != 0) & (run >= TREND_STEPS), step, 0).astype(np.int8)
    starting = np.zeros(n, dtype=np.int8)
    starting[:-1] = ending[1:]
    return np.where(ending != 0, ending, starting)


def rule_two_in_three(y: np.ndarray, first: np.ndarray, mean: np.ndarray, lpl: np.ndarray,
                      upl: np.ndarray, lpl_2s: np.ndarray, upl_2s: np.ndarray) -> np.ndarray:
    """Rule 3: two out of three consecutive points beyond the 2-sigma line, all three on one side.

    Source: Making Data Count: getting started (2019), "two out of three points close to the
    process limits"; ptd_calculate_point_type()'s ``ptd_two_in_three``. Following ptd's
    ``close_to_limits``, a point counts as close when it is beyond a 2-sigma line but not beyond a
    process limit. A window of three consecutive points of one group fires when at least two are
    close and all three lie strictly on the same side of the mean; the close points of a firing
    window are flagged, with the side of the mean as direction. A missing value is neither close
    nor on a side, so it stops a window from firing.
    """
    n = len(y)
    out = np.zeros(n, dtype=np.int8)
    if n < 3:
        return out
    outside = (y > upl) | (y < lpl)
    close = ~outside & ((y > upl_2s) | (y < lpl_2s))
    side = _side(y, mean)
    c = close.astype(np.int8)
    s = side.astype(np.int16)
    fires = ((c[:-2] + c[1:-1] + c[2:]) >= 2) & (np.abs(s[:-2] + s[1:-1] + s[2:]) == 3)
    fires &= ~first[1:-1] & ~first[2:]  # the window must not cross into the next group
    in_window = np.zeros(n, dtype=bool)
    in_window[:-2] |= fires
    in_window[1:-1] |= fires
    in_window[2:] |= fires
    return np.where(in_window & close, side, 0).astype(np.int8)


def rule_shift(y: np.ndarray, first: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Rule 4: a shift, 7 or more consecutive points on one side of the mean.

    Source: Making Data Count: getting started (2019), "a run of seven points above or below the
    mean"; ptd_calculate_point_type()'s ``ptd_seven_point_one_side_mean``. A point exactly on the
    mean or a missing value breaks the run. All points of the run are flagged, with its side as
    direction.
    """
    side = _side(y, mean)
    run = _run_lengths(side, first)
    return np.where((side != 0) & (run >= SHIFT_POINTS), side, 0).astype(np.int8)


def _apply_rules(y, first, mean, lpl, upl, lpl_2s, upl_2s):
    """Run the four rules; return (rule code 0 = none / 1..4 in RULES order, direction)."""
    found = (
        rule_beyond_limits(y, lpl, upl),
        rule_trend(y, first),
        rule_two_in_three(y, first, mean, lpl, upl, lpl_2s, upl_2s),
        rule_shift(y, first, mean),
    )
    code = np.zeros(len(y), dtype=np.int8)
    direction = np.zeros(len(y), dtype=np.int8)
    for k, d in enumerate(found, start=1):
        take = (code == 0) & (d != 0)
        code[take] = k
        direction[take] = d[take]
    return code, direction


def _point_type_codes(direction: np.ndarray, improvement: int, missing: np.ndarray) -> np.ndarray:
    """Index into POINT_TYPES (-1 for a missing value)."""
    if improvement == 0:
        codes = np.where(direction > 0, 3, np.where(direction < 0, 4, 0))
    else:
        s = direction * improvement
        codes = np.where(s > 0, 1, np.where(s < 0, 2, 0))
    return np.where(missing, -1, codes).astype(np.int8)


# ---------------------------------------------------------------------------------------------
# XmR limits per group
# ---------------------------------------------------------------------------------------------


def _group_sum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of each contiguous group (groups start at ``starts`` and are never empty)."""
    return np.add.reduceat(values, starts)


def _xmr_limits(y: np.ndarray, seg: np.ndarray, first: np.ndarray, starts: np.ndarray, baseline: np.ndarray,
                screen: bool):
    """Mean, mean moving range and the moving ranges for every group (facet + segment).

    Points are sorted so that each group is contiguous, starting at ``starts``. ``baseline`` marks
    the points the limits rest on (the first ``fix_after`` of each group). Returns
    (mean, amr, mr, mr_used, n_values, n_mr), with mean, amr and the counts per group.
    """
    have = baseline & ~np.isnan(y)
    n_values = _group_sum(have.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _group_sum(np.where(have, y, 0.0), starts) / n_values
    mr = np.empty(len(y))
    mr[1:] = np.abs(y[1:] - y[:-1])
    mr[first] = np.nan
    used = baseline & ~np.isnan(mr)
    n_mr = _group_sum(used.astype(np.int64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        amr = _group_sum(np.where(used, mr, 0.0), starts) / n_mr
        if screen:
            # Nelson (1982): drop moving ranges at or above 3.267 x amr, then average again. When
            # amr is 0 (a flat baseline) nothing can be screened, so it stays 0.
            cut = SCREEN_FACTOR * amr
            cut[~(amr > 0)] = np.inf
            keep = used & (mr < cut[seg])
            amr = np.where(amr > 0, _group_sum(np.where(keep, mr, 0.0), starts)
                           / _group_sum(keep.astype(np.int64), starts), amr)
            used = keep
    return mean, amr, mr, used, n_values, n_mr


# ---------------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------------


def _check_improvement(improvement) -> str:
    if isinstance(improvement, str) and improvement.strip().lower() in _IMPROVEMENTS:
        return improvement.strip().lower()
    raise QIDataError(
        f"improvement={improvement!r} is not understood. Use 'increase' (higher is better), "
        "'decrease' (lower is better) or 'neutral' (neither direction is better).", column="improvement")


def _check_fix_after(fix_after) -> int | None:
    if fix_after is None:
        return None
    ok = isinstance(fix_after, (int, np.integer, float, np.floating)) and not isinstance(fix_after, bool)
    if ok and float(fix_after) == int(fix_after) and int(fix_after) >= 2:
        return int(fix_after)
    raise QIDataError(
        f"fix_after={fix_after!r} must be a whole number of at least 2: the limits are set from the first "
        "fix_after points of each segment, and a moving range needs two points.", column="fix_after")


def _as_number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise QIDataError(f"{what} must be a number, not {value!r}.", column="target")
    return float(value)


def _x_key(xs: pd.Series) -> tuple[str, np.ndarray]:
    """('datetime' | 'number' | 'label', sortable key). Labels sort in the data's own order."""
    if pd.api.types.is_datetime64_any_dtype(xs.dtype):
        return "datetime", pd.DatetimeIndex(xs).as_unit("ns").asi8
    if pd.api.types.is_numeric_dtype(xs.dtype) and not pd.api.types.is_bool_dtype(xs.dtype):
        return "number", xs.to_numpy(dtype=float)
    return "label", np.arange(len(xs))


def _convert_rebase_values(values, kind: str, xs: pd.Series) -> list:
    """Rebase x values in the same form as the x column's values (datetime / float / label)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = [values]
    values = list(values)
    try:
        if kind == "datetime":
            conv = pd.to_datetime(pd.Series(values, dtype=object))
            tz = getattr(xs.dtype, "tz", None)
            if tz is not None and getattr(conv.dtype, "tz", None) is None:
                conv = conv.dt.tz_localize(tz)
            return list(pd.DatetimeIndex(conv).as_unit("ns").asi8)
        if kind == "number":
            return [float(v) for v in pd.to_numeric(pd.Series(values, dtype=object))]
    except (ValueError, TypeError) as exc:
        raise QIDataError(
            f"rebase={values!r} could not be read as values of the x column ({exc}). Give the x values "
            "(e.g. dates) where a new segment starts.", column="rebase") from None
    return values


@dataclass(frozen=True)
class _Layout:
    """Points sorted by facet then x, with their groups (facet + segment)."""

    order: np.ndarray  # positions in the input, sorted
    identity: bool  # the input was already sorted (order is 0, 1, 2, ...)
    fcode: np.ndarray  # facet code per sorted point
    seg: np.ndarray  # global group id per sorted point
    first: np.ndarray  # first point of its group
    starts: np.ndarray  # index of each group's first point
    lengths: np.ndarray  # points per group
    seg_facet: np.ndarray  # facet code per group
    seg_number: np.ndarray  # 1, 2, ... within each facet


def _layout(index: pd.Index, xs: pd.Series, kind: str, key: np.ndarray, fcode: np.ndarray, facets: pd.Index,
            x_label: str, f_label: str | None, rebase) -> _Layout:
    n = len(key)
    in_facet_order = not (fcode[1:] < fcode[:-1]).any()
    if kind == "label":
        # Text labels keep the order of the rows; they are matched (duplicates, rebase) by their codes.
        xcode, xuniq = pd.factorize(xs)
        identity = in_facet_order
        order = np.arange(n) if identity else np.argsort(fcode, kind="stable")
        match = xcode[order]
    else:
        xuniq = None
        # Most tables arrive sorted by facet then x: then the sort (and the reordering) is skipped.
        identity = in_facet_order and bool(((fcode[1:] > fcode[:-1]) | (key[1:] > key[:-1])).all())
        order = np.arange(n) if identity else np.lexsort((key, fcode))
        match = key if identity else key[order]
    f_s = fcode if identity else fcode[order]

    # an x value repeated within a facet
    if kind == "label":
        dup = pd.DataFrame({"f": f_s, "x": match}).duplicated(keep=False).to_numpy()
    else:
        dup = np.zeros(n, dtype=bool)
        same = (f_s[1:] == f_s[:-1]) & (match[1:] == match[:-1])
        dup[1:] |= same
        dup[:-1] |= same
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        hit = dup & (f_s == f_s[i]) & (match == match[i])
        rows = list(index[order[hit]])
        where = f" for {f_label} {facets[f_s[i]]!r}" if f_label is not None else ""
        raise QIDataError(
            f"column {x_label!r} has the x value {_plain(xs.iloc[order[i]])} more than once{where}, in "
            f"{rows_phrase(rows)}. Each point of a chart needs its own x value: remove or combine the "
            "repeated rows.", column=x_label, rows=rows)

    first_in_facet = np.empty(n, dtype=bool)
    first_in_facet[0] = True
    first_in_facet[1:] = f_s[1:] != f_s[:-1]
    start = first_in_facet | _rebase_mask(rebase, xs, kind, xuniq, match, f_s, facets, x_label, f_label)
    seg = np.cumsum(start) - 1
    starts = np.flatnonzero(start)
    lengths = np.diff(np.append(starts, n))
    seg_facet = f_s[starts]
    facet_first_group = seg[first_in_facet]
    seg_number = np.arange(len(starts)) - facet_first_group[seg_facet] + 1
    return _Layout(order, identity, f_s, seg, start, starts, lengths, seg_facet, seg_number)


def _plain(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _as_list(values) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        return [values]
    return list(values)


def _rebase_keys(values: list, kind: str, xs: pd.Series, xuniq) -> np.ndarray:
    """Rebase values as match keys (x codes for labels, -1 where the label is not in the data)."""
    conv = _convert_rebase_values(values, kind, xs)
    if kind == "label":
        return pd.Index(xuniq).get_indexer(pd.Index(conv, dtype=object))
    return np.asarray(conv, dtype=np.int64 if kind == "datetime" else float)


def _facet_keys(mapping: Mapping, facets: pd.Index, f_label: str | None, arg: str, otherwise: str):
    """The keys of a per-facet dict (``rebase`` or ``target``) and their facet codes; every key must be a
    value of the facet column."""
    if f_label is None:
        raise QIDataError(f"{arg} was given per facet (a dict), but no facet column was named. Give facet=..., "
                          f"or {otherwise}.", column=arg)
    keys = list(mapping)
    codes = facets.get_indexer(pd.Index(keys, dtype=object))
    unknown = [k for k, c in zip(keys, codes, strict=True) if c < 0]
    if unknown:
        raise QIDataError(
            f"{arg} names {format_rows(repr(u) for u in unknown)}, which "
            f"{'is not a value' if len(unknown) == 1 else 'are not values'} of column {f_label!r}.", column=arg)
    return keys, codes


def _rebase_mask(rebase, xs, kind, xuniq, match, f_s, facets, x_label, f_label) -> np.ndarray:
    """True at the sorted points where a new segment starts because of ``rebase``.

    ``match`` holds each sorted point's x as a key (datetime64 ns, float, or label code).
    """
    n = len(match)
    if rebase is None:
        return np.zeros(n, dtype=bool)

    if isinstance(rebase, Mapping):
        fkeys, fcodes = _facet_keys(rebase, facets, f_label, "rebase", "give rebase as a list of x values")
        raw = [(k, c, v) for k, c in zip(fkeys, fcodes, strict=True) for v in _as_list(rebase[k])]
        if not raw:
            return np.zeros(n, dtype=bool)
        pair_x = _rebase_keys([v for _, _, v in raw], kind, xs, xuniq)
        pair = pd.MultiIndex.from_arrays([np.array([c for _, c, _ in raw]), pair_x])
        cand = np.flatnonzero(np.isin(match, np.unique(pair_x)))
        rows = pd.MultiIndex.from_arrays([f_s[cand], match[cand]])
        hit = rows.isin(pair)
        found = pair.isin(rows[hit])
        if not found.all():
            k, _, v = raw[int(np.flatnonzero(~found)[0])]
            raise QIDataError(
                f"rebase for {f_label} {k!r} is {v!r}, which is not an x value of {f_label} {k!r} in "
                f"column {x_label!r}.", column="rebase")
        mask = np.zeros(n, dtype=bool)
        mask[cand[hit]] = True
        return mask

    vals = _as_list(rebase)
    keys = _rebase_keys(vals, kind, xs, xuniq)
    mask = np.isin(match, keys)
    present = np.isin(keys, match[mask])
    if not present.all():
        bad = [v for v, ok in zip(vals, present, strict=True) if not ok]
        raise QIDataError(
            f"rebase value {format_rows(repr(b) for b in bad)} is not an x value in column {x_label!r}. "
            "Give the x values where a new segment starts.", column="rebase")
    if f_label is not None:
        wanted = len(np.unique(keys))
        have = np.bincount(f_s[mask], minlength=len(facets))
        short = np.flatnonzero(have < wanted)
        if len(short):
            f0 = short[0]
            absent = [v for v, k in zip(vals, keys, strict=True) if k not in set(match[mask & (f_s == f0)])]
            names = format_rows(repr(facets[f]) for f in short)
            raise QIDataError(
                f"rebase value {format_rows(repr(a) for a in absent)} is not an x value of {f_label} "
                f"{facets[f0]!r} (facets without every rebase value: {names}). Give rebase as a dict "
                "{facet: [x, ...]} to rebase facets separately.", column="rebase")
    return mask


def _facet_codes(fs: pd.Series, index: pd.Index, f_label: str) -> tuple[np.ndarray, pd.Index]:
    """Facet code per row (codes follow the sorted facet values) and the facet values.

    Facet columns usually come in blocks of rows; then only the first value of each block is
    hashed, which keeps 5,000 facets x 36 months cheap. An empty facet cell is refused.
    """
    vals = fs.to_numpy(dtype=object)
    n = len(vals)
    starts = None
    head = vals[: min(n, 1000)]
    try:
        blocky = len(head) > 1 and bool((head[1:] != head[:-1]).mean() < 0.5)
        if blocky:
            change = np.ones(n, dtype=bool)
            change[1:] = vals[1:] != vals[:-1]  # a missing value (NaN) differs from its neighbours
            starts = np.flatnonzero(change)
    except TypeError:  # pd.NA cannot be compared: hash every row instead
        starts = None
    block_vals = vals if starts is None else vals[starts]
    try:
        codes, uniq = pd.factorize(block_vals, sort=True)
    except TypeError:  # values that cannot be compared keep the order they first appear in
        codes, uniq = pd.factorize(block_vals, sort=False)
    codes = codes.astype(np.intp)
    fcode = codes if starts is None else np.repeat(codes, np.diff(np.append(starts, n)))
    refuse(fcode < 0, index, f_label, "an empty cell: every point needs a facet value, and it is missing")
    return fcode, pd.Index(uniq, dtype=object)


def _targets(target, facets: pd.Index, f_label: str | None) -> np.ndarray:
    """Target per facet code (NaN where none)."""
    out = np.full(len(facets), np.nan)
    if target is None:
        return out
    if isinstance(target, Mapping):
        keys, codes = _facet_keys(target, facets, f_label, "target", "give one number as target")
        for k, c in zip(keys, codes, strict=True):
            out[c] = _as_number(target[k], f"the target for {f_label} {k!r}")
        return out
    out[:] = _as_number(target, "target")
    return out


# ---------------------------------------------------------------------------------------------
# Front door
# ---------------------------------------------------------------------------------------------


def mdc(data: pd.DataFrame | None, x, y, *, facet=None, improvement: str = "increase", target=None,
        rebase=None, fix_after: int | None = None, screen_mr: bool = True) -> MDCResult:
    """Making Data Count XmR chart: limits, special-cause rules, variation and assurance.

    Parameters
    ----------
    data : DataFrame or None
        The table; ``x``, ``y`` and ``facet`` name its columns. With ``data=None`` they are arrays.
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
    improvement = _check_improvement(improvement)
    imp = _IMPROVEMENTS[improvement]
    fix_after = _check_fix_after(fix_after)
    screen_mr = bool(screen_mr)

    if x is None or y is None:
        raise QIDataError("mdc() needs both x (the time axis) and y (the measure).",
                          column="x" if x is None else "y")
    xs, x_label = resolve(data, x, "x")
    ys, y_label = resolve(data, y, "y")
    fs, f_label = resolve(data, facet, "facet") if facet is not None else (None, None)
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
        fcode, facets = _facet_codes(fs, index, f_label)
    if len(yv) < 2:
        raise QIDataError(f"column {y_label!r} has {len(yv)} value(s): an XmR chart needs at least 2 points.",
                          column=y_label, rows=list(index))

    kind, key = _x_key(xs)
    targets = _targets(target, facets, f_label)
    lay = _layout(index, xs, kind, key, fcode, facets, x_label, f_label, rebase)

    def where_group(g: int) -> str:
        xg = xs.iloc[lay.order[lay.starts[g]]]
        part = f"the segment starting at {_plain(xg)}"
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
    mean, amr, mr, mr_used, n_values, n_mr = _xmr_limits(y_s, lay.seg, lay.first, lay.starts, baseline, screen_mr)
    empty = np.flatnonzero(n_mr == 0)
    if len(empty):
        g = int(empty[0])
        rows = group_rows(g)
        raise QIDataError(
            f"column {y_label!r} has too few values in {where_group(g)} ({rows_phrase(rows)}) to set limits: "
            "the limits need at least two values next to each other"
            + (f" among the first {fix_after} points" if fix_after is not None else "") + ".",
            column=y_label, rows=rows)

    g_lpl = mean - LIMIT_FACTOR * amr
    g_upl = mean + LIMIT_FACTOR * amr
    g_lpl2 = mean - NEAR_FACTOR * amr
    g_upl2 = mean + NEAR_FACTOR * amr
    seg = lay.seg
    p_mean, p_lpl, p_upl, p_lpl2, p_upl2 = mean[seg], g_lpl[seg], g_upl[seg], g_lpl2[seg], g_upl2[seg]
    missing = np.isnan(y_s)
    rule_code, direction = _apply_rules(y_s, lay.first, p_mean, p_lpl, p_upl, p_lpl2, p_upl2)
    pt_code = _point_type_codes(direction, imp, missing)

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
        assurance = np.where(np.isnan(tgt), None, assurance).astype(object)
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


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


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
        ``"datetime"``, ``"number"`` or ``"label"``.

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
        """The points showing special cause variation: facet, segment, x, y, rule, point_type, row."""
        d = self.data
        flagged = d["rule"].notna().to_numpy()
        return d.loc[flagged, ["facet", "segment", "x", "y", "rule", "point_type", "row"]].reset_index(drop=True)

    # -- words --------------------------------------------------------------------------------
    @cached_property
    def _monthly(self) -> bool:
        if self.x_kind != "datetime":
            return False
        xs = self.data["x"]
        d = pd.DataFrame({"f": pd.factorize(self.data["facet"], use_na_sentinel=False)[0],
                          "ym": xs.dt.year * 12 + xs.dt.month})
        return not d.duplicated().any()

    def _fx(self, value) -> str:
        """An x value in words: "Mar 2018" for monthly data, "3 Mar 2018" for finer dates."""
        if self.x_kind == "datetime":
            ts = pd.Timestamp(value)
            return ts.strftime("%b %Y") if self._monthly else f"{ts.day} {ts.strftime('%b %Y')}"
        return _plain(value)

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
        rules = [tuple(r for r in RULES if r in set(rule[a:b + 1])) for a, b in zip(first, last, strict=True)]
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
                parts.append(f"the value {_value(y[hit][0])} is {side} process limit" if m == 1 else
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
        return f"{nature[0].upper()}{nature[1:]} {when}: {listed}."

    def explain(self) -> str:
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
            fmt = _number_format(row.upl - row.lpl, row.mean)
            span = f"rom {self._fx(row.start)} to {self._fx(row.end)} ({row.n} points)"
            where = "" if self.facet is None else f"{self.facet} {row.facet}"
            if many_segments[g]:
                where += (", " if where else "") + f"segment {row.segment}"
            head = (f"{where}: f{span}" if where else f"F{span}") + \
                f" the mean is {fmt(row.mean)} and the process limits are {fmt(row.lpl)} to {fmt(row.upl)}."
            sentences = [head]
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
                t = _value(row.target)
                sentences.append({
                    "consistent_pass": f"The target of {t} lies {'below the lower' if self.improvement == 'increase' else 'above the upper'} process limit, so the target will consistently be met.",  # noqa: E501
                    "consistent_fail": f"The target of {t} lies {'above the upper' if self.improvement == 'increase' else 'below the lower'} process limit, so the target will not be met consistently without a change to the process.",  # noqa: E501
                    "inconsistent": f"The target of {t} lies between the process limits, so the target will be "
                                    "met only some of the time.",
                }[row.assurance])
            lines.append(" ".join(sentences))
        return "\n".join(lines)

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

    def describe(self) -> str:
        """A short alt-text paragraph for screen readers: what is plotted, dates, mean, limits, signals."""
        s = self._summary
        d = self.data
        xr = f"{self._fx(d['x'].min())} to {self._fx(d['x'].max())}"
        n_sig = int(d["rule"].notna().sum())
        if self.facet is None:
            last = s.iloc[-1]
            fmt = _number_format(last["upl"] - last["lpl"], last["mean"])
            text = (f"Making Data Count XmR chart of {self.y} against {self.x}: {len(d)} points from {xr}. "
                    f"Mean {fmt(last['mean'])}, process limits {fmt(last['lpl'])} to {fmt(last['upl'])}")
            text += f" (latest of {len(s)} segments)." if len(s) > 1 else "."
            if n_sig == 0:
                return text + " No point shows special cause variation."
            eps = self._episodes()
            parts = []
            for ep in eps.to_dict("records")[:4]:
                i, j = int(ep["first"]), int(ep["last"])
                when = self._fx(d["x"].iat[i]) if i == j else f"{self._fx(d['x'].iat[i])} to {self._fx(d['x'].iat[j])}"
                rules = ", ".join(_RULE_TEXT[r] for r in ep["rules"])
                parts.append(f"{when} ({rules}; {_short_type(ep['point_type'])})")
            more = f" and {len(eps) - 4} more" if len(eps) > 4 else ""
            return text + f" {n_sig} point{'s' if n_sig != 1 else ''} show{'s' if n_sig == 1 else ''} special cause " \
                          f"variation: {'; '.join(parts)}{more}."
        facets = s["facet"].drop_duplicates().tolist()
        names = format_rows(facets, limit=6)
        text = (f"Making Data Count XmR charts of {self.y} against {self.x}, one for each of {len(facets)} values of "
                f"{self.facet} ({names}): {len(d)} points from {xr}.")
        flagged = d.loc[d["rule"].notna(), "facet"].value_counts(sort=False)
        if flagged.empty:
            return text + " No point shows special cause variation."
        listed = format_rows([f"{f} ({c} point{'s' if c != 1 else ''})" for f, c in flagged.items()], limit=6)
        return text + f" {len(flagged)} of them show special cause variation: {listed}."

    # -- drawing (the presentation layer, loaded on first use) -------------------------------------
    def plot(self, ax=None, **style):
        """Draw the XmR chart with its icons; return the Axes (a Figure for a faceted result).
        Options are those of :func:`qikit.plot.mdc.plot_mdc`."""
        from ..plot.mdc import plot_mdc

        return plot_mdc(self, ax=ax, **style)

    def icons(self, fig=None, **style):
        """The variation and assurance icons alone, as a matplotlib Figure (:func:`qikit.plot.mdc.mdc_icons`)."""
        from ..plot.mdc import mdc_icons

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


def _value(v) -> str:
    """A value the user gave (a y value, a target) as they would write it: 10, 95.3, 0.0125."""
    return f"{float(v):,.6g}"


def _short_type(point_type: str) -> str:
    return {"special_cause_improvement": "improving", "special_cause_concern": "concerning",
            "special_cause_neutral_high": "high", "special_cause_neutral_low": "low"}[point_type]


def _number_format(spread: float, centre: float):
    """A formatter showing about three significant figures of the limits' spread."""
    scale = abs(spread) if np.isfinite(spread) and spread > 0 else abs(centre)
    decimals = 2 if not np.isfinite(scale) or scale == 0 else int(np.clip(2 - np.floor(np.log10(scale)), 0, 6))

    def fmt(v) -> str:
        if v is None or not np.isfinite(v):
            return "missing"
        text = f"{v:,.{decimals}f}"
        return text.lstrip("-") if float(text.replace(",", "")) == 0 else text

    return fmt

