"""Back up and restore one nbgrader course of the hub: gradebook, course directory and exchange folder.

``qikit course backup`` writes one archive (``<course>-<UTC time>.tar.gz``) holding

* ``manifest.json``: the archive's schema version, the qikit version that wrote it, when, the course
  id, where everything came from, and for every entry its path, type, mode, owner and group *names*
  (with the numeric ids, for the record), size and SHA-256;
* ``course/``: the grader's course directory (``source/``, ``release/``, ``submitted/``,
  ``autograded/``, ``feedback/``, ``rubrics/``, ``nbgrader_config.py``, ...). Its ``gradebook.db`` is
  not copied as a file but through SQLite's online backup API (:meth:`sqlite3.Connection.backup`), which
  gives a consistent snapshot even while the formgrader is writing to it;
* ``exchange/``: the course's folder of the exchange (``<exchange>/<course>``: ``outbound/``,
  ``inbound/`` 2733, ``feedback/`` 711 ...). Those modes are what keeps one trainee out of another's
  submissions and feedback, so they are restored exactly.

The archive is written to a hidden temporary file beside its final name, flushed to disk, made
readable by its owner alone (0600; run as root, that is root) and only then renamed: a crash leaves no
archive at all, never half of one (a process killed outright leaves its hidden ``.<name>.partial``). Symbolic links, sockets and device files are not saved (nbgrader
makes none) and are listed in the report.

``qikit course restore ARCHIVE`` first reads the whole archive and checks every member against the
manifest (SHA-256 and size) and the manifest's schema; a damaged or truncated archive, or one written
by a newer qikit, is refused before anything on disk is touched. It then refuses to replace a course
directory or exchange folder that holds any file unless ``--force`` is given; with ``--force`` the
existing folder is not deleted but renamed aside (``<name>.replaced-<UTC time>``), so nothing is lost.
The archive is unpacked into a hidden folder beside each target, owners and modes are set, the
gradebook is checked with SQLite's ``integrity_check``, and each folder is renamed into place.

Owners are restored by account *name*: the uids of a new machine may differ. An owner whose account
does not exist on this machine is never replaced by whoever holds the old uid; its files are restored
owned by root (which no trainee can read into), and the report names the account and prints the
``chown`` command that gives them back once the account exists. (Trainees' accounts are created by the
hub when they first log in; the grader's when the hub starts.)

Settings are read as ``course/deploy/jupyterhub_config.py`` reads them: ``QIKIT_COURSE_ID`` (default
``qikit``), ``QIKIT_EXCHANGE`` (``/srv/nbgrader/exchange``), ``QIKIT_COURSE_DIR`` (default: the home of
the account ``grader-<course>``, else ``QIKIT_HOMES/grader-<course>``, then ``/<course>``), and
``QIKIT_BACKUP_DIR`` for where archives go (``/var/backups/qikit``). Everything here is the standard
library.
"""

from __future__ import annotations

import contextlib
import datetime
import grp
import hashlib
import io
import json
import os
import pwd
import re
import shutil
import sqlite3
import stat
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import QIError

__all__ = ["BackupError", "Settings", "settings_from_env", "backup", "restore", "read_archive", "SCHEMA"]

SCHEMA = 1  # version of the archive's layout and manifest; restore refuses anything newer
MANIFEST = "manifest.json"
GRADEBOOK = "gradebook.db"
_GRADEBOOK_SIDE_FILES = {GRADEBOOK, f"{GRADEBOOK}-journal", f"{GRADEBOOK}-wal", f"{GRADEBOOK}-shm"}
_COURSE_ID = re.compile(r"[a-z][a-z0-9_-]{0,30}")
_SPOOL = 64 * 1024 * 1024  # files larger than this are spooled to a temporary file, not memory
_CHUNK = 1024 * 1024


class BackupError(QIError, RuntimeError):
    """A backup cannot be written or an archive cannot be restored; the message says what and where."""


