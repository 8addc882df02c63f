"""Feedback pages a trainee can read: the course's template and the labels it shows.

``FeedbackLabels`` (a ``GenerateFeedback`` preprocessor) names every check by its question and what it
checks (from the check's first comment line, e.g. "Question 1: checks the baseline against the audit"),
marks each as passed or not, folds the set-up code non-programmers need not read, and writes a score
summary in words. ``template_settings()`` gives the ``HTMLExporter`` settings that select the course's
template (``templates/feedback``, found before nbgrader's own): the page's language set (``lang``), long messages wrapped
instead of cut at the page's edge, dark-enough colours, and a summary list linking to each check.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

TEMPLATES = Path(__file__).with_name("templates")


def template_settings() -> dict:
    """The feedback exporter's template, for ``c.GenerateFeedback.HTMLExporter``: over the settings every
    page shares (:func:`qikit.grading.pages.page_settings`, which name formgrader's marking page)."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
    # ours first: nbgrader's API (and formgrader's button) always asks for the template named "feedback"
    return {"template_name": "feedback", "extra_template_basedirs": [str(TEMPLATES), str(nbgrader_templates)],
            "template_file": "index.html.j2"}


def check_label(grade_id: str, source: str, kind: str) -> str:
    """A check's name for a trainee: its question, and what it checks."""
    match = re.match(r"a\d+_(?:q)?([0-9a-z]+?)(?:_(.+))?$", grade_id)
    question = match.group(1) if match else grade_id
    first = next((line for line in source.split("\n") if line.strip()), "")
    if kind == "markdown":
        words = re.sub(r"^a\d+_", "", grade_id).replace("_", " ")
        return f"Your written answer ({words})"
    if first.lstrip().startswith("#"):
        text = re.sub(r"\s*\(\d+ points?\)\.?\s*$", "", first.lstrip("# ").strip()).rstrip(".")
        return f"Question {question}: {text[0].lower() + text[1:] if text else 'check'}"
    part = (match.group(2) or "check").replace("_", " ") if match else "check"
    return f"Question {question}: {part}"


class FeedbackLabels(NbGraderPreprocessor):
    """Labels, states, folding and the summary for the course's feedback template."""

    language = Unicode("en", help="The language of the feedback page (its lang attribute).").tag(config=True)

    def preprocess(self, nb, resources):
        resources["qikit_language"] = self.language
        nb, resources = super().preprocess(nb, resources)
        info = resources.get("nbgrader", {})
        written = any(c.cell_type == "markdown" and utils.is_grade(c) for c in nb.cells)
        summary = f"Your score: {float(info.get('score', 0)):.1f} out of {float(info.get('max_score', 0)):.1f}."
        if written:
            summary += " Written answers are marked by your tutor; the list below shows each question."
        resources["qikit_summary"] = summary
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
            cell.metadata["qikit_helper"] = True
        if meta.get("grade"):
            cell.metadata["qikit_label"] = check_label(meta.get("grade_id", ""), cell.source, cell.cell_type)
            score, points = float(meta.get("score") or 0), float(meta.get("points") or 0)
            if cell.cell_type == "markdown":
                state, css = "marked by your tutor", "qikit-pending"
            elif score >= points:
                state, css = "passed", "qikit-passed"
            else:
                state, css = "not passed: see the message under the check", "qikit-failed"
            cell.metadata["qikit_state"], cell.metadata["qikit_state_class"] = state, css
        return cell, resources
