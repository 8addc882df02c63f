"""Checks for notebook 00, *Start here*: running and editing cells, and loading your own data.

Examples
--------
>>> from qikit.exercises import nb00
>>> nb00.check_restart(...).status
'not answered'
>>> nb00.check_restart("b").correct
True
"""

from __future__ import annotations

import pandas as pd

from ._feedback import Verdict, choice, is_blank, not_answered, right, self_check_quiz, wrong
from ._options import OPTIONS
from .spec import Miss, Number

__all__ = ["check_ward_total", "check_loaded", "check_restart", "self_check"]

_WARD = "Ward 9"


def _totals() -> pd.Series:
    from .. import datasets

    return datasets.falls().groupby("ward")["falls"].sum()


def check_ward_total(answer) -> Verdict:
    """Exercise 1: the total number of falls on ward 9 from April 2022 to March 2025.

    The notebook shows the sum for ward 7; the trainee edits the ward's name and runs the cell.

    Examples
    --------
    >>> check_ward_total(186).correct
    True
    """
    if is_blank(answer):
        return not_answered()
    totals = _totals()
    expected = int(totals[_WARD])
    misses = [Miss(float(total), f"{int(total)} is the total for {ward}. In the cell above, change \"Ward 7\" to "
                   "\"Ward 9\" (keep the quotes), run it with Shift+Enter, and copy the new number.")
              for ward, total in totals.items() if ward != _WARD]
    misses += [Miss(float(totals.sum()), f"{int(totals.sum())} is the total for all three wards. Keep the line that "
                    "picks out one ward, and change its name to \"Ward 9\"."),
               Miss(36.0, "36 is the number of months, not of falls: add up the 'falls' column, as the cell above "
                    "does with .sum().")]
    spec = Number(expected, f"Ward 9 reported {expected} falls in the three years. You edited a cell, ran it and "
                  "used its result: that is all the coding this course needs.", misses=misses,
                  hint="{value:g} is not the total for ward 9. Run the cell above with \"Ward 9\" in place of "
                       "\"Ward 7\" and copy the number it shows.")
    verdict = spec.check(answer)
    if verdict.status != "right" and spec.mark(answer).line.endswith("e.g. 12.5."):
        return wrong(f"Your answer is {answer!r}, which is not a number. Put the number itself after "
                     "my_total =, without quotes, e.g. my_total = 123.")
    return verdict


def check_loaded(data) -> Verdict:
    """Exercise 2: ``data/my_ward_obs.csv`` read into a table, with its ``week`` column as dates.

    Examples
    --------
    >>> frame = pd.DataFrame({"week": pd.date_range("2024-09-02", periods=40, freq="W-MON"),
    ...                       "obs_due": 150, "obs_on_time": 117})
    >>> check_loaded(frame).correct
    True
    >>> print(check_loaded(frame.assign(week=frame["week"].astype(str))).status)
    not yet right
    """
    if is_blank(data):
        return not_answered("Replace the ... with pd.read_csv(...) as in the example above, then run the cell.")
    if isinstance(data, str):
        return wrong("This is the file's name, not its contents. Read the file into a table with "
                     "pd.read_csv(\"data/my_ward_obs.csv\", parse_dates=[\"week\"]).")
    if not isinstance(data, pd.DataFrame):
        return wrong(f"Expected a table (a pandas DataFrame) but got a {type(data).__name__}. Use pd.read_csv(...).")
    expected = {"week", "obs_due", "obs_on_time"}
    missing = expected - set(data.columns)
    if missing:
        return wrong(f"The table has columns {', '.join(map(str, data.columns))}, but not "
                     f"{', '.join(sorted(missing))}: check that you read data/my_ward_obs.csv.")
    if len(data) != 40:
        return wrong(f"The table has {len(data)} rows; the file has 40 weeks. Read the whole file, without "
                     "nrows= or other options.")
    if not pd.api.types.is_datetime64_any_dtype(data["week"]):
        return wrong("The table is loaded, but 'week' holds text, not dates, so charts would not know it is "
                     "time. Add parse_dates=[\"week\"] inside pd.read_csv(...).")
    if not all(pd.api.types.is_numeric_dtype(data[c]) for c in ("obs_due", "obs_on_time")):
        return wrong("The counts were read as text: check the file for words or blanks in obs_due and obs_on_time.")
    return right("40 weeks, dates read as dates and counts as numbers. Any CSV you export from a ward system "
                 "loads the same way: change the file name and the date column's name.")


_RESTART = {
    "a": "A restart does not delete the notebook's text or your typed code; those are saved in the file.",
    "b": ("A restart empties the kernel's memory: every variable is gone until you run the cells again, "
          "from the top. Run > Run All Cells does it in one go."),
    "c": "A restart does not save anything; the notebook saves itself every few minutes, or with Ctrl+S.",
}


def check_restart(answer) -> Verdict:
    """Exercise 3: what restarting the kernel does (options a, b, c)."""
    return choice(answer, "b", _RESTART, texts=OPTIONS["nb00.check_restart"][0])


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 00: three multiple-choice questions."""
    return self_check_quiz("nb00", answers)
