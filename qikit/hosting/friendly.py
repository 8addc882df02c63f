"""Plain words when a trainee's limit bites: an IPython extension for the hub's trainee kernels.

On the college's hub each trainee's processes together have a memory limit, a process limit, a private
/tmp and a disk of their own (``course/deploy/``). When one of them bites, Python reports it in the
operating system's words (``OSError: [Errno 28] No space left on device``, ``BlockingIOError: [Errno 11]
Resource temporarily unavailable``, ``MemoryError``), or the kernel simply dies. This extension adds,
under such an error, a short box saying what happened and what to do; the error itself is still shown
and the cell still fails. It also notices when the system stopped a process for using too much memory
(the kernel's out-of-memory killer, counted in the trainee's control group): a stopped child process
during a cell, or, at the first cell of a new kernel, the previous kernel.

The hub loads it into every trainee's kernel (``--ext=qikit.hosting.friendly`` in the kernel spec the hub
writes). It reads only the trainee's own control group and disk, and never raises: a problem here must
not hide the trainee's own error.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .._cgroups import CGROUP_ROOT, own_cgroup

__all__ = ["advice", "load_ipython_extension", "oom_kills", "unload_ipython_extension"]

#: Where a kernel remembers how many out-of-memory stops it has already told the trainee about.
SEEN_FILE = Path("~/.local/state/qikit/oom-kills-seen")
TMP_FOLDERS = ("/tmp", "/var/tmp")


def _size(n: int | None) -> str:
    if not n:
        return "your limit"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if abs(value - round(value)) < 0.05 else f"{value:.1f} {unit}"
    return f"{n} bytes"


def _cgroup_dir(controller: str) -> Path | None:
    """This process's control group folder for ``controller`` (cgroup v1), or the unified one (v2)."""
    return own_cgroup(controller, CGROUP_ROOT, unified=True)


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def memory_limit() -> int | None:
    """The memory limit of all this trainee's processes together, in bytes (None: none known)."""
    group = _cgroup_dir("memory")
    if group is None:
        return None
    for name in ("memory.max", "memory.limit_in_bytes"):
        value = _read_int(group / name)
        if value is not None and value < 2**60:
            return value
    return None


def tasks_limit() -> int | None:
    group = _cgroup_dir("pids")
    return _read_int(group / "pids.max") if group is not None else None


def oom_kills() -> int | None:
    """How many processes the kernel has stopped in this trainee's memory group for lack of memory."""
    group = _cgroup_dir("memory")
    if group is None:
        return None
    for name in ("memory.events", "memory.oom_control"):
        try:
            text = (group / name).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value)
    return None


def _disk_size(path: str) -> int | None:
    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_blocks * st.f_frsize


def _home_limit() -> int | None:
    """The trainee's disk limit: as the hub set it (``QIKIT_DISK_LIMIT_BYTES``, the size of the disk image,
    a little more than its file system shows), else the size of the home's file system."""
    given = os.environ.get("QIKIT_DISK_LIMIT_BYTES", "")
    return int(given) if given.isdigit() else _disk_size(os.path.expanduser("~"))


def _nearly_full(path: str) -> bool:
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < max(4 * 2**20, 0.01 * st.f_blocks * st.f_frsize)


