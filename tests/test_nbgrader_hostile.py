"""Hostile submissions, tested as far as one machine allows (see "What nbgrader protects" in
course/README.md for what these tests cannot cover, and the isolation colleges should add).

One temporary course with assignment 1 (the quickest to run); every student below is autograded once.
"""

from __future__ import annotations

import time

import nbformat
import pytest
from nbgrader_helpers import (
    MARKS,
    answered,
    autograded_score,
    cells_by_id,
    course_config,
    grades,
    make_api,
    new_course,
    notebook_path,
    read,
    reference_answers,
    submit,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

NAME = "a1_aims_and_measures"
FULL = MARKS[NAME][0]
#: Seconds a cell may run. Low, so that the looping submissions cost seconds; still several times what the
#: slowest cell of assignment 1 needs (its first cell imports pandas and qikit).
TIMEOUT = 5
#: nbclient waits this long for a kernel's last output after an interrupt (its iopub_timeout default).
IOPUB_WAIT = 4

LOOP = "while True:\n    pass"
#: A loop that ignores the interrupt (SIGINT) nbgrader sends when a cell runs out of time.
STUBBORN_LOOP = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
DELETE_OWN_FOLDER = """import os, shutil
for entry in os.listdir("."):
    if os.path.isdir(entry):
        shutil.rmtree(entry)
    else:
        os.remove(entry)
deleted = True"""
READ_NEIGHBOURS = """import glob
found = [path for path in glob.glob("*.ipynb") if "BEGIN HIDDEN TESTS" in open(path).read()]
print("hidden tests readable:", bool(found))"""


class Course:
    pass


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    c = Course()
    c.root = new_course(tmp_path_factory.mktemp("hostile"), [NAME])
    c.api = make_api(c.root, TIMEOUT)
    assert c.api.generate_assignment(NAME)["success"]
    c.release = read(notebook_path(c.root, "release", NAME))
    c.model = reference_answers(read(notebook_path(c.root, "source", NAME)))
    c.seconds, c.results = {}, {}
    _autograde(c, "ref", answered(c.release, c.model))  # the yardstick for the others
    return c


def _autograde(c, student, nb):
    submit(c.root, student, NAME, nb)
    start = time.perf_counter()
    c.results[student] = c.api.autograde(NAME, student)
    c.seconds[student] = time.perf_counter() - start
    return c.results[student]


def _with_extra_cell(nb, code, at):
    """The notebook with a new, unmarked code cell (as a student may add) before position ``at``."""
    nb = nbformat.from_dict(nb)
    nb.cells.insert(at, nbformat.v4.new_code_cell(code))
    return nb


def test_model_answer_gets_full_marks(course):
    assert course.results["ref"]["success"]
    assert autograded_score(grades(course.api, NAME, "ref")) == (FULL, FULL)


def test_infinite_loop_is_stopped_and_scores_zero_for_its_checks(course):
    # the last answer (question 3) loops; questions 1 and 2 are answered correctly
    result = _autograde(course, "loop", answered(course.release, {**course.model, "a1_q3": LOOP}))
    assert result["success"], result.get("log")
    cells = grades(course.api, NAME, "loop")
    zero = {g.grade_id for g in cells.values() if g.kind == "code" and g.score == 0}
    assert zero == {"a1_q3_outcome", "a1_q3_process", "a1_q3_balancing"}
    assert autograded_score(cells) == (FULL - 3, FULL)
    # the loop costs one timeout, not minutes (allowing for kernel start-up on a slow machine)
    assert course.seconds["loop"] < course.seconds["ref"] + TIMEOUT + 15
    timed_out = cells_by_id(read(notebook_path(course.root, "autograded", NAME, "loop")))["a1_q3"]
    assert any(o.get("ename") == "CellTimeoutError" for o in timed_out.outputs)


def test_loop_that_ignores_the_interrupt_fails_closed(course):
    """nbgrader cannot interrupt such a kernel: it abandons the submission within seconds, records no
    autograded marks for it and reports the failure, so a tutor must look at it."""
    result = _autograde(course, "stubborn", answered(course.release, {**course.model, "a1_q3": STUBBORN_LOOP}))
    assert not result["success"]
    assert "timed out" in result["log"]
    assert course.seconds["stubborn"] < course.seconds["ref"] + TIMEOUT + IOPUB_WAIT + 15
    assert not notebook_path(course.root, "autograded", NAME, "stubborn").exists()
    with course.api.gradebook as gb:
        scores = [g.score for g in gb.find_submission_notebook(NAME, NAME, "stubborn").grades]
    assert sum(scores) == 0


def test_tampered_locked_cells_are_detected_and_restored(course):
    """A blank submission whose tests were emptied and whose points were raised: nbgrader's validator
    reports the change, and autograding puts back the real tests and points (so the blank scores 0)."""
    from nbgrader.validator import Validator

    nb = nbformat.from_dict(course.release)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    for cell in tests:
        cell.source = "pass"
        cell.metadata["nbgrader"]["points"] = 100
    setup = cells_by_id(nb)["a1_setup"]
    setup.source = setup.source.replace("0.62", "0.99")  # the data, too
    path = submit(course.root, "tamper", NAME, nb)

    checked = Validator(config=course_config(course.root, TIMEOUT)).validate(str(path))
    assert len(checked.get("changed", [])) == len(tests) + 1

    result = course.api.autograde(NAME, "tamper")
    assert result["success"]
    assert result["log"].count("has changed!") >= 2 * len(tests) + 1  # checksum and points of each test
    cells = grades(course.api, NAME, "tamper")
    assert autograded_score(cells) == (0, FULL)
    graded = cells_by_id(read(notebook_path(course.root, "autograded", NAME, "tamper")))
    assert "0.62" in graded["a1_setup"].source and graded["a1_q1_test"].source != "pass"


def test_submission_deleting_its_folder_changes_no_grade(course):
    ref_before = grades(course.api, NAME, "ref")
    ref_files = sorted(p.name for p in notebook_path(course.root, "autograded", NAME, "ref").parent.iterdir())
    nb = _with_extra_cell(answered(course.release, course.model), DELETE_OWN_FOLDER, at=2)
    assert _autograde(course, "deleter", nb)["success"]
    # its own grade: what the same answers earn without the deleting cell
    assert autograded_score(grades(course.api, NAME, "deleter")) == (FULL, FULL)
    assert notebook_path(course.root, "autograded", NAME, "deleter").exists()  # written after running
    # another student's grade and files are untouched
    assert grades(course.api, NAME, "ref") == ref_before
    assert sorted(p.name for p in notebook_path(course.root, "autograded", NAME, "ref").parent.iterdir()) == ref_files


def test_released_notebook_holds_no_hidden_tests(course):
    """While students work, the hidden tests are nowhere in what they were given."""
    for path in notebook_path(course.root, "release", NAME).parent.rglob("*"):
        if path.is_file():
            assert "HIDDEN TESTS" not in path.read_text(encoding="utf-8", errors="replace")


def test_limitation_autograding_runs_beside_the_hidden_tests(course):
    """Documented limitation (course/README.md): at autograde time the submission runs as the grader,
    in a folder holding the notebook with its hidden tests put back, so it can read them. Only running
    each submission in an isolated kernel (another user, a container) closes this; the test pins the
    behaviour so that the guide is corrected if nbgrader ever changes it."""
    nb = _with_extra_cell(nbformat.from_dict(course.release), READ_NEIGHBOURS, at=2)
    assert _autograde(course, "reader", nb)["success"]
    graded = read(notebook_path(course.root, "autograded", NAME, "reader"))
    printed = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "hidden tests readable: True" in printed
