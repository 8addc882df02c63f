"""Per-trainee limits on one machine: all of a trainee's processes together, and a private /tmp.

LocalProcessSpawner has no per-user limit: a cap per process (``RLIMIT_AS``) lets three 1.5 GiB
processes take 4.5 GiB, and every account shares /tmp. Here each trainee's server is started:

* **in a control group of its own** (``qikit-hub/<name>`` in the kernel's memory, pids and cpu
  controllers), which caps the memory of all the trainee's processes together (their server, kernels
  and anything those start), the number of their processes and threads, and their share of the CPU
  (``cpu.shares``/``cpu.weight`` for a fair share under load, and a hard quota of ``cpu`` cores).
  cgroup v2 (one unified hierarchy, as on current systemd distributions) and v1 (separate hierarchies,
  as on older or systemd-less hosts) are both handled. When the limit is reached inside the group, the
  kernel refuses the trainee's next allocation or fork, or stops the largest of *their* processes
  (usually the notebook's kernel, which JupyterLab then restarts with a message); nobody else is touched;
* **with a private /tmp**: a tmpfs of ``tmp_bytes`` mounted in a mount namespace of the server's own,
  so a trainee can neither fill the machine's /tmp nor see other trainees' temporary files. A full
  private /tmp gives the trainee "No space left on device" and nobody else notices.

Both are set up in the child process before it becomes the trainee (it still has root's rights then),
with the standard library only. :func:`available` tells which controllers this machine offers; the
hub refuses to start when a limit is asked for and cannot be enforced, rather than run without it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP = "qikit-hub"
# The trainees' groups sit under one parent, which competes for the CPU with each process outside it
# (the hub, the proxy, the grader, the system's own). With the kernel's default weight the trainees
# together would count as one such process, and a few busy processes outside could starve every
# trainee; so the parent weighs as much as four busy processes per core. Among themselves trainees
# share equally (each group's weight is its QIKIT_CPU_LIMIT in cores).
PARENT_SHARES_V1 = 1024 * 4 * (os.cpu_count() or 1)
PARENT_WEIGHT_V2 = min(10_000, 100 * 4 * (os.cpu_count() or 1))

# <linux/sched.h> and <sys/mount.h>
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND = 0x1, 0x2, 0x4, 0x20, 0x1000
MS_MOVE, MS_REC, MS_PRIVATE = 0x2000, 0x4000, 0x40000
# Looked up once, here: the functions below run in a forked child before exec, where nothing may start
# a process (ctypes.util.find_library does) or take a lock another thread of the hub might hold.
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


@dataclass(frozen=True)
class Limits:
    """What one trainee may use, all their processes together."""

    mem_bytes: int = 0  # 0: no limit
    tasks: int = 0  # processes and threads
    cpu: float = 0.0  # cores (a hard quota); also sets a fair share
    tmp_bytes: int = 0  # size of the private /tmp (and /var/tmp); 0: the machine's


def _v2() -> bool:
    return (CGROUP_ROOT / "cgroup.controllers").is_file()


def available() -> set[str]:
    """The controllers usable here: a subset of {"memory", "pids", "cpu"}."""
    if _v2():
        return set((CGROUP_ROOT / "cgroup.controllers").read_text().split()) & {"memory", "pids", "cpu"}
    return {c for c in ("memory", "pids", "cpu") if (CGROUP_ROOT / c / "cgroup.procs").is_file()}


def _write(path: Path, value) -> None:
    path.write_text(f"{value}\n")


def prepare(name: str, limits: Limits) -> list[Path]:
    """Create (or update) the trainee's control groups and return the ``cgroup.procs`` files the server
    joins. Called by the hub (root) before each start of the trainee's server."""
    want = {"memory": bool(limits.mem_bytes), "pids": bool(limits.tasks), "cpu": bool(limits.cpu)}
    missing = {c for c, on in want.items() if on} - available()
    if missing:
        raise RuntimeError(f"this machine offers no cgroup controller for {', '.join(sorted(missing))}: "
                           "cannot enforce the per-trainee limit")
    procs = []
    if _v2():
        parent = CGROUP_ROOT / GROUP
        parent.mkdir(exist_ok=True)
        enable = " ".join(f"+{c}" for c, on in want.items() if on)
        if enable:
            _write(CGROUP_ROOT / "cgroup.subtree_control", enable)
            _write(parent / "cgroup.subtree_control", enable)
        if limits.cpu and (parent / "cpu.weight").exists():
            _write(parent / "cpu.weight", PARENT_WEIGHT_V2)
        group = parent / name
        group.mkdir(exist_ok=True)
        if limits.mem_bytes:
            _write(group / "memory.max", limits.mem_bytes)
            if (group / "memory.swap.max").exists():
                _write(group / "memory.swap.max", 0)
        if limits.tasks:
            _write(group / "pids.max", limits.tasks)
        if limits.cpu:
            _write(group / "cpu.max", f"{int(limits.cpu * 100_000)} 100000")
        procs.append(group / "cgroup.procs")
        return procs
    for controller, on in want.items():
        if not on:
            continue
        group = CGROUP_ROOT / controller / GROUP / name
        group.mkdir(parents=True, exist_ok=True)
        if controller == "cpu":
            _write(group.parent / "cpu.shares", PARENT_SHARES_V1)
        if controller == "memory":
            _write(group / "memory.limit_in_bytes", limits.mem_bytes)
            swap = group / "memory.memsw.limit_in_bytes"
            if swap.exists():  # memory + swap no more than memory alone: no escape into swap
                try:
                    _write(swap, limits.mem_bytes)
                except OSError:
                    pass
        elif controller == "pids":
            _write(group / "pids.max", limits.tasks)
        elif controller == "cpu":
            _write(group / "cpu.cfs_period_us", 100_000)
            _write(group / "cpu.cfs_quota_us", int(limits.cpu * 100_000))
            _write(group / "cpu.shares", max(2, int(1024 * limits.cpu)))
        procs.append(group / "cgroup.procs")
    return procs


