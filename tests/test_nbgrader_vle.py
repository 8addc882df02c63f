"""Moodle and Canvas round trips (qikit/grading/vle.py): each platform's "download all submissions" archive,
built with its file-name conventions, goes through `nbgrader zip_collect` with the platform's collector
(run as the guide writes it, from course/), is autograded with a due date and the late policy, and comes
back as the platform's feedback upload zip and grade import CSV, each parsed against the platform's
documented names and columns.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import zipfile

import nbformat
import pytest
from nbgrader_helpers import (
    COURSE,
    MARKS,
    answered,
    course_config,
    make_api,
    new_course,
    notebook_path,
    read,
    reference_answers,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

NAME = "a1_aims_and_measures"
FULL = MARKS[NAME][0]
DUE = "2025-10-01 17:00:00"  # UTC
ROSTER = [("s001", "Jane", "Doe", "jane.doe@nhs.example"), ("s002", "John", "Smith", "john.smith@nhs.example")]


def _nbgrader(root, *args):
    env = {**os.environ, "QIKIT_COURSE_DIR": str(root)}
    run = subprocess.run([os.path.join(os.path.dirname(os.sys.executable), "nbgrader"), *args], cwd=COURSE,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _course(tmp_path_factory, label):
    root = new_course(tmp_path_factory.mktemp(label), [NAME])
    api = make_api(root, 20)
    assert api.generate_assignment(NAME)["success"]
    # the guide's commands: the roster, then the due date
    roster = root / "students.csv"
    roster.write_text("id,first_name,last_name,email\n" + "".join(f"{i},{first},{last},{e}\n" for i, first, last, e in ROSTER))
    _nbgrader(root, "db", "student", "import", str(roster))
    _nbgrader(root, "db", "assignment", "add", NAME, f"--duedate={DUE}")
    release = read(notebook_path(root, "release", NAME))
    model = answered(release, reference_answers(read(notebook_path(root, "source", NAME))))
    return root, api, nbformat.writes(model)


def _autograde_and_return(root, api, platform):
    for student, *_ in ROSTER:
        result = api.autograde(NAME, student)
        assert result["success"], result["log"][-3000:]
    assert api.generate_feedback(NAME)["success"]
    from qikit.grading import vle

    config = course_config(root, 20)
    archive = root / f"{platform}-feedback.zip"
    names = vle.feedback_archive(config, NAME, platform, archive)
    grades = root / f"{platform}-grades.csv"
    vle.grades_file(config, NAME, platform, grades, canvas_assignment_id="4242")
    return names, archive, grades


def _penalty(api, student):
    with api.gradebook as gb:
        return gb.find_submission(NAME, student).late_submission_penalty


@pytest.fixture(scope="module")
def moodle(tmp_path_factory):
    root, api, model = _course(tmp_path_factory, "moodle")
    folder = root / "downloaded" / NAME / "archive"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "QI-2025-Assignment 1-1234.zip", "w") as z:
        # Moodle's two layouts: a folder per participant, and flat file names
        z.writestr(f"Jane Doe_100001_assignsubmission_file_/{NAME}.ipynb", model)
        z.writestr(f"John Smith_100002_assignsubmission_file_{NAME}.ipynb", model)
    # Moodle's grading worksheet: the submission times (Europe/London; 1 October is BST, UTC+1)
    with (folder / f"Grades-QI 2025-Assignment 1-{1234}.csv").open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                    "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"])
        w.writerow(["Participant 100001", "Jane Doe", "jane.doe@nhs.example", "Submitted for grading", "", "11.00",
                    "Yes", "Wednesday, 1 October 2025, 5:30 PM", "-", ""])  # 16:30 UTC: on time
        w.writerow(["Participant 100002", "John Smith", "john.smith@nhs.example", "Submitted for grading", "",
                    "11.00", "Yes", "Friday, 3 October 2025, 9:00 AM", "-", ""])  # 08:00 UTC on the 3rd: 2 days late
    # the guide's zip_collect command, with the Moodle collector
    _nbgrader(root, "zip_collect", NAME, "--collector=qikit.grading.vle.MoodleCollector")
    return root, api, _autograde_and_return(root, api, "moodle")


@pytest.fixture(scope="module")
def canvas(tmp_path_factory):
    root, api, model = _course(tmp_path_factory, "canvas")
    folder = root / "downloaded" / NAME / "archive"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "submissions.zip", "w") as z:
        z.writestr(f"doejane_200001_300001_{NAME}.ipynb", model)
        z.writestr(f"smithjohn_LATE_200002_300002_{NAME}-1.ipynb", model)  # a late resubmission
    _nbgrader(root, "zip_collect", NAME, "--collector=qikit.grading.vle.CanvasCollector")
    return root, api, _autograde_and_return(root, api, "canvas")


def test_moodle_collects_each_student_with_the_worksheet_time(moodle):
    root, api, _ = moodle
    for student, *_ in ROSTER:
        assert notebook_path(root, "submitted", NAME, student).exists()
    jane = (root / "submitted" / "s001" / NAME / "timestamp.txt").read_text()
    john = (root / "submitted" / "s002" / NAME / "timestamp.txt").read_text()
    assert jane.startswith("2025-10-01 16:30:00") and john.startswith("2025-10-03 08:00:00")


def test_moodle_late_policy_applies(moodle):
    root, api, _ = moodle
    assert _penalty(api, "s001") == 0
    assert _penalty(api, "s002") == pytest.approx(FULL * 0.05 * 2)  # 5% a day, 2 days (the second part-day)


def test_moodle_feedback_zip_names_match_the_upload_rule(moodle):
    """Moodle matches each file of a feedback zip by splitting its name at '_' into
    full name, participant id, 'assignsubmission', 'file' and the file name."""
    root, api, (names, archive, grades) = moodle
    with zipfile.ZipFile(archive) as z:
        listed = z.namelist()
        assert sorted(listed) == sorted(names) and len(listed) == 2
        for name in listed:
            full_name, participant, subtype, kind, filename = name.split("_", 4)
            assert (full_name, participant) in {("Jane Doe", "100001"), ("John Smith", "100002")}
            assert (subtype, kind) == ("assignsubmission", "file") and filename.endswith(".html")
            assert '<html lang="en"' in z.read(name).decode("utf-8") or "<html" in z.read(name).decode("utf-8")


def test_moodle_grading_worksheet(moodle):
    root, api, (names, archive, grades) = moodle
    with grades.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                                     "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
                                     "Feedback comments"]
        rows = {r["Identifier"]: r for r in reader}
    assert set(rows) == {"Participant 100001", "Participant 100002"}
    for row in rows.values():
        # the written answer waits for the tutor: no grade goes back yet, and the comment says why
        assert row["Grade"] == "" and row["Feedback comments"].startswith("needs manual marking")
        assert float(row["Maximum Grade"]) == sum(MARKS[NAME])


def test_canvas_collects_late_resubmission(canvas):
    root, api, _ = canvas
    for student, *_ in ROSTER:
        assert notebook_path(root, "submitted", NAME, student).exists()  # "-1" removed from the file name
    assert (root / "submitted" / "s001" / NAME / "timestamp.txt").read_text().startswith("2025-10-01 17:00:00")
    assert (root / "submitted" / "s002" / NAME / "timestamp.txt").read_text().startswith("2025-10-01 17:00:01")
    assert _penalty(api, "s001") == 0 and _penalty(api, "s002") == pytest.approx(FULL * 0.05)


def test_canvas_reupload_zip_names(canvas):
    root, api, (names, archive, grades) = canvas
    pattern = re.compile(r"^(?P<name>[a-z]+)_(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+\.html)$")
    with zipfile.ZipFile(archive) as z:
        found = {(m["name"], m["user"], m["sub"]) for m in map(pattern.match, z.namelist()) if m}
    assert found == {("doejane", "200001", "300001"), ("smithjohn", "200002", "300002")}


def test_canvas_gradebook_import(canvas):
    root, api, (names, archive, grades) = canvas
    text = grades.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{NAME} (4242)"]
    assert rows[1][0].strip() == "Points Possible" and float(rows[1][5]) == sum(MARKS[NAME])
    assert {(r[0], r[1]) for r in rows[2:]} == {("doejane", "200001"), ("smithjohn", "200002")}
    assert all(r[5] == "" for r in rows[2:])  # not final until the written answer is marked


def test_return_commands_as_the_guide_writes_them(moodle, tmp_path):
    root, api, _ = moodle
    env = {**os.environ, "QIKIT_COURSE_DIR": str(root)}
    for what, out in (("feedback", tmp_path / "fb.zip"), ("grades", tmp_path / "grades.csv")):
        run = subprocess.run([os.sys.executable, "-m", "qikit.grading.vle", what, "moodle", NAME, "--out", str(out)],
                             cwd=COURSE, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
    assert len(zipfile.ZipFile(tmp_path / "fb.zip").namelist()) == 2
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8").startswith("Identifier,Full name,")


def test_release_feedback_skips_platform_submissions_by_name(moodle, tmp_path):
    """Step 6's `nbgrader release_feedback`, on a course whose submissions came from Moodle: it releases what
    came through the hub and names each platform submission it skips (stock nbgrader stopped at the first
    with "submission_secret.txt: No such file")."""
    from nbgrader.utils import notebook_hash

    root, _, _ = moodle
    # s001 stands for a trainee who submitted through the hub: nbgrader submit's secret, which
    # generate_feedback copies beside the page.
    secret = "f3c1e0a4d5b6"
    (root / "feedback" / "s001" / NAME / "submission_secret.txt").write_text(secret)
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    env = {**os.environ, "QIKIT_COURSE_DIR": str(root), "QIKIT_EXCHANGE": str(exchange)}
    run = subprocess.run([os.path.join(os.path.dirname(os.sys.executable), "nbgrader"), "release_feedback", NAME],
                         cwd=COURSE, env=env, capture_output=True, text=True, timeout=300)
    try:
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Not released through the hub for s002: the submission came from a learning platform" in run.stderr
        assert "s001:" not in run.stderr.split("Not released")[-1] and "for s001" not in run.stderr
        released = sorted(p.name for p in (exchange / "qikit" / "feedback").iterdir())
        assert released == [f"{notebook_hash(secret=secret, notebook_id=NAME)}.html"]
    finally:
        (root / "feedback" / "s001" / NAME / "submission_secret.txt").unlink()
