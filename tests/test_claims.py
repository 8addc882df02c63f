"""Claims are computed, not typed: every number or verdict about data that the notebooks' prose, the
assignments' model answers and the rubrics state is checked here against qikit's output.

Each test computes the figures from the data with qikit (and, where it is cheap, by hand with pandas), writes
the sentence as the course states it, and asserts that the course still says exactly that. A change to the
data or the code that makes a sentence false fails here, naming the sentence.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.exercises import nb08
from tests.answer_banks.harness import cells as assignment_cells
from tests.answer_banks.harness import grade

ROOT = Path(__file__).resolve().parents[1]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cell(assignment: str, grade_id: str) -> str:
    for cell in assignment_cells(assignment):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return _flat("".join(cell["source"]))
    raise KeyError(grade_id)


def _notebook(name: str) -> str:
    nb = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return _flat(re.sub(r"^\s*>\s?", "", text, flags=re.M))  # quotations read as running text


def _rubric(name: str) -> str:
    return _flat((ROOT / "course" / "rubrics" / name).read_text(encoding="utf-8"))


def _says(text: str, *phrases: str) -> None:
    for phrase in phrases:
        assert _flat(phrase) in text, f"the course no longer says (or never said) {phrase!r}"


def _run(assignment: str) -> dict:
    """The assignment's set-up and model answers, run as a student would (namespace after the last cell)."""
    namespace: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in assignment_cells(assignment):
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), assignment, "exec"), namespace)  # noqa: S102
    return namespace


# ------------------------------------------------------------------------------------ assignment 2
def test_a2_model_interpretation_matches_the_run_chart():
    run = _run("a2_run_charts")["run"]
    s = run.summary().iloc[0]
    start = run.signals.loc[run.signals["rule"] == "anhoej_shift", "x"].min()
    text = _cell("a2_run_charts", "a2_interpretation")
    _says(text, f"From the week of {start.day} {start:%B %Y}",
          f"for {int(s['longest_run'])} consecutive useful weeks",
          f"a run longer than the {int(s['longest_run_max'])} expected by chance",
          f"crosses the median only {int(s['n_crossings'])} times against at least {int(s['n_crossings_min'])} "
          "expected")
    assert s["runs_signal"] and start.month == 5  # "the timing fits the sepsis trolley" (late spring 2024)


# ------------------------------------------------------------------------------------ assignment 3
def test_a3_model_interpretation_and_rubric_match_the_charts():
    ns = _run("a3_choosing_control_charts")
    a, b, c = (ns[f"res_{k}"].summary().iloc[0] for k in "abc")
    for res in (ns["res_a"], ns["res_b"], ns["res_c"]):  # "no special cause" in all three
        row = res.summary().iloc[0]
        assert not row["runs_signal"] and row["sigma_signals"] == 0, res.explain()
    gaps = ns["ulcers"]["days_since_previous"]
    per_ulcer = gaps.sum() / len(gaps)
    assert per_ulcer == pytest.approx((ns["ulcers"]["found"].iloc[-1] - pd.Timestamp("2024-04-01")).days / len(gaps))
    text, rubric = _cell("a3_choosing_control_charts", "a3_interpretation"), _rubric("a3_interpretation.md")
    _says(text, f"stable around {100 * a['cl']:.0f}%", f"stable around {b['cl']:.1f} days",
          f"limits about 0 to {b['ucl']:.1f} days", f"centre line about {c['cl']:.0f} days",
          f"upper limit about {c['ucl']:.0f} days", f"{len(gaps)} ulcers in {gaps.sum()} days is about",
          f"one ulcer every {per_ulcer:.0f} days on average", f"a gap above about {c['ucl']:.0f} days")
    assert b["lcl"] < 0  # "limits about 0 to ..." and the rubric's "lower limit below 0"
    _says(rubric, f"stable around {100 * a['cl']:.0f}%", f"stable around {b['cl']:.1f} days",
          f"upper limit about {b['ucl']:.1f} days", f"centre line of about {c['cl']:.0f} days",
          f"upper limit about {c['ucl']:.0f} days", f"{len(gaps)} ulcers in {gaps.sum()} days is about one every "
          f"{per_ulcer:.0f} days")
    assert "9-10 days" not in text + rubric  # the old misreading of the t chart's centre line


