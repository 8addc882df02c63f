"""Helpers of the loopback hub tests: a real JupyterHub started from course/deploy/jupyterhub_config.py.

The hub runs as root, as it does on a college's machine, with the command of the hosting guide and
its one login (NativeAuthenticator): the administrator logs in with the first password the hub
command wrote to its root-only file, trainees sign up, the administrator approves them, and each
account logs in with its own password and makes its own API token, as a person does on the token
page. There is no test-only login and no service with rights a person does not have.
LocalProcessSpawner starts each account's server as its own Unix user, so file permissions between
students are the real ones.
The fixture creates nothing outside one temporary folder except Unix accounts named
``qk<6 hex>-...`` and ``grader-qk<6 hex>``, which it deletes (``userdel -r``) afterwards, together
with every process those accounts or the hub still run, each stopped by its PID.

What the tests need on the machine (CI's .ci/run installs both; nothing is installed at test time):

* ``configurable-http-proxy`` on PATH, or its path in ``CONFIGURABLE_HTTP_PROXY``
  (``npm install --prefix DIR configurable-http-proxy``, then ``DIR/node_modules/.bin`` on PATH);
* for the browser check, Debian's ``chromium`` (``/usr/bin/chromium``, or ``QIKIT_CHROMIUM``).

When something is missing the tests are skipped with the reason, unless ``QIKIT_REQUIRE_E2E=1``
(as CI sets it), in which case they fail.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "course" / "deploy"
REQUIRE = os.environ.get("QIKIT_REQUIRE_E2E", "") == "1"
BASE_PREFIX = "qikit-e2e-"
# Not /tmp nor /var/tmp: every trainee's server gets a private /tmp of its own, also on /var/tmp, which
# would hide homes kept there.
BASE_DIR = Path(os.environ.get("QIKIT_E2E_BASE", "/var/lib/qikit-e2e"))


def unavailable(reason: str):
    """Skip (or, with QIKIT_REQUIRE_E2E=1, fail) because the machine cannot run the test."""
    if REQUIRE:
        pytest.fail(f"QIKIT_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def proxy_path() -> str | None:
    return os.environ.get("CONFIGURABLE_HTTP_PROXY") or shutil.which("configurable-http-proxy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_command() -> tuple[dict[str, str], list[str]]:
    """The one command course/deploy/README.md gives: its settings and its words, less ``sudo``."""
    text = (DEPLOY / "README.md").read_text()
    m = re.search(r"<!-- hub-command -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, "course/deploy/README.md has no hub-command block"
    words = shlex.split(m.group(1).replace("\\\n", " "))
    if words[0] == "sudo":
        words = words[1:]
    settings = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, _, value = words.pop(0).partition("=")
        settings[key] = value
    assert words[0].endswith("bin/jupyterhub"), words
    return settings, [str(Path(sys.executable).with_name("jupyterhub")), *words[1:]]


def _closed_folders(paths: list[Path]) -> dict[Path, set[str]]:
    """For each path, the first folder on its way that other accounts cannot enter (mode without o+x),
    mapped to the names inside it that must stay reachable. Raises ValueError if a second closed
    folder lies further along the same path (that layout is not supported)."""
    closed: dict[Path, set[str]] = {}
    for path in paths:
        path = Path(os.path.realpath(path))
        if path.is_dir() and not path.stat().st_mode & 0o001:
            raise ValueError(f"{path} itself is closed to other accounts (mode {path.stat().st_mode & 0o777:o})")
        chain = [*reversed(path.parents), path]
        for i, folder in enumerate(chain[:-1]):
            if not folder.stat().st_mode & 0o001:
                closed.setdefault(folder, set()).add(chain[i + 1].name)
                deeper = [p for p in chain[i + 1:-1] if not p.stat().st_mode & 0o001]
                if deeper:
                    raise ValueError(f"{deeper[0]} is closed to other accounts too")
                break
    return closed


def reach_wrapper(base: Path) -> list[str]:
    """A command prefix that lets the test accounts run this Python, or [] when they already can.

    On this machine (and CI) the virtual environment's interpreter lives in root's home (pyenv,
    /root is mode 700), which a student's server, running as the student, cannot enter. Rather than
    opening /root, the hub runs in a private mount namespace (``unshare --mount``) in which /root is
    replaced by an empty tmpfs holding only bind mounts of what is needed (the interpreter, the
    clone): the real folder is untouched and everything else in it stays hidden. On a college's
    server, where the course is installed under /opt or /srv, no wrapper is used.
    """
    needed = [Path(sys.base_prefix), Path(sys.prefix), Path(os.path.realpath(sys.executable)), ROOT]
    try:
        closed = _closed_folders(needed)
    except ValueError as e:
        unavailable(f"the students' servers could not run this Python: {e}")
    if not closed:
        return []
    if not shutil.which("unshare"):
        unavailable(f"{', '.join(map(str, closed))} is closed to other accounts and `unshare` is missing")
    stage = base / "mount-stage"
    lines = ["set -e"]
    moves = []
    for folder, names in sorted(closed.items()):
        for name in sorted(names):
            slot = stage / str(len(moves))
            lines.append(f"mkdir -p {shlex.quote(str(slot))} && mount --bind {shlex.quote(str(folder / name))} "
                         f"{shlex.quote(str(slot))}")
            moves.append((slot, folder / name))
        lines.append(f"mount -t tmpfs -o mode=0755 qikit-e2e {shlex.quote(str(folder))}")
    for slot, target in moves:
        lines.append(f"mkdir -p {shlex.quote(str(target))} && mount --move {shlex.quote(str(slot))} "
                     f"{shlex.quote(str(target))}")
    lines.append('exec "$@"')
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        unavailable(f"{', '.join(map(str, closed))} is closed to other accounts and this machine refuses "
                    f"`unshare --mount` ({probe.stderr.decode().strip()})")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", "\n".join(lines), "qikit-e2e-hub"]


def _sbin(tool: str) -> str | None:
    """An administration tool, also where a PATH without the sbin folders would miss it."""
    return shutil.which(tool, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def _pids_of_uids(uids: set[int]) -> list[int]:
    uids = {u for u in uids if u != 0}  # never root's processes
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    out.append(int(entry.name))
            except OSError:
                continue
    return out


def _kill_pids(pids: list[int], timeout: float = 10) -> None:
    pids = [p for p in pids if p > 1 and p != os.getpid()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.2)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _userdel(name: str) -> None:
    """Delete a test account and stop its processes: only ``qk<hex>-...``/``grader-qk<hex>`` accounts
    with uids of ordinary users (a safety net: a wrong name must never reach root or the system)."""
    if not re.fullmatch(r"(grader-)?qk[0-9a-f]{6}(-[a-z0-9_-]+)?", name):
        return
    try:
        import pwd

        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    if uid == 0:
        return
    _kill_pids(_pids_of_uids({uid}), timeout=5)
    subprocess.run([_sbin("userdel") or "userdel", "--remove", name], capture_output=True, timeout=30)


def _unmount_under(base: Path) -> None:
    """Unmount (lazily, deepest first) whatever is mounted below ``base`` in this mount namespace: the
    trainees' disks a hub mounted when it ran in the machine's own namespace (no reach_wrapper)."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    prefix = str(base).rstrip("/") + "/"
    points = {line.split()[4].replace("\\040", " ") for line in lines}
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run([_sbin("umount") or "umount", "-l", point], capture_output=True, timeout=30)


