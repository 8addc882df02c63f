"""nbgrader configuration for the qikit course.

Run every nbgrader command from this folder (``cd course``): nbgrader reads ``nbgrader_config.py``
from the working directory. The course directory is ``../assignments`` (``source/`` is where
assignments are written; nbgrader creates ``release/``, ``submitted/``, ``autograded/``,
``feedback/`` and ``gradebook.db`` beside it). Set ``QIKIT_COURSE_DIR`` to grade elsewhere, e.g.
on a hub where the course directory lives on a shared volume.

See README.md in this folder for the commands, and what nbgrader does and does not protect.
"""

import os
import sys
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    OverwriteKernelspec,
)

from qikit.grading.feedback import FeedbackLabels, template_settings
from qikit.grading.integrity import (
    ContainHiddenTestRuns,
    RedactHiddenTests,
    ReportingOverwriteCells,
    SafeClearHiddenTests,
)
from qikit.grading.pages import page_settings

c = get_config()  # noqa: F821 (provided by traitlets when it runs this file)

ROOT = Path(os.environ.get("QIKIT_COURSE_DIR") or Path(__file__).resolve().parent.parent / "assignments")

# --- the course directory --------------------------------------------------------------------
c.CourseDirectory.course_id = "qikit"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"
# JupyterHub's exchange by default; QIKIT_EXCHANGE=<folder> to try release and collect on one machine
if os.environ.get("QIKIT_EXCHANGE"):
    c.Exchange.root = os.environ["QIKIT_EXCHANGE"]

# --- markers in source notebooks (nbgrader's standard ones, stated so nobody has to guess) ---
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# --- executing submissions --------------------------------------------------------------------
# Seconds a single cell may run before the kernel is interrupted; the cell then scores zero and
# grading continues with the next cell. Every cell of the six assignments runs in well under 5 s,
# so 30 s leaves room for a slow machine while a submission stuck in a loop costs half a minute.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True


# --- feedback returned to students -------------------------------------------------------------
def feedback_without_tracebacks(nb, resources):
    """Reduce every error in the feedback to its last line, ``AssertionError: <message>``.

    nbgrader puts hidden tests back for autograding and its feedback shows the autograded notebook.
    ClearHiddenTests (below) removes the hidden tests from the cells' source, but a traceback quotes
    the lines around the failing one, hidden tests included. The message written for the student
    is kept; the code that raised it is not.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
    return nb, resources


# RedactHiddenTests removes every hidden-test line of the course from every output (whatever printed
# it); SafeClearHiddenTests removes the hidden tests from the locked test cells only, so a student's own
# cell that contains the marker text still gets feedback (qikit/grading/integrity.py). ContainHiddenTestRuns
# closes what no scan sees (student code in the kernel watching the hidden tests run, e.g. an IPython hook):
# from the first hidden test on, checks show only their authors' messages and students' cells a note.
c.GenerateFeedback.preprocessors = [GetGrades, ContainHiddenTestRuns, RedactHiddenTests, SafeClearHiddenTests,
                                    feedback_without_tracebacks, FeedbackLabels, CSSHTMLHeaderPreprocessor]
# The pages nbgrader renders from students' notebooks (qikit/grading/pages.py). In every one, the HTML a
# submission carries (markdown answers, its code's output) is cleaned: no script of a student's runs in
# a tutor's formgrader, where it would act with the grader's rights. formgrader's marking page is made
# accessible (templates/marking); formgrader builds it from these top-level settings, wherever it runs.
for _key, _value in page_settings().items():
    setattr(c.HTMLExporter, _key, _value)
# The course's feedback page (qikit/grading/templates/feedback): language set, messages wrapped,
# checks named by question, set-up code folded, the score summary in words. Set for GenerateFeedback's
# exporter only (it is made with GenerateFeedback as its parent), over the settings above.
for _key, _value in template_settings().items():
    setattr(c.GenerateFeedback.HTMLExporter, _key, _value)

# --- what each submission did: tampering, code to look at, why it was not graded ---------------------
# nbgrader's OverwriteCells restores locked cells and logs "checksum ... has changed!" for every
# submission, untouched ones included; ReportingOverwriteCells restores the same and reports only real
# changes, naming the cell, plus the student's code that patches the checks or reaches for the hidden
# tests. Records go to ROOT/grading/<assignment>/<student>.json (read by course/report.py).
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, ReportingOverwriteCells,
                                      CheckCellMetadata]
c.GradingRecords.directory = str(ROOT / "grading")

# --- student code runs in a sandbox ------------------------------------------------------------
# Every kernel autograding starts runs under bubblewrap (qikit.grading.sandbox): it sees only its own
# submission's files, a read-only system and Python environment, a private /tmp and home; no network,
# no gradebook, no source/, release/ or other students' folders; memory, processes, wall time, file
# and output sizes are limited. Where no sandbox can be made, autograding refuses to start unless
# QIKIT_UNSAFE_NO_SANDBOX=1 is set (student code then runs with your rights: never for marks that count).
from qikit.grading.execute import autograde_preprocessors  # noqa: E402

c.Autograde.autograde_preprocessors = autograde_preprocessors()
c.Sandbox.hidden_paths = [str(ROOT)]
c.Sandbox.memory_mb = 2048        # memory for one submission's kernel and its files
c.Sandbox.max_processes = 64      # processes and threads in one submission's sandbox
c.Sandbox.wall_time = 600         # seconds one notebook may take in all (cells: Execute.timeout)

# `nbgrader autograde` refuses to start where no sandbox can be made (formgrader's autograde button, and
# anything else that runs the autograde step, fails each submission with the same message instead).
if os.path.basename(sys.argv[0]).startswith("nbgrader") and sys.argv[1:2] == ["autograde"]:
    from qikit.grading.sandbox import Sandbox, SandboxUnavailable

    try:
        Sandbox(config=c).require()
    except SandboxUnavailable as error:
        sys.exit(f"nbgrader autograde: {error}")

# --- exports carry a status: graded, needs manual marking, not graded (with why), flagged -------------
from qikit.grading.export import StatusCsvExportPlugin  # noqa: E402

c.ExportApp.plugin_class = StatusCsvExportPlugin

# --- late policy: 5% of the mark per day or part day after the due date -----------------------------
# Set the due date with `nbgrader db assignment add ASSIGNMENT --duedate="2026-03-31 17:00:00 Europe/London"`;
# nbgrader reads each submission's time from timestamp.txt (written by `nbgrader collect` and by
# zip_collect with the Moodle or Canvas collector, qikit/grading/vle.py).
from qikit.grading.vle import PercentPerDayLatePenalty  # noqa: E402

c.AssignLatePenalties.plugin_class = PercentPerDayLatePenalty
c.PercentPerDayLatePenalty.percent_per_day = 5

# --- release_feedback: through the hub for hub submissions; learning-platform ones are skipped by name -----
# (they go back in the platform's zip, `python -m qikit.grading.vle feedback ...`; stock nbgrader stopped at
# the first of them with "submission_secret.txt: No such file")
c.ExchangeFactory.release_feedback = "qikit.grading.vle.PlatformAwareReleaseFeedback"
