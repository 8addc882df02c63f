"""Links that put the course into a trainee's JupyterHub server: one click per notebook.

Each link points at the hub's `nbgitpuller <https://nbgitpuller.readthedocs.io>`_ endpoint
(``/hub/user-redirect/git-pull``). When a trainee opens it, the hub logs them in, starts their server,
clones the course repository into their home (or, the next time, merges new material without
overwriting their own edits) and opens the notebook in JupyterLab.

From a clone of the course, ``qikit course links --hub URL --repo URL [--branch main]`` prints one
link per notebook in ``notebooks/``, ready to paste into a virtual learning environment.

``qikit course publish DEST`` writes the notebooks and their data, and nothing else, into a git
repository of their own, the one course links should point at (never the course's own repository,
which holds the solutions): see :mod:`qikit.hosting.publish`.

On the hub's machine, as root, ``qikit course backup`` writes one archive of the course (gradebook,
course directory, the exchange's course folder) and ``qikit course restore ARCHIVE`` brings it back:
see :mod:`qikit.hosting.backup`.

Pure standard library: importing this module loads nothing heavy.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlencode, urlsplit

from .errors import QIError

__all__ = ["CourseLinkError", "links", "main", "backup_main", "restore_main", "publish_main"]

_URL_SCHEMES = {"https", "http", "git", "ssh", "file"}
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:(?!//)\S+$")  # git@github.com:org/course.git


class CourseLinkError(QIError, ValueError):
    """An address, branch or folder given for the course links cannot work; the message says why."""


def _hub_base(hub: str) -> str:
    parts = urlsplit(hub.strip())
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise CourseLinkError(
            f"the hub address {hub!r} must be a web address starting with https:// "
            "(for example https://qi.example.ac.uk)")
    if parts.query or parts.fragment:
        raise CourseLinkError(f"the hub address {hub!r} must not contain '?' or '#': give the hub's own address")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _repo_name(repo: str) -> str:
    """The folder nbgitpuller clones into: the repository's last path part, without '.git'."""
    text = repo.strip()
    if not text or any(ch.isspace() for ch in text):
        raise CourseLinkError(f"the repository address {repo!r} is empty or contains spaces")
    if _SCP_LIKE.match(text):
        path = text.split(":", 1)[1]
    else:
        parts = urlsplit(text)
        if parts.scheme not in _URL_SCHEMES or (parts.scheme != "file" and not parts.netloc):
            raise CourseLinkError(
                f"the repository address {repo!r} is not a git address: use the address you would give "
                "`git clone`, for example https://github.com/your-college/qi-course.git")
        path = parts.path
    name = PurePosixPath(path.rstrip("/")).name
    name = name[:-4] if name.endswith(".git") else name
    if not name or name in {".", ".."}:
        raise CourseLinkError(f"the repository address {repo!r} does not end with a repository name")
    return name


def _check_branch(branch: str) -> str:
    # The parts of git's ref-name rules (git help check-ref-format) that a typing slip breaks.
    if (not branch or branch.startswith(("-", "/")) or branch.endswith((".", "/", ".lock")) or ".." in branch
            or re.search(r"[\s~^:?*\[\\]", branch) or "@{" in branch):
        raise CourseLinkError(f"{branch!r} is not a valid git branch name")
    return branch


def _notebooks(root: Path, notebooks_dir: str) -> list[PurePosixPath]:
    rel = PurePosixPath(Path(notebooks_dir).as_posix())
    if rel.is_absolute() or ".." in rel.parts:
        raise CourseLinkError(f"the notebooks folder {notebooks_dir!r} must be a folder inside the course")
    folder = root / rel
    if not folder.is_dir():
        raise CourseLinkError(f"there is no folder {str(rel)!r} in {root}: run this from the course folder "
                              "(the clone of the course repository) or give its path as root")
    found = sorted(
        PurePosixPath(p.relative_to(folder).as_posix()) for p in folder.rglob("*.ipynb")
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)  # .ipynb_checkpoints
    )
    if not found:
        raise CourseLinkError(f"the folder {str(folder)!r} holds no notebooks (.ipynb files)")
    return found


