"""Kubernetes without a cluster: the single-user image's start logic, its build context and the chart values.

There is no Docker engine or cluster here, so each piece is exercised as directly as it can be:

- **The image's start logic under an arbitrary uid.** A trainee's pod runs as uid 10000 + the hub's user
  id, which no /etc/passwd knows; nbgrader's ``pwd.getpwuid`` then raises KeyError on every submit and
  fetch_feedback. Here the Dockerfile's ENTRYPOINT script (course/deploy/qikit-start.sh) runs in a user
  namespace (``unshare --user --map-user=<uid> --map-group=100``) with the nbgrader settings the
  Dockerfile writes (its ``qikit_hub_roles.py`` line, replayed with temporary paths) and the exchange
  layout of values.yaml's init container (its script, replayed on a temporary folder); nbgrader's
  JupyterHub plug-in asks a stand-in for the hub's API on 127.0.0.1 which courses the trainee is in.
  The trainee lists, fetches and submits an assignment and fetches the feedback an instructor released.
  A control run without the script shows the KeyError the script prevents.
- **The instructors' roster of uids** (so that collect can tell whose files are whose): the hub's
  per-pod init container script (from values.yaml's hub.extraConfig), then the start script in
  an instructor's pod, which sees trainees enrolled while it runs. Then with distinct real uids
  (``setpriv``, as root), none in /etc/passwd: a trainee submits, another forges a submission in
  their name, and the instructor's ``nbgrader collect`` (qikit's owner-checked collect) takes the
  genuine one and refuses the forgery, which it cannot tell apart without the roster.
- **The build context** (.dockerignore) and what the Dockerfile copies: never the assignments' sources
  or the rubrics.
- **values.yaml** deep-merged over the chart's own defaults, with the guide's ``--set-file``, validates
  against the chart's real schema (chart 4.4.0, ../shared/ref/z2jh-chart-4.4.0); the instructors' tokens
  carry the group scopes nbgrader's formgrader needs and the students' do not (JupyterHub's own scope
  functions); the assignments' upload script installs into the course volume without overwriting.

The start-logic tests need ``unshare`` (util-linux) allowed to make a user namespace and Debian's
libnss-wrapper; the roster, collect and upload tests need root (they chown, as the init containers do,
and switch uids).
Missing pieces skip the tests with the reason, or fail them with QIKIT_REQUIRE_E2E=1.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from .hubtools import unavailable

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "course" / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
VALUES = DEPLOY / "z2jh" / "values.yaml"
CHART = ROOT.parent / "shared" / "ref" / "z2jh-chart-4.4.0"
if not CHART.is_dir():  # a worktree sits beside main; both sit beside shared/
    CHART = Path("/work/shared/ref/z2jh-chart-4.4.0")
START = DEPLOY / "qikit-start.sh"
BIN = Path(sys.executable).parent
COURSE = "qikit"
TRAINEE, TRAINEE_UID = "ann_adams", 10007
INSTRUCTOR, INSTRUCTOR_UID = "dr_jones", 10008
TOKEN = "a-token-the-stand-in-hub-accepts"


# --- the Dockerfile, read rather than copied ---------------------------------------------------------
def _dockerfile() -> str:
    return DOCKERFILE.read_text()


def _instructions(keyword: str) -> list[str]:
    """Every ``keyword`` instruction of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", _dockerfile())
    return [line[len(keyword) + 1:].strip() for line in text.splitlines() if line.startswith(keyword + " ")]


def _image_path(path: str, mapping: dict[str, Path]) -> str:
    for prefix, local in mapping.items():
        if path == prefix or path.startswith(prefix + "/"):
            return str(local) + path[len(prefix):]
    return path


def _copies() -> dict[str, str]:
    """The Dockerfile's COPY instructions: image path -> source path in the repository."""
    out = {}
    for args in _instructions("COPY"):
        *sources, dest = args.split()
        for src in sources:
            out[dest.rstrip("/") + "/" + Path(src).name if dest.endswith("/") else dest] = src
    return out


