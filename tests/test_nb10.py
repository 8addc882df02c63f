"""Notebook 10 (people and change) and its checks: every check has a full answer bank and gives each answer
the verdict a fair tutor gives; the notebook prints the same items and options its checks mark, so the two
cannot drift apart; the worked example's feedback is what qikit computes."""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from qikit.exercises import nb10
from tests.answer_banks import notebook_checks as nbbank
from tests.notebook_options import _OPTION

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "10-people-and-change.ipynb"
KINDS = {"model", "right", "misconception", "wrong", "blank"}
ROWS = [r for r in nbbank.BANK if r[0].startswith("nb10.")]


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _text(cell) -> str:
    return "".join(cell["source"])


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def test_every_check_has_a_full_bank():
    checks = {f"nb10.{n}" for n in nb10.__all__ if inspect.isfunction(getattr(nb10, n))}
    kinds: dict[str, list[str]] = {}
    for name, kind, *_ in ROWS:
        kinds.setdefault(name, []).append(kind)
    assert set(kinds) == checks
    for name, found in kinds.items():
        assert len(found) >= 6 and set(found) >= KINDS, f"{name}: {Counter(found)}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}-{r[1]}-{r[4][:30]}" for r in ROWS])
def test_bank_answer_gets_a_fair_verdict(row):
    name, kind, answer, verdict, note = row
    got = getattr(nb10, name.split(".")[1])(answer)
    assert got.status == verdict, f"{name} ({kind}: {note or answer!r}): a fair tutor says {verdict}, the check:\n{got}"
    assert got.correct == (verdict == "right")
    assert str(got)  # always a sentence, never an exception


@pytest.mark.parametrize("items, heading", [
    (nb10.QUADRANT_ITEMS, "Exercise 1"), (nb10.PSYCHOLOGY_ITEMS, "Exercise 3"), (nb10.MOTIVATION_ITEMS, "Exercise 5")])
def test_notebook_lists_the_items_its_check_marks(items, heading):
    cell = next(c for c in _cells() if c["cell_type"] == "markdown" and heading in _text(c))
    printed = [_flat(t) for t in re.findall(r"^\d+\.\s+(.*?)(?=^\d+\.\s|\Z)", _text(cell), re.M | re.S)]
    assert printed == [_flat(i.text) for i in items.items]


def _options(heading: str) -> dict[str, str]:
    cell = next(c for c in _cells() if c["cell_type"] == "markdown" and heading in _text(c))
    return {k: re.sub(r"\s+", " ", v).strip() for k, v in _OPTION.findall(_text(cell))}


def test_notebook_prints_the_options_its_checks_accept():
    assert _options("Exercise 4") == {k: o.text for k, o in nb10.JUST_CULTURE.options.items()}
    assert _options("Exercise 6") == {k: o.text for k, o in nb10.FEEDBACK_LOOP.options.items()}
    cell = next(c for c in _cells() if c["cell_type"] == "markdown" and "Exercise 7" in _text(c))
    assert dict(re.findall(r"^- `([a-f])`: (.*)$", _text(cell), re.M)) == nb10.EBCD_STAGES
    cell = next(c for c in _cells() if c["cell_type"] == "markdown" and _text(c).startswith("## Self-check"))
    parts = re.split(r"^\s*(\d+)\.\s", _text(cell), flags=re.M)
    printed = {int(parts[k]): {a: re.sub(r"\s+", " ", b).strip() for a, b in _OPTION.findall(parts[k + 1])}
               for k in range(1, len(parts), 2)}
    assert printed == nb10.SELF_CHECK_OPTIONS


def test_every_exercise_cell_calls_its_check_once_and_starts_unanswered():
    cells = [c for c in _cells() if c["cell_type"] == "code" and "# Your turn" in _text(c)]
    called = [re.findall(r"nb10\.(\w+)\(", _text(c)) for c in cells]
    assert [c[0] for c in called] == ["check_quadrants", "check_grid", "check_psychology", "check_just_culture",
                                      "check_motivation", "check_feedback_loop", "check_ebcd", "check_comms_plan",
                                      "self_check"]
    for cell in cells:
        shown = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
        assert shown.startswith("… Not answered yet."), shown


def test_worked_draft_feedback_is_what_qikit_computes():
    """The notebook prints the draft grid's feedback; the rules that fire are the two the prose sets up."""
    source = next(_text(c) for c in _cells() if c["cell_type"] == "code" and "draft = StakeholderMap" in _text(c))
    namespace: dict = {}
    exec("from qikit.improve.stakeholders import StakeholderMap\n" + source.rsplit("\n", 1)[0], namespace)  # noqa: S102
    draft = namespace["draft"]
    assert draft.review()["rule"].tolist() == ["powerful_opponent_unplanned", "no_patient_voice"]
    printed = next("".join(o["text"]) for c in _cells() if c["cell_type"] == "code" and "draft.feedback()" in _text(c)
                   for o in c["outputs"] if o["output_type"] == "stream")
    assert printed == "".join(f"- {n}\n" for n in draft.feedback())
