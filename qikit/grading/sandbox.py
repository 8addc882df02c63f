"""Run students' notebooks in a sandbox while they are autograded.

nbgrader runs a submission's code in a Jupyter kernel with the grader's rights: without more, that code
can read the model answers in ``source/``, other students' work and the gradebook, and write to them.
Here every kernel nbgrader starts runs inside `bubblewrap <https://github.com/containers/bubblewrap>`_
(Debian package ``bubblewrap``), so that it sees:

- a read-only system (``/usr`` and a few files of ``/etc``) and a read-only Python environment (the
  environment's prefix, its base interpreter and the packages named in ``Sandbox.packages``);
- its own submission's files (read-only; not the notebooks being graded, which hold the hidden tests)
  in a private, size-limited, writable home folder ``/home/student``, and a private ``/tmp``;
- no network (a network namespace of its own, with only an unconnected loopback), no other processes,
  no gradebook, no ``source/``, ``release/``, ``submitted/`` or other students' folders;

under limits on memory (a cgroup v1 or v2 memory controller, and ``RLIMIT_AS``), processes (a pids
controller, or ``RLIMIT_NPROC`` when the grader is not root), file size, notebook wall time and (in
``SandboxedExecute``) the size of the output kept. The kernel talks to nbgrader over Unix sockets in
a private folder, the one thing besides its home it can write. When the grader runs as root, the
kernel runs as the unprivileged ``Sandbox.uid`` (``nobody``) with every capability dropped.

Use it from an nbgrader configuration (``course/nbgrader_config.py`` does)::

    from qikit.grading.sandbox import autograde_preprocessors
    c.Autograde.autograde_preprocessors = autograde_preprocessors()
    c.Sandbox.hidden_paths = ["/srv/nbgrader/course"]   # the course directory, hidden if ever under a bind

Where no sandbox can be made (no ``bwrap``, no namespaces, no way to limit processes) grading refuses
to start with ``SandboxUnavailable``, unless the educator sets ``QIKIT_UNSAFE_NO_SANDBOX=1`` (or
``c.Sandbox.unsafe_no_sandbox = True``): then student code runs unconfined, as plain nbgrader does.

The isolation follows the kernel's own namespaces (``namespaces(7)``, ``pid_namespaces(7)``,
``network_namespaces(7)``) and control groups (``cgroups(7)``, the kernel's
``Documentation/admin-guide/cgroup-v1/memory.rst`` and ``pids.rst``), as bubblewrap's manual describes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from traitlets import Bool, Integer, List, Unicode, default
from traitlets.config import LoggingConfigurable

from .._cgroups import own_cgroup

#: Environment variable with which an educator runs grading without a sandbox (value ``1``).
UNSAFE_ENV = "QIKIT_UNSAFE_NO_SANDBOX"
LAUNCHER = Path(__file__).with_name("_launch.py")
HOME = "/home/student"

#: Files of /etc a Python kernel reads (dynamic linker, users, time zone, fonts); the rest stays hidden.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "passwd", "group",
             "nsswitch.conf", "host.conf", "hosts", "fonts", "mime.types", "locale.alias", "locale.conf")
SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here, and the educator did not ask to grade without one."""


def _unsafe_default() -> bool:
    return os.environ.get(UNSAFE_ENV, "").strip().lower() in {"1", "true", "yes"}


