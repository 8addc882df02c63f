"""README.md: exactly two set-up commands, both one line, both exercised; its Python example runs."""

from __future__ import annotations

import re
import shlex

from conftest import ROOT
from readme import command_block, python_blocks


def test_exactly_two_setup_commands():
    text = (ROOT / "README.md").read_text()
    assert len(re.findall(r"```bash", text)) == 2
    course, test = command_block("course-command"), command_block("test-command")
    for cmd in (course, test):
        assert cmd.startswith("python3 -m venv .venv && ")
    assert '".[course]"' in course and "jupyter lab" in course
    assert '".[test]"' in test and test.endswith("-m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci  # .ci/run extracts the command from the README, never a copy
    assert "set -euo pipefail" in ci


def test_course_command_opens_the_notebooks_folder():
    args = shlex.split(command_block("course-command").split(" && ")[-1])
    assert args[:2] == [".venv/bin/jupyter", "lab"]
    assert "--ServerApp.root_dir=notebooks" in args


def test_python_example_runs(capsys):
    block = python_blocks()[0]  # the API tour; the <!-- own-data --> block is run by tests/test_forms.py
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Points" in out or "point" in out
