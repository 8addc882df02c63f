"""Hostile trainees on the guide's hub: every probe of another's work, the grader's materials or the hub
itself, run as the trainee's own Unix account (in the hub's mount namespace, so the file system is the
one their server sees) and with their own browser cookie and API token. Each must be refused.

The suite prints a table of probes and outcomes (``pytest -s`` or the CI log shows it).
"""

from __future__ import annotations

import json
import pwd
import signal
from pathlib import Path

import pytest

from .hubtools import ROOT
from .probes import record
from .test_hub_nbgrader import as_account

pytestmark = pytest.mark.slow

# What no trainee account may read: in the shared clone (hub start closes these) and the grader's own.
CLONE_PRIVATE = ("assignments/source", "course/rubrics", "tests", ".git")


def readable_files(hub, name: str, roots: list[Path]) -> dict:
    """As ``name``: walk each root, trying to list every folder and read every file; report what worked."""
    code = (
        "import json, os, sys\n"
        f"roots = {[str(r) for r in roots]!r}\n"
        "out = {'read': [], 'listed': [], 'tried': 0}\n"
        "for root in roots:\n"
        "    todo = [root]\n"
        "    while todo:\n"
        "        path = todo.pop()\n"
        "        out['tried'] += 1\n"
        "        if os.path.isdir(path) and not os.path.islink(path):\n"
        "            try:\n"
        "                names = os.listdir(path)\n"
        "            except OSError:\n"
        "                continue\n"
        "            out['listed'].append(path)\n"
        "            todo += [os.path.join(path, n) for n in names]\n"
        "        else:\n"
        "            try:\n"
        "                open(path, 'rb').read(1)\n"
        "                out['read'].append(path)\n"
        "            except OSError:\n"
        "                pass\n"
        "print(json.dumps(out))\n"
    )
    res = as_account(hub, name, code)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def all_files(roots: list[Path]) -> list[Path]:
    """Every file under the roots, as root sees them (so a probe that reads nothing proves something)."""
    out = []
    for root in roots:
        out += [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else [root]
    return out


def test_trainees_cannot_reach_solutions_rubrics_or_the_gradebook(hub, outcomes):
    inst, (ann, ben) = hub.instructor, hub.students
    token = hub.token(inst)
    hub.start_servers([inst, ann, ben])  # a trainee's Unix account is made at their first start
    hub.wait_for_service(token)
    # Any formgrader page makes the gradebook, so the probe below reads a file that exists.
    hub.json("GET", f"/services/{hub.course}/formgrader/api/assignments", token)
    course_dir = hub.homes / hub.grader / hub.course
    assert (course_dir / "gradebook.db").is_file()
    assert (course_dir / "source" / "a1_aims_and_measures").is_dir(), "the hub did not copy the assignments"
    assert (course_dir / "rubrics").is_dir(), "the hub did not copy the rubrics into the course directory"
    targets = {
        "read the solutions and hidden tests in the clone": [ROOT / "assignments" / "source"],
        "read the rubrics in the clone": [ROOT / "course" / "rubrics"],
        "read the tests (answer banks) in the clone": [ROOT / "tests"],
        "read git's history of the clone": [ROOT / ".git"],
        "read the grader's home (course directory)": [Path(pwd.getpwnam(hub.grader).pw_dir)],
        "read the gradebook": [course_dir / "gradebook.db"],
        "read the hub's database and cookie secret": [hub.state / "hub"],
    }
    for probe, roots in targets.items():
        files = all_files(roots)
        assert files, f"nothing to probe for {probe!r}: the test would prove nothing"
        for student in (ann, ben):
            got = readable_files(hub, student, roots)
            refused = not got["read"]
            record(outcomes, f"{probe} ({student.split('-')[-1]})", refused,
                   f"{len(files)} files, {len(got['read'])} read" + (f", e.g. {got['read'][0]}" if got["read"] else ""))
            assert refused, f"{student} could {probe}: {got['read'][:5]}"
    # The notebooks and the package stay readable: trainees' servers need them.
    got = readable_files(hub, ann, [ROOT / "qikit" / "__init__.py", ROOT / "notebooks"])
    assert str(ROOT / "qikit" / "__init__.py") in got["read"] and len(got["read"]) > 5


def test_trainees_cannot_reach_each_other(hub, outcomes):
    ann, ben = hub.students
    hub.start_servers([ann, ben])
    ann_home, ben_home = (Path(pwd.getpwnam(s).pw_dir) for s in (ann, ben))
    # ann's own file, written as ann where her server writes (her home is on her own disk, mounted in the
    # hub's mount namespace), so the probe below has something to find.
    res = as_account(hub, ann, f"open({str(ann_home / 'my-project.txt')!r}, 'w').write('ann ward data')\n")
    assert res.returncode == 0, res.stderr
    assert readable_files(hub, ann, [ann_home])["read"], "ann cannot read her own file: the probe proves nothing"
    got = readable_files(hub, ben, [ann_home])
    record(outcomes, "read another trainee's home", not got["read"] and not got["listed"],
           f"{len(got['listed'])} folders listed, {len(got['read'])} files read")
    assert not got["read"] and not got["listed"]
    for folder in ("inbound", "feedback"):
        got = readable_files(hub, ben, [hub.exchange / hub.course / folder])
        record(outcomes, f"list the exchange's {folder}/", not got["listed"], f"{len(got['listed'])} listed")
        assert not got["listed"]
    # Each trainee's own disk (home and submissions, qikit_hub_disk.py): ann's, probed by ben.
    ann_disk = hub.state / "disk" / "mnt" / ann
    got = readable_files(hub, ben, [ann_disk, hub.state / "disk" / "images"])
    record(outcomes, "reach another trainee's disk (image, submissions)", not got["read"] and not got["listed"],
           f"{len(got['listed'])} folders listed, {len(got['read'])} files read")
    assert not got["read"] and not got["listed"]
    res = as_account(hub, ben, f"open({str(ann_disk / 'inbound' / 'fill')!r}, 'w').write('x')\n")
    record(outcomes, "write into another trainee's inbound", res.returncode != 0, res.stderr.strip().splitlines()[-1]
           if res.stderr.strip() else "written")
    assert res.returncode != 0

    # Kill another's processes (their server).
    ann_pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and p.stat().st_uid == pwd.getpwnam(ann).pw_uid]
    assert ann_pids, "ann's server is not running: nothing to probe"
    res = as_account(hub, ben, "import os, sys\nok = 0\n"
                               f"for pid in {ann_pids!r}:\n"
                               "    try:\n"
                               f"        os.kill(pid, {int(signal.SIGTERM)}); ok += 1\n"
                               "    except OSError:\n"
                               "        pass\n"
                               "print(ok)")
    assert res.returncode == 0, res.stderr
    record(outcomes, "kill another trainee's processes", res.stdout.strip() == "0",
           f"{len(ann_pids)} processes, {res.stdout.strip()} signalled")
    assert res.stdout.strip() == "0"
    assert all(Path(f"/proc/{p}").exists() for p in ann_pids[:1])