# --- the machine --------------------------------------------------------------------------------------
def _need_userns(uid: int) -> None:
    if not sys.platform.startswith("linux"):
        unavailable("user namespaces are Linux only")
    if not shutil.which("unshare"):
        unavailable("`unshare` (util-linux) is not installed")
    probe = subprocess.run(["unshare", "--user", f"--map-user={uid}", "--map-group=100", "id", "-u"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != str(uid):
        unavailable(f"this machine refuses `unshare --user --map-user={uid}` ({probe.stderr.strip()})")
    if not glob.glob("/usr/lib/*/libnss_wrapper.so") + glob.glob("/usr/lib*/libnss_wrapper.so"):
        unavailable("Debian's libnss-wrapper is not installed (apt-get install libnss-wrapper)")


def _need_root() -> None:
    if os.geteuid() != 0:
        unavailable("the init containers' scripts chown to root and group 2000: run as root")


# --- a stand-in for the hub's API: which courses a user is in ----------------------------------------
class _HubAPI(BaseHTTPRequestHandler):
    groups = {TRAINEE: ["nbgrader-qikit"], INSTRUCTOR: ["formgrade-qikit"]}
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen.append(self.path)
        name = self.path.rpartition("/users/")[2]
        if self.headers.get("Authorization") != f"token {TOKEN}" or name not in self.groups:
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps({"kind": "user", "name": name, "groups": self.groups[name]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hub_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HubAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hub/api"
    server.shutdown()
    server.server_close()


# --- the image's file system, where the test needs it ----------------------------------------------------
@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The paths of the image and pod, mapped into a temporary folder, laid out as the image and the
    chart lay them out: role settings from the Dockerfile's line, the exchange from values.yaml's
    init container, one released assignment as `nbgrader release_assignment` leaves it."""
    base = tmp_path_factory.mktemp("k8s-image")
    os.chmod(base, 0o755)
    mapping = {"/etc/qikit": base / "etc" / "qikit", "/srv/nbgrader": base / "srv" / "nbgrader",
               "/opt/qikit": ROOT}
    run = [args for args in _instructions("RUN") if "qikit_hub_roles.py" in args]
    assert len(run) == 1, "the Dockerfile writes the role settings with qikit_hub_roles.py once"
    words = shlex.split(run[0][run[0].index("python "):])
    subprocess.run([sys.executable] + [_image_path(w, mapping) for w in words[1:]], check=True,
                   capture_output=True)
    exchange = mapping["/srv/nbgrader"] / "exchange"
    exchange.mkdir(parents=True)
    values = yaml.safe_load(VALUES.read_text())
    (layout,) = [c for c in values["singleuser"]["initContainers"] if c["name"] == "nbgrader-exchange-layout"]
    assert layout["volumeMounts"][0]["mountPath"] == "/exchange"
    script = layout["command"][-1].replace("/exchange", str(exchange))
    if os.geteuid() == 0:
        subprocess.run(["sh", "-c", script], check=True)
    else:  # chown to root and 2000 needs root; the modes alone are what the trainee meets
        subprocess.run(["sh", "-c", re.sub(r"chown [^&]*&&", "", script)], check=True)
    release = exchange / COURSE / "outbound" / "a1"
    release.mkdir(parents=True)
    (release / "a1.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": "Write the aim of your project."}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    os.chmod(release, 0o755)
    os.chmod(release / "a1.ipynb", 0o644)
    env = {k.partition("=")[0]: k.partition("=")[2] for k in _instructions("ENV")[0].split()}
    return SimpleNamespace(base=base, exchange=exchange, mapping=mapping,
                           config_path=_image_path(env["JUPYTER_CONFIG_PATH"], mapping), values=values)


def _start_script() -> Path:
    """The local file behind the Dockerfile's ENTRYPOINT (checked to be the start script)."""
    entry = json.loads(_instructions("ENTRYPOINT")[0])
    assert entry[:2] == ["tini", "--"], "tini must stay PID 1 (it reaps the kernels' zombies)"
    source = _copies()[entry[2]]
    assert (ROOT / source).resolve() == START.resolve()
    return START


def _as(uid: int, name: str | None, argv: list[str], *, home: Path, hub: str, config_path: str,
        start: bool = True, extra: dict | None = None, popen: bool = False):
    """Run ``argv`` as ``uid`` (a user namespace), through the image's start script unless ``start`` is
    false, with the environment a pod has: the hub's variables, the Dockerfile's JUPYTER_CONFIG_PATH."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "JUPYTER_CONFIG_PATH": config_path, "JUPYTERHUB_API_URL": hub, "JUPYTERHUB_API_TOKEN": TOKEN,
           "PYTHONDONTWRITEBYTECODE": "1"}
    if name:
        env["JUPYTERHUB_USER"] = name
    env.update(extra or {})
    cmd = ["unshare", "--user", f"--map-user={uid}", "--map-group=100"]
    cmd += [str(_start_script())] if start else []
    cmd += argv
    if popen:
        return subprocess.Popen(cmd, env=env, cwd=home, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, timeout=120)


WHO_AM_I = "import pwd,os; print(pwd.getpwuid(os.getuid()).pw_name)"


def _nbgrader(*args: str) -> list[str]:
    return [sys.executable, "-m", "nbgrader", *args]


# --- the start logic ------------------------------------------------------------------------------------
def test_without_the_start_script_an_arbitrary_uid_has_no_name(image, hub_api, tmp_path):
    """The control: what nbgrader meets in a pod today, a uid no passwd file knows."""
    _need_userns(TRAINEE_UID)
    out = _as(TRAINEE_UID, TRAINEE, [sys.executable, "-c", WHO_AM_I], home=tmp_path / "home",
              hub=hub_api, config_path=image.config_path, start=False)
    assert out.returncode != 0 and "KeyError" in out.stderr
    out = _as(TRAINEE_UID, TRAINEE, _nbgrader("fetch_feedback", "a1"), home=tmp_path / "home", hub=hub_api,
              config_path=image.config_path, start=False)
    assert out.returncode != 0 and "KeyError" in out.stdout + out.stderr


@pytest.mark.parametrize("uid", [TRAINEE_UID, 1000, 4_000_123])
def test_start_script_names_any_uid_after_the_trainee(image, hub_api, tmp_path, uid):
    """Any uid, known to /etc/passwd under another name (1000) or not at all, is the trainee."""
    _need_userns(uid)
    code = ("import pwd,os,stat\n"
            "e = pwd.getpwuid(os.getuid())\n"
            "print(e.pw_name, e.pw_uid, e.pw_dir, pwd.getpwnam(e.pw_name).pw_uid)\n"
            "d = os.path.dirname(os.environ['NSS_WRAPPER_PASSWD'])\n"
            "print(oct(stat.S_IMODE(os.stat(d).st_mode)), os.environ['USER'])\n"
            # Only accounts are answered from the copy: host names still resolve (the hub is `hub:8081`).
            "import socket; print(socket.getaddrinfo('localhost', 8081)[0][4][1])\n")
    home = tmp_path / "home"
    out = _as(uid, TRAINEE, [sys.executable, "-c", code], home=home, hub=hub_api, config_path=image.config_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [TRAINEE, str(uid), str(home), str(uid), "0o700", TRAINEE, "8081"]
    # The brief's own check, word for word.
    out = _as(uid, TRAINEE, [sys.executable, "-c", WHO_AM_I], home=home, hub=hub_api,
              config_path=image.config_path)
    assert out.stdout.strip() == TRAINEE
    assert TRAINEE not in Path("/etc/passwd").read_text()  # nothing shared was written


def test_start_script_refuses_what_it_cannot_do(image, hub_api, tmp_path):
    _need_userns(TRAINEE_UID)
    common = {"home": tmp_path / "home", "hub": hub_api, "config_path": image.config_path}
    bad = _as(TRAINEE_UID, "ann:0:0", ["true"], **common)
    assert bad.returncode == 64 and "cannot be an account name" in bad.stderr
    missing = _as(TRAINEE_UID, TRAINEE, ["true"], extra={"QIKIT_NSS_WRAPPER": "/nonexistent.so"}, **common)
    assert missing.returncode == 69 and "libnss-wrapper" in missing.stderr


def test_trainee_lists_submits_and_fetches_feedback_under_an_arbitrary_uid(image, hub_api, tmp_path):
    """nbgrader's student side, start to end, as uid 10007 with the image's settings."""
    _need_userns(TRAINEE_UID)
    home = tmp_path / "home"

    def nbgrader(*args):
        out = _as(TRAINEE_UID, TRAINEE, _nbgrader(*args), home=home, hub=hub_api, config_path=image.config_path)
        assert out.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
        return out.stdout + out.stderr

    listed = nbgrader("list")
    assert re.search(rf"\b{COURSE} a1\b", listed), listed
    assert any(p.endswith(f"/users/{TRAINEE}") for p in _HubAPI.seen)  # nbgrader asked the hub

    nbgrader("fetch_assignment", "a1")
    work = home / COURSE / "a1"  # Exchange.path_includes_course: <course>/<assignment>
    assert (work / "a1.ipynb").is_file()
    nb = json.loads((work / "a1.ipynb").read_text())
    nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "Cut falls on ward 7 by 30%."})
    (work / "a1.ipynb").write_text(json.dumps(nb))
    nbgrader("submit", "a1")
    (submitted,) = [p.name for p in (image.exchange / COURSE / "inbound").iterdir()
                    if p.name.startswith(f"{TRAINEE}+a1+")]
    assert "Cut falls" in (image.exchange / COURSE / "inbound" / submitted / "a1.ipynb").read_text()
    assert re.search(rf"\b{COURSE} {TRAINEE} a1 \d{{4}}-", nbgrader("list", "--cached"))  # the submission

    # The instructor's `nbgrader release_feedback` names the file by a hash of the submission's secret.
    from nbgrader.utils import notebook_hash

    (cached,) = (home / ".local" / "share" / "jupyter" / "nbgrader_cache" / COURSE).glob(f"{TRAINEE}+a1+*")
    secret = (cached / "submission_secret.txt").read_text()
    feedback = image.exchange / COURSE / "feedback" / f"{notebook_hash(secret=secret, notebook_id='a1')}.html"
    feedback.write_text("<html><body>Clear aim: 9 out of 10.</body></html>")
    os.chmod(feedback, 0o644)
    nbgrader("fetch_feedback", "a1")
    (got,) = (work / "feedback").glob("*/a1.html")
    assert "Clear aim: 9 out of 10." in got.read_text()


# --- the instructors' roster of trainees' uids ------------------------------------------------------------
def _hook():
    from traitlets.config import Config

    c = Config()
    for name, code in sorted(yaml.safe_load(VALUES.read_text())["hub"]["extraConfig"].items()):
        exec(compile(code, name, "exec"), {"c": c})
    return c.KubeSpawner.pre_spawn_hook, c.KubeSpawner.uid


def _spawn(user_id: int, name: str, groups: list[str]):
    hook, uid = _hook()
    spawner = SimpleNamespace(user=SimpleNamespace(id=user_id, name=name, groups=[SimpleNamespace(name=g)
                                                                                  for g in groups]),
                              environment={}, volumes=[], volume_mounts=[], init_containers=[],
                              supplemental_gids=[])
    hook(spawner)
    return spawner, uid(spawner)


def _run_roster(spawner, exchange: Path) -> None:
    (roster,) = [c for c in spawner.init_containers if c["name"] == "qikit-roster"]
    assert roster["volumeMounts"] == [{"name": "nbgrader-exchange", "mountPath": "/exchange"}]
    assert roster["securityContext"] == {"runAsUser": 0}
    subprocess.run(["sh", "-c", roster["command"][-1].replace("/exchange", str(exchange))], check=True)


def test_instructors_see_trainees_uids_from_the_roster(image, hub_api, tmp_path):
    """Collect checks a submission's owner with pwd.getpwnam(student): an instructor's pod must know
    every trainee's uid, including trainees who start after the instructor's server did."""
    _need_userns(INSTRUCTOR_UID)
    _need_root()
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o1777)
    # Someone other than root left a claim in the roster (uid 4242 is theirs).
    planted = exchange / COURSE / ".qikit-users"
    planted.mkdir(parents=True)
    (planted / "root").write_text("root:x:10099:100:x:/:/bin/sh\n")
    os.chown(planted / "root", 4242, 100)
    os.chown(planted, 4242, 100)

    ann, ann_uid = _spawn(7, TRAINEE, ["nbgrader-qikit"])
    assert ann_uid == TRAINEE_UID and "QIKIT_PASSWD_ROSTER" not in ann.environment
    _run_roster(ann, exchange)
    st = planted.stat()
    assert (st.st_uid, st.st_gid, oct(st.st_mode & 0o7777)) == (0, 2000, "0o750")
    assert sorted(p.name for p in planted.iterdir()) == [TRAINEE]  # the planted file is gone
    line = (planted / TRAINEE).read_text()
    assert line == f"{TRAINEE}:x:{TRAINEE_UID}:100:{TRAINEE}:/home/jovyan:/bin/sh\n"
    assert oct((planted / TRAINEE).stat().st_mode & 0o777) == "0o640"

    teacher, teacher_uid = _spawn(8, INSTRUCTOR, ["formgrade-qikit"])
    assert teacher_uid == INSTRUCTOR_UID and teacher.supplemental_gids == [2000]
    _run_roster(teacher, exchange)
    roster = teacher.environment["QIKIT_PASSWD_ROSTER"]
    mounts = {m["mountPath"] for m in image.values["singleuser"]["storage"]["extraVolumeMounts"]}
    assert any(roster.startswith(m + "/") for m in mounts) and roster.endswith(f"/{COURSE}/.qikit-users")
    local_roster = str(planted)

    # A line that is not what the hub writes is ignored even inside the roster.
    (planted / "mallory").write_text("root:x:0:0:root:/root:/bin/sh\n")
    code = ("import pwd, sys, time\n"
            "def uid(n):\n"
            "    try: return pwd.getpwnam(n).pw_uid\n"
            "    except KeyError: return None\n"
            f"print(uid({TRAINEE!r}), uid({INSTRUCTOR!r}), uid('mallory'), pwd.getpwuid(0).pw_name, flush=True)\n"
            "sys.stdin.readline()\n"
            "t = time.monotonic()\n"
            "while uid('ben_brown') is None and time.monotonic() - t < 20: time.sleep(0.2)\n"
            "print(uid('ben_brown'), flush=True)\n")
    proc = _as(INSTRUCTOR_UID, INSTRUCTOR, [sys.executable, "-c", code], home=tmp_path / "teacher",
               hub=hub_api, config_path=image.config_path, popen=True,
               extra={"QIKIT_PASSWD_ROSTER": local_roster, "QIKIT_ROSTER_REFRESH": "1"})
    try:
        first = proc.stdout.readline().split()
        assert first == [str(TRAINEE_UID), str(INSTRUCTOR_UID), "None", "root"], proc.stderr.read()
        ben, ben_uid = _spawn(9, "ben_brown", ["nbgrader-qikit"])
        _run_roster(ben, exchange)  # ben's pod starts while the instructor's server runs
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().split() == [str(ben_uid)]
    finally:
        proc.kill()
        proc.wait(timeout=30)


def test_hook_refuses_a_name_that_cannot_be_an_account():
    with pytest.raises(ValueError, match="cannot be a Unix account name"):
        _spawn(3, 'x"; rm -rf /exchange; "', [])


# --- the build context and the image's contents -----------------------------------------------------------
def _dockerignore_rules() -> list[tuple[bool, re.Pattern]]:
    rules = []
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex = ""
        i = 0
        while i < len(pattern):  # Go's filepath.Match, plus Docker's `**`
            if pattern.startswith("**", i):
                regex += ".*"
                i += 2
            elif pattern[i] == "*":
                regex += "[^/]*"
                i += 1
            elif pattern[i] == "?":
                regex += "[^/]"
                i += 1
            else:
                regex += re.escape(pattern[i])
                i += 1
        rules.append((keep, re.compile(regex + r"\Z")))
    return rules


def _in_context(path: str) -> bool:
    """Whether Docker sends ``path`` (relative to the repository) to the build: the last rule that
    matches the path or one of its parent folders decides (moby's patternmatcher)."""
    parts = path.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    included = True
    for keep, regex in _dockerignore_rules():
        if any(regex.match(c) for c in candidates):
            included = keep
    return included


def test_dockerignore_keeps_the_grader_and_the_clutter_out():
    # The matcher follows Docker's rules: check it on cases whose answer is known.
    assert _in_context("qikit/spc.py") and not _in_context("qikit/__pycache__/spc.cpython-312.pyc")
    for path in [".venv/bin/python", ".git/config", ".ci-home/jupyter-data/x", "benchmarks/bench_hub.py",
                 "tests/e2e/test_k8s_image.py", "assignments/source/a1_aims_and_measures/a1.ipynb",
                 "assignments/gradebook.db", "course/rubrics/a2_interpretation.md", "course/grade.py",
                 "notebooks/00-start-here.ipynb"]:
        assert not _in_context(path), f"{path} would be sent to the image build"
    # Everything the repository has under assignments/ and course/rubrics/ stays out.
    for folder in ("assignments", "course/rubrics"):
        for path in (ROOT / folder).rglob("*"):
            assert not _in_context(path.relative_to(ROOT).as_posix())


def test_dockerfile_copies_only_what_trainees_need():
    copies = _copies()
    for src in copies.values():
        assert (ROOT / src).exists(), f"the Dockerfile copies {src}, which is not in the repository"
        assert _in_context(src), f".dockerignore leaves {src} out, so `docker build` would fail on it"
        for private in ("assignments", "course/rubrics", "course/grade.py", "tests", ".venv"):
            assert not (src == private or src.startswith(private + "/")), f"the image must not get {src}"
        assert src != "course", "copy the files the image needs from course/, never the whole folder"
    for args in _instructions("RUN"):  # nothing fetched from the clone's private parts either
        assert "rubrics" not in args and "assignments/source" not in args
    assert "libnss-wrapper" in " ".join(_instructions("RUN"))
    assert _start_script() == START and os.access(START, os.X_OK)
    assert json.loads(_instructions("CMD")[0]) == ["jupyterhub-singleuser"]


# --- values.yaml against the chart's schema ---------------------------------------------------------------
def _deep_merge(base, over):
    """Helm's merge of values: mappings merge key by key, anything else (lists too) is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def _set_path(values: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        values = values.setdefault(key, {})
    values[last] = value


def _helm_command() -> list[str]:
    text = (DEPLOY / "README.md").read_text()
    m = re.search(r"<!-- helm-command -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, "course/deploy/README.md has no helm-command block"
    (cmd,) = [c for c in m.group(1).replace("\\\n", " ").splitlines() if c.strip().startswith("helm ")]
    return shlex.split(cmd)


def _guide_values() -> dict:
    """The values the guide's helm command gives: its --values files, then its --set-file contents."""
    words = _helm_command()
    values: dict = {}
    for i, word in enumerate(words):
        if word in ("--values", "-f"):
            values = _deep_merge(values, yaml.safe_load((ROOT / words[i + 1]).read_text()))
    for i, word in enumerate(words):
        if word == "--set-file":
            key, _, path = words[i + 1].partition("=")
            _set_path(values, key, (ROOT / path).read_text())
    return values


@pytest.fixture(scope="module")
def chart():
    if not (CHART / "values.schema.yaml").is_file():
        unavailable(f"the chart's schema is not at {CHART}")
    return (yaml.safe_load((CHART / "values.yaml").read_text()),
            yaml.safe_load((CHART / "values.schema.yaml").read_text()))


def _errors(values: dict, chart) -> list[str]:
    import jsonschema

    defaults, schema = chart
    validator = jsonschema.Draft7Validator(schema)
    merged = _deep_merge(defaults, values)
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged))


def test_guide_targets_chart_4_4_0():
    words = _helm_command()
    assert words[words.index("--version") + 1] == "4.4.0"
    assert "jupyterhub" in words and "https://hub.jupyter.org/helm-chart/" in words
    assert "4.4.0" in (CHART / "README.md").read_text()


def test_values_validate_against_the_chart_schema(chart):
    """What `helm upgrade` checks: the guide's values merged over the chart's defaults, against the
    chart's values.schema.yaml (additionalProperties: false almost everywhere, so a misspelt key fails)."""
    values = _guide_values()
    assert values["hub"]["extraFiles"]["qikit-hub-auth"]["stringData"].startswith('"""The hub\'s login')
    assert _errors(values, chart) == []


def test_the_schema_check_can_fail(chart):
    values = _guide_values()
    wrong = _deep_merge(values, {"singleuser": {"memory": {"limt": "1G"}}, "hubb": {}})
    errors = _errors(wrong, chart)
    assert any("limt" in e for e in errors) and any("hubb" in e for e in errors)
    # Without the guide's --set-file, the extra file has no content, and the chart says so.
    del values["hub"]["extraFiles"]["qikit-hub-auth"]["stringData"]
    assert any(e.startswith("hub.extraFiles.qikit-hub-auth") for e in _errors(values, chart))


# --- who may do what through the hub's API ----------------------------------------------------------------
def _token_scopes(name: str, groups: list[str], roles: dict) -> frozenset:
    """The expanded scopes of ``name``'s server token: the `server` role's scopes, cut down to those the
    user holds (the default `user` role plus every role given to one of their groups), as JupyterHub does."""
    from jupyterhub import orm
    from jupyterhub.scopes import _intersect_expanded_scopes, expand_scopes

    owner = orm.User(name=name)
    held = {"self"}
    for role in roles.values():
        if set(role.get("groups", [])) & set(groups) or name in role.get("users", []):
            held |= set(role["scopes"])
    return _intersect_expanded_scopes(expand_scopes(roles["server"]["scopes"], owner=owner),
                                      expand_scopes(held, owner=owner))


def test_instructors_tokens_can_enrol_students_and_students_tokens_cannot():
    """nbgrader's JupyterHubAuthPlugin: GET /groups (list:groups), POST and DELETE
    /groups/nbgrader-<course>/users (groups), GET /users/<self> (read:users:groups)."""
    from jupyterhub.scopes import _check_scopes_exist, has_scope

    roles = yaml.safe_load(VALUES.read_text())["hub"]["loadRoles"]
    for role in roles.values():
        _check_scopes_exist(role["scopes"])  # JupyterHub refuses to start on an unknown scope
    groups = yaml.safe_load(VALUES.read_text())["hub"]["config"]["JupyterHub"]["load_groups"]
    assert set(roles["qikit-instructors"]["groups"]) == {"formgrade-qikit"} <= set(groups)

    teacher = _token_scopes(INSTRUCTOR, ["formgrade-qikit"], roles)
    assert has_scope("list:groups", teacher, post_filter=True)
    assert has_scope("groups!group=nbgrader-qikit", teacher)
    assert has_scope(f"read:users:groups!user={INSTRUCTOR}", teacher)
    # Only the course's student group, nothing wider.
    for wider in ("groups!group=formgrade-qikit", "admin:groups", "list:groups!group=formgrade-qikit",
                  f"read:users:groups!user={TRAINEE}", "admin:users"):
        assert not has_scope(wider, teacher), wider

    student = _token_scopes(TRAINEE, ["nbgrader-qikit"], roles)
    assert has_scope(f"read:users:groups!user={TRAINEE}", student)
    assert not has_scope("list:groups", student, post_filter=True)
    assert not has_scope("groups!group=nbgrader-qikit", student)


# --- the assignments reach the course volume, and only it -----------------------------------------------
def _upload_manifests() -> dict[str, dict]:
    return {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "z2jh" / "course-upload.yaml").read_text())}


def test_upload_pod_mounts_only_the_course_volume():
    docs = _upload_manifests()
    pod = docs["Pod"]["spec"]
    claims = {v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v}
    assert claims == {"nbgrader-course"}
    mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["course"] == "/course" and mounts["scripts"] == "/scripts"
    text = (DEPLOY / "README.md").read_text()
    assert "kubectl cp --namespace qikit assignments/source qikit-course-upload:/course/upload" in text
    assert "-- sh /scripts/install-source.sh" in text


def test_upload_script_installs_the_assignments_without_overwriting(tmp_path):
    _need_root()
    script = _upload_manifests()["ConfigMap"]["data"]["install-source.sh"]
    course = tmp_path / "course"
    course.mkdir()
    run = ["sh", "-c", script.replace("/course", str(course))]
    shutil.copytree(ROOT / "assignments" / "source", course / "upload")  # what kubectl cp leaves
    out = subprocess.run(run, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in (ROOT / "assignments" / "source").iterdir())
    assert sorted(p.name for p in (course / "source").iterdir()) == names
    assert not (course / "upload").exists()
    for path in [course, *(course / "source").rglob("*")]:
        st = path.stat()
        want = 0o2770 if path.is_dir() else 0o660
        assert (st.st_gid, st.st_mode & 0o7777) == (2000, want), path
    # An instructor edits an assignment in the formgrader; a second upload keeps the edit.
    a1 = next((course / "source").glob("a1_*"))
    edited = next(a1.glob("*.ipynb"))
    edited.write_text(edited.read_text() + " ")
    before = edited.read_text()
    shutil.copytree(ROOT / "assignments" / "source", course / "upload")
    out = subprocess.run(run, capture_output=True, text=True)
    assert out.returncode == 0 and f"kept      {a1.name}" in out.stdout
    assert edited.read_text() == before
    assert subprocess.run(run, capture_output=True, text=True).returncode == 1  # nothing copied: says so


def test_gradebook_url_reaches_instructors_only(monkeypatch):
    monkeypatch.setenv("QIKIT_GRADEBOOK_URL", "postgresql://grader:secret@db/qikit")
    student, _ = _spawn(7, TRAINEE, ["nbgrader-qikit"])
    teacher, _ = _spawn(8, INSTRUCTOR, ["formgrade-qikit"])
    assert "QIKIT_GRADEBOOK_URL" not in student.environment
    assert teacher.environment["QIKIT_GRADEBOOK_URL"] == "postgresql://grader:secret@db/qikit"
    assert "QIKIT_GRADEBOOK_URL" not in json.dumps(yaml.safe_load(VALUES.read_text())["singleuser"])


# --- the guide says what the files do ---------------------------------------------------------------------
def _guide_block(marker: str) -> list[str]:
    text = (DEPLOY / "README.md").read_text()
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, f"course/deploy/README.md has no {marker} block"
    return [line.strip() for line in m.group(1).replace("\\\n", " ").splitlines() if line.strip()]


def test_guide_reads_the_first_password_where_the_hub_writes_it():
    """qikit_hub_auth.QikitAuthenticator writes <first_password_dir>/first-password-<name>."""
    config = yaml.safe_load(VALUES.read_text())["hub"]["config"]
    (line,) = _guide_block("first-password")
    admin = config["Authenticator"]["admin_users"][0]
    assert line == (f"kubectl exec --namespace qikit deploy/hub -- cat "
                    f"{config['QikitAuthenticator']['first_password_dir']}/first-password-{admin}")
    assert 'f"first-password-{name}"' in (DEPLOY / "qikit_hub_auth.py").read_text()
    # On the hub's own volume (the chart mounts its sqlite-pvc at /srv/jupyterhub), so it survives restarts.
    assert config["QikitAuthenticator"]["first_password_dir"].startswith("/srv/jupyterhub/")
    assert yaml.safe_load(VALUES.read_text())["hub"]["db"]["type"] == "sqlite-pvc"


def test_guide_upload_commands_are_the_manifests():
    lines = _guide_block("course-upload")
    header = [line.lstrip("#").strip() for line in (DEPLOY / "z2jh" / "course-upload.yaml").read_text().splitlines()
              if line.startswith("#   kubectl")]
    assert lines == header
    pod = _upload_manifests()["Pod"]["metadata"]["name"]
    assert all(pod in line or "course-upload.yaml" in line for line in lines)


def test_ngshare_cannot_share_an_environment_with_this_course():
    """The guide's reason for not choosing ngshare: ngshare_exchange 0.5.3 (its latest release on PyPI)
    declares jupyter-core<4.11.2; the course's Jupyter Server declares a floor above that."""
    from importlib.metadata import requires, version

    from packaging.requirements import Requirement
    from packaging.version import Version

    guide = (DEPLOY / "README.md").read_text()
    assert "`ngshare_exchange` 0.5.3" in guide and "`jupyter-core<4.11.2`" in guide
    (core,) = [Requirement(r) for r in requires("jupyter_server") if Requirement(r).name == "jupyter-core"]
    assert not core.specifier.contains(Version("4.11.1")) and ">=4.12" in str(core.specifier)
    assert "`jupyter-core>=4.12`" in guide and Version(version("jupyter_server")).major == 2


def test_guide_numbers_are_the_files():
    """Every number the Kubernetes section states about these files, read from the files."""
    text = (DEPLOY / "README.md").read_text()
    guide = text[text.index("## Kubernetes (Zero to JupyterHub)"):text.index("## Tests and the load benchmark")]
    chart_readme = (CHART / "README.md").read_text()
    hub = re.search(r"JupyterHub (\d+\.\d+)\.\d+", chart_readme).group(1)
    assert "chart **4.4.0**" in guide and f"**JupyterHub {hub}**" in guide
    assert f'"jupyterhub>={hub},<{int(hub.split(".")[0]) + 1}"' in _dockerfile()  # the image's singleuser
    assert re.search(r"^FROM python:3\.\d+-slim-bookworm$", _dockerfile(), re.M) and "(Debian 12)" in guide
    every = re.search(r"every=\$\{QIKIT_ROSTER_REFRESH:-(\d+)\}", START.read_text()).group(1)
    assert f"refreshes it every {every} seconds" in guide
    assert "(mode 700)" in guide and "mktemp -d" in START.read_text()  # checked as 0o700 above
    assert "uid 10000 + the hub's user id" in guide and "FIRST_UID = 10000" in VALUES.read_text()


# --- distinct real uids: a trainee's pod submits, another forges, an instructor's pod collects ----------
def test_instructor_collects_with_the_roster_and_refuses_a_forgery(hub_api):
    """As on a cluster, each pod is its own real uid (setpriv, not a user namespace), none of them in
    /etc/passwd, sharing the exchange and (for the instructor, group 2000) the course volume, laid
    out by values.yaml's init containers. ann (uid 10007) submits; ben (10009) plants a later
    submission in ann's name; the instructor (10008) runs `nbgrader collect` with the grader role's
    settings (qikit's owner-checked collect). Without the roster every submission is refused for want
    of a name; with it, ann's own is collected and ben's forgery refused and reported by name."""
    from .hubtools import reach_wrapper

    _need_root()
    if not shutil.which("setpriv"):
        unavailable("`setpriv` (util-linux) is not installed")
    _need_userns(TRAINEE_UID)  # and libnss-wrapper
    base = Path(tempfile.mkdtemp(prefix="qikit-k8s-", dir="/tmp"))
    try:
        os.chmod(base, 0o755)
        wrap = reach_wrapper(base)  # lets other uids run this Python when it lives in a closed folder
        mapping = {"/etc/qikit": base / "etc" / "qikit", "/srv/nbgrader": base / "srv" / "nbgrader",
                   "/opt/qikit": ROOT}
        (run,) = [a for a in _instructions("RUN") if "qikit_hub_roles.py" in a]
        words = shlex.split(run[run.index("python "):])
        subprocess.run([sys.executable] + [_image_path(w, mapping) for w in words[1:]], check=True,
                       capture_output=True)
        srv = mapping["/srv/nbgrader"]
        exchange, course = srv / "exchange", srv / "course"
        exchange.mkdir(parents=True)
        course.mkdir()
        values = yaml.safe_load(VALUES.read_text())
        (layout,) = [c for c in values["singleuser"]["initContainers"] if c["name"] == "nbgrader-exchange-layout"]
        subprocess.run(["sh", "-c", layout["command"][-1].replace("/exchange", str(exchange))], check=True)
        ann, _ = _spawn(7, TRAINEE, ["nbgrader-qikit"])
        ben, _ = _spawn(9, "ben_brown", ["nbgrader-qikit"])
        teacher, _ = _spawn(8, INSTRUCTOR, ["formgrade-qikit"])
        (course_layout,) = [c for c in teacher.init_containers if c["name"] == "nbgrader-course-layout"]
        subprocess.run(["sh", "-c", course_layout["command"][-1].replace("/course", str(course))], check=True)
        release = exchange / COURSE / "outbound" / "a1"
        release.mkdir(parents=True)
        (release / "a1.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}))
        os.chmod(release, 0o755)
        os.chmod(release / "a1.ipynb", 0o644)
        homes = base / "homes"
        homes.mkdir()

        def pod(uid, name, argv, groups="--clear-groups", extra=None):
            home = homes / name
            if not home.exists():
                home.mkdir(mode=0o700)
                os.chown(home, uid, 100)
            env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
                   "JUPYTERHUB_USER": name, "JUPYTERHUB_API_URL": hub_api, "JUPYTERHUB_API_TOKEN": TOKEN,
                   "JUPYTER_CONFIG_PATH": str(mapping["/etc/qikit"] / "student"), "PYTHONDONTWRITEBYTECODE": "1",
                   **(extra or {})}
            cmd = [*wrap, "setpriv", f"--reuid={uid}", "--regid=100", groups, str(START), *argv]
            return subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True, timeout=180)

        out = pod(TRAINEE_UID, TRAINEE, _nbgrader("fetch_assignment", "a1"))
        assert out.returncode == 0, out.stderr
        nb = homes / TRAINEE / COURSE / "a1" / "a1.ipynb"
        nb.write_text(nb.read_text().replace('"cells": []', '"cells": [{"cell_type": "markdown", '
                                             '"metadata": {}, "source": "ann wrote this"}]'))
        out = pod(TRAINEE_UID, TRAINEE, _nbgrader("submit", "a1"))
        assert out.returncode == 0, out.stderr
        # ben cannot list inbound (2773), but can write a folder in ann's name there.
        forge = ("import os, sys\n"
                 f"p = os.path.join({str(exchange / COURSE / 'inbound')!r}, "
                 f"'{TRAINEE}+a1+2099-01-01 00:00:00.000000 UTC+forged')\n"
                 "try: os.listdir(os.path.dirname(p)); print('listed')\n"
                 "except PermissionError: print('cannot list')\n"
                 "os.mkdir(p); open(os.path.join(p, 'a1.ipynb'), 'w').write('ben wrote this')\n")
        out = pod(10009, "ben_brown", [sys.executable, "-c", forge])
        assert out.returncode == 0 and out.stdout.split("\n")[0] == "cannot list", out.stderr

        grader = {"JUPYTER_CONFIG_PATH": str(mapping["/etc/qikit"] / "grader")}
        submitted = course / "submitted" / TRAINEE / "a1" / "a1.ipynb"
        out = pod(INSTRUCTOR_UID, INSTRUCTOR, _nbgrader("collect", "a1"), groups="--groups=2000", extra=grader)
        assert not submitted.exists(), "without the roster nothing can be matched to a student"
        assert f"there is no account named '{TRAINEE}'" in out.stdout + out.stderr

        for spawner in (ann, ben, teacher):
            _run_roster(spawner, exchange)
        roster = {"QIKIT_PASSWD_ROSTER": str(exchange / COURSE / ".qikit-users"), **grader}
        out = pod(INSTRUCTOR_UID, INSTRUCTOR, _nbgrader("collect", "a1"), groups="--groups=2000", extra=roster)
        log = out.stdout + out.stderr
        assert out.returncode == 0, log
        assert "ann wrote this" in submitted.read_text()
        assert "REFUSED submission" in log and "belongs to ben_brown, not ann_adams" in log
        refused = (course / "refused_submissions.csv").read_text()
        assert "+forged" in refused and "belongs to ben_brown" in refused
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_hub_config_names_real_classes_and_settings(tmp_path, monkeypatch):
    """The chart passes hub.config through unchecked: every class and setting in it must exist. The
    authenticator is the file the guide's --set-file mounts, imported from where the extra config puts it."""
    values = _guide_values()
    extra = values["hub"]["extraFiles"]["qikit-hub-auth"]
    folder = tmp_path / extra["mountPath"].lstrip("/")
    folder.parent.mkdir(parents=True)
    folder.write_text(extra["stringData"])
    code = values["hub"]["extraConfig"]["qikit-auth.py"].replace(
        str(Path(extra["mountPath"]).parent), str(folder.parent))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "qikit_hub_auth", raising=False)
    try:
        _check_hub_config(values, code, folder)
    finally:  # the copy in tmp_path must not stand in for course/deploy's module in later tests
        sys.modules.pop("qikit_hub_auth", None)