def _remove_stale_accounts() -> None:
    """Delete accounts left by an earlier run that was killed before its clean-up (its folder is gone
    or its pytest process is dead). Only accounts whose home lies in a <BASE_DIR>/qikit-e2e-* folder."""
    import pwd

    for entry in pwd.getpwall():
        m = re.match(rf"{re.escape(str(BASE_DIR))}/({BASE_PREFIX}[^/]+)/", entry.pw_dir + "/")
        if not m:
            continue
        base = BASE_DIR / m.group(1)
        alive = False
        with contextlib.suppress(OSError, ValueError):
            alive = Path(f"/proc/{int((base / 'owner.pid').read_text())}").exists()
        if not alive:
            _userdel(entry.pw_name)
            _unmount_under(base)
            shutil.rmtree(base, ignore_errors=True)
    for base in BASE_DIR.glob(f"{BASE_PREFIX}*"):
        with contextlib.suppress(OSError, ValueError):
            if not Path(f"/proc/{int((base / 'owner.pid').read_text())}").exists():
                _unmount_under(base)
                shutil.rmtree(base, ignore_errors=True)


class HTTPError(Exception):
    def __init__(self, status: int, body: str):
        super().__init__(f"HTTP {status}: {body[:500]}")
        self.status, self.body = status, body


