"""Feedback a trainee can read (qikit/grading/feedback.py, templates/feedback): the page names each check by
its question, wraps long messages, folds set-up code, sets its language and sums up the score in words;
and axe-core, run in Debian's Chromium, finds no serious or critical WCAG 2.2 AA violation on a feedback
page or on formgrader's marking page (qikit/grading/pages.py, templates/marking).

A hostile student's submission carries script in every form a notebook can (HTML in a markdown answer,
a JavaScript output, an HTML output with an event handler): none of it runs in the tutor's formgrader,
where it would act with the grader's rights, nor in a feedback page; the answer's words are still shown.

axe-core comes from npm (``npm install --prefix .ci-home/node axe-core@^4.10``, as .ci/run installs its
node tools); Chromium is Debian's, driven by Playwright with ``executable_path="/usr/bin/chromium"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader_helpers import (
    COURSE,
    MISCONCEPTIONS,
    ROOT,
    SOURCE,
    answered,
    course_config,
    html_text,
    notebook_path,
    put_venv_on_path,
    read,
    reference_answers,
    submit,
)

from tests.e2e.browser import CHROMIUM, FLAGS
from tests.servers import stop_group

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

NAME = "a1_aims_and_measures"
AXE = ROOT / ".ci-home" / "node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

WRITTEN = "a1_balancing_paragraph"  # the written answer a tutor marks in formgrader
#: Each payload, if it ran, would leave its mark on window.qikitPwned (where the page would be the tutor's).
HOSTILE_MARKDOWN = """

Also **see the audit**. <img src="nothing.png" onerror="window.qikitPwned = 'markdown img'">
<script>window.qikitPwned = 'markdown script'</script>
<a href="javascript:window.qikitPwned = 'link'">open</a>
<iframe srcdoc="<script>parent.qikitPwned = 'iframe'</script>"></iframe>
<svg onload="window.qikitPwned = 'svg'"></svg>
<input class="score tabbable" id="a1_q1_test"> <div class="navbar navbar-fixed-top">Full credit given</div>"""
HOSTILE_CODE = """from IPython.display import HTML, Javascript, Markdown, display
display(Javascript("window.qikitPwned = 'javascript output'"))
display(HTML('<img src="nothing.png" onerror="window.qikitPwned = \\'html output\\'">'))
display(Markdown('<img src="nothing.png" onerror="window.qikitPwned = \\'markdown output\\'">'))"""


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The repository's course layout, copied (so formgrader can be started as the guide says), with a
    model answer and a typical mistake autograded and their feedback generated."""
    from nbgrader.apps import NbGraderAPI

    put_venv_on_path()
    layout = tmp_path_factory.mktemp("layout")
    shutil.copytree(COURSE, layout / "course", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOURCE / NAME, layout / "assignments" / "source" / NAME)
    root = layout / "assignments"
    api = NbGraderAPI(config=course_config(root, 20))
    assert api.generate_assignment(NAME)["success"]
    release = read(notebook_path(root, "release", NAME))
    model = reference_answers(read(notebook_path(root, "source", NAME)))
    submit(root, "ref", NAME, answered(release, model))
    submit(root, "wrong", NAME, answered(release, {**model, **MISCONCEPTIONS[NAME].answers}))
    hostile = answered(release, {**model, WRITTEN: model[WRITTEN] + HOSTILE_MARKDOWN})
    hostile.cells.append(nbformat.v4.new_code_cell(HOSTILE_CODE))
    submit(root, "hostile", NAME, hostile)
    for student in ("ref", "wrong", "hostile"):
        assert api.autograde(NAME, student)["success"]
    result = api.generate_feedback(NAME)  # the API formgrader's button uses
    assert result["success"], result.get("log")
    return layout, root, api


def _page(root, student) -> Path:
    return notebook_path(root, "feedback", NAME, student).with_suffix(".html")


def test_feedback_names_checks_by_question(course):
    layout, root, api = course
    raw = _page(root, "wrong").read_text(encoding="utf-8")
    assert '<html lang="en">' in raw
    assert "Test cell" not in raw and "Grade cell:" not in raw
    labels = re.findall(r'<a href="#a1_[a-z0-9_]+">([^<]+)</a>', raw)
    assert "Question 1: checks the baseline against the audit" in labels
    assert sum(label.startswith("Question 3:") for label in labels) == 3
    assert len(set(labels)) == len(labels)  # no two checks share a name
    text = " ".join(html_text(_page(root, "wrong")).split())
    assert "Your score: 6.0 out of 11.0." in text  # 8 checks, 2 failed; the 3-point written answer unmarked
    assert "not passed: see the message under the check" in text and "(passed)" in text


