"""Input checks shared by every qikit front door (spc, mdc, funnel, ...).

Each check either returns clean numpy data or raises :class:`qikit.QIDataError` naming the
column and the rows (by the DataFrame's index labels) so a trainee can find the cell to fix.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd

from .errors import QIDataError, rows_phrase


def resolve(data: pd.DataFrame | None, value, role: str) -> tuple[pd.Series | None, str]:
    """Return ``(series, label)`` for an argument that is a column name of ``data`` or array-like.

    ``role`` is the argument's name (``"y"``, ``"n"``, ...), used in messages and as the label
    when the values were passed directly.
    """
    if value is None:
        return None, role
    if data is not None and isinstance(value, Hashable) and not isinstance(value, (list, tuple)):
        if value not in data.columns:
            cols = ", ".join(repr(c) for c in data.columns)
            raise QIDataError(
                f"{role}={value!r} is not a column of the data. The columns are: {cols}.", column=str(value)
            )
        return data[value], str(value)
    if isinstance(value, str):
        raise QIDataError(f"{role}={value!r} looks like a column name, but no data table was given (data=None).",
                          column=value)
    series = value if isinstance(value, pd.Series) else pd.Series(np.asarray(value))
    if data is not None and len(series) != len(data):
        raise QIDataError(
            f"{role} has {len(series)} values but the data has {len(data)} rows.", column=role)
    if data is not None:
        series = pd.Series(np.asarray(series), index=data.index)
    return series, role


def numeric(series: pd.Series, label: str) -> np.ndarray:
    """Convert a column to float, keeping empty cells as NaN and refusing text.

    Text such as ``"12 (approx)"`` or ``"n/a"`` is refused with the rows named, rather than
    silently dropped: a chart drawn without those points would be a different chart.
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    converted = pd.to_numeric(series, errors="coerce")
    text = series.astype("string").str.strip()
    blank = series.isna() | (text == "")
    bad = converted.isna() & ~blank
    if bad.any():
        rows = list(series.index[bad.to_numpy()])
        examples = ", ".join(repr(v) for v in series[bad].astype(str).unique()[:3])
        raise QIDataError(
            f"column {label!r} must hold numbers, but there is text in {rows_phrase(rows)} ({examples}). "
            "Correct or delete those cells.",
            column=label, rows=rows)
    return converted.to_numpy(dtype=float, na_value=np.nan)


def refuse(mask: np.ndarray, index: pd.Index, label: str, problem: str) -> None:
    """Raise a QIDataError listing the rows where ``mask`` is true; ``problem`` completes
    the sentence "column 'n' has ... in rows 4 and 9"."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        rows = list(index[mask])
        raise QIDataError(f"column {label!r} has {problem} in {rows_phrase(rows)}.", column=label, rows=rows)


def nonnegative(values: np.ndarray, index: pd.Index, label: str, what: str = "a count") -> None:
    """Counts and denominators cannot be negative."""
    refuse(values < 0, index, label, f"negative values; {what} cannot be below 0,")


def dates_or_values(series: pd.Series, label: str) -> pd.Series:
    """Parse text that looks like dates into datetimes; leave numbers and labels alone.

    Returns the series unchanged when it is numeric, datetime, or text that is not dates
    (text labels make a categorical axis). Text where most cells are dates but some are not
    is refused, naming the rows that failed to parse.
    """
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)):
        return series
    nonblank = series.dropna()
    if nonblank.empty or not all(isinstance(v, str) for v in nonblank):
        if all(hasattr(v, "year") for v in nonblank):
            return pd.to_datetime(series)
        return series
    parsed = pd.to_datetime(series, errors="coerce", format="mixed", dayfirst=False)
    ok = parsed.notna() & series.notna()
    if ok.sum() == 0 or ok.sum() < 0.8 * len(nonblank):
        return series
    bad = series.notna() & parsed.isna()
    if bad.any():
        rows = list(series.index[bad.to_numpy()])
        raise QIDataError(
            f"column {label!r} holds dates, but {rows_phrase(rows)} could not be read as dates "
            f"({', '.join(repr(v) for v in series[bad].unique()[:3])}). Use one format, e.g. 2024-03-31.",
            column=label, rows=rows)
    return parsed
