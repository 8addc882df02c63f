"""Moodle and Canvas, both ways: collect their "download all submissions" archives with nbgrader's
``zip_collect``, apply a late policy, and package feedback and grades for upload back.

Collecting (``nbgrader zip_collect ASSIGNMENT --collector=qikit.grading.vle.MoodleCollector``, or
``CanvasCollector``) reads the file names each platform writes into its archive:

- **Moodle** (assignment, *Download all submissions*): ``<Full name>_<participant id>_assignsubmission_file_
  <file name>``, or with *Download submissions in folders* a folder ``<Full name>_<participant id>_
  assignsubmission_file_`` holding the file. The archive has no submission times; put Moodle's *grading
  worksheet* (``Grades-*.csv``, from *Download grading worksheet*) beside the archive and its
  ``Last modified (submission)`` column gives them (read in ``MoodleCollector.timezone``).
- **Canvas** (assignment, *Download Submissions*): ``<lastfirst>_[LATE_]<user id>_<submission id>_<file
  name>``, where a resubmitted file gets ``-1``, ``-2``, ... before its extension. The archive gives no
  time, only ``LATE``: a late file is recorded as submitted one second after the due date (one day late
  under the per-day policy below), any other at the due date; record the real time in ``timestamp.txt``
  if you know it. (Every collected submission gets a time: nbgrader's ``release_feedback`` needs one.)

Students are matched to the gradebook's roster (``nbgrader db student import``) by name, or by e-mail
when Moodle's worksheet is there; a file that matches nobody is skipped with a warning naming it. The
match (platform ids and file-name prefix) is kept in ``<records>/<assignment>/_vle.json`` for the way back.

Returning (``python -m qikit.grading.vle feedback|grades moodle|canvas ASSIGNMENT --out FILE``):

- **feedback**: a zip of each student's feedback page named as the platform expects for bulk upload:
  Moodle's *Upload multiple feedback files in a zip* takes ``<Full name>_<participant id>_
  assignsubmission_file_<name>``; Canvas's *Re-Upload Submissions* takes ``<lastfirst>_<user id>_
  <submission id>_<name>``.
- **grades**: Moodle's grading worksheet (``Identifier, Full name, Email address, Status, Grade, Maximum
  Grade, Grade can be changed, Last modified (submission), Last modified (grade), Feedback comments``,
  Identifier ``Participant <id>``), for *Upload grading worksheet*; Canvas's gradebook import
  (``Student, ID, SIS User ID, SIS Login ID, Section, <assignment> (<Canvas assignment id>)``, with a
  ``Points Possible`` row). A submission that is not graded, or waits for manual marking, gets no grade
  (an empty cell leaves the platform's grade alone) and its status in the feedback comments (Moodle).

``PercentPerDayLatePenalty`` is the late policy: ``percent_per_day`` of the submission's score for each
day or part of a day after the due date, up to the whole score.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import math
import os
import re
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.plugins import FileNameCollectorPlugin, LateSubmissionPlugin
from traitlets import Float, Unicode

MOODLE_NAME = re.compile(r"^(?P<full_name>[^/_]+)_(?P<participant>\d+)_assignsubmission_file_/?(?P<file>.+)$")
CANVAS_NAME = re.compile(r"^(?P<name>[^/_]+)_(?P<late>LATE_)?(?P<user_id>\d+)_(?P<submission_id>\d+)_(?P<file>.+)$")
MOODLE_TIME = "%A, %d %B %Y, %I:%M %p"
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


class PercentPerDayLatePenalty(LateSubmissionPlugin):
    """Late policy: ``percent_per_day`` of the score per day or part day late, at most the whole score."""

    percent_per_day = Float(5.0, help="Percent of the score taken off per day (or part day) late.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds):
        if not total_seconds or total_seconds <= 0 or not score:
            return 0
        days = math.ceil(total_seconds / 86400)
        return min(score, score * self.percent_per_day * days / 100)


class _Collector(FileNameCollectorPlugin):
    """Shared by both platforms: roster matching, the record of ids for the way back."""

    platform = ""

    @staticmethod
    def _names(path: str) -> list[str]:
        """The file's name, then its folder and name (Moodle's "submissions in folders" layout)."""
        parts = Path(path).parts
        return [parts[-1], "/".join(parts[-2:])]

    def _roster(self):
        from nbgrader.api import Gradebook

        app = self.parent
        with Gradebook(app.coursedir.db_url, app.coursedir.course_id) as gb:
            return [{"id": s.id, "first": s.first_name or "", "last": s.last_name or "", "email": s.email or ""}
                    for s in gb.students]

    def _remember(self, student: str, entry: dict) -> None:
        folder = self.parent.config.GradingRecords.get("directory") if self.parent else None
        if not folder:
            return
        path = Path(folder) / self.parent.coursedir.assignment_id / "_vle.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(path.read_text()) if path.exists() else {}
        data[student] = {"platform": self.platform, **entry}
        path.write_text(json.dumps(data, indent=1, sort_keys=True))

    def _due_or_now(self) -> str:
        """When the archive gives no time: the due date (so the submission is not late, and nbgrader's
        release_feedback, which needs a time, works), or now if the assignment has none."""
        from nbgrader.api import Gradebook

        app = self.parent
        with Gradebook(app.coursedir.db_url, app.coursedir.course_id) as gb:
            due = gb.find_assignment(app.coursedir.assignment_id).duedate
        return (due or datetime.utcnow()).isoformat() + "+00:00"

    @staticmethod
    def _file_id(name: str) -> str:
        stem, ext = os.path.splitext(os.path.basename(name))
        return re.sub(r"-\d+$", "", stem) + ext  # Canvas's -1, -2 for resubmissions


class MoodleCollector(_Collector):
    """``nbgrader zip_collect`` for Moodle's archive (see the module docstring)."""

    platform = "moodle"
    timezone = Unicode("Europe/London", help="The time zone of Moodle's grading worksheet.").tag(config=True)

    def _worksheet(self) -> dict:
        app = self.parent
        folder = Path(app.coursedir.root) / app.downloaded_directory / app.coursedir.assignment_id
        rows = {}
        for path in sorted(folder.rglob("*.csv")):
            with path.open(newline="", encoding="utf-8-sig") as handle:
                for row in csv.DictReader(handle):
                    match = re.match(r"Participant (\d+)", row.get("Identifier", ""))
                    if match:
                        rows[match.group(1)] = row
        return rows

    def collect(self, submitted_file: str):
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        match = next(filter(None, (MOODLE_NAME.match(n) for n in self._names(submitted_file))), None)
        name = self._names(submitted_file)[1]
        if not match:
            self.log.warning("Not a Moodle submission file name, skipped: %s", name)
            return None
        participant, full_name = match["participant"], match["full_name"]
        sheet = self._worksheet().get(participant, {})
        email = sheet.get("Email address", "").strip().lower()
        people = self._roster()
        found = [p for p in people if email and p["email"].lower() == email] or \
            [p for p in people if _norm(p["first"] + p["last"]) == _norm(full_name)]
        if len(found) != 1:
            self.log.warning("No single student in the roster matches %s (participant %s): skipped %s",
                             full_name, participant, name)
            return None
        out = {"student_id": found[0]["id"], "file_id": self._file_id(match["file"])}
        submitted = sheet.get("Last modified (submission)", "").strip()
        if submitted and submitted != "-":
            local = datetime.strptime(submitted, MOODLE_TIME).replace(tzinfo=ZoneInfo(self.timezone))
            out["timestamp"] = local.astimezone(ZoneInfo("UTC")).isoformat()
        else:
            self.log.warning("No submission time for %s (no grading worksheet beside the archive?): recorded as "
                             "the due date, so no late penalty can apply", name)
            out["timestamp"] = self._due_or_now()
        self._remember(found[0]["id"], {"participant": participant, "full_name": full_name, "email": email,
                                        "prefix": f"{full_name}_{participant}_assignsubmission_file"})
        return out


