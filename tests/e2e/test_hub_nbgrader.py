"""nbgrader's whole flow across real accounts on a real JupyterHub (127.0.0.1), as a college runs it.

The instructor writes an assignment in the grader service and generates and releases it through the
formgrader's API; two students fetch it in their own servers, answer (one right, one wrong) and
submit; the instructor collects, autogrades and releases feedback; each student fetches feedback and
sees their own mark; the instructor opens a submission to mark it, and nothing of the student's runs
there. Around that: students cannot reach the formgrader, cannot read each other's work (file
permissions, checked as the Unix account itself, and the hub's API), and run under the
per-process limits of the config.
"""

from __future__ import annotations

import json
import pwd
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from .browser import browsing, log_in, open_browser
from .hubtools import HTTPError

pytestmark = pytest.mark.slow

ASSIGNMENT = "ps1"

# The solution as the instructor writes it, and the two students' answers. The visible test,
# mean_los([2, 4]) == 3, is passed by both: (2 + 4) / 2 = 3 and (first + last) / 2 = (2 + 4) / 2 = 3.
# The hidden test, mean_los([1, 2, 3, 6]) == 3, separates them: (1 + 2 + 3 + 6) / 4 = 12 / 4 = 3,
# but (first + last) / 2 = (1 + 6) / 2 = 3.5. So ann scores 2 / 2 and ben 0 / 2.
SOLUTION = (
    "def mean_los(days):\n"
    '    """Mean length of stay, in days."""\n'
    "    ### BEGIN SOLUTION\n"
    "    return sum(days) / len(days)\n"
    "    ### END SOLUTION"
)
RIGHT = "def mean_los(days):\n    return sum(days) / len(days)"
WRONG = "def mean_los(days):\n    return (days[0] + days[-1]) / 2"
TESTS = (
    "assert mean_los([2, 4]) == 3, 'the mean of 2 and 4 days is 3 days'\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert mean_los([1, 2, 3, 6]) == 3, 'use every stay, not only the first and last'\n"
    "### END HIDDEN TESTS"
)
HIDDEN_MARKER = "[1, 2, 3, 6]"


def source_notebook() -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("Write `mean_los(days)`, the mean length of stay of a list of stays."),
        nbformat.v4.new_code_cell(SOLUTION, metadata={"nbgrader": {
            "grade": False, "solution": True, "locked": False, "task": False,
            "grade_id": "mean_los", "schema_version": 3}}),
        nbformat.v4.new_code_cell(TESTS, metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "task": False, "points": 2,
            "grade_id": "test_mean_los", "schema_version": 3}}),
    ]
    return json.loads(nbformat.writes(nb))


def as_account(hub, name: str, code: str) -> subprocess.CompletedProcess:
    """Run Python code as the Unix account ``name`` (what a student's own process could do), in the hub's
    mount namespace: the file system exactly as the account's own server sees it (hubtools.reach_wrapper)."""
    account = pwd.getpwnam(name)
    assert account.pw_uid >= 1000
    enter = ["nsenter", f"--target={hub.proc.pid}", "--mount", "--"]
    become = ["setpriv", f"--reuid={account.pw_uid}", f"--regid={account.pw_gid}", "--init-groups"]
    # The system's Python: the test's own may live where the account cannot go.
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    return subprocess.run([*enter, *become, python, "-I", "-c", code], capture_output=True,
                          text=True, timeout=60, cwd="/", env={"PATH": "/usr/bin:/bin", "HOME": account.pw_dir})


def may_list(hub, name: str, folder: Path) -> bool:
    out = as_account(hub, name, f"import os\ntry:\n    os.listdir({str(folder)!r}); print('yes')\n"
                                "except PermissionError:\n    print('no')")
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "yes"


def may_read(hub, name: str, path: Path) -> bool:
    out = as_account(hub, name, f"try:\n    open({str(path)!r}, 'rb').read(1); print('yes')\n"
                                "except PermissionError:\n    print('no')")
    assert out.returncode == 0, out.stderr
    return out.stdout.strip() == "yes"


