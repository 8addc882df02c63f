"""Autograde a whole cohort in parallel, with a single process writing the gradebook.

    cd course
    python grade.py a3_choosing_control_charts               # every submission, one worker per CPU
    python grade.py a3_choosing_control_charts --workers 4 --student s001 --student s002

``nbgrader autograde`` grades one submission after another. Most of each submission's time is its kernel
running the notebook, so on a machine with several cores a cohort grades faster when notebooks run side
by side; but nbgrader's gradebook is a single SQLite file that must have one writer. This script splits
nbgrader's own autograde step in three, and uses nbgrader's own code for each:

1. **prepare** (this process, one submission at a time): nbgrader's ``Autograde`` converter records the
   submission in the gradebook, copies it to ``autograded/`` and sanitises it (locked cells, tests and
   points restored from the gradebook, hidden tests put back), with its execution step switched off;
2. **execute** (a pool of worker processes): each worker runs one notebook file through the course's
   execution step, ``qikit.grading.execute.SandboxedExecute`` (nbgrader's ``Execute`` with its kernel in
   a bubblewrap sandbox: same kernel, same ``Execute.timeout``) and nbgrader's output limits. Workers are
   handed a file path and the execution settings only: they never open the gradebook, and the student's
   code sees only its own submission's files;
3. **record** (this process): nbgrader's ``SaveAutoGrades`` and ``AssignLatePenalties`` write each
   executed notebook's scores to the gradebook.

Where no sandbox can be made, grading refuses to start (exit status 2) unless ``--unsafe-no-sandbox`` is
given. A submission that cannot be graded (a kernel that ignores the interrupt after a timeout, say) is reported
and its ``autograded/`` folder removed, as ``nbgrader autograde`` does; the others are unaffected. The
marks are those ``nbgrader autograde`` gives (``tests/test_nbgrader_cohort.py`` checks this).
Formgrader, ``nbgrader generate_feedback`` and ``nbgrader export`` work on the result as usual.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: Configuration sections the execution step reads (passed to workers; the rest stays here).
EXECUTION_SECTIONS = ("Execute", "ExecutePreprocessor", "NotebookClient", "IgnorePattern", "LimitOutput",
                      "NbGraderPreprocessor", "Preprocessor", "SandboxedExecute", "Sandbox", "KernelManager",
                      "AsyncKernelManager", "SandboxedKernelManager", "GradingRecords")


@dataclass
class Submission:
    """One student's submission of the assignment, as it moves through the three steps."""

    student: str
    notebooks: list[Path] = field(default_factory=list)
    assignment: str = ""
    warnings: list[str] = field(default_factory=list)  # TAMPERING and FLAG lines of the log, by cell
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def load_config(path: Path = HERE / "nbgrader_config.py", timeout: int | None = None):
    """The course's nbgrader configuration (``course/nbgrader_config.py``), optionally with another cell
    timeout."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    if timeout is not None:
        config.Execute.timeout = timeout
    return config


def _bin_on_path() -> None:
    """nbgrader runs ``alembic`` (installed beside this Python) when it creates a gradebook."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def _api(config):
    _bin_on_path()
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=config)


def submitted_students(config, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in ``submitted/``."""
    root = Path(config.CourseDirectory.root)
    folder = root / config.CourseDirectory.get("submitted_directory", "submitted")
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


def prepare(config, assignment: str, students: list[str]) -> list[Submission]:
    """Step 1: nbgrader's Autograde converter without its execution step, one submission at a time."""
    from nbgrader.preprocessors import CheckCellMetadata

    config = copy.deepcopy(config)
    config.Autograde.autograde_preprocessors = [CheckCellMetadata]
    api = _api(config)
    out = []
    for student in students:
        start = time.perf_counter()
        result = api.autograde(assignment, student)
        folder = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, assignment))
        sub = Submission(student, sorted(folder.glob("*.ipynb")), assignment, seconds=time.perf_counter() - start)
        sub.warnings = [line.split("] ", 1)[-1] for line in (result.get("log") or "").splitlines()
                        if "TAMPERING" in line or "FLAG" in line or "has changed!" in line]
        if not result["success"]:
            sub.error = "could not be prepared: " + (result.get("error") or "see nbgrader's log").strip()[-500:]
        out.append(sub)
    return out


def execute_notebook(path: str, settings: dict, ids: dict | None = None) -> tuple[str, str | None, float]:
    """Step 2, in a worker: run one sanitised notebook as nbgrader's autograde step does, in place.

    ``ids`` (``assignment``, ``student``, ``notebook``) names the grading record the execution step
    writes (``qikit.grading.records``). Returns ``(path, error or None, seconds)``. Touches nothing but
    ``path`` and that record.
    """
    import nbformat
    from nbgrader import utils
    from nbgrader.preprocessors import IgnorePattern, LimitOutput
    from traitlets.config import Config

    from qikit.grading.execute import SandboxedExecute

    start = time.perf_counter()
    config = Config(settings)
    nb = nbformat.read(path, as_version=4)
    resources = {"metadata": {"path": str(Path(path).parent)}, "nbgrader": dict(ids or {})}
    try:
        with utils.setenv(NBGRADER_EXECUTION="autograde"):
            for step in (SandboxedExecute, IgnorePattern, LimitOutput):
                nb, resources = step(config=config)(nb, resources)
    except Exception as error:  # a kernel that could not be interrupted, or died
        return path, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", \
            time.perf_counter() - start
    _write(nb, Path(path))
    return path, None, time.perf_counter() - start