class Sandbox(LoggingConfigurable):
    """How student kernels are confined (set these as ``c.Sandbox.<name>`` in an nbgrader config)."""

    unsafe_no_sandbox = Bool(help="Run student code without any sandbox, with the grader's rights (not "
                                  "for marks that count). Default: the QIKIT_UNSAFE_NO_SANDBOX variable.",
                             ).tag(config=True)

    @default("unsafe_no_sandbox")
    def _unsafe_no_sandbox_default(self):
        return _unsafe_default()

    bwrap = Unicode(help="The bubblewrap program (default: the QIKIT_BWRAP variable, else bwrap).").tag(config=True)

    @default("bwrap")
    def _bwrap_default(self):
        return os.environ.get("QIKIT_BWRAP") or "bwrap"

    uid = Integer(65534, help="User id the kernel runs as when the grader is root (65534: nobody).").tag(config=True)
    gid = Integer(65534, help="Group id the kernel runs as when the grader is root.").tag(config=True)
    memory_mb = Integer(2048, help="Memory (MiB) for everything in one sandbox, files in its /tmp and home "
                                   "included.").tag(config=True)
    address_space_mb = Integer(-1, help="RLIMIT_AS (MiB) of each sandboxed process, so that a runaway "
                                        "allocation raises MemoryError in the student's cell before the "
                                        "memory controller has to kill the kernel. -1: memory_mb; 0: none.",
                               ).tag(config=True)
    max_processes = Integer(64, help="Processes and threads in one sandbox.").tag(config=True)
    wall_time = Integer(900, help="Seconds one notebook's kernel may live; then it is killed and the "
                                  "submission is reported as not graded.").tag(config=True)
    max_file_mb = Integer(64, help="Largest file (MiB) the kernel may write.").tag(config=True)
    scratch_mb = Integer(256, help="Size (MiB) of each of the kernel's private /tmp and home.").tag(config=True)
    threads = Integer(1, help="Threads for numerical libraries (OpenBLAS, MKL, OpenMP) in the kernel.",
                      ).tag(config=True)
    packages = List(Unicode(), ["qikit"], help="Packages the kernel may import from outside the Python "
                                                "environment (an editable install's source folder)",
                    ).tag(config=True)
    ro_paths = List(Unicode(), help="More paths the kernel may read.").tag(config=True)
    hidden_paths = List(Unicode(), help="Paths never visible, even if under a read-only path (the course "
                                        "directory, the exchange).").tag(config=True)
    env_keep = List(Unicode(), ["LANG", "LC_ALL", "LC_CTYPE", "TZ", "MPLBACKEND", "NBGRADER_EXECUTION",
                                "PYTHONHASHSEED", "PYDEVD_DISABLE_FILE_VALIDATION"],
                    help="Environment variables passed to the kernel (all others are dropped: a hub's API "
                         "token must not reach student code).").tag(config=True)
    cgroup_root = Unicode("/sys/fs/cgroup", help="Where the control groups are mounted.").tag(config=True)

    # ---------------------------------------------------------------------------------------- checks

    def check(self) -> str | None:
        """Why no sandbox can be made here (``None`` if one can). Cached per bubblewrap program."""
        key = (self.bwrap, os.geteuid())
        if key not in _CHECKED:
            _CHECKED[key] = self._check()
        return _CHECKED[key]

    def _check(self) -> str | None:
        bwrap = shutil.which(self.bwrap)
        if not bwrap:
            return (f"bubblewrap ({self.bwrap!r}) is not installed: install the Debian package 'bubblewrap' "
                    "(apt-get install bubblewrap)")
        if self.limits()["processes"] is None:
            return ("the number of processes cannot be limited: the grader runs as root and no pids control "
                    "group can be created under " + self.cgroup_root)
        probe_code = "import socket; socket.create_connection(('127.0.0.1', 9), 1)"
        with tempfile.TemporaryDirectory(prefix="qikit-sandbox-check-") as private:
            if os.geteuid() == 0:
                os.chown(private, self.uid, self.gid)
            argv = self.command([sys.executable, "-I", "-S", "-c", probe_code], None, {}, Path(private))
            try:
                probe = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"bubblewrap could not run: {error}"
        if "ConnectionRefusedError" not in probe.stderr and "OSError" not in probe.stderr:
            return f"bubblewrap could not make a sandbox: {(probe.stderr or probe.stdout).strip()[-300:]}"
        return None

    def require(self) -> bool:
        """True if kernels are to be sandboxed; raises ``SandboxUnavailable`` if they cannot be, unless the
        educator asked for grading without a sandbox (then False)."""
        if self.unsafe_no_sandbox:
            self.log.warning("GRADING WITHOUT A SANDBOX (%s=1): student code runs with your rights.", UNSAFE_ENV)
            return False
        problem = self.check()
        if problem:
            raise SandboxUnavailable(
                f"Student code cannot be sandboxed: {problem}. Grading refuses to start. To grade without a "
                f"sandbox anyway (student code then runs with your rights: not for marks that count), set "
                f"{UNSAFE_ENV}=1 (python grade.py: --unsafe-no-sandbox).")
        return True

    def limits(self) -> dict:
        """How memory and processes are limited here: ``cgroup``, ``rlimit`` or ``None``."""
        root = os.geteuid() == 0
        memory = "cgroup" if _cgroup_parent("memory", self.cgroup_root) else "rlimit"
        processes = "cgroup" if _cgroup_parent("pids", self.cgroup_root) else (None if root else "rlimit")
        return {"memory": memory, "processes": processes}

    # ---------------------------------------------------------------------------------------- command

    def _namespace_args(self) -> list[str]:
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session"]
        if os.geteuid() == 0:  # privileged: drop everything but what setpriv needs to become uid
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                     "--cap-add", "CAP_SETPCAP"]
        else:
            args += ["--unshare-user", "--disable-userns"]
        return args

    def _setpriv_args(self) -> list[str]:
        return [f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--"]

    def readable_paths(self) -> list[str]:
        """The Python environment and the extra paths the kernel may read."""
        import importlib.util

        paths = {sys.prefix, sys.base_prefix, os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix),
                 os.path.dirname(os.path.realpath(sys.executable))}
        for name in self.packages:
            spec = importlib.util.find_spec(name)
            for location in (spec.submodule_search_locations or []) if spec else []:
                paths.add(os.path.realpath(location))
        paths.update(os.path.realpath(p) for p in self.ro_paths)
        # a path inside another is bound with it
        ordered = sorted(p for p in paths if os.path.exists(p) and not p.startswith("/usr/"))
        return [p for p in ordered if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in ordered)]

    def command(self, kernel_cmd: list[str], workdir: str | None, env: dict, private: Path) -> list[str]:
        """The bubblewrap command line running ``kernel_cmd`` confined; ``private`` is the folder holding
        the connection file and sockets (bound read-write at its own path), ``workdir`` the submission's
        folder (its files, notebooks excepted, appear read-only in the kernel's home)."""
        argv = [shutil.which(self.bwrap) or self.bwrap, *self._namespace_args()]
        argv += ["--ro-bind", "/usr", "/usr"]
        for path in SYSTEM_DIRS:
            if os.path.islink(path):
                argv += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                argv += ["--ro-bind", path, path]
        for name in ETC_FILES:
            argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        readable = self.readable_paths()
        made: set = set()
        for path in readable + [HOME]:  # bubblewrap would make the folders above a bind private (0700)
            for parent in reversed(Path(path).parents[:-1]):
                if str(parent) not in made:
                    made.add(str(parent))
                    argv += ["--perms", "0755", "--dir", str(parent)]
        for path in readable:
            argv += ["--ro-bind", path, path]
        for path in self.hidden_paths:
            path = os.path.realpath(path)
            if any(path == q or path.startswith(q.rstrip("/") + "/") for q in readable + ["/usr"]) \
                    and os.path.isdir(path):
                argv += ["--tmpfs", path]
        size = str(self.scratch_mb * 1024 * 1024)
        argv += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
                 "--perms", "0777", "--size", size, "--tmpfs", HOME,
                 "--bind", str(private), str(private)]
        for entry in sorted(Path(workdir).iterdir()) if workdir and os.path.isdir(workdir) else []:
            if entry.suffix == ".ipynb" or entry.name.startswith(".ipynb_checkpoints"):
                continue  # the notebooks being graded hold the hidden tests
            argv += ["--ro-bind", str(entry), f"{HOME}/{entry.name}"]
        argv += ["--chdir", HOME, "--clearenv"]
        for key, value in self.environment(env).items():
            argv += ["--setenv", key, value]
        argv += ["--"]
        if os.geteuid() == 0:
            argv += [shutil.which("setpriv") or "/usr/bin/setpriv", *self._setpriv_args()]
        return argv + list(kernel_cmd)

    def environment(self, env: dict) -> dict:
        """The kernel's environment: a few safe variables from ``env``, and its own home and paths."""
        out = {k: env[k] for k in self.env_keep if k in env}
        bindir = os.path.dirname(sys.executable)
        threads = str(self.threads)
        out.update({"HOME": HOME, "TMPDIR": "/tmp", "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
                    "IPYTHONDIR": f"{HOME}/.ipython", "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
                    "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": threads,
                    "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads})
        return out

    def rlimits(self) -> dict:
        mib = 1024 * 1024
        out = {"RLIMIT_FSIZE": self.max_file_mb * mib, "RLIMIT_CORE": 0}
        address_space = self.memory_mb if self.address_space_mb < 0 else self.address_space_mb
        limits = self.limits()
        if limits["memory"] == "rlimit" and not address_space:
            address_space = self.memory_mb  # the only memory limit left
        if address_space:
            out["RLIMIT_AS"] = address_space * mib
        if limits["processes"] == "rlimit":
            # RLIMIT_NPROC counts every process of the user: allow what it runs already, and max_processes more
            out["RLIMIT_NPROC"] = _processes_of(os.getuid()) + self.max_processes
        return out


_CHECKED: dict = {}


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def _cgroup_parent(controller: str, root: str = "/sys/fs/cgroup") -> Path | None:
    """A folder where this process may create a child control group for ``controller`` (v1), or None."""
    folder = own_cgroup(controller, Path(root))
    if folder is not None and (folder / "cgroup.procs").exists() and os.access(folder, os.W_OK):
        return folder
    return None


class CgroupSet:
    """The memory and pids control groups of one sandbox (cgroup v1), made and removed by the grader."""

    def __init__(self, sandbox: Sandbox):
        self.folders: list[Path] = []
        name = f"qikit-sandbox-{uuid.uuid4().hex[:12]}"
        memory = _cgroup_parent("memory", sandbox.cgroup_root)
        if memory:
            folder = memory / name
            folder.mkdir()
            self.folders.append(folder)
            limit = sandbox.memory_mb * 1024 * 1024
            (folder / "memory.limit_in_bytes").write_text(str(limit))
            try:  # no swapping around the limit, where swap accounting is on
                (folder / "memory.memsw.limit_in_bytes").write_text(str(limit))
            except OSError:
                pass
        pids = _cgroup_parent("pids", sandbox.cgroup_root)
        if pids:
            folder = pids / name
            folder.mkdir()
            self.folders.append(folder)
            (folder / "pids.max").write_text(str(sandbox.max_processes))

    def events(self) -> list[str]:
        """Limits that were hit: ``memory`` (the kernel ran out of memory), ``processes``."""
        out = []
        for folder in self.folders:
            try:
                if (folder / "memory.failcnt").exists() and int((folder / "memory.failcnt").read_text()) > 0:
                    oom = (folder / "memory.oom_control").read_text()
                    if "oom_kill " in oom and int(oom.split("oom_kill ")[1].split()[0]) > 0:
                        out.append("memory")
                if (folder / "pids.events").exists():
                    if int((folder / "pids.events").read_text().split()[1]) > 0:
                        out.append("processes")
            except (OSError, ValueError, IndexError):
                pass
        return out

    def remove(self) -> None:
        """Kill whatever is left in the groups, then remove them."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


# ------------------------------------------------------------------------------------------------
# the kernel manager nbgrader's Execute uses


def _kernel_manager_base():
    from jupyter_client.manager import AsyncKernelManager

    return AsyncKernelManager


class SandboxedKernelManager(_kernel_manager_base()):
    """A Jupyter kernel manager whose kernels run in a ``Sandbox``.

    The kernel is reached over ZeroMQ's ``ipc`` transport (Unix sockets in a private folder), since it has
    no network; it is interrupted by message (``interrupt_mode: message``), since signals sent to the
    sandbox's process group would not reach the kernel. ``sandbox_events`` lists the limits hit.
    """

    @default("transport")
    def _transport_default(self):
        return "ipc"

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    def _sandbox(self) -> Sandbox:
        if getattr(self, "_qikit_sandbox", None) is None:
            self._qikit_sandbox = Sandbox(parent=self)
            self.sandbox_events = []
        return self._qikit_sandbox

    async def _async_pre_start_kernel(self, **kw):
        sandbox = self._sandbox()
        sandbox.require()
        private = Path(tempfile.mkdtemp(prefix="qikit-kernel-"))
        self._qikit_private = private
        self.transport = "ipc"
        self.connection_file = str(private / "kernel.json")
        self.ip = str(private / "ipc")
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        root = os.geteuid() == 0
        if root:  # the kernel runs as sandbox.uid: let it use its sockets folder and read its connection file
            os.chown(private, sandbox.uid, sandbox.gid)
            os.chown(self.connection_file, sandbox.uid, sandbox.gid)
        argv = sandbox.command(kernel_cmd, kw.get("cwd"), kw.get("env") or dict(os.environ), private)
        self._qikit_cgroups = CgroupSet(sandbox)
        spec = {"argv": argv, "cgroups": [str(f) for f in self._qikit_cgroups.folders],
                "rlimits": sandbox.rlimits(), "log": str(private / "kernel.log")}
        spec_path = private / "launch.json"
        spec_path.write_text(json.dumps(spec))
        kw["env"] = {"PATH": os.environ.get("PATH", os.defpath)}
        kw["cwd"] = str(private)
        return [sys.executable, "-I", "-S", str(LAUNCHER), str(spec_path)], kw

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        await super()._async_launch_kernel(kernel_cmd, **kw)
        self._qikit_timer = threading.Timer(self._sandbox().wall_time, self._wall_time_up)
        self._qikit_timer.daemon = True
        self._qikit_timer.start()

    def _wall_time_up(self) -> None:
        self.sandbox_events.append("wall time")
        pgid = getattr(self.provisioner, "pgid", None)
        try:
            if pgid:
                os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.release_sandbox()

    def release_sandbox(self) -> None:
        """Stop the wall-time timer, kill what is left in the sandbox's control groups and remove them, and
        remove the private folder. Safe to call more than once (``SandboxedExecute`` calls it again after
        a kernel that died, in case the client never cleaned up)."""
        timer = getattr(self, "_qikit_timer", None)
        if timer is not None:
            timer.cancel()
        cgroups = getattr(self, "_qikit_cgroups", None)
        if cgroups is not None:
            self.sandbox_events.extend(e for e in cgroups.events() if e not in self.sandbox_events)
            cgroups.remove()
            self._qikit_cgroups = None
        private = getattr(self, "_qikit_private", None)
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
            self._qikit_private = None
