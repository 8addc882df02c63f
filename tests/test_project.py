"""qikit.Project: one human-readable JSON file per QI project, saved atomically, never overwritten when damaged.

The tests work as a trainee would (create, fill in, save, reopen next week) and as an adversary (a crash in
the middle of a save, a file cut short or edited by hand, a file from a newer qikit, a file swapped for another
project), and check the bytes on disk, not only the objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.errors import QIDataError, QIError, QIProjectError
from qikit.improve import project as project_module
from qikit.improve.project import SCHEMA_VERSION, SQUIRE_SECTIONS, Project, squire_sections

ROOT = Path(__file__).resolve().parents[1]


def _aim():
    return qikit.AimStatement("increase the percentage of adults with red-flag sepsis who receive IV antibiotics "
                              "within one hour of arrival", "90%", "31/03/2027", "adults with red-flag sepsis",
                              where="the emergency department", baseline="58%")


def _measures():
    return [
        qikit.Measure("Antibiotics within 1 hour (%)", "outcome",
                      "Adults meeting red-flag sepsis criteria at triage who receive IV antibiotics within 60 "
                      "minutes of arrival, from the ED sepsis audit", numerator="given within 60 minutes",
                      denominator="adults with red-flag sepsis", direction="increase", frequency="weekly"),
        qikit.Measure("Sepsis screen at triage (%)", "process", "Triage records with the screen completed",
                      numerator="screens completed", denominator="adults triaged", direction="up"),
        qikit.Measure("Antibiotics given without sepsis", "balancing",
                      "Patients given IV antibiotics under the pathway who did not have an infection",
                      frequency="monthly"),
    ]


def _drivers():
    dd = qikit.DriverDiagram(_aim())
    dd.add_primary("Early recognition")
    dd.add_primary("Antibiotics ready")
    dd.add_secondary("Screening at triage", serves="Early recognition")
    dd.add_change_idea("Sepsis sticker on the triage card", serves=["Screening at triage", "Antibiotics ready"])
    dd.add_change_idea("Antibiotic grab bag in resus", serves="Antibiotics ready")
    return dd


STAKEHOLDERS = [
    {"name": "Sister Okafor", "role": "ED nurse in charge", "power": "high", "interest": "high",
     "stance": "champion", "engage": "Co-lead; weekly huddle slot"},
    {"name": "Dr Reyes", "role": "ED consultant", "power": "high", "interest": "low", "stance": "sceptic",
     "engage": "Show the baseline run chart at the governance meeting"},
]


def _cycles():
    return [
        qikit.PDSACycle("Cycle 1", "Will triage nurses use the sticker?", "8 of 10 cards stickered",
                        "Two triage nurses, Monday day shift", do="7 of 10 stickered", study="Close to the prediction",
                        act="adapt: sticker pre-printed on the card", start="06/01/2025", end="06/01/2025", scale=10),
        qikit.PDSACycle("Cycle 2", "Does the pre-printed card work all week?", "90% of cards complete",
                        "All triage nurses, one week", start="2025-01-13", scale=120),
    ]


def _data():
    weeks = pd.date_range("2024-09-02", periods=6, freq="W-MON")
    return pd.DataFrame({
        "week": weeks,
        "week_uk": [f"{d.day:02d}/{d.month:02d}/{d.year}" for d in weeks],  # UK dates kept as text
        "eligible": np.array([14, 11, 16, 12, 15, 13], dtype="int64"),
        "within_1h": pd.array([8, 6, None, 7, 9, 8], dtype="Int64"),
        "pct": [57.142857142857146, 54.54545454545455, np.nan, 58.333333333333336, 0.1 + 0.2, 61.53846153846154],
        "audited": [True, True, False, True, True, True],
        "note": ["", "Bank holiday <b>&</b> 'IT' outage", None, "ünïcode — en dash", "1,234", "0012"],
        "site": pd.Categorical(["ED", "ED", "AMU", "ED", "AMU", "ED"], categories=["ED", "AMU"]),
        "door_to_abx": pd.to_timedelta([45, 70, np.nan, 52, 38, 61], unit="min"),
    })


def _full(path) -> Project:
    p = Project.create(path, "Sepsis antibiotics within the hour", owner="Dr A Patel (FY2)",
                       setting="Emergency department, St Elsewhere's")
    p.aim = _aim()
    p.measures = _measures()
    p.drivers = _drivers()
    p.stakeholders = [dict(s) for s in STAKEHOLDERS]
    p.pdsa = _cycles()
    p.data = _data()
    p.data_spec = {"x": "week", "y": "within_1h", "n": "eligible", "chart": "p", "title": "Antibiotics < 1 h"}
    p.notes = {"problem": "Only 58% of adults with red-flag sepsis had antibiotics within the hour.",
               "ethical_considerations": "Registered with the audit office; the HRA tool says not research."}
    return p


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# ------------------------------------------------------------------------------------------ create and open
def test_create_writes_a_readable_file_and_refuses_an_existing_one(tmp_path):
    path = tmp_path / "sepsis.qiproject.json"
    p = Project.create(path, "  Sepsis antibiotics  ", owner="Dr A Patel")
    assert p.path == path and p.title == "Sepsis antibiotics"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "qikit-project" and data["schema_version"] == SCHEMA_VERSION == 1
    assert data["title"] == "Sepsis antibiotics" and data["owner"] == "Dr A Patel"
    assert data["aim"] is None and data["measures"] == [] and data["data"] is None
    before = _snapshot(path)
    with pytest.raises(QIProjectError, match="already exists") as info:
        Project.create(path, "Another project")
    assert str(path) in str(info.value) and "Project.open" in str(info.value)
    assert _snapshot(path) == before
    assert isinstance(info.value, QIError)


def test_create_checks_the_title_and_folder(tmp_path):
    with pytest.raises(QIDataError, match="title"):
        Project.create(tmp_path / "x.json", "  ")
    with pytest.raises(QIProjectError, match="does not exist"):
        Project.create(tmp_path / "no-such-folder" / "x.json", "Falls")
    assert list(tmp_path.iterdir()) == []


def test_project_cannot_be_made_without_create_or_open(tmp_path):
    with pytest.raises(QIProjectError, match="Project.create"):
        Project(tmp_path / "x.json", "Falls")


def test_qikit_exports_project_lazily():
    assert qikit.Project is Project and qikit.improve.Project is Project
    assert "Project" in qikit.__all__


def test_opening_a_missing_file_says_how_to_start(tmp_path):
    with pytest.raises(QIProjectError, match="no project file") as info:
        Project.open(tmp_path / "missing.json")
    assert "Project.create" in str(info.value)
    assert not (tmp_path / "missing.json").exists()


# ------------------------------------------------------------------------------------------ round trip
def test_everything_comes_back_the_same(tmp_path):
    path = tmp_path / "sepsis.qiproject.json"
    p = _full(path)
    p.save()
    q = Project.open(path)
    assert (q.title, q.owner, q.setting) == (p.title, p.owner, p.setting)
    assert q.aim == p.aim and q.aim.by_when.isoformat() == "2027-03-31"
    assert q.measures == p.measures
    assert [m.numerator for m in q.measures] == ["given within 60 minutes", "screens completed", None]
    assert q.drivers.to_record() == p.drivers.to_record()
    assert q.drivers.serves("Sepsis sticker on the triage card") == ("Screening at triage", "Antibiotics ready")
    assert q.drivers.aim == p.aim
    assert q.stakeholders == STAKEHOLDERS
    assert q.pdsa == p.pdsa and q.pdsa[0].start.isoformat() == "2025-01-06"
    pd.testing.assert_frame_equal(q.data, p.data, check_exact=True)
    text = str(pd.Series(["a"]).dtype)  # "str" on pandas 3, "object" before
    assert list(q.data.dtypes.astype(str)) == [str(p.data["week"].dtype), text, "int64", "Int64", "float64", "bool",
                                               text, "category", str(p.data["door_to_abx"].dtype)]
    assert q.data.loc[0, "week_uk"] == "02/09/2024" and q.data.loc[4, "pct"] == 0.1 + 0.2
    assert q.data.loc[5, "note"] == "0012"  # text that looks like a number stays text
    assert q.data_spec == p.data_spec and q.notes == p.notes
    # saving what was opened changes only the time stamp
    first = json.loads(path.read_text(encoding="utf-8"))
    q.save()
    second = json.loads(path.read_text(encoding="utf-8"))
    first.pop("saved"), second.pop("saved")
    assert first == second


def test_a_table_with_row_labels_and_no_rows_round_trips(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    p.data = pd.DataFrame({"ward": ["7", "8"], "falls": [3.0, 4.5]}, index=pd.Index(["Jan", "Feb"], name="month"))
    p.save()
    pd.testing.assert_frame_equal(Project.open(path).data, p.data, check_exact=True)
    p.data = pd.DataFrame({"falls": pd.Series([], dtype="float64")})
    p.save()
    pd.testing.assert_frame_equal(Project.open(path).data, p.data, check_exact=True)


def test_the_file_is_plain_readable_json_checked_by_hand(tmp_path):
    path = tmp_path / "falls.json"
    p = Project.create(path, "Falls on ward 7")
    p.data = pd.DataFrame({"month": ["01/06/2025", "01/07/2025"], "falls": [3, 5], "bed_days": [612.5, None]})
    p.notes["problem"] = "Ward 7 had 9 falls – more than any other ward."
    p.save()
    text = path.read_text(encoding="utf-8")
    assert '"schema_version": 1,' in text
    # one row per line, dates as typed, blanks as null, no escaped en dash
    assert '      ["01/06/2025", 3, 612.5],\n      ["01/07/2025", 5, null]\n' in text
    assert "9 falls – more" in text
    assert json.loads(text)["data"]["columns"] == [{"name": "month", "dtype": str(pd.Series(["a"]).dtype)},
                                                  {"name": "falls", "dtype": "int64"},
                                                  {"name": "bed_days", "dtype": "float64"}]


def test_squire_sections_are_the_guideline_items():
    sections = squire_sections()
    assert [s["item"] for s in sections] == [str(i) for i in range(1, 19)]
    assert [s["heading"] for s in sections] == [
        "Title", "Abstract", "Problem description", "Available knowledge", "Rationale", "Specific aims",
        "Context", "Intervention(s)", "Study of the intervention(s)", "Measures", "Analysis",
        "Ethical considerations", "Results", "Summary", "Interpretation", "Limitations", "Conclusions", "Funding"]
    assert SQUIRE_SECTIONS == tuple(s["id"] for s in sections)


# ------------------------------------------------------------------------------------------ atomic save
def test_save_keeps_the_previous_good_copy(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    first = path.read_bytes()
    p.notes["problem"] = "Version two"
    p.save()
    assert p.backup_path == tmp_path / "p.json.bak"
    assert p.backup_path.read_bytes() == first
    second = path.read_bytes()
    p.notes["problem"] = "Version three"
    p.save()
    assert p.backup_path.read_bytes() == second
    assert Project.open(p.backup_path).notes["problem"] == "Version two"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["p.json", "p.json.bak"]  # no temporary files left


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    p = _full(path)
    p.save()
    before = path.read_bytes()
    p.notes["results"] = "New words that must not half-arrive"

    real_replace = os.replace

    def disk_full(src, dst):
        if Path(dst) == path:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(project_module.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        p.save()
    assert path.read_bytes() == before
    assert sorted(f.name for f in tmp_path.iterdir()) == ["p.json", "p.json.bak"]
    assert Project.open(path).notes.get("results") is None


def test_a_crash_in_the_middle_of_a_save_leaves_the_old_file_intact(tmp_path):
    """A real crash: the saving process dies (os._exit) after half the new file is written and synced."""
    path = tmp_path / "p.json"
    p = _full(path)
    p.save()
    before = path.read_bytes()
    child = textwrap.dedent(f"""
        import os, sys
        from qikit.improve import project as m
        p = m.Project.open({str(path)!r})
        p.notes["results"] = "x" * 200000
        real_write = m.write_atomically
        def dying_write(target, write, mode=None):
            if target == p.path:
                import tempfile
                handle = tempfile.NamedTemporaryFile("wb", dir=target.parent, prefix="." + target.name + ".",
                                                     suffix=".tmp", delete=False)
                class Half:
                    def write(self, content):
                        handle.write(content[: len(content) // 2])
                write(Half())
                handle.flush()
                os.fsync(handle.fileno())
                os._exit(9)  # the power goes off
            return real_write(target, write, mode)
        m.write_atomically = dying_write
        p.save()
    """)
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 9, result.stderr
    assert path.read_bytes() == before
    leftovers = [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 100000  # the half-written new copy
    assert Project.open(path).notes.get("results") is None


def test_a_project_that_cannot_be_saved_changes_nothing(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    before = _snapshot(path)
    p.stakeholders.append({**STAKEHOLDERS[0], "power": "medium"})
    with pytest.raises(QIDataError, match="stakeholder 1 .*power='medium' is not one of high, low"):
        p.save()
    p.stakeholders = [{"name": "Matron", "role": "Matron", "power": "high"}]
    with pytest.raises(QIDataError, match="no 'interest', 'stance', 'engage'"):
        p.save()
    p.stakeholders = []
    p.notes = {"discussion": "A section SQUIRE does not have"}
    with pytest.raises(QIDataError, match="'discussion' that SQUIRE 2.0 does not have"):
        p.save()
    p.notes = {}
    p.measures = ["Falls per 1,000 bed-days"]
    with pytest.raises(QIDataError, match="item 1 of p.measures"):
        p.save()
    p.measures = []
    p.data_spec = {"x": "month", "target": np.inf}
    with pytest.raises(QIDataError, match="finite"):
        p.save()
    assert _snapshot(path) == before
    assert not p.backup_path.exists()


def test_stakeholder_words_are_tidied_to_the_shared_keys(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    p.stakeholders = [{"name": " Matron ", "role": "Matron", "power": "High", "interest": "LOW",
                       "stance": "Supporter", "engage": ""}]
    p.save()
    assert Project.open(path).stakeholders == [{"name": "Matron", "role": "Matron", "power": "high",
                                                "interest": "low", "stance": "supporter", "engage": ""}]


# ------------------------------------------------------------------------------------------ damaged, newer, other
def _good_file(tmp_path) -> Path:
    path = tmp_path / "p.json"
    _full(path).save()
    return path


DAMAGE = {
    "cut short": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "not a project": lambda text: json.dumps({"name": "my notes", "falls": [1, 2]}),
    "a list": lambda text: "[1, 2, 3]",
    "bad measure kind": lambda text: text.replace('"kind": "balancing"', '"kind": "balance"'),
    "missing entry": lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "pdsa"}),
    "extra entry": lambda text: json.dumps({**json.loads(text), "pdsa_log": []}),
    "version as text": lambda text: text.replace('"schema_version": 1', '"schema_version": "1"'),
    "a row too short": lambda text: text.replace('["2024-09-02", ', '[', 1),
    "wrong stance": lambda text: text.replace('"stance": "sceptic"', '"stance": "hostile"'),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_is_reported_and_never_touched(tmp_path, damage):
    path = _good_file(tmp_path)
    path.write_text(DAMAGE[damage](path.read_text(encoding="utf-8")), encoding="utf-8")
    before = _snapshot(path)
    with pytest.raises(QIProjectError) as info:
        Project.open(path)
    message = str(info.value)
    assert str(path) in message and info.value.path == str(path)
    assert "left" in message or "will neither read nor overwrite" in message
    assert _snapshot(path) == before
    with pytest.raises(QIProjectError, match="already exists"):
        Project.create(path, "Start again over it")
    assert _snapshot(path) == before


def test_damage_messages_name_the_problem_and_what_to_do(tmp_path):
    path = _good_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:100], encoding="utf-8")
    (tmp_path / "p.json.bak").unlink()
    with pytest.raises(QIProjectError, match=r"not valid JSON .* at line \d+, column \d+.*cut short") as info:
        Project.open(path)
    assert "If you have a copy" in str(info.value)
    path.write_text(DAMAGE["bad measure kind"](text), encoding="utf-8")
    (tmp_path / "p.json.bak").write_text(text, encoding="utf-8")
    with pytest.raises(QIProjectError, match="kind='balance' is not a kind of measure") as info:
        Project.open(path)
    assert f"The previous good copy is {tmp_path / 'p.json.bak'}" in str(info.value)


def test_a_file_from_a_newer_qikit_is_refused_and_kept(tmp_path):
    path = _good_file(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["schema_version"] = SCHEMA_VERSION + 1
    data["something_new"] = {"we": "cannot read this yet"}
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    before = _snapshot(path)
    with pytest.raises(QIProjectError, match="saved by a newer qikit .*version 2; this qikit reads up to version 1"
                       ) as info:
        Project.open(path)
    assert "update qikit" in str(info.value) and str(path) in str(info.value)
    assert _snapshot(path) == before


def test_save_never_replaces_a_file_damaged_or_changed_since_it_was_opened(tmp_path):
    path = _good_file(tmp_path)
    p = Project.open(path)
    p.notes["results"] = "new"
    # damaged meanwhile (e.g. a sync tool or a hand edit)
    path.write_text("{ not json", encoding="utf-8")
    before, backup = _snapshot(path), _snapshot(p.backup_path)
    with pytest.raises(QIProjectError, match="not valid JSON"):
        p.save()
    assert _snapshot(path) == before and _snapshot(p.backup_path) == backup
    # replaced by a file from a newer qikit
    newer = {"format": "qikit-project", "schema_version": 99}
    path.write_text(json.dumps(newer), encoding="utf-8")
    before = _snapshot(path)
    with pytest.raises(QIProjectError, match="newer qikit"):
        p.save()
    assert _snapshot(path) == before
    # replaced by another project: saved elsewhere instead
    other = tmp_path / "other.json"
    Project.create(other, "Someone else's project")
    path.unlink()
    os.replace(other, path)
    before = _snapshot(path)
    with pytest.raises(QIProjectError, match="different project .*Someone else's project.*save_as"):
        p.save()
    assert _snapshot(path) == before
    copy = p.save_as(tmp_path / "mine.json")
    assert Project.open(copy).notes["results"] == "new" and p.path == copy
    with pytest.raises(QIProjectError, match="already exists"):
        p.save_as(path)
    assert _snapshot(path) == before


def test_a_file_that_is_not_a_project_is_never_overwritten(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    path.write_text('{"my": "spreadsheet export"}', encoding="utf-8")
    with pytest.raises(QIProjectError, match="not a qikit project file"):
        p.save()
    assert path.read_text(encoding="utf-8") == '{"my": "spreadsheet export"}'


# ------------------------------------------------------------------------------------------ the parts' own files
def test_each_part_round_trips_and_refuses_a_typing_mistake():
    aim = _aim()
    assert qikit.AimStatement.from_dict(aim.to_dict()) == aim
    assert aim.to_dict() == {"what": aim.what, "how_much": "90%", "by_when": "2027-03-31",
                             "for_whom": "adults with red-flag sepsis", "where": "the emergency department",
                             "baseline": "58%"}
    with pytest.raises(QIDataError, match="unknown fields 'by_when_'"):
        qikit.AimStatement.from_dict({**aim.to_dict(), "by_when_": "2027-03-31"})
    with pytest.raises(QIDataError, match="no by_when"):
        qikit.AimStatement.from_dict({"what": "reduce falls", "how_much": "5"})
    for measure in _measures():
        assert qikit.Measure.from_dict(measure.to_dict()) == measure
    with pytest.raises(QIDataError, match="unknown fields 'denominater'"):
        qikit.Measure.from_dict({**_measures()[0].to_dict(), "denominater": "x"})
    for cycle in _cycles():
        assert qikit.PDSACycle.from_dict(cycle.to_dict()) == cycle
    with pytest.raises(QIDataError, match="no prediction"):
        qikit.PDSACycle.from_dict({"title": "C1", "objective": "o", "plan": "p", "start": "2025-01-06"})


def test_a_driver_diagram_record_keeps_every_link_and_is_checked():
    dd = _drivers()
    record = dd.to_record()
    assert record["elements"][3] == {"name": "Sepsis sticker on the triage card", "kind": "change idea",
                                     "serves": ["Screening at triage", "Antibiotics ready"]}
    again = qikit.DriverDiagram.from_record(record)
    assert again.to_record() == record and again.to_markdown() == dd.to_markdown()
    # an element may serve one listed after it (files edited by hand)
    moved = {"aim": "Reduce falls", "elements": [
        {"name": "Bedside check", "kind": "change idea", "serves": ["Safe environment"]},
        {"name": "Safe environment", "kind": "primary", "serves": []}]}
    assert qikit.DriverDiagram.from_record(moved).serves("Bedside check") == ("Safe environment",)
    loop = {"aim": "Reduce falls", "elements": [
        {"name": "P", "kind": "primary", "serves": []},
        {"name": "A", "kind": "secondary", "serves": ["P", "B"]},
        {"name": "B", "kind": "secondary", "serves": ["A"]}]}
    with pytest.raises(QIDataError, match="loop"):
        qikit.DriverDiagram.from_record(loop)
    with pytest.raises(QIDataError, match="kind 'tertiary'"):
        qikit.DriverDiagram.from_record({"aim": "x", "elements": [{"name": "P", "kind": "tertiary", "serves": []}]})


def test_two_sessions_never_overwrite_each_other(tmp_path):
    """Two notebooks (or a notebook and a form) open the same file; the second save must not lose the first's work."""
    path = _good_file(tmp_path)
    mine, theirs = Project.open(path), Project.open(path)
    theirs.notes["results"] = "Their results"
    theirs.save()
    after_theirs = _snapshot(path)
    mine.notes["limitations"] = "My limitations"
    with pytest.raises(QIProjectError, match="saved by someone else .* after you opened it") as info:
        mine.save()
    assert "save_as" in str(info.value) and "Project.open" in str(info.value)
    assert _snapshot(path) == after_theirs
    theirs.notes["results"] = "Their results, revised"
    theirs.save()  # whoever saved last may go on saving
    copy = mine.save_as(tmp_path / "mine.json")
    assert Project.open(copy).notes["limitations"] == "My limitations"
    assert Project.open(path).notes["results"] == "Their results, revised"


def test_unusual_columns_round_trip(tmp_path):
    path = tmp_path / "p.json"
    p = Project.create(path, "Falls")
    p.data = pd.DataFrame({
        "arrived": pd.to_datetime(["2025-03-30 00:30", "2025-03-30 02:30", None]).tz_localize(
            "Europe/London", nonexistent="shift_forward"),
        "stamp": pd.to_datetime(["2025-01-06 10:15:30.123456789", "2025-01-07", None], format="ISO8601"),
        "ratio": [np.inf, -np.inf, np.nan],
        "beds": pd.array([28, None, 30], dtype="UInt16"),
        "checked": pd.array([True, None, False], dtype="boolean"),
        "mixed": [1, "two", pd.Timestamp("2025-01-06")],
        "text": pd.array(["a", None, "c"], dtype="string"),
    })
    p.save()
    text = path.read_text(encoding="utf-8")
    assert '["2025-03-30T00:30Z", "2025-01-06T10:15:30.123456789", "inf", 28, true, 1, "a"]' in text
    pd.testing.assert_frame_equal(Project.open(path).data, p.data, check_exact=True)
