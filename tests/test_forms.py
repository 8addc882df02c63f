"""The forms of qikit.widgets.forms, driven from Python as a trainee's typing and clicks drive them.

Each form's feedback must be qikit's own checks (the same words the exercises give), problems must appear
inside the form as sentences (never an exception), and Save must hand on exactly what the form shows.
The data route is tested with the issue's acceptance file: a blank row, a typo in a number and UK dates.
"""

from __future__ import annotations

import datetime as dt
import warnings

import matplotlib

matplotlib.use("agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import qikit  # noqa: E402
from qikit.errors import QIDataError, QIWarning  # noqa: E402
from qikit.exercises import nb02, nb07  # noqa: E402
from qikit.stats.choose import choose_chart  # noqa: E402
from qikit.widgets import aim_form, data_route, measure_form, pdsa_form, ramp_form, read_file  # noqa: E402

TODAY = "2025-04-01"

# The trainee file: weekly falls and bed-days on a ward, UK dates, a blank line (spreadsheet row 10)
# and the letter O typed for a zero in row 11 ("1O" for 10).
WEEKS = [("07/01/2024", 4, 900), ("14/01/2024", 5, 870), ("21/01/2024", 3, 910), ("28/01/2024", 6, 880),
         ("04/02/2024", 2, 900), ("11/02/2024", 5, 905), ("18/02/2024", 4, 890), ("25/02/2024", 3, 899)]
LATER = [("03/03/2024", "1O", 880), ("10/03/2024", 4, 890), ("17/03/2024", 5, 902), ("24/03/2024", 2, 870)]


def trainee_csv(typo="1O") -> bytes:
    lines = ["week,falls,bed_days"] + [f"{d},{f},{b}" for d, f, b in WEEKS] + [""]
    lines += [f"{d},{typo if f == '1O' else f},{b}" for d, f, b in LATER]
    return ("\n".join(lines) + "\n").encode()


# ------------------------------------------------------------------------------------------- aim
def test_aim_form_builds_the_aim_and_says_nothing_is_missing():
    form = aim_form(today=TODAY)
    form.fill(what="increase the percentage of patients on ward 7 discharged before noon", baseline="16%",
              how_much="30%", by_when="31/03/2026", for_whom="patients going home from ward 7")
    aim = form.value
    assert isinstance(aim, qikit.AimStatement) and aim.by_when == dt.date(2026, 3, 31)  # UK date, day first
    assert form.problems == [] and aim.check(today=TODAY) == []
    assert "qikit-form-ok" in form.feedback.value and aim.text in form.feedback.value
    assert nb02.check_aim(aim, today=TODAY).correct  # the form and the exercise agree


def test_aim_form_feedback_is_the_aims_own_check():
    form = aim_form(today=TODAY)
    form.fill(what="reduce falls", how_much="5", by_when="31/01/2025")
    expected = qikit.AimStatement("reduce falls", "5", "2025-01-31", None).check(today=TODAY)
    assert form.problems == expected and len(expected) == 5
    for finding in expected:
        assert finding.split(":")[0].replace("'", "&#x27;") in form.feedback.value


def test_aim_form_explains_a_bad_date_instead_of_raising():
    form = aim_form(today=TODAY)
    form.fill(what="increase the percentage of patients seen", how_much="90%", by_when="31/02/2026")
    assert form.value is None
    assert form.problems == ["By_when='31/02/2026' is not a date qikit can read: write it day first, e.g. "
                             "'31/03/2026' or '31 March 2026', or as '2026-03-31'."]
    assert "qikit-form-problems" in form.feedback.value


def test_aim_form_lists_each_missing_part_while_empty():
    form = aim_form(today=TODAY)
    assert form.value is None and len(form.problems) == 5
    assert form.save() is None and "Not saved" in form.saved.value


def test_save_hands_the_value_to_every_callback_and_refills_from_a_value():
    form = aim_form(today=TODAY)
    got = []
    form.on_save(got.append)
    form.fill(what="reduce the number of falls on ward 7", baseline="8 per month", how_much="4 per month",
              by_when="1 March 2026", for_whom="older inpatients")
    assert form.save() == form.value and got == [form.value]
    again = aim_form(got[0], today=TODAY)
    assert again.value == got[0]


# ------------------------------------------------------------------------------------------- measure
def _risk_assessment(form):
    form.fill(name="Falls risk assessment within 24 h (%)", kind="process",
              numerator="patients with a falls risk assessment completed within 24 hours of arriving on the ward",
              denominator="patients admitted to ward 7", inclusions="every adult admitted to ward 7",
              exclusions="patients who stay less than 24 hours", source="the e-record's admission form",
              frequency="weekly", collector="the ward's practice educator, every Monday", direction="increase")


def test_measure_form_writes_an_operational_definition_the_exercise_accepts():
    form = measure_form()
    _risk_assessment(form)
    m = form.value
    assert isinstance(m, qikit.Measure) and form.problems == []
    assert (m.kind, m.direction, m.frequency) == ("process", "increase", "weekly")
    for part in ("within 24 hours", "excludes patients who stay less than 24 hours", "e-record",
                 "collected weekly by the ward's practice educator"):
        assert part in m.definition
    assert nb02.check_definition(m).correct and nb02.check_definition(form).correct
    assert form.details["collector"] == "the ward's practice educator, every Monday"
    assert measure_form(m).value == m  # filled again from the Measure, the same Measure comes back


def test_measure_form_names_what_the_definition_lacks():
    form = measure_form()
    form.fill(name="Falls rate", kind="outcome", numerator="falls on Datix")
    problems = " ".join(form.problems)
    for missing in ("included", "excluded", "where the data come from", "who collects", "which way is better"):
        assert missing in problems
    assert any("no denominator" in p for p in form.problems)  # Measure.check() for a rate
    assert form.value is not None  # a draft can still be kept


# ------------------------------------------------------------------------------------------- PDSA
def test_pdsa_form_needs_a_prediction_and_study_before_act():
    form = pdsa_form()
    form.fill(title="Cycle 1", objective="Can the nurse discharge against criteria?", plan="Bay 2, Monday",
              start="24/04/2023", do="Left at 11:40")
    assert form.value is None and any("prediction" in p for p in form.problems)
    form.fill(prediction="The patient will leave before noon", act="adopt")
    assert form.value is None and form.problems == ["Study before you act: compare what happened with the "
                                                    "prediction."]
    form.fill(study="As predicted", act="adapt", act_note="order TTOs the afternoon before", scale="1",
              end="24/04/2023")
    cycle = form.value
    assert cycle.decision == "adapt" and cycle.act == "adapt: order TTOs the afternoon before"
    assert cycle.start == dt.date(2023, 4, 24) and cycle.scale == 1
    assert pdsa_form(cycle).value == cycle


def test_pdsa_form_explains_a_scale_that_is_not_a_number():
    form = pdsa_form()
    form.fill(title="Cycle 1", objective="o", plan="p", prediction="4 of 6", start="tomorrow", scale="six")
    assert form.value is None
    assert any("'tomorrow' is not a date" in p for p in form.problems)
    assert any("Scale 'six'" in p for p in form.problems)


def test_ramp_form_gathers_cycles_for_the_exercise_check():
    ramp = ramp_form("TTOs the day before, ward 7", "TTOs", "Prescribe TTOs the day before discharge")
    assert nb07.check_ramp(ramp).status == "not answered"
    for i, (n, start) in enumerate([(1, "05/06/2023"), (5, "12/06/2023"), (20, "19/06/2023")], start=1):
        ramp.add(title=f"TTO {i}", objective="Can TTOs be ready the day before?", plan=f"F1 and pharmacist, {n}",
                 prediction=f"{max(n - 1, 1)} of {n} patients will have their TTOs ready the day before",
                 start=start, scale=str(n))
    assert [c.scale for c in ramp.pdsa_log.cycles] == [1, 5, 20]
    assert nb07.check_ramp(ramp).status == "form checked"
    ramp.add(title="TTO 4", objective="o", plan="p", prediction="3 of 4", start="01/06/2023", scale="4")
    assert len(ramp.pdsa_log.cycles) == 3 and "Not saved" in ramp.form.saved.value  # an earlier date: explained


# ------------------------------------------------------------------------------------------- data route
def test_data_route_names_the_typo_row_as_excel_shows_it_and_then_charts_with_a_gap():
    route = data_route()
    route.load(trainee_csv(), "ward.csv")
    up = route.upload
    assert list(up.data.index) == [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14]  # the blank row 10 is skipped
    assert up.kinds == {"week": "dates", "falls": "text", "bed_days": "numbers"}
    assert up.data.loc[2, "week"] == pd.Timestamp("2024-01-07")  # 07/01/2024 read day first
    assert "row 11 holds text ('1O'). '1O' has a letter where a digit should be (write 10)" in up.problems[0]
    # columns guessed, chart suggested by the chooser with its reason: falls over bed-days is a rate
    assert route.spec == {"x": "week", "y": "falls", "n": "bed_days", "chart": "u", "title": "falls"}
    reason = choose_chart("count", equal_opportunity=False).reason
    assert reason.replace("'", "&#x27;") in route.suggestion.value
    assert route.result is None and "row 11" in route.problems[0] and "Correct or delete" in route.problems[0]
    assert "chart now, leaving the cells" in route.message.value
    route.select(skip_bad=True)
    res = route.result
    assert res is not None and res.chart == "u"
    assert res.data["y"].isna().sum() == 1 and len(res.data) == 12  # the row to fix shows as a gap
    assert "Left out for now: row 11 of column &#x27;falls&#x27;" in route.message.value
    assert route.reading.value.count(res.explain().replace("'", "&#x27;")[:60]) == 1
    assert bytes(route._chart.widget.value).startswith(b"\x89PNG")


def test_data_route_charts_the_corrected_file_without_any_message():
    route = data_route()
    route.load(trainee_csv(typo="10"), "ward.csv")
    assert route.upload.problems == [] and route.result is not None
    assert route.spec["chart"] == "u" and "qikit-error" not in route.message.value
    assert route.result.explain() in route.reading.value.replace("&#x27;", "'")


def test_data_route_explains_an_unquoted_decimal_comma_by_row():
    route = data_route()
    route.load(trainee_csv(typo="12,5"), "ward.csv")
    assert route.data is None and route.result is None
    assert route.upload.problems == [
        "'ward.csv': line 11 of the file has 4 values where the heading row has 3 (row 11 in Excel: "
        "'03/03/2024', '12', '5', '880'). It looks "
        "like a number written with a comma (12,5): in a CSV file the comma splits it into two values. Write it "
        "with a point (12.5), or without the comma if it means thousands."]
    assert "could not be read" in route.message.value


def test_data_route_explains_a_quoted_decimal_comma_by_row():
    route = data_route()
    route.load(trainee_csv(typo='"12,5"'), "ward.csv")
    assert "row 11 holds text ('12,5'). '12,5' uses a comma for the decimal point (write 12.5)" \
        in route.upload.problems[0]


def test_data_route_lets_the_trainee_choose_another_chart_and_saves_the_spec():
    route = data_route()
    route.load(trainee_csv(typo="10"), "ward.csv")
    got = []
    route.on_save(got.append)
    route.select(chart_type="run", title="Falls on ward 7")
    assert route.result.chart == "run" and got == []
    assert route.save() == {"x": "week", "y": "falls", "n": "bed_days", "chart": "run", "title": "Falls on ward 7"}
    assert got == [route.spec]


def test_data_route_suggests_from_the_kind_of_data():
    csv = b"month,seen_within_1h,eligible\n2024-01-01,15,20\n2024-02-01,12,18\n2024-03-01,17,21\n"
    route = data_route()
    route.load(csv, "sepsis.csv")
    assert route.spec["n"] == "eligible" and route.kind.value == "classification" and route.spec["chart"] == "p"
    route.select(kind="measurement", n=None)
    assert route.spec["chart"] == "i"


def test_data_route_never_raises_on_a_bad_choice():
    route = data_route()
    route.load(trainee_csv(typo="10"), "ward.csv")
    route.select(y="week")
    assert route.result is None and "different columns" in route.problems[0]
    route.select(y="falls", chart_type="p")  # falls out of bed-days on a p chart: more falls than... no
    assert route.result is not None or route.problems


# ------------------------------------------------------------------------------------------- read_file
def test_read_file_gives_spreadsheet_rows_and_friendly_errors(tmp_path):
    path = tmp_path / "my_ward.csv"
    path.write_bytes(trainee_csv())
    with pytest.warns(QIWarning, match="row 11 holds text"):
        df = read_file(path)
    with pytest.raises(QIDataError, match=r"there is text in row 11 \('1O'\)"):
        qikit.spc(df, x="week", y="falls", n="bed_days", chart="u")
    with pytest.raises(QIDataError, match="y='fall' is not a column of the data"):
        qikit.spc(df, x="week", y="fall", chart="run")
    with pytest.raises(QIDataError, match=r"no file called 'my_wards.csv'.*my_ward.csv"):
        read_file(tmp_path / "my_wards.csv")
    path.write_bytes(trainee_csv("12,5"))
    with pytest.raises(QIDataError, match=r"line 11 of the file has 4 values where the heading row has 3 \(row 11 in Excel"):
        read_file(path)
    path.write_bytes(trainee_csv("10"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = qikit.spc(read_file(path), x="week", y="falls", n="bed_days", chart="u")
    assert len(res.data) == 12


# ------------------------------------------------------------------------------------------- the README
#: README.md's "Your own data" block, read from README.md itself (the documented path is the tested path).
def _readme_own_data() -> str | None:
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- own-data -->\s*```python\n(.*?)\n```", text, re.S)
    return m.group(1) if m else None


def test_the_readme_own_data_lines_chart_and_explain_errors(monkeypatch, capsys):
    from pathlib import Path

    block = _readme_own_data()
    assert block, "README.md has no <!-- own-data --> block"
    monkeypatch.chdir(Path(__file__).resolve().parents[1])  # the README's commands run from the clone's root
    exec(compile(block, "README.md", "exec"), {})
    assert "control limit" in capsys.readouterr().out
    for typo, wrong, message in (
            ('y="obs_on_time"', 'y="obs_ontime"',
             "is not a column of the data. The columns are: 'week', 'obs_due', 'obs_on_time'"),
            ("my_ward_obs.csv", "my_ward_ob.csv",
             "no file called 'my_ward_ob.csv' in the folder 'notebooks/data'. The data files in that folder are: "
             "falls_incidents.csv, my_ward_obs.csv")):
        with pytest.raises(QIDataError) as caught:
            exec(compile(block.replace(typo, wrong), "README.md", "exec"), {})
        assert message in str(caught.value)