class CanvasCollector(_Collector):
    """``nbgrader zip_collect`` for Canvas's archive (see the module docstring)."""

    platform = "canvas"

    def collect(self, submitted_file: str):
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        name = os.path.basename(submitted_file)
        match = CANVAS_NAME.match(name)
        if not match:
            self.log.warning("Not a Canvas submission file name, skipped: %s", name)
            return None
        found = [p for p in self._roster() if _norm(p["last"] + p["first"]) == _norm(match["name"])]
        if len(found) != 1:
            self.log.warning("No single student in the roster matches %s: skipped %s", match["name"], name)
            return None
        out = {"student_id": found[0]["id"], "file_id": self._file_id(match["file"])}
        due = datetime.fromisoformat(self._due_or_now())
        out["timestamp"] = (due + timedelta(seconds=1) if match["late"] else due).isoformat()
        self._remember(found[0]["id"], {"name": match["name"], "user_id": match["user_id"],
                                        "submission_id": match["submission_id"],
                                        "prefix": f"{match['name']}_{match['user_id']}_{match['submission_id']}"})
        return out


# ------------------------------------------------------------------------------------------------
# the way back


class PlatformAwareReleaseFeedback(ExchangeReleaseFeedback):
    """``nbgrader release_feedback`` that releases the feedback of submissions made through the hub and skips,
    naming each student, those collected from a learning platform (``zip_collect``): they carry no
    ``submission_secret.txt`` (nbgrader's ``submit`` writes it), their students never used the hub's
    exchange, and stock nbgrader stops at the first of them with "No such file". Their way back is the
    platform's zip (``python -m qikit.grading.vle feedback ...``)."""

    def copy_files(self):
        pages = glob.glob(os.path.join(self.src_path, "*.html"))
        platform = sorted({os.path.basename(os.path.dirname(os.path.dirname(page))) for page in pages
                           if not os.path.isfile(os.path.join(os.path.dirname(page), "submission_secret.txt"))})
        for student in platform:
            self.log.warning(
                "Not released through the hub for %s: the submission came from a learning platform (no "
                "submission_secret.txt). Return it with `python -m qikit.grading.vle feedback moodle|canvas %s "
                "--out FILE.zip`.", student, self.coursedir.assignment_id)
        before = self.coursedir.student_id_exclude
        self.coursedir.student_id_exclude = ",".join([*filter(None, (before or "").split(",")), *platform])
        try:
            super().copy_files()
        finally:
            self.coursedir.student_id_exclude = before