def grade_in_browser(pw, hub, tmp_path: Path, students: list[str]) -> dict[str, str]:
    """The instructor, in Chromium, presses the formgrader's buttons: Collect, Autograde (each student),
    Generate feedback, Release feedback. Returns the log each success dialog showed."""
    course = hub.course
    ctx = open_browser(pw, tmp_path / "chromium-grading")
    with browsing(ctx, tmp_path / "formgrader-failure.png") as page:
        logs = {}

        def press(link, what: str) -> None:
            link.click()
            dialog = page.locator("#success-modal, #error-modal").first
            dialog.wait_for(state="visible", timeout=240_000)
            text = dialog.inner_text()
            assert dialog.get_attribute("id") == "success-modal", f"{what} failed in the formgrader:\n{text}"
            logs[what] = text
            dialog.locator(".modal-footer button").click()
            page.locator("#success-modal").wait_for(state="detached")

        base = f"{hub.url}/services/{course}/formgrader"
        log_in(page, hub, hub.instructor, f"/services/{course}/formgrader/manage_assignments")
        page.wait_for_url("**/formgrader/manage_assignments*")
        row = page.locator("tr", has=page.locator("td", has_text=ASSIGNMENT)).first
        press(row.locator("td.collect a"), "collect")
        page.goto(f"{base}/manage_submissions/{ASSIGNMENT}")
        for student in students:
            row = page.locator("tr", has=page.locator("td", has_text=student)).first
            press(row.locator("td.autograde a"), f"autograde {student}")
        page.goto(f"{base}/manage_assignments")
        row = page.locator("tr", has=page.locator("td", has_text=ASSIGNMENT)).first
        press(row.locator("td.generate-feedback a"), "generate feedback")
        row = page.locator("tr", has=page.locator("td", has_text=ASSIGNMENT)).first
        press(row.locator("td.release-feedback a"), "release feedback")
        page.screenshot(path=str(tmp_path / "formgrader-after-grading.png"), full_page=True)
    return logs


def marking_page(pw, hub, tmp_path: Path, submission_id: str) -> dict:
    """The instructor, in Chromium, opens one submission's marking page in the formgrader: what a script in
    it could have set (``window.qikitPwned``) and the bold words its HTML outputs show."""
    ctx = open_browser(pw, tmp_path / "chromium-marking")
    with browsing(ctx, tmp_path / "marking-failure.png") as page:
        log_in(page, hub, hub.instructor, f"/services/{hub.course}/formgrader/submissions/{submission_id}/?index=0")
        page.wait_for_url(f"**/formgrader/submissions/{submission_id}/**")
        page.get_by_text("Student's answer").first.wait_for()
        page.wait_for_timeout(500)  # an image's onerror fires after the load
        return {"pwned": page.evaluate("window.qikitPwned"), "shown": page.locator(".output_html b").all_inner_texts()}


def score_in(html: str) -> tuple[float, float]:
    m = re.search(r"\(Score: ([\d.]+) / ([\d.]+)\)\s*</h[1-4]>", html)
    assert m, "no total score in the feedback"
    return float(m.group(1)), float(m.group(2))