# --- settings -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Where the course lives: the hub's settings, as course/deploy/jupyterhub_config.py reads them."""

    course: str
    exchange: Path  # the exchange root; the course's folder is exchange / course
    course_dir: Path
    backup_dir: Path
    # Submissions waiting on trainees' own disks (the hub's qikit_hub_disk.py): ``<state>/disk/mnt/*/inbound``.
    # They are archived as part of the exchange's ``inbound/`` and restored there, where collect reads them.
    trainee_inbounds: tuple[Path, ...] = ()

    @property
    def grader(self) -> str:
        return f"grader-{self.course}"[:32]

    @property
    def exchange_course(self) -> Path:
        return self.exchange / self.course


def settings_from_env(env: dict | None = None, *, course: str | None = None, exchange: str | None = None,
                      course_dir: str | None = None, homes: str | None = None,
                      backup_dir: str | None = None) -> Settings:
    """The hub's settings from ``env`` (default ``os.environ``); keyword arguments override them."""
    env = os.environ if env is None else env

    def get(name: str, default: str = "") -> str:
        return (env.get(name) or default).strip()

    course = course or get("QIKIT_COURSE_ID", "qikit")
    if not _COURSE_ID.fullmatch(course):
        raise BackupError(f"the course id {course!r} is not one the hub accepts: use lower-case letters, "
                          "digits, '-' or '_', starting with a letter (QIKIT_COURSE_ID or --course)")
    grader = f"grader-{course}"[:32]
    folder = course_dir or get("QIKIT_COURSE_DIR")
    if not folder:
        try:
            home = Path(pwd.getpwnam(grader).pw_dir)
        except KeyError:
            home = Path(homes or get("QIKIT_HOMES", "/home")) / grader
        folder = str(home / course)
    state = Path(get("QIKIT_HUB_STATE", "/srv/qikit-hub"))
    inbounds = tuple(sorted(p for p in (state / "disk" / "mnt").glob("*/inbound") if p.is_dir()))
    return Settings(course=course, exchange=Path(exchange or get("QIKIT_EXCHANGE", "/srv/nbgrader/exchange")),
                    course_dir=Path(folder),
                    backup_dir=Path(backup_dir or get("QIKIT_BACKUP_DIR", "/var/backups/qikit")),
                    trainee_inbounds=inbounds)


# --- small helpers --------------------------------------------------------------------------------
def _user(uid: int) -> str | None:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def _group(gid: int) -> str | None:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return None


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def has_files(path: Path) -> bool:
    """True if ``path`` holds anything but (possibly nested) empty folders."""
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_symlink() or not path.is_dir():
        return True
    for _root, dirs, files in os.walk(path):
        if files or any(os.path.islink(os.path.join(_root, d)) for d in dirs):
            return True
    return False


def gradebook_summary(db: str | os.PathLike) -> dict:
    """Assignments, students, submissions and grades in an nbgrader gradebook (plain SQLite reads)."""
    con = sqlite3.connect(f"file:{Path(db)}?mode=ro", uri=True)
    try:
        def count(sql: str) -> int:
            return int(con.execute(sql).fetchone()[0])

        return {
            "assignments": [r[0] for r in con.execute("SELECT name FROM assignment ORDER BY name")],
            "students": count("SELECT COUNT(*) FROM student"),
            "submissions": count("SELECT COUNT(*) FROM submitted_assignment"),
            "grades": count("SELECT COUNT(*) FROM grade WHERE auto_score IS NOT NULL OR manual_score IS NOT NULL"),
            "comments": count("SELECT COUNT(*) FROM comment WHERE auto_comment IS NOT NULL "
                              "OR manual_comment IS NOT NULL"),
        }
    except sqlite3.Error as e:
        raise BackupError(f"{db} is not an nbgrader gradebook that can be read ({e})") from None
    finally:
        con.close()


