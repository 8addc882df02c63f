"""JupyterHub for one machine: the qikit course with nbgrader's exchange, for a college's pilot.

Start it, as root, with one command from the clone (see README.md in this folder)::

    sudo QIKIT_INSTRUCTORS=dr_jones QIKIT_HUB_ADMINS=dr_jones \\
        .venv/bin/jupyterhub -f course/deploy/jupyterhub_config.py

Everything is set by environment variables, so the file itself never needs editing:

==========================  ==========================================  ===============================
variable                    meaning                                     default
==========================  ==========================================  ===============================
QIKIT_COURSE_ID             nbgrader course id = grader service name    ``qikit``
QIKIT_INSTRUCTORS           comma-separated hub names of instructors    (none)
QIKIT_STUDENTS              students put in ``nbgrader-<course>`` now   (none; the formgrader adds them)
QIKIT_HUB_ADMINS            hub administrators (approve sign-ups),      (none)
                            created by the hub with a first password
                            in ``<state>/hub/first-password-<name>``
QIKIT_HUB_IP, _PORT         where the hub listens (put the college's    ``127.0.0.1``, 8000
                            HTTPS proxy in front; ``0.0.0.0`` for all)
QIKIT_HUB_API_PORT          the hub's internal API port                 8081
QIKIT_PROXY_API_PORT        configurable-http-proxy's API port          8001
QIKIT_GRADER_PORT           the grader service's port (loopback)        9999
QIKIT_HUB_STATE             hub database, cookie secret, role configs   ``/srv/qikit-hub``
QIKIT_EXCHANGE              nbgrader exchange root                      ``/srv/nbgrader/exchange``
QIKIT_HOMES                 parent of the accounts' home folders        ``/home``
QIKIT_COURSE_DIR            the grader's course directory               ``<grader home>/<course>``
QIKIT_COURSE_SOURCE         assignments copied into an empty course     the clone's assignments/source
QIKIT_MEM_LIMIT             memory of all of a trainee's processes      ``2G``
                            together (bytes, K/M/G suffixes)
QIKIT_TASKS_LIMIT           processes and threads per trainee           ``256``
QIKIT_CPU_LIMIT             CPU cores per trainee (a hard quota, and a  ``1``
                            fair share under load)
QIKIT_TMP_LIMIT             size of each trainee's private /tmp         ``1G``
                            (also their /var/tmp)
QIKIT_DISK_LIMIT            disk space of each trainee: their home and  ``2G``
                            their submissions together, on a disk of
                            their own (qikit_hub_disk.py); ``0``: none
QIKIT_HUB_LIMITS            ``cgroup`` (per trainee, all processes      ``cgroup``
                            together) or ``process`` (weaker: per
                            process only; for hosts without cgroups)
QIKIT_CULL_TIMEOUT          seconds idle before a server is stopped     ``3600``
QIKIT_HUB_SPAWNER           ``local`` or ``systemd`` (hard per-user     ``local``
                            memory/CPU limits through cgroups)
QIKIT_HUB_CREATE_USERS      create a missing account on first start     ``1``
QIKIT_HUB_EXTRA_CONFIG      a Python config file loaded last (e.g. an   (none)
                            OAuth login, see README.md)
CONFIGURABLE_HTTP_PROXY     path of ``configurable-http-proxy``         found on PATH
==========================  ==========================================  ===============================

What this sets up, and why:

* **Accounts.** Each hub user runs their server as a Unix account of the same name
  (LocalProcessSpawner), created on first start with a private home (mode 700) under
  ``QIKIT_HOMES``. Names must be lower-case letters, digits, ``-`` or ``_``; system accounts
  (uid < 1000) and the grader account can never be used to log in.
* **Exchange.** A root-owned folder, mode 1777 (anyone may add, nobody may rename or delete what
  another put there), with ``<exchange>/<course>`` created here and owned by the grader account:
  ``outbound`` 755 (released assignments, readable by all), ``inbound`` 2733 (students drop
  submissions but cannot list them), ``feedback`` 711 (students fetch their own file by its
  unguessable name but cannot list the folder). ``Exchange.path_includes_course = True``.
* **Groups.** ``formgrade-<course>`` (instructors and the grader account) may use the grader
  service; ``nbgrader-<course>`` holds the students. nbgrader's JupyterHubAuthPlugin reads them.
* **Grader.** A JupyterHub service named after the course runs ``jupyterhub-singleuser`` as the
  account ``grader-<course>`` in the course directory, with the formgrader on. Only
  ``formgrade-<course>`` may open it. Its pages carry ``frame-ancestors 'self'`` so the formgrader
  shows inside JupyterLab (JupyterHub >= 4.1 forbids framing by default).
* **Idle culling.** jupyterhub-idle-culler stops servers idle for ``QIKIT_CULL_TIMEOUT`` seconds.
* **Limits.** Each trainee's server starts in control groups of its own (qikit_hub_limits.py): all
  the trainee's processes together get at most ``QIKIT_MEM_LIMIT`` of memory, ``QIKIT_TASKS_LIMIT``
  processes and threads and ``QIKIT_CPU_LIMIT`` cores, and the server gets a private /tmp of
  ``QIKIT_TMP_LIMIT``. The hub refuses to start if the machine cannot enforce them, unless
  ``QIKIT_HUB_LIMITS=process`` accepts the weaker per-process caps (each process's address space,
  the account's process count). Every process also keeps an address-space cap of
  ``QIKIT_MEM_LIMIT`` (one huge allocation fails with a MemoryError rather than a killed kernel),
  and numeric libraries get ``QIKIT_CPU_LIMIT`` threads.
* **Disk.** Each trainee's home and submissions live on a disk image of their own of
  ``QIKIT_DISK_LIMIT`` (qikit_hub_disk.py), bound onto their home; in their server the exchange is
  read-only but for ``inbound``, which is their disk's. The hub refuses to start if it cannot make
  such disks, unless ``QIKIT_DISK_LIMIT=0`` (then give /home and the exchange quotas yourself). ``QIKIT_HUB_SPAWNER=systemd`` hands the
  same limits to systemd instead (``jupyterhub-systemdspawner``, as The Littlest JupyterHub does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import qikit_hub_disk as hub_disk  # noqa: E402
import qikit_hub_limits as hub_limits  # noqa: E402
import qikit_hub_zygote as hub_zygote  # noqa: E402
from qikit_hub_roles import write_role_configs  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _names(name: str) -> list[str]:
    return [n.strip() for n in _env(name).split(",") if n.strip()]


def _bytes(text: str, name: str = "QIKIT_MEM_LIMIT") -> int:
    """'2G' -> 2147483648 (binary multiples, as JupyterHub's own ByteSpecification)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?)", text.upper())
    if not m:
        raise SystemExit(f"{name}={text!r} is not a size such as 2G or 512M")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2) or " "))


