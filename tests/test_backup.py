"""qikit course backup / restore (qikit/hosting/backup.py) on a temporary course, exchange and a real
nbgrader gradebook, written through nbgrader's own Gradebook API.

Round trip: every file comes back with the same bytes, mode and owner name (including inbound's 2733
and feedback's 711), and the gradebook holds the same grades and comments as nbgrader reads them.
Adversarial: a crash while writing leaves no archive; damaged, truncated, tampered or newer-schema
archives are refused with nothing touched; an existing course is never overwritten without --force,
and with it is kept aside; owners are matched by name, and a missing account never gets its files
through an old uid.
"""

from __future__ import annotations

import grp
import gzip
import hashlib
import io
import json
import os
import pwd
import stat
import tarfile
from pathlib import Path

import pytest

from qikit.errors import QIError
from qikit.hosting import backup as bk

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")

COURSE = "qkcourse"
STUDENTS = {"ann": (2.0, "Use every stay."), "ben": (0.5, "Check the hidden cases: a mean uses every value.")}
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="restoring owners needs root")


def _account(name: str) -> pwd.struct_passwd:
    return pwd.getpwnam(name)


# Accounts every Debian machine has, standing in for a grader and a trainee (no account is created).
GRADER, TRAINEE = "daemon", "nobody"


def make_gradebook(db: Path) -> None:
    """An nbgrader gradebook with one assignment, two students, their grades and comments."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}", course_id=COURSE) as gb:
        gb.add_assignment("ps1")
        gb.add_notebook("ps1", "ps1")
        gb.add_grade_cell("test_mean_los", "ps1", "ps1", max_score=2, cell_type="code")
        gb.add_solution_cell("mean_los", "ps1", "ps1")
        gb.add_source_cell("mean_los", "ps1", "ps1", cell_type="code", source="def mean_los(days): ...")
        for student, (score, comment) in STUDENTS.items():
            gb.add_student(student, first_name=student.title(), last_name="Smith")
            gb.add_submission("ps1", student)
            grade = gb.find_grade("test_mean_los", "ps1", "ps1", student)
            grade.auto_score = 2.0
            grade.manual_score = score
            remark = gb.find_comment("mean_los", "ps1", "ps1", student)
            remark.manual_comment = comment
        gb.db.commit()


def gradebook_contents(db: Path) -> dict:
    """Every grade and comment as nbgrader's Gradebook API reads them."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{db}", course_id=COURSE) as gb:
        for student in gb.students:
            for sub in gb.assignment_submissions("ps1"):
                if sub.student.id != student.id:
                    continue
                nb = sub.notebooks[0]
                out[student.id] = {
                    "name": (student.first_name, student.last_name),
                    "grades": sorted((g.name, g.auto_score, g.manual_score, g.score, g.max_score) for g in nb.grades),
                    "comments": sorted((c.name, c.auto_comment, c.manual_comment) for c in nb.comments),
                    "timestamp": sub.timestamp,
                }
    return out


def _write(path: Path, text: str, mode: int, owner: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)
    if owner and os.geteuid() == 0:
        a = _account(owner)
        os.chown(path, a.pw_uid, a.pw_gid)