def _copy_gradebook(src: Path, dest: Path) -> None:
    """Copy the live gradebook with SQLite's online backup API: a consistent snapshot even while the
    formgrader writes (each step copies pages under a read lock; a write in between restarts it).
    Opened read-only, so root never creates a journal file in the grader's folder."""
    try:
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as e:
        raise BackupError(f"the gradebook {src} cannot be opened ({e})") from None
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as e:
        raise BackupError(f"the gradebook {src} could not be copied ({e}): is it an SQLite database?") from None
    finally:
        target.close()
        source.close()
    if ok != "ok":
        raise BackupError(f"the gradebook {src} is damaged (SQLite integrity check: {ok}); it was not backed up")


@dataclass
class _Entry:
    path: str  # in the archive: course/..., exchange/...
    type: str  # "dir" or "file"
    mode: int
    owner: str | None
    group: str | None
    uid: int
    gid: int
    size: int = 0
    sha256: str | None = None

    def as_json(self) -> dict:
        out = {"path": self.path, "type": self.type, "mode": f"{self.mode:04o}", "owner": self.owner,
               "group": self.group, "uid": self.uid, "gid": self.gid}
        if self.type == "file":
            out.update(size=self.size, sha256=self.sha256)
        return out


def _entry(path: str, st: os.stat_result, kind: str) -> _Entry:
    return _Entry(path, kind, stat.S_IMODE(st.st_mode), _user(st.st_uid), _group(st.st_gid), st.st_uid, st.st_gid)


def _walk(top: Path):
    """(path, lstat) of ``top`` and everything below it, folders before their contents, sorted."""
    yield top, os.lstat(top)
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for name in [*dirs, *sorted(files)]:
            p = Path(root) / name
            try:
                yield p, os.lstat(p)
            except FileNotFoundError:  # removed while we walked (a trainee's server tidying up)
                continue


# --- backup ---------------------------------------------------------------------------------------
@dataclass
class BackupReport:
    archive: Path
    manifest: dict
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        s = self.manifest["summary"]
        out = [f"Backed up course {self.manifest['course_id']!r} to {self.archive}",
               f"  gradebook: {_summary_phrase(s)}" if s.get("gradebook") else
               "  gradebook: none (nothing graded yet: the course directory has no gradebook.db)",
               f"  course directory {self.manifest['paths']['course_dir']}: {_plural(s['course_files'], 'file')}",
               f"  exchange {self.manifest['paths']['exchange_course']}: {_plural(s['exchange_files'], 'file')}"]
        if self.skipped:
            out.append(f"  not saved (not regular files or folders): {', '.join(self.skipped)}")
        return out


def _summary_phrase(s: dict) -> str:
    names = ", ".join(s.get("assignment_names", [])) or "none"
    return (f"{_plural(s['assignments'], 'assignment')} ({names}), {_plural(s['students'], 'student')}, "
            f"{_plural(s['submissions'], 'submission')}, {_plural(s['grades'], 'grade')}, "
            f"{_plural(s['comments'], 'comment')}")


def _add_member(tar: tarfile.TarFile, name: str, src, mode: int = 0o600) -> tuple[int, str]:
    """Add the bytes read from ``src`` (an open binary file) as ``name``; return (size, sha256)."""
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, mode, int(_utc_now().timestamp())
        tar.addfile(info, spool)
    return size, digest.hexdigest()


