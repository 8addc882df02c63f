"""Argument checks shared by the teaching simulations."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..errors import QIDataError


def rng(seed) -> np.random.Generator:
    """A numpy Generator from ``seed`` (an int, None, or an existing Generator)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise QIDataError(f"seed={seed!r} must be a whole number 0 or more (or None for a fresh random run).",
                          column="seed")
    return np.random.default_rng(seed)


def whole(value, name: str, minimum: int = 1) -> int:
    """A whole number at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise QIDataError(f"{name}={value!r} must be a whole number, {minimum} or more.", column=name)
    return int(value)


def real(value, name: str, positive: bool = False) -> float:
    """A finite real number (above 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise QIDataError(f"{name}={value!r} must be a number.", column=name)
    if positive and value <= 0:
        raise QIDataError(f"{name}={value!r} must be above 0.", column=name)
    return float(value)


def dates(start, periods: int, freq: str) -> pd.DatetimeIndex:
    """``periods`` dates from ``start`` at pandas frequency ``freq`` ("D", "W-MON", "MS", ...)."""
    try:
        return pd.date_range(start=start, periods=periods, freq=freq)
    except (ValueError, TypeError) as error:
        raise QIDataError(f"cannot make dates from start={start!r} with freq={freq!r} ({error}). Use a date such "
                          "as '2024-01-01' and a frequency such as 'D' (daily), 'W-MON' (weekly) or 'MS' "
                          "(monthly).", column="freq") from None
