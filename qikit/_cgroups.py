"""Where this process sits in the kernel's control groups (cgroup v1 or v2), for the grading sandbox and the
trainee's plain messages about limits. Standard library only: it is loaded into trainees' kernels."""

from __future__ import annotations

from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def own_cgroup(controller: str, root: Path = CGROUP_ROOT, unified: bool = False) -> Path | None:
    """This process's control group folder for ``controller`` under cgroup v1 (``root/controller/...``);
    with ``unified``, the cgroup v2 folder when no v1 hierarchy has the controller. None if neither is known."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return Path(root, controller) / path.lstrip("/")
    if unified:
        for line in lines:
            if line.startswith("0::"):
                return Path(root) / line[3:].lstrip("/")
    return None
