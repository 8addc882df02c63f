"""The explorers in a real JupyterLab, in headless Chromium (Debian's package, driven by Playwright).

The test writes a small notebook into its tmp dir, starts ``jupyter lab`` on a free loopback port with
that dir as its root, opens the notebook, waits for the kernel, runs every cell and then uses the
widgets as a trainee would: it changes the chart type and moves the freeze slider of ``explore()``
and checks that the chart image changes each time, uploads a CSV through ``upload()``, walks the
chart-choice quiz to its recommendation, and checks that ``signal_or_noise()`` shows its chart and
table. Screenshots are saved in the tmp dir.

Needs Chromium at /usr/bin/chromium (or ``QIKIT_CHROMIUM``) and the Python package playwright (never
``playwright install``: the browser is Debian's). When either is missing the test is skipped with the
reason, unless ``QIKIT_REQUIRE_E2E=1`` (as CI sets it), in which case it fails.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from pathlib import Path

import nbformat
import pytest

from tests.e2e.browser import CHROMIUM, browsing, open_browser
from tests.servers import stop_group

pytestmark = pytest.mark.slow

REQUIRE = os.environ.get("QIKIT_REQUIRE_E2E", "") == "1"
NOTEBOOK = "explorers.ipynb"
TOKEN = "qikit-widgets-test"
SERVER_WAIT_S = 90  # jupyter lab answering on its port
WAIT_MS = 90_000  # any one thing in the page (JupyterLab's first load, kernel start, a widget)
CHANGE_MS = 30_000  # a chart image changing after a control moves
CHART = ".qikit-explore img.qikit-chart"

# what a trainee's upload holds: one cell of text in a column of numbers
UPLOAD_CSV = "month,falls,bed_days\n2024-01-01,4,800\n2024-02-01,n/k,790\n2024-03-01,6,810\n2024-04-01,3,805\n"


def unavailable(reason: str):
    """Skip (or, with QIKIT_REQUIRE_E2E=1, fail) because the machine cannot run the test."""
    if REQUIRE:
        pytest.fail(f"QIKIT_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def explorers_notebook() -> dict:
    """The notebook the test runs: the four widgets on a ward data set."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Explorers\nFalls on Ward 7, then the other widgets."),
        nbformat.v4.new_code_cell(
            "from qikit import datasets\n"
            "from qikit.widgets import choose_chart_quiz, explore, signal_or_noise, upload\n"
            "df = datasets.falls().query(\"ward == 'Ward 7'\")"),
        nbformat.v4.new_code_cell('explore(df, x="month", y="falls", n="bed_days", chart="run")'),
        nbformat.v4.new_code_cell("up = upload()\nup"),
        nbformat.v4.new_code_cell("choose_chart_quiz()"),
        nbformat.v4.new_code_cell("signal_or_noise(seed=1)"),
    ]
    return json.loads(nbformat.writes(nb))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, method: str = "GET", timeout: float = 5):
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else None


