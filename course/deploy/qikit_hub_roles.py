"""Jupyter configuration for the three kinds of account on a qikit hub: student, instructor, grader.

One function, :func:`write_role_configs`, writes a configuration folder per role. A single-user server
is pointed at its role's folder with ``JUPYTER_CONFIG_PATH`` (which Jupyter reads before the
environment's own ``etc/jupyter``), so the same installed environment serves every role:

``student``
    nbgrader's *Assignments* tab only (fetch, submit, fetch feedback, validate). The formgrader,
    *Create Assignment* and *Course List* are switched off, both the server extensions and the
    JupyterLab plug-ins.
``instructor``
    The *Assignments* tab and the *Course List*, which links to the course's grader (a JupyterHub
    service). An instructor does not grade in their own server: grading happens in the grader.
``grader``
    The formgrader and *Create Assignment*, with the course directory as nbgrader's root. Its pages
    may be framed by pages of the same origin (``frame-ancestors 'self'``): JupyterHub 4.1 and later
    forbid all framing by default, which leaves nbgrader's formgrader panel in JupyterLab blank.

Every role shares the exchange settings: the exchange root, ``Exchange.path_includes_course = True``
(so one hub can hold several courses) and nbgrader's ``JupyterHubAuthPlugin``, which reads course
membership from the JupyterHub groups ``nbgrader-<course>`` (students) and ``formgrade-<course>``
(instructors and the grader account).

Used by ``jupyterhub_config.py`` (single machine) at hub start-up and by the ``Dockerfile``
(Kubernetes) at image build time::

    python course/deploy/qikit_hub_roles.py /etc/qikit --course qikit \\
        --exchange /srv/nbgrader/exchange --course-root /srv/nbgrader/course --groupshared

Standard library only: it runs before anything else is installed.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

ROLES = ("student", "instructor", "grader")

# nbgrader 0.9's server extensions and JupyterLab plug-ins, by the role that may use each.
_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.assignment_list": {"student", "instructor"},
    "nbgrader.server_extensions.validate_assignment": {"student", "instructor", "grader"},
    "nbgrader.server_extensions.course_list": {"instructor"},
    "nbgrader.server_extensions.formgrader": {"grader"},
    # Not nbgrader's, but off where nobody uses them, so servers start sooner: language servers (none is
    # installed; looking for them costs every start), and the course links' puller in the grader.
    "jupyter_lsp": set(),
    "nbgitpuller": {"student", "instructor"},
}
_LAB_PLUGINS = {
    "@jupyter/nbgrader:assignment-list": {"student", "instructor"},
    "@jupyter/nbgrader:validate-assignment": {"student", "instructor", "grader"},
    "@jupyter/nbgrader:course-list": {"instructor"},
    "@jupyter/nbgrader:formgrader": {"grader"},
    "@jupyter/nbgrader:create-assignment": {"grader"},
}

#: The header that lets JupyterLab show the formgrader in a panel (an iframe of the same origin).
FRAME_SELF = "frame-ancestors 'self'"


def _write(path: Path, text: str) -> None:
    """Write a file atomically (a reader never sees half of it), readable by every account."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o755)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _nbgrader_config(role: str, course: str, exchange: str, course_root: str | None,
                     groupshared: bool, course_config: str | None) -> str:
    lines = [
        f'"""nbgrader settings for the {role} role (written by qikit_hub_roles.py; do not edit)."""',
        "from nbgrader.auth import JupyterHubAuthPlugin",
        "",
        "c = get_config()  # noqa: F821",
    ]
    if role == "grader" and course_config:
        # The course's own settings first (timeouts, feedback without hidden tests), then the hub's.
        lines.append(f"load_subconfig({course_config!r})  # noqa: F821")
    lines += [
        f"c.CourseDirectory.course_id = {course!r}",
        f"c.Exchange.root = {exchange!r}",
        "c.Exchange.path_includes_course = True",
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
    ]
    if role == "grader":
        # Collect only submissions whose files belong to the student they name (qikit/hosting/collect.py).
        lines.append('c.ExchangeFactory.collect = "qikit.hosting.collect.OwnerCheckedCollect"')
        # Student code is graded in a sandbox (the course config turns it on): never let it see the course
        # directory (gradebook, source/, others' submissions) or the exchange, wherever they are.
        hidden = [p for p in (course_root, exchange) if p]
        lines.append(f"c.Sandbox.hidden_paths = {hidden!r}")
        if course_root:
            lines.append(f"c.CourseDirectory.root = {course_root!r}")
            # A gradebook shared by several instructors over NFS is safer in PostgreSQL: set
            # QIKIT_GRADEBOOK_URL (an SQLAlchemy URL) in their servers' environment.
            lines.append("import os")
            lines.append(f"c.CourseDirectory.db_url = os.environ.get('QIKIT_GRADEBOOK_URL') or "
                         f"'sqlite:///' + {course_root!r} + '/gradebook.db'")
        if groupshared:
            lines.append("c.CourseDirectory.groupshared = True")
    return "\n".join(lines) + "\n"