def links(hub: str, repo: str, branch: str = "main", notebooks_dir: str = "notebooks",
          root: str | Path | None = None) -> list[tuple[str, str]]:
    """One nbgitpuller link per course notebook.

    Parameters
    ----------
    hub : str
        The hub's address, e.g. ``"https://qi.example.ac.uk"`` (a path after the host, for a hub
        served under one, is kept).
    repo : str
        The course repository as ``git clone`` takes it (``https://...``, ``git@host:org/repo.git``).
    branch : str
        The branch trainees receive.
    notebooks_dir : str
        The folder of notebooks, relative to the repository's top.
    root : path, optional
        Where the local clone of the repository is; the current folder when omitted. Only used to
        list the notebooks.

    Returns
    -------
    list of (str, str)
        ``(notebook, url)`` pairs, the notebook's path inside ``notebooks_dir``, in sorted order.
        Each URL clones ``repo`` at ``branch`` into a folder named after the repository (the
        ``targetpath``) and opens the notebook in JupyterLab.

    Raises
    ------
    CourseLinkError
        When the hub or repository address, the branch or the notebooks folder cannot work.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> course = pathlib.Path(tempfile.mkdtemp())
    >>> (course / "notebooks").mkdir()
    >>> _ = (course / "notebooks" / "00-start-here.ipynb").write_text("{}")
    >>> [(name, url)] = links("https://qi.example.ac.uk", "https://github.com/college/qi.git", root=course)
    >>> name
    '00-start-here.ipynb'
    >>> print(url)  # doctest: +NORMALIZE_WHITESPACE
    https://qi.example.ac.uk/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fcollege%2Fqi.git&branch=main&targetpath=qi&urlpath=lab%2Ftree%2Fqi%2Fnotebooks%2F00-start-here.ipynb
    """
    base = _hub_base(hub)
    target = _repo_name(repo)
    branch = _check_branch(branch)
    root = Path.cwd() if root is None else Path(root)
    folder = PurePosixPath(Path(notebooks_dir).as_posix())
    out = []
    for nb in _notebooks(root, notebooks_dir):
        query = urlencode(
            {"repo": repo.strip(), "branch": branch, "targetpath": target,
             "urlpath": f"lab/tree/{PurePosixPath(target, folder, nb)}"},
            quote_via=quote, safe="")
        out.append((str(nb), f"{base}/hub/user-redirect/git-pull?{query}"))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``qikit course links``: print a link per notebook (``--markdown`` for a list to paste).

    Returns the exit status: 0, or 2 with a one-line reason on standard error.
    """
    parser = argparse.ArgumentParser(
        prog="qikit course links",
        description="Print, for every course notebook, a link that pulls the course into a trainee's "
                    "JupyterHub server (nbgitpuller) and opens that notebook.")
    parser.add_argument("--hub", required=True, help="the hub's address, e.g. https://qi.example.ac.uk")
    parser.add_argument("--repo", required=True, help="the course repository, as given to git clone")
    parser.add_argument("--branch", default="main", help="the branch trainees receive (default: main)")
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    parser.add_argument("--root", default=None, help="the local clone of the course (default: this folder)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown list of links")
    args = parser.parse_args(argv)
    try:
        pairs = links(args.hub, args.repo, args.branch, args.notebooks, args.root)
    except CourseLinkError as exc:
        print(f"qikit course links: {exc}", file=sys.stderr)
        return 2
    width = max(len(name) for name, _ in pairs)
    for name, url in pairs:
        if args.markdown:
            print(f"- [{name.removesuffix('.ipynb')}]({url})")
        else:
            print(f"{name:<{width}}  {url}")
    return 0


def _location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", default=None,
                        help="the nbgrader course id (default: $QIKIT_COURSE_ID, else qikit)")
    parser.add_argument("--course-dir", default=None,
                        help="the grader's course directory (default: $QIKIT_COURSE_DIR, else the home of "
                             "grader-<course>, else $QIKIT_HOMES/grader-<course>, then /<course>)")
    parser.add_argument("--exchange", default=None,
                        help="the exchange root (default: $QIKIT_EXCHANGE, else /srv/nbgrader/exchange)")
    parser.add_argument("--homes", default=None, help="parent of the accounts' homes (default: $QIKIT_HOMES, "
                                                      "else /home); only used to find the course directory")


def _option(*flags: str, **how) -> tuple[tuple[str, ...], dict]:
    return flags, how


def _hub_parser(name: str, description: str, *options: tuple[tuple[str, ...], dict]) -> argparse.ArgumentParser:
    """The parser of a course command run on the hub: its own ``options``, then where the course is."""
    parser = argparse.ArgumentParser(prog=f"qikit course {name}", description=f"{description} Run as root "
                                     "with the same QIKIT_ settings as the hub command.")
    for flags, how in options:
        parser.add_argument(*flags, **how)
    _location_options(parser)
    return parser


def _settings(args: argparse.Namespace, backup_dir: str | None = None):
    from .hosting.backup import settings_from_env

    return settings_from_env(course=args.course, exchange=args.exchange, course_dir=args.course_dir,
                             homes=args.homes, backup_dir=backup_dir)


def backup_main(argv: Sequence[str] | None = None) -> int:
    """``qikit course backup``: write one archive of the hub's course; print where and what it holds.

    Returns the exit status: 0, or 2 with a one-line reason on standard error.
    """
    args = _hub_parser(
        "backup",
        "Write one archive (.tar.gz, readable by root only) of the hub's course: the gradebook (copied with "
        "SQLite's online backup, safe while the hub runs), the grader's course directory and the course's "
        "folder of the exchange, with owners and modes.",
        _option("--output", "-o", help="a folder for the archive, or a file name ending .tar.gz "
                                      "(default: $QIKIT_BACKUP_DIR, else /var/backups/qikit)"),
    ).parse_args(argv)
    from .hosting.backup import BackupError, backup

    return _report("qikit course backup", lambda: backup(_settings(args), args.output), BackupError)


def restore_main(argv: Sequence[str] | None = None) -> int:
    """``qikit course restore ARCHIVE``: check the whole archive, then bring the course back.

    Returns the exit status: 0, or 2 with a one-line reason on standard error (nothing restored).
    """
    args = _hub_parser(
        "restore",
        "Bring back a course from an archive of `qikit course backup`: every checksum is checked before "
        "anything is touched; owners are restored by account name and modes exactly.",
        _option("archive", help="the .tar.gz written by `qikit course backup`"),
        _option("--force", action="store_true",
                help="replace a course directory or exchange folder that already holds files (they are "
                     "renamed aside to <name>.replaced-<time>, not deleted)"),
    ).parse_args(argv)
    from .hosting.backup import BackupError, restore

    return _report("qikit course restore", lambda: restore(args.archive, _settings(args), force=args.force), BackupError)


def publish_main(argv: Sequence[str] | None = None) -> int:
    """``qikit course publish DEST``: the notebooks-only git repository for course links.

    Returns the exit status: 0, or 2 with a one-line reason on standard error (nothing published).
    """
    parser = argparse.ArgumentParser(
        prog="qikit course publish",
        description="Write the course's notebooks and their data, and nothing else, into DEST as a git "
                    "repository of their own, for course links (nbgitpuller) to clone. Refuses, naming the "
                    "file, anything that looks like grading material (nbgrader metadata or markers, "
                    "gradebooks, assignments, rubrics, tests).")
    parser.add_argument("dest", help="a new or empty folder outside the clone, or one an earlier publish wrote")
    parser.add_argument("--root", default=None, help="the course's clone (default: the current folder)")
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    args = parser.parse_args(argv)
    from .hosting.publish import PublishError, publish

    return _report("qikit course publish", lambda: publish(args.dest, args.root, args.notebooks), PublishError)


def _report(prog: str, run, error: type[Exception]) -> int:
    """Run a course command: its report's lines on standard output and 0, or its one-line reason on standard
    error and 2 when it refused (having changed nothing)."""
    try:
        report = run()
    except error as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