if _env("QIKIT_HUB_PROFILE") not in {"", "college"}:
    raise SystemExit("QIKIT_HUB_PROFILE: the hub has one login, NativeAuthenticator; unset this variable")
COURSE = _env("QIKIT_COURSE_ID", "qikit")
USERNAME = r"[a-z][a-z0-9_-]{0,30}"
if not re.fullmatch(USERNAME, COURSE):
    raise SystemExit(f"QIKIT_COURSE_ID={COURSE!r}: use lower-case letters, digits, '-' or '_'")
GRADER = f"grader-{COURSE}"[:32]
INSTRUCTORS = _names("QIKIT_INSTRUCTORS")
STUDENTS = _names("QIKIT_STUDENTS")
ADMINS = _names("QIKIT_HUB_ADMINS")
STATE = Path(_env("QIKIT_HUB_STATE", "/srv/qikit-hub"))
EXCHANGE = Path(_env("QIKIT_EXCHANGE", "/srv/nbgrader/exchange"))
HOMES = Path(_env("QIKIT_HOMES", "/home"))
MEM_LIMIT = _bytes(_env("QIKIT_MEM_LIMIT", "2G"))
CPU_LIMIT = float(_env("QIKIT_CPU_LIMIT", "1"))
TASKS_LIMIT = int(_env("QIKIT_TASKS_LIMIT", "256"))
TMP_LIMIT = _bytes(_env("QIKIT_TMP_LIMIT", "1G"), "QIKIT_TMP_LIMIT")
DISK_LIMIT = _bytes(_env("QIKIT_DISK_LIMIT", "2G"), "QIKIT_DISK_LIMIT")
LIMITS_MODE = _env("QIKIT_HUB_LIMITS", "cgroup")
if LIMITS_MODE not in {"cgroup", "process"}:
    raise SystemExit(f"QIKIT_HUB_LIMITS={LIMITS_MODE!r}: use 'cgroup' or 'process'")
