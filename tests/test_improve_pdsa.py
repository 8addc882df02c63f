"""PDSA cycles, ramps and logs: validation, round trips, atomic saves and damaged files."""

import datetime as dt
import json
import os

import pandas as pd
import pytest

import qikit.improve.pdsa as pdsa_module
from qikit.errors import QIDataError
from qikit.improve import PDSACycle, PDSALog

RAMP = "Criteria-led discharge"


def cycle(title="Cycle 1", **changes):
    args = dict(objective="Can a nurse discharge against criteria set on the ward round?",
                prediction="The patient leaves before noon", plan="Sister Khan, bay 2, Monday",
                start="2025-01-06", scale=1)
    args.update(changes)
    return PDSACycle(title, **args)


def discharge_ramp():
    """Three cycles of one change idea at growing scale: one patient, one bay, the whole ward."""
    log = PDSALog("Discharge before noon, ward 7")
    log.add_ramp(RAMP, change_idea="Nurses discharge against criteria agreed on the ward round")
    log.add(cycle("Cycle 1", do="Patient left at 11:10", study="As predicted; waiting for TTOs was the delay",
                  act="adapt: order TTOs the afternoon before", end="2025-01-06"), ramp=RAMP)
    log.add(cycle("Cycle 2", objective="Does it work for a whole bay for a week?", prediction="4 of 6 by noon",
                  plan="Bay 2, all week, TTOs ordered the day before", start="2025-01-13", end="2025-01-17",
                  scale=6, do="5 of 6 left before noon", study="Better than predicted",
                  act="adopt for the bay; extend to the ward"), ramp=RAMP)
    log.add(cycle("Cycle 3", objective="Does it work across the ward?", prediction="12 of 30 by noon",
                  plan="All bays, two weeks", start="2025-01-20", scale=30), ramp=RAMP)
    log.add(cycle("Discharge lounge", objective="Will patients wait in the lounge?", prediction="Half agree",
                  plan="Offer to all medically fit patients on Tuesday", start="2025-01-14", scale=None))
    return log


# -- cycles ----------------------------------------------------------------------------------------
def test_cycle_reads_its_decision_and_dates():
    c = cycle(do="done", study="as predicted", act="Adapt: include weekends", end="2025-01-07")
    assert c.decision == "adapt"
    assert (c.start, c.end) == (dt.date(2025, 1, 6), dt.date(2025, 1, 7))
    assert cycle().decision is None


def test_do_without_prediction_is_refused():
    with pytest.raises(QIDataError, match="has no prediction. Write the prediction in Plan, before") as info:
        cycle(prediction=None, do="We tried it")
    assert info.value.column == "prediction"
    cycle(prediction=None)  # still planning: allowed until the Do is recorded


def test_steps_must_come_in_order():
    with pytest.raises(QIDataError, match="has a study but no do"):
        cycle(study="Worked")
    with pytest.raises(QIDataError, match="has an act but no study"):
        cycle(do="done", act="adopt")
    with pytest.raises(QIDataError, match="must start with one of adopt, adapt, abandon"):
        cycle(do="done", study="ok", act="keep going")


def test_cycle_that_ends_before_it_starts_is_refused():
    with pytest.raises(QIDataError, match=r"ends \(2025-01-05\) before it starts \(2025-01-06\)") as info:
        cycle(end="2025-01-05")
    assert info.value.column == "end"


@pytest.mark.parametrize("scale", [0, -3, 1.5, True, "5"])
def test_scale_must_be_a_positive_whole_number(scale):
    with pytest.raises(QIDataError, match="must be a whole number of patients"):
        cycle(scale=scale)


def test_cycle_needs_text_and_a_start():
    with pytest.raises(QIDataError, match="no start date"):
        cycle(start=None)
    with pytest.raises(QIDataError, match="plan"):
        cycle(plan=" ")
    with pytest.raises(QIDataError, match="day first"):
        cycle(start="6th Jan")  # no year


# -- logs and ramps --------------------------------------------------------------------------------
def test_three_cycle_discharge_ramp():
    log = discharge_ramp()
    assert len(log) == 4
    (ramp,) = log.ramps
    assert ramp.name == RAMP and ramp.scales == [1, 6, 30]
    # Cycles are ordered by start date, so the lone cycle sits between cycles 2 and 3.
    assert [c.title for c in log.cycles] == ["Cycle 1", "Cycle 2", "Discharge lounge", "Cycle 3"]