def test_feedback_wraps_messages_and_folds_setup_code(course):
    layout, root, api = course
    raw = _page(root, "wrong").read_text(encoding="utf-8")
    assert "white-space: pre-wrap" in raw and "overflow-wrap: anywhere" in raw
    assert "Set-up code for this exercise (select to show)" in raw
    # the helper code of question 3 (about 40 lines) sits inside a folded <details>
    helpers = read(notebook_path(root, "source", NAME))
    helper = next(c for c in helpers.cells if c.metadata["nbgrader"]["grade_id"] == "a1_q3_helpers")
    first_def = next(line for line in helper.source.split("\n") if line.startswith("def "))
    name = first_def.split("(")[0].removeprefix("def ")
    position = raw.index(name)
    assert raw.rfind("<details", 0, position) > raw.rfind("</details>", 0, position)


def _axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "first": v["nodes"][0]["target"] if v["nodes"] else None}
            for v in result["violations"] if v["impact"] in {"serious", "critical"}]


@pytest.fixture(scope="module")
def browser():
    if not AXE.exists() or not os.path.exists(CHROMIUM):
        if os.environ.get("QIKIT_REQUIRE_E2E"):
            pytest.fail(f"axe-core ({AXE}) or Chromium ({CHROMIUM}) is missing")
        pytest.skip("axe-core or Chromium not installed")
    from playwright.sync_api import sync_playwright

    profile = Path(os.environ.get("TMPDIR", "/tmp")) / f"qikit-axe-profile-{os.getpid()}"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                       args=FLAGS)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("student", ["ref", "wrong", "hostile"])
def test_feedback_page_passes_axe(course, browser, student):
    layout, root, api = course
    page = browser.new_page()
    page.goto(_page(root, student).as_uri())
    violations = _axe_violations(page)
    page.close()
    assert violations == [], json.dumps(violations, indent=1)


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    """formgrader, started as the guide says; yields a function that opens a student's marking page."""
    from test_nbgrader_guide import guide_block

    layout, root, api = course
    home = tmp_path_factory.mktemp("formgrader")
    settings = home / "jupyter-config"
    settings.mkdir()
    (settings / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"allow_root": True, "ip": "127.0.0.1", "port": 0}}))
    runtime = home / "runtime"
    env = {**os.environ, "JUPYTER_TOKEN": "axe-token", "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_CONFIG_DIR": str(settings)}
    env.pop("QIKIT_COURSE_DIR", None)
    server = subprocess.Popen(["bash", "-c", guide_block("formgrader-command")], cwd=layout / "course", env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            assert server.poll() is None
            for info in runtime.glob("jpserver-*.json") if runtime.exists() else []:
                url = json.loads(info.read_text())["url"]
            time.sleep(0.5)
        assert url

        def marking_page(student):
            with api.gradebook as gb:
                submission = gb.find_submission_notebook(NAME, NAME, student).id
            return f"{url}formgrader/submissions/{submission}/?index=0&token=axe-token"

        yield marking_page
    finally:
        stop_group(server)


@pytest.mark.parametrize("student", ["ref", "hostile"])
def test_formgrader_marking_page_passes_axe(formgrader, browser, student):
    """The tutor's page for marking a submission: nbgrader's own, made accessible by the course."""
    page = browser.new_page()
    page.goto(formgrader(student))
    page.wait_for_load_state("networkidle")
    assert "Student's answer" in page.content()
    # every field a tutor types a mark or comment into has a name a screen reader reads out
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input.score, input.extra-credit, textarea.comment')]
        .filter(e => !e.getAttribute('aria-label')).map(e => e.id)""")
    assert unnamed == []
    assert page.get_attribute(f"#{WRITTEN}", "aria-label") == f"Score for {WRITTEN}, out of 3"
    violations = _axe_violations(page)
    page.close()
    assert violations == [], json.dumps(violations, indent=1)


def test_formgrader_runs_no_script_from_a_submission(formgrader, browser):
    """In the tutor's formgrader (the grader's rights), nothing a submission carries runs, fakes a mark box
    or dresses up as the page; the hostile answer's own words are still there to mark."""
    page = browser.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(formgrader("hostile"))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # an image's onerror fires after the load
    assert page.evaluate("window.qikitPwned") is None
    assert dialogs == []
    assert page.locator("text=see the audit").count() == 1
    assert page.locator("iframe, svg[onload], script:not([src])").evaluate_all(
        "els => els.filter(e => (e.textContent || e.getAttribute('onload') || '').includes('qikitPwned')).length") == 0
    # the student's box named like a real one is gone; the real one is the only #a1_q1_test
    assert page.locator("#a1_q1_test").count() == 1
    assert page.locator(".navbar-fixed-top").count() == 1  # formgrader's own menu bar only
    page.close()


def test_feedback_page_runs_no_script_from_a_submission(course, browser):
    layout, root, api = course
    page = browser.new_page()
    page.goto(_page(root, "hostile").as_uri())
    page.wait_for_timeout(500)
    assert page.evaluate("window.qikitPwned") is None
    assert "see the audit" in page.content()
    page.close()