CULL_TIMEOUT = int(_env("QIKIT_CULL_TIMEOUT", "3600"))
BIN = Path(sys.prefix) / "bin"
# QIKIT_HUB_CHECK_ONLY=1 reads the settings without creating accounts or folders (used by the tests).
IS_ROOT = os.geteuid() == 0 and _env("QIKIT_HUB_CHECK_ONLY") != "1"
PATH = os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"])
REPO = HERE.parents[1]
# Servers start faster without a package jsonschema loads for a format no Jupyter schema uses
# (fast-start/rfc3987_syntax.py says why): first on the servers' PYTHONPATH.
FAST_START = str(HERE / "fast-start")

# Checked before anything is created: a hub that would hide its own files from trainees never starts.
if LIMITS_MODE == "cgroup" and TMP_LIMIT and IS_ROOT:
    for _setting, _path in (("QIKIT_HOMES", HOMES), ("QIKIT_EXCHANGE", EXCHANGE), ("QIKIT_HUB_STATE", STATE),
                            ("the Python environment", Path(sys.prefix)), ("the course's checkout", REPO)):
        _path = Path(os.path.realpath(_path))
        for _tmp in (Path("/tmp"), Path("/var/tmp")):
            if _tmp in [_path, *_path.parents]:
                raise SystemExit(f"{_setting} ({_path}) is under {_tmp}, which every trainee's server replaces with "
                                 "a private /tmp of its own: keep homes, the exchange, the hub's state, the course "
                                 "and its Python environment elsewhere")

