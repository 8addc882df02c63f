"""Helpers for the nbgrader tests and the autograde benchmark: a throw-away course directory driven
through nbgrader's own Python API, and the submissions the tests grade.

A course directory here is a temporary folder holding a copy of ``assignments/source``; nbgrader creates
``release/``, ``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` beside it, exactly as it
does in ``assignments/`` when an educator runs the commands in ``course/README.md``. The configuration is
the course's own ``course/nbgrader_config.py``, with only the paths (and, where a test needs it, the cell
timeout) changed.
"""

from __future__ import annotations

import copy
import html
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "source"
COURSE = ROOT / "course"
ASSIGNMENTS = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def put_venv_on_path() -> None:
    """nbgrader runs the ``alembic`` command when it creates a gradebook: make sure the one installed
    beside this Python is found first."""
    bindir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bindir:
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def course_config(root: Path, timeout: int | None = None, memory_mb: int | None = None) -> Config:
    """The course's nbgrader configuration, pointed at the course directory ``root``; ``timeout`` (seconds
    per cell) and ``memory_mb`` (the sandbox's memory) replace the course's own where given."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    config.Exchange.root = str(root / "exchange")  # never touch a machine-wide exchange from a test
    config.GradingRecords.directory = str(root / "grading")
    config.Sandbox.hidden_paths = [str(root)]
    if timeout is not None:
        config.Execute.timeout = timeout
    if memory_mb is not None:
        config.Sandbox.memory_mb = memory_mb
    return config


def new_course(root: Path, assignments=ASSIGNMENTS) -> Path:
    """Copy the source notebooks of ``assignments`` into a fresh course directory at ``root``."""
    for name in assignments:
        shutil.copytree(SOURCE / name, root / "source" / name)
    return root


def make_api(root: Path, timeout: int | None = None, memory_mb: int | None = None):
    """An ``NbGraderAPI`` working on the course directory ``root`` (``timeout``, ``memory_mb``: as in
    :func:`course_config`)."""
    put_venv_on_path()
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=course_config(root, timeout, memory_mb))


# ---------------------------------------------------------------------------------------------------
# notebooks


def notebook_path(root: Path, step: str, assignment: str, student: str | None = None) -> Path:
    parts = [root, step] + ([student] if student else []) + [assignment, f"{assignment}.ipynb"]
    return Path(*parts)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cells_by_id(nb) -> dict:
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}


def solution_ids(nb) -> list[str]:
    return [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c).get("solution")]


def without_solution_markers(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not any(m in line for m in SOLUTION_MARKERS))


def hidden_regions(text: str) -> list[str]:
    """The lines between the hidden-test markers of one cell's source."""
    lines, inside = [], False
    for line in text.split("\n"):
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def solution_regions(text: str) -> list[str]:
    lines, inside = [], False
    for line in text.split("\n"):
        if SOLUTION_MARKERS[0] in line:
            inside = True
        elif SOLUTION_MARKERS[1] in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def answered(release, answers: dict[str, str]):
    """A copy of the released notebook with the given solution cells answered (``{grade_id: source}``)."""
    nb = copy.deepcopy(release)
    cells = cells_by_id(nb)
    for grade_id, source in answers.items():
        assert nbgrader_meta(cells[grade_id]).get("solution"), f"{grade_id} is not an answer cell"
        cells[grade_id].source = source
    return nb


def reference_answers(source) -> dict[str, str]:
    """The model answers of a source notebook, as a student would type them (markers removed)."""
    return {nbgrader_meta(c)["grade_id"]: without_solution_markers(c.source).strip("\n")
            for c in source.cells if nbgrader_meta(c).get("solution")}


def submit(root: Path, student: str, assignment: str, nb) -> Path:
    """Place a notebook where ``nbgrader collect`` would put it."""
    path = notebook_path(root, "submitted", assignment, student)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# ---------------------------------------------------------------------------------------------------
# grades and feedback


@dataclass(frozen=True)
class CellGrade:
    grade_id: str
    score: float
    max_score: float
    needs_manual_grade: bool
    kind: str  # "code" (autograded tests) or "markdown" (a manually graded answer)


def grades(api, assignment: str, student: str) -> dict[str, CellGrade]:
    """Every graded cell of one submission, as the gradebook holds it."""
    with api.gradebook as gb:
        sub = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: CellGrade(g.name, float(g.score), float(g.max_score), bool(g.needs_manual_grade),
                                  g.cell.cell_type) for g in sub.grades}