def role_settings(role: str) -> tuple[dict, dict]:
    """The Jupyter server settings and JupyterLab page settings of one role.

    Parameters
    ----------
    role : {"student", "instructor", "grader"}

    Returns
    -------
    (server, page) : tuple of dict
        ``server`` goes to ``jupyter_server_config.d/`` (extension switches) and
        ``jupyter_server_config.json`` (the rest), ``page`` to ``labconfig/page_config.json``.

    Examples
    --------
    >>> server, page = role_settings("student")
    >>> server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"]
    False
    >>> page["disabledExtensions"]["@jupyter/nbgrader:formgrader"]
    True
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    server: dict = {"ServerApp": {"jpserver_extensions": {
        ext: role in roles for ext, roles in _SERVER_EXTENSIONS.items()}}}
    if role == "grader":
        # jupyterhub-singleuser only sets its own "frame-ancestors 'none'" when no policy is configured.
        server["ServerApp"]["tornado_settings"] = {"headers": {"Content-Security-Policy": FRAME_SELF}}
    page = {"disabledExtensions": {plugin: role not in roles for plugin, roles in _LAB_PLUGINS.items()}}
    return server, page


def write_role_configs(dest: str | os.PathLike, course: str, exchange: str, course_root: str | None = None,
                       groupshared: bool = False, course_config: str | None = None) -> dict[str, Path]:
    """Write ``dest/<role>/`` for every role and return the folder of each.

    Parameters
    ----------
    dest : path
        Parent folder; created if missing. Everything written is world-readable (no secrets here).
    course : str
        The nbgrader course id, also the name of the grader service and of the groups
        ``formgrade-<course>`` and ``nbgrader-<course>``.
    exchange : str
        The exchange root shared by every account.
    course_root : str, optional
        The grader's course directory (``source/``, ``release/``, ... and ``gradebook.db``).
    groupshared : bool
        Set nbgrader's ``CourseDirectory.groupshared`` for the grader role (several instructors
        sharing one course directory through a Unix group, as on Kubernetes).
    course_config : str, optional
        A course-wide ``nbgrader_config.py`` the grader loads first (the repository's
        ``course/nbgrader_config.py``).

    Examples
    --------
    >>> import tempfile
    >>> dirs = write_role_configs(tempfile.mkdtemp(), "qikit", "/srv/nbgrader/exchange")
    >>> sorted(dirs)
    ['grader', 'instructor', 'student']
    """
    dest = Path(dest)
    out = {}
    for role in ROLES:
        folder = dest / role
        server, page = role_settings(role)
        # Jupyter Server reads extension switches from jupyter_server_config.d/ but every other setting
        # only from jupyter_server_config.json, so the two halves go to their own files.
        switches = {"ServerApp": {"jpserver_extensions": server["ServerApp"].pop("jpserver_extensions")}}
        _write(folder / "jupyter_server_config.d" / "qikit-role.json", json.dumps(switches, indent=2) + "\n")
        _write(folder / "jupyter_server_config.json", json.dumps(server, indent=2) + "\n")
        _write(folder / "labconfig" / "page_config.json", json.dumps(page, indent=2) + "\n")
        _write(folder / "nbgrader_config.py",
               _nbgrader_config(role, course, exchange, course_root, groupshared, course_config))
        out[role] = folder
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the Jupyter configuration of each qikit hub role.")
    parser.add_argument("dest")
    parser.add_argument("--course", default="qikit")
    parser.add_argument("--exchange", default="/srv/nbgrader/exchange")
    parser.add_argument("--course-root", default=None)
    parser.add_argument("--groupshared", action="store_true")
    parser.add_argument("--course-config", default=None)
    args = parser.parse_args(argv)
    for role, folder in write_role_configs(args.dest, args.course, args.exchange, args.course_root,
                                           args.groupshared, args.course_config).items():
        print(f"{role:<10} {folder}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
