"""qikit.dates: the one reader for dates a trainee types (day first, as in the UK; ISO 8601 accepted)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.dates import read_date, try_date
from qikit.errors import QIDataError

D = dt.date


@pytest.mark.parametrize("text, date", [
    ("2017-06-01", D(2017, 6, 1)), ("01/06/2017", D(2017, 6, 1)), ("1/6/2017", D(2017, 6, 1)),
    ("01-06-2017", D(2017, 6, 1)), ("01.06.2017", D(2017, 6, 1)), ("1/6/17", D(2017, 6, 1)),
    ("1 June 2017", D(2017, 6, 1)), ("1st Jun 2017", D(2017, 6, 1)), ("June 1, 2017", D(2017, 6, 1)),
    ("June 2017", D(2017, 6, 1)), ("Jun-17", D(2017, 6, 1)), ("2017-06", D(2017, 6, 1)),
    ("31/03/2026", D(2026, 3, 31)), ("31 March 2026", D(2026, 3, 31)), ("2026/03/31", D(2026, 3, 31)),
    ("2023-05-29 00:00:00", D(2023, 5, 29)), ("  29 may 2023 ", D(2023, 5, 29)), ("06/01/2017", D(2017, 1, 6)),
])
def test_text_is_read_day_first(text, date):
    assert read_date(text) == date


@pytest.mark.parametrize("value, date", [
    (dt.date(2026, 3, 31), D(2026, 3, 31)), (dt.datetime(2026, 3, 31, 14, 5), D(2026, 3, 31)),
    (pd.Timestamp("2026-03-31 09:00"), D(2026, 3, 31)), (np.datetime64("2026-03-31"), D(2026, 3, 31)),
])
def test_date_objects_pass_through(value, date):
    assert read_date(value) == date


@pytest.mark.parametrize("value", ["31/02/2026", "13/13/2020", "next Tuesday", "", "2026", 20260331, None, pd.NaT])
def test_what_is_not_a_date_is_refused_with_the_field_named(value):
    assert try_date(value) is None
    with pytest.raises(QIDataError, match="by_when") as info:
        read_date(value, "by_when")
    assert info.value.column == "by_when" and "31/03/2026" in str(info.value)


def test_aims_and_pdsa_cycles_take_uk_dates():
    aim = qikit.AimStatement("increase the percentage of adults given antibiotics within an hour", "90%",
                             "31/03/2026", "adults with red-flag sepsis")
    assert aim.by_when == D(2026, 3, 31) and "31 March 2026" in aim.text
    cycle = qikit.PDSACycle("Cycle 1", "Test", "4 of 5 patients", "Bay 2", start="06/10/2025", scale=5)
    assert pd.Timestamp(cycle.start) == pd.Timestamp("2025-10-06")