def advice(error: BaseException) -> tuple[str, str] | None:
    """The heading and plain message for an error caused by a limit, or None for any other error.

    >>> advice(MemoryError())[0]
    'Out of memory'
    >>> advice(ValueError("x")) is None
    True
    """
    if isinstance(error, MemoryError):
        return ("Out of memory",
                f"This cell asked for more memory than is left of {_size(memory_limit())}, the memory all your "
                "notebooks and programs may use together. Work with less data at a time, delete large "
                "variables you no longer need (del name), or restart the kernel (Kernel menu, Restart "
                "Kernel) to free everything, then run the cell again.")
    if isinstance(error, RuntimeError) and "can't start new thread" in str(error):
        error = OSError(errno.EAGAIN, str(error))
    if not isinstance(error, OSError):
        return None
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        where = str(getattr(error, "filename", "") or "")
        if where:
            in_tmp = any(os.path.abspath(where) == t or os.path.abspath(where).startswith(t + "/") for t in TMP_FOLDERS)
        else:  # a failed write names no file: look at which is full
            in_tmp = _nearly_full("/tmp") and not _nearly_full(os.path.expanduser("~"))
        if in_tmp:
            return ("Your temporary folder is full",
                    f"The temporary folder (/tmp) is full: it holds at most {_size(_disk_size('/tmp'))}, so "
                    "the last file was not written completely. Delete temporary files you no longer need "
                    "(or restart your server from File, Hub Control Panel, which empties it), then run the "
                    "cell again.")
        return ("Your disk space is full",
                f"Your files (your home folder and your submissions together) have reached your limit of "
                f"{_size(_home_limit())}, so the last file was not written completely. "
                "Delete files you no longer need in the File Browser (large copies of data, old outputs), "
                "then run the cell again. Your other files are safe.")
    if error.errno == errno.EAGAIN:
        limit = tasks_limit()
        count = f"{limit} " if limit else ""
        return ("Too many programs running",
                f"Everything you run together may have at most {count}processes and threads, and that many "
                "are running now, so no new one could start. Stop the programs you started, or restart the "
                "kernel (Kernel menu, Restart Kernel), then run the cell again.")
    return None


def _oom_message(previous_kernel: bool) -> tuple[str, str]:
    what = ("This notebook's previous kernel was stopped" if previous_kernel
            else "A program this cell started was stopped")
    return ("Stopped: out of memory",
            f"{what} because everything you were running together used more than your memory limit of "
            f"{_size(memory_limit())}. Variables from before are lost if the kernel restarted: run the notebook "
            "again from the top, with less data at a time, and close notebooks you are not using "
            "(Running tab, Shut Down).")


def _show(heading: str, message: str) -> None:
    from IPython.display import display

    from ..display import verdict_html

    display({"text/html": verdict_html("error", f"✘ {heading}", message),
             "text/plain": f"{heading}: {message}"}, raw=True)


class _Watcher:
    """The kernel's hooks: a box under a limit's error, and under a stop by the out-of-memory killer."""

    def __init__(self):
        self.seen_file = Path(os.path.expanduser(str(SEEN_FILE)))
        self.before = oom_kills()
        self.new_kernel = True

    def _remember(self, count: int | None) -> None:
        if count is None:
            return
        try:
            self.seen_file.parent.mkdir(parents=True, exist_ok=True)
            self.seen_file.write_text(f"{count}\n")
        except OSError:  # a full disk must not break the kernel
            pass

    def pre_run_cell(self, *args) -> None:
        try:
            if self.new_kernel:
                self.new_kernel = False
                seen = _read_int(self.seen_file)
                now = oom_kills()
                if now is not None and seen is not None and now > seen:
                    _show(*_oom_message(previous_kernel=True))
                self._remember(now)
            self.before = oom_kills()
        except Exception:  # noqa: BLE001 - never in the trainee's way
            pass

    def post_run_cell(self, result) -> None:
        try:
            error = getattr(result, "error_in_exec", None)
            found = advice(error) if error is not None else None
            now = oom_kills()
            if now is not None and self.before is not None and now > self.before:
                self._remember(now)
                if found is None or found[0] != "Out of memory":
                    found = _oom_message(previous_kernel=False)
            if found is not None:
                _show(*found)
        except Exception:  # noqa: BLE001
            pass


_WATCHERS: dict[int, _Watcher] = {}


def load_ipython_extension(ip) -> None:
    """Called by IPython (``--ext=qikit.hosting.friendly`` or ``%load_ext qikit.hosting.friendly``)."""
    if id(ip) in _WATCHERS:
        return
    watcher = _WATCHERS[id(ip)] = _Watcher()
    ip.events.register("pre_run_cell", watcher.pre_run_cell)
    ip.events.register("post_run_cell", watcher.post_run_cell)


def unload_ipython_extension(ip) -> None:
    watcher = _WATCHERS.pop(id(ip), None)
    if watcher is not None:
        ip.events.unregister("pre_run_cell", watcher.pre_run_cell)
        ip.events.unregister("post_run_cell", watcher.post_run_cell)
