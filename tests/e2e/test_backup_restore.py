"""Nothing saved is lost: a graded course survives `qikit course backup`, the loss of its course directory,
exchange and grader account, and `qikit course restore` into a fresh hub.

On the guide's hub (hubtools.running_hub), an instructor releases an assignment, two trainees submit (one
right, one wrong), the instructor collects, autogrades, writes a comment for one of them and releases
feedback, all through the formgrader's API. The backup command of the guide is run word for word, with
the environment the hub itself was started with. Then the hub is stopped and the course directory
(with the gradebook), the exchange and the grader's Unix account are deleted. A second hub is started
fresh (new state, new exchange, a new grader account) for the same course id, the guide's restore command
is run against it, and the formgrader shows the same marks and comments, and each trainee fetches feedback
(for the first time) with the same score and the same bytes the first hub released.

The trainees' accounts and homes are kept: the backup covers the course, not the trainees' homes (the
guide says so), and nbgrader finds a trainee's feedback through the record of their submission kept there.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from .hubtools import DEPLOY, HTTPError, HubStartError, _userdel, running_hub
from .test_hub_nbgrader import ASSIGNMENT, HIDDEN_MARKER, RIGHT, WRONG, score_in, source_notebook

pytestmark = pytest.mark.slow

# The guide's section with the two commands (to be merged into README.md: point this there then).
GUIDE = DEPLOY / "README.md"
GUIDE_BACKUP_DIR = "/var/backups/qikit"  # where the guide's commands keep archives (QIKIT_BACKUP_DIR's default)
COMMENT = "Your mean uses only the first and last stays: add them all up and divide by how many there are."


def guide_command(marker: str) -> list[str]:
    """The words of the guide's command under ``<!-- marker -->``, less ``sudo``, with the venv's qikit."""
    text = GUIDE.read_text()
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, f"{GUIDE} has no {marker} block"
    words = shlex.split(m.group(1).replace("\\\n", " "))
    if words[0] == "sudo":
        words = words[1:]
    assert words[0] == ".venv/bin/qikit", words
    return [str(Path(sys.executable).with_name("qikit")), *words[1:]]


def hub_environment(hub) -> dict[str, str]:
    """The environment the hub process was started with (its QIKIT_ settings), read from /proc."""
    raw = Path(f"/proc/{hub.proc.pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


def run_guide_command(marker: str, env: dict[str, str], backup_dir: Path, archive: Path | None = None, hub=None):
    words = guide_command(marker)
    if archive is not None:  # the guide's example archive name stands for the one the backup wrote
        [example] = [w for w in words if w.endswith(".tar.gz")]
        assert str(Path(example).parent) == GUIDE_BACKUP_DIR, example
        words[words.index(example)] = str(archive)
    # The one change from the guide: archives go to this test's folder, not the machine's /var/backups. It
    # runs where the hub runs (its mount namespace, where the trainees' disks are mounted): on a college's
    # machine, the machine itself.
    if hub is not None:
        words = hub.in_namespace(words)
    return subprocess.run(words, capture_output=True, text=True, timeout=300, cwd=DEPLOY.parents[1],
                          env={**env, "QIKIT_BACKUP_DIR": str(backup_dir)})


def formgrader(hub, course: str, token: str, method: str, path: str, body=None, timeout: float = 240):
    return hub.json(method, f"/services/{course}/formgrader/api/{path}", token, body, timeout=timeout)


def wait_for_grader(hub, course: str, token: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            hub.request("GET", f"/services/{course}/api/status", token, timeout=10)
            return
        except (HTTPError, OSError) as e:
            if time.monotonic() > deadline:
                raise AssertionError(f"the grader service did not answer ({e}):\n{hub.log_tail()}") from None
            time.sleep(0.5)


def marks(hub, course: str, token: str) -> dict:
    """What the formgrader shows: each submission's score and every grade and comment of its notebook."""
    out = {}
    for sub in formgrader(hub, course, token, "GET", f"submissions/{ASSIGNMENT}"):
        out[sub["student"]] = {k: sub[k] for k in ("score", "max_score", "needs_manual_grade", "autograded",
                                                    "timestamp", "first_name", "last_name")}
    for nb in formgrader(hub, course, token, "GET", f"submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}"):
        grades = formgrader(hub, course, token, "GET", f"grades?submission_id={nb['id']}")
        comments = formgrader(hub, course, token, "GET", f"comments?submission_id={nb['id']}")
        out[nb["student"]]["grades"] = sorted((g["name"], g["auto_score"], g["manual_score"], g["max_score"])
                                              for g in grades)
        out[nb["student"]]["comments"] = sorted((c["name"], c["auto_comment"], c["manual_comment"]) for c in comments)
    return out


