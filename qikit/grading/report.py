"""The educator's report on one assignment: marks, statuses, flags, item statistics, misconceptions.

Built from nbgrader's gradebook (scores), the grading records (``qikit.grading.records``: why a
submission was not graded, tampering, code a tutor should look at) and the autograded notebooks (which
checks failed, with which message). ``build`` returns plain tables; ``write`` saves them as CSV files
and as one HTML page with charts.

Statuses (one per student): ``graded``; ``needs manual marking`` (a written answer waits for the tutor;
the score so far is provisional); ``not graded`` (with why: the kernel died, a limit was reached, a loop
ignored the interrupt); ``not submitted``. ``flagged`` is separate: a graded submission can be flagged.

Item statistics follow classical test theory: the *facility* of a check is its mean score as a
fraction of its points (Crocker & Algina, *Introduction to Classical and Modern Test Theory*, 1986,
ch. 14: the item difficulty index p), and its *discrimination* is the corrected item-total correlation:
the Pearson correlation between the check's score and the total of the other checks, over the graded
submissions (Crocker & Algina 1986, ch. 14; the item is left out of the total so it does not correlate
with itself). Discrimination is left empty where it is undefined (fewer than three graded submissions,
or a check or total that does not vary).
"""

from __future__ import annotations

import csv
import html
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .records import read_all

NOT_GRADED, NEEDS_MANUAL, GRADED, NOT_SUBMITTED = "not graded", "needs manual marking", "graded", "not submitted"


@dataclass
class StudentRow:
    student: str
    status: str
    why: str = ""
    score: float | None = None
    max_score: float = 0.0
    marks: dict = field(default_factory=dict)  # check -> score (None: not graded)
    flags: list = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class Report:
    assignment: str
    checks: list  # (check id, kind "auto" | "manual", max score)
    students: list  # StudentRow
    items: list  # dicts: check, kind, max_score, n, facility, discrimination
    misconceptions: list  # dicts: check, message, students

    def attention(self) -> list[StudentRow]:
        return [s for s in self.students if s.status in {NOT_GRADED, NEEDS_MANUAL} or s.flagged]


#: What the grading record can say about a notebook, and the line the report gives each entry:
#: (where in the record, the template). Entries are dicts (tampering, code) or plain values.
_FLAG_LINES = (
    (("integrity", "tampering"), "tampering: cell {cell} {detail}"),
    (("integrity", "code"), "code ({kind}): cell {cell} {what}"),
    (("events",), "sandbox: {value} limit reached"),
    (("timeouts",), "timeout: cell {value} ran past the time limit"),
    (("memory_errors",), "memory: cell {value} ran out of memory"),
    (("output_cut",), "output: cell {value} printed more than the grader keeps"),
)


def _flags(record: dict) -> list[str]:
    out = []
    for _name, entry in sorted(record.get("notebooks", {}).items()):
        for path, template in _FLAG_LINES:
            found = entry
            for key in path:
                found = found.get(key, {}) if isinstance(found, dict) else {}
            for item in found or []:
                out.append(template.format(**item) if isinstance(item, dict) else template.format(value=item))
    return out


def _pearson(x: list[float], y: list[float]) -> float | None:
    n = len(x)
    if n < 3:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / math.sqrt(sxx * syy)


