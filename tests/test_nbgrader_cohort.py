"""course/grade.py: a cohort graded in parallel gets the marks nbgrader gives, with one gradebook writer.

A small cohort of assignment 2 (model answers, typical mistakes, a blank, a loop and a loop that ignores
the interrupt) is graded with two workers. The marks expected for each kind are the ones the pipeline
test (test_nbgrader_pipeline.py) checks ``nbgrader autograde`` gives for the same answers.
"""

from __future__ import annotations

import csv
import importlib.util
import stat
import sys

import pytest
from nbgrader_helpers import (
    COURSE,
    MARKS,
    MISCONCEPTIONS,
    answered,
    autograded_score,
    course_config,
    grades,
    html_text,
    make_api,
    new_course,
    notebook_path,
    read,
    reference_answers,
    submit,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

NAME = "a2_run_charts"
FULL = MARKS[NAME][0]
TIMEOUT = 5


def _grade_module():
    spec = importlib.util.spec_from_file_location("course_grade", COURSE / "grade.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    grade = _grade_module()
    root = new_course(tmp_path_factory.mktemp("cohort"), [NAME])
    api = make_api(root, TIMEOUT)
    assert api.generate_assignment(NAME)["success"]
    release = read(notebook_path(root, "release", NAME))
    model = reference_answers(read(notebook_path(root, "source", NAME)))
    wrong = {**model, **MISCONCEPTIONS[NAME].answers}
    expected = {  # student -> autograded score, None for "cannot be graded"
        "ref1": FULL, "ref2": FULL, "wrong1": MISCONCEPTIONS[NAME].score(NAME),
        "wrong2": MISCONCEPTIONS[NAME].score(NAME), "blank": 0,
        "loop": FULL - 1,  # question 4 loops: only its check fails
        "stubborn": None,
    }
    answers = {"ref1": model, "ref2": model, "wrong1": wrong, "wrong2": wrong, "blank": {},
               "loop": {**model, "a2_q4": "while True:\n    pass"},
               "stubborn": {**model, "a2_q4": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                              "while True:\n    pass"}}
    for student, given in answers.items():
        submit(root, student, NAME, answered(release, given))

    config = course_config(root, TIMEOUT)
    students = grade.submitted_students(config, NAME)
    subs = grade.prepare(config, NAME, students)
    db = root / "gradebook.db"
    db.chmod(stat.S_IRUSR)  # read-only while notebooks run: a worker writing to it would fail
    try:
        grade.execute(subs, config, workers=2)
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    grade.record(subs, config, NAME)
    return root, api, {s.student: s for s in subs}, expected


def test_every_submission_is_found(cohort):
    root, api, subs, expected = cohort
    assert sorted(subs) == sorted(expected)


def test_marks_match_nbgrader(cohort):
    root, api, subs, expected = cohort
    for student, score in expected.items():
        if score is None:
            continue
        assert subs[student].ok, subs[student].error
        cells = grades(api, NAME, student)
        assert autograded_score(cells) == (score, FULL), student
        written = [g for g in cells.values() if g.kind == "markdown"]
        # a written answer left blank needs no tutor; an answered one waits for the tutor
        assert all(g.needs_manual_grade == (student != "blank") for g in written), student


def test_typical_mistake_fails_the_same_checks(cohort):
    root, api, subs, expected = cohort
    cells = grades(api, NAME, "wrong1")
    assert {g.grade_id for g in cells.values() if g.kind == "code" and g.score == 0} == MISCONCEPTIONS[NAME].failing


def test_submission_that_cannot_be_graded_is_reported_alone(cohort):
    root, api, subs, expected = cohort
    assert not subs["stubborn"].ok and "Timeout" in subs["stubborn"].error
    assert not notebook_path(root, "autograded", NAME, "stubborn").exists()
    assert sum(1 for s in subs.values() if not s.ok) == 1


def test_autograded_notebooks_are_read_only_and_complete(cohort):
    root, api, subs, expected = cohort
    path = notebook_path(root, "autograded", NAME, "ref1")
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    nb = read(path)
    executed = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in executed)
    assert any("HIDDEN TESTS" in c.source for c in executed)  # graded against the hidden tests


def test_feedback_and_export_work_on_the_result(cohort, tmp_path):
    root, api, subs, expected = cohort
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    assert api.generate_feedback(NAME)["success"]
    text = " ".join(html_text(notebook_path(root, "feedback", NAME, "wrong1").with_suffix(".html")).split())
    for words in MISCONCEPTIONS[NAME].feedback:
        assert words in text
    out = tmp_path / "grades.csv"
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    with out.open(newline="") as handle:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
    assert rows["ref1"] == FULL and rows["blank"] == 0 and rows["loop"] == FULL - 1


def test_command_line_grades_one_student(cohort, capsys, monkeypatch):
    root, api, subs, expected = cohort
    grade = _grade_module()
    monkeypatch.setenv("QIKIT_COURSE_DIR", str(root))
    code = grade.main([NAME, "--student", "ref2", "--workers", "1", "--timeout", str(TIMEOUT)])
    assert code == 0
    assert f"1 of 1 submissions of {NAME} autograded" in capsys.readouterr().out
    assert autograded_score(grades(api, NAME, "ref2")) == (FULL, FULL)


# ------------------------------------------------------------------------------------------------
# the educator's report on this cohort, checked against the answers each student was given

CHECKS = ["a2_q1_test", "a2_q2_test", "a2_q3_shift", "a2_q3_crossings", "a2_q4_test"]


def _expected_marks() -> dict[str, dict[str, float]]:
    """Each graded student's mark per check, from what they were given (not from the gradebook)."""
    wrong = {c: 0.0 if c in MISCONCEPTIONS[NAME].failing else 1.0 for c in CHECKS}
    return {"ref1": dict.fromkeys(CHECKS, 1.0), "ref2": dict.fromkeys(CHECKS, 1.0), "wrong1": wrong,
            "wrong2": wrong, "blank": dict.fromkeys(CHECKS, 0.0),
            "loop": {**dict.fromkeys(CHECKS, 1.0), "a2_q4_test": 0.0}}


def test_report_marks_statuses_and_attention(cohort, tmp_path):
    from qikit.grading.report import build, write

    root, api, subs, expected = cohort
    report = build(course_config(root, TIMEOUT), NAME)
    rows = {r.student: r for r in report.students}
    for student, marks in _expected_marks().items():
        assert {c: rows[student].marks[c] for c in CHECKS} == marks, student
        assert rows[student].status == ("graded" if student == "blank" else "needs manual marking"), student
    assert rows["stubborn"].status == "not graded" and rows["stubborn"].score is None
    assert "ignored the interrupt" in rows["stubborn"].why
    assert any("a2_q4" in f and "time limit" in f for f in rows["loop"].flags)
    attention = {r.student for r in report.attention()}
    assert {"stubborn", "loop"} <= attention and "blank" not in attention
    paths = write(report, tmp_path)
    with paths["marks"].open(newline="") as handle:
        marks = {r["student"]: r for r in csv.DictReader(handle)}
    assert marks["stubborn"]["status"] == "not graded" and marks["stubborn"]["score"] == ""
    assert float(marks["ref1"]["a2_q1_test"]) == 1.0
    page = paths["html"].read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<svg" in page and "stubborn" in page


def test_report_item_statistics(cohort):
    """Facility is the mean mark; discrimination the corrected item-total correlation (numpy's corrcoef of
    the check's marks against the other checks' totals), both over the six graded students."""
    import numpy as np

    from qikit.grading.report import build

    root, api, subs, expected = cohort
    report = build(course_config(root, TIMEOUT), NAME)
    marks = _expected_marks()
    students = sorted(marks)
    items = {i["check"]: i for i in report.items}
    for check in CHECKS:
        x = np.array([marks[s][check] for s in students])
        rest = np.array([sum(v for k, v in marks[s].items() if k != check) for s in students])
        assert items[check]["n"] == 6
        assert items[check]["facility"] == pytest.approx(x.mean())
        if x.std() == 0:
            assert items[check]["discrimination"] is None
        else:
            assert items[check]["discrimination"] == pytest.approx(np.corrcoef(x, rest)[0, 1])


def test_report_counts_misconceptions(cohort):
    from qikit.grading.report import build

    root, api, subs, expected = cohort
    report = build(course_config(root, TIMEOUT), NAME)
    counted = {}
    for m in report.misconceptions:
        counted[m["check"]] = counted.get(m["check"], 0) + m["students"]
    # every failing check of the typical mistake fired for wrong1 and wrong2, and for the blank submission
    for check in MISCONCEPTIONS[NAME].failing:
        assert counted[check] >= 3
    assert any("That is the mean" in m["message"] and m["students"] == 2 for m in report.misconceptions)


def test_course_report_command(cohort, capsys):
    spec = importlib.util.spec_from_file_location("course_report", COURSE / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root, api, subs, expected = cohort
    assert module.main([NAME], config=course_config(root, TIMEOUT)) == 0
    out = capsys.readouterr().out
    assert "stubborn: not graded" in out
    assert (root / "reports" / f"{NAME}_report.html").exists()


def test_untouched_submissions_log_no_tampering(cohort, capsys, monkeypatch):
    """grade.py reports tampering by cell and keeps it; an untouched submission gives no warning at all."""
    root, api, subs, expected = cohort
    for student in ("ref1", "ref2", "wrong1", "wrong2", "blank", "loop"):  # honest, even if wrong
        assert subs[student].warnings == [], (student, subs[student].warnings)
    assert any("signal handling" in w for w in subs["stubborn"].warnings)  # its code is flagged by cell
    grade = _grade_module()
    nb = read(notebook_path(root, "submitted", NAME, "ref2"))
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "a2_q1_test")
    test_cell.source = "pass"
    submit(root, "tamperer", NAME, nb)
    monkeypatch.setenv("QIKIT_COURSE_DIR", str(root))
    assert grade.main([NAME, "--student", "tamperer", "--workers", "1", "--timeout", str(TIMEOUT)]) == 0
    out = capsys.readouterr().out
    assert "TAMPERING tamperer: cell a2_q1_test had its source changed" in out