def grade_cohort(hub) -> None:
    """Release, two submissions (ann right, ben wrong), collect, autograde, a comment, feedback released."""
    course, inst, (ann, ben) = hub.course, hub.instructor, hub.students
    t_inst = hub.token(inst)
    hub.start_servers([inst, ann, ben])
    hub.wait_for_service(t_inst)
    grader = f"/services/{course}"
    hub.json("PUT", f"{grader}/api/contents/source", t_inst, {"type": "directory"})
    hub.json("PUT", f"{grader}/api/contents/source/{ASSIGNMENT}", t_inst, {"type": "directory"})
    hub.json("PUT", f"{grader}/api/contents/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", t_inst,
             {"type": "notebook", "format": "json", "content": source_notebook()})
    for student, (first, last) in ((ann, ("Ann", "Adams")), (ben, ("Ben", "Brown"))):
        formgrader(hub, course, t_inst, "PUT", f"student/{student}", {"first_name": first, "last_name": last,
                                                                       "email": None})
    assert formgrader(hub, course, t_inst, "POST", f"assignment/{ASSIGNMENT}/assign")["success"]
    assert formgrader(hub, course, t_inst, "POST", f"assignment/{ASSIGNMENT}/release")["success"]
    for student, answer in ((ann, RIGHT), (ben, WRONG)):
        token = hub.token(student)
        hub.json("POST", f"/user/{student}/assignments/fetch", token, {"course_id": course, "assignment_id": ASSIGNMENT})
        path = f"/user/{student}/api/contents/{course}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        nb = hub.json("GET", path, token)["content"]
        [cell] = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
        cell["source"] = answer
        hub.json("PUT", path, token, {"type": "notebook", "format": "json", "content": nb})
        out = hub.json("POST", f"/user/{student}/assignments/submit", token,
                       {"course_id": course, "assignment_id": ASSIGNMENT}, timeout=120)
        assert "success" not in out or out["success"], out
    assert formgrader(hub, course, t_inst, "POST", f"assignment/{ASSIGNMENT}/collect")["success"]
    for student in (ann, ben):
        out = formgrader(hub, course, t_inst, "POST", f"submission/{ASSIGNMENT}/{student}/autograde")
        assert out["success"], out
    [nb] = [n for n in formgrader(hub, course, t_inst, "GET", f"submitted_notebooks/{ASSIGNMENT}/{ASSIGNMENT}")
            if n["student"] == ben]
    [comment] = formgrader(hub, course, t_inst, "GET", f"comments?submission_id={nb['id']}")
    formgrader(hub, course, t_inst, "PUT", f"comment/{comment['id']}", {"manual_comment": COMMENT})
    assert formgrader(hub, course, t_inst, "POST", f"assignment/{ASSIGNMENT}/generate_feedback")["success"]
    assert formgrader(hub, course, t_inst, "POST", f"assignment/{ASSIGNMENT}/release_feedback")["success"]


