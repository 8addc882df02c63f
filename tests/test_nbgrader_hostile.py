"""Hostile submissions: each is graded with the course's configuration (student code in the bubblewrap
sandbox, qikit/grading/), leaves the other students' marks and the gradebook untouched, and is named in the
educator's report with what it did. Hidden tests appear in no feedback file by any route.

One temporary course with assignment 1 (the quickest to run); every student below is autograded once, the
bystander ("ref") first, so that each hostile submission can be checked against its marks.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time

import nbformat
import pytest
from nbgrader_helpers import (
    ASSIGNMENTS,
    MARKS,
    SOURCE,
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

NAME = "a1_aims_and_measures"
FULL = MARKS[NAME][0]
#: Seconds a cell may run. Low, so that the looping submissions cost seconds; still several times what the
#: slowest cell of assignment 1 needs (its first cell imports pandas and qikit).
TIMEOUT = 5
#: The sandbox's memory (MiB) for the memory bomb alone: half the course's 2 GiB, so that the bomb meets its
#: limit (MemoryError) in a fraction of a second, long before the cell's TIMEOUT even on a busy machine (at 2 GiB
#: it took over a second, and once ran out of time first). The other students keep the course's own limit,
#: which the output flood needs.
BOMB_MEMORY_MB = 1024
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

#: Hostile code, keyed by student. ``{root}``, ``{gradebook}`` and ``{port}`` are filled in per course. Each
#: is added as a cell of its own after the answers (position "end") or after question 1 ("q1").
HOSTILE = {
    "reads_gradebook": ("end", """try:
    print(open({gradebook!r}, "rb").read()[:200])
except OSError as error:
    print("gradebook:", type(error).__name__)"""),
    "writes_gradebook": ("end", """import sqlite3
try:
    db = sqlite3.connect({gradebook!r})
    db.execute("UPDATE grade SET manual_score = 99")
    db.commit()
except Exception as error:
    print("write:", type(error).__name__)
try:
    open({gradebook!r}, "w").write("")
except OSError as error:
    print("truncate:", type(error).__name__)"""),
    "reads_others": ("end", """import glob, os
stolen = []
for pattern in [{root!r} + "/source/**/*.ipynb", {root!r} + "/submitted/**/*.ipynb",
                {root!r} + "/autograded/**/*.ipynb", "../**/*.ipynb", "/home/**/*.ipynb", "/tmp/**/*.ipynb"]:
    for path in glob.glob(pattern, recursive=True):
        try:
            stolen.append(open(path).read())
        except OSError:
            pass
print("files stolen:", len(stolen))"""),
    "prints_hidden_tests": ("end", """import glob, linecache, os
marker = "BEGIN " + "HIDDEN" + " TESTS"
for path in glob.glob("/home/**/*.ipynb", recursive=True) + glob.glob({root!r} + "/**/*.ipynb", recursive=True):
    try:
        text = open(path).read()
    except OSError:
        continue
    if marker in text:
        print(text)
print("\n".join(In))
print("\n".join(line for lines in (v[2] for v in linecache.cache.values() if len(v) > 2) for line in lines))
for path in glob.glob("/tmp/**", recursive=True):
    if os.path.isfile(path):
        print(open(path, errors="replace").read())"""),
    # Watches every later cell run in the kernel (hidden tests included) and prints each, encoded so that no
    # line-by-line redaction recognises it, into that cell's own output and again at the end. Written to
    # slip past the code scan (names built at run time).
    "hooks_hidden_tests": ("q1", """import base64, builtins
_seen = []
def _watch(info, _seen=_seen):
    _seen.append(info.raw_cell)
    print("W" + base64.b64encode(info.raw_cell.encode()).decode())
def _dump(result, _seen=_seen):
    print("D" + base64.b64encode("\\n".join(_seen).encode()).decode())
_events = getattr(getattr(builtins, "get_" + "ipython")(), "ev" + "ents")
getattr(_events, "reg" + "ister")("pre_" + "run_cell", _watch)
getattr(_events, "reg" + "ister")("post_" + "run_cell", _dump)"""),
    "patches_checks": ("q1", """import builtins
import numpy as np
_real_isinstance = builtins.isinstance
builtins.isinstance = lambda obj, kind: True if kind is float else _real_isinstance(obj, kind)
np.isclose = lambda *args, **kwargs: True
def abs(x):
    return 0"""),
    "fork_bomb": ("end", """import os
while True:
    os.fork()"""),
    "memory_bomb": ("end", """hog = []
while True:
    hog.append(bytearray(50 * 1024 ** 2))"""),
    "floods_output": ("end", """chunk = "x" * 1_000_000
