"""A person's view of the hub, in headless Chromium (Debian's package, driven by Playwright).

A student logs in, opens the course through its nbgitpuller link (which clones the course into
their server and opens the notebook in JupyterLab), runs every cell and sees the run chart and a
slider; an instructor logs in and sees the formgrader inside the grader's JupyterLab, which
only works because the grader's pages allow framing by their own origin (JupyterHub >= 4.1 forbids
it by default). Screenshots are kept in the test's tmp_path.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from .browser import browsing, log_in, open_browser
from .hubtools import unavailable

pytestmark = pytest.mark.slow

NOTEBOOK = "qikit-browser-check.ipynb"
WAIT_MS = 120_000


def course_notebook() -> dict:
    """A small course notebook: a qikit run chart and an ipywidgets slider."""
    if importlib.util.find_spec("qikit.plot") is not None:
        chart = ("ax = res.plot()\n"
                 "fig = ax if isinstance(ax, plt.Figure) else ax.figure\n")
    else:  # before the presentation layer existed: draw the result's table with matplotlib
        chart = ("fig, ax = plt.subplots()\n"
                 "ax.plot(res.data['x'], res.data['y'], marker='o')\n"
                 "ax.plot(res.data['x'], res.data['cl'])\n")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Falls on the ward\nA run chart of weekly falls, then a slider."),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nimport pandas as pd\nimport ipywidgets as widgets\nimport qikit\n"
            "from IPython.display import display\n"
            "df = pd.DataFrame({'week': pd.date_range('2024-01-07', periods=20, freq='W'),\n"
            "                   'falls': [5, 7, 4, 6, 8, 5, 6, 4, 7, 5, 3, 2, 3, 2, 1, 3, 2, 2, 3, 1]})\n"
            "res = qikit.spc(df, x='week', y='falls', chart='run')"),
        nbformat.v4.new_code_cell(chart + "plt.close(fig)\ndisplay(fig)"),
        nbformat.v4.new_code_cell("widgets.IntSlider(value=3, min=0, max=10, description='Week')"),
    ]
    return json.loads(nbformat.writes(nb))


def course_repository(hub, owner: str) -> Path:
    """A git repository holding the course notebook, as a college's course repository would.

    It belongs to ``owner`` because git refuses to read a repository on disk owned by another account
    ("dubious ownership"); a real course is cloned over https, where that question does not arise."""
    repo = hub.base / "qikit-course"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / NOTEBOOK).write_text(json.dumps(course_notebook()))
    git = ["git", "-C", str(repo), "-c", "user.name=qikit e2e", "-c", "user.email=e2e@localhost"]
    for args in (["init", "-q", "-b", "main"], ["add", "notebooks"], ["commit", "-q", "-m", "course"]):
        subprocess.run([*git, *args], check=True, capture_output=True, timeout=30)
    account = pwd.getpwnam(owner)
    for p in [repo, *repo.rglob("*")]:
        os.chown(p, account.pw_uid, account.pw_gid, follow_symlinks=False)
    return repo


def sign_up_in_browser(browser_kit, hub, tmp_path: Path) -> str:
    """The guide's steps 1-2 in Chromium: a trainee signs up, cannot log in until approved, the
    administrator logs in with the first password the hub command wrote and approves them on
    /hub/authorize, and the trainee logs in. Returns the trainee's name."""
    name, password = f"{hub.course}-cat", "Lean-Six-Sigma-2026"
    hub.signed_up.add(name)  # removed with the other test accounts
    trainee = open_browser(browser_kit, tmp_path / "chromium-trainee")
    admin = open_browser(browser_kit, tmp_path / "chromium-admin")
    page, admin_page = trainee.new_page(), admin.new_page()
    try:
        page.goto(f"{hub.url}/hub/signup")
        page.fill("#username_input", name)
        page.fill("#password_input", password)
        page.fill("#password_confirmation_input", password)
        page.click("#signup_submit")
        page.locator(".alert").get_by_text("sent to the admin").wait_for()
        log_in(page, hub, name, "/hub/home", password)
        page.get_by_text("has not been authorized by an administrator yet").wait_for()
        # The administrator: the first password is in the root-only file the hub command wrote.
        first = (hub.state / "hub" / f"first-password-{hub.instructor}")
        assert oct(first.stat().st_mode & 0o777) == "0o600" and first.stat().st_uid == 0
        log_in(admin_page, hub, hub.instructor, "/hub/authorize", first.read_text().strip())
        admin_page.wait_for_url("**/hub/authorize*")
        admin_page.locator(f"a[href$='authorize/{name}']", has_text="Authorize").click()
        admin_page.locator(f"a[href$='authorize/{name}']", has_text="Unauthorize").wait_for()
        admin_page.screenshot(path=str(tmp_path / "admin-authorize.png"), full_page=True)
        log_in(page, hub, name, "/hub/home", password)
        page.wait_for_url("**/hub/home*")
    except Exception:
        page.screenshot(path=str(tmp_path / "signup-failure.png"), full_page=True)
        admin_page.screenshot(path=str(tmp_path / "authorize-failure.png"), full_page=True)
        raise
    finally:
        trainee.close()
        admin.close()
    hub.passwords[name] = password
    return name


