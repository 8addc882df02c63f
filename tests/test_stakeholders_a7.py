"""Assignment a7's scenario against qikit's own output: the draft grid has exactly the gaps question 2 names,
the model answer's grid has none, and the quadrants the model answer, the rubrics and the model written answers
rely on are those qikit gives for the levels the scenario states."""

from __future__ import annotations

import contextlib
import io
import re

from qikit.improve.stakeholders import StakeholderMap, quadrant_of
from tests.answer_banks.harness import SOURCE, _source, cells

A7 = "a7_people_and_change"


def _run() -> dict:
    namespace: dict = {"__name__": "__main__"}
    for cell in cells(A7):
        if cell["cell_type"] == "code":
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(_source(cell), A7, "exec"), namespace)  # noqa: S102 - the course's own cells
    return namespace


def _cell(grade_id: str) -> str:
    return next("".join(c["source"]) for c in cells(A7) if c["metadata"]["nbgrader"]["grade_id"] == grade_id)


def test_draft_has_exactly_the_gaps_question_2_names_and_the_model_fixes_them():
    ns = _run()
    draft = StakeholderMap.from_records(ns["draft"])
    assert draft.review()["rule"].tolist() == ["powerful_opponent_unplanned", "no_patient_voice", "no_frontline"]
    improved = StakeholderMap.from_records(ns["improved"])
    assert improved.feedback() == []
    assert {r["name"] for r in ns["draft"]} <= {r["name"] for r in ns["improved"]}  # keeps the draft's people


def test_model_quadrants_follow_the_levels_the_scenario_states():
    ns = _run()
    # (power, interest) read from each description in the setup cell, by hand
    levels = {1: ("high", "high"), 2: ("high", "high"), 3: ("high", "low"), 4: ("high", "low"),
              5: ("low", "high"), 6: ("low", "high"), 7: ("low", "low"), 8: ("low", "low")}
    assert ns["quadrants"] == {i: quadrant_of(*lv) for i, lv in levels.items()}
    assert ns["stakeholders"]["who"][3].startswith("Dr Reid")  # the rubric's keep-satisfied sceptic is id 4
    assert StakeholderMap.from_records(ns["draft"]).quadrant("Dr Reid") == "keep satisfied"


def test_written_model_answers_and_rubrics_say_what_the_grid_says():
    engagement, plan = _cell("a7_engagement"), _cell("a7_comms_plan")
    assert "keep her satisfied" in engagement
    rubric = (SOURCE.parents[1] / "course" / "rubrics" / "a7_engagement.md").read_text(encoding="utf-8")
    assert "keep-satisfied stakeholder" in rubric
    # the plan's channels by quadrant name the stakeholders in the quadrants qikit gives them
    ns = _run()
    table = StakeholderMap.from_records(ns["improved"]).table()
    for quadrant, names in (("Keep satisfied", ["Dr Reid"]), ("Manage closely", ["microbiologist"])):
        line = re.search(rf"{quadrant} \(([^)]*)\)", plan).group(1)
        for name in names:
            assert name in line
            row = table[table["name"].str.contains(name, case=False)]
            assert row["quadrant"].iloc[0] == quadrant.lower()
