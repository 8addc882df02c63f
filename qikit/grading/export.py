"""``nbgrader export`` with a status on every row, so that no one reads a bare 0.0 nobody marked.

The course's configuration sets ``c.ExportApp.plugin_class`` to ``StatusCsvExportPlugin``: the columns of
nbgrader's CSV export (``assignment, duedate, timestamp, student_id, last_name, first_name, email,
raw_score, late_submission_penalty, score, max_score``) followed by

- ``status``: ``graded``, ``needs manual marking`` (the score so far is provisional), ``not graded`` (the
  score columns are left empty) or ``not submitted`` (score 0, as nbgrader gives);
- ``why``: for ``not graded``, what happened (the kernel died, a sandbox limit, a loop ignoring the
  interrupt); for ``needs manual marking``, which answers wait for the tutor;
- ``flagged`` (``yes``/``no``) and ``flags``: tampering with locked cells, code a tutor should look at,
  limits reached (see ``qikit.grading.integrity`` and ``qikit.grading.report``).
"""

from __future__ import annotations

import csv

from nbgrader.plugins import CsvExportPlugin

from .report import NOT_GRADED, build

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "status", "why", "flagged", "flags"]


def rows(config, gradebook) -> list[dict]:
    """One row per assignment and student, as ``StatusCsvExportPlugin`` writes them."""
    from nbgrader.api import MissingEntry

    out = []
    for assignment in gradebook.assignments:
        report = {r.student: r for r in build(config, assignment.name).students}
        for student in gradebook.students:
            r = report.get(student.id)
            row = {"assignment": assignment.name, "duedate": assignment.duedate or "", "student_id": student.id,
                   "last_name": student.last_name or "", "first_name": student.first_name or "",
                   "email": student.email or "", "timestamp": "", "raw_score": 0.0,
                   "late_submission_penalty": 0.0, "score": 0.0, "max_score": assignment.max_score,
                   "status": r.status if r else "not submitted", "why": r.why if r else "",
                   "flagged": "yes" if r and r.flagged else "no", "flags": " | ".join(r.flags) if r else ""}
            try:
                sub = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                sub = None
            if sub is not None:
                row.update(timestamp=sub.timestamp or "", raw_score=sub.score,
                           late_submission_penalty=sub.late_submission_penalty,
                           score=sub.score - sub.late_submission_penalty)
            if row["status"] == NOT_GRADED:
                row.update(raw_score="", late_submission_penalty="", score="")
            out.append(row)
    return out


class StatusCsvExportPlugin(CsvExportPlugin):
    """nbgrader's CSV export plus ``status``, ``why``, ``flagged`` and ``flags`` (see the module docstring)."""

    def export(self, gradebook) -> None:
        dest = self.to or "grades.csv"
        self.log.info("Exporting grades with statuses to %s", dest)
        data = rows(self.config, gradebook)
        if self.assignment:
            data = [r for r in data if r["assignment"] in self.assignment]
        if self.student:
            data = [r for r in data if r["student_id"] in self.student]
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, COLUMNS)
            writer.writeheader()
            writer.writerows(data)