def _write(nb, path: Path) -> None:
    """Replace ``path`` atomically (the notebook nbgrader wrote is read-only; its folder is not)."""
    import nbformat

    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False)
    try:
        with handle:
            nbformat.write(nb, handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def execute(submissions: list[Submission], config, workers: int) -> None:
    """Step 2: run every prepared notebook in a pool of ``workers`` processes."""
    settings = {k: dict(config[k]) for k in EXECUTION_SECTIONS if k in config}
    jobs = {str(p): s for s in submissions if s.ok for p in s.notebooks}
    if not jobs:
        return
    ids = [{"assignment": s.assignment, "student": s.student, "notebook": Path(p).stem} for p, s in jobs.items()]
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no inherited event loops or sockets
    with ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context) as pool:
        for path, error, seconds in pool.map(_worker(), jobs, [settings] * len(jobs), ids):
            sub = jobs[path]
            sub.seconds += seconds
            if error and sub.ok:
                sub.error = f"{Path(path).name}: {error}"


def _worker():
    """``execute_notebook`` as a spawned worker can import it: from the module ``grade`` in this folder
    (workers inherit ``sys.path``), whatever name this file was loaded under here."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    return importlib.import_module("grade").execute_notebook


def record(submissions: list[Submission], config, assignment: str) -> None:
    """Step 3: save the scores of every executed notebook to the gradebook (this process only)."""
    import nbformat
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, SaveAutoGrades

    db_url = config.CourseDirectory.db_url
    for sub in submissions:
        start = time.perf_counter()
        if not sub.ok:
            if sub.notebooks:  # as nbgrader does with a submission it could not grade
                shutil.rmtree(sub.notebooks[0].parent, ignore_errors=True)
            continue
        for path in sub.notebooks:
            nb = nbformat.read(path, as_version=4)
            resources = {"nbgrader": {"student": sub.student, "assignment": assignment, "notebook": path.stem,
                                      "db_url": db_url}}
            for step in (SaveAutoGrades, AssignLatePenalties, CheckCellMetadata):
                nb, resources = step(config=config)(nb, resources)
            _write(nb, path)
            path.chmod(0o444)  # nbgrader leaves autograded notebooks read-only
        sub.seconds += time.perf_counter() - start


def grade(assignment: str, students: list[str] | None = None, workers: int | None = None, config=None,
          timeout: int | None = None, unsafe_no_sandbox: bool = False) -> list[Submission]:
    """Autograde ``students`` (default: every submission of ``assignment``); see the module docstring.

    Parameters
    ----------
    assignment : str
        The assignment's name (its folder in ``source/``).
    students : list of str, optional
        Student ids; by default everyone with a folder ``submitted/<student>/<assignment>``.
    workers : int, optional
        Notebooks executed at once (default: the number of CPUs).
    config : traitlets Config, optional
        nbgrader configuration (default: ``course/nbgrader_config.py``).
    timeout : int, optional
        Seconds a cell may run, overriding ``Execute.timeout``.
    unsafe_no_sandbox : bool, default False
        Run student code without a sandbox, with your rights (never for marks that count). Without it,
        ``qikit.grading.sandbox.SandboxUnavailable`` is raised before anything is graded where no
        sandbox can be made.

    Returns
    -------
    list of Submission
        One per student, with ``error`` set for a submission that could not be graded.

    Examples
    --------
    >>> subs = grade("a2_run_charts", workers=2)            # doctest: +SKIP
    >>> [s.student for s in subs if not s.ok]               # doctest: +SKIP
    []
    """
    config = load_config(timeout=timeout) if config is None else copy.deepcopy(config)
    if timeout is not None:
        config.Execute.timeout = timeout
    if unsafe_no_sandbox:
        config.Sandbox.unsafe_no_sandbox = True
    from qikit.grading.sandbox import Sandbox

    Sandbox(config=config).require()  # refuse before touching the gradebook
    students = submitted_students(config, assignment) if students is None else list(students)
    submissions = prepare(config, assignment, students)
    execute(submissions, config, workers or os.cpu_count() or 1)
    record(submissions, config, assignment)
    return submissions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Autograde a cohort in parallel (one gradebook writer).")
    parser.add_argument("assignment", help="the assignment's name, e.g. a3_choosing_control_charts")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    parser.add_argument("--workers", type=int, default=None, help="notebooks run at once (default: CPUs)")
    parser.add_argument("--timeout", type=int, default=None, help="seconds per cell (default: the config's)")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="run student code WITHOUT a sandbox, with your rights (never for marks that count)")
    args = parser.parse_args(argv)
    from qikit.grading.sandbox import SandboxUnavailable

    start = time.perf_counter()
    try:
        subs = grade(args.assignment, args.student, args.workers, timeout=args.timeout,
                     unsafe_no_sandbox=args.unsafe_no_sandbox)
    except SandboxUnavailable as error:
        print(f"NOT STARTED: {error}", file=sys.stderr)
        return 2
    failed = [s for s in subs if not s.ok]
    print(f"{len(subs) - len(failed)} of {len(subs)} submissions of {args.assignment} autograded in "
          f"{time.perf_counter() - start:.0f} s.")
    for s in failed:
        print(f"  NOT GRADED {s.student}: {s.error}  (grade it by hand in formgrader, or ask for a resubmission)")
    for s in subs:
        for line in s.warnings:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
