"""Grading records: what happened to each submission, beside nbgrader's gradebook.

nbgrader's gradebook holds scores. It does not hold why a submission could not be graded (nbgrader
removes its ``autograded/`` folder and logs the reason), what a student changed in locked cells, or
which of the student's code a tutor should look at. The grading steps (``qikit.grading.execute``,
``qikit.grading.integrity``) write those here, one JSON file per student and assignment::

    <directory>/<assignment>/<student>.json
    {"assignment": ..., "student": ...,
     "notebooks": {"<notebook>": {"status": "graded" | "not graded", "why": ..., "events": [...],
                                  "timeouts": [cell ids], "memory_errors": [cell ids],
                                  "output_cut": [cell ids],
                                  "integrity": {"tampering": [...], "code": [...]}}}}

The course's configuration sets ``c.GradingRecords.directory`` to ``<course directory>/grading``; an empty
directory switches records off. Exports and the educator's report (``course/report.py``) read them.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from traitlets import Unicode
from traitlets.config import LoggingConfigurable


class GradingRecords(LoggingConfigurable):
    """Where grading records are kept (see the module docstring)."""

    directory = Unicode("", help="Folder of grading records ('' for none).").tag(config=True)

    def path(self, assignment: str, student: str) -> Path | None:
        if not self.directory:
            return None
        return Path(self.directory) / assignment / f"{student}.json"

    def read(self, assignment: str, student: str) -> dict:
        path = self.path(assignment, student)
        if path is None or not path.exists():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def update(self, ids: dict, reset: bool = False, **fields) -> None:
        """Merge ``fields`` into the record of the notebook ``ids`` names (nbgrader's ``resources['nbgrader']``:
        ``assignment``, ``student``, ``notebook``); ``reset`` starts the notebook's record afresh."""
        assignment, student, notebook = ids.get("assignment"), ids.get("student"), ids.get("notebook")
        path = self.path(assignment, student) if assignment and student else None
        if path is None or not notebook:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.read(assignment, student) or {"assignment": assignment, "student": student, "notebooks": {}}
        entry = {} if reset else data["notebooks"].get(notebook, {})
        entry.update(fields)
        data["notebooks"][notebook] = entry
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False)
        with handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(handle.name, path)


def read_all(directory: str | Path, assignment: str) -> dict[str, dict]:
    """Every student's record of ``assignment``: ``{student: record}``."""
    folder = Path(directory) / assignment
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return out