def build(config, assignment: str) -> Report:
    """The report on ``assignment`` for the course that nbgrader ``config`` describes."""
    from nbgrader.api import Gradebook, MissingEntry

    root = Path(config.CourseDirectory.root)
    records = read_all(config.GradingRecords.directory, assignment) if config.GradingRecords.get(
        "directory") else {}
    submitted = {p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir()}
    rows, checks = [], []
    failures: Counter = Counter()
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        a = gb.find_assignment(assignment)
        for notebook in a.notebooks:
            for cell in notebook.grade_cells:
                checks.append((cell.name, "auto" if cell.cell_type == "code" else "manual", float(cell.max_score)))
        students = sorted({s.id for s in gb.students} | submitted | set(records))
        for student in students:
            record = records.get(student, {})
            flags = _flags(record)
            failed_notebooks = {n: e for n, e in record.get("notebooks", {}).items()
                                if e.get("status") == NOT_GRADED}
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                sub = None
            row = StudentRow(student, GRADED, max_score=sum(c[2] for c in checks), flags=flags)
            if sub is None and student not in submitted:
                row.status = NOT_SUBMITTED
                rows.append(row)
                continue
            graded_paths = list((root / "autograded" / student / assignment).glob("*.ipynb"))
            if failed_notebooks or sub is None or not graded_paths:
                row.status = NOT_GRADED
                row.why = "; ".join(e.get("why") or "" for e in failed_notebooks.values()) or \
                    "no autograded result (autograding failed or has not been run)"
                row.marks = {c[0]: None for c in checks}
                rows.append(row)
                continue
            grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
            for check, _kind, _ in checks:
                g = grades.get(check)
                row.marks[check] = None if g is None else float(g.score)
            if any(g.needs_manual_grade for g in grades.values()):
                row.status = NEEDS_MANUAL
                pending = [name for name, g in grades.items() if g.needs_manual_grade]
                row.why = "waiting for the tutor: " + ", ".join(sorted(pending))
            row.score = float(sub.score)
            rows.append(row)
            for path in graded_paths:
                for cell in nbformat.read(path, as_version=4).cells:
                    meta = cell.get("metadata", {}).get("nbgrader", {})
                    if cell.cell_type == "code" and meta.get("grade") and meta.get("grade_id"):
                        for out in cell.get("outputs", []):
                            if out.get("output_type") == "error":
                                message = (out.get("evalue") or out.get("ename") or "").strip()
                                failures[meta["grade_id"], message[:300]] += 1
                                break
    graded = [r for r in rows if r.status in {GRADED, NEEDS_MANUAL}]
    items = []
    for check, kind, max_score in checks:
        scored = [r for r in graded if r.marks.get(check) is not None]
        n = len(scored)
        facility = (sum(r.marks[check] for r in scored) / (n * max_score)) if n and max_score else None
        discrimination = None
        if kind == "auto":
            x = [r.marks[check] for r in scored]
            rest = [sum(v for k, v in r.marks.items() if k != check and v is not None) for r in scored]
            discrimination = _pearson(x, rest)
        items.append({"check": check, "kind": kind, "max_score": max_score, "n": n,
                      "facility": facility, "discrimination": discrimination})
    misconceptions = [{"check": c, "message": m, "students": k}
                      for (c, m), k in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Report(assignment, checks, rows, items, misconceptions)


# ------------------------------------------------------------------------------------------------
# files


def _fmt(value, digits=2):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def write(report: Report, folder: Path) -> dict[str, Path]:
    """Write the report as CSV files and one HTML page into ``folder``; returns their paths by name."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    a = report.assignment
    paths = {name: folder / f"{a}_{name}.csv" for name in ("marks", "items", "misconceptions", "attention")}
    checks = [c[0] for c in report.checks]
    with paths["marks"].open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["student", "status", "why", "flagged", "score", "max_score", *checks])
        for r in report.students:
            w.writerow([r.student, r.status, r.why, "yes" if r.flagged else "no", _fmt(r.score, 1),
                        _fmt(r.max_score, 1), *[_fmt(r.marks.get(c), 1) for c in checks]])
    with paths["items"].open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["check", "kind", "max_score", "n", "facility", "discrimination"])
        for i in report.items:
            w.writerow([i["check"], i["kind"], _fmt(i["max_score"], 1), i["n"], _fmt(i["facility"]),
                        _fmt(i["discrimination"])])
    with paths["misconceptions"].open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["check", "message", "students"])
        for m in report.misconceptions:
            w.writerow([m["check"], m["message"], m["students"]])
    with paths["attention"].open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle)
        w.writerow(["student", "status", "why", "flags"])
        for r in report.attention():
            w.writerow([r.student, r.status, r.why, " | ".join(r.flags)])
    paths["html"] = folder / f"{a}_report.html"
    paths["html"].write_text(to_html(report), encoding="utf-8")
    return paths


def _bars(values: list[tuple[str, float | None]], width=420, label="") -> str:
    """A horizontal bar chart (inline SVG, greyscale) of values between 0 and 1."""
    rows = len(values)
    h = 22 * rows + 10
    parts = [f'<svg role="img" aria-label="{html.escape(label)}" width="{width + 240}" height="{h}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">']
    for i, (name, v) in enumerate(values):
        y = 5 + 22 * i
        parts.append(f'<text x="0" y="{y + 14}" fill="#000">{html.escape(name)}</text>')
        if v is not None:
            parts.append(f'<rect x="230" y="{y}" width="{max(v, 0) * width:.0f}" height="16" fill="#555"/>')
            parts.append(f'<text x="{236 + max(v, 0) * width:.0f}" y="{y + 13}" fill="#000">{v:.2f}</text>')
        else:
            parts.append(f'<text x="236" y="{y + 13}" fill="#000">n/a</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: Report) -> str:
    e = html.escape
    a = report.assignment
    checks = [c[0] for c in report.checks]
    out = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Report: {e(a)}</title>',
           "<style>body{font-family:sans-serif;max-width:70em;margin:1em auto;padding:0 1em;line-height:1.4;"
           "color:#111}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #888;"
           "padding:.2em .5em;text-align:left}caption{text-align:left;font-weight:bold}</style></head><body>",
           f"<h1>Educator's report: {e(a)}</h1>"]
    counts = Counter(r.status for r in report.students)
    out.append("<p>" + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) +
               f"; flagged: {sum(r.flagged for r in report.students)}.</p>")
    out.append("<h2>Submissions needing attention</h2>")
    attention = report.attention()
    if attention:
        out.append("<table><caption>Not graded, waiting for manual marking, or flagged</caption>"
                   "<tr><th scope='col'>Student</th><th scope='col'>Status</th><th scope='col'>Why</th>"
                   "<th scope='col'>Flags</th></tr>")
        for r in attention:
            flags = "<br>".join(e(f) for f in r.flags) or "none"
            out.append(f"<tr><td>{e(r.student)}</td><td>{e(r.status)}</td><td>{e(r.why)}</td><td>{flags}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append("<h2>Checks: facility and discrimination</h2>")
    out.append("<p>Facility: the share of the points students earned (1 = everyone right). Discrimination: "
               "how well the check separates stronger from weaker submissions (correlation with the rest of "
               "the marks; low or negative values deserve a look at the question).</p>")
    out.append(_bars([(i["check"], i["facility"]) for i in report.items], label="Facility of each check"))
    out.append("<table><caption>Checks</caption><tr><th scope='col'>Check</th><th scope='col'>Kind</th>"
               "<th scope='col'>Points</th><th scope='col'>Students</th><th scope='col'>Facility</th>"
               "<th scope='col'>Discrimination</th></tr>")
    for i in report.items:
        out.append(f"<tr><td>{e(i['check'])}</td><td>{e(i['kind'])}</td><td>{_fmt(i['max_score'], 0)}</td>"
                   f"<td>{i['n']}</td><td>{_fmt(i['facility'])}</td><td>{_fmt(i['discrimination'])}</td></tr>")
    out.append("</table><h2>Most common misconceptions</h2>")
    if report.misconceptions:
        out.append("<table><caption>Messages of failed checks, by how many students got them</caption>"
                   "<tr><th scope='col'>Students</th><th scope='col'>Check</th><th scope='col'>Message</th></tr>")
        for m in report.misconceptions[:20]:
            out.append(f"<tr><td>{m['students']}</td><td>{e(m['check'])}</td><td>{e(m['message'])}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>No check failed.</p>")
    out.append("<h2>Marks per student and check</h2><table><caption>Marks</caption><tr><th scope='col'>Student"
               "</th><th scope='col'>Status</th><th scope='col'>Score</th>" +
               "".join(f"<th scope='col'>{e(c)}</th>" for c in checks) + "</tr>")
    for r in report.students:
        score = "" if r.score is None else f"{r.score:.1f} / {r.max_score:.1f}"
        out.append(f"<tr><td>{e(r.student)}</td><td>{e(r.status)}{' (flagged)' if r.flagged else ''}</td>"
                   f"<td>{score}</td>" + "".join(f"<td>{_fmt(r.marks.get(c), 1)}</td>" for c in checks) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out)