def backup(settings: Settings, output: str | os.PathLike | None = None) -> BackupReport:
    """Write one archive of the course (see the module's docstring); return where and what.

    ``output`` is a folder (the archive is named ``<course>-<UTC time>.tar.gz`` in it) or a file name
    ending ``.tar.gz``; by default ``settings.backup_dir``.
    """
    course_dir, exch = settings.course_dir, settings.exchange_course
    for what, path in (("course directory", course_dir), ("exchange folder of the course", exch)):
        if not path.is_dir():
            raise BackupError(f"the {what} {path} does not exist: check QIKIT_COURSE_ID, QIKIT_COURSE_DIR and "
                              "QIKIT_EXCHANGE (they must be the hub's), or give --course-dir / --exchange")
    created = _utc_now()
    out = Path(output) if output is not None else settings.backup_dir
    if out.name.endswith(".tar.gz"):
        target = out
    else:
        target = out / f"{settings.course}-{created.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
    for top in (course_dir, exch):
        if target.resolve().is_relative_to(top.resolve()):
            raise BackupError(f"the archive {target} would be inside {top}, which it backs up: write it elsewhere")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if target.exists():
        raise BackupError(f"{target} exists already: it is never overwritten; choose another name")

    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.fchmod(fd, 0o600)
    work = Path(tempfile.mkdtemp(prefix="qikit-backup-"))
    try:
        entries: list[_Entry] = []
        skipped: list[str] = []
        gradebook = course_dir / GRADEBOOK
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                # The data first, the manifest (which needs every checksum) last in the archive.
                tops = [("course", course_dir), ("exchange", exch)]
                if (exch / "inbound").is_dir():
                    tops += [("exchange/inbound", t) for t in settings.trainee_inbounds]
                names: set[str] = set()
                for prefix, top in tops:
                    for path, st in _walk(top):
                        rel = path.relative_to(top).as_posix()
                        name = prefix if rel == "." else f"{prefix}/{rel}"
                        if name in names:  # a trainee's inbound itself: the exchange's inbound is archived
                            continue
                        names.add(name)
                        if stat.S_ISDIR(st.st_mode):
                            entries.append(_entry(name, st, "dir"))
                        elif not stat.S_ISREG(st.st_mode):
                            skipped.append(str(path))
                        elif prefix == "course" and rel in _GRADEBOOK_SIDE_FILES:
                            continue  # the gradebook goes through SQLite, below
                        else:
                            e = _entry(name, st, "file")
                            try:
                                with open(path, "rb") as f:
                                    e.size, e.sha256 = _add_member(tar, name, f)
                            except FileNotFoundError:
                                continue
                            entries.append(e)
                summary = {"gradebook": gradebook.is_file()}
                if gradebook.is_file():
                    copy = work / GRADEBOOK
                    _copy_gradebook(gradebook, copy)
                    e = _entry(f"course/{GRADEBOOK}", os.stat(gradebook), "file")
                    with open(copy, "rb") as f:
                        e.size, e.sha256 = _add_member(tar, e.path, f)
                    entries.append(e)
                    gs = gradebook_summary(copy)
                    summary.update(assignments=len(gs["assignments"]), assignment_names=gs["assignments"],
                                   students=gs["students"], submissions=gs["submissions"], grades=gs["grades"],
                                   comments=gs["comments"])
                summary["course_files"] = sum(1 for e in entries if e.type == "file" and e.path.startswith("course/"))
                summary["exchange_files"] = sum(1 for e in entries
                                                if e.type == "file" and e.path.startswith("exchange/"))
                from .. import __version__

                manifest = {
                    "schema": SCHEMA,
                    "kind": "qikit course backup",
                    "qikit_version": __version__,
                    "created": created.isoformat().replace("+00:00", "Z"),
                    "course_id": settings.course,
                    "grader": settings.grader,
                    "paths": {"course_dir": str(course_dir), "exchange": str(settings.exchange),
                              "exchange_course": str(exch), "gradebook": f"course/{GRADEBOOK}"},
                    "summary": summary,
                    "skipped": skipped,
                    "entries": [e.as_json() for e in entries],
                }
                _add_member(tar, MANIFEST, io.BytesIO(json.dumps(manifest, indent=1).encode()))
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(partial, target)
        partial = None
        dirfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    finally:
        if partial is not None:
            with contextlib.suppress(OSError):
                os.unlink(partial)
        shutil.rmtree(work, ignore_errors=True)
    return BackupReport(target, manifest, skipped)