# ------------------------------------------------------------------------------------ assignment 5
def test_a5_model_board_report_and_rubric_match_explain():
    ns = _run("a5_making_data_count")
    board = ns["board"]
    segments = board.summary()
    before, after = segments.iloc[0], segments.iloc[-1]
    improving = board.signals[(board.signals["segment"] == after["segment"])
                              & (board.signals["point_type"] == "special_cause_improvement")]
    words = {8: "eight"}
    text, rubric = _cell("a5_making_data_count", "a5_board_report"), _rubric("a5_board_report.md")
    latest = board.data.sort_values("x").iloc[-1]
    assert after["start"] == pd.Timestamp("2017-06-01")
    _says(text, "stepped up in June 2017", f"from about {before['mean']:.0f}% to about {after['mean']:.1f}%",
          f"{improving['x'].min():%B} to {improving['x'].max():%B %Y} ran above its average for "
          f"{words[len(improving)]} months in a row",
          f"the latest month ({latest['y']:.1f}%, {latest['x']:%B %Y}) shows common cause variation",
          f"about {after['lpl']:.0f}% to {after['upl']:.0f}%")
    assert set(improving["rule"]) == {"shift"} and (improving["y"] > after["mean"]).all()
    assert after["variation"] == "common_cause" and after["assurance"] == "inconsistent"
    assert after["lpl"] < 95 < after["upl"]  # "the 95% standard lies inside the process limits": hit and miss
    explained = board.explain()
    assert f"from {improving['x'].min():%b %Y} to {improving['x'].max():%b %Y}" in explained
    assert "Since then the variation is common cause" not in text  # the old, false reading
    _says(rubric, f"about {after['lpl']:.0f}% to {after['upl']:.0f}%",
          f"eight months above the new average from {improving['x'].min():%B} to {improving['x'].max():%B %Y}")
    # the winter dips "lie within what this process normally produces"
    winters = board.data[board.data["x"].isin(pd.to_datetime(["2018-01-01", "2019-01-01", "2019-02-01"]))]
    assert (winters["y"] > after["lpl"]).all()


# ------------------------------------------------------------------------------------ notebook 08
def _rdu(y="pct_4h", improvement="increase", target=95):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {"target": target} if target is not None else {}
        return qikit.mdc(nb08.trust_metrics("RDU"), x="period", y=y, improvement=improvement, **kwargs)


def test_nb08_reading_of_rdu_matches_the_chart():
    res = _rdu()
    row, data = res.summary().iloc[0], res.data.set_index("x")
    text = _notebook("08-making-data-count.ipynb")
    _says(text, "(January and February 2019 fell below the lower limit)",
          "the latest month, March 2019, shows common cause variation",
          "The 95% target lies between the process limits: hit and miss")
    for month in ("2019-01-01", "2019-02-01"):
        assert data.loc[month, "y"] < data.loc[month, "lpl"]
    march = data.loc["2019-03-01"]
    # "March 2019 is also below the lower 2-sigma line ... on its own March is only one month close to the limit"
    assert march["lpl"] < march["y"] < march["lpl_2s"] and march["point_type"] == "common_cause"
    assert row["variation"] == "common_cause" and row["assurance"] == "inconsistent"
    improving = res.signals[res.signals["point_type"] == "special_cause_improvement"]["x"]
    concerning = res.signals[res.signals["point_type"] == "special_cause_concern"]["x"]
    assert improving.min() < pd.Timestamp("2016-07-01") and improving.max() < pd.Timestamp("2018-01-01")  # 2016-17
    winters = {(d.year if d.month >= 10 else d.year - 1) for d in concerning}
    assert winters == {2017, 2018} and all(d.month in (10, 11, 12, 1, 2, 3) for d in concerning)


def test_nb08_board_paragraph_and_rows_match_the_charts():
    text = _notebook("08-making-data-count.ipynb")
    waits = _rdu("breaches", "decrease", None)
    data = waits.data.set_index("x")
    _says(text, "above the upper process limit for three months running (January to March 2019)")
    for month in ("2019-01-01", "2019-02-01", "2019-03-01"):
        assert data.loc[month, "y"] > data.loc[month, "upl"]
    assert data.loc["2018-12-01", "y"] <= data.loc["2018-12-01", "upl"]  # "three months", not four
    assert waits.summary().iloc[-1]["variation"] == "special_cause_concern"
    _says(text, "Attendances and the admission rate show common cause variation")
    for y in ("attendances", "pct_admitted"):
        assert _rdu(y, "neutral", None).summary().iloc[-1]["variation"] == "common_cause"


