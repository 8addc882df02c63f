"""Rebuild the practice files in this folder (synthetic data, invented for teaching).

Run from the repository root: ``python notebooks/data/make_data.py``. The seeds are fixed, so the
files come out the same every time.

- ``my_ward_obs.csv``: 40 weeks of NEWS2 observation sets due and done on time on an imaginary
  ward 4, for practising "load your own data" in notebook 00. About 78% on time, with no change
  built in.
- ``falls_incidents.csv``: one row per inpatient fall on ward 7 from April 2022 to September 2023
  (before its falls bundle), with the main contributing factor a reviewer recorded, the shift and
  the harm; for the Pareto chart in notebook 03. The number of falls per month is taken from
  ``qikit.datasets.falls()`` so that the two agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import qikit

HERE = Path(__file__).resolve().parent

# Main contributing factor of a fall and its share of falls on each shift (invented for teaching):
# toileting, confusion and poor lighting matter more at night, footwear and wet floors by day.
FACTORS = {"night": {"Toileting": 0.34, "Delirium": 0.25, "Lighting": 0.13, "Bed height": 0.07, "Call bell": 0.07,
                     "Footwear": 0.05, "Medication": 0.04, "Floor": 0.03, "Other": 0.02},
           "day": {"Footwear": 0.24, "Delirium": 0.18, "Toileting": 0.16, "Floor": 0.12, "Call bell": 0.10,
                   "Medication": 0.09, "Bed height": 0.05, "Lighting": 0.01, "Other": 0.05}}
HARM = {"No harm": 0.62, "Low harm": 0.30, "Moderate harm": 0.06, "Severe harm": 0.02}


def my_ward_obs() -> pd.DataFrame:
    rng = np.random.default_rng(20240902)
    weeks = pd.date_range("2024-09-02", periods=40, freq="W-MON")
    due = rng.poisson(150, len(weeks))
    on_time = rng.binomial(due, 0.78)
    return pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "obs_due": due, "obs_on_time": on_time})


def falls_incidents() -> pd.DataFrame:
    rng = np.random.default_rng(20220401)
    falls = qikit.datasets.falls()
    ward = falls[(falls["ward"] == "Ward 7") & (falls["month"] < "2023-10-01")]
    months = np.repeat(ward["month"].to_numpy(), ward["falls"].to_numpy())
    days_in_month = pd.DatetimeIndex(months).days_in_month.to_numpy()
    dates = pd.DatetimeIndex(months) + pd.to_timedelta(rng.integers(0, days_in_month), unit="D")
    shift = rng.choice(["day", "night"], size=len(dates), p=[0.45, 0.55])
    factor = np.empty(len(dates), dtype=object)
    for name, shares in FACTORS.items():  # one draw per shift
        on_shift = shift == name
        factor[on_shift] = rng.choice(list(shares), size=int(on_shift.sum()), p=list(shares.values()))
    frame = pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"),
        "shift": shift,
        "factor": factor,
        "harm": rng.choice(list(HARM), size=len(dates), p=list(HARM.values())),
    })
    frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    frame.insert(0, "incident", [f"W7-{i:04d}" for i in range(1, len(frame) + 1)])
    return frame


if __name__ == "__main__":
    my_ward_obs().to_csv(HERE / "my_ward_obs.csv", index=False)
    falls_incidents().to_csv(HERE / "falls_incidents.csv", index=False)