def test_student_opens_the_course_through_its_link(browser_kit, hub, tmp_path):
    """A trainee signs up, is approved and logs in, all in Chromium; then the nbgitpuller link from
    `qikit course links` pulls the course into their server and opens the notebook; they run it and see
    the chart and the slider."""
    from qikit.course import links

    if not shutil.which("git"):
        unavailable("git is not installed (nbgitpuller clones the course with it)")
    student = sign_up_in_browser(browser_kit, hub, tmp_path)
    hub.start_servers([student])
    repo = course_repository(hub, student)
    [(name, link)] = links(hub.url, f"file://{repo}", root=repo)
    assert name == NOTEBOOK
    ctx = open_browser(browser_kit, tmp_path / "chromium-student")
    with browsing(ctx, tmp_path / "student-failure.png") as page:
        log_in(page, hub, student, "/hub/home")
        page.wait_for_url("**/hub/home*")
        page.goto(link)
        page.wait_for_url(f"**/user/{student}/lab/tree/{repo.name}/notebooks/{NOTEBOOK}*")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        # The kernel must be ready before Run All, or the first cells run into a starting kernel.
        page.locator("#jp-main-statusbar").get_by_text("| Idle").wait_for()
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
        chart = page.locator(".jp-OutputArea-output img").first
        chart.wait_for(state="visible")
        slider = page.locator(".widget-slider, .widget-hslider").first
        slider.wait_for(state="visible")
        slider.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "student-notebook.png"), full_page=True)
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100, f"the chart is too small to read: {box}"
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").filter(
            has_text="Traceback").count() == 0
        assert "Week" in slider.inner_text()
        # A student's JupyterLab has no formgrader, Create Assignment or Course List.
        disabled = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)"
                                 ".disabledExtensions")
        for plugin in ("formgrader", "create-assignment", "course-list"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled
        assert "@jupyter/nbgrader:assignment-list" not in disabled
    assert (tmp_path / "student-notebook.png").stat().st_size > 10_000


def test_instructor_sees_the_formgrader_inside_jupyterlab(browser_kit, hub, tmp_path):
    hub.wait_for_service(hub.token(hub.instructor))
    ctx = open_browser(browser_kit, tmp_path / "chromium-instructor")
    with browsing(ctx, tmp_path / "instructor-failure.png") as page:
        # The link nbgrader's Course List gives an instructor: the grader's JupyterLab, formgrader open.
        log_in(page, hub, hub.instructor, f"/services/{hub.course}/lab?formgrader=true")
        page.wait_for_url(f"**/services/{hub.course}/lab*")
        frame = page.frame_locator("iframe[src*='formgrader']")
        frame.get_by_text("Manage Assignments").first.wait_for()
        page.screenshot(path=str(tmp_path / "instructor-formgrader.png"), full_page=True)