def test_nb08_rebaselining_example_matches_its_prose():
    flow = qikit.simulate.shift(n=36, at=18, size=2.0, mean=80, sd=3, start="2021-04-01", freq="MS", seed=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = qikit.mdc(flow, x="date", y="value", improvement="increase", target=90).summary().iloc[-1]
        rebased = qikit.mdc(flow, x="date", y="value", improvement="increase", target=90,
                            rebase=["2022-10-01"]).summary()
    text = _notebook("08-making-data-count.ipynb")
    _says(text, "a new ambulatory care unit opened in October 2022",
          "the assurance says the 90% target will never be met", "show it will be met in some months (hit and miss)")
    assert flow["date"].iloc[18] == pd.Timestamp("2022-10-01") and flow["special"].iloc[18]
    assert one["assurance"] == "consistent_fail" and rebased.iloc[-1]["assurance"] == "inconsistent"
    # "two runs of 7 months below the mean before it (April to October 2021 and December 2021 to June 2022)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = qikit.mdc(flow, x="date", y="value", improvement="increase", target=90)
    shift = single.signals[single.signals["rule"] == "shift"].merge(single.data[["x", "mean"]], on="x")
    runs = np.split(shift["x"].to_numpy(), np.flatnonzero(np.diff(shift["x"].dt.to_period("M").astype(int)) > 1) + 1)
    assert [len(r) for r in runs] == [7, 7] and (shift["y"] < shift["mean"]).all()
    spans = [(pd.Timestamp(r[0]), pd.Timestamp(r[-1])) for r in runs]
    assert [(a.strftime("%Y-%m"), b.strftime("%Y-%m")) for a, b in spans] == [("2021-04", "2021-10"),
                                                                             ("2021-12", "2022-06")]
    assert all(end < pd.Timestamp("2022-10-01") for _, end in spans)  # "before it"
    _says(text, "two runs of 7 months below the mean before it (April to October 2021 and December 2021 to June 2022)")
    # "Each segment has 18 months, so its limits are still trial limits" (fewer than 20); none is provisional
    from qikit.stats.mdc import MIN_POINTS

    assert rebased["n"].tolist() == [18, 18] and (rebased["n"] < 20).all() and (rebased["n"] >= MIN_POINTS).all()
    _says(text, "Each segment has 18 months, so its limits are still trial limits",
          f"with fewer than {MIN_POINTS} `qikit.mdc` calls them provisional")


# ------------------------------------------------------------------------------------ notebook 07
def test_nb07_phase_reading_matches_the_p_chart():
    discharges = qikit.datasets.discharge_before_noon()
    ward7 = discharges[discharges["ward"] == "Ward 7"]
    baseline = int((ward7["week"] < "2023-05-29").sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        phases = qikit.spc(ward7, x="week", y="before_noon", n="discharges", chart="p", multiply=100,
                           part=[baseline])
    parts = phases.summary()
    text = _notebook("07-pdsa-cycles.ipynb")
    _says(text, f"The centre line moves from about {parts['cl'].iloc[0]:.0f}% to about {parts['cl'].iloc[1]:.0f}%",
          "One baseline week, in April 2023, lies above its upper limit", f"calculated from all {len(ward7)} weeks")
    d = phases.data
    above = d[(d["part"] == d["part"].iloc[0]) & (d["y"] > d["ucl"])]
    assert len(above) == 1 and above["x"].iloc[0].strftime("%Y-%m") == "2023-04"


# ------------------------------------------------------------------------------------ model answers score
@pytest.mark.parametrize("assignment", ["a1_aims_and_measures", "a2_run_charts", "a3_choosing_control_charts",
                                        "a4_pdsa_ramp", "a5_making_data_count", "a6_sustain_and_spread"])
def test_model_answers_earn_every_point(assignment):
    """The model answers the rubrics point to pass their own hidden tests (run in-process)."""
    points = grade(assignment, {})
    assert all(v > 0 for v in points.values()), points
    assert np.isfinite(sum(points.values()))


# ------------------------------------------------------------------------------------ notebooks 00, 04, 05, 07, 09
def _half_up(value: float) -> int:
    """Rounded as a person rounds (80.5 -> 81), not to even."""
    return int(np.floor(value + 0.5))


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def test_nb00_table_and_first_chart():
    falls = qikit.datasets.falls()
    text = _notebook("00-start-here.ipynb")
    _says(text, f"The table has {len(falls)} rows: three wards times {falls['month'].nunique()} months")
    assert falls["ward"].nunique() == 3
    ward = falls[falls["ward"] == "Ward 7"]
    res = _quiet(qikit.spc, ward, x="month", y="falls", n="bed_days", chart="run", multiply=1000)
    assert res.signals.empty and not res.summary()["runs_signal"].any()  # the chart it shows says "No signals"


def test_nb04_averages_hide_what_run_charts_show():
    from qikit.exercises import nb04

    wards = nb04.three_wards()
    means = wards.groupby(["ward", "period"])["pct_before_noon"].mean().round(0)
    text = _notebook("04-run-charts.ipynb")
    _says(text, f"each ward went from {means.xs('before', level='period').iloc[0]:.0f}% to "
                f"{means.xs('after', level='period').iloc[0]:.0f}%")
    assert means.xs("before", level="period").nunique() == 1 and means.xs("after", level="period").nunique() == 1
    sepsis = qikit.datasets.sepsis_antibiotics()
    before = int((sepsis["week"] < "2023-08-07").sum())
    split = _quiet(qikit.spc, sepsis, x="week", y="within_1h", n="eligible", multiply=100, part=[before])
    cl = split.summary()["cl"]
    _says(text, f"The median of all {len(sepsis)} weeks", f"Before the change the median was about {_half_up(cl.iloc[0])}%; "
                f"after it, about {_half_up(cl.iloc[1])}%. Within each part there is no signal")
    assert split.signals.empty
    ward7 = qikit.datasets.discharge_before_noon().query("ward == 'Ward 7'")
    anhoej = _quiet(qikit.spc, ward7, x="week", y="before_noon", n="discharges", multiply=100, rules="anhoej")
    ihi = _quiet(qikit.spc, ward7, x="week", y="before_noon", n="discharges", multiply=100, rules="ihi")
    assert ihi.data["signal"].sum() > anhoej.data["signal"].sum()  # "The IHI rules flag more points"


def test_nb05_red_beads_and_xmr_readings():
    beads = qikit.simulate.red_beads(seed=1)
    totals = beads.groupby("worker")["red"].sum()
    text = _notebook("05-variation.ipynb")
    _says(text, f"{totals.idxmax()} drew the most red beads ({totals.max()} over four days), {totals.idxmin()} the "
                f"fewest ({totals.min()})")
    res = _quiet(qikit.spc, beads, x="draw", y="red", n="paddle", chart="p", multiply=100)
    assert res.signals.empty  # "Every draw lies inside the limits, and there is no run or trend"
    ae = qikit.datasets.ae_attendances()
    r1h = ae[(ae["org_code"] == "R1H") & (ae["type"] == "1")].sort_values("period")
    x_chart = _quiet(qikit.spc, r1h, x="period", y="attendances", chart="i").summary().iloc[0]
    y = r1h["attendances"]
    assert y.diff().abs().max() > 4000 and (y.diff().abs() > 4000).sum() == 1  # "once by more than 4,000"
    _says(text, f"between about {round(x_chart['lcl'], -2):,.0f} and {round(x_chart['ucl'], -2):,.0f} attendances "
                "a month")
    assert ((y > x_chart["lcl"]) & (y < x_chart["ucl"])).all()
    # rule 2 "doubles the variance (the spread grows by about 40%)": sqrt(2) = 1.41, in the simulation too
    drops = {r: qikit.simulate.funnel_experiment(rule=r, drops=100, seed=3) for r in (1, 2)}
    spread = {r: np.hypot(d["x"], d["y"]).std() for r, d in drops.items()}
    assert 1.2 < spread[2] / spread[1] < 1.7


def test_nb07_split_on_noise_example():
    trial = qikit.simulate.pdsa_test(baseline=0.18, effect=0.0, n=30, before=20, after=12, seed=12)
    split = _quiet(qikit.spc, trial, x="date", y="events", n="n", chart="p", multiply=100, part=[20])
    honest = _quiet(qikit.spc, trial, x="date", y="events", n="n", chart="p", multiply=100, freeze=20)
    cl = split.summary()["cl"]
    text = _notebook("07-pdsa-cycles.ipynb")
    _says(text, f"Two centre lines, about {cl.iloc[0]:.1f}% and {cl.iloc[1]:.1f}%",
          f"it looks like a {'five' if round(cl.iloc[1] - cl.iloc[0]) == 5 else '?'}-point improvement")
    assert honest.signals.empty  # "No signal: the 'after' weeks are within what the old process produced"


def test_nb09_sustainability_and_bass_readings():
    ratings = pd.DataFrame(
        {"benefits": [4, 3, 4], "credibility": [3, 4, 3], "adaptability": [3, 2, 3], "monitoring": [2, 2, 2],
         "involvement": [3, 2, 2], "behaviours": [3, 3, 2], "senior_leadership": [2, 1, 2],
         "clinical_leadership": [3, 4, 2], "fit": [3, 3, 4], "infrastructure": [1, 2, 1]})
    weakest = qikit.SustainabilityAssessment.from_frame(ratings).summary()["key"].head(2).tolist()
    text = _notebook("09-sustain-and-spread.ipynb")
    assert weakest == ["infrastructure", "senior_leadership"]
    _says(text, "Infrastructure for sustainability means", "Senior leadership engagement means")
    curve = qikit.spread.bass(p=0.01, q=0.5, m=40, periods=24)
    peak = curve.loc[curve["new"].idxmax()]
    assert int(peak["period"]) == 8 and round(float(peak["new"]), 1) == 5.2  # the alt text's "5.2 wards in month 8"
    assert int(curve.loc[curve["cumulative"] >= 20, "period"].min()) == 8  # "passing half of the wards in month 8"


def test_a2_rubric_and_a6_model_answer_and_rubric_match_the_data():
    run = _run("a2_run_charts")["run"].summary().iloc[0]
    _says(_rubric("a2_interpretation.md"), "from the week of 20 May 2024",
          f"({int(run['longest_run'])} useful points against a limit of {int(run['longest_run_max'])})",
          f"too few crossings ({int(run['n_crossings'])} against at least {int(run['n_crossings_min'])})")
    ns = _run("a6_sustain_and_spread")
    table = ns["table"]
    weakest, divided = table["key"].head(3).tolist(), table.loc[table["divided"], "key"].tolist()
    ratings = ns["ratings"]
    assert set(weakest) == set(ratings.mean().sort_values(kind="stable").index[:3])  # by hand
    assert set(divided) == set(ratings.columns[(ratings.max() - ratings.min()) >= 2])
    names = {"involvement": "staff involvement and training", "benefits": "benefits beyond helping patients",
             "monitoring": "the system for monitoring progress"}
    assert set(weakest) == set(names)
    _says(_rubric("a6_spread_plan.md"), f"({', '.join(names[k] for k in ['involvement', 'benefits', 'monitoring'])})")
    text = _cell("a6_sustain_and_spread", "a6_spread_plan")
    _says(text, "staff involvement and training", "benefits beyond patients", "monitoring (a daily count",
          f"Where the team was divided ({', '.join(divided)})")


# ------------------------------------------------------------------------------------ notebook 06
def _nb06_cell(cell_id: str) -> str:
    nb = json.loads((ROOT / "notebooks" / "06-control-charts.ipynb").read_text(encoding="utf-8"))
    return "".join(next(c for c in nb["cells"] if c.get("id") == cell_id)["source"])


def _ward7_u(**kwargs):
    falls = qikit.datasets.falls()
    ward7 = falls[falls["ward"] == "Ward 7"]
    return _quiet(qikit.spc, ward7, x="month", y="falls", n="bed_days", chart="u", multiply=1000, **kwargs)


def test_nb06_ward7_is_not_split_on_hope():
    """Section 3: the unsplit chart's only signal is September 2022; a split at the bundle draws a step that a
    split at a month with no change draws as large; the frozen baseline's run starts before the bundle."""
    falls = qikit.datasets.falls()
    ward7 = falls[falls["ward"] == "Ward 7"]
    bundle = int((ward7["month"] < "2023-10-01").sum())
    text = _notebook("06-control-charts.ipynb")
    whole = _ward7_u()
    row = whole.summary().iloc[0]
    assert len(ward7) == 36 and "chart all 36 months as one process" in text
    assert list(whole.signals["x"].dt.strftime("%Y-%m")) == ["2022-09"] and not row["runs_signal"]
    _says(text, "One month, September 2022, lies above the upper limit", "a year before the bundle",
          "Nothing else signals: no run is longer than its limit, the line crosses the centre line often enough")
    assert row["longest_run"] <= row["longest_run_max"] and row["n_crossings"] >= row["n_crossings_min"]
    # the text no longer claims the old, false reading
    assert "with the bundle; each part is stable" not in text
    hope = _ward7_u(part=[bundle]).summary()
    placebo_at = int((ward7["month"] < "2023-04-01").sum())
    placebo = _ward7_u(part=[placebo_at]).summary()
    _says(text, f"the centre line steps down from about {hope['cl'].iloc[0]:.1f} to about {hope['cl'].iloc[1]:.1f} "
                "falls per 1,000 bed-days and each part looks stable",
          f"Split in April 2023, when nothing changed, and the step is just as large, from about "
          f"{placebo['cl'].iloc[0]:.1f} to about {placebo['cl'].iloc[1]:.1f}",
          f"{int(hope['points'].iloc[0])} months each at the bundle and only {int(placebo['points'].iloc[0])} "
          "before April 2023",
          f"the rate fell from {hope['cl'].iloc[0]:.1f} to {hope['cl'].iloc[1]:.1f} with the bundle: that step was "
          "drawn by the split")
    assert (hope["sigma_signals"] == 0).all() and not hope["runs_signal"].any()  # "each part looks stable"
    assert (placebo["sigma_signals"] == 0).all() and not placebo["runs_signal"].any()
    assert hope["points"].tolist() == [18, 18] and placebo_at == 12 < 20  # trial limits (fewer than 20 points)
    assert placebo["cl"].iloc[0] - placebo["cl"].iloc[1] >= hope["cl"].iloc[0] - hope["cl"].iloc[1]  # "just as large"
    frozen = _ward7_u(freeze=bundle)
    run = frozen.signals[frozen.signals["rule"] == "anhoej_shift"]["x"]
    first, last = run.min(), run.max()
    months_before = (pd.Timestamp("2023-10-01").year - first.year) * 12 + 10 - first.month
    _says(text, f"ward 7 does show a signal: {len(run)} months in a row below the old centre line, from "
                f"{first:%B %Y} to {last:%B %Y}",
          f"the run starts in {first:%B %Y}, four months **before** the bundle")
    assert months_before == 4 and frozen.summary().iloc[0]["runs_signal"]
    _says(text, "the baseline holds September 2022, the month the 36-month chart flagged")  # whole.signals above
    d = frozen.data.set_index("x")
    assert (d.loc[run, "y"] < d.loc[run, "cl"]).all()  # below the old centre line
    # the notebook's own cells make these charts
    assert "part=[bundle]" in _nb06_cell("nb06-018a") and "freeze=bundle" in _nb06_cell("nb06-018c")
    assert '"2023-04-01"' in _nb06_cell("nb06-018a")


def test_nb06_ward9_c_chart_reading():
    falls = qikit.datasets.falls()
    ward9 = falls[falls["ward"] == "Ward 9"]
    c_chart = _quiet(qikit.spc, ward9, x="month", y="falls", chart="c")
    row = c_chart.summary().iloc[0]
    _says(_notebook("06-control-charts.ipynb"), f"Ward 9 is stable around {row['cl']:.0f} falls a month: a month with "
          f"{ward9['falls'].max()} falls is within what this ward's system produces")
    assert c_chart.signals.empty and ward9["falls"].max() < row["ucl"]


def _run_cells(*cell_ids: str) -> dict:
    namespace = {"pd": pd}
    for cell_id in cell_ids:
        exec(compile(_nb06_cell(cell_id), cell_id, "exec"), namespace)  # noqa: S102 - the notebook's own cells
    return namespace


def test_nb06_trial_limits_and_false_alarms_are_computed():
    """The notebook's simulation cells give the figures its prose states, and the exercises' checks use the
    same figures (qikit.exercises.nb06 runs the same code)."""
    from qikit.exercises import nb06

    ns = _run_cells("nb06-018e", "nb06-018i", "nb06-018m")
    table = nb06.limit_spread()
    for k, (low, high) in ns["spread"].items():
        assert (low, high) == pytest.approx((table.loc[k, "low"], table.loc[k, "high"]))
    text = _notebook("06-control-charts.ipynb")
    r = {k: (round(table.loc[k, "low"]), round(table.loc[k, "high"])) for k in table.index}
    _says(text, f"From 5 points the upper limit can land anywhere from about {r[5][0]} to {r[5][1]}; from 20 points, "
                f"from about {r[20][0]} to {r[20][1]}; from 50, from about {r[50][0]} to {r[50][1]}",
          "whose true upper limit is 130 (mean 100, standard deviation 10)")
    widths = table["width"]
    assert widths.is_monotonic_decreasing  # "firm up quickly until about 20 to 25 points, and only slowly after"
    assert widths[5] - widths[20] > 2 * (widths[25] - widths[50])
    from qikit.stats.api import MIN_POINTS_FIRM

    assert MIN_POINTS_FIRM == 12 and "fewer than 12 points" in text
    # one point in 370, by the normal tail and by simulation
    p = ns["p"]
    assert p == pytest.approx(0.0027, abs=5e-5) and round(1 / p) == 370 == round(nb06.false_alarm_one_in())
    assert abs(ns["simulated"].mean() - p) < 3e-4
    _says(text, "About 1 point in 370 (0.27%)")
    rates = nb06.false_alarm_rates()
    assert ns["false_alarms"] == pytest.approx(rates.to_dict())
    exact = 100 * (1 - (1 - p) ** 25)
    _says(text, f"With the 3-sigma rule alone, about {rates.iloc[0]:.0f}% of stable 25-point charts raise at least one "
                f"false alarm (worked out exactly, 1 − (1 − p)²⁵ is {exact:.1f}%); with all four rules, about "
                f"{rates.iloc[-1]:.0f}%: about one stable chart in four")
    assert rates.is_monotonic_increasing and round(rates.iloc[-1] / 100 * 4) == 1
    assert abs(rates.iloc[0] - exact) < 1.5  # the simulation agrees with the formula
    # Exercise 2c's model answer: at least one of 36 points beyond 3 sigma
    assert nb06.check_false_alarm({"one_in": round(1 / p), "in_36": round(100 * (1 - (1 - p) ** 36), 1)}).correct


def test_nb06_p_chart_laney_and_rare_event_readings():
    text = _notebook("06-control-charts.ipynb")
    sepsis = qikit.datasets.sepsis_antibiotics()
    before = int((sepsis["week"] < "2023-08-07").sum())
    p_chart = _quiet(qikit.spc, sepsis, x="week", y="within_1h", n="eligible", chart="p", multiply=100, part=[before])
    parts = p_chart.summary()
    assert p_chart.signals.empty
    _says(text, f"before the change the process was stable around {parts['cl'].iloc[0]:.0f}%, after it stable around "
                f"{parts['cl'].iloc[1]:.0f}%")
    ulcers = qikit.datasets.pressure_ulcers()
    ulcers["gap_days"] = ulcers["days_between"].where(ulcers["days_between"] > 0, 0.5)
    sskin = int((ulcers["date"] < "2023-10-01").sum())
    g = _quiet(qikit.spc, ulcers, y="days_between", chart="g", freeze=sskin).data
    t = _quiet(qikit.spc, ulcers, y="gap_days", chart="t", part=[sskin]).summary()
    words = {2: "two", 6: "six", 15: "fifteen"}
    after = g.iloc[sskin:]
    above_after, above_before = int((after["y"] > after["ucl"]).sum()), int((g["y"] > g["ucl"]).iloc[:sskin].sum())
    _says(text, f"the g chart flags {words[above_after]} of the {words[len(after)]} gaps since the bundle",
          f"the {words[above_before]} baseline gaps above the limit")
    # "a known change meets a signal that starts with the first gap after it": the split is justified
    assert bool(after["y"].iloc[0] > after["ucl"].iloc[0])
    _says(text, "Here a known change meets a signal that starts with the first gap after it, so splitting the t "
                "chart at the bundle is justified")
    assert 5 <= g["cl"].iloc[0] <= 9  # "the typical gap was about a week"
    assert 5 <= t["cl"].iloc[0] <= 9 and 25 <= t["cl"].iloc[1] <= 35  # "from about a week to about a month"
    ae = qikit.datasets.ae_attendances()
    r1h = ae[(ae["org_code"] == "R1H") & (ae["type"] == "1")].sort_values("period")
    r1h = r1h.assign(within_4h=r1h["attendances"] - r1h["breaches"])
    kw = dict(x="period", y="within_4h", n="attendances", multiply=100)
    p_big = _quiet(qikit.spc, r1h, chart="p", **kw)
    p_prime = _quiet(qikit.spc, r1h, chart="pp", **kw).summary().iloc[0]
    _says(text, f"The p chart calls {int(p_big.data['signal'].sum())} of {len(r1h)} months special",
          f"The p′ chart's limits (about {p_prime['lcl']:.0f}% to {p_prime['ucl']:.0f}%)")
    assert round(r1h["attendances"].mean(), -3) == 28000  # "about 28,000 attendances a month"
    _says(text, "about 28,000 attendances a month")


# ------------------------------------------------------------------------------------ notebook 04: the explorer
def test_nb04_explorer_table_matches_its_prose():
    """The explorer as 04 opens it (the call in its cell), and the table the prose reads."""
    nb = json.loads((ROOT / "notebooks" / "04-run-charts.ipynb").read_text(encoding="utf-8"))
    call = "".join(next(c for c in nb["cells"] if c.get("id") == "nb04-022")["source"])
    assert 'signal_or_noise(seed=4, chart="run", show="anhoej")' in call
    from qikit.widgets import signal_or_noise

    widget = _quiet(signal_or_noise, seed=4, chart="run", show="anhoej")
    table = widget.table.set_index("rules")
    change = widget.change_point()
    text = _notebook("04-run-charts.ipynb")
    _says(text, f"a shift of {widget.controls['size'].value:.0f} standard deviations from point {change + 1} of "
                f"{widget.n}", f'"first flagged point {change + 1} (at the change)"',
          "Each also counts 1 signal before the change")
    assert widget.controls["kind"].value == "shift" and widget.controls["chart"].value == "run"
    for key in ("anhoej", "ihi"):
        row = table.loc[key]
        assert row["caught"] and row["first"] == change and row["delay"] == 0 and row["false_alarms"] == 1
        flagged = np.flatnonzero(widget.results[key].data["signal"].to_numpy(bool))
        # the run from point 34 to point 52: one point before the change, then every point after it
        assert flagged[0] == change - 1 and flagged.tolist() == list(range(change - 1, widget.n))
    assert f"Points {change}-{widget.n}" in widget.results["anhoej"].explain()
    y = widget.data["value"].to_numpy()
    cl = widget.results["anhoej"].data["cl"].to_numpy()
    assert y[change - 1] > cl[change - 1] and y[change - 2] <= cl[change - 2]  # "point 34 happened to lie above"
    _says(text, f"here the run of {widget.n - change + 1} points from point {change} to point {widget.n}",
          "point 34 happened to lie above the centre line")
    assert "Nothing" in [label for label, _ in widget.controls["kind"].options]  # the button the prose names
    assert widget.new_button.description == "New process"
    assert "Try a long series" not in text  # the explorer has no control for the series' length


# ------------------------------------------------------------------------------------ notebook 01
def test_nb01_four_hour_run_chart_reading():
    ae = qikit.datasets.ae_attendances()
    major = ae[ae["type"] == "1"].groupby("period", as_index=False)[["attendances", "breaches"]].sum()
    major["within_4h"] = major["attendances"] - major["breaches"]
    res = _quiet(qikit.spc, major, x="period", y="within_4h", n="attendances", chart="run", multiply=100)
    row = res.summary().iloc[0]
    text = _notebook("01-what-is-quality.ipynb")
    _says(text, f"not one of these {len(major)} months met it", "the line crosses its median too few times")
    assert (100 * major["within_4h"] / major["attendances"] < 95).all()
    assert row["n_crossings"] < row["n_crossings_min"] and row["longest_run"] <= row["longest_run_max"]
    pct = (100 * major["within_4h"] / major["attendances"]).to_numpy()
    months = major["period"].dt.month.to_numpy()
    for year in (2016, 2017, 2018):  # "The percentage dips every winter": each winter's low is below its summer
        winter = pct[((major["period"].dt.year == year) & (months == 12)) | ((major["period"].dt.year == year + 1)
                                                                            & np.isin(months, [1, 2, 3]))]
        summer = pct[(major["period"].dt.year == year) & np.isin(months, [6, 7, 8])] if year > 2016 else pct[:3]
        assert winter.min() < summer.min()


def test_nb04_ward12_is_noise_and_ward7_runs_straddle_the_change():
    discharges = qikit.datasets.discharge_before_noon()
    ward12 = discharges[discharges["ward"] == "Ward 12"].head(26)
    row = _quiet(qikit.spc, ward12, x="week", y="before_noon", n="discharges", multiply=100).summary().iloc[0]
    text = _notebook("04-run-charts.ipynb")
    _says(text, "Here are the first 26 weeks of ward 12", "Neither happens here: this ward's week-to-week ups and "
          "downs are noise", "long runs below the median before it and above it after")
    assert not row["runs_signal"] and len(ward12) == 26
    ward7 = discharges[discharges["ward"] == "Ward 7"]
    anhoej = _quiet(qikit.spc, ward7, x="week", y="before_noon", n="discharges", multiply=100, rules="anhoej")
    runs = anhoej.signals[anhoej.signals["rule"] == "anhoej_shift"].merge(anhoej.data[["x", "y", "cl"]], on="x")
    change = pd.Timestamp("2023-05-29")
    runs = runs.rename(columns={"y_x": "y"})
    below, above = runs[runs["y"] < runs["cl"]], runs[runs["y"] > runs["cl"]]
    assert len(below) and (below["x"] < change).all() and len(above) and (above["x"] >= change).all()


# ------------------------------------------------------------------------------------ assignment scenarios
def test_assignment_scenarios_match_the_data():
    """a4: ward 7 discharged 'about one patient in six' before noon; a6: after the change 'about three patients in
    ten' (notebook 07's data); a5: with the 95% standard inside the limits 'some months will meet it, most will
    not'."""
    discharges = qikit.datasets.discharge_before_noon()
    ward7 = discharges[discharges["ward"] == "Ward 7"]
    baseline = int((ward7["week"] < "2023-05-29").sum())
    parts = _quiet(qikit.spc, ward7, x="week", y="before_noon", n="discharges", chart="p", part=[baseline]).summary()
    assert round(6 * parts["cl"].iloc[0]) == 1 and round(10 * parts["cl"].iloc[1]) == 3
    _says(_cell("a4_pdsa_ramp", "a4_intro"), "discharges only about one patient in six before noon")
    _says(_cell("a6_sustain_and_spread", "a6_intro"), "about three patients in ten go home before noon")
    ns = _run("a5_making_data_count")
    board = ns["board"].data
    latest = board[board["x"] >= pd.Timestamp("2017-06-01")]
    met = int((latest["y"] >= 95).sum())
    assert 0 < met < len(latest) / 2  # "some months will meet it, most will not"
    _says(_cell("a5_making_data_count", "a5_board_report"), "so some months will meet it, most will not")


def test_nb05_no_trend_in_the_beads_and_rules_3_and_4_wander():
    """05: the red beads show 'no run or trend' under every rule set qikit has (IHI's includes the trend rule);
    'under rules 3 and 4 the marbles wander further and further away': further than rule 2, and further in
    the second fifty drops than in the first."""
    beads = qikit.simulate.red_beads(seed=1)
    for rules in ("anhoej", "ihi", "weco", "nelson"):
        res = _quiet(qikit.spc, beads, x="draw", y="red", n="paddle", chart="p", multiply=100, rules=rules)
        assert res.signals.empty, rules
    text = _notebook("05-variation.ipynb")
    _says(text, "Every draw lies inside the limits, and there is no run or trend",
          "under rules 3 and 4 the marbles wander further and further away")
    distance = {r: qikit.simulate.funnel_experiment(rule=r, drops=100, seed=3)["distance"] for r in (1, 2, 3, 4)}
    assert distance[1].mean() < distance[2].mean() < min(distance[3].mean(), distance[4].mean())
    for r in (3, 4):
        assert distance[r][50:].mean() > distance[r][:50].mean()


def test_nb04_and_nb05_set_up_figures():
    """The set-up figures 04 and 05 state about their data: 04's three wards changed in the week of 19 June 2023
    with 24 weeks either side, its ECG exercise has 24 weeks; 05's red beads are six workers over four days,
    a paddle of 50 from a bowl of 4,000 beads, 800 of them red (20%)."""
    import inspect

    from qikit.exercises import nb04

    wards = nb04.three_wards()
    assert nb04.CHANGE_WEEK == pd.Timestamp("2023-06-19")
    assert set(wards.groupby("ward")["period"].value_counts()) == {24}
    assert len(nb04.ecg_times()) == 24
    text4 = _notebook("04-run-charts.ipynb")
    _says(text4, "Three wards each tried the same change in the week of 19 June 2023",
          "holds 24 weeks of the median minutes")
    beads = qikit.simulate.red_beads(seed=1)
    defaults = inspect.signature(qikit.simulate.red_beads).parameters
    red, white = defaults["red"].default, defaults["white"].default
    assert (beads["worker"].nunique(), beads["day"].nunique(), set(beads["paddle"])) == (6, 4, {50})
    assert (red + white, red, 100 * red // (red + white)) == (4000, 800, 20)
    _says(_notebook("05-variation.ipynb"), "six volunteers", "a paddle with 50 holes into a bowl of 4,000 beads, 800 "
          "of them red (20%)", "runs the experiment (six workers, four days)")