# --- where the hub listens and keeps its state ---------------------------------------------------
# Loopback unless told otherwise: trainees reach the hub through the college's HTTPS proxy.
c.JupyterHub.ip = _env("QIKIT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(_env("QIKIT_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_env("QIKIT_HUB_API_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(_env('QIKIT_PROXY_API_PORT', '8001'))}"
proxy = _env("CONFIGURABLE_HTTP_PROXY") or shutil.which("configurable-http-proxy")
if proxy:
    c.ConfigurableHTTPProxy.command = [proxy]
# STATE/jupyter/ (the roles' settings) is read by every account; STATE/hub/ holds the database
# (tokens, NativeAuthenticator's password hashes) and the cookie secret, for root alone.
SECRETS = STATE / "hub"
SECRETS.mkdir(parents=True, exist_ok=True)
os.chmod(STATE, 0o755)
os.chmod(SECRETS, 0o700)
c.ConfigurableHTTPProxy.pid_file = str(SECRETS / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{SECRETS / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(SECRETS / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every trainee's server
c.JupyterHub.cleanup_proxy = True

# --- who may log in -----------------------------------------------------------------------------
# Trainees sign up with a username and password; an administrator approves each account at
# /hub/authorize. Passwords are stored hashed (bcrypt) in the hub's database. The administrators are
# created by this command, never by whoever signs up first (qikit_hub_auth.py), and names of the
# system's or the grader's accounts are refused.
import nativeauthenticator  # noqa: E402
from qikit_hub_auth import QikitAuthenticator  # noqa: E402

c.JupyterHub.authenticator_class = QikitAuthenticator
# qikit's own pages first (templates/: the "server not running" page says when the memory limit stopped it).
c.JupyterHub.template_paths = [str(HERE / "templates"), str(Path(nativeauthenticator.__file__).parent / "templates")]
c.Authenticator.username_pattern = rf"^{USERNAME}$"
c.Authenticator.admin_users = set(ADMINS)
c.Authenticator.allow_all = True  # NativeAuthenticator's own approval is the allow list
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 10
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 600
c.QikitAuthenticator.first_password_dir = str(SECRETS)
c.QikitAuthenticator.listed_users = sorted(set(ADMINS) | set(INSTRUCTORS) | set(STUDENTS))

# --- Unix accounts, homes, exchange and course directory (root only) --------------------------
FIRST_UID = 1000  # Debian's UID_MIN (/etc/login.defs): accounts below it are system accounts


def _ensure_account(name: str, system: bool = False) -> pwd.struct_passwd:
    """Create the Unix account ``name`` (home under QIKIT_HOMES, mode 700) unless it exists."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if not IS_ROOT:
        raise RuntimeError(f"no Unix account {name!r}, and the hub is not root so cannot create it")
    home = HOMES / name
    useradd = shutil.which("useradd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not useradd:
        raise RuntimeError(f"no Unix account {name!r}, and `useradd` is not installed to create it")
    cmd = [useradd, "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", "--user-group",
           "--comment", f"qikit hub ({COURSE})"]
    if system:
        cmd.append("--system")
    subprocess.run([*cmd, name], check=True, capture_output=True, timeout=30)
    os.chmod(home, 0o700)
    return pwd.getpwnam(name)


def _ensure_dir(path: Path, mode: int, owner: pwd.struct_passwd | None = None) -> None:
    """Create ``path`` with ``mode`` and ``owner``; refuse to start if it exists with another owner."""
    if not path.exists():
        path.mkdir(parents=True)
        if owner is not None:
            os.chown(path, owner.pw_uid, owner.pw_gid)
    st = path.stat()
    want_uid = owner.pw_uid if owner is not None else 0
    if st.st_uid != want_uid:
        who = owner.pw_name if owner is not None else "root"
        raise SystemExit(f"{path} belongs to uid {st.st_uid}, not {who}: fix or remove it, then restart")
    os.chmod(path, mode)


HOMES.mkdir(parents=True, exist_ok=True)
grader = _ensure_account(GRADER, system=True) if IS_ROOT else None
COURSE_DIR = Path(_env("QIKIT_COURSE_DIR") or (Path(grader.pw_dir) if grader else HOMES / GRADER) / COURSE)
if IS_ROOT:
    _ensure_dir(EXCHANGE, 0o1777)
    _ensure_dir(EXCHANGE / COURSE, 0o755, grader)
    _ensure_dir(EXCHANGE / COURSE / "outbound", 0o755, grader)
    _ensure_dir(EXCHANGE / COURSE / "inbound", 0o2733, grader)
    _ensure_dir(EXCHANGE / COURSE / "feedback", 0o711, grader)
    if not COURSE_DIR.exists():
        COURSE_DIR.mkdir(parents=True)
        seed = Path(_env("QIKIT_COURSE_SOURCE", str(REPO / "assignments" / "source")))
        if _env("QIKIT_COURSE_SOURCE", "x") and seed.is_dir():
            shutil.copytree(seed, COURSE_DIR / "source")
        for p in [COURSE_DIR, *COURSE_DIR.rglob("*")]:
            os.chown(p, grader.pw_uid, grader.pw_gid)
    os.chmod(grader.pw_dir, 0o700)  # the course directory and gradebook live here: the grader's alone


# --- solutions out of reach -----------------------------------------------------------------------
# Every trainee's server runs the clone's Python and imports qikit from it, so the clone must be
# readable by all. The grader's materials in it are not for trainees: the assignments' solutions and
# hidden tests (assignments/), the marking rubrics (course/rubrics/), the tests' answer banks (tests/)
# and git's history (.git/), which holds all of them. The rubrics are copied into the grader's private
# course directory (the assignments were, above), then each of these is closed to everyone but root.
# Root's own `git pull` keeps working; nothing else on the machine needs them.
PRIVATE_IN_CLONE = ("assignments", "course/rubrics", "tests", ".git")


def _seal_clone() -> None:
    rubrics = REPO / "course" / "rubrics"
    if rubrics.is_dir() and not (COURSE_DIR / "rubrics").exists():
        shutil.copytree(rubrics, COURSE_DIR / "rubrics")
        for p in [COURSE_DIR / "rubrics", *(COURSE_DIR / "rubrics").rglob("*")]:
            os.chown(p, grader.pw_uid, grader.pw_gid)
    for rel in PRIVATE_IN_CLONE:
        path = REPO / rel
        if path.exists() and not path.is_symlink():
            os.chown(path, 0, 0)
            os.chmod(path, 0o700)


if IS_ROOT:
    _seal_clone()
course_config = REPO / "course" / "nbgrader_config.py"
# Trainees' kernels load qikit's plain-words messages for the limits above (qikit/hosting/friendly.py):
# a kernel spec of the same name as the usual one, first on the servers' JUPYTER_PATH.
KERNELS = STATE / "jupyter" / "kernels"
_spec = KERNELS / "kernels" / "python3" / "kernel.json"
_spec.parent.mkdir(parents=True, exist_ok=True)
_spec.write_text(json.dumps({
    "argv": [str(BIN / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}",
             "--ext=qikit.hosting.friendly"],
    "display_name": "Python 3 (ipykernel)", "language": "python", "metadata": {"debugger": True}}, indent=1) + "\n")
for _p in (KERNELS, *_spec.parents):
    if _p == STATE:
        break
    os.chmod(_p, 0o755)
os.chmod(_spec, 0o644)
ROLE_DIRS = write_role_configs(STATE / "jupyter", COURSE, str(EXCHANGE), str(COURSE_DIR),
                               course_config=str(course_config) if course_config.is_file() else None)


# --- the trainees' servers ------------------------------------------------------------------------
def _process_caps(mem: int) -> None:
    """Per-process caps, applied in the child after it has become the trainee."""
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_NPROC, (TASKS_LIMIT, TASKS_LIMIT))


TRAINEE_LIMITS = hub_limits.Limits(mem_bytes=MEM_LIMIT, tasks=TASKS_LIMIT, cpu=CPU_LIMIT, tmp_bytes=TMP_LIMIT)
# Disk space per trainee (qikit_hub_disk.py): checked now, so a hub that cannot enforce it never starts.
DISKS = hub_disk.Disks(STATE / "disk", DISK_LIMIT) if DISK_LIMIT else None
if DISKS is not None and IS_ROOT:
    if DISK_LIMIT < 16 * 2**20:
        raise SystemExit(f"QIKIT_DISK_LIMIT={DISK_LIMIT} bytes is too small for a home: give at least 16M")
    try:
        DISKS.check()
    except (OSError, RuntimeError) as e:
        raise SystemExit(f"this machine cannot give each trainee a disk of their own ({e}), so the disk limit "
                         "cannot be enforced. Fix that, or start with QIKIT_DISK_LIMIT=0 and give /home and the "
                         "exchange user quotas yourself (see the hosting guide).") from None
    _listed = len(set(INSTRUCTORS) | set(STUDENTS)) or 1
    _warning = hub_disk.overcommitted(DISKS, max(_listed, 40))
    if _warning:
        print(f"qikit hub: warning: {_warning}", file=sys.stderr)
if LIMITS_MODE == "cgroup" and IS_ROOT:
    missing = {"memory", "pids", "cpu"} - hub_limits.available()
    if missing:
        raise SystemExit(f"this machine offers no cgroup controller for {', '.join(sorted(missing))}, so the "
                         "per-trainee limits cannot be enforced. Enable them, or start with "
                         "QIKIT_HUB_LIMITS=process to accept per-process caps only (see the hosting guide).")


def _gib(n: int) -> str:
    return f"{n / 2**30:.0f} GiB" if n % 2**30 == 0 else f"{n / 2**20:.0f} MiB"


STOPPED_BY_MEMORY = (f"Your server stopped by itself after the system stopped a program of yours for using more "
                     f"than your memory limit ({_gib(MEM_LIMIT)} for everything you run together), the likely "
                     "reason it stopped. Start it again below; then run your notebook from the top with less data "
                     "at a time, and shut down notebooks you are not using (Running tab). Your files are safe.")


# Why each trainee's server last stopped by itself, for the "server not running" page: kept here, by name,
# because JupyterHub makes a new Spawner object after a stop. The page reads it as `qikit_stopped_because`.
STOPPED_BECAUSE: dict[str, str] = {}
c.JupyterHub.template_vars = {"qikit_stopped_because": lambda user: STOPPED_BECAUSE.get(user.name, "") if user else ""}


class QikitSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers run inside the trainee's own limits (qikit_hub_limits.py), and which
    remembers, for the "server not running" page (templates/not_running.html), when a server that died by
    itself had just had a process stopped by the memory limit."""

    _oom_at_start: int | None = None

    @property
    def qikit_stopped_because(self) -> str:
        return STOPPED_BECAUSE.get(self.user.name, "")

    def _note_start(self) -> None:
        STOPPED_BECAUSE.pop(self.user.name, None)
        # A group made for this start counts from 0 (it does not exist yet on a trainee's first start).
        self._oom_at_start = (hub_limits.oom_kills(self.user.name) or 0) if LIMITS_MODE == "cgroup" else None

    def _explain_if_memory(self) -> None:
        """The server is dead and nobody stopped it: if the memory limit stopped a process of the trainee's
        since it started, that is the likely reason, for the page."""
        if self._oom_at_start is None or self.qikit_stopped_because:
            return
        now = hub_limits.oom_kills(self.user.name)
        if now is not None and now > self._oom_at_start:
            STOPPED_BECAUSE[self.user.name] = STOPPED_BY_MEMORY
            self.log.warning("%s's server stopped by itself after an out-of-memory stop in their group",
                             self.user.name)

    async def poll(self):
        status = await super().poll()
        if status is not None:
            self._explain_if_memory()
        return status

    async def stop(self, now=False):
        # A stop of a server that is already dead (the hub noticed it first) may still need its reason.
        if not (self.pid and await self._signal(0)):
            self._explain_if_memory()
        if not self.qikit_stopped_because:
            self._oom_at_start = None  # stopped on purpose (the trainee, an administrator, the culler)
        return await super().stop(now=now)

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        mem = int(self.mem_limit or 0)
        procs = hub_limits.prepare(name, TRAINEE_LIMITS) if LIMITS_MODE == "cgroup" else []
        tmp = TRAINEE_LIMITS.tmp_bytes if LIMITS_MODE == "cgroup" else 0
        views = _private_views(name)

        def preexec():
            # Still root here: join the trainee's groups and make their own /tmp, /var/tmp and view of the
            # exchange, then become them.
            hub_limits.join(procs)
            hub_limits.private_mounts(tmp, **views)
            become_user()
            if mem:
                _process_caps(mem)

        return preexec

    async def start(self):
        """Start the server from the warm zygote when it is running (qikit_hub_zygote.py), else as
        LocalProcessSpawner does. Either way the same limits, account, environment and arguments."""
        self._note_start()
        cmd = [*self.cmd, *self.get_args()]
        if not (ZYGOTE and cmd[0].endswith("jupyterhub-singleuser") and not self.shell_cmd):
            return await super().start()
        if self.port == 0:
            self.port = random_port()
            cmd = [*self.cmd, *self.get_args()]
        name = self.user.name
        procs = hub_limits.prepare(name, TRAINEE_LIMITS) if LIMITS_MODE == "cgroup" else []
        request = {"user": name, "env": self.get_env(), "argv": cmd, "procs": [str(p) for p in procs],
                   "tmp": TRAINEE_LIMITS.tmp_bytes if LIMITS_MODE == "cgroup" else 0, "views": _private_views(name),
                   "mem": int(self.mem_limit or 0), "tasks": TASKS_LIMIT}
        try:
            self.pid = await asyncio.to_thread(_zygote_spawn, request)
        except (OSError, RuntimeError, ValueError) as e:
            self.log.warning("The warm start is not available (%s): starting %s's server the usual way", e, name)
            return await super().start()
        self.proc = None
        self.log.info("Started %s's server from the warm zygote (pid %d)", name, self.pid)
        return (self.ip or "127.0.0.1", self.port)


def _private_views(name: str) -> dict:
    """The exchange as the trainee's server sees it (qikit_hub_limits.private_mounts): read-only, with the
    ``inbound`` of their own disk in place of the shared one. Empty without per-trainee disks."""
    if DISKS is None or not IS_ROOT:
        return {}
    return {"exchange": str(EXCHANGE), "inbound_src": str(DISKS.of(name).inbound),
            "inbound_dst": str(EXCHANGE / COURSE / "inbound")}


def _zygote_spawn(request: dict) -> int:
    """Wait (up to a minute, while it loads at hub start) for the zygote's socket, then ask it."""
    deadline = time.monotonic() + 60
    while not Path(ZYGOTE).exists():
        if time.monotonic() > deadline or (ZYGOTE_PROC is not None and ZYGOTE_PROC.poll() is not None):
            raise OSError("the zygote is not running")
        time.sleep(0.2)
    return hub_zygote.spawn(ZYGOTE, request)


# The warm start (qikit_hub_zygote.py): on by default where the hub runs as root with the local spawner.
ZYGOTE, ZYGOTE_PROC = None, None
if IS_ROOT and _env("QIKIT_HUB_WARM_START", "1") == "1" and _env("QIKIT_HUB_SPAWNER", "local") == "local":
    ZYGOTE = str(SECRETS / "zygote.sock")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(ZYGOTE)
    ZYGOTE_PROC = subprocess.Popen(
        [sys.executable, str(HERE / "qikit_hub_zygote.py"), ZYGOTE],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([FAST_START, str(HERE)])}, stdin=subprocess.DEVNULL)


def role_of(name: str) -> str:
    return "instructor" if name in INSTRUCTORS else "student"


def pre_spawn_hook(spawner) -> None:
    name = spawner.user.name
    if name == GRADER or name.startswith("grader-"):
        raise RuntimeError(f"{name!r} is reserved for a course's grader and cannot log in")
    if IS_ROOT and _env("QIKIT_HUB_CREATE_USERS", "1") == "1":
        account = _ensure_account(name)
    else:
        account = pwd.getpwnam(name)
    if account.pw_uid < FIRST_UID:
        raise RuntimeError(f"{name!r} is a system account (uid {account.pw_uid}) and cannot log in")
    if DISKS is not None and IS_ROOT:
        home = Path(account.pw_dir)
        if home == Path("/") or (home.exists() and home.stat().st_uid != account.pw_uid):
            raise RuntimeError(f"{name!r}'s home {home} is not theirs alone: their disk cannot be put there")
        DISKS.attach(name, account.pw_uid, account.pw_gid, grader.pw_uid, grader.pw_gid, Path(account.pw_dir))
    threads = str(max(1, int(CPU_LIMIT)))
    spawner.environment.update({
        "JUPYTER_CONFIG_PATH": str(ROLE_DIRS[role_of(name)]),
        "JUPYTER_PATH": str(KERNELS),
        "PATH": PATH,
        "PYTHONPATH": FAST_START,
        "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
        # For the plain-words message when the disk is full (qikit/hosting/friendly.py).
        "QIKIT_DISK_LIMIT_BYTES": str(DISK_LIMIT if DISKS is not None else ""),
    })


spawner = _env("QIKIT_HUB_SPAWNER", "local")
if spawner == "systemd":
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.SystemdSpawner.dynamic_users = False
    c.SystemdSpawner.unit_extra_properties = {"TasksMax": str(TASKS_LIMIT)}
    c.SystemdSpawner.isolate_tmp = True
elif spawner == "local":
    c.JupyterHub.spawner_class = QikitSpawner
else:
    raise SystemExit(f"QIKIT_HUB_SPAWNER={spawner!r}: use 'local' or 'systemd'")
c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.cpu_limit = CPU_LIMIT
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.poll_interval = 10  # notice a server that died by itself within 10 s (a cheap check of its PID)

# --- groups, roles and services -------------------------------------------------------------------
FORMGRADE, STUDENTS_GROUP = f"formgrade-{COURSE}", f"nbgrader-{COURSE}"
c.JupyterHub.load_groups = {
    FORMGRADE: {"users": [*INSTRUCTORS, GRADER]},
    STUDENTS_GROUP: {"users": STUDENTS},
}
grader_port = int(_env("QIKIT_GRADER_PORT", "9999"))


def _patient_with_the_grader() -> None:
    """JupyterHub gives a managed service ten one-second tries to answer at start-up, then stops the hub
    ("Cannot connect to ... service managed"). The grader is a whole JupyterLab with the formgrader: on a
    busy machine (a restart during a teaching session) it needs longer. Give the grader's address, and
    only it, 30 s a try. Server.wait_up is JupyterHub's own function; this wraps it, nothing else."""
    from jupyterhub.objects import Server

    if getattr(Server.wait_up, "_qikit", False):
        return
    original = Server.wait_up

    def wait_up(self, timeout=10, http=False, ssl_context=None, extra_path=""):
        if self.port == grader_port and self.ip in ("127.0.0.1", "localhost"):
            timeout = max(timeout, 30)
        return original(self, timeout=timeout, http=http, ssl_context=ssl_context, extra_path=extra_path)

    wait_up._qikit = True
    Server.wait_up = wait_up


_patient_with_the_grader()
services = [{
    "name": COURSE,
    "url": f"http://127.0.0.1:{grader_port}",
    "command": [str(BIN / "jupyterhub-singleuser"), f"--port={grader_port}", "--ip=127.0.0.1"],
    "user": GRADER,
    "cwd": str(COURSE_DIR),
    "oauth_no_confirm": True,
    "environment": {
        "JUPYTER_CONFIG_PATH": str(ROLE_DIRS["grader"]),
        "PYTHONPATH": FAST_START,
        "JUPYTERHUB_DEFAULT_URL": "/lab",
        "JUPYTERHUB_USER": GRADER,  # nbgrader's JupyterHubAuthPlugin asks the hub about this account
        "QIKIT_COURSE_DIR": str(COURSE_DIR),
        # Submissions wait on each trainee's own disk (qikit_hub_disk.py); collect reads them there.
        "QIKIT_TRAINEE_INBOUNDS": DISKS.inbounds_glob() if DISKS is not None else "",
        "PATH": PATH,
        "HOME": grader.pw_dir if grader else str(HOMES / GRADER),
    },
}]
roles = [
    # Instructors (and the grader account) may open the grader; nobody else may.
    {"name": f"grade-{COURSE}", "groups": [FORMGRADE],
     "scopes": [f"access:services!service={COURSE}", "list:services", f"read:services!service={COURSE}"]},
    # nbgrader in a user's server asks the hub which courses its owner belongs to (groups) and,
    # for instructors, where the course's grader is (services).
    {"name": "server", "scopes": ["users:activity!user", "access:servers!server", "read:users:groups!user",
                                  "read:users:name!user", "list:services", f"read:services!service={COURSE}"]},
    # The grader enrols students in nbgrader-<course> when they are added in the formgrader.
    {"name": f"grader-{COURSE}-service", "services": [COURSE],
     "scopes": ["list:groups", f"read:groups!group={STUDENTS_GROUP}", f"groups!group={STUDENTS_GROUP}",
                f"read:users:groups!user={GRADER}", f"read:users:name!user={GRADER}"]},
]
try:
    import jupyterhub_idle_culler  # noqa: F401

    services.append({"name": "idle-culler",
                     "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                                 f"--timeout={CULL_TIMEOUT}", "--cull-every=300"]})
    roles.append({"name": "idle-culler", "services": ["idle-culler"],
                  "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
except ImportError:
    print("jupyterhub-idle-culler is not installed: idle servers will not be stopped", file=sys.stderr)

c.JupyterHub.services = services
c.JupyterHub.load_roles = roles

# --- a college's own additions (an OAuth login, a different port...), loaded last ---------------
extra = _env("QIKIT_HUB_EXTRA_CONFIG")
if extra:
    load_subconfig(extra)  # noqa: F821 (provided by traitlets, like get_config)
