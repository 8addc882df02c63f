"""Disk space per trainee on one machine: a size-limited filesystem of their own for home and submissions.

A shared filesystem lets one trainee fill the disk for everyone: their home, the nbgrader exchange
(``inbound/`` is writable by every student) and ``/var/tmp``. Quotas would be the usual answer, but they
need the kernel's quota support (ext4's quota format, or XFS built with quotas), which many virtual
machines and containers lack. This works with any Linux kernel that can mount a loop device:

* **each trainee gets a disk image of ``QIKIT_DISK_LIMIT``** (a sparse file, ext4 with no blocks kept
  for root, in ``<state>/disk/images/<name>.ext4``), mounted at ``<state>/disk/mnt/<name>`` with
  ``nodev,nosuid``. It holds two folders: ``home`` (the trainee's, mode 700) and ``inbound`` (the
  grader's, mode 2733 like the exchange's ``inbound``);
* **their home is that ``home``**: bound onto ``<homes>/<name>``, so every path stays as it was;
* **their submissions go to that ``inbound``**: in the trainee's server (a mount namespace of its own,
  see ``qikit_hub_limits.private_mounts``) the exchange is read-only and its ``inbound`` is their own.
  The grader's collect reads every trainee's ``inbound`` (``qikit.hosting.collect``), so nothing
  changes for the instructor. A submission can no longer land among other students' at all;
* ``/tmp`` is a private tmpfs of ``QIKIT_TMP_LIMIT`` and ``/var/tmp`` is the same private /tmp.

Home and submissions together are limited to ``QIKIT_DISK_LIMIT``: a trainee who goes over gets
"No space left on device" (ENOSPC) and nobody else notices. The images are sparse: each takes only
the space its files use, so the disk that holds ``<state>`` must have room for what trainees really
write, not for the sum of their limits (the hub warns when that sum exceeds the free space).

Everything here runs as root in the hub, with the standard library and ``mkfs.ext4``/``mount``
(e2fsprogs and util-linux, present on every Debian and Ubuntu).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])


def _tool(name: str) -> str:
    path = shutil.which(name, path=SBIN_PATH)
    if not path:
        raise RuntimeError(f"`{name}` is not installed")
    return path


def _run(*cmd: str) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {(r.stderr or r.stdout).strip()}")


@dataclass(frozen=True)
class TraineeDisk:
    """Where one trainee's disk lives."""

    image: Path
    mount: Path

    @property
    def home(self) -> Path:
        return self.mount / "home"

    @property
    def inbound(self) -> Path:
        return self.mount / "inbound"


@dataclass(frozen=True)
class Disks:
    """The trainees' disks of one hub: ``<state>/disk/images`` and ``<state>/disk/mnt``."""

    root: Path
    limit_bytes: int

    def of(self, name: str) -> TraineeDisk:
        return TraineeDisk(self.root / "images" / f"{name}.ext4", self.root / "mnt" / name)

    def inbounds_glob(self) -> str:
        """Every trainee's ``inbound`` folder, for the grader's collect."""
        return str(self.root / "mnt" / "*" / "inbound")

    def _make_image(self, image: Path, label: str) -> None:
        image.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(image.parent, 0o700)
        partial = image.with_name(f".{image.name}.partial")
        with open(partial, "wb") as f:
            f.truncate(self.limit_bytes)
        # -m 0: no blocks kept back for root (the trainee gets the whole limit);
        # lazy_itable_init: the image stays sparse; root owns the top folder.
        _run(_tool("mkfs.ext4"), "-q", "-F", "-m", "0", "-L", label[:16],
             "-E", "lazy_itable_init=1,lazy_journal_init=1,root_owner=0:0", str(partial))
        os.replace(partial, image)

    def check(self) -> None:
        """Make, mount and remove a small image: raises RuntimeError (with the reason) if this machine
        cannot give trainees disks of their own."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        probe = Disks(self.root, 32 * 2**20)
        work = Path(tempfile.mkdtemp(prefix=".check-", dir=self.root))
        try:
            image, mnt = work / "check.ext4", work / "mnt"
            mnt.mkdir()
            probe._make_image(image, "qikit-check")
            _run(_tool("mount"), "-o", "loop,nodev,nosuid", str(image), str(mnt))
            _run(_tool("umount"), str(mnt))
        finally:
            if os.path.ismount(work / "mnt"):
                subprocess.run([_tool("umount"), "-l", str(work / "mnt")], capture_output=True)
            shutil.rmtree(work, ignore_errors=True)

    def attach(self, name: str, uid: int, gid: int, grader_uid: int, grader_gid: int, home: Path) -> TraineeDisk:
        """Make (first time) and mount the trainee's disk, and bind its ``home`` onto ``home``.

        Idempotent: called before every start of the trainee's server (after a reboot nothing is
        mounted). On first use the files already in ``home`` (the skeleton ``useradd`` copied, or an
        existing home) are copied onto the disk; a home larger than the limit is refused."""
        disk = self.of(name)
        if not os.path.ismount(disk.mount):
            if not disk.image.exists():
                self._make_image(disk.image, f"qk-{name}")
            disk.mount.mkdir(parents=True, exist_ok=True)
            os.chmod(disk.mount.parent, 0o755)
            os.chmod(disk.mount, 0o700)  # while nothing is mounted on it
            _run(_tool("mount"), "-o", "loop,nodev,nosuid", str(disk.image), str(disk.mount))
        # The disk's top is root's, open to the grader's group (collect reads ``inbound``) and to nobody
        # else: other trainees must not reach this trainee's ``inbound`` (they could fill it). The trainee
        # reaches their own folders through the binds (their home, and ``inbound`` in their server).
        os.chown(disk.mount, 0, grader_gid)
        os.chmod(disk.mount, 0o750)
        first = not disk.home.exists()
        disk.home.mkdir(exist_ok=True)
        disk.inbound.mkdir(exist_ok=True)
        os.chown(disk.inbound, grader_uid, grader_gid)
        os.chmod(disk.inbound, 0o2733)
        if not os.path.ismount(home):
            if first and home.is_dir():
                # Copy what is there (owners, modes and times kept) before the disk covers it.
                r = subprocess.run([_tool("cp"), "-a", f"{home}/.", str(disk.home)], capture_output=True, text=True)
                if r.returncode != 0:
                    raise RuntimeError(f"{name}'s home does not fit in their disk of {self.limit_bytes} bytes "
                                       f"({r.stderr.strip()}): raise QIKIT_DISK_LIMIT or make room")
            home.mkdir(parents=True, exist_ok=True)
            os.chown(disk.home, uid, gid)
            os.chmod(disk.home, 0o700)
            _run(_tool("mount"), "--bind", str(disk.home), str(home))
        return disk


def overcommitted(disks: Disks, trainees: int) -> str | None:
    """A warning when ``trainees`` full disks would not fit in the free space under ``disks.root``."""
    free = shutil.disk_usage(disks.root).free
    need = trainees * disks.limit_bytes
    if need > free:
        return (f"{trainees} trainees x QIKIT_DISK_LIMIT = {need / 2**30:.1f} GiB is more than the "
                f"{free / 2**30:.1f} GiB free under {disks.root}: the images are sparse, but if trainees "
                "really fill them the machine's disk fills first")
    return None