def test_annotations_for_the_chart_layer():
    assert discharge_ramp().annotations() == [
        (pd.Timestamp("2025-01-06"), "Cycle 1 (adapt)"),
        (pd.Timestamp("2025-01-13"), "Cycle 2 (adopt)"),
        (pd.Timestamp("2025-01-14"), "Discharge lounge"),
        (pd.Timestamp("2025-01-20"), "Cycle 3"),
    ]


def test_to_frame_has_proper_types():
    frame = discharge_ramp().to_frame()
    assert frame["title"].tolist() == ["Cycle 1", "Cycle 2", "Discharge lounge", "Cycle 3"]
    assert pd.api.types.is_datetime64_any_dtype(frame["start"])
    assert pd.api.types.is_datetime64_any_dtype(frame["end"])
    assert str(frame["scale"].dtype) == "Int64"
    assert frame["ramp"].isna().tolist() == [False, False, True, False]


def test_ramp_scale_cannot_shrink_without_a_reason():
    log = discharge_ramp()
    with pytest.raises(QIDataError, match=r"scale falls from 30 \('Cycle 3'\) to 1 \('Cycle 4'\)") as info:
        log.add(cycle("Cycle 4", start="2025-02-03", scale=1), ramp=RAMP)
    assert info.value.column == "scale"
    log.add(cycle("Cycle 4", start="2025-02-03", scale=1,
                  scale_reason="Night shift: back to one patient to test the new setting"), ramp=RAMP)
    assert log.ramps[0].scales == [1, 6, 30, 1]


def test_ramp_cycles_need_a_scale_and_time_order():
    log = discharge_ramp()
    with pytest.raises(QIDataError, match="has no scale"):
        log.add(cycle("Cycle 4", start="2025-02-03", scale=None), ramp=RAMP)
    with pytest.raises(QIDataError, match="starts \\(2025-01-10\\) before the previous cycle"):
        log.add(cycle("Cycle 4", start="2025-01-10", scale=40), ramp=RAMP)


def test_log_refuses_duplicates_and_unknown_ramps():
    log = discharge_ramp()
    with pytest.raises(QIDataError, match="already has a cycle called 'Cycle 1'"):
        log.add(cycle("cycle 1", start="2025-03-01"))
    with pytest.raises(QIDataError, match="no ramp called 'Lounge'"):
        log.add(cycle("Cycle 9"), ramp="Lounge")
    with pytest.raises(QIDataError, match="already a ramp called"):
        log.add_ramp(RAMP, change_idea="again")
    with pytest.raises(QIDataError, match="not a PDSACycle"):
        log.add({"title": "Cycle 9"})


def test_record_later_steps_keeps_validation():
    log = discharge_ramp()
    updated = log.record("Cycle 3", do="14 of 30 left before noon", study="Slightly better than predicted",
                         act="adopt", end="2025-01-31")
    assert updated.decision == "adopt"
    assert log.annotations()[-1] == (pd.Timestamp("2025-01-20"), "Cycle 3 (adopt)")
    lone = PDSALog("x")
    lone.add(cycle("Cycle 1", prediction=None))
    with pytest.raises(QIDataError, match="has no prediction"):
        lone.record("Cycle 1", do="tried it")
    with pytest.raises(QIDataError, match="no field colour"):
        log.record("Cycle 3", colour="red")
    with pytest.raises(QIDataError, match="scale falls from 6"):
        log.record("Cycle 3", scale=2)
    with pytest.raises(QIDataError, match="no cycle called 'Cycle 8'"):
        log.record("Cycle 8", do="x")


# -- files -----------------------------------------------------------------------------------------
def test_round_trip(tmp_path):
    log = discharge_ramp()
    path = log.save(tmp_path / "ward7.json")
    text = path.read_text(encoding="utf-8")
    assert text.startswith('{\n  "format": "qikit-pdsa-log",\n  "version": 1,')  # readable, indented
    loaded = PDSALog.load(path)
    assert loaded.to_dict() == log.to_dict()
    assert loaded.annotations() == log.annotations()
    assert loaded.ramps[0].scales == [1, 6, 30]
    assert loaded.cycles[0].start == dt.date(2025, 1, 6)