def join(procs: list[Path]) -> None:
    """Move the calling process into the groups (in the child, before it drops root's rights).
    Plain system calls only: this runs between fork and exec."""
    pid = str(os.getpid()).encode()
    for path in procs:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, pid)
        finally:
            os.close(fd)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None, what: str) -> None:
    args = [v.encode() if v is not None else None for v in (source, target, fstype)]
    if _LIBC.mount(*args, flags, data.encode() if data is not None else None) != 0:
        raise OSError(ctypes.get_errno(), f"{what} failed")


def private_tmp(size_bytes: int) -> None:
    """Give the calling process a mount namespace of its own with a fresh tmpfs of ``size_bytes`` on /tmp
    (in the child, before it drops root's rights). Raises OSError if the kernel refuses."""
    private_mounts(size_bytes)


def private_mounts(tmp_bytes: int = 0, exchange: str = "", inbound_src: str = "", inbound_dst: str = "") -> None:
    """The trainee's own view of the machine's folders, in a mount namespace of the calling process's own
    (in the child, before it drops root's rights). Raises OSError if the kernel refuses.

    * ``tmp_bytes``: a fresh tmpfs of that size on /tmp, and the same one on /var/tmp, so that neither
      the machine's /tmp nor its on-disk /var/tmp can be filled, nor other trainees' files seen there;
    * ``exchange``: the course's folder of the nbgrader exchange (the parent of ``inbound_dst``) becomes
      read-only, except ``inbound_dst`` (its ``inbound``), on which ``inbound_src`` (the ``inbound`` on the
      trainee's own disk, qikit_hub_disk.py) is bound: submissions are written to, and counted on, the
      trainee's own disk. With a private /tmp, the exchange's root (which nbgrader insists be writable)
      becomes a tiny tmpfs of the trainee's own holding only the course's folder, so nothing a trainee
      writes there reaches the machine's disk.
    """
    if not (tmp_bytes or exchange):
        return
    if _LIBC.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS) failed")
    # Nothing mounted here may leak back to the machine's namespace.
    _mount("none", "/", None, MS_REC | MS_PRIVATE, None, "making / private")
    if tmp_bytes:
        _mount("qikit-tmp", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(tmp_bytes)},mode=1777",
               "mounting the private /tmp")
    if exchange and inbound_dst:
        course = os.path.dirname(inbound_dst.rstrip("/"))
        if tmp_bytes:
            stage = "/tmp/.qikit-exchange-course"
            os.mkdir(stage, 0o700)
            _mount(course, stage, None, MS_BIND | MS_REC, None, "binding the exchange's course folder")
            _mount("qikit-exchange", exchange, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,nr_inodes=256,mode=1777",
                   "covering the exchange's root")
            os.mkdir(course, 0o755)
            _mount(stage, course, None, MS_MOVE, None, "moving the exchange's course folder back")
            os.rmdir(stage)
        else:
            _mount(course, course, None, MS_BIND | MS_REC, None, "binding the exchange's course folder")
        _mount(None, course, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None,
               "making the exchange read-only")
        if inbound_src:
            _mount(inbound_src, inbound_dst, None, MS_BIND, None, "binding the trainee's own inbound")
    if tmp_bytes and os.path.isdir("/var/tmp"):
        _mount("/tmp", "/var/tmp", None, MS_BIND, None, "binding the private /tmp on /var/tmp")


def oom_kills(name: str) -> int | None:
    """How many of the trainee's processes the kernel has stopped for lack of memory in their group."""
    if _v2():
        files = [CGROUP_ROOT / GROUP / name / "memory.events"]
    else:
        files = [CGROUP_ROOT / "memory" / GROUP / name / "memory.oom_control"]
    for path in files:
        try:
            for line in path.read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and value.strip().isdigit():
                    return int(value)
        except OSError:
            pass
    return None


def usage(name: str) -> dict[str, int]:
    """The trainee's current use, for the administrator: bytes of memory and number of tasks."""
    out = {}
    if _v2():
        group = CGROUP_ROOT / GROUP / name
        files = {"memory": group / "memory.current", "tasks": group / "pids.current"}
    else:
        files = {"memory": CGROUP_ROOT / "memory" / GROUP / name / "memory.usage_in_bytes",
                 "tasks": CGROUP_ROOT / "pids" / GROUP / name / "pids.current"}
    for key, path in files.items():
        try:
            out[key] = int(path.read_text())
        except (OSError, ValueError):
            pass
    return out
