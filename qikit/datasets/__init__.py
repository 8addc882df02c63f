"""Data sets for the course: real NHS A&E data and synthetic ward-level series.

Every loader returns a fresh :class:`pandas.DataFrame` with dates parsed and counts as integers::

    from qikit import datasets
    datasets.available()                  # one row per data set
    falls = datasets.falls()              # monthly falls and bed-days, three wards

The synthetic sets are made by ``qikit/datasets/_generate.py`` (seeded; run
``python -m qikit.datasets._generate`` to rebuild them). ``ae_attendances`` is real published data;
its attribution (Open Government Licence v3.0) is in its docstring and in ``README.md`` here.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["available", "ae_attendances", "falls", "sepsis_antibiotics", "discharge_before_noon",
           "length_of_stay", "pressure_ulcers"]


def _read(name: str, dates: list[str], dtypes: dict) -> pd.DataFrame:
    with resources.files(__name__).joinpath(f"{name}.csv").open("rb") as handle:
        frame = pd.read_csv(handle, dtype=dtypes, parse_dates=dates, date_format="%Y-%m-%d")
    return frame


def ae_attendances() -> pd.DataFrame:
    """Monthly A&E attendances, four-hour breaches and emergency admissions for every NHS trust in
    England, April 2016 to March 2019 (12,765 rows).

    Columns
    -------
    period : datetime64
        First day of the month.
    org_code : str
        ODS code of the provider organisation (e.g. ``"RF4"``).
    type : category
        Department type: ``"1"`` major A&E department, ``"2"`` single-specialty department,
        ``"other"`` other A&E (minor injury units, walk-in centres).
    attendances : int64
        Attendances in the month.
    breaches : int64
        Attendances that spent more than four hours from arrival to admission, transfer or discharge.
    admissions : int64
        Emergency admissions via the department.

    Source and licence
    ------------------
    NHS England, *A&E Attendances and Emergency Admissions* statistics, as packaged in the NHS-R
    Community's NHSRdatasets R package (version 0.3.3). Contains public sector information licensed
    under the Open Government Licence v3.0
    (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).

    Examples
    --------
    >>> ae = ae_attendances()
    >>> ae.shape
    (12765, 6)
    >>> ae["period"].min().date(), ae["period"].max().date()
    (datetime.date(2016, 4, 1), datetime.date(2019, 3, 1))
    """
    frame = _read("ae_attendances", ["period"], {"org_code": "str", "type": "str", "attendances": "int64",
                                                 "breaches": "int64", "admissions": "int64"})
    frame["type"] = pd.Categorical(frame["type"], categories=["1", "2", "other"])
    return frame


def falls() -> pd.DataFrame:
    """Synthetic monthly inpatient falls on three wards, April 2022 to March 2025 (108 rows).

    Ward 7 (elderly care) introduced a falls bundle in October 2023, after which its rate falls from
    about 8.5 to about 5.8 falls per 1,000 occupied bed-days; wards 9 (stroke) and 12 (general
    medicine) are stable. Use a u chart: ``y="falls", n="bed_days", multiply=1000``.

    Columns
    -------
    month : datetime64
        First day of the month.
    ward : str
        ``"Ward 7"``, ``"Ward 9"`` or ``"Ward 12"``.
    bed_days : int64
        Occupied bed-days in the month.
    falls : int64
        Inpatient falls reported.
    falls_per_1000 : float64
        ``falls / bed_days * 1000`` (added by the loader).

    Examples
    --------
    >>> df = falls()
    >>> df.shape, sorted(df["ward"].unique())
    ((108, 5), ['Ward 12', 'Ward 7', 'Ward 9'])
    """
    frame = _read("falls", ["month"], {"ward": "str", "bed_days": "int64", "falls": "int64"})
    frame["falls_per_1000"] = frame["falls"] / frame["bed_days"] * 1000
    return frame


def sepsis_antibiotics() -> pd.DataFrame:
    """Synthetic weekly sepsis care in one emergency department, 130 weeks from 4 April 2022.

    Adults with red-flag sepsis and how many received IV antibiotics within one hour of arrival
    (NICE NG51). About 58% until a sepsis trolley and nurse-given antibiotics (PGD) start in the week
    of 7 August 2023, then rising over six weeks to about 82%. More patients arrive in winter.
    Use a p chart: ``y="within_1h", n="eligible"``.

    Columns
    -------
    week : datetime64
        Monday of the week.
    eligible : int64
        Adults with red-flag sepsis.
    within_1h : int64
        Of those, given IV antibiotics within one hour of arrival.
    pct_within_1h : float64
        ``100 * within_1h / eligible`` (added by the loader).

    Examples
    --------
    >>> sepsis_antibiotics().shape
    (130, 4)
    """
    frame = _read("sepsis_antibiotics", ["week"], {"eligible": "int64", "within_1h": "int64"})
    frame["pct_within_1h"] = 100 * frame["within_1h"] / frame["eligible"]
    return frame


def discharge_before_noon() -> pd.DataFrame:
    """Synthetic weekly discharges before noon on two wards, 104 weeks from 4 April 2022 (208 rows).

    Ward 7 starts criteria-led discharge in the week of 29 May 2023 and moves from about 16% to about
    31% of discharges before noon; ward 12 stays near 18%. Use a p chart per ward:
    ``y="before_noon", n="discharges"``.

    Columns
    -------
    week : datetime64
        Monday of the week.
    ward : str
        ``"Ward 7"`` or ``"Ward 12"``.
    discharges : int64
        Patients discharged in the week.
    before_noon : int64
        Of those, discharged before 12:00.
    pct_before_noon : float64
        ``100 * before_noon / discharges`` (added by the loader).

    Examples
    --------
    >>> discharge_before_noon().groupby("ward").size().to_dict()
    {'Ward 12': 104, 'Ward 7': 104}
    """
    frame = _read("discharge_before_noon", ["week"], {"ward": "str", "discharges": "int64",
                                                       "before_noon": "int64"})
    frame["pct_before_noon"] = 100 * frame["before_noon"] / frame["discharges"]
    return frame


def length_of_stay() -> pd.DataFrame:
    """Synthetic length of stay, one row per discharge from ward 7 (elderly care), April 2022 to March 2024.

    Length of stay is skewed (log-normal, median 7.0 days, mean about 9.6); daily board rounds with
    red-to-green days from 3 July 2023 bring the median down to about 6.0 days. For an Xbar-S chart,
    group by week: ``df.assign(week=df["discharge_date"].dt.to_period("W").dt.start_time)``.

    Columns
    -------
    discharge_date : datetime64
        Day of discharge.
    los_days : float64
        Length of stay in days, to one decimal place.

    Examples
    --------
    >>> los = length_of_stay()
    >>> los.columns.tolist(), bool((los["los_days"] > 0).all())
    (['discharge_date', 'los_days'], True)
    """
    return _read("length_of_stay", ["discharge_date"], {"los_days": "float64"})


def pressure_ulcers() -> pd.DataFrame:
    """Synthetic hospital-acquired pressure ulcers (category 2 and above) across the medical wards,
    April 2022 to March 2025: one row per ulcer, for g and t charts of rare events.

    About one ulcer every 12 days until an SSKIN bundle starts on 1 October 2023, then about one
    every 35 days.

    Columns
    -------
    date : datetime64
        Day the ulcer was found.
    category : category
        ``"2"``, ``"3"``, ``"4"`` or ``"unstageable"``.
    days_between : int64
        Days since the previous ulcer (0 when found the same day); the first row counts from the
        start of observation, 1 April 2022.

    Examples
    --------
    >>> pu = pressure_ulcers()
    >>> int((pu["date"] - pd.Timestamp("2022-04-01")).dt.days.iloc[-1]) == int(pu["days_between"].sum())
    True
    """
    frame = _read("pressure_ulcers", ["date"], {"category": "str", "days_between": "int64"})
    frame["category"] = pd.Categorical(frame["category"], categories=["2", "3", "4", "unstageable"])
    return frame


_LOADERS = {"ae_attendances": ae_attendances, "falls": falls, "sepsis_antibiotics": sepsis_antibiotics,
            "discharge_before_noon": discharge_before_noon, "length_of_stay": length_of_stay,
            "pressure_ulcers": pressure_ulcers}


def available() -> pd.DataFrame:
    """One row per data set: ``name`` (the loader's name), ``kind`` (real or synthetic) and ``description``.

    Examples
    --------
    >>> available()["name"].tolist()[:2]
    ['ae_attendances', 'falls']
    """
    rows = [(name, "real (OGL v3.0)" if name == "ae_attendances" else "synthetic",
             loader.__doc__.strip().splitlines()[0]) for name, loader in _LOADERS.items()]
    return pd.DataFrame(rows, columns=["name", "kind", "description"])
