"""Answer banks: every check and every autograded assignment test, given answers written from the question
(the model answer, right answers phrased or formatted differently, a common misconception, a plainly wrong
answer, a blank), gives the verdict a fair tutor gives.

The banks are data: ``tests/answer_banks/notebook_checks.csv`` (the notebooks' instant checks) and
``tests/answer_banks/assignments.py`` (the assignments' hidden tests, run in-process on the source notebooks).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.answer_banks.assignments import BANK, FOLLOW_THROUGH
from tests.answer_banks.harness import grade

HERE = Path(__file__).resolve().parent / "answer_banks"
KINDS = {"model", "right", "misconception", "wrong", "blank"}


# ------------------------------------------------------------------------------------ assignments
def _row_id(row):
    assignment, cell, kind, what, _, _ = row
    return f"{cell}-{kind}-{what[:40]}"


@pytest.mark.parametrize("row", BANK, ids=[_row_id(r) for r in BANK])
def test_assignment_answer(row):
    assignment, cell, kind, what, code, expected = row
    points = grade(assignment, {} if code is None else {cell: code})
    got = {k: points[k] for k in expected}
    assert got == expected, f"{assignment} {cell} ({kind}: {what}): a fair tutor gives {expected}, the tests {got}"


@pytest.mark.parametrize("assignment, answers, expected", FOLLOW_THROUGH)
def test_assignment_follow_through(assignment, answers, expected):
    points = grade(assignment, answers)
    assert {k: points[k] for k in expected} == expected


def test_every_assignment_question_has_a_full_bank():
    """At least six answers per answer cell, covering all five kinds; every autograded cell is covered."""
    per_cell = {}
    for assignment, cell, kind, _, _, expected in BANK:
        per_cell.setdefault((assignment, cell), []).append((kind, expected))
    covered = set()
    for (assignment, cell), rows in per_cell.items():
        assert len(rows) >= 6, f"{cell}: {len(rows)} answers"
        assert {k for k, _ in rows} >= KINDS, f"{cell}: kinds {Counter(k for k, _ in rows)}"
        for _, expected in rows:
            covered |= {(assignment, t) for t in expected}
    for assignment in {a for a, *_ in BANK}:
        autograded = set(grade(assignment, {}))
        assert {t for a, t in covered if a == assignment} == autograded, assignment