# --- reading and checking an archive ----------------------------------------------------------------
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError, ValueError)


def _damaged(archive: Path, why: str) -> BackupError:
    return BackupError(f"the archive {archive} is damaged or incomplete ({why}); nothing was restored. "
                       "Use another copy of the backup.")


def _check_manifest(archive: Path, manifest) -> dict[str, dict]:
    if not isinstance(manifest, dict) or manifest.get("kind") != "qikit course backup":
        raise _damaged(archive, "its manifest.json is not a qikit course backup's")
    schema = manifest.get("schema")
    if not isinstance(schema, int):
        raise _damaged(archive, "its manifest has no schema version")
    if schema > SCHEMA:
        raise BackupError(
            f"the archive {archive} was written by a newer qikit ({manifest.get('qikit_version', '?')}, archive "
            f"schema {schema}); this qikit reads schema {SCHEMA} and older. Upgrade qikit "
            "(git pull, then pip install -e .) and run the restore again; nothing was restored.")
    course = manifest.get("course_id")
    if not isinstance(course, str) or not _COURSE_ID.fullmatch(course):
        raise _damaged(archive, "its manifest names no valid course id")
    entries: dict[str, dict] = {}
    for e in manifest.get("entries", []):
        p = e.get("path", "") if isinstance(e, dict) else ""
        parts = PurePosixPath(p).parts
        if (not parts or parts[0] not in {"course", "exchange"} or PurePosixPath(p).is_absolute()
                or any(x in {"..", "."} for x in parts) or p != PurePosixPath(p).as_posix()
                or e.get("type") not in {"dir", "file"} or not re.fullmatch(r"[0-7]{3,4}", str(e.get("mode", "")))):
            raise _damaged(archive, f"its manifest lists an entry that cannot be restored safely: {p!r}")
        if p in entries:
            raise _damaged(archive, f"its manifest lists {p} twice")
        entries[p] = e
    for top in ("course", "exchange"):
        if entries.get(top, {}).get("type") != "dir":
            raise _damaged(archive, f"its manifest has no {top} folder")
    for p in entries:
        parent = str(PurePosixPath(p).parent)
        if p not in {"course", "exchange"} and entries.get(parent, {}).get("type") != "dir":
            raise _damaged(archive, f"{p} is listed without its folder")
    return entries


