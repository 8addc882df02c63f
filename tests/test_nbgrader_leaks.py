"""What students receive gives nothing away, and the source notebooks are well formed.

The released notebooks are generated (nothing is executed, so this module is quick) and searched for
every line of every model answer and hidden test; locked cells must stay locked. The source notebooks
are checked as files: valid nbformat 4, stored without outputs, nbgrader metadata complete, a rubric for
every manually graded answer.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbgrader_helpers import (
    ASSIGNMENTS,
    COURSE,
    HIDDEN_BEGIN,
    MARKS,
    SOLUTION_MARKERS,
    SOURCE,
    cells_by_id,
    hidden_regions,
    make_api,
    nbgrader_meta,
    new_course,
    notebook_path,
    read,
    solution_regions,
)

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = new_course(tmp_path_factory.mktemp("leaks"))
    api = make_api(root)
    for name in ASSIGNMENTS:
        result = api.generate_assignment(name)
        assert result["success"], result.get("log")
    return root


def _source(name):
    return read(SOURCE / name / f"{name}.ipynb")


def _secret_lines(nb) -> set[str]:
    """Lines of model answers and hidden tests that appear nowhere else in the source notebook (a line such
    as ``aim = qikit.AimStatement(`` that the instructions show too is no secret)."""
    secret, public = set(), []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        hidden = hidden_regions(cell.source)
        answer = solution_regions(cell.source)
        if meta.get("solution") and cell.cell_type == "markdown":
            answer = cell.source.split("\n")  # a written answer is cleared whole
        secret.update(line.strip() for line in hidden + answer)
        public.extend(line for line in cell.source.split("\n") if line not in hidden and line not in answer)
    public_text = "\n".join(public)
    return {line for line in secret if len(line) >= 8 and line not in public_text}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_contains_no_answer_and_no_hidden_test(course, name):
    released = notebook_path(course, "release", name).read_text(encoding="utf-8")
    text = "\n".join(c.source for c in nbformat.reads(released, as_version=4).cells)
    secrets = _secret_lines(_source(name))
    assert len(secrets) > 20  # the search has something to find
    leaked = sorted(line for line in secrets if line in text)
    assert not leaked, leaked[:5]
    for marker in (*SOLUTION_MARKERS, HIDDEN_BEGIN, "HIDDEN TESTS"):
        assert marker not in released


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_locked_cells_stay_locked(course, name):
    source = cells_by_id(_source(name))
    release = cells_by_id(read(notebook_path(course, "release", name)))
    assert source.keys() == release.keys()
    for grade_id, cell in release.items():
        meta = nbgrader_meta(cell)
        if nbgrader_meta(source[grade_id]).get("locked"):
            assert meta["locked"] and cell.metadata.get("editable") is False, grade_id
            assert cell.metadata.get("deletable") is False, grade_id
            assert meta.get("checksum"), grade_id  # what lets nbgrader detect tampering
        if meta.get("solution"):
            assert not meta["locked"] and cell.metadata.get("editable", True), grade_id


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_notebook_is_clean_nbformat(name):
    path = SOURCE / name / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert json.loads(path.read_text(encoding="utf-8"))["nbformat"] == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None  # stored without outputs
    files = [p for p in (SOURCE / name).iterdir() if not p.name.startswith(".")]  # not .ipynb_checkpoints
    assert files == [path]  # one notebook, no stray files (nbgrader would release them too)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_metadata_is_complete(name):
    nb = _source(name)
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells]
    assert all(ids) and len(set(ids)) == len(ids)  # every cell is nbgrader-managed, ids unique
    auto = manual = 0
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta["grade"] and cell.cell_type == "code":  # an autograded check
            assert meta["locked"] and not meta["solution"]
            assert HIDDEN_BEGIN in cell.source, f"{meta['grade_id']} has no hidden tests"
            auto += meta["points"]
        elif meta["grade"]:  # a manually graded written answer
            assert meta["solution"] and cell.cell_type == "markdown"
            manual += meta["points"]
        elif meta["solution"]:
            assert SOLUTION_MARKERS[0] in cell.source, f"{meta['grade_id']} has no solution region"
        else:
            assert meta["locked"], f"{meta['grade_id']}: instructions and set-up are read-only"
    assert (auto, manual) == MARKS[name]


def test_a_rubric_for_every_manually_graded_answer():
    rubrics = COURSE / "rubrics"
    expected = set()
    for name in ASSIGNMENTS:
        for cell in _source(name).cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade") and cell.cell_type == "markdown":
                expected.add(f"{meta['grade_id']}.md")
                text = (rubrics / f"{meta['grade_id']}.md").read_text(encoding="utf-8")
                assert f"{meta['points']} point" in text and name in text
    assert {p.name for p in rubrics.glob("*.md")} == expected


def test_course_directory_settings(monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.delenv("QIKIT_COURSE_DIR", raising=False)

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    root = COURSE.parent / "assignments"
    assert config.CourseDirectory.root == str(root)
    assert config.CourseDirectory.source_directory == "source"
    assert config.CourseDirectory.db_url == f"sqlite:///{root / 'gradebook.db'}"
    assert 0 < config.Execute.timeout <= 60
    assert config.ClearSolutions.begin_solution_delimeter == "BEGIN SOLUTION"
    assert config.ClearHiddenTests.begin_test_delimeter == "BEGIN HIDDEN TESTS"


# --- the feedback copy after the hidden tests ran (qikit.grading.integrity.ContainHiddenTestRuns) ------------
def _feedback_copy(name):
    """Assignment ``name``'s source notebook standing in for an autograded one (hidden tests in place), each
    code cell given outputs as a hostile kernel could make them."""
    nb = read(SOURCE / name / f"{name}.ipynb")
    hidden = [line.strip() for cell in nb.cells for line in hidden_regions(cell.source) if len(line.strip()) > 20]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        outputs = [nbformat.v4.new_output("stream", name="stdout", text="chunk: " + hidden[0][3:30])]
        if meta.get("grade") and not meta.get("solution"):
            # a patched showtraceback: the test's error carries a piece of the hidden test
            outputs.append(nbformat.v4.new_output("error", ename="AssertionError", evalue=hidden[1][2:25],
                                                  traceback=[hidden[1]]))
        cell.outputs = outputs
    return nb, hidden


def test_after_the_first_hidden_test_only_authors_messages_remain():
    from qikit.grading.integrity import WITHHELD, ContainHiddenTestRuns, check_messages

    name = "a1_aims_and_measures"
    nb, hidden = _feedback_copy(name)
    first = next(i for i, c in enumerate(nb.cells) if HIDDEN_BEGIN in c.source)
    before = [dict(o) for o in nb.cells[first - 1].get("outputs", [])] if nb.cells[first - 1].cell_type == "code" else []
    out, _ = ContainHiddenTestRuns().preprocess(nb, {})
    if before:  # a cell before the first hidden test keeps its output (the other preprocessors redact it)
        assert [dict(o) for o in out.cells[first - 1].outputs] == before
    text = json.dumps([c.get("outputs", []) for c in out.cells[first:]])
    assert not [line for line in hidden if line[3:30] in text or line[2:25] in text]
    checks = [c for c in out.cells[first:] if c.cell_type == "code" and nbgrader_meta(c).get("grade")
              and not nbgrader_meta(c).get("solution")]
    answers = [c for c in out.cells[first:] if c.cell_type == "code" and c not in checks]
    assert checks and answers
    assert all(o["output_type"] == "error" and o["evalue"] == "This check did not pass." for c in checks
               for o in c.outputs)
    assert all(c.outputs == [{"output_type": "stream", "name": "stdout", "text": WITHHELD}] for c in answers)
    # The author's own message of a failing check is kept, word for word.
    check = next(c for c in nb.cells[first:] if c in checks and check_messages(c.source))
    message = next(m for m in check_messages(check.source) if "[^\n]*" not in m.pattern)
    words = message.pattern.replace("\\", "")
    check.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue=words, traceback=[])]
    out, _ = ContainHiddenTestRuns().preprocess(nb, {})
    assert check.outputs[0]["evalue"] == words and check.outputs[0]["ename"] == "AssertionError"