def autograded_score(cell_grades: dict[str, CellGrade]) -> tuple[float, float]:
    """(score, out of) over the autograded cells only."""
    code = [g for g in cell_grades.values() if g.kind == "code"]
    return sum(g.score for g in code), sum(g.max_score for g in code)


def html_text(path: Path) -> str:
    """The visible text of an HTML page (tags removed, entities decoded), for searching feedback."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", raw))


# ---------------------------------------------------------------------------------------------------
# the marks each assignment is worth, and one typical wrong answer for each


#: (autograded points, manually graded points) per assignment, counted from the source notebooks'
#: cell metadata by hand: a1 has 8 one-point checks and a 3-point paragraph, and so on.
MARKS = {
    "a1_aims_and_measures": (8, 3),
    "a2_run_charts": (5, 2),
    "a3_choosing_control_charts": (9, 3),
    "a4_pdsa_ramp": (6, 0),
    "a5_making_data_count": (5, 3),
    "a6_sustain_and_spread": (6, 4),
    "a8_project_writeup": (10, 7),
}


@dataclass(frozen=True)
class Misconception:
    """A submission that is right except for a typical misconception: the answers that differ from the
    model answers, the checks they should fail, and words the feedback must contain (from the failing
    checks' messages, which teach without giving the answer)."""

    what: str
    answers: dict
    failing: frozenset
    feedback: tuple

    def score(self, assignment: str) -> int:
        return MARKS[assignment][0] - len(self.failing)  # every check is worth one point


MISCONCEPTIONS = {
    "a1_aims_and_measures": Misconception(
        "a target without its unit, and the aim's own (process) measure taken for an outcome",
        {"a1_q2": 'aim = qikit.AimStatement(\n'
                  '    "increase the percentage of adults with red-flag sepsis who receive IV antibiotics within one '
                  'hour of arrival",\n'
                  '    how_much=90, by_when="2026-03-31", for_whom="adults with red-flag sepsis",\n'
                  '    where="the emergency department", baseline=f"{baseline_pct:.0f}%")',
         "a1_q3": 'kinds = {1: "outcome", 2: "outcome", 3: "process", 4: "outcome", 5: "balancing", '
                  '6: "balancing"}'},
        frozenset({"a1_q2_target", "a1_q3_process"}),
        ("Give the target its unit", "that does not make it an outcome"),
    ),
    "a2_run_charts": Misconception(
        "the mean as the centre line, and points on the median allowed to break a run",
        {"a2_q1": 'median_minutes = door_to_abx["minutes"].mean()',
         "a2_q2": "longest_run = 7  # counted by hand",
         "a2_q3": "shift_signal = False\ncrossings_signal = True",
         "a2_q4": 'first_shift = "2024-05-20"'},
        # question 3 follows through: no shift is the right verdict for a longest run of 7 against a limit of 8
        frozenset({"a2_q1_test", "a2_q2_test"}),
        ("That is the mean", "Points on the median neither add to nor break a run"),
    ),
    "a3_choosing_control_charts": Misconception(
        "2-sigma limits on the I chart, and an I chart on the raw days between events",
        {"a3_b": 'chart_b = "I chart"\n'
                 'mr_bar = los["los_days"].diff().abs().mean()\n'
                 'cl_b = los["los_days"].mean()\n'
                 'lcl_b, ucl_b = cl_b - 2 * mr_bar / 1.128, cl_b + 2 * mr_bar / 1.128',
         "a3_c": 'chart_c = "i"\n'
                 'res_c = qikit.spc(ulcers, x="found", y="days_since_previous", chart="i")\n'
                 'cl_c, lcl_c, ucl_c = res_c.summary().loc[0, ["cl", "lcl", "ucl"]]'},
        frozenset({"a3_b_limits", "a3_c_chart", "a3_c_cl", "a3_c_limits"}),
        ("The limits look like 2-sigma lines: control limits sit 3 sigma from the centre line",
         "Days between rare events are strongly skewed"),
    ),
    "a4_pdsa_ramp": Misconception(
        "adopting the change after a test that fell short, and scaling up regardless",
        {"a4_answer": '''RAMP = "Criteria-led discharge"
log = qikit.PDSALog("Discharge before noon, ward 7")
log.add_ramp(RAMP, change_idea=CHANGE_IDEA)
measure = qikit.Measure("Discharges before noon (%)", "process", "Discharges before 12:00 / all discharges",
                        numerator="discharges before 12:00", denominator="discharges", frequency="daily")
cycle_measures = {}
for number, (scale, predicted, start) in enumerate(
        [(1, 1, "2025-10-06"), (5, 4, "2025-10-07"), (15, 12, "2025-10-13"), (30, 24, "2025-10-20")], start=1):
    seen = observe(number, scale)
    met = seen >= predicted
    log.add(qikit.PDSACycle(f"Cycle {number}", "Does criteria-led discharge work?",
                            prediction=f"{predicted} of {scale} patients home before noon", plan="Ward 7",
                            do=f"{seen} of {scale} patients home before noon",
                            study="Prediction met" if met else "Prediction not met",
                            act="adapt: next test" if number < 3 else "adopt: roll out to the ward",
                            start=start, scale=scale), ramp=RAMP)
    cycle_measures[f"Cycle {number}"] = measure'''},
        frozenset({"a4_act"}),
        ("yet its act adopts the change",),
    ),
    "a5_making_data_count": Misconception(
        "no re-baselining after a documented process change, so the assurance reads the old process too",
        {"a5_q2": "rebase_at = None\nboard = board_before",
         "a5_q3": 'variation, assurance = "common cause", "consistently fail"'},
        frozenset({"a5_q2_rebase", "a5_q3_assurance"}),
        ("re-baseline at that change", "limits spanning both the old and the new process"),
    ),
    "a6_sustain_and_spread": Misconception(
        "a re-audit taken for improvement, and the strongest factors reported as the weakest",
        {"a6_q1": 'functions = {1: "planning", 2: "control", 3: "assurance", 4: "improvement",\n'
                  '             5: "planning", 6: "control", 7: "improvement", 8: "improvement"}',
         "a6_q2": 'sa = qikit.SustainabilityAssessment.from_frame(ratings)\n'
                  'weakest = ratings.mean().sort_values(ascending=False).index[:3].tolist()\n'
                  'divided = ["monitoring", "Adaptability of the improved process"]'},
        frozenset({"a6_q1_assurance", "a6_q2_weakest"}),
        ("Activity 7 repeats an audit", "These are the strongest factors"),
    ),
    "a8_project_writeup": Misconception(
        "a p chart for falls per bed-day, and cycle 2's prediction rewritten to match what happened",
        {"a8_q1": 'p.data.loc[p.data["month"] == "01/02/2025", "bed_days"] = 744\n'
                  'p.data_spec = {"x": "month", "y": "falls", "n": "bed_days", "chart": "p", "multiply": 1000, '
                  '"title": "Falls"}',
         "a8_q4": 'p.pdsa[1] = dataclasses.replace(p.pdsa[1], prediction="5 of 10 admissions have lying and '
                  'standing BP within 24 hours", study="As predicted", act="adapt: a cuff on every trolley")\n'
                  'p.stakeholders[1]["engage"] = "Meet him before governance with the falls chart"\n'
                  'p.stakeholders[3]["engage"] = "Monthly email of the chart and an invitation to the review"'},
        frozenset({"a8_q1_spec", "a8_q4_pdsa"}),
        ("A p chart is for proportions", "Do not change the prediction after the test"),
    ),
}


# --------------------------------------------------------------------------------------------------- a7
MARKS["a7_people_and_change"] = (7, 6)
MISCONCEPTIONS["a7_people_and_change"] = Misconception(
    "power and interest swapped on the grid, and only staff added to the draft",
    {"a7_q1": 'quadrants = {1: "manage closely", 2: "manage closely", 3: "keep informed", 4: "keep informed",\n'
              '             5: "keep satisfied", 6: "keep satisfied", 7: "monitor", 8: "monitor"}',
     "a7_q2": 'improved = [{**draft[0], "engage": "meet her before the first test"}] + draft[1:] + [\n'
              '    {"name": "AMU nurses", "role": "staff nurses, all shifts", "power": "low", "interest": "high",\n'
              '     "stance": "neutral", "engage": "huddles"}]'},
    frozenset({"a7_q1_satisfied", "a7_q1_informed", "a7_q2_patients"}),
    ("Stakeholder 3 is not keep informed", "There is still no patient, carer or relative on the grid"),
)