@pytest.fixture
def playwright_api():
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium was not found at {CHROMIUM} (apt-get install chromium, or set QIKIT_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed (pip install 'playwright>=1.49,<2'; "
                    "the browser is Debian's chromium, so never run 'playwright install')")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving tmp_path (holding the notebook) on a free loopback port; stopped afterwards."""
    (tmp_path / NOTEBOOK).write_text(json.dumps(explorers_notebook()))
    (tmp_path / "falls-upload.csv").write_text(UPLOAD_CSV)
    # No news or update checks: the page makes no requests beyond the loopback server.
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                          "checkForUpdates": False}))
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}"]
    if os.geteuid() == 0:  # CI machines run as root; a trainee's laptop does not
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"))
    env.pop("MPLBACKEND", None)  # the kernel gets JupyterLab's own (inline) backend, as a trainee's does
    log_path = tmp_path / "lab.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + SERVER_WAIT_S
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"jupyter lab exited early:\n{log_path.read_text()[-3000:]}")
                try:
                    _api(base, "/api/status", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"jupyter lab did not answer in {SERVER_WAIT_S} s:\n"
                                    f"{log_path.read_text()[-3000:]}")
                    time.sleep(0.3)
            yield base
        finally:
            # Kernels run in their own sessions: shut them down through the server before stopping it.
            with suppress(OSError, ValueError):
                for kernel in _api(base, "/api/kernels"):
                    _api(base, f"/api/kernels/{kernel['id']}", method="DELETE", timeout=15)
            stop_group(proc)


def test_explorers_notebook_runs_headless_with_nbclient(tmp_path):
    """The same notebook, executed by a kernel without a browser: every cell displays its widget."""
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(explorers_notebook()), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells if cell.cell_type == "code"]
    assert not any(o.output_type == "error" or o.get("name") == "stderr" for out in outputs for o in out)
    views = [o for out in outputs[1:] for o in out if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 4  # explore, upload, quiz, signal_or_noise


def image_fingerprint(page) -> dict:
    """The explorer's chart image: its src (a blob: URL ipywidgets makes per image) and its bytes' hash."""
    return page.evaluate("""async (sel) => {
        const img = document.querySelector(sel);
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let h = 0;
        for (const b of bytes) { h = (Math.imul(h, 31) + b) >>> 0; }
        return {src: img.src, size: bytes.length, hash: h, width: img.naturalWidth};
    }""", CHART)


def wait_for_new_image(page, old: dict) -> dict:
    page.wait_for_function("([sel, src]) => { const i = document.querySelector(sel);"
                           " return i && i.src !== src && i.complete && i.naturalWidth > 0; }",
                           arg=[CHART, old["src"]], timeout=CHANGE_MS)
    new = image_fingerprint(page)
    assert new["hash"] != old["hash"], "the chart image was replaced by an identical one"
    return new


def test_explorers_work_in_jupyterlab(lab, playwright_api, tmp_path):
    ctx = open_browser(playwright_api, tmp_path / "chromium-profile", WAIT_MS)
    with browsing(ctx, tmp_path / "failure.png") as page:
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        # The kernel must be ready before Run All, or the first cells run into a starting kernel.
        page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()

        # explore(): the chart arrives as a PNG image
        page.wait_for_function("(sel) => { const i = document.querySelector(sel);"
                               " return i && i.complete && i.naturalWidth > 0; }", arg=CHART)
        first = image_fingerprint(page)
        assert first["size"] > 10_000 and first["width"] >= 800, first
        explorer = page.locator(".qikit-explore")
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "explore-run-chart.png"))

        # change a dropdown: run chart -> u chart
        chart_select = explorer.locator(".widget-dropdown").filter(
            has=page.locator("label", has_text=re.compile(r"^Chart$"))).locator("select")
        chart_select.select_option(label="u chart (rates)")
        second = wait_for_new_image(page, first)
        explorer.locator(".qikit-code textarea").wait_for()
        page.wait_for_function("() => document.querySelector('.qikit-explore .qikit-code textarea')"
                               ".value.includes(\"chart='u'\")", timeout=CHANGE_MS)

        # move the freeze slider with the keyboard, as a trainee can: 12 steps right = a 13-month baseline
        handle = explorer.locator(".qikit-freeze .noUi-handle")
        handle.focus()
        for _ in range(12):
            handle.press("ArrowRight")
        wait_for_new_image(page, second)
        assert "13" in explorer.locator(".qikit-freeze").inner_text()
        # each key press is a change the kernel answers in turn: wait for the last one to be drawn
        page.wait_for_function("() => document.querySelector('.qikit-explore .qikit-code textarea')"
                               ".value.includes('freeze=13') && document.querySelector('.qikit-explore "
                               ".qikit-words').innerText.includes('first 13 points (the baseline)')",
                               timeout=CHANGE_MS)
        page.wait_for_function("(sel) => { const i = document.querySelector(sel);"
                               " return i && i.complete && i.naturalWidth > 0; }", arg=CHART)
        third = image_fingerprint(page)
        assert third["hash"] not in (first["hash"], second["hash"])
        assert third["width"] == first["width"]
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "explore-u-chart-frozen.png"))

        # upload(): a CSV with text in a column of numbers arrives and is read, the problem reported
        uploader = page.locator(".qikit-upload")
        uploader.scroll_into_view_if_needed()
        with page.expect_file_chooser(timeout=WAIT_MS) as chooser:  # the dialog a click on the button opens
            uploader.locator(".widget-upload").click()
        chooser.value.set_files(str(tmp_path / "falls-upload.csv"))
        status = uploader.locator(".qikit-upload-status")
        status.get_by_text("Read falls-upload.csv").wait_for()
        assert "4 rows and 3 columns" in status.inner_text()
        assert "'falls' looks like a column of numbers, but row 3 holds text ('n/k')" in status.inner_text()

        # choose_chart_quiz(): counts of falls, not rare, unequal bed-days, not huge -> u chart
        quiz = page.locator(".qikit-quiz")
        quiz.scroll_into_view_if_needed()
        for answer in ("A count of events: falls, infections, medication errors", "No", "No", "No"):
            quiz.get_by_role("button", name=answer, exact=True).click()
        recommendation = quiz.locator(".qikit-recommendation")
        recommendation.wait_for()
        assert "u chart (rates)" in recommendation.inner_text()
        page.screenshot(path=str(tmp_path / "quiz.png"))
        quiz.get_by_role("button", name="Start again").click()
        quiz.get_by_text("Question 1").wait_for()

        # signal_or_noise(): chart and the table of rule sets beside it
        sn = page.locator(".qikit-signal-or-noise")
        sn.scroll_into_view_if_needed()
        sn.locator("img.qikit-chart").wait_for()
        table = sn.locator(".qikit-catch-table")
        assert "Caught it?" in table.inner_text() and "Western Electric" in table.inner_text()
        page.screenshot(path=str(tmp_path / "signal-or-noise.png"))

        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.filter(has_text="Traceback").count() == 0
        assert page.locator(".jp-OutputArea-output", has_text="Error displaying widget").count() == 0
        page.screenshot(path=str(tmp_path / "explorers-notebook.png"), full_page=True)
    assert (tmp_path / "explore-u-chart-frozen.png").stat().st_size > 20_000