@dataclass
class Hub:
    url: str
    base: Path
    course: str
    instructor: str
    students: list[str]
    grader: str
    log: Path
    proc: subprocess.Popen
    passwords: dict[str, str] = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    signed_up: set[str] = field(default_factory=set)  # every name a test signed up, removed after
    wrapped: bool = False  # the hub runs in a private mount namespace (reach_wrapper)

    def in_namespace(self, words: list[str]) -> list[str]:
        """``words`` run in the hub's mount namespace: the file system as the hub and its servers see it
        (trainees' disks are mounted there). On a college's machine that is the machine's own."""
        return ["nsenter", f"--target={self.proc.pid}", "--mount", "--", *words] if self.wrapped else list(words)

    @property
    def accounts(self) -> list[str]:
        """Every Unix account this hub may have created: only names of this run (``<course>-...`` and its
        grader). Names a test tried and the hub refused (root, daemon, ...) are never touched."""
        return sorted(n for n in {self.instructor, *self.students, *self.signed_up, self.grader}
                      if n.startswith(f"{self.course}-") or n == self.grader)

    @property
    def exchange(self) -> Path:
        return self.base / "exchange"

    @property
    def homes(self) -> Path:
        return self.base / "homes"

    @property
    def state(self) -> Path:
        return self.base / "state"

    def log_tail(self, n: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])

    def request(self, method: str, path: str, token: str | None = None, body=None, raw: bytes | None = None,
                timeout: float = 60, headers: dict | None = None) -> tuple[int, bytes]:
        """One HTTP request to the hub's public port; raises HTTPError for status >= 400."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            req.add_header("Authorization", f"token {token}")
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            raise HTTPError(e.code, e.read().decode(errors="replace")) from None

    def json(self, method: str, path: str, token: str | None = None, body=None, timeout: float = 60):
        _, out = self.request(method, path, token, body, timeout=timeout)
        return json.loads(out) if out.strip() else None

    def status(self, method: str, path: str, token: str | None = None, body=None) -> int:
        try:
            return self.request(method, path, token, body)[0]
        except HTTPError as e:
            return e.status

    # --- what a person does in the browser, as the same HTTP requests ----------------------------------
    def form(self, session, path: str, fields: dict):
        """Open the form page (which sets the _xsrf cookie), then post the form as the browser does. The
        answer's redirect is not followed: after a login the hub would send the browser on to the
        user's server and so start it, which a test must do on purpose, not by the way."""
        session.get(self.url + path, timeout=30)
        return session.post(self.url + path, data={**fields, "_xsrf": session.cookies.get("_xsrf", "")},
                            timeout=60, allow_redirects=False)

    def sign_up(self, name: str, password: str | None = None) -> str:
        """Sign up on /hub/signup as a trainee does; return the page's message."""
        import requests

        password = password or f"qk-{secrets.token_urlsafe(12)}"
        self.signed_up.add(name)
        page = self.form(requests.Session(), "/hub/signup", {
            "username": name, "signup_password": password, "signup_password_confirmation": password}).text
        m = re.search(r'<div class="alert[^"]*"[^>]*>\s*(.*?)\s*</div>', page, re.S)
        message = html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))) if m else page
        message = re.sub(r"\s+", " ", message).strip()
        if "sent to the admin" in message:  # the account exists now, with this password
            self.passwords[name] = password
        else:  # remembered only to try logging in with it
            self.passwords.setdefault(name, password)
        return message

    def log_in(self, name: str, password: str | None = None):
        """Log in on /hub/login; return the logged-in session, or None when the hub refused."""
        import requests

        session = requests.Session()
        r = self.form(session, "/hub/login", {"username": name, "password": password or self.passwords[name]})
        if "jupyterhub-hub-login" not in session.cookies:
            return None
        assert r.status_code in (200, 302), r.status_code
        self.sessions[name] = session
        return session

    def session(self, name: str):
        if name not in self.sessions:
            assert self.log_in(name) is not None, f"{name} could not log in:\n{self.log_tail()}"
        return self.sessions[name]

    def approve(self, name: str) -> None:
        """The administrator approves a sign-up: the Authorize button on /hub/authorize."""
        admin = self.session(self.instructor)
        page = admin.get(f"{self.url}/hub/authorize", timeout=30).text
        assert f"authorize/{name}" in page, f"{name} is not waiting on /hub/authorize"
        admin.get(f"{self.url}/hub/authorize/{name}", timeout=30).raise_for_status()

    def token(self, name: str) -> str:
        """An API token of the account ``name``, made in its own logged-in session (the token page)."""
        if name not in self.tokens:
            session = self.session(name)
            r = session.post(f"{self.url}/hub/api/users/{name}/tokens", json={"note": "qikit e2e", "expires_in": 3600},
                             headers={"X-XSRFToken": session.cookies.get("_xsrf", "")}, timeout=30)
            assert r.status_code == 201, f"{name} could not make a token: HTTP {r.status_code} {r.text[:300]}"
            self.tokens[name] = r.json()["token"]
        return self.tokens[name]

    def start_servers(self, names: list[str], timeout: float = 150) -> None:
        """Each account starts its own server (in parallel, as trainees arriving together); wait for all."""
        for name in names:
            st = self.status("POST", f"/hub/api/users/{name}/server", self.token(name), {})
            assert st in (201, 202, 400), f"starting {name}'s server: HTTP {st}\n{self.log_tail()}"
        deadline = time.monotonic() + timeout
        waiting = set(names)
        while waiting:
            for name in sorted(waiting):
                model = self.json("GET", f"/hub/api/users/{name}", self.token(name))
                server = model.get("servers", {}).get("")
                if server and server.get("ready"):
                    waiting.discard(name)
                elif not server:
                    raise AssertionError(f"{name}'s server failed to start:\n{self.log_tail()}")
            if waiting and time.monotonic() > deadline:
                raise AssertionError(f"servers of {sorted(waiting)} not ready in {timeout}s:\n{self.log_tail()}")
            time.sleep(0.5)

    def run_code(self, name: str, code: str, timeout: float = 120) -> dict:
        """Run ``code`` in a new kernel of ``name``'s own server, as their notebook would (Jupyter's kernel
        REST API and websocket, with their token). Returns the stdout text, the error (ename, evalue) if
        the code raised, and whether the kernel died. The kernel is shut down afterwards."""
        import asyncio
        import uuid

        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        token = self.token(name)
        kernel = self.json("POST", f"/user/{name}/api/kernels", token, {"name": "python3"})
        kid = kernel["id"]
        url = self.url.replace("http", "ws", 1) + f"/user/{name}/api/kernels/{kid}/channels"
        out = {"stdout": "", "error": None, "died": False, "html": ""}

        async def go():
            ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name, "session": msg_id,
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    raw = await asyncio.wait_for(ws.read_message(), timeout=max(0.1, deadline - time.monotonic()))
                except TimeoutError:
                    break
                if raw is None:  # the socket closed: the kernel (or the server) went away
                    out["died"] = True
                    return
                msg = json.loads(raw)
                kind = msg["header"]["msg_type"]
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    if kind == "status" and msg["content"].get("execution_state") in ("dead", "restarting"):
                        out["died"] = True
                        return
                    continue
                if kind == "stream" and msg["content"]["name"] == "stdout":
                    out["stdout"] += msg["content"]["text"]
                elif kind in ("display_data", "execute_result"):
                    out["html"] += msg["content"].get("data", {}).get("text/html", "")
                elif kind == "error":
                    out["error"] = (msg["content"]["ename"], msg["content"]["evalue"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return
                elif kind == "status" and msg["content"]["execution_state"] in ("dead", "restarting"):
                    out["died"] = True
                    return
            raise AssertionError(f"{name}'s code did not finish within {timeout} s")

        try:
            # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pool.submit(asyncio.run, go()).result()
        finally:
            with contextlib.suppress(HTTPError, OSError):
                self.request("DELETE", f"/user/{name}/api/kernels/{kid}", token)
        return out

    def wait_for_service(self, token: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        path = f"/services/{self.course}/api/status"
        while True:
            try:
                self.request("GET", path, token, timeout=10)
                return
            except (HTTPError, OSError) as e:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the grader service did not answer ({e}):\n{self.log_tail()}") from None
                time.sleep(0.5)


def _check_machine() -> str:
    if sys.platform != "linux":
        unavailable("the hub test needs Linux (Unix accounts, LocalProcessSpawner)")
    if os.geteuid() != 0:
        unavailable("the hub test runs as root: it creates Unix accounts for an instructor and two students")
    for tool in ("useradd", "userdel"):
        if not _sbin(tool):
            unavailable(f"`{tool}` is not installed")
    for module in ("jupyterhub", "nbgrader", "jupyterhub_idle_culler"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"Python package {module!r} is not installed (pip install -e '.[test]')")
    proxy = proxy_path()
    if not proxy:
        unavailable("configurable-http-proxy was not found on PATH nor in $CONFIGURABLE_HTTP_PROXY "
                    "(npm install --prefix DIR configurable-http-proxy; put DIR/node_modules/.bin on PATH)")
    return proxy


def _stop_hub(h: Hub) -> None:
    """SIGTERM lets the hub stop the servers, services and proxy it started; then anything left,
    by PID: the hub's process group, the proxy (pid file) and every process of the test accounts."""
    import pwd

    if h.proc.poll() is None:
        h.proc.send_signal(signal.SIGTERM)
        try:
            h.proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(h.proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        h.proc.wait(timeout=10)
    with contextlib.suppress(OSError, ValueError):
        _kill_pids([int((h.base / "state" / "hub" / "jupyterhub-proxy.pid").read_text())])
    uids = set()
    for name in h.accounts:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    _kill_pids(_pids_of_uids(uids))


class HubStartError(RuntimeError):
    """The hub did not come up; the message ends with the tail of its log."""


@contextlib.contextmanager
def running_hub(student_suffixes: Sequence[str] = ("ann", "ben"), extra_env: dict | None = None,
                enrol: bool = True, tag: str | None = None):
    """The guide's hub on 127.0.0.1, its administrator (also the instructor) logged in, and students who
    signed up and were approved; everything stopped and removed after.

    The guide's command names its administrator and instructor in ``QIKIT_HUB_ADMINS`` and
    ``QIKIT_INSTRUCTORS``; here that example name is replaced by ``qk<6 hex>-inst``. Students are
    ``qk<6 hex>-<suffix>``, the course ``qk<6 hex>``, so runs never collide with each other nor with
    real accounts. With ``enrol`` the students are listed in ``QIKIT_STUDENTS`` (the guide's step 3).
    The other settings only keep this hub's ports and folders apart from anything else on the machine."""
    proxy = _check_machine()
    _remove_stale_accounts()
    BASE_DIR.mkdir(parents=True, exist_ok=True)
    base = Path(tempfile.mkdtemp(prefix=BASE_PREFIX, dir=BASE_DIR))
    os.chmod(base, 0o755)
    (base / "owner.pid").write_text(str(os.getpid()))
    tag = tag or secrets.token_hex(3)  # a second hub of the same course (backup and restore) passes its tag
    assert re.fullmatch(r"[0-9a-f]{6}", tag), tag
    course = f"qk{tag}"
    instructor, students = f"{course}-inst", [f"{course}-{s}" for s in student_suffixes]
    grader = f"grader-{course}"
    port = free_port()
    settings, command = hub_command()
    assert set(settings) == {"QIKIT_INSTRUCTORS", "QIKIT_HUB_ADMINS"}, settings
    assert settings["QIKIT_INSTRUCTORS"] == settings["QIKIT_HUB_ADMINS"], "the guide's admin is its instructor"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIKIT_HUB") and k != "QIKIT_STUDENTS"}
    env.update({key: instructor for key in settings})
    env.update(
        QIKIT_COURSE_ID=course,
        QIKIT_HUB_PORT=str(port),
        QIKIT_HUB_API_PORT=str(free_port()),
        QIKIT_PROXY_API_PORT=str(free_port()),
        QIKIT_GRADER_PORT=str(free_port()),
        QIKIT_HUB_STATE=str(base / "state"),
        QIKIT_EXCHANGE=str(base / "exchange"),
        QIKIT_HOMES=str(base / "homes"),
        CONFIGURABLE_HTTP_PROXY=proxy,
    )
    if enrol and students:
        env["QIKIT_STUDENTS"] = ",".join(students)
    env.update(extra_env or {})
    log_path = base / "hub.log"
    log = open(log_path, "wb")
    h = None
    try:
        wrapper = reach_wrapper(base)
        proc = subprocess.Popen([*wrapper, *command], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        h = Hub(f"http://127.0.0.1:{port}", base, course, instructor, students, grader, log_path, proc,
                wrapped=bool(wrapper))
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise HubStartError(f"jupyterhub exited early (status {proc.returncode}):\n{h.log_tail()}")
            try:
                h.request("GET", "/hub/api/", timeout=3)
                break
            except (HTTPError, OSError):
                if time.monotonic() > deadline:
                    raise HubStartError(f"jupyterhub did not answer within 90 s:\n{h.log_tail()}") from None
                time.sleep(0.3)
        # The guide: the administrator's first password is in a root-only file the hub command wrote.
        first = h.state / "hub" / f"first-password-{instructor}"
        if not first.is_file():
            raise HubStartError(f"the hub wrote no first password for {instructor}:\n{h.log_tail()}")
        h.passwords[instructor] = first.read_text().strip()
        for student in students:
            message = h.sign_up(student)
            if "sent to the admin" not in message:
                raise HubStartError(f"sign-up of {student} failed: {message}\n{h.log_tail()}")
            if h.log_in(student) is not None:
                raise HubStartError(f"{student} logged in before an administrator approved them")
            h.approve(student)
        yield h
    finally:
        if h is not None:
            _stop_hub(h)
        log.close()
        _unmount_under(base)
        for name in (h.accounts if h is not None else [instructor, *students, grader]):
            _userdel(name)
        shutil.rmtree(base, ignore_errors=True)