def test_release_submit_grade_feedback_across_accounts(hub, browser_kit, tmp_path):
    course, inst, (ann, ben) = hub.course, hub.instructor, hub.students
    t_inst, t_ann, t_ben = hub.token(inst), hub.token(ann), hub.token(ben)
    hub.start_servers([inst, ann, ben])
    hub.wait_for_service(t_inst)
    grader = f"/services/{course}"

    # --- only the course's instructors reach the grader --------------------------------------------
    assert hub.status("GET", f"{grader}/formgrader/api/status", t_inst) == 200
    for student_token in (t_ann, t_ben):
        assert hub.status("GET", f"{grader}/formgrader/api/status", student_token) == 403
        assert hub.status("GET", f"{grader}/api/contents/", student_token) == 403
    assert hub.status("GET", f"/user/{ann}/formgrader/api/status", t_ann) == 404  # not in a student's server

    # --- the instructor writes the assignment in the grader, then generates and releases it --------
    hub.json("PUT", f"{grader}/api/contents/source", t_inst, {"type": "directory"})
    hub.json("PUT", f"{grader}/api/contents/source/{ASSIGNMENT}", t_inst, {"type": "directory"})
    hub.json("PUT", f"{grader}/api/contents/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", t_inst,
             {"type": "notebook", "format": "json", "content": source_notebook()})
    for student, (first, last) in ((ann, ("Ann", "Adams")), (ben, ("Ben", "Brown"))):
        hub.json("PUT", f"{grader}/formgrader/api/student/{student}", t_inst,
                 {"first_name": first, "last_name": last, "email": None})
    out = hub.json("POST", f"{grader}/formgrader/api/assignment/{ASSIGNMENT}/assign", t_inst, timeout=120)
    assert out["success"], out
    out = hub.json("POST", f"{grader}/formgrader/api/assignment/{ASSIGNMENT}/release", t_inst)
    assert out["success"], out
    released = hub.exchange / course / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert HIDDEN_MARKER not in released.read_text(), "the released notebook leaks the hidden test"

    # --- each student fetches, answers and submits, in their own server ----------------------------
    # ben's answer also tries, when the grader runs it, to read the gradebook (the grader's own file).
    gradebook = hub.homes / hub.grader / course / "gradebook.db"
    probe = (f"\ntry:\n    open({str(gradebook)!r}, 'rb').read(16)\n    print('GRADEBOOK ' + 'READ')\n"
             "except OSError:\n    print('GRADEBOOK ' + 'OUT OF REACH')")
    # ... and displays HTML that would run a script in the tutor's formgrader (the grader's rights) if shown as is.
    probe += ("\nfrom IPython.display import HTML, display\n"
              "display(HTML('<b>LOS</b><img src=\"nothing.png\" onerror=\"window.qikitPwned = 1\">'))")
    for student, token, answer in ((ann, t_ann, RIGHT), (ben, t_ben, WRONG + probe)):
        listing = hub.json("GET", f"/user/{student}/assignments?course_id={course}", token)
        assert [(a["assignment_id"], a["status"]) for a in listing["value"]] == [(ASSIGNMENT, "released")]
        hub.json("POST", f"/user/{student}/assignments/fetch", token,
                 {"course_id": course, "assignment_id": ASSIGNMENT})
        path = f"/user/{student}/api/contents/{course}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        nb = hub.json("GET", path, token)["content"]
        answer_cells = [cell for cell in nb["cells"] if cell["metadata"].get("nbgrader", {}).get("solution")]
        assert len(answer_cells) == 1 and "raise NotImplementedError()" in "".join(answer_cells[0]["source"])
        answer_cells[0]["source"] = answer
        hub.json("PUT", path, token, {"type": "notebook", "format": "json", "content": nb})
        out = hub.json("POST", f"/user/{student}/assignments/submit", token,
                       {"course_id": course, "assignment_id": ASSIGNMENT}, timeout=120)
        assert "success" not in out or out["success"], out

    # --- ann forges a later submission in ben's name, with the right answer ---------------------------
    forged = f"{ben}+{ASSIGNMENT}+2999-01-01 00:00:00.000000 UTC+forgedXXXXXX"
    right_nb = hub.json("GET", f"/user/{ann}/api/contents/{course}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", t_ann)["content"]
    out = as_account(hub, ann, (
        "import json, os\n"
        f"d = os.path.join({str(hub.exchange / course / 'inbound')!r}, {forged!r})\n"
        "os.mkdir(d)\n"
        f"open(os.path.join(d, {ASSIGNMENT + '.ipynb'!r}), 'w').write({json.dumps(right_nb)!r})\n"
        "open(os.path.join(d, 'timestamp.txt'), 'w').write('2999-01-01 00:00:00.000000 UTC')\n"))
    assert out.returncode == 0, out.stderr

    # --- the instructor collects, autogrades and releases feedback with the formgrader's buttons -------
    log = grade_in_browser(browser_kit, hub, tmp_path, [ann, ben])
    assert f"REFUSED submission inbound/{forged}" in log["collect"], log["collect"]
    assert f"belongs to {ann}, not {ben}" in log["collect"]
    scores = {s["student"]: (s["score"], s["max_score"])
              for s in hub.json("GET", f"{grader}/formgrader/api/submissions/{ASSIGNMENT}", t_inst)}
    assert scores == {ann: (2.0, 2.0), ben: (0.0, 2.0)}, "the forged submission was graded as ben's"
    refused = (hub.homes / hub.grader / course / "refused_submissions.csv").read_text()
    assert forged in refused and f"belongs to {ann}" in refused

    # --- each student fetches their own feedback and sees their own mark ---------------------------
    feedback = {}
    for student, token in ((ann, t_ann), (ben, t_ben)):
        hub.json("POST", f"/user/{student}/assignments/fetch_feedback", token,
                 {"course_id": course, "assignment_id": ASSIGNMENT})
        folder = f"/user/{student}/api/contents/{course}/{ASSIGNMENT}/feedback"
        stamps = [item["name"] for item in hub.json("GET", folder, token)["content"]]
        assert len(stamps) == 1, stamps
        html = hub.json("GET", f"{folder}/{quote(stamps[0])}/{ASSIGNMENT}.html?type=file&format=text",
                        token)["content"]
        feedback[student] = html
    assert score_in(feedback[ann]) == (2.0, 2.0)
    assert score_in(feedback[ben]) == (0.0, 2.0)
    assert "use every stay, not only the first and last" in feedback[ben]  # the message written for him
    assert HIDDEN_MARKER not in feedback[ben], "feedback quotes the hidden test's code"
    # Autograding ran ben's code in the sandbox, not with the grader's rights (course/nbgrader_config.py).
    graded = (hub.homes / hub.grader / course / "autograded" / ben / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "GRADEBOOK OUT OF REACH" in graded and "GRADEBOOK READ\\n" not in graded
    # The instructor opens ben's submission to mark it: his HTML is shown cleaned, and nothing of his runs.
    [ben_submission] = [n["id"] for n in hub.json(
        "GET", f"{grader}/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}", t_inst)
        if n["student"] == ben]
    marking = marking_page(browser_kit, hub, tmp_path, ben_submission)
    assert marking["pwned"] is None and marking["shown"] == ["LOS"], marking  # his output, shown cleaned
    # (his feedback withholds that output anyway: his code reaches for the gradebook, so it is flagged)
    assert not re.search(r"<img[^>]*\bonerror", feedback[ben])

    # --- students cannot read each other's work: the hub's API ... ---------------------------------
    assert hub.status("GET", f"/user/{ann}/api/contents/{course}/{ASSIGNMENT}", t_ben) == 403
    assert hub.status("GET", f"/user/{ben}/api/contents/{course}/{ASSIGNMENT}", t_ann) == 403
    assert hub.status("GET", f"{grader}/formgrader/api/submissions/{ASSIGNMENT}", t_ben) == 403
    with pytest.raises(HTTPError):
        hub.request("GET", f"/user/{ann}/files/{course}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", t_ben)

    # --- ... and the file system, as the Unix account ben --------------------------------------------
    inbound, outbound = hub.exchange / course / "inbound", hub.exchange / course / "outbound"
    assert may_list(hub, ben, outbound)  # released assignments are for everyone
    assert not may_list(hub, ben, inbound), "a student can list everyone's submissions"
    assert not may_list(hub, ben, hub.exchange / course / "feedback"), "a student can list everyone's feedback"
    ann_home = Path(pwd.getpwnam(ann).pw_dir)
    # Her home as her server sees it (on her own disk, mounted where the hub runs): found as ann herself.
    found = as_account(hub, ann, f"import glob, os\nprint(oct(os.stat({str(ann_home)!r}).st_mode & 0o777))\n"
                                 f"print(glob.glob({str(ann_home / course / ASSIGNMENT / 'feedback')!r} + '/**/*.html', "
                                 "recursive=True)[0])")
    assert found.returncode == 0, found.stderr
    mode, feedback_path = found.stdout.split("\n")[:2]
    assert mode == "0o700"
    ann_feedback = Path(feedback_path)
    assert not may_read(hub, ben, ann_feedback)
    assert not may_read(hub, ben, ann_home / course / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert may_read(hub, ann, ann_feedback)  # the check itself can succeed
    assert not may_read(hub, ben, hub.base / "state" / "hub" / "jupyterhub.sqlite")  # tokens, password hashes
    # Submissions sit on each student's own disk (course/deploy/qikit_hub_disk.py), in an inbound/ that
    # only the grader can list, under names with 12 random characters (nbgrader's own design); the
    # submitted files themselves are owned by their student. Nothing of theirs is in the shared inbound.
    def listing(folder: Path) -> list[str]:  # as the hub sees it (its mount namespace)
        out = subprocess.run(hub.in_namespace(["ls", "-A", str(folder)]), capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout.splitlines()

    assert [n for n in listing(inbound) if n != forged] == []
    own = {student: hub.state / "disk" / "mnt" / student / "inbound" for student in (ann, ben)}
    submissions = {student: listing(folder) for student, folder in own.items()}
    assert all(len(names) == 1 and names[0].startswith(f"{student}+{ASSIGNMENT}+")
               and len(names[0].split("+")[-1]) == 12 for student, names in submissions.items()), submissions
    assert not may_list(hub, ann, own[ben]), "a student can list another's submissions"

    # --- ann writes into ben's own submission folder (say she learnt its name): out of her reach -----
    bens = own[ben] / submissions[ben][0]
    out = as_account(hub, ann, (
        "import os\n"
        f"nb = os.path.join({str(bens)!r}, {ASSIGNMENT + '.ipynb'!r})\n"
        f"open(nb, 'w').write({json.dumps(right_nb)!r})\n"))
    assert out.returncode != 0 and "PermissionError" in out.stderr, out
    out = hub.json("POST", f"{grader}/formgrader/api/assignment/{ASSIGNMENT}/collect", t_inst)
    assert out["success"], out
    collected = hub.homes / hub.grader / course / "submitted" / ben / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "(days[0] + days[-1]) / 2" in collected.read_text(), "ben's collected work was replaced"

    # --- the per-process limits of the config are in force in a student's server ---------------------
    uid = pwd.getpwnam(ann).pw_uid
    # Every process of ann (her server, whether started from the warm zygote or not, and its kernels).
    limits = [Path(f"/proc/{p.name}/limits").read_text() for p in Path("/proc").iterdir()
              if p.name.isdigit() and p.stat().st_uid == uid]
    assert limits, "no process of ann found"
    for text in limits:
        address_space = re.search(r"Max address space\s+(\d+)\s+(\d+)", text)
        assert address_space and int(address_space.group(1)) == 2 * 1024**3  # QIKIT_MEM_LIMIT's default, 2G


def test_only_the_grader_may_be_framed(hub):
    """JupyterHub >= 4.1 sends "frame-ancestors 'none'"; the config relaxes it for the grader alone,
    whose formgrader JupyterLab shows in a panel. Students' servers keep the default."""
    course, inst, ann = hub.course, hub.instructor, hub.students[0]
    hub.start_servers([inst, ann])
    hub.wait_for_service(hub.token(inst))
    policy = {}
    for who, path in ((inst, f"/services/{course}/formgrader"), (ann, f"/user/{ann}/lab"),
                      (inst, f"/user/{inst}/lab")):
        req = urllib.request.Request(hub.url + path, headers={"Authorization": f"token {hub.token(who)}"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            policy[path] = resp.headers.get("Content-Security-Policy")
    assert policy == {f"/services/{course}/formgrader": "frame-ancestors 'self'",
                      f"/user/{ann}/lab": "frame-ancestors 'none'",
                      f"/user/{inst}/lab": "frame-ancestors 'none'"}


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_sign_up_is_safe_by_default(hub):
    """The administrator exists from the hub's first start (nobody can sign up as them), a sign-up waits
    for approval, and names of the system's or the grader's accounts are refused with the reason."""
    # The administrator's name is taken before anyone could sign up with it.
    assert "already in use" in hub.sign_up(hub.instructor)
    assert hub.log_in(hub.instructor, hub.passwords[hub.instructor]) is not None  # the first password still works
    # A new trainee waits for approval, and cannot log in until approved.
    newcomer = f"{hub.course}-new"
    assert "sent to the admin" in hub.sign_up(newcomer)
    assert hub.log_in(newcomer) is None
    hub.approve(newcomer)
    assert hub.log_in(newcomer) is not None
    # Reserved names: the grader account, root, the system's accounts, other existing Unix accounts.
    for name, reason in ((hub.grader, "kept for a course's grading account"), ("grader-other", "grading account"),
                         ("root", "kept for the system"), ("daemon", "account of the system itself"),
                         ("nobody", "kept for the system")):
        message = hub.sign_up(name)
        assert reason in message, (name, message)
        assert hub.log_in(name, hub.passwords[name]) is None
    # The hub listens on loopback only: the config's default, with no QIKIT_HUB_IP in the guide's command.
    port = int(hub.url.rsplit(":", 1)[1])
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local = {line.split()[1] for line in listening if line.split()[3] == "0A"}
    assert f"0100007F:{port:04X}" in local, "the hub is not listening on 127.0.0.1"
    assert f"00000000:{port:04X}" not in local, "the hub listens on every interface"
