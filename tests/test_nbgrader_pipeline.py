"""The grading pipeline, run end to end with nbgrader's Python API on the six assignments.

One temporary course directory serves the whole module (building it executes every notebook, so it is
done once): generate each assignment; validate its source (must pass) and its release (must fail, being
unanswered); submit for three students a model answer ("ref"), the untouched release ("blank") and a
typical wrong answer ("wrong", see ``nbgrader_helpers.MISCONCEPTIONS``); autograde them; enter the
tutor's marks for the reference answers' manually graded cells as formgrader would; generate feedback;
export the grades to CSV. The tests then check the marks exactly, the feedback's words, and that the
feedback shows no hidden test.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from nbgrader_helpers import (
    ASSIGNMENTS,
    MARKS,
    MISCONCEPTIONS,
    answered,
    autograded_score,
    cells_by_id,
    course_config,
    grades,
    hidden_regions,
    html_text,
    make_api,
    new_course,
    notebook_path,
    read,
    reference_answers,
    submit,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

STUDENTS = ("ref", "blank", "wrong")
#: Low enough that a runaway cell costs seconds; every cell of the six assignments runs in well under 1 s.
TIMEOUT = 20


@dataclass
class Course:
    root: Path
    api: object
    generated: dict = field(default_factory=dict)
    validated_source: dict = field(default_factory=dict)
    validated_release: dict = field(default_factory=dict)
    autograded: dict = field(default_factory=dict)
    feedback: dict = field(default_factory=dict)
    csv_rows: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)


def _validate(root: Path, path: Path) -> dict:
    from nbgrader.validator import Validator

    return Validator(config=course_config(root, TIMEOUT)).validate(str(path))


def _manual_grade_reference(api, assignment: str) -> None:
    """What a tutor does in formgrader for the model answer: full marks on each manually graded cell."""
    with api.gradebook as gb:
        for grade in gb.find_submission_notebook(assignment, assignment, "ref").grades:
            if grade.cell.cell_type == "markdown":
                grade.manual_score = grade.max_score
                grade.needs_manual_grade = False
        gb.db.commit()


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    root = new_course(tmp_path_factory.mktemp("course"))
    c = Course(root=root, api=make_api(root, TIMEOUT))
    start = time.perf_counter()
    for name in ASSIGNMENTS:
        c.generated[name] = c.api.generate_assignment(name)
        assert c.generated[name]["success"], c.generated[name].get("error")
        release = read(notebook_path(root, "release", name))
        source = read(notebook_path(root, "source", name))
        c.validated_source[name] = _validate(root, notebook_path(root, "source", name))
        c.validated_release[name] = _validate(root, notebook_path(root, "release", name))
        model = reference_answers(source)
        submit(root, "ref", name, answered(release, model))
        submit(root, "blank", name, release)
        submit(root, "wrong", name, answered(release, {**model, **MISCONCEPTIONS[name].answers}))
        for student in STUDENTS:
            result = c.api.autograde(name, student)
            assert result["success"], result.get("log")
            c.autograded[name, student] = grades(c.api, name, student)
        _manual_grade_reference(c.api, name)
        result = c.api.generate_feedback(name)
        assert result["success"], result.get("log")
        for student in STUDENTS:
            c.feedback[name, student] = html_text(
                notebook_path(root, "feedback", name, student).with_suffix(".html"))
    c.seconds["pipeline"] = time.perf_counter() - start
    out = root / "grades.csv"
    with Gradebook(c.api.coursedir.db_url, c.api.coursedir.course_id) as gb:
        CsvExportPlugin(to=str(out)).export(gb)
    with out.open(newline="") as handle:
        c.csv_rows = list(csv.DictReader(handle))
    return c


def test_every_assignment_generates(course):
    assert sorted(course.generated) == sorted(MARKS)
    for name in ASSIGNMENTS:
        assert notebook_path(course.root, "release", name).exists()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_passes_validation(course, name):
    assert course.validated_source[name] == {}, course.validated_source[name]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_fails_validation_until_answered(course, name):
    failed = course.validated_release[name].get("failed", [])
    release = read(notebook_path(course.root, "release", name))
    graded = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    # every graded cell fails on the unanswered release: each check needs its answer, and an untouched
    # written answer counts as unanswered
    assert len(graded) >= MARKS[name][0] and len(failed) == len(graded)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_model_answer_gets_every_autograded_mark(course, name):
    cells = course.autograded[name, "ref"]
    assert autograded_score(cells) == (MARKS[name][0], MARKS[name][0])
    manual = [g for g in cells.values() if g.kind == "markdown"]
    assert sum(g.max_score for g in manual) == MARKS[name][1]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_release_scores_zero(course, name):
    cells = course.autograded[name, "blank"]
    assert sum(g.score for g in cells.values()) == 0
    # an unanswered written answer needs no tutor: nbgrader marks it zero by itself
    assert not any(g.needs_manual_grade for g in cells.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_typical_mistake_gets_partial_marks(course, name):
    mistake = MISCONCEPTIONS[name]
    cells = course.autograded[name, "wrong"]
    failing = {g.grade_id for g in cells.values() if g.kind == "code" and g.score < g.max_score}
    assert failing == mistake.failing
    assert autograded_score(cells)[0] == mistake.score(name)
    assert 0 < mistake.score(name) < MARKS[name][0]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_teaches(course, name):
    text = " ".join(course.feedback[name, "wrong"].split())
    for words in MISCONCEPTIONS[name].feedback:
        assert words in text


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_shows_no_hidden_test(course, name):
    source = read(notebook_path(course.root, "source", name))
    hidden = {line.strip() for cell in source.cells for line in hidden_regions(cell.source)}
    hidden = {line for line in hidden if len(line) > 12}  # skip lines such as "))" that appear anywhere
    assert hidden, "each assignment has hidden tests"
    for student in STUDENTS:
        text = course.feedback[name, student]
        leaked = sorted(line for line in hidden if line in text)
        assert not leaked, f"{student}'s feedback shows hidden test lines: {leaked[:3]}"
        assert "HIDDEN TESTS" not in text


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_shows_the_score(course, name):
    auto, manual = MARKS[name]
    assert f"Score: {auto + manual:.1f} / {auto + manual:.1f}" in course.feedback[name, "ref"]
    assert f"Score: 0.0 / {auto + manual:.1f}" in course.feedback[name, "blank"]


def test_grades_export_to_csv(course):
    rows = {(r["assignment"], r["student_id"]): r for r in course.csv_rows}
    assert len(rows) == len(ASSIGNMENTS) * len(STUDENTS)
    for name in ASSIGNMENTS:
        auto, manual = MARKS[name]
        assert float(rows[name, "ref"]["score"]) == auto + manual  # autograded + the tutor's marks
        assert float(rows[name, "blank"]["score"]) == 0
        assert float(rows[name, "wrong"]["score"]) == MISCONCEPTIONS[name].score(name)
        for student in STUDENTS:
            assert float(rows[name, student]["max_score"]) == auto + manual


def test_model_answers_are_the_source_answers(course):
    """The reference submission answers every answer cell, so 'full marks' means the source is right."""
    for name in ASSIGNMENTS:
        submitted = cells_by_id(read(notebook_path(course.root, "submitted", name, "ref")))
        release = cells_by_id(read(notebook_path(course.root, "release", name)))
        answers = [k for k, c in release.items() if c.metadata["nbgrader"].get("solution")]
        assert answers and all(submitted[k].source != release[k].source for k in answers)
