"""Generate qikit's synthetic ward-level data sets (seeded, so the CSV files can be rebuilt exactly).

Run ``python -m qikit.datasets._generate`` to rewrite the CSV files beside this script, or
``python -m qikit.datasets._generate --out DIR`` to write them elsewhere. The same numpy version
gives byte-identical files; ``tests/test_datasets.py`` checks that the committed files match.

The numbers are invented but chosen to be clinically plausible, and some series contain a real,
sustained improvement partway through so that a course can show signals on run and control charts:

=========================  ========================================================================
file                       what it simulates
=========================  ========================================================================
falls.csv                  Monthly inpatient falls and occupied bed-days, April 2022 to March 2025,
                           three wards. Ward 7 (elderly care, 28 beds) starts near 8.5 falls per
                           1,000 bed-days and falls to about 5.8 after a falls bundle from October
                           2023; ward 9 (stroke, 7.0) and ward 12 (general medicine, 5.5) are stable.
                           National audit figures put acute inpatient falls at roughly 6-7 per 1,000
                           occupied bed-days, higher on elderly care wards.
sepsis_antibiotics.csv     Weekly adults with red-flag sepsis in one emergency department and how
                           many received IV antibiotics within one hour of arrival, 130 weeks from
                           4 April 2022. About 22 patients a week, a quarter more in winter; 58%
                           within the hour until a sepsis trolley and nurse-led antibiotic (PGD)
                           arrive in the week of 7 August 2023, rising over six weeks to about 82%.
discharge_before_noon.csv  Weekly discharges and discharges before noon, two wards, 104 weeks from
                           4 April 2022. Ward 7 goes from about 16% to 31% with criteria-led
                           discharge from the week of 29 May 2023; ward 12 stays near 18%.
length_of_stay.csv         One row per discharge from ward 7 (elderly care), April 2022 to March
                           2024, with length of stay in days (log-normal: median 7.0 days, mean
                           about 9.6) falling to a median of 6.0 days after daily board rounds with
                           red-to-green days from 3 July 2023.
pressure_ulcers.csv        Hospital-acquired pressure ulcers (category 2 and above) across the
                           medical wards, April 2022 to March 2025: the date of each, its category,
                           and days since the previous one (the first counts from 1 April 2022).
                           About one every 12 days until an SSKIN bundle from 1 October 2023, then
                           about one every 35 days (for g and t charts of rare events).
=========================  ========================================================================

Sources for plausibility (not copied data): Royal College of Physicians, National Audit of
Inpatient Falls reports (falls per 1,000 occupied bed-days); NHS England sepsis guidance and the
NICE guideline NG51 (antibiotics within one hour for high-risk sepsis); NHS England, discharge
before midday and red-to-green days (SAFER patient flow bundle); NHS Improvement, *Stop the
pressure* and the SSKIN bundle.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEEDS = {"falls": 7001, "sepsis_antibiotics": 7002, "discharge_before_noon": 7003, "length_of_stay": 7004,
         "pressure_ulcers": 7005}
"""One seed per data set, so changing one set never changes the others."""


def falls() -> pd.DataFrame:
    rng = np.random.default_rng(SEEDS["falls"])
    months = pd.date_range("2022-04-01", "2025-03-01", freq="MS")
    wards = [("Ward 7", 28, 8.5, 5.8), ("Ward 9", 24, 7.0, 7.0), ("Ward 12", 30, 5.5, 5.5)]
    frames = []
    for ward, beds, before, after in wards:  # one loop per ward; each ward's months are vectorised
        occupancy = np.clip(rng.normal(0.93, 0.03, len(months)), 0.80, 1.0)
        bed_days = np.round(beds * months.days_in_month.to_numpy() * occupancy).astype(int)
        rate = np.where(months >= "2023-10-01", after, before)
        frames.append(pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "ward": ward, "bed_days": bed_days,
                                    "falls": rng.poisson(rate * bed_days / 1000)}))
    return pd.concat(frames, ignore_index=True)


def sepsis_antibiotics() -> pd.DataFrame:
    rng = np.random.default_rng(SEEDS["sepsis_antibiotics"])
    weeks = pd.date_range("2022-04-04", periods=130, freq="W-MON")
    winter = np.isin(weeks.month, [12, 1, 2])
    eligible = rng.poisson(np.where(winter, 27.5, 22.0))
    weeks_since = np.clip((weeks - pd.Timestamp("2023-08-07")).days.to_numpy() / 7 + 1, 0, 6)
    p = 0.58 + (0.82 - 0.58) * weeks_since / 6
    return pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "eligible": eligible,
                         "within_1h": rng.binomial(eligible, p)})


def discharge_before_noon() -> pd.DataFrame:
    rng = np.random.default_rng(SEEDS["discharge_before_noon"])
    weeks = pd.date_range("2022-04-04", periods=104, freq="W-MON")
    frames = []
    for ward, mean_discharges, before, after in [("Ward 7", 32, 0.16, 0.31), ("Ward 12", 40, 0.18, 0.18)]:
        discharges = rng.poisson(mean_discharges, len(weeks))
        p = np.where(weeks >= "2023-05-29", after, before)
        frames.append(pd.DataFrame({"week": weeks.strftime("%Y-%m-%d"), "ward": ward, "discharges": discharges,
                                    "before_noon": rng.binomial(discharges, p)}))
    return pd.concat(frames, ignore_index=True)


def length_of_stay() -> pd.DataFrame:
    rng = np.random.default_rng(SEEDS["length_of_stay"])
    days = pd.date_range("2022-04-01", "2024-03-31", freq="D")
    per_day = rng.poisson(4.3, len(days))
    discharge = days.repeat(per_day)
    median = np.where(discharge >= "2023-07-03", 6.0, 7.0)
    los = np.maximum(np.round(rng.lognormal(np.log(median), 0.8), 1), 0.2)
    return pd.DataFrame({"discharge_date": discharge.strftime("%Y-%m-%d"), "los_days": los})


def pressure_ulcers() -> pd.DataFrame:
    rng = np.random.default_rng(SEEDS["pressure_ulcers"])
    start, change, end = pd.Timestamp("2022-04-01"), pd.Timestamp("2023-10-01"), pd.Timestamp("2025-03-31")
    # Before the change: gaps with mean 12 days; after it: mean 35 days (each period drawn generously, then cut).
    before = np.cumsum(rng.exponential(12.0, 200))
    before = before[before < (change - start).days]
    after = (change - start).days + np.cumsum(rng.exponential(35.0, 200))
    after = after[after <= (end - start).days]
    day = np.floor(np.concatenate([before, after])).astype(int)
    dates = start + pd.to_timedelta(day, unit="D")
    category = rng.choice(np.array(["2", "3", "4", "unstageable"]), size=len(day), p=[0.70, 0.15, 0.05, 0.10])
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "category": category,
                         "days_between": np.diff(day, prepend=0)})


BUILDERS = {"falls": falls, "sepsis_antibiotics": sepsis_antibiotics,
            "discharge_before_noon": discharge_before_noon, "length_of_stay": length_of_stay,
            "pressure_ulcers": pressure_ulcers}


def write(out_dir: str | Path) -> list[Path]:
    """Write every synthetic data set as ``<name>.csv`` in ``out_dir``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in BUILDERS.items():
        path = out / f"{name}.csv"
        build().to_csv(path, index=False, lineterminator="\n", float_format="%.1f")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate qikit's synthetic ward data sets.")
    parser.add_argument("--out", default=str(Path(__file__).parent), help="folder to write the CSV files to")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
