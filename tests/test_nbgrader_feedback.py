"""Feedback a trainee can read (qikit/grading/feedback.py, templates/feedback): the page names each check by
its question, wraps long messages, folds set-up code, sets its language and sums up the score in words;
and axe-core, run in Debian's Chromium, finds no serious or critical WCAG 2.2 AA violation on a feedback
page or on formgrader's view of a student's submission.

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

from tests.servers import stop_group

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

NAME = "a1_aims_and_measures"
AXE = ROOT / ".ci-home" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


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
    for student in ("ref", "wrong"):
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


@pytest.mark.parametrize("student", ["ref", "wrong"])
def test_feedback_page_passes_axe(course, browser, student):
    layout, root, api = course
    page = browser.new_page()
    page.goto(_page(root, student).as_uri())
    violations = _axe_violations(page)
    page.close()
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.xfail(strict=True, reason="nbgrader 0.9's formgrader pages (its own templates, loaded from a fixed "
                   "path) fail axe: colour contrast, no lang, unlabelled score inputs, lists, links in text; not "
                   "fixable from the course's configuration. Strict: passes only when fixed, then remove this mark.")
def test_formgrader_student_view_passes_axe(course, browser, tmp_path):
    """Formgrader, started as the guide says, showing the model answer's submission to the tutor."""
    from test_nbgrader_guide import guide_block

    layout, root, api = course
    settings = tmp_path / "jupyter-config"
    settings.mkdir()
    (settings / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"allow_root": True, "ip": "127.0.0.1", "port": 0}}))
    runtime = tmp_path / "runtime"
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
        with api.gradebook as gb:
            submission = gb.find_submission_notebook(NAME, NAME, "ref").id
        page = browser.new_page()
        page.goto(f"{url}formgrader/submissions/{submission}/?index=0&token=axe-token")
        page.wait_for_load_state("networkidle")
        assert "Student's answer" in page.content() or NAME in page.content()
        violations = _axe_violations(page)
        page.close()
    finally:
        stop_group(server)
    assert violations == [], json.dumps(violations, indent=1)
