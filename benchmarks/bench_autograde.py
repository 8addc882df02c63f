"""How fast does a cohort autograde? nbgrader, course/grade.py, and the bare cost of running the notebooks.

    .venv/bin/python benchmarks/bench_autograde.py                          # 50 submissions of assignment 3
    .venv/bin/python benchmarks/bench_autograde.py --cohort 300 --workers 2 --assignment a2_run_charts

A synthetic cohort of one assignment is made in a temporary course directory: about half model answers,
a third with the assignment's typical mistake, the rest blank, plus one submission that loops forever
and one that raises at its first answer. It is graded five ways, every one but the first with each kernel
in the course's bubblewrap sandbox (``qikit.grading.sandbox``):

- **bare**: each submission's notebook, as nbgrader runs it (hidden tests restored), executed with
  nbclient and nothing else, unconfined, one after another: the lower bound for any autograder;
- **sandbox**: the same notebooks run by the course's execution step (``SandboxedExecute``), one after
  another: what the sandbox itself costs;
- **nbgrader**: ``nbgrader autograde`` (through its Python API, with the course's configuration, so
  sandboxed) one submission after another;
- **grade.py, 1 worker** and **grade.py, N workers**: ``course/grade.py``, which runs the notebooks in a
  pool of worker processes while one process writes the gradebook.

Targets (issue 13): with the sandbox on, per-submission time within 1.3x of bare nbclient execution, and
a cohort of 300 within 10 minutes on a 2-core machine. The table gives seconds per submission, the ratio
to bare, and the time the measured rate projects for 300 submissions.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("MPLBACKEND", "agg")

from nbgrader_helpers import (  # noqa: E402
    MISCONCEPTIONS,
    answered,
    course_config,
    make_api,
    new_course,
    notebook_path,
    read,
    reference_answers,
    submit,
)


def _grade_module():
    spec = importlib.util.spec_from_file_location("course_grade", ROOT / "course" / "grade.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def cohort_kinds(n: int) -> list[str]:
    """n submission kinds: one loop, one raise, then right / wrong / blank in the ratio 3 : 2 : 1."""
    kinds = ["loop", "raise"]
    pattern = ["right", "wrong", "right", "blank", "wrong", "right"]
    while len(kinds) < n:
        kinds.append(pattern[len(kinds) % len(pattern)])
    return kinds[:n]


def make_cohort(root: Path, name: str, n: int) -> dict[str, str]:
    release = read(notebook_path(root, "release", name))
    model = reference_answers(read(notebook_path(root, "source", name)))
    code_answers = [c.metadata["nbgrader"]["grade_id"] for c in release.cells
                    if c.cell_type == "code" and c.metadata["nbgrader"].get("solution")]
    answers = {
        "right": model,
        "wrong": {**model, **MISCONCEPTIONS[name].answers},
        "blank": {},
        "loop": {**model, code_answers[-1]: "while True:\n    pass"},
        "raise": {**model, code_answers[0]: "raise RuntimeError('not finished')"},
    }
    students = {}
    for i, kind in enumerate(cohort_kinds(n)):
        student = f"s{i:04d}"
        submit(root, student, name, answered(release, answers[kind]))
        students[student] = kind
    return students


def bare(paths: list[Path], timeout: int) -> float:
    """Execute each notebook with nbclient alone; returns total seconds."""
    from nbclient import NotebookClient

    start = time.perf_counter()
    for path in paths:
        nb = read(path)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                       error_on_timeout={"ename": "CellTimeoutError", "evalue": "", "traceback": []},
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def sandboxed(paths: list[Path], timeout: int) -> float:
    """Execute each notebook with the course's sandboxed execution step; returns total seconds."""
    from traitlets.config import Config

    from qikit.grading.execute import SandboxedExecute

    config = Config()
    config.Execute.timeout = timeout
    start = time.perf_counter()
    for path in paths:
        nb = read(path)
        SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(path.parent)}})
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--assignment", default="a3_choosing_control_charts")
    parser.add_argument("--cohort", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10, help="seconds per cell (the loop costs this)")
    parser.add_argument("--methods", default="bare,sandbox,nbgrader,grade1,grade",
                        help="comma-separated subset of bare, sandbox, nbgrader, grade1 (grade.py, 1 worker) and "
                             "grade (grade.py, --workers workers)")
    args = parser.parse_args(argv)
    methods = set(args.methods.split(","))
    warnings.filterwarnings("ignore")  # nbgrader's SQLAlchemy chatter
    grade = _grade_module()
    name, n = args.assignment, args.cohort
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # nbgrader, one submission after another
        root_a = new_course(Path(tmp) / "nbgrader", [name])
        api = make_api(root_a, args.timeout)
        assert api.generate_assignment(name)["success"]
        students = make_cohort(root_a, name, n)
        if methods & {"bare", "sandbox", "nbgrader"}:
            start = time.perf_counter()
            ok = sum(api.autograde(name, s)["success"] for s in students)
            if "nbgrader" in methods:
                rows.append(("nbgrader autograde (serial)", time.perf_counter() - start, ok))

        # bare nbclient on the same notebooks as nbgrader ran them
        if "bare" in methods:
            paths = [notebook_path(root_a, "autograded", name, s) for s in students]
            rows.insert(0, ("bare nbclient (serial)", bare(paths, args.timeout), n))
        if "sandbox" in methods:
            paths = [notebook_path(root_a, "autograded", name, s) for s in students]
            rows.insert(1 if "bare" in methods else 0,
                        ("sandboxed kernels (serial)", sandboxed(paths, args.timeout), n))

        # course/grade.py
        pools = ({1} if "grade1" in methods else set()) | ({args.workers} if "grade" in methods else set())
        for workers in sorted(pools):
            root_b = new_course(Path(tmp) / f"grade{workers}", [name])
            api_b = make_api(root_b, args.timeout)
            assert api_b.generate_assignment(name)["success"]
            make_cohort(root_b, name, n)
            start = time.perf_counter()
            subs = grade.grade(name, workers=workers, config=course_config(root_b, args.timeout))
            rows.append((f"course/grade.py, {workers} worker{'s' if workers > 1 else ''}",
                         time.perf_counter() - start, sum(s.ok for s in subs)))

    base = rows[0][1] / n if "bare" in methods else float("nan")
    print(f"\nAutograding {n} submissions of {name} ({', '.join(f'{k} {v}' for k, v in _count(students).items())}); "
          f"cell timeout {args.timeout} s; {os.cpu_count()} CPUs\n")
    print(f"{'method':32} {'total s':>8} {'s/submission':>13} {'x bare':>7} {'300 projected':>14} {'graded':>7}")
    for label, total, graded in rows:
        per = total / n
        print(f"{label:32} {total:8.1f} {per:13.2f} {per / base:7.2f} {300 * per / 60:11.1f} min {graded:4d}/{n}")
    print("\nTargets (sandbox on): within 1.3x bare per submission; 300 submissions under 10 min on 2 cores. The stubborn-loop "
          "case (a kernel that ignores the interrupt) is in tests/test_nbgrader_hostile.py, not timed here.")
    return 0


def _count(students: dict) -> dict:
    out: dict[str, int] = {}
    for kind in students.values():
        out[kind] = out.get(kind, 0) + 1
    return out


if __name__ == "__main__":
    sys.exit(main())
