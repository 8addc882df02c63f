"""Notebook 11, *Your QI project*: its checks' answer banks, what its prose states, and where it writes.

tests/test_answer_banks.py runs every row of the bank (nb11's rows are at the end of
tests/answer_banks/notebook_checks.py); here each nb11 check is held to a full bank, the example file's
problems are those the notebook describes, and a run of the notebook writes nothing into the repository.
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from qikit.exercises import nb11
from qikit.widgets.uploader import read_table
from tests.answer_banks import notebook_checks as bank

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "11-your-qi-project.ipynb"
KINDS = {"model", "right", "misconception", "wrong", "blank"}


def _text() -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells)


def test_every_nb11_check_has_a_full_answer_bank():
    module = importlib.import_module("qikit.exercises.nb11")
    checks = {f"nb11.{f}" for f in module.__all__ if (f.startswith("check_") or f == "self_check")
              and inspect.isfunction(getattr(module, f))}
    rows: dict[str, list[str]] = {}
    for name, kind, *_ in bank.BANK:
        rows.setdefault(name, []).append(kind)
    assert checks <= set(rows), f"no bank for {sorted(checks - set(rows))}"
    for name in checks:
        assert len(rows[name]) >= 6 and set(rows[name]) >= KINDS, f"{name}: {Counter(rows[name])}"


def test_every_check_the_notebook_calls_exists_and_has_a_bank():
    called = set(re.findall(r"nb11\.(check_\w+|self_check)\(", _text()))
    assert called == {f for f in nb11.__all__ if f.startswith("check_") or f == "self_check"}


def test_the_notebook_states_the_example_files_problem_truly():
    """The notebook says the example file has a blank row, day-first dates and '19O' in row 16."""
    text = _text()
    assert "a typing slip in row 16 (`19O`" in text and "(08/01/2024)" in text
    got = read_table((ROOT / "notebooks" / "data" / "ward_falls_weekly.csv").read_bytes(), "ward_falls_weekly.csv")
    assert got.kinds["week_starting"] == "dates" and str(got.data.loc[2, "week_starting"].date()) == "2024-01-08"
    assert 12 not in got.data.index  # the blank row
    assert len(got.problems) == 1 and "row 16 holds text ('19O')" in got.problems[0]
    assert "(write 190)" in got.problems[0]


@pytest.mark.parametrize("letter, correct", [("a", False), ("b", True), ("c", False)])
def test_the_multiple_choice_options_printed_are_the_checks_own(letter, correct):
    """Exercise 2's and 6's options are printed in the notebook word for word as the checks hold them."""
    text = re.sub(r"\s+", " ", _text())
    for check, choice in ((nb11.check_ethics, nb11._ETHICS), (nb11.check_sampling, nb11._SAMPLING)):
        assert f"**{letter}.** {choice.options[letter].text}" in text
        assert check(choice.options[letter].text).correct is correct


def test_self_check_options_are_printed_word_for_word():
    text = re.sub(r"\s+", " ", _text())
    for question in nb11._SELF.questions.values():
        for letter, option in question.options.items():
            assert f"**{letter}.** {option.text}" in text


@pytest.mark.slow
def test_the_notebook_writes_its_project_outside_the_repository(tmp_path, monkeypatch):
    """Run the notebook as nbval does (from notebooks/, the kernel's temp folder set) and check that the
    repository is untouched and the project file is in the temp folder."""
    from nbclient import NotebookClient

    before = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "notebooks"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    nb = nbformat.read(NOTEBOOK, as_version=4)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(work))  # the kernel starts with this environment
    NotebookClient(nb, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    after = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "notebooks"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert after == before
    assert (work / "qikit-my-project" / "project.json").is_file()
    assert (work / "qikit-my-project" / "project.html").is_file()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    shutil.rmtree(work)
