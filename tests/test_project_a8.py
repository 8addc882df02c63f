"""Assignment 8's numbers: every figure its model answers and rubrics state is computed here from qikit's output
on the assignment's own data, so the words a tutor marks against are right."""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
from pathlib import Path

import pytest

import qikit

ROOT = Path(__file__).resolve().parents[1]
NAME = "a8_project_writeup"
NOTEBOOK = ROOT / "assignments" / "source" / NAME / f"{NAME}.ipynb"
RUBRICS = [ROOT / "course" / "rubrics" / "a8_summary.md", ROOT / "course" / "rubrics" / "a8_gaps.md"]


@pytest.fixture(scope="module")
def model():
    """The source notebook run with its model answers (as the answer-bank harness runs it)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                exec(compile("".join(cell["source"]), cell["metadata"]["nbgrader"]["grade_id"], "exec"), namespace)
    texts = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]}
    return namespace, texts


def _prose(model) -> str:
    namespace, texts = model
    words = [texts["a8_summary"], texts["a8_gaps"], *namespace["p"].notes.values(),
             *(path.read_text(encoding="utf-8") for path in RUBRICS)]
    return " ".join(" ".join(words).split())


def test_the_model_project_meets_every_criterion(model):
    namespace, _ = model
    table = namespace["p"].assessment()
    assert table["met"].all(), table.loc[~table["met"], "missing"].to_dict()


def test_the_rates_stated_are_the_datas(model):
    namespace, _ = model
    data = namespace["p"].data
    baseline = 1000 * data["falls"].head(12).sum() / data["bed_days"].head(12).sum()
    after = 1000 * data["falls"].iloc[12:].sum() / data["bed_days"].iloc[12:].sum()
    assert round(baseline, 1) == 9.4 and round(after, 1) == 4.5
    assert round(data["falls"].head(12).mean()) == 8  # "about eight falls a month"
    assert data.loc[10, "bed_days"] * 10 == 7440 and 7440 > 28 * 28  # February 2025: the typo, ten times too big
    text = _prose(model)
    for phrase in ("9.4", "about 4.5", "about eight", "5 of 10"):
        assert phrase in text
    assert "4.4" not in text


def test_the_chart_reading_stated_is_qikits(model):
    """'A run of twelve months below the centre line from April 2025', 'no month above the upper limit'."""
    namespace, _ = model
    p = namespace["p"]
    spec = {k: v for k, v in p.data_spec.items() if k != "title"}
    data = p.data.assign(month=qikit.improve.report._as_dates(p.data["month"]))
    result = qikit.spc(data, **spec)
    summary = result.summary().iloc[0]
    assert (summary["longest_run"], summary["longest_run_max"]) == (12, 8)
    assert bool(summary["runs_signal"]) and summary["sigma_signals"] == 0
    below = result.data["y"] < result.data["cl"]
    assert below.iloc[12:].all() and not below.iloc[11]  # every month from April 2025, and March 2025 is not
    assert round(float(summary["cl"]), 2) == 9.35
    assert "Points 13-24 (Apr 2025 to Mar 2026) form a run of 12 points below the centre line" in result.explain()
    text = _prose(model)
    assert "twelve months below" in text or "twelve consecutive months below" in text


def test_the_report_of_the_model_shows_the_cycles_and_the_chart(model):
    namespace, _ = model
    html = namespace["report_path"].read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 2
    assert "The PDSA cycles are marked at their start dates." in html
    prepared = qikit.improve.report._prepare_chart(namespace["p"])
    assert [label for _, label in prepared.pairs] == [
        "Cycle 1: bay tagging, bay A (adapt)", "Cycle 2: lying and standing BP (adapt)",
        "Cycle 3: bay tagging, all bays, nights (adopt)"]
    assert re.search(r"Every criterion is met\.", html)