def _mkdir(path: Path, mode: int, owner: str | None = None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    if owner and os.geteuid() == 0:
        a = _account(owner)
        os.chown(path, a.pw_uid, a.pw_gid)
    os.chmod(path, mode)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """One gradebook made by nbgrader (creating one takes seconds), copied into each test's course."""
    db = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    make_gradebook(db)
    return db


@pytest.fixture
def course(tmp_path, graded):
    """A graded course: course directory, gradebook, and the exchange's course folder as the hub makes it."""
    course_dir, exchange = tmp_path / "grader" / COURSE, tmp_path / "exchange"
    _mkdir(tmp_path / "grader", 0o700, GRADER)
    _mkdir(course_dir, 0o755, GRADER)
    _write(course_dir / "nbgrader_config.py", "c = get_config()\n", 0o644, GRADER)
    _write(course_dir / "source" / "ps1" / "ps1.ipynb", '{"cells": ["### BEGIN SOLUTION"]}', 0o600, GRADER)
    _write(course_dir / "release" / "ps1" / "ps1.ipynb", '{"cells": []}', 0o644, GRADER)
    _write(course_dir / "rubrics" / "ps1.md", "Full marks when every stay is used.\n", 0o640, GRADER)
    for student in STUDENTS:
        _write(course_dir / "submitted" / student / "ps1" / "ps1.ipynb", f'{{"who": "{student}"}}', 0o644, GRADER)
        _write(course_dir / "autograded" / student / "ps1" / "ps1.ipynb", f'{{"graded": "{student}"}}', 0o444, GRADER)
        _write(course_dir / "feedback" / student / "ps1" / "ps1.html", f"<h4>{student}</h4>", 0o644, GRADER)
    _write(course_dir / "empty-notes.txt", "", 0o600, GRADER)
    _mkdir(course_dir / "an-empty-folder", 0o750, GRADER)
    (course_dir / "gradebook.db").write_bytes(graded.read_bytes())
    if os.geteuid() == 0:
        a = _account(GRADER)
        os.chown(course_dir / "gradebook.db", a.pw_uid, a.pw_gid)
    os.chmod(course_dir / "gradebook.db", 0o644)

    _mkdir(exchange, 0o1777)
    ex = exchange / COURSE
    _mkdir(ex, 0o755, GRADER)
    _mkdir(ex / "outbound", 0o755, GRADER)
    _mkdir(ex / "inbound", 0o2733, GRADER)
    _mkdir(ex / "feedback", 0o711, GRADER)
    _write(ex / "outbound" / "ps1" / "ps1.ipynb", '{"cells": []}', 0o644, GRADER)
    sub = ex / "inbound" / f"ann+ps1+2026-12-01 09:00:00.000000 UTC+{'a' * 12}"
    _mkdir(sub, 0o777, TRAINEE)
    _write(sub / "ps1.ipynb", '{"who": "ann"}', 0o644, TRAINEE)
    _write(sub / "timestamp.txt", "2026-12-01 09:00:00.000000 UTC", 0o644, TRAINEE)
    _write(ex / "feedback" / ("0123456789abcdef" * 2 + ".html"), "<h4>(Score: 2.0 / 2.0)</h4>", 0o644, GRADER)
    settings = bk.Settings(course=COURSE, exchange=exchange, course_dir=course_dir, backup_dir=tmp_path / "backups")
    return settings


def snapshot(settings: bk.Settings) -> dict:
    """Every entry of the course directory (gradebook apart) and exchange folder: type, mode, owner, bytes."""
    out = {}
    for label, top in (("course", settings.course_dir), ("exchange", settings.exchange_course)):
        for root, dirs, files in os.walk(top):
            for name in ["", *dirs, *files]:
                p = Path(root) / name
                if p.name in {"gradebook.db", "gradebook.db-journal"} and p.parent == settings.course_dir:
                    continue
                st = os.lstat(p)
                key = f"{label}/{p.relative_to(top).as_posix()}"
                digest = hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else None
                out[key] = (stat.S_IFMT(st.st_mode), oct(stat.S_IMODE(st.st_mode)), pwd.getpwuid(st.st_uid).pw_name,
                            grp.getgrgid(st.st_gid).gr_name, digest)
    return out


def wipe(settings: bk.Settings) -> None:
    import shutil

    shutil.rmtree(settings.course_dir)
    shutil.rmtree(settings.exchange_course)


# --- round trip -----------------------------------------------------------------------------------
@needs_root
def test_round_trip_gives_back_every_byte_mode_owner_grade_and_comment(course):
    before, grades_before = snapshot(course), gradebook_contents(course.course_dir / "gradebook.db")
    assert grades_before["ben"]["comments"][0][2] == STUDENTS["ben"][1]  # the fixture holds what we think
    report = bk.backup(course)
    archive = report.archive
    assert archive.parent == course.backup_dir and archive.name.startswith(f"{COURSE}-")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600 and archive.stat().st_uid == 0
    assert [p.name for p in archive.parent.iterdir()] == [archive.name]  # no temporary file left

    wipe(course)
    out = bk.restore(archive, course)
    assert snapshot(course) == before
    assert gradebook_contents(course.course_dir / "gradebook.db") == grades_before
    db = course.course_dir / "gradebook.db"
    assert (oct(stat.S_IMODE(db.stat().st_mode)), pwd.getpwuid(db.stat().st_uid).pw_name) == ("0o644", GRADER)
    # The security-relevant modes, spelt out.
    ex = course.exchange_course
    assert {d: oct(stat.S_IMODE((ex / d).stat().st_mode)) for d in ("inbound", "feedback", "outbound")} == {
        "inbound": "0o2733", "feedback": "0o711", "outbound": "0o755"}
    assert out.missing == {} and out.moved_aside == []
    text = "\n".join(out.lines())
    assert "1 assignment (ps1), 2 students, 2 submissions, 2 grades, 2 comments" in text


@needs_root
def test_submissions_on_trainees_own_disks_are_saved_and_come_back_in_inbound(course, tmp_path):
    """On the hub, submissions wait in the ``inbound`` of each trainee's own disk (qikit_hub_disk.py, mounted at
    ``<state>/disk/mnt/<name>/inbound``): the backup finds them through QIKIT_HUB_STATE and the restore puts
    them in the exchange's inbound, where collect reads them too."""
    import dataclasses

    state = tmp_path / "state"
    own = state / "disk" / "mnt" / TRAINEE / "inbound"
    _mkdir(state / "disk" / "mnt" / TRAINEE, 0o750)
    _mkdir(own, 0o2733, GRADER)
    sub = own / f"{TRAINEE}+ps1+2026-12-02 10:00:00.000000 UTC+{'b' * 12}"
    _mkdir(sub, 0o777, TRAINEE)
    _write(sub / "ps1.ipynb", '{"who": "ann, on her own disk"}', 0o644, TRAINEE)
    found = bk.settings_from_env({"QIKIT_HUB_STATE": str(state), "QIKIT_COURSE_ID": COURSE,
                                  "QIKIT_COURSE_DIR": str(course.course_dir), "QIKIT_EXCHANGE": str(course.exchange)})
    assert found.trainee_inbounds == (own,)
    settings = dataclasses.replace(course, trainee_inbounds=found.trainee_inbounds)
    archive = bk.backup(settings).archive
    wipe(settings)
    bk.restore(archive, settings)
    back = settings.exchange_course / "inbound" / sub.name / "ps1.ipynb"
    assert back.read_text() == '{"who": "ann, on her own disk"}'
    assert pwd.getpwuid(back.stat().st_uid).pw_name == TRAINEE
    # the exchange's own waiting submission is there too, once
    assert len(list((settings.exchange_course / "inbound").iterdir())) == 2


@needs_root
def test_manifest_lists_every_member_with_its_checksum(course):
    archive = bk.backup(course).archive
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        data = {m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest() for m in tar if m.name != "manifest.json"}
    assert names[-1] == "manifest.json"
    assert manifest["schema"] == bk.SCHEMA and manifest["course_id"] == COURSE
    from qikit import __version__

    assert manifest["qikit_version"] == __version__ and manifest["created"].endswith("Z")
    files = {e["path"]: e["sha256"] for e in manifest["entries"] if e["type"] == "file"}
    assert files == data
    assert "course/gradebook.db" in files and "exchange/inbound" not in files
    inbound = next(e for e in manifest["entries"] if e["path"] == "exchange/inbound")
    assert (inbound["mode"], inbound["owner"]) == ("2733", GRADER)
    summary = manifest["summary"]
    assert (summary["assignments"], summary["students"], summary["submissions"], summary["grades"]) == (1, 2, 2, 2)


def test_gradebook_copy_is_consistent_while_a_writer_holds_it(course, tmp_path):
    """The online backup API copies a committed state; an open transaction of the formgrader is not in it."""
    import sqlite3

    db = course.course_dir / "gradebook.db"
    writer = sqlite3.connect(db)
    writer.execute("BEGIN")
    writer.execute("UPDATE grade SET manual_score = 99")  # uncommitted: not in a consistent copy
    try:
        bk._copy_gradebook(db, tmp_path / "copy.db")
    finally:
        writer.rollback()
        writer.close()
    copy = sqlite3.connect(tmp_path / "copy.db")
    scores = sorted(r[0] for r in copy.execute("SELECT manual_score FROM grade"))
    copy.close()
    assert scores == sorted(s for s, _ in STUDENTS.values())


# --- atomic writing -------------------------------------------------------------------------------
def test_a_crash_while_writing_leaves_no_archive(course, monkeypatch):
    real, calls = bk._add_member, []

    def crash_on_fifth(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 5:
            raise KeyboardInterrupt("the machine went down")
        return real(*args, **kwargs)

    monkeypatch.setattr(bk, "_add_member", crash_on_fifth)
    with pytest.raises(KeyboardInterrupt):
        bk.backup(course)
    assert len(calls) == 5
    assert list(course.backup_dir.iterdir()) == []  # neither an archive nor a partial file


def test_a_process_killed_while_writing_leaves_no_archive(course, tmp_path):
    """A real crash: the backup process is killed (SIGKILL, no clean-up) half-way through the archive."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from qikit.hosting import backup as bk
        real, n = bk._add_member, [0]
        def add(*args, **kwargs):
            n[0] += 1
            if n[0] == 6:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        bk._add_member = add
        bk.backup(bk.Settings(course={COURSE!r}, exchange=Path({str(course.exchange)!r}),
                              course_dir=Path({str(course.course_dir)!r}), backup_dir=Path({str(course.backup_dir)!r})))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == -9, out.stderr
    left = list(course.backup_dir.iterdir())
    assert [p for p in left if p.name.endswith(".tar.gz")] == []  # no archive under an archive's name
    [partial] = left  # only the hidden temporary file, which restore refuses
    assert partial.name.startswith(".") and partial.name.endswith(".partial")
    assert stat.S_IMODE(partial.stat().st_mode) == 0o600
    with pytest.raises(bk.BackupError, match="damaged or incomplete"):
        bk.restore(partial, course, force=True)
    assert bk.backup(course).archive.is_file()  # and the next backup is not disturbed by it


def test_an_archive_is_never_overwritten(course):
    target = course.backup_dir / "nightly.tar.gz"
    bk.backup(course, target)
    first = target.read_bytes()
    with pytest.raises(bk.BackupError, match="never overwritten"):
        bk.backup(course, target)
    assert target.read_bytes() == first


def test_backup_names_what_is_missing(course, tmp_path):
    wrong = bk.Settings(course=COURSE, exchange=tmp_path / "nowhere", course_dir=course.course_dir,
                        backup_dir=course.backup_dir)
    with pytest.raises(bk.BackupError, match="exchange folder of the course .*nowhere/qkcourse does not exist"):
        bk.backup(wrong)
    assert not course.backup_dir.exists() or list(course.backup_dir.iterdir()) == []


# --- refusing bad archives, touching nothing -------------------------------------------------------
def _refused(course, archive, match: str) -> None:
    before = snapshot(course)
    with pytest.raises(bk.BackupError, match=match) as e:
        bk.restore(archive, course, force=True)
    assert isinstance(e.value, QIError)
    assert snapshot(course) == before  # nothing touched, even with --force
    assert sorted(p.name for p in course.course_dir.parent.iterdir()) == [COURSE]  # no staging folder left


def test_truncated_archive_is_refused(course, tmp_path):
    data = bk.backup(course).archive.read_bytes()
    for cut in (len(data) // 2, len(data) - 40, 100):
        bad = tmp_path / f"cut-{cut}.tar.gz"
        bad.write_bytes(data[:cut])
        _refused(course, bad, "damaged or incomplete")


def test_flipped_byte_is_refused(course, tmp_path):
    data = bytearray(bk.backup(course).archive.read_bytes())
    data[len(data) // 3] ^= 0xFF
    bad = tmp_path / "flipped.tar.gz"
    bad.write_bytes(bytes(data))
    _refused(course, bad, "damaged or incomplete")


def _rewrite(archive: Path, dest: Path, change) -> Path:
    """A well-formed archive whose members or manifest were changed by ``change(name, bytes)``."""
    with tarfile.open(archive) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar]
    with tarfile.open(dest, "w:gz") as out:
        for name, data in members:
            data = change(name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


def test_member_that_does_not_match_its_checksum_is_refused(course, tmp_path):
    archive = bk.backup(course).archive

    def tamper(name, data):
        return b'{"cells": ["graded by someone else"]}' if name == "course/autograded/ben/ps1/ps1.ipynb" else data

    _refused(course, _rewrite(archive, tmp_path / "tampered.tar.gz", tamper),
             "course/autograded/ben/ps1/ps1.ipynb does not match its checksum")


def test_newer_schema_is_refused(course, tmp_path):
    archive = bk.backup(course).archive

    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["schema"] = bk.SCHEMA + 1
        return json.dumps(manifest).encode()

    _refused(course, _rewrite(archive, tmp_path / "newer.tar.gz", newer), "written by a newer qikit")


@pytest.mark.parametrize("evil", ["../../etc/cron.d/x", "/etc/passwd", "course/../../x", "elsewhere/x"])
def test_manifest_paths_outside_the_course_are_refused(course, tmp_path, evil):
    archive = bk.backup(course).archive

    def escape(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["entries"].append({"path": evil, "type": "dir", "mode": "0755", "owner": "root",
                                        "group": "root", "uid": 0, "gid": 0})
            return json.dumps(manifest).encode()
        return data

    _refused(course, _rewrite(archive, tmp_path / "evil.tar.gz", escape), "cannot be restored safely")


def test_not_an_archive_is_refused(course, tmp_path):
    bad = tmp_path / "notes.tar.gz"
    bad.write_bytes(gzip.compress(b"just some text, not a tar file" * 40))
    _refused(course, bad, "damaged or incomplete")
    with pytest.raises(bk.BackupError, match="there is no backup archive"):
        bk.restore(tmp_path / "missing.tar.gz", course)


def test_missing_home_of_the_course_directory_is_not_made_up(course, tmp_path):
    """The grader's home must come from the hub (owner, mode 700): restore never invents it."""
    archive = bk.backup(course).archive
    elsewhere = bk.Settings(course=COURSE, exchange=tmp_path / "new-exchange",
                            course_dir=tmp_path / "no-such-home" / COURSE, backup_dir=course.backup_dir)
    with pytest.raises(bk.BackupError, match="no-such-home that should hold the course directory does not exist"):
        bk.restore(archive, elsewhere)
    assert not (tmp_path / "no-such-home").exists() and not (tmp_path / "new-exchange").exists()


def test_archive_of_another_course_is_refused(course):
    archive = bk.backup(course).archive
    other = bk.Settings(course="othercourse", exchange=course.exchange, course_dir=course.course_dir,
                        backup_dir=course.backup_dir)
    _refused(other, archive, "holds course 'qkcourse' but this hub's course is 'othercourse'")


# --- never overwriting without --force -------------------------------------------------------------
@needs_root
def test_existing_course_is_not_overwritten_without_force(course, tmp_path):
    archive = bk.backup(course).archive
    (course.course_dir / "source" / "ps2.ipynb").write_text("work done since the backup")
    before = snapshot(course)
    with pytest.raises(bk.BackupError, match="already hold files.*--force"):
        bk.restore(archive, course)
    assert snapshot(course) == before

    report = bk.restore(archive, course, force=True)  # with --force: restored, and the newer work kept aside
    assert not (course.course_dir / "source" / "ps2.ipynb").exists()
    [(old, aside)] = [m for m in report.moved_aside if m[0] == course.course_dir]
    assert (aside / "source" / "ps2.ipynb").read_text() == "work done since the backup"
    assert aside.name.startswith(f"{COURSE}.replaced-")


@needs_root
def test_empty_folders_made_by_a_fresh_hub_are_replaced_without_force(course):
    """A fresh hub makes the exchange's empty outbound/inbound/feedback: that is not a course to protect."""
    archive = bk.backup(course).archive
    before = snapshot(course)
    wipe(course)
    for d in ("outbound", "inbound", "feedback"):
        (course.exchange_course / d).mkdir(parents=True)
    bk.restore(archive, course)
    assert snapshot(course) == before


# --- owners by name --------------------------------------------------------------------------------
@needs_root
def test_owners_are_matched_by_name_not_uid(course, monkeypatch):
    """On a new machine the trainee's account has another uid: the files follow the name."""
    archive = bk.backup(course).archive
    wipe(course)
    real = pwd.getpwnam
    moved = real("bin")  # the trainee's account, as this machine numbers it

    def new_machine(name):
        return moved if name == TRAINEE else real(name)

    monkeypatch.setattr(bk.pwd, "getpwnam", new_machine)
    bk.restore(archive, course)
    sub = next((course.exchange_course / "inbound").iterdir())
    assert {os.lstat(p).st_uid for p in [sub, *sub.iterdir()]} == {moved.pw_uid}
    assert (course.exchange_course / "inbound").stat().st_uid == real(GRADER).pw_uid


@needs_root
def test_missing_account_gets_nothing_through_its_old_uid(course, monkeypatch, capsys):
    archive = bk.backup(course).archive
    wipe(course)
    real = pwd.getpwnam

    def gone(name):
        if name == TRAINEE:
            raise KeyError(name)
        return real(name)

    monkeypatch.setattr(bk.pwd, "getpwnam", gone)
    report = bk.restore(archive, course)
    sub = next((course.exchange_course / "inbound").iterdir())
    assert {os.lstat(p).st_uid for p in [sub, *sub.iterdir()]} == {0}  # root's, not the old uid's
    assert report.missing == {TRAINEE: [str(sub)]}
    text = "\n".join(report.lines())
    assert f"there is no account '{TRAINEE}' on this machine" in text
    assert f"sudo chown -R {TRAINEE}: '{sub}'" in text


def test_settings_read_the_hub_environment(tmp_path):
    env = {"QIKIT_COURSE_ID": "qk123", "QIKIT_EXCHANGE": str(tmp_path / "ex"), "QIKIT_HOMES": str(tmp_path / "h"),
           "QIKIT_BACKUP_DIR": str(tmp_path / "b")}
    s = bk.settings_from_env(env)
    assert (s.course, s.exchange_course, s.course_dir, s.backup_dir, s.grader) == (
        "qk123", tmp_path / "ex" / "qk123", tmp_path / "h" / "grader-qk123" / "qk123", tmp_path / "b", "grader-qk123")
    assert bk.settings_from_env({**env, "QIKIT_COURSE_DIR": "/srv/c"}).course_dir == Path("/srv/c")
    assert bk.settings_from_env(env, course_dir="/x", course="other").course_dir == Path("/x")
    defaults = bk.settings_from_env({})
    assert (defaults.course, defaults.exchange, defaults.backup_dir) == (
        "qikit", Path("/srv/nbgrader/exchange"), Path("/var/backups/qikit"))
    with pytest.raises(bk.BackupError, match="course id 'Bad Name'"):
        bk.settings_from_env({"QIKIT_COURSE_ID": "Bad Name"})


@needs_root
def test_file_of_a_uid_without_account_comes_back_as_roots(course):
    """A uid with no name when backed up cannot be matched to anyone later: root keeps it."""
    orphan = course.course_dir / "orphan.txt"
    orphan.write_text("left by a deleted account")
    uid = next(u for u in range(54321, 60000) if not _has_uid(u))
    os.chown(orphan, uid, uid)
    archive = bk.backup(course).archive
    manifest_entry = next(e for e in bk.read_archive(archive)["entries"] if e["path"] == "course/orphan.txt")
    assert (manifest_entry["owner"], manifest_entry["uid"]) == (None, uid)
    wipe(course)
    report = bk.restore(archive, course)
    assert (orphan.stat().st_uid, orphan.read_text()) == (0, "left by a deleted account")
    assert f"belonged to uid {uid}, an account without a name" in "\n".join(report.lines())


def _has_uid(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False
