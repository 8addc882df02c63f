"""A notebooks-only copy of the course for course links (nbgitpuller): never the grader's materials.

A course link clones a whole git repository into every trainee's home. Pointed at the course's own
repository it would hand every trainee ``assignments/source/`` (solutions, hidden tests), the rubrics,
the tests' answer banks and the history that holds all of them. :func:`publish` writes a separate git
repository holding only the notebooks folder (the notebooks and their data), for the college to push
where the hub can clone it, and refuses, naming the file, anything that looks like grading material:

* only files under ``notebooks/`` are copied (those git tracks, when the source is a git clone, so
  stray local files and checkpoints stay behind), never a symbolic link;
* a notebook with nbgrader's grading metadata or a solution or hidden-test marker, and any gradebook
  or database file, stops the publish before anything is written;
* the destination is a git repository of its own (new history: nothing of the course's history
  comes along), made by this command; an existing folder is only updated when an earlier publish made it.

Standard library and the ``git`` command only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import QIError

__all__ = ["PublishError", "PublishReport", "publish"]

MARKER = ".qikit-published"
#: Text that only grading material contains (nbgrader's markers, split so this file is not flagged).
FORBIDDEN_TEXT = tuple("".join(parts) for parts in (
    ("BEGIN ", "SOLUTION"), ("END ", "SOLUTION"), ("BEGIN ", "HIDDEN TESTS"), ("END ", "HIDDEN TESTS"),
    ("BEGIN ", "MARK SCHEME"), ("BEGIN ", "RUBRIC")))
FORBIDDEN_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db-journal")
#: Folders of the course repository that must never be published (checked again on every copied path).
FORBIDDEN_PARTS = ("assignments", "rubrics", "tests", "source", "autograded", "submitted", "feedback",
                   "gradebook", ".git", ".ipynb_checkpoints")


class PublishError(QIError, ValueError):
    """The copy cannot be published safely or at all; the message names the file and says why."""


@dataclass
class PublishReport:
    dest: Path
    files: list[str] = field(default_factory=list)
    commit: str = ""
    changed: bool = True

    def lines(self) -> list[str]:
        notebooks = sum(1 for f in self.files if f.endswith(".ipynb"))
        state = f"committed {self.commit[:12]}" if self.changed else "no change since the last publish"
        return [f"Published {notebooks} notebooks and {len(self.files) - notebooks} other files to {self.dest} "
                f"({state}).",
                "Push it where the hub can clone it (git -C DEST push), then make the links with "
                "`qikit course links --repo <its address> --root DEST`."]


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "qikit course publish"),
           "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "qikit@localhost"),
           "GIT_COMMITTER_NAME": os.environ.get("GIT_COMMITTER_NAME", "qikit course publish"),
           "GIT_COMMITTER_EMAIL": os.environ.get("GIT_COMMITTER_EMAIL", "qikit@localhost")}
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
    if r.returncode != 0:
        raise PublishError(f"git {' '.join(args)} failed in {cwd}: {(r.stderr or r.stdout).strip()}")
    return r.stdout


def _source_files(root: Path, folder: PurePosixPath) -> list[PurePosixPath]:
    """The files to publish, relative to ``root``: git's tracked files under ``folder`` in a clone, else
    every file under it except hidden ones and checkpoints."""
    top = root / folder
    if not top.is_dir():
        raise PublishError(f"there is no folder {str(folder)!r} in {root}: run this from the course's clone "
                           "or give --root")
    if shutil.which("git") and (root / ".git").exists():
        out = _git("ls-files", "-z", "--", str(folder), cwd=root)
        return sorted(PurePosixPath(p) for p in out.split("\0") if p)
    files = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        # A link to a folder is listed with the files, to be refused (os.walk would not enter it).
        filenames += [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames):
            if not name.startswith("."):
                files.append(PurePosixPath(Path(dirpath, name).relative_to(root).as_posix()))
    return files


def _problem(root: Path, rel: PurePosixPath) -> str | None:
    """Why ``rel`` must not be published, or None."""
    path = root / rel
    lowered = [p.lower() for p in rel.parts[1:]]
    for part in lowered:
        if part in FORBIDDEN_PARTS or part.startswith("gradebook"):
            return f"its folder or name ({part!r}) is one of the grader's"
    if path.is_symlink():
        return f"it is a symbolic link (to {os.readlink(path)}); copy the file itself if it belongs to the course"
    if not path.is_file():
        return "it is not a regular file"
    if rel.suffix.lower() in FORBIDDEN_SUFFIXES:
        return "it is a database file (a gradebook?)"
    if rel.suffix.lower() in (".ipynb", ".py", ".md", ".txt", ".csv", ".json", ".yml", ".yaml", ".html"):
        text = path.read_text(errors="replace")
        for marker in FORBIDDEN_TEXT:
            if marker in text:
                return f"it contains nbgrader's marker '{marker}' (a solution, hidden test or rubric)"
        if rel.suffix.lower() == ".ipynb":
            try:
                nb = json.loads(text)
            except ValueError:
                return "it is not a readable notebook"
            for i, cell in enumerate(nb.get("cells", []), 1):
                grading = cell.get("metadata", {}).get("nbgrader", {})
                if grading.get("solution") or grading.get("grade") or grading.get("task"):
                    return f"cell {i} carries nbgrader's grading metadata (an assignment's source?)"
    return None


def publish(dest: str | os.PathLike, root: str | os.PathLike | None = None,
            notebooks_dir: str = "notebooks") -> PublishReport:
    """Write (or update) the notebooks-only git repository ``dest`` from the course clone ``root``.

    Parameters
    ----------
    dest : path
        The repository to write: a new or empty folder, or one an earlier publish made (it holds
        ``.qikit-published``). Must be outside ``root``.
    root : path, optional
        The course's clone; the current folder when omitted.
    notebooks_dir : str
        The folder copied, relative to ``root``.

    Returns
    -------
    PublishReport
        The files published (relative paths) and the commit made (none when nothing changed).

    Raises
    ------
    PublishError
        Before anything is written, naming the file: grading material among the notebooks, a symbolic
        link, a destination inside the course or not made by this command.
    """
    root = Path(root or Path.cwd()).resolve()
    dest = Path(dest).resolve()
    if dest == root or dest.is_relative_to(root):
        raise PublishError(f"the destination {dest} is inside the course's clone {root}: give a folder outside it "
                           "(nbgitpuller clones the whole repository it is given)")
    folder = PurePosixPath(Path(notebooks_dir).as_posix())
    if folder.is_absolute() or ".." in folder.parts or not folder.parts:
        raise PublishError(f"the notebooks folder {notebooks_dir!r} must be a folder inside the course")
    files = _source_files(root, folder)
    if not any(f.suffix == ".ipynb" for f in files):
        raise PublishError(f"{root / folder} holds no notebooks to publish")
    problems = [(f, p) for f in files if (p := _problem(root, f))]
    if problems:
        listed = "; ".join(f"{f}: {p}" for f, p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise PublishError(f"nothing was published: {listed}{more}")
    if dest.exists() and any(dest.iterdir()) and not (dest / MARKER).is_file():
        raise PublishError(f"{dest} already holds files that no earlier `qikit course publish` wrote: give a new or "
                           "empty folder")
    if not shutil.which("git"):
        raise PublishError("git is not installed: the published copy is a git repository for nbgitpuller")

    dest.mkdir(parents=True, exist_ok=True)
    if not (dest / ".git").exists():
        _git("init", "--quiet", "--initial-branch=main", cwd=dest)
    # Replace the published folder as a whole: files removed from the course disappear here too.
    if (dest / folder).exists():
        shutil.rmtree(dest / folder)
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, target)
    (dest / MARKER).write_text(
        "Written by `qikit course publish` from the course's clone: the notebooks and their data only.\n"
        "Do not add assignments, rubrics or tests here: every trainee's course link clones this repository.\n")
    _git("add", "--all", ".", cwd=dest)
    changed = bool(_git("status", "--porcelain", cwd=dest).strip())
    if changed:
        from .. import __version__

        _git("commit", "--quiet", "-m", f"Course notebooks published by qikit {__version__}", cwd=dest)
    commit = _git("rev-parse", "HEAD", cwd=dest).strip()
    tracked = sorted(p for p in _git("ls-files", "-z", cwd=dest).split("\0") if p)
    leaked = [p for p in tracked if p != MARKER and _problem(dest, PurePosixPath(p))]
    if leaked:  # a second look at what was committed, against the same rules
        raise PublishError(f"the published repository holds grading material: {', '.join(leaked)}")
    return PublishReport(dest, [p for p in tracked if p != MARKER], commit, changed)