def _check_hub_config(values, code, folder):
    from traitlets import import_item
    from traitlets.config import Config

    c = Config()
    exec(compile(code, "qikit-auth.py", "exec"), {"c": c})
    assert Path(c.JupyterHub.template_paths[0], "signup.html").is_file()  # NativeAuthenticator's pages

    from jupyterhub.app import JupyterHub
    from nativeauthenticator import NativeAuthenticator

    auth_class = import_item(values["hub"]["config"]["JupyterHub"]["authenticator_class"])
    assert issubclass(auth_class, NativeAuthenticator) and auth_class.__name__ == "QikitAuthenticator"
    assert auth_class.__module__ == "qikit_hub_auth" and str(folder) == sys.modules[auth_class.__module__].__file__
    classes = {"JupyterHub": JupyterHub, "Authenticator": auth_class, "NativeAuthenticator": auth_class,
               "QikitAuthenticator": auth_class}
    for section, settings in values["hub"]["config"].items():
        traits = classes[section].class_trait_names(config=True)
        for key in settings:
            assert key in traits, f"hub.config.{section}.{key} is not a setting of {section}"
    # The login refuses what the single machine refuses (qikit_hub_auth.reserved_reason).
    reserved = sys.modules["qikit_hub_auth"].reserved_reason
    assert "grading account" in reserved("grader-qikit") and "kept for the system" in reserved("root")


def test_the_copied_files_are_enough_to_install_the_package(tmp_path):
    """The Dockerfile's `pip install "/opt/qikit[course]"` runs on what its COPY lines put in /opt/qikit
    and nothing else: build the package from exactly those files (pip, as in the image)."""
    opt = tmp_path / "opt" / "qikit"
    for dest, src in _copies().items():
        if not dest.startswith("/opt/qikit/"):
            continue
        target = opt / dest[len("/opt/qikit/"):]
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / src).is_dir():
            shutil.copytree(ROOT / src, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / src, target)
    (install,) = [a for a in _instructions("RUN") if "pip install" in a]
    assert '"/opt/qikit[course]"' in install
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheels"),
                          str(opt)], capture_output=True, text=True, timeout=600)
    if out.returncode != 0 and "No matching distribution" in out.stderr:
        unavailable(f"pip could not fetch the build backend: {out.stderr.strip()[-300:]}")
    assert out.returncode == 0, out.stderr
    import zipfile

    (wheel,) = (tmp_path / "wheels").glob("qikit_course-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "qikit/__init__.py" in names and any(n.startswith("qikit/datasets/") and n.endswith(".csv") for n in names)
    assert not any("rubrics" in n or n.startswith("assignments/") for n in names)