def _matches(config, assignment: str) -> dict:
    path = Path(config.GradingRecords.directory) / assignment / "_vle.json"
    return json.loads(path.read_text()) if path.exists() else {}


def feedback_archive(config, assignment: str, platform: str, out: Path) -> list[str]:
    """Zip every collected student's feedback page, named for ``platform``'s bulk upload; returns the names."""
    root = Path(config.CourseDirectory.root)
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for student, entry in sorted(_matches(config, assignment).items()):
            if entry["platform"] != platform:
                continue
            for page in sorted((root / "feedback" / student / assignment).glob("*.html")):
                name = f"{entry['prefix']}_{page.stem}_feedback.html"
                archive.write(page, name)
                names.append(name)
    return names


def grades_file(config, assignment: str, platform: str, out: Path, canvas_assignment_id: str = "") -> list[dict]:
    """Write ``platform``'s grade import file for ``assignment``; returns its rows (without Canvas's points row)."""
    from .report import GRADED, build

    report = {r.student: r for r in build(config, assignment).students}
    matches = {s: e for s, e in _matches(config, assignment).items() if e["platform"] == platform}
    rows = []
    for student, entry in sorted(matches.items()):
        r = report.get(student)
        final = r is not None and r.status == GRADED
        grade = f"{r.score:.2f}" if final and r.score is not None else ""
        if platform == "moodle":
            rows.append({"Identifier": f"Participant {entry['participant']}", "Full name": entry["full_name"],
                         "Email address": entry.get("email", ""), "Status": "Submitted for grading",
                         "Grade": grade, "Maximum Grade": f"{r.max_score:.2f}" if r else "",
                         "Grade can be changed": "Yes", "Last modified (submission)": "",
                         "Last modified (grade)": "",
                         "Feedback comments": "" if final else (r.status + (f": {r.why}" if r and r.why else "")
                                                                if r else "not graded")})
        else:
            rows.append({"Student": entry["name"], "ID": entry["user_id"], "SIS User ID": "", "SIS Login ID": "",
                         "Section": "", f"{assignment} ({canvas_assignment_id})": grade})
    with open(out, "w", newline="", encoding="utf-8") as handle:
        if platform == "moodle":
            writer = csv.DictWriter(handle, MOODLE_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        else:
            column = f"{assignment} ({canvas_assignment_id})"
            writer = csv.DictWriter(handle, CANVAS_COLUMNS + [column])
            writer.writeheader()
            maximum = next((f"{r.max_score:.2f}" for r in report.values()), "")
            writer.writerow({"Student": "    Points Possible", column: maximum})
            writer.writerows(rows)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Package feedback or grades for Moodle or Canvas.")
    parser.add_argument("what", choices=["feedback", "grades"])
    parser.add_argument("platform", choices=["moodle", "canvas"])
    parser.add_argument("assignment")
    parser.add_argument("--out", required=True, help="the zip (feedback) or CSV (grades) to write")
    parser.add_argument("--canvas-assignment-id", default="", help="Canvas's id of the assignment (grades)")
    parser.add_argument("--config", default="nbgrader_config.py", help="the course's nbgrader configuration")
    args = parser.parse_args(argv)
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(args.config).resolve()
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    if args.what == "feedback":
        names = feedback_archive(config, args.assignment, args.platform, Path(args.out))
        print(f"{len(names)} feedback files in {args.out}")
    else:
        rows = grades_file(config, args.assignment, args.platform, Path(args.out), args.canvas_assignment_id)
        print(f"{len(rows)} students in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
