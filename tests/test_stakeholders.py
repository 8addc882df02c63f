"""qikit.improve.stakeholders and qikit.widgets.stakeholders: the power/interest grid (Mendelow 1991), the
records shared with qikit.Project, the feedback rules, the drawn grid and the form.

Expected quadrants and groups are written by hand from the definitions, not read from the code."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("agg")

import pytest  # noqa: E402

from qikit.errors import QIDataError  # noqa: E402
from qikit.improve.stakeholders import (  # noqa: E402
    FEEDBACK_RULES,
    KEYS,
    StakeholderMap,
    quadrant_of,
    role_group,
)


def who(name, role="staff nurse", power="low", interest="high", stance="neutral", engage="weekly huddle"):
    return {"name": name, "role": role, "power": power, "interest": interest, "stance": stance, "engage": engage}


GOOD = [who("Sister Okafor", "ward sister", "high", "high", "champion", "co-leads"),
        who("Dr Hale", "consultant", "high", "low", "sceptic", "meet before the first test"),
        who("Night HCAs", "healthcare assistants, nights"),
        who("Mrs Lee", "daughter of a patient", "low", "high", "supporter", "joins the project group"),
        who("Discharge coordinator", "discharge coordinator", "low", "low", "neutral", "")]


# ------------------------------------------------------------------------------------- records
def test_records_round_trip_with_exactly_the_project_keys():
    contract = {"name": "Sister Okafor", "role": "ward sister", "power": "high", "interest": "high",
                "stance": "champion", "engage": "co-leads"}
    smap = StakeholderMap.from_records([contract])
    assert smap.to_records() == [contract]
    assert list(smap.to_records()[0]) == list(KEYS) == ["name", "role", "power", "interest", "stance", "engage"]
    assert StakeholderMap.from_records(smap.to_records()) == smap


def test_a_table_of_stakeholders_is_read_row_by_row():
    import pandas as pd

    table = pd.DataFrame(GOOD)
    table.loc[4, "engage"] = None  # a blank cell in a spreadsheet
    assert StakeholderMap.from_records(table).to_records() == [*GOOD[:4], {**GOOD[4], "engage": ""}]
    with pytest.raises(QIDataError, match="Stakeholder 1 has no 'stance'"):
        StakeholderMap.from_records(table.drop(columns="stance"))


def test_typed_variants_are_read_and_stored_in_one_form():
    smap = StakeholderMap.from_records([who(" Ann ", power="HIGH", interest=" Low", stance="Skeptic", engage=None)])
    assert smap.to_records() == [who("Ann", power="high", interest="low", stance="sceptic", engage="")]


@pytest.mark.parametrize("power, interest, quadrant", [
    ("high", "high", "manage closely"), ("high", "low", "keep satisfied"),
    ("low", "high", "keep informed"), ("low", "low", "monitor")])
def test_the_four_quadrants(power, interest, quadrant):
    assert quadrant_of(power, interest) == quadrant
    assert StakeholderMap.from_records([who("A", power=power, interest=interest)]).quadrant("a") == quadrant


@pytest.mark.parametrize("records, column, rows, words", [
    ([who("A"), {"name": "B", "role": "x", "power": "low"}], "interest", [2], "Stakeholder 2 has no 'interest'"),
    ([{**who("A"), "email": "a@nhs.net"}], "email", [1], "unknown key"),
    ([who("A", power="medium")], "power", [], "must be 'high' or 'low'"),
    ([who("A", stance="enthusiast")], "stance", [1], "champion, supporter, neutral, sceptic, blocker"),
    ([who("A"), who("a")], "name", [1, 2], "both called 'a'"),
    ([who("")], "name", [1], "must be a short text"),
    ([who("A", role="...")], "role", [1], "must be a short text"),
    (["Sister Okafor"], "stakeholders", [1], "must be a dictionary"),
])
def test_bad_records_say_which_record_and_key(records, column, rows, words):
    with pytest.raises(QIDataError) as info:
        StakeholderMap.from_records(records)
    assert info.value.column == column and words in str(info.value)
    if rows:
        assert info.value.rows == rows


@pytest.mark.parametrize("bad", ["Sister Okafor", {"name": "A"}, 42])
def test_not_a_list_is_refused_plainly(bad):
    with pytest.raises(QIDataError, match="list of dictionaries"):
        StakeholderMap.from_records(bad)


def test_add_update_remove():
    smap = StakeholderMap.from_records(GOOD[:2])
    smap.add("Dr Hale", "consultant", "high", "high", "supporter", "co-designs the rota change")
    assert len(smap) == 2 and smap.quadrant("Dr Hale") == "manage closely"
    smap.add("Porter", "porter", "low", "low")
    assert [r["name"] for r in smap] == ["Sister Okafor", "Dr Hale", "Porter"]
    smap.remove("porter")
    assert len(smap) == 2
    with pytest.raises(QIDataError, match="no stakeholder called 'Nobody'"):
        smap.remove("Nobody")


# ------------------------------------------------------------------------------------- groups
@pytest.mark.parametrize("role, group", [
    ("Daughter of a patient on ward 12", "patient"), ("Patient panel member", "patient"), ("Carer", "patient"),
    ("Relative or carer", "patient"), ("Chief nurse", "leader"), ("Director of nursing", "leader"),
    ("Matron", "leader"), ("Ward manager", "frontline"), ("Night charge nurse", "frontline"),
    ("Healthcare assistant (nights)", "frontline"), ("HCA", "frontline"), ("FY1 doctor", "frontline"),
    ("Consultant physician", "frontline"), ("Critical care outreach nurse", "frontline"),
    ("Service manager", "leader"), ("Digital / IT team", "support"), ("Practice educator", "support"),
    ("Hospital chaplain", "other"), ("Personnel officer", "other")])
def test_role_groups(role, group):
    assert role_group(role) == group


# ------------------------------------------------------------------------------------- feedback
def rules(records) -> list[str]:
    return StakeholderMap.from_records(records).review()["rule"].tolist()


def test_a_complete_grid_gets_no_feedback():
    assert rules(GOOD) == [] and StakeholderMap.from_records(GOOD).feedback() == []


def test_each_rule_fires_on_the_gap_it_describes_and_names_the_people():
    no_plan = [*GOOD[:1], {**GOOD[1], "engage": ""}, *GOOD[2:], who("CEO", "chief executive", "high", "low",
                                                                       "blocker", "...")]
    smap = StakeholderMap.from_records(no_plan)
    assert smap.review()["rule"].tolist() == ["powerful_opponent_unplanned"]
    assert smap.feedback()[0].startswith("Dr Hale (consultant) and CEO (chief executive) have the power to stop "
                                         "the change and are sceptics or blockers")
    assert rules([r for r in GOOD if r["name"] != "Mrs Lee"]) == ["no_patient_voice"]
    assert rules([r for r in GOOD if r["name"] not in ("Sister Okafor", "Dr Hale", "Night HCAs")]) == [
        "no_frontline", "few"]
    same = [who(n, "staff nurse", "low", "high", "supporter") for n in "ABC"] + [who("D", "patient")]
    assert rules(same) == ["one_quadrant"]
    assert "Everyone is in one quadrant (keep informed)" in StakeholderMap.from_records(same).feedback()[0]
    assert rules([{**r, "stance": "neutral"} for r in GOOD]) == ["no_champion"]
    assert rules([{**GOOD[0], "engage": ""}, *GOOD[1:]]) == ["close_unplanned"]


def test_gaps_come_before_notes_and_empty_grid_is_said_plainly():
    smap = StakeholderMap.from_records([who("Sister", "ward sister", "high", "high", "champion", "")])
    assert [r.key for r in FEEDBACK_RULES if r.level == "gap"][:1] == ["powerful_opponent_unplanned"]
    levels = smap.review().set_index("rule")["level"]
    notes = smap.feedback()
    assert notes.index(smap.review().set_index("rule").loc["no_patient_voice", "message"]) < notes.index(
        smap.review().set_index("rule").loc["few", "message"])
    assert set(levels) == {"gap", "note"}
    assert StakeholderMap().feedback() == ["The grid is empty. Start with the people whose work or care the change "
                                           "alters, and the people who could stop it."]


def test_explain_reads_each_quadrant():
    text = StakeholderMap.from_records(GOOD, change="NEWS2 escalation").explain()
    assert text.splitlines()[:3] == [
        "5 stakeholders for NEWS2 escalation.",
        "Manage closely (high power, high interest): Sister Okafor. Involve them in designing and testing the "
        "change, and meet them regularly.",
        "Keep satisfied (high power, low interest): Dr Hale. Brief them in their own terms, ask for what you need "
        "from them, and do not overload them."]
    assert text.endswith("Nothing obvious is missing.")


# ------------------------------------------------------------------------------------- the drawn grid
def test_plot_puts_each_stakeholder_in_its_quadrant_with_a_shape_per_stance():
    from qikit.plot import alt_text
    from qikit.widgets.stakeholders import STANCE_STYLE, describe_grid

    smap = StakeholderMap.from_records(GOOD)
    ax = smap.plot()
    points = [line for line in ax.lines if len(line.get_xdata()) == 1]
    assert len(points) == len(GOOD)
    where = {}
    for text in ax.texts:
        where[text.get_text()] = text.get_position()
    for row in smap.table().itertuples():
        x, y = where[row.name]
        assert (x > 1) == (row.interest == "high") and (y > 1) == (row.power == "high"), row.name
    markers = [s["marker"] for s in STANCE_STYLE.values()]
    assert len(set(markers)) == len(markers)  # the stance reads from the shape, in greyscale too
    assert all(line.get_markeredgecolor() == "black" for line in points)  # light colours keep an outline
    assert alt_text(ax) == describe_grid(smap)
    assert "Keep satisfied: Dr Hale (sceptic)." in alt_text(ax)


# ------------------------------------------------------------------------------------- the form
@pytest.fixture
def grid():
    from qikit.widgets.stakeholders import stakeholder_grid

    return stakeholder_grid(change="NEWS2 escalation")


def fill(grid, name, role, power="high", interest="high", stance="neutral", engage=""):
    grid.name.value, grid.role.value, grid.engage.value = name, role, engage
    grid.power.value, grid.interest.value, grid.stance.value = power, interest, stance
    return grid.save_button.click()


def test_form_adds_updates_and_removes(grid):
    seen = []
    grid.on_change(seen.append)
    fill(grid, "Sister Okafor", "Ward sister / charge nurse", stance="champion", engage="co-leads")
    fill(grid, "Dr Hale", "Consultant physician", interest="low", stance="sceptic")
    assert [r["name"] for r in grid.value] == ["Sister Okafor", "Dr Hale"] and len(seen) == 2
    assert "Dr Hale (Consultant physician) has the power to stop the change" in grid.feedback.value
    grid.rows.value = "Dr Hale"  # choosing a row loads it into the form
    assert grid.stance.value == "sceptic" and grid.interest.value == "low"
    grid.engage.value = "meet him before the first test"
    grid.save_button.click()
    assert grid.value.to_records()[1]["engage"] == "meet him before the first test"
    assert "power to stop" not in grid.feedback.value
    grid.rows.value = "Sister Okafor"
    grid.remove_button.click()
    assert [r["name"] for r in grid.value] == ["Dr Hale"] and grid.name.value == ""
    assert grid.value.change == "NEWS2 escalation"


def test_form_shows_problems_in_words_and_keeps_the_grid(grid):
    fill(grid, "Sister Okafor", "ward sister")
    before = grid.value
    assert fill(grid, "", "ward sister") is None
    assert "The name of this stakeholder must be a short text" in grid.message.value
    assert "Traceback" not in grid.message.value and grid.value == before
    grid.rows.value = None
    grid.remove()
    assert "Choose a stakeholder in the list first" in grid.message.value
    grid.value = [{"name": "A"}]  # a bad value is refused in words, the grid kept
    assert "has no 'role'" in html.unescape(grid.message.value) and grid.value == before


def test_form_value_round_trips_project_records(grid):
    grid.value = GOOD
    assert grid.value.to_records() == StakeholderMap.from_records(GOOD).to_records()
    assert list(grid.rows.options) == [r["name"] for r in GOOD]
    assert "nothing obvious is missing" in grid.feedback.value
    assert grid.chart.value[:8] == b"\x89PNG\r\n\x1a\n" and "Monitor: Discharge coordinator (neutral)." in grid.alt.value
