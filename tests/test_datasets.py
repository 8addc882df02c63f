"""Data sets: loaders, types, attribution, plausibility, and regeneration of the synthetic files."""

from importlib import resources

import pandas as pd
import pytest

import qikit.datasets as datasets
from qikit.datasets import _generate

SYNTHETIC = ["falls", "sepsis_antibiotics", "discharge_before_noon", "length_of_stay", "pressure_ulcers"]
DATE_COLUMN = {"ae_attendances": "period", "falls": "month", "sepsis_antibiotics": "week",
               "discharge_before_noon": "week", "length_of_stay": "discharge_date", "pressure_ulcers": "date"}


def package_file(name):
    return resources.files("qikit.datasets").joinpath(name)


@pytest.mark.parametrize("name", list(DATE_COLUMN))
def test_loader_parses_dates_and_has_no_gaps(name):
    frame = getattr(datasets, name)()
    assert pd.api.types.is_datetime64_any_dtype(frame[DATE_COLUMN[name]])
    assert not frame.isna().any().any()


@pytest.mark.parametrize("name", ["sepsis_antibiotics", "length_of_stay", "pressure_ulcers"])
def test_single_series_are_in_date_order(name):
    assert getattr(datasets, name)()[DATE_COLUMN[name]].is_monotonic_increasing


def test_available_lists_every_loader():
    table = datasets.available()
    assert table["name"].tolist() == list(DATE_COLUMN)
    assert table.loc[0, "kind"] == "real (OGL v3.0)" and (table["kind"][1:] == "synthetic").all()


def test_loaders_return_fresh_frames():
    first = datasets.falls()
    first.loc[0, "falls"] = -1
    assert datasets.falls().loc[0, "falls"] >= 0


def test_ae_attendances_matches_its_description():
    ae = datasets.ae_attendances()
    assert ae.shape == (12765, 6)
    assert ae["period"].min() == pd.Timestamp("2016-04-01") and ae["period"].max() == pd.Timestamp("2019-03-01")
    assert ae["period"].dt.is_month_start.all() and ae["period"].nunique() == 36
    assert list(ae["type"].cat.categories) == ["1", "2", "other"]
    for column in ("attendances", "breaches", "admissions"):
        assert ae[column].dtype == "int64" and (ae[column] >= 0).all()
    assert (ae["breaches"] <= ae["attendances"]).all()


def test_ae_attendances_keeps_its_attribution():
    readme = package_file("README.md").read_text(encoding="utf-8")
    for words in ("Open Government Licence v3.0", "NHS England", "NHSRdatasets"):
        assert words in readme
        assert words in datasets.ae_attendances.__doc__


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_files_are_small(name):
    size = len(package_file(f"{name}.csv").read_bytes())
    assert size < 60_000


def test_synthetic_files_regenerate_exactly(tmp_path):
    _generate.main(["--out", str(tmp_path)])
    for name in SYNTHETIC:
        fresh = (tmp_path / f"{name}.csv").read_bytes()
        committed = package_file(f"{name}.csv").read_bytes()
        assert fresh == committed, (f"{name}.csv differs from what _generate.py makes: rerun "
                                    "`python -m qikit.datasets._generate` and commit the result")


def test_falls_are_plausible_and_ward_7_improves():
    falls = datasets.falls()
    assert falls.shape == (108, 5) and falls.groupby("ward").size().eq(36).all()
    assert falls["bed_days"].between(500, 31 * 30).all()
    assert falls["falls_per_1000"].between(0, 20).all()
    after = falls["month"] >= "2023-10-01"
    rate = falls.groupby(["ward", after])[["falls", "bed_days"]].sum()
    per_1000 = (rate["falls"] / rate["bed_days"] * 1000).unstack()
    # Pooled over 18 months each side, ward 7 drops by more than a quarter; the other wards do not.
    assert per_1000.loc["Ward 7", True] < 0.75 * per_1000.loc["Ward 7", False]
    for ward in ("Ward 9", "Ward 12"):
        assert abs(per_1000.loc[ward, True] - per_1000.loc[ward, False]) < 2.0


def test_sepsis_antibiotics_improves_after_august_2023():
    sepsis = datasets.sepsis_antibiotics()
    assert len(sepsis) == 130 and (sepsis["week"].dt.day_of_week == 0).all()
    assert (sepsis["within_1h"] <= sepsis["eligible"]).all() and sepsis["eligible"].between(5, 60).all()
    before = sepsis[sepsis["week"] < "2023-08-07"]
    after = sepsis[sepsis["week"] >= "2023-09-18"]  # once the six-week ramp is complete
    assert 50 < before["within_1h"].sum() / before["eligible"].sum() * 100 < 66
    assert 76 < after["within_1h"].sum() / after["eligible"].sum() * 100 < 88


def test_discharge_before_noon_improves_on_ward_7_only():
    discharges = datasets.discharge_before_noon()
    assert (discharges["before_noon"] <= discharges["discharges"]).all()
    after = discharges["week"] >= "2023-05-29"
    totals = discharges.groupby(["ward", after])[["before_noon", "discharges"]].sum()
    pct = (totals["before_noon"] / totals["discharges"] * 100).unstack()
    assert pct.loc["Ward 7", False] < 20 and pct.loc["Ward 7", True] > 26
    assert abs(pct.loc["Ward 12", True] - pct.loc["Ward 12", False]) < 3


def test_length_of_stay_is_skewed_and_falls():
    los = datasets.length_of_stay()
    assert (los["los_days"] > 0).all()
    assert los["los_days"].mean() > los["los_days"].median()  # right-skewed, as lengths of stay are
    after = los["discharge_date"] >= "2023-07-03"
    medians = los.groupby(after)["los_days"].median()
    assert 6.5 < medians[False] < 7.5 and 5.5 < medians[True] < 6.5


def test_pressure_ulcer_gaps_add_up_and_lengthen():
    ulcers = datasets.pressure_ulcers()
    days = (ulcers["date"] - pd.Timestamp("2022-04-01")).dt.days
    assert days.diff().fillna(days).astype(int).tolist() == ulcers["days_between"].tolist()
    assert (ulcers["days_between"] >= 0).all()
    assert set(ulcers["category"].cat.categories) == {"2", "3", "4", "unstageable"}
    after = ulcers["date"] >= "2023-10-01"
    mean_gap = ulcers.groupby(after)["days_between"].mean()
    assert mean_gap[False] < 16 and mean_gap[True] > 25
