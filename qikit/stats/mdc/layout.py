"""Making Data Count's input and rebase layout: the checks of :func:`qikit.mdc`'s arguments, and the points
sorted by facet then x and cut into groups (facet + rebase segment) for the grouped computation.

Facet columns usually arrive in blocks of rows and sorted by x; then the sort is skipped and only the first
value of each block is hashed, which keeps 5,000 facets x 36 months cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..._checks import refuse
from ...display import fmt_label
from ...errors import QIDataError, format_rows, rows_phrase
from .rules import IMPROVEMENTS


def check_improvement(improvement) -> str:
    if isinstance(improvement, str) and improvement.strip().lower() in IMPROVEMENTS:
        return improvement.strip().lower()
    raise QIDataError(
        f"improvement={improvement!r} is not understood. Use 'increase' (higher is better), "
        "'decrease' (lower is better) or 'neutral' (neither direction is better).", column="improvement")


def check_fix_after(fix_after) -> int | None:
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


def x_key(xs: pd.Series) -> tuple[str, np.ndarray]:
    """('datetime' | 'number' | 'categorical', sortable key). Labels sort in the data's own order."""
    if pd.api.types.is_datetime64_any_dtype(xs.dtype):
        return "datetime", pd.DatetimeIndex(xs).as_unit("ns").asi8
    if pd.api.types.is_numeric_dtype(xs.dtype) and not pd.api.types.is_bool_dtype(xs.dtype):
        return "number", xs.to_numpy(dtype=float)
    return "categorical", np.arange(len(xs))


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
class Layout:
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


def layout(index: pd.Index, xs: pd.Series, kind: str, key: np.ndarray, fcode: np.ndarray, facets: pd.Index,
            x_label: str, f_label: str | None, rebase) -> Layout:
    n = len(key)
    in_facet_order = not (fcode[1:] < fcode[:-1]).any()
    if kind == "categorical":
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
    if kind == "categorical":
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
            f"column {x_label!r} has the x value {plain(xs.iloc[order[i]])} more than once{where}, in "
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
    return Layout(order, identity, f_s, seg, start, starts, lengths, seg_facet, seg_number)


def plain(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)
    return fmt_label(value)


def _as_list(values) -> list:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        return [values]
    return list(values)


def _rebase_keys(values: list, kind: str, xs: pd.Series, xuniq) -> np.ndarray:
    """Rebase values as match keys (x codes for labels, -1 where the label is not in the data)."""
    conv = _convert_rebase_values(values, kind, xs)
    if kind == "categorical":
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


def facet_codes(fs: pd.Series, index: pd.Index, f_label: str) -> tuple[np.ndarray, pd.Index]:
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


def targets_per_facet(target, facets: pd.Index, f_label: str | None) -> np.ndarray:
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
