"""nbgrader's collect step, refusing any submission whose files do not belong to the student it names.

nbgrader's exchange (``<exchange>/<course>/inbound``) is a folder every student may write into. A
submission is a folder named ``<student>+<assignment>+<time>+<random>``: the name alone says whose it
is. Stock ``nbgrader collect`` only logs a warning when the folder belongs to someone else and then
collects it, so a student who writes ``ben+a1+<a later time>+x`` has their work graded as ben's
(and, being the latest, it replaces ben's own). Each submitted folder is also left world-writable
by ``nbgrader submit`` (so the instructor can delete it), so a student who knows the name of another's
submission can replace files inside it.

:class:`OwnerCheckedCollect` accepts a submission only when the folder and everything in it belongs
to the Unix account of the student it names, and contains no symbolic link (which would make the
grader copy a file the student cannot read themselves). Anything else is refused before the latest
submission of each student is chosen, so a forgery never hides a genuine submission. Refused
submissions are left where they are (a refused folder may be unreadable to the grader), listed
in ``<course directory>/refused_submissions.csv`` with who owns what, and reported in the log by
name, as an error.

Use it in the grader's ``nbgrader_config.py``::

    c.ExchangeFactory.collect = "qikit.hosting.collect.OwnerCheckedCollect"
"""

from __future__ import annotations

import csv
import datetime
import glob
import os
import pwd
import stat

from nbgrader.exchange.default.collect import ExchangeCollect

REPORT = "refused_submissions.csv"


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def ownership_problem(path: str, student: str) -> str | None:
    """Why the submission folder ``path`` cannot be ``student``'s, or None if every entry is theirs.

    Parameters
    ----------
    path : str
        A submission folder in ``inbound/``.
    student : str
        The student its name claims.

    Returns
    -------
    str or None
        A sentence naming the first entry that is not the student's (its path inside the submission
        and its owner), a symbolic link, or a student with no account.
    """
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        return f"there is no account named {student!r} on this machine"

    def check(entry: str) -> str | None:
        try:
            st = os.lstat(entry)
        except OSError as e:
            return f"{os.path.relpath(entry, path)} cannot be read ({e.strerror})"
        rel = os.path.relpath(entry, path)
        rel = "the folder itself" if rel == "." else rel
        if stat.S_ISLNK(st.st_mode):
            return f"{rel} is a symbolic link"
        if st.st_uid != uid:
            return f"{rel} belongs to {_owner_name(st.st_uid)}, not {student}"
        return None

    problem = check(path)
    if problem:
        return problem
    errors: list[str] = []
    for dirpath, dirnames, filenames in os.walk(path, onerror=lambda e: errors.append(str(e))):
        for name in sorted(dirnames) + sorted(filenames):
            problem = check(os.path.join(dirpath, name))
            if problem:
                return problem
    if errors:
        return f"part of the submission cannot be read by the grader ({errors[0]})"
    return None


def trainee_inbounds(patterns: str | None = None) -> list[str]:
    """The ``inbound`` folders on trainees' own disks (the one-machine hub's ``qikit_hub_disk.py``), from
    ``patterns``: glob patterns separated by ``os.pathsep``, by default ``$QIKIT_TRAINEE_INBOUNDS``, which
    the hub gives its grader."""
    if patterns is None:
        patterns = os.environ.get("QIKIT_TRAINEE_INBOUNDS", "")
    return sorted({p for pattern in patterns.split(os.pathsep) if pattern for p in glob.glob(pattern)
                   if os.path.isdir(p)})


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that refuses submissions not owned by the student they name, and also collects
    from the ``inbound`` on each trainee's own disk when the hub gives trainees disks of their own."""

    def init_src(self):
        super().init_src()  # checks the course, reads the due date
        student_id = self.coursedir.student_id or "*"
        name = f"{student_id}+{self.coursedir.assignment_id}+*"
        folders = sorted({f for inbound in [self.inbound_path, *trainee_inbounds()]
                          for f in glob.glob(os.path.join(inbound, name))})
        records, refused = [], []
        for folder in folders:
            rec = self._path_to_record(folder)
            # The whole path: nbgrader's copy joins it to inbound_path, which keeps an absolute path as is.
            rec["filename"] = folder
            problem = ownership_problem(folder, rec["username"])
            if problem:
                refused.append((rec, problem))
            else:
                records.append(rec)
        # Chosen from the genuine submissions only: a forged later one must not hide the real one.
        by_student: dict[str, list[dict]] = {}
        for rec in records:
            by_student.setdefault(rec["username"], []).append(rec)
        chosen = []
        for recs in by_student.values():
            recs = self._sort_by_timestamp(recs)
            if self.duedate is not None and self.before_duedate:
                before = [r for r in recs if r["timestamp"] <= self.duedate]
                recs = before or recs
            chosen.append(recs[0])
        self.src_records = chosen
        if refused:
            self._report(refused)

    def _report(self, refused) -> None:
        root = self.coursedir.root
        path = os.path.join(root, REPORT)
        new = not os.path.exists(path)
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        with open(path, "a", newline="") as f:
            out = csv.writer(f)
            if new:
                out.writerow(["checked_at", "assignment", "claimed_student", "inbound_folder", "reason"])
            for rec, problem in refused:
                out.writerow([now, self.coursedir.assignment_id, rec["username"], self._shown(rec), problem])
        for rec, problem in refused:
            self.log.error(
                "REFUSED submission %s: it names %s, but %s. It was not collected and is left in the "
                "exchange for you to look at; the refusals are listed in %s.",
                self._shown(rec), rec["username"], problem, path)

    def _shown(self, rec) -> str:
        """``inbound/<name>`` for the exchange's own inbound, the whole path for a trainee's disk."""
        folder = rec["filename"]
        if os.path.dirname(folder) == self.inbound_path.rstrip(os.sep):
            return f"inbound/{os.path.basename(folder)}"
        return folder
