"""Notebook 11 as a trainee uses it, in a real JupyterLab in headless Chromium (Debian's, driven by Playwright).

The test serves a copy of notebook 11 (with its example data) from its tmp dir, using the JupyterLab fixture
of tests/test_widgets_browser.py, runs every cell, then fills every form by typing and clicking: the aim, a
measure, a PDSA cycle, and the data route with an uploaded CSV that has a blank row, a typo in a number ("1O")
and UK dates. Each form is saved into the project file. It then restarts the kernel and runs everything again,
so the project is read back from the file, and checks that the forms come back filled and that the report the
notebook writes has every SQUIRE 2.0 heading and the chart.

The kernel's temporary folder (where the notebook keeps its scratch project file) is the test's own, so
nothing is written outside the tmp dir. Skipped with the reason when Chromium or playwright is missing,
unless QIKIT_REQUIRE_E2E=1, when it fails instead.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.e2e.browser import WAIT_MS, browsing, open_browser
from tests.test_widgets_browser import TOKEN, lab, playwright_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "11-your-qi-project.ipynb"
UPLOAD = "my-ward-falls.csv"
# What a trainee exports from Excel: UK dates, a blank row (row 7) and the letter O typed for a zero (row 9).
UPLOAD_CSV = ("week,falls,bed_days\n07/01/2024,4,189\n14/01/2024,3,192\n21/01/2024,5,190\n28/01/2024,2,186\n"
              "04/02/2024,3,195\n\n11/02/2024,4,191\n18/02/2024,1O,188\n25/02/2024,2,193\n03/03/2024,3,190\n"
              "10/03/2024,1,187\n17/03/2024,2,194\n24/03/2024,2,190\n")
AIM_WHAT = "reduce inpatient falls on ward 7"
AIM_SHOWN = "Reduce inpatient falls on ward 7"  # the aim as a sentence, in the report


@pytest.fixture
def kernel_tmp(monkeypatch):
    """The kernel's temporary folder: the lab fixture passes os.environ on to the server and its kernels.

    A short path of its own: Chromium, started with the same environment, makes its sockets under TMPDIR,
    and a Unix socket's path may not be longer than 107 bytes (pytest's tmp_path can be too deep)."""
    folder = Path(tempfile.mkdtemp(prefix="nb11-"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _field(form, label: str):
    """The text box of ``form`` whose label starts with ``label``."""
    box = form.locator(".widget-text, .widget-textarea").filter(
        has=form.page.locator("label", has_text=re.compile("^" + re.escape(label))))
    return box.locator("input, textarea").first


def _fill(form, values: dict) -> None:
    for label, value in values.items():
        _field(form, label).fill(value)


def _save(form) -> None:
    form.locator(".qikit-form-save").last.click()
    form.locator(".qikit-form-saved").last.get_by_text("Saved in project.json").wait_for()


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


def test_a_trainee_fills_notebook_11_and_gets_a_report(kernel_tmp, lab, playwright_api, tmp_path):  # noqa: F811
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "notebooks" / "data" / "ward_falls_weekly.csv", tmp_path / "data")
    (tmp_path / UPLOAD).write_text(UPLOAD_CSV)
    project_dir = kernel_tmp / "qikit-my-project"

    ctx = open_browser(playwright_api, tmp_path / "chromium-profile")
    with browsing(ctx, tmp_path / "failure.png") as page:
        page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for()
        _run_all(page)

        # the aim builder: live feedback, then Save
        aim = page.locator(".qikit-aim-form")
        aim.scroll_into_view_if_needed()
        _fill(aim, {"What will change?": AIM_WHAT, "Where is it now?": "8 per 1,000 bed-days",
                    "How much?": "5 per 1,000 bed-days", "By when?": "31/03/2030",
                    "For whom?": "older inpatients", "Where?": "ward 7"})
        aim.locator(".qikit-form-ok").wait_for()
        assert "by 31 March 2030" in aim.locator(".qikit-form-preview").inner_text()
        _save(aim)

        # the measure form
        measure = page.locator(".qikit-measure-form")
        measure.scroll_into_view_if_needed()
        _fill(measure, {"Name of the measure": "Falls per 1,000 bed-days",
                        "Numerator": "inpatient falls reported on Datix",
                        "Denominator": "occupied bed-days / 1,000", "Who or what is included": "all inpatients",
                        "Who or what is excluded": "none", "Where the data come from": "Datix and the bed system",
                        "Who collects it": "the ward manager, every Monday"})
        measure.get_by_role("button", name="outcome", exact=True).click()
        measure.get_by_role("button", name="lower is better", exact=True).click()
        measure.locator(".qikit-form-ok").wait_for()
        _save(measure)

        # the PDSA cycle form
        cycle = page.locator(".qikit-pdsa-form")
        cycle.scroll_into_view_if_needed()
        _fill(cycle, {"Title": "Cycle 1: toileting round, bay 2",
                      "Plan: what is this test for?": "Does a two-hourly toileting round at night prevent falls?",
                      "Plan: who, what, when, where": "Night nurses, bay 2, one week; count falls and rounds",
                      "Plan: your prediction": "No falls in bay 2 that week; 5 of 6 rounds done",
                      "Start date": "05/02/2024", "Scale": "6", "Do: what happened": "No falls; 4 of 6 rounds",
                      "Study: results against the prediction": "Falls as predicted; rounds missed when busy",
                      "Act: what next": "add a prompt to the night board", "End date": "11/02/2024"})
        cycle.get_by_role("button", name="adapt", exact=True).click()
        cycle.locator(".qikit-form-ok").wait_for()
        _save(cycle)

        # the data route: the example file's problem is shown by row, then the trainee uploads their own
        route = page.locator(".qikit-data-route")
        route.scroll_into_view_if_needed()
        assert "row 16 holds text ('19O')" in route.locator(".qikit-upload-status").inner_text()
        with page.expect_file_chooser(timeout=WAIT_MS) as chooser:
            route.locator(".widget-upload").click()
        chooser.value.set_files(str(tmp_path / UPLOAD))
        status = route.locator(".qikit-upload-status")
        status.get_by_text(f"Read {UPLOAD}").wait_for()
        assert "row 9 holds text ('1O'). '1O' has a letter where a digit should be (write 10)" in status.inner_text()
        message = route.locator(".qikit-route-message")
        message.get_by_text("there is text in row 9").wait_for()
        assert "Traceback" not in route.inner_text()
        assert "Suggested: u chart" in route.locator(".qikit-route-suggestion").inner_text()
        route.locator(".widget-checkbox").filter(has_text="chart now, leaving the cells").locator("input").check()
        route.locator("img.qikit-chart").wait_for()
        route.locator(".qikit-route-reading").get_by_text("What the chart says").wait_for()
        page.screenshot(path=str(tmp_path / "data-route.png"))
        route.locator(".qikit-form-save").click()
        route.locator(".qikit-form-saved").get_by_text("Saved in project.json").wait_for()

        # restart the kernel and run everything again: the project comes back from its file
        report = project_dir / "project.html"
        report.unlink()  # written by the first run, from the empty project
        page.locator(".lm-MenuBar-item", has_text="Kernel").first.click()
        page.locator(".lm-Menu-item", has_text="Restart Kernel and Run All Cells").first.click()
        page.locator(".jp-Dialog .jp-mod-accept").click()  # "Confirm Kernel Restart"
        # the old outputs stay on the page until each cell runs again: wait for the new report file, then for
        # the report frame showing the reloaded project
        deadline = time.monotonic() + WAIT_MS / 1000
        while not report.exists():
            assert time.monotonic() < deadline, "the notebook did not write the report after the restart"
            time.sleep(0.5)
        page.wait_for_function("(aim) => { const f = document.querySelector('iframe.qikit-report');"
                               " return f && f.srcdoc.includes(aim); }", arg=AIM_SHOWN)
        page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for()
        assert _field(page.locator(".qikit-aim-form"), "What will change?").input_value() == AIM_WHAT
        page.screenshot(path=str(tmp_path / "report-in-notebook.png"))
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.filter(has_text="Traceback").count() == 0

    from qikit.improve.project import Project, squire_sections

    project = Project.open(project_dir / "project.json")
    assert project.aim.what == AIM_WHAT and [m.name for m in project.measures] == ["Falls per 1,000 bed-days"]
    assert [c.decision for c in project.pdsa] == ["adapt"]
    assert project.data_spec["chart"] == "u" and list(project.data.index)[:7] == [2, 3, 4, 5, 6, 8, 9]
    text = report.read_text(encoding="utf-8")
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h3[^>]*>(.*?)</h3>", text, re.S)]
    for section in squire_sections():
        assert any(h.endswith(html.escape(section["heading"])) for h in headings), section["heading"]
    assert re.search(r'<figure><img src="data:image/png;base64,[A-Za-z0-9+/]{1000}', text), "no chart in the report"
    assert html.escape(AIM_SHOWN) in text
