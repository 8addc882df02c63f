"""A warm start for trainees' servers: one process that has already imported Jupyter forks each server.

Most of the CPU a trainee's server costs to start is Python importing Jupyter Server, JupyterLab,
nbgrader's extensions and their dependencies: the same work, repeated for every trainee, and all of
it at once when a class logs in together. This process (started by ``jupyterhub_config.py`` as root,
listening on a Unix socket in the hub's root-only folder) imports them once. For each server the
spawner asks it for, it forks; the child then does exactly what LocalProcessSpawner's child does
before ``exec``: joins the trainee's control groups, mounts its private /tmp, becomes the trainee
(groups, gid, uid), moves to their home, takes the environment the hub built for it, and runs
``jupyterhub-singleuser`` with the hub's arguments, in the same Python. Only the import work is
shared (copy-on-write memory pages); nothing of one trainee's server is in another's.

It serves root only (the socket's folder is mode 700), dies with the hub (``PR_SET_PDEATHSIG``),
reaps its children, and refuses any request for an account with uid 0. The spawner falls back to an
ordinary start whenever it cannot reach it.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import pwd
import resource
import signal
import socket
import sys
import threading

# What a trainee's or an instructor's server imports (jupyterhub.singleuser itself is imported by the
# child: its package reads the environment at import).
PRELOAD = (
    "jupyter_server.serverapp", "jupyter_server.extension.application", "jupyter_server.services.kernels.kernelmanager",
    "jupyterlab", "jupyterlab.labapp", "jupyterlab_server", "notebook.app", "notebook_shim",
    "jupyter_server_terminals", "nbgitpuller",
    "nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.course_list",
    "jupyterhub.handlers", "jupyterhub.services.auth", "jupyterhub.utils", "jupyterhub.log",
)
PR_SET_PDEATHSIG = 1


def _reap(signum, frame) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(request: dict) -> None:
    """In the forked child: become the trainee's server. Never returns."""
    import qikit_hub_limits as hub_limits

    code = 1
    try:
        account = pwd.getpwnam(request["user"])
        if account.pw_uid == 0:
            raise PermissionError("refusing to start a server as root")
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        hub_limits.join([p for p in request.get("procs", [])])
        hub_limits.private_mounts(int(request.get("tmp") or 0), **request.get("views", {}))
        os.setgid(account.pw_gid)
        os.setgroups(os.getgrouplist(account.pw_name, account.pw_gid))
        os.setuid(account.pw_uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise PermissionError("could not drop root's rights")
        if request.get("mem"):
            resource.setrlimit(resource.RLIMIT_AS, (int(request["mem"]), int(request["mem"])))
        if request.get("tasks"):
            resource.setrlimit(resource.RLIMIT_NPROC, (int(request["tasks"]), int(request["tasks"])))
        os.chdir(account.pw_dir)
        os.environ.clear()
        os.environ.update(request["env"])
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = list(request["argv"])
        from jupyterhub.singleuser import main

        code = main() or 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # noqa: BLE001 - report anything, then leave
        print(f"qikit zygote: the server of {request.get('user')!r} failed: {type(e).__name__}: {e}",
              file=sys.stderr, flush=True)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _read_line(conn: socket.socket) -> bytes:
    """One newline-terminated JSON message (requests and answers are one line each)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def serve(path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the hub is already gone
        return
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - a missing optional extension only costs its import later
            print(f"qikit zygote: could not preload {name}: {e}", file=sys.stderr, flush=True)
    signal.signal(signal.SIGCHLD, _reap)
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    print(f"qikit zygote: ready at {path} ({len(sys.modules)} modules loaded)", file=sys.stderr, flush=True)
    while True:
        try:
            conn, _ = listener.accept()
        except InterruptedError:
            continue
        with conn:
            try:
                request = json.loads(_read_line(conn))
                if threading.active_count() != 1:
                    raise RuntimeError("the zygote has threads: forking it would be unsafe")
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    conn.close()
                    _child(request)
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except Exception as e:  # noqa: BLE001 - answer the spawner, keep serving
                try:
                    conn.sendall(json.dumps({"error": f"{type(e).__name__}: {e}"}).encode() + b"\n")
                except OSError:
                    pass


def spawn(path: str, request: dict, timeout: float = 60) -> int:
    """Ask the zygote at ``path`` for a server (from the hub); return the new server's pid."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall(json.dumps(request).encode() + b"\n")
        answer = json.loads(_read_line(s))
    if "error" in answer:
        raise RuntimeError(f"the zygote could not start the server: {answer['error']}")
    return int(answer["pid"])


if __name__ == "__main__":
    serve(sys.argv[1])