def test_saved_log_keeps_the_usual_permissions(tmp_path):
    path = discharge_ramp().save(tmp_path / "log.json")
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # not the private 0600 of a temporary file
    path.chmod(0o640)
    discharge_ramp().save(path)
    assert path.stat().st_mode & 0o777 == 0o640  # saving again keeps the file's permissions


def test_save_syncs_before_renaming(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(pdsa_module.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(pdsa_module.os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    discharge_ramp().save(tmp_path / "log.json")
    assert calls[:2] == ["fsync", "replace"]


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != "log.json")


def test_crash_while_writing_leaves_the_old_log_intact(tmp_path, monkeypatch):
    path = tmp_path / "log.json"
    discharge_ramp().save(path)
    before = path.read_bytes()

    def half_written(data, handle, **kwargs):
        handle.write('{"format": "qikit-pdsa-log", "cycl')  # a partial write, then the crash
        raise OSError("disk full")

    monkeypatch.setattr(pdsa_module.json, "dump", half_written)
    bigger = discharge_ramp()
    bigger.add(cycle("Cycle 4", start="2025-02-03", scale=40), ramp=RAMP)
    with pytest.raises(OSError, match="disk full"):
        bigger.save(path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []  # the temporary file was removed
    monkeypatch.undo()
    assert len(PDSALog.load(path)) == 4


def test_crash_at_rename_leaves_the_old_log_intact(tmp_path, monkeypatch):
    path = tmp_path / "log.json"
    discharge_ramp().save(path)
    before = path.read_bytes()

    def power_cut(src, dst):
        raise KeyboardInterrupt  # even an interrupt must not leave a half-written log

    monkeypatch.setattr(pdsa_module.os, "replace", power_cut)
    with pytest.raises(KeyboardInterrupt):
        PDSALog("Another project").save(path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_save_will_not_overwrite_a_file_that_is_not_a_log(tmp_path):
    data = tmp_path / "falls.csv"
    data.write_text("month,falls\n2025-01-01,4\n", encoding="utf-8")
    with pytest.raises(QIDataError, match="already exists and is not a PDSA log"):
        discharge_ramp().save(data)
    assert data.read_text(encoding="utf-8") == "month,falls\n2025-01-01,4\n"


def _unchanged_after_failed_load(path, match):
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(QIDataError, match=match):
        PDSALog.load(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_loading_a_truncated_log_names_the_damage_and_never_writes(tmp_path):
    path = tmp_path / "log.json"
    discharge_ramp().save(path)
    path.write_bytes(path.read_bytes()[:200])
    _unchanged_after_failed_load(path, r"is damaged: it is not valid JSON \(.* at line \d+, column \d+\)")


def test_loading_json_that_is_not_a_pdsa_log(tmp_path):
    path = tmp_path / "log.json"
    path.write_text('{"patients": [1, 2, 3]}', encoding="utf-8")
    _unchanged_after_failed_load(path, 'is not a qikit PDSA log: it has no "format"')
    path.write_text("[]", encoding="utf-8")
    _unchanged_after_failed_load(path, "is not a qikit PDSA log")


def test_loading_a_binary_file(tmp_path):
    path = tmp_path / "log.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    _unchanged_after_failed_load(path, "is not a text file")


def test_loading_a_log_with_an_invalid_cycle(tmp_path):
    path = tmp_path / "log.json"
    data = discharge_ramp().to_dict()
    data["cycles"][1]["end"] = "2025-01-01"  # before its start, 2025-01-13
    path.write_text(json.dumps(data), encoding="utf-8")
    _unchanged_after_failed_load(path, r"holds an invalid PDSA log: cycle 'Cycle 2' ends \(2025-01-01\)")


def test_loading_a_log_with_a_mistyped_field_or_newer_version(tmp_path):
    path = tmp_path / "log.json"
    data = discharge_ramp().to_dict()
    data["cycles"][0]["predicton"] = data["cycles"][0].pop("prediction")
    path.write_text(json.dumps(data), encoding="utf-8")
    _unchanged_after_failed_load(path, "cycle 1 has unknown fields 'predicton'")
    data = discharge_ramp().to_dict()
    data["version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    _unchanged_after_failed_load(path, "version 99, which this qikit cannot read")
    data = discharge_ramp().to_dict()
    del data["cycles"][0]["plan"]
    path.write_text(json.dumps(data), encoding="utf-8")
    _unchanged_after_failed_load(path, "cycle 1 is incomplete")


def test_loading_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        PDSALog.load(tmp_path / "nothing.json")