def read_archive(archive: str | os.PathLike, extract_to: dict[str, Path] | None = None) -> dict:
    """Read the whole archive, checking every member against its manifest; return the manifest.

    With ``extract_to`` (``{"course": folder, "exchange": folder}``), each checked file is also written
    there (the folders themselves must exist; nothing else is created outside them).
    Raises :class:`BackupError` for a damaged or truncated archive, a newer schema, or a member whose
    size or SHA-256 differs from the manifest's.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"there is no backup archive at {archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = {}
            manifest = None
            for m in tar:
                if m.name == MANIFEST:
                    manifest = json.loads(tar.extractfile(m).read().decode())
                    continue
                if not m.isfile() or m.name in members:
                    raise _damaged(archive, f"unexpected member {m.name!r}")
                members[m.name] = m
            if manifest is None:
                raise _damaged(archive, "it has no manifest.json")
            entries = _check_manifest(archive, manifest)
            files = {p for p, e in entries.items() if e["type"] == "file"}
            if set(members) != files:
                extra, missing = sorted(set(members) - files), sorted(files - set(members))
                raise _damaged(archive, f"members and manifest differ: missing {missing[:3]}, unlisted {extra[:3]}")
            for name in sorted(files, key=lambda n: members[n].offset_data):
                e, m = entries[name], members[name]
                digest, size = hashlib.sha256(), 0
                src = tar.extractfile(m)
                out = None
                if extract_to is not None:
                    top, _, rest = name.partition("/")
                    dest = extract_to[top] / rest
                    out = open(dest, "xb")
                    os.fchmod(out.fileno(), 0o600)
                try:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if out is not None:
                            out.write(chunk)
                finally:
                    if out is not None:
                        out.close()
                if size != e.get("size") or digest.hexdigest() != e.get("sha256"):
                    raise _damaged(archive, f"{name} does not match its checksum")
    except BackupError:
        raise
    except json.JSONDecodeError as e:
        raise _damaged(archive, f"its manifest.json cannot be read: {e}") from None
    except _READ_ERRORS as e:
        raise _damaged(archive, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__) from None
    return manifest


# --- restore --------------------------------------------------------------------------------------
@dataclass
class RestoreReport:
    manifest: dict
    course_dir: Path
    exchange_course: Path
    moved_aside: list[tuple[Path, Path]] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # account -> top-most paths given to root
    missing_groups: dict[str, list[str]] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        m = self.manifest
        out = [f"Restored course {m['course_id']!r} from the backup of {m['created']} (qikit {m['qikit_version']})",
               f"  course directory: {self.course_dir}",
               f"  exchange folder:  {self.exchange_course}"]
        if self.summary:
            out.append(f"  gradebook: {_summary_phrase(self.summary)}")
        else:
            out.append("  gradebook: none in the backup")
        for old, new in self.moved_aside:
            out.append(f"  what was at {old} is kept, renamed {new}")
        for name, paths in sorted(self.missing.items()):
            if name.startswith("uid "):  # no account had this uid on the old machine either
                out.append(f"  !! {_plural(len(paths), 'item')} belonged to {name}, an account without a name on "
                           "the machine the backup was made on: restored owned by root: " + " ".join(paths))
                continue
            out.append(f"  !! there is no account {name!r} on this machine: {_plural(len(paths), 'item')} of theirs "
                       "were restored owned by root. Once the account exists (the hub creates a trainee's "
                       "account at their first login, the grader's when it starts), give them back with:")
            out.append("       sudo chown -R " + f"{name}: " + " ".join(_quote(p) for p in paths))
        for name, paths in sorted(self.missing_groups.items()):
            out.append(f"  !! there is no group {name!r} on this machine: {_plural(len(paths), 'item')} "
                       "were given root's group instead.")
        return out


def _quote(p: str) -> str:
    import shlex

    return shlex.quote(p)


def _move_aside(path: Path, stamp: str) -> Path:
    aside = path.with_name(f"{path.name}.replaced-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.replaced-{stamp}-{n}")
    os.rename(path, aside)
    return aside


def _remove_empty_tree(path: Path) -> None:
    for root, dirs, _files in os.walk(path, topdown=False):
        for d in dirs:
            os.rmdir(os.path.join(root, d))
    os.rmdir(path)


def restore(archive: str | os.PathLike, settings: Settings, force: bool = False) -> RestoreReport:
    """Restore an archive written by :func:`backup` into ``settings``' course directory and exchange.

    Nothing is touched until the whole archive has been checked. Refuses (``BackupError``) when the
    course directory or the course's exchange folder holds any file, unless ``force``: then each is
    renamed aside, never deleted. The course id of the archive must be ``settings.course``.
    """
    archive = Path(archive)
    manifest = read_archive(archive)  # every checksum, before anything is touched
    if manifest["course_id"] != settings.course:
        raise BackupError(f"the archive holds course {manifest['course_id']!r} but this hub's course is "
                          f"{settings.course!r}: set QIKIT_COURSE_ID={manifest['course_id']} (as the hub "
                          "command does) or give --course; nothing was restored")
    euid = os.geteuid()
    entries = manifest["entries"]
    if euid != 0:
        me = _user(euid)
        others = sorted({e["owner"] for e in entries if e["owner"] != me})
        if others:
            raise BackupError(f"restoring gives files to {', '.join(map(str, others))}: run it as root (sudo); "
                              "nothing was restored")
    targets = {"course": settings.course_dir, "exchange": settings.exchange_course}
    busy = [str(p) for p in targets.values() if has_files(p)]
    if busy and not force:
        raise BackupError(f"{' and '.join(busy)} already hold files; nothing was restored. To replace them, "
                          "run the restore again with --force (what is there now is renamed aside, not deleted)")
    home = settings.course_dir.parent
    if not home.is_dir():
        # Made here, it would be root's and the grader could not use it; made with the wrong mode, the
        # course's solutions would be open to everyone. The hub makes it right: let it.
        raise BackupError(f"the folder {home} that should hold the course directory does not exist: start the "
                          f"hub once with its usual command (it creates the account {settings.grader} and its "
                          "home), or give --course-dir; nothing was restored")
    if not settings.exchange.exists():
        settings.exchange.mkdir(parents=True)
        os.chmod(settings.exchange, 0o1777)  # as the hub makes it: anyone may add, nobody may remove another's

    report = RestoreReport(manifest, settings.course_dir, settings.exchange_course)
    stamp = _utc_now().strftime("%Y%m%dT%H%M%SZ")
    staging = {}
    try:
        for key, target in targets.items():
            staging[key] = Path(tempfile.mkdtemp(prefix=f".{target.name}.restoring-", dir=target.parent))
        for p in sorted(x["path"] for x in entries if x["type"] == "dir"):  # a folder before its contents
            top, _, rest = p.partition("/")
            if rest:
                (staging[top] / rest).mkdir()
        read_archive(archive, extract_to=staging)  # checked again as written: the file may have changed
        _set_owners_and_modes(entries, staging, targets, report)
        if manifest["summary"].get("gradebook"):
            db = staging["course"] / GRADEBOOK
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                ok = con.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                con.close()
            if ok != "ok":
                raise BackupError(f"the gradebook in {archive} fails SQLite's integrity check ({ok}); nothing was restored")
            report.summary = {**gradebook_summary(db)}
            report.summary["assignment_names"] = report.summary.pop("assignments")
            report.summary["assignments"] = len(report.summary["assignment_names"])
        # Everything is in place beside the targets: swap them in.
        for key, target in targets.items():
            if target.exists() or target.is_symlink():
                if has_files(target):
                    report.moved_aside.append((target, _move_aside(target, stamp)))
                else:
                    _remove_empty_tree(target)
            os.rename(staging.pop(key), target)
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    return report


def _set_owners_and_modes(entries: list[dict], staging: dict[str, Path], targets: dict[str, Path],
                          report: RestoreReport) -> None:
    """chown by account name (root when the account is missing), then chmod (chown clears set-id bits)."""
    root_of_missing: dict[str, set[str]] = {}
    for e in sorted(entries, key=lambda x: x["path"].count("/"), reverse=True):  # contents before folders
        top, _, rest = e["path"].partition("/")
        path = staging[top] / rest if rest else staging[top]
        try:
            uid = pwd.getpwnam(e["owner"]).pw_uid if e["owner"] else None
        except KeyError:
            uid = None
        try:
            gid = grp.getgrnam(e["group"]).gr_gid if e["group"] else None
        except KeyError:
            gid = None
        if uid is None:
            root_of_missing.setdefault(str(e["owner"] or f"uid {e['uid']}"), set()).add(e["path"])
        if gid is None:
            report.missing_groups.setdefault(str(e["group"] or f"gid {e['gid']}"), []).append(e["path"])
        if os.geteuid() == 0:
            os.chown(path, 0 if uid is None else uid, 0 if gid is None else gid, follow_symlinks=False)
        os.chmod(path, int(e["mode"], 8))
    # Report only the top-most paths of each missing owner (a folder stands for what is inside it).
    for name, paths in root_of_missing.items():
        tops = sorted(p for p in paths if str(PurePosixPath(p).parent) not in paths)
        real = []
        for p in tops:
            top, _, rest = p.partition("/")
            real.append(str(targets[top] / rest) if rest else str(targets[top]))
        report.missing[name] = real