def stop(hub) -> None:
    """Stop the first hub as its machine going down would, before running_hub's own clean-up: SIGTERM (the
    hub stops the servers, services and proxy it started), then whatever its accounts still run. The
    process is left unreaped so its PID cannot be reused before running_hub's clean-up signals its group."""
    hub.proc.terminate()
    deadline = time.monotonic() + 45
    with contextlib.suppress(ChildProcessError):
        while os.waitid(os.P_PID, hub.proc.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(hub.proc.pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.2)
    pid_file = hub.state / "hub" / "jupyterhub-proxy.pid"
    with contextlib.suppress(OSError, ValueError):
        if not Path(f"/proc/{int(pid_file.read_text())}").exists():
            pid_file.unlink()  # so the clean-up never signals a PID the proxy no longer holds


def test_the_guides_commands_are_what_qikit_does():
    """No hub needed: the guide's folder is qikit's default, its example archive is named as qikit names
    archives, and both commands parse with qikit's own options."""
    from qikit.hosting.backup import settings_from_env

    assert str(settings_from_env({}).backup_dir) == GUIDE_BACKUP_DIR
    backup_words, restore_words = guide_command("backup-command"), guide_command("restore-command")
    assert backup_words[1:3] == ["course", "backup"] and restore_words[1:3] == ["course", "restore"]
    [example] = [w for w in restore_words if w.endswith(".tar.gz")]
    assert re.fullmatch(rf"{GUIDE_BACKUP_DIR}/qikit-\d{{8}}T\d{{6}}Z\.tar\.gz", example), example
    for words in (backup_words, restore_words):
        out = subprocess.run([*words, "--help"], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
    text = " ".join(GUIDE.read_text().split())
    assert "--force" in restore_words and "renamed `<name>.replaced-<time>`" in text  # the guide explains it


def test_graded_course_survives_backup_wipe_and_restore_into_a_fresh_hub(tmp_path):
    backups = tmp_path / "backups"
    try:
        with running_hub() as first:
            course, (ann, ben) = first.course, first.students
            grade_cohort(first)
            t_inst = first.token(first.instructor)
            before = marks(first, course, t_inst)
            assert {s: (m["score"], m["max_score"]) for s, m in before.items()} == {ann: (2.0, 2.0), ben: (0.0, 2.0)}
            assert (COMMENT in str(before[ben]["comments"])) and COMMENT not in str(before[ann]["comments"])
            released = {p.name: p.read_bytes() for p in (first.exchange / course / "feedback").iterdir()}
            assert len(released) == 2

            # --- the guide's backup command, with the hub's own environment ----------------------------
            out = run_guide_command("backup-command", hub_environment(first), backups, hub=first)
            assert out.returncode == 0, out.stdout + out.stderr
            [archive] = backups.iterdir()
            assert f"to {archive}" in out.stdout
            assert "1 assignment (ps1), 2 students, 2 submissions, 2 grades" in out.stdout, out.stdout
            assert oct(archive.stat().st_mode & 0o777) == "0o600" and archive.stat().st_uid == 0

            # --- the machine loses the course: hub stopped; course directory, exchange, grader gone ------
            course_dir = first.homes / first.grader / course
            assert (course_dir / "gradebook.db").is_file()
            stop(first)
            _userdel(first.grader)  # userdel --remove: the grader's home, with the course directory
            shutil.rmtree(first.exchange)
            assert not course_dir.exists() and not first.exchange.exists()

            # --- a fresh hub for the same course: new state, exchange, grader account --------------------
            env = {"QIKIT_COURSE_ID": course, "QIKIT_STUDENTS": f"{ann},{ben}"}
            with running_hub(student_suffixes=(), extra_env=env) as second:
                assert second.exchange != first.exchange
                settings = hub_environment(second)
                assert settings["QIKIT_COURSE_ID"] == course
                new_course_dir = second.homes / first.grader / course
                assert (new_course_dir / "source").is_dir()  # the hub seeded the new course from the clone

                out = run_guide_command("restore-command", settings, backups, archive, hub=second)
                assert out.returncode == 0, out.stdout + out.stderr
                assert "1 assignment (ps1), 2 students, 2 submissions, 2 grades" in out.stdout, out.stdout
                assert "!!" not in out.stdout, out.stdout  # every owner's account exists here
                assert f"{new_course_dir}.replaced-" in out.stdout  # the seeded course kept aside

                # The exchange's protective modes and owners, by name, on the new machine.
                ex = second.exchange / course
                grader_uid = pwd.getpwnam(first.grader).pw_uid
                assert {d: (oct((ex / d).stat().st_mode & 0o7777), (ex / d).stat().st_uid)
                        for d in ("outbound", "inbound", "feedback")} == {
                    "outbound": ("0o755", grader_uid), "inbound": ("0o2733", grader_uid),
                    "feedback": ("0o711", grader_uid)}
                subs = list((ex / "inbound").iterdir())
                assert sorted(pwd.getpwuid(p.stat().st_uid).pw_name for p in subs) == [ann, ben]

                # The trainees sign up on the new hub (its database is new) and are approved.
                for student in (ann, ben):
                    assert "sent to the admin" in second.sign_up(student)
                    second.approve(student)
                t_inst2 = second.token(second.instructor)
                wait_for_grader(second, course, t_inst2)
                assert marks(second, course, t_inst2) == before

                # Each trainee fetches feedback for the first time and finds their own score.
                # The machine's usual backups bring back the trainees' disks (their homes, with nbgrader's
                # record of what they submitted), as the guide says, before they log in.
                images = second.state / "disk" / "images"
                images.mkdir(parents=True, exist_ok=True, mode=0o700)
                for image in (first.state / "disk" / "images").glob("*.ext4"):
                    subprocess.run(["cp", "--sparse=always", str(image), str(images / image.name)], check=True)
                second.start_servers([ann, ben])
                seen = {}
                for student in (ann, ben):
                    token = second.token(student)
                    second.json("POST", f"/user/{student}/assignments/fetch_feedback", token,
                                {"course_id": course, "assignment_id": ASSIGNMENT})
                    folder = f"/user/{student}/api/contents/{course}/{ASSIGNMENT}/feedback"
                    [stamp] = [item["name"] for item in second.json("GET", folder, token)["content"]]
                    seen[student] = second.json(
                        "GET", f"{folder}/{quote(stamp)}/{ASSIGNMENT}.html?type=file&format=text", token)["content"]
                assert score_in(seen[ann]) == (2.0, 2.0)
                assert score_in(seen[ben]) == (0.0, 2.0)
                assert COMMENT in seen[ben] and HIDDEN_MARKER not in seen[ben]
                assert sorted(html.encode() for html in seen.values()) == sorted(released.values())
    except HubStartError as e:
        pytest.fail(str(e), pytrace=False)
