"""Run an assignment's source notebook in-process with a trainee's answer in place of the model answer, and
report the points each autograded cell (hidden tests included) gives. Quicker than nbgrader, and the same
code: the cells are executed as written in ``assignments/source``."""

from __future__ import annotations

import contextlib
import io
import json
import warnings
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "assignments" / "source"


def cells(assignment: str) -> list[dict]:
    nb = json.loads((SOURCE / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))
    return nb["cells"]


def _source(cell: dict) -> str:
    text = "".join(cell["source"])
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))


def grade(assignment: str, answers: dict[str, str]) -> dict[str, float]:
    """Points per autograded cell when the answer cells named in ``answers`` hold the given code (the other
    answer cells keep the model answer). A cell whose code raises gives 0 for the tests that need it."""
    namespace: dict = {"__name__": "__main__"}
    points: dict[str, float] = {}
    for cell in cells(assignment):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code":
            continue
        grade_id = meta.get("grade_id")
        code = answers.get(grade_id, _source(cell)) if meta.get("solution") else _source(cell)
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                exec(compile(code, f"<{grade_id}>", "exec"), namespace)  # noqa: S102 - the course's own cells
            ok = True
        except Exception:  # a trainee's mistake: the cell fails, as it would in nbgrader
            ok = False
        if meta.get("grade") and not meta.get("solution"):
            points[grade_id] = float(meta.get("points", 0)) if ok else 0.0
    return points