for _ in range(100):
    print(chunk)"""),
    "exits": ("q1", """import os
os._exit(0)"""),
    "kills_kernel": ("q1", """import os, signal
os.kill(os.getpid(), signal.SIGKILL)"""),
    "calls_hub": ("end", """import socket
try:
    socket.create_connection(("127.0.0.1", {port}), 3)
    print("hub reached")
except OSError as error:
    print("hub:", type(error).__name__)"""),
}
#: Students whose kernel cannot finish the notebook: recorded as not graded, with why.
NOT_GRADED = {"exits": "kernel died", "kills_kernel": "kernel died"}


class Course:
    pass


@pytest.fixture(scope="module")
def hub(loopback_port):
    """A listening socket on 127.0.0.1 standing in for the hub."""
    return loopback_port


@pytest.fixture(scope="module")
def course(tmp_path_factory, hub):
    c = Course()
    c.root = new_course(tmp_path_factory.mktemp("hostile"), [NAME])
    c.api = make_api(c.root, TIMEOUT)
    assert c.api.generate_assignment(NAME)["success"]
    c.release = read(notebook_path(c.root, "release", NAME))
    c.model = reference_answers(read(notebook_path(c.root, "source", NAME)))
    c.seconds, c.results = {}, {}
    _autograde(c, "ref", answered(c.release, c.model))  # the yardstick for the others
    c.ref_grades = grades(c.api, NAME, "ref")
    gradebook = str(c.root / "gradebook.db")
    q1 = [i for i, cell in enumerate(c.release.cells) if cell.metadata.get("nbgrader", {}).get("grade_id")
          == "a1_q1"][0]
    for student, (where, code) in HOSTILE.items():
        nb = answered(c.release, c.model)
        code = code.format(root=str(c.root), gradebook=gradebook, port=hub)
        api = make_api(c.root, TIMEOUT, BOMB_MEMORY_MB) if student == "memory_bomb" else c.api
        _autograde(c, student, _with_extra_cell(nb, code, at=len(nb.cells) if where == "end" else q1 + 1), api)
    return c


def _autograde(c, student, nb, api=None):
    submit(c.root, student, NAME, nb)
    start = time.perf_counter()
    c.results[student] = (api or c.api).autograde(NAME, student)
    c.seconds[student] = time.perf_counter() - start
    return c.results[student]


def _bystander_untouched(c):
    assert grades(c.api, NAME, "ref") == c.ref_grades
    db = sqlite3.connect(c.root / "gradebook.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM grade WHERE manual_score = 99").fetchone() == (0,)
    finally:
        db.close()


def _report(c):
    from qikit.grading.report import build

    return {r.student: r for r in build(course_config(c.root, TIMEOUT), NAME).students}


def _outputs(c, student) -> str:
    graded = read(notebook_path(c.root, "autograded", NAME, student))
    return "".join(str(o.get("text", "")) + str(o.get("ename", "")) + str(o.get("evalue", "")) for cell in graded.cells
                   if cell.cell_type == "code" for o in cell.get("outputs", []))


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


def test_autograding_no_longer_runs_beside_the_hidden_tests(course):
    """Plain nbgrader runs the submission in a folder holding the notebook with its hidden tests put back
    (this test used to pin that limitation). In the sandbox the notebooks being graded are not visible."""
    nb = _with_extra_cell(nbformat.from_dict(course.release), READ_NEIGHBOURS, at=2)
    assert _autograde(course, "reader", nb)["success"]
    graded = read(notebook_path(course.root, "autograded", NAME, "reader"))
    printed = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "hidden tests readable: False" in printed


# ------------------------------------------------------------------------------------------------
# the hostile suite: graded in the fixture, one test per submission


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_leaves_others_and_gradebook_untouched(course, student):
    _bystander_untouched(course)
    with course.api.gradebook as gb:
        assert {s.id for s in gb.students} >= {"ref", student}


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_is_named_in_the_report(course, student):
    row = _report(course)[student]
    assert row.flagged or row.status == "not graded", (row.status, row.flags)
    if student in NOT_GRADED:
        assert row.status == "not graded" and NOT_GRADED[student] in row.why and row.score is None


def test_reading_the_gradebook_fails(course):
    assert course.results["reads_gradebook"]["success"]
    assert "gradebook: FileNotFoundError" in _outputs(course, "reads_gradebook")
    assert autograded_score(grades(course.api, NAME, "reads_gradebook")) == (FULL, FULL)
    assert any("gradebook" in f for f in _report(course)["reads_gradebook"].flags)


def test_writing_the_gradebook_fails(course):
    printed = _outputs(course, "writes_gradebook")
    assert "write: OperationalError" in printed and "truncate: " in printed
    assert autograded_score(grades(course.api, NAME, "writes_gradebook")) == (FULL, FULL)


def test_source_and_other_students_are_unreadable(course):
    assert "files stolen: 0" in _outputs(course, "reads_others")


def test_printing_hidden_tests_prints_none(course):
    printed = _outputs(course, "prints_hidden_tests")
    source = read(notebook_path(course.root, "source", NAME))
    hidden = {line.strip() for cell in source.cells for line in hidden_regions(cell.source) if len(line.strip()) > 12}
    # test cells are kept out of IPython's history, and no notebook is visible: nothing to print
    assert not [line for line in hidden if line in printed]
    assert autograded_score(grades(course.api, NAME, "prints_hidden_tests")) == (FULL, FULL)
    flags = " ".join(_report(course)["prints_hidden_tests"].flags)
    assert "input history" in flags and "linecache" in flags


def test_patching_builtins_and_numpy_is_flagged(course):
    flags = " ".join(_report(course)["patches_checks"].flags)
    assert "builtins" in flags and "np.isclose" in flags and "redefines the builtin abs" in flags


def test_fork_bomb_is_contained(course):
    row = _report(course)["fork_bomb"]
    assert row.status == "not graded" and "process" in row.why or row.score is not None
    assert any("fork" in f for f in row.flags)


def test_memory_bomb_is_contained(course):
    assert course.results["memory_bomb"]["success"]
    assert "MemoryError" in _outputs(course, "memory_bomb")
    assert autograded_score(grades(course.api, NAME, "memory_bomb")) == (FULL, FULL)


def test_output_flood_is_cut(course):
    assert course.results["floods_output"]["success"]
    path = notebook_path(course.root, "autograded", NAME, "floods_output")
    assert path.stat().st_size < 1_000_000
    assert "Output cut" in _outputs(course, "floods_output")
    assert any("printed more than" in f for f in _report(course)["floods_output"].flags)


@pytest.mark.parametrize("student", sorted(NOT_GRADED))
def test_killing_the_kernel_is_not_graded_and_says_why(course, student):
    assert not course.results[student]["success"]
    assert not notebook_path(course.root, "autograded", NAME, student).exists()


def test_hub_is_unreachable(course, hub):
    assert "hub: ConnectionRefusedError" in _outputs(course, "calls_hub")
    socket.create_connection(("127.0.0.1", hub), 2).close()  # reachable from outside the sandbox
    assert any("network" in f for f in _report(course)["calls_hub"].flags)


def test_stubborn_loop_is_not_graded_and_says_why(course):
    if "stubborn" not in course.results:
        _autograde(course, "stubborn", answered(course.release, {**course.model, "a1_q3": STUBBORN_LOOP}))
    row = _report(course)["stubborn"]
    assert row.status == "not graded" and "ignored the interrupt" in row.why and row.score is None


def test_untouched_submissions_raise_no_tampering_warning(course):
    assert "has changed" not in course.results["ref"]["log"]
    assert "TAMPERING" not in course.results["ref"]["log"]
    assert not _report(course)["ref"].flags


def test_marker_text_in_a_students_cell_still_gets_feedback(course):
    answer = course.model["a1_q1"] + "\n# ### BEGIN HIDDEN TESTS (my notes)\n# ### BEGIN HIDDEN TESTS\n# x"
    assert _autograde(course, "marker", answered(course.release, {**course.model, "a1_q1": answer}))["success"]
    assert autograded_score(grades(course.api, NAME, "marker")) == (FULL, FULL)
    result = course.api.generate_feedback(NAME, "marker")
    assert result["success"], result.get("log")
    assert notebook_path(course.root, "feedback", NAME, "marker").with_suffix(".html").exists()


def test_no_feedback_file_shows_a_hidden_test(course):
    """Feedback for every student (hostile ones included), every file under feedback/ scanned for every
    line of every hidden test of the six assignments."""
    if "marker" not in course.results:
        test_marker_text_in_a_students_cell_still_gets_feedback(course)
    result = course.api.generate_feedback(NAME)
    assert result["success"], result.get("log")
    secrets = set()
    for name in ASSIGNMENTS:
        source = read(SOURCE / name / f"{name}.ipynb")
        hidden = {line.strip() for cell in source.cells for line in hidden_regions(cell.source)}
        public = "\n".join(cell.source for cell in read(notebook_path(course.root, "release", NAME)).cells) \
            if name == NAME else ""
        secrets.update(line for line in hidden if len(line) >= 8 and line not in public)
    assert len(secrets) > 100
    files = [p for p in (course.root / "feedback").rglob("*") if p.is_file()]
    students = {p.relative_to(course.root / "feedback").parts[0] for p in files}
    assert students >= {"ref", "prints_hidden_tests", "marker", *[s for s in HOSTILE if s not in NOT_GRADED
                                                                 and s != "fork_bomb"]}
    for path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        for text in (raw, html_text(path) if path.suffix == ".html" else raw):
            leaked = sorted(line for line in secrets if line in text)
            assert not leaked, f"{path}: {leaked[:3]}"
            student = path.relative_to(course.root / "feedback").parts[0]
            own = notebook_path(course.root, "submitted", NAME, student).read_text(encoding="utf-8")
            assert "HIDDEN TESTS" not in text or "HIDDEN TESTS" in own  # only the student's own text


def _decoded_blobs(text: str) -> str:
    """Every base64-looking run of 16 or more characters in ``text``, decoded (what a student could hide)."""
    import base64
    import binascii
    import re

    out = []
    for blob in re.findall(r"[A-Za-z0-9+/=]{16,}", text):
        for cut in range(4):  # a run may start inside a quantum (a prefix letter such as "W" or "D")
            chunk = blob[cut:]
            chunk = chunk[: len(chunk) - len(chunk) % 4]
            try:
                out.append(base64.b64decode(chunk).decode("utf-8", errors="replace"))
            except (binascii.Error, ValueError):
                continue
    return "\n".join(out)


def test_kernel_hooks_cannot_carry_hidden_tests_into_feedback(course):
    """A hook in the student's kernel sees each hidden test run and prints it encoded (in the test's own
    output and in later cells). It works in the kernel (the autograded notebook holds the encoded tests),
    so the feedback is what must hold none of it: checks there show only their authors' messages, and
    cells after the first hidden test show a note instead of their output."""
    student = "hooks_hidden_tests"
    assert autograded_score(grades(course.api, NAME, student)) == (FULL, FULL)
    source = read(notebook_path(course.root, "source", NAME))
    hidden = {line.strip() for cell in source.cells for line in hidden_regions(cell.source) if len(line.strip()) > 12}
    graded = notebook_path(course.root, "autograded", NAME, student).read_text(encoding="utf-8")
    assert [line for line in hidden if line in _decoded_blobs(graded)], "the hook saw no hidden test: proves nothing"
    result = course.api.generate_feedback(NAME, student)
    assert result["success"], result.get("log")
    [page] = (course.root / "feedback" / student / NAME).glob("*.html")
    text = page.read_text(encoding="utf-8")
    decoded = _decoded_blobs(text) + _decoded_blobs(html_text(page))
    assert not [line for line in hidden if line in decoded or line in text]
    assert "this cell ran after the hidden checks" in text


def test_export_gives_every_row_a_status(course, tmp_path):
    import csv

    from nbgrader.api import Gradebook

    from qikit.grading.export import StatusCsvExportPlugin

    config = course_config(course.root, TIMEOUT)
    out = tmp_path / "grades.csv"
    with Gradebook(config.CourseDirectory.db_url, "qikit") as gb:
        StatusCsvExportPlugin(to=str(out), config=config).export(gb)
    with out.open(newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert rows["exits"]["status"] == "not graded" and rows["exits"]["score"] == ""
    assert "kernel died" in rows["exits"]["why"]
    assert rows["ref"]["status"] == "needs manual marking" and float(rows["ref"]["score"]) == FULL
    assert rows["ref"]["flagged"] == "no" and rows["patches_checks"]["flagged"] == "yes"
    assert all(r["status"] in {"graded", "needs manual marking", "not graded", "not submitted"}
               for r in rows.values())


def test_nbgrader_export_command_carries_statuses(course, tmp_path):
    """`nbgrader export` as the guide writes it (from course/): the course's export plugin adds the status."""
    import csv
    import subprocess
    import sys

    from nbgrader_helpers import COURSE

    out = tmp_path / "grades.csv"
    env = {**os.environ, "QIKIT_COURSE_DIR": str(course.root)}
    nbgrader = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    run = subprocess.run([nbgrader, "export", "--to", str(out)], cwd=COURSE, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    with out.open(newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    assert rows["kills_kernel"]["status"] == "not graded" and rows["kills_kernel"]["score"] == ""
    assert rows["calls_hub"]["flagged"] == "yes"


def test_deleted_locked_cell_is_reported_by_name(course):
    nb = nbformat.from_dict(answered(course.release, course.model))
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "a1_q1_test"]
    _autograde(course, "deleter_of_tests", nb)
    _bystander_untouched(course)
    flags = _report(course)["deleter_of_tests"].flags
    assert any("cell a1_q1_test" in f and "deleted" in f for f in flags), flags