def test_trainees_cannot_cross_over_the_web(hub, outcomes):
    """With their own browser cookie (a logged-in session) and their own API token."""
    ann, ben = hub.students
    hub.start_servers([ann])
    session, token = hub.session(ben), hub.token(ben)
    xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", "")}
    probes = [
        ("open another's server with a cookie", "GET", f"/user/{ann}/api/contents", None),
        ("open another's JupyterLab with a cookie", "GET", f"/user/{ann}/lab", None),
        ("open the course's grader with a cookie", "GET", f"/services/{hub.course}/formgrader", None),
        ("use the grader's API with a cookie", "GET", f"/services/{hub.course}/api/contents/source", None),
    ]
    for probe, method, path, _ in probes:
        r = session.request(method, hub.url + path, allow_redirects=True, timeout=60)
        # Refused: an error status, or a page that is not the other's (the hub's own 403/404 or login).
        refused = r.status_code in (403, 404) or (r.status_code == 200 and f"/user/{ann}/" not in r.url
                                                  and "/services/" not in r.url)
        record(outcomes, probe, refused, f"HTTP {r.status_code} at {r.url.replace(hub.url, '')}")
        assert refused, (probe, r.status_code, r.url)
    api = [
        ("list every hub user", "GET", "/hub/api/users", None),
        ("read another user's model", "GET", f"/hub/api/users/{ann}", None),
        ("make a token for another user", "POST", f"/hub/api/users/{ann}/tokens", {"note": "x"}),
        ("make oneself an administrator", "PATCH", f"/hub/api/users/{ben}", {"admin": True}),
        ("join the instructors' group", "POST", f"/hub/api/groups/formgrade-{hub.course}/users", {"users": [ben]}),
        ("stop another's server", "DELETE", f"/hub/api/users/{ann}/server", None),
        ("list the groups", "GET", "/hub/api/groups", None),
        ("approve oneself another account", "GET", f"/hub/authorize/{ann}", None),
    ]
    for probe, method, path, body in api:
        st = hub.status(method, path, token, body)
        if path.startswith("/hub/authorize"):
            r = session.get(hub.url + path, allow_redirects=False, timeout=30)
            st = r.status_code
        record(outcomes, f"hub API: {probe}", st in (403, 404), f"HTTP {st}")
        assert st in (403, 404), (probe, st)
    # Also with the cookie, as a script in a page of the hub would (xsrf header included).
    r = session.patch(f"{hub.url}/hub/api/users/{ben}", json={"admin": True}, headers=xsrf, timeout=30)
    record(outcomes, "hub API with the cookie: make oneself an administrator", r.status_code in (403, 404),
           f"HTTP {r.status_code}")
    assert r.status_code in (403, 404)
    model = hub.json("GET", f"/hub/api/users/{ben}", token)
    assert model["admin"] is False and f"formgrade-{hub.course}" not in model.get("groups", [])
