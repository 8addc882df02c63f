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
