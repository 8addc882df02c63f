"""The ``qikit`` command.

``qikit --version`` prints the version; ``qikit doctor`` checks that a machine can run the course and
prints a one-line fix for every problem it finds (exit status 1 when there is any). ``qikit course links``,
``qikit course backup`` and ``qikit course restore`` are in :mod:`qikit.course`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

INSTALL_COURSE = "pip install 'qikit-course[course]'  (or, in a clone: pip install -e '.[course]')"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _module_version(module: str, dist: str | None = None) -> Check:
    """Import ``module`` for real (a broken install fails here, not in a trainee's notebook)."""
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # ImportError, or a broken dependency raising something else
        return Check(module, False, f"cannot be imported ({type(exc).__name__}: {exc})", f"install it: {INSTALL_COURSE}")
    ver = getattr(mod, "__version__", None)
    if ver is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            ver = version(dist or module)
        except PackageNotFoundError:
            ver = "unknown version"
    return Check(module, True, str(ver))


def check_python() -> Check:
    # qikit cannot be installed on Python < 3.11 (requires-python), so reaching here means it is new enough.
    ver = ".".join(map(str, sys.version_info[:3]))
    return Check("python", True, f"{ver} ({sys.executable})")


def check_qikit() -> Check:
    import qikit

    return Check("qikit", True, qikit.__version__)


def check_widgets_extension() -> Check:
    """The ipywidgets front end for JupyterLab 4 ships as a prebuilt extension in jupyterlab_widgets."""
    name = "ipywidgets JupyterLab extension"
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return Check(name, False, "jupyter_core is missing", f"install the course extras: {INSTALL_COURSE}")
    import os

    for base in jupyter_path("labextensions"):
        if os.path.isfile(os.path.join(base, "@jupyter-widgets", "jupyterlab-manager", "package.json")):
            return Check(name, True, f"installed in {base}")
    return Check(name, False, "not found: widgets would show as text",
                 "pip install 'jupyterlab_widgets>=3' 'ipywidgets>=8.1' in the environment that runs JupyterLab")


def check_kernel(timeout: float = 60) -> Check:
    """Start a Python kernel, run one line in it and shut it down."""
    name = "python kernel"
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError:
        return Check(name, False, "jupyter_client is missing", f"install the course extras: {INSTALL_COURSE}")
    try:
        km, kc = start_new_kernel(kernel_name="python3", startup_timeout=timeout)
    except Exception as exc:
        return Check(name, False, f"did not start ({type(exc).__name__}: {exc})",
                     "python -m ipykernel install --sys-prefix   (registers this environment's kernel)")
    try:
        reply = kc.execute_interactive("import qikit", timeout=timeout, output_hook=lambda msg: None)
        status = reply["content"]["status"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if status != "ok":
        return Check(name, False, "started, but cannot import qikit",
                     "install qikit into the kernel's environment: pip install -e . (in the course folder)")
    return Check(name, True, "starts and imports qikit")


def run_doctor(kernel: bool = True) -> list[Check]:
    checks: list[Callable[[], Check]] = [
        check_python,
        check_qikit,
        lambda: _module_version("jupyterlab"),
        lambda: _module_version("nbgrader"),
        lambda: _module_version("ipywidgets"),
        lambda: _module_version("matplotlib"),
        check_widgets_extension,
    ]
    if kernel:
        checks.append(check_kernel)
    return [c() for c in checks]


def _doctor(args: argparse.Namespace) -> int:
    results = run_doctor(kernel=not args.no_kernel)
    width = max(len(c.name) for c in results)
    for c in results:
        mark = "ok " if c.ok else "!! "
        print(f"{mark} {c.name:<{width}}  {c.detail}")
    problems = [c for c in results if not c.ok]
    if problems:
        print(f"\n{len(problems)} problem(s) found:")
        for c in problems:
            print(f"- {c.name}: {c.fix}")
        return 1
    print("\nAll good: this machine can run the qikit course.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    import qikit

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["course", "links"]:  # its own parser and help: qikit/course.py
        from .course import main as course_links

        return course_links(argv[2:])
    if argv[:2] in (["course", "backup"], ["course", "restore"]):  # qikit/course.py, qikit/hosting/backup.py
        from .course import backup_main, restore_main

        return (backup_main if argv[1] == "backup" else restore_main)(argv[2:])
    if argv[:2] == ["course", "publish"]:  # qikit/course.py, qikit/hosting/publish.py
        from .course import publish_main

        return publish_main(argv[2:])

    parser = argparse.ArgumentParser(prog="qikit", description="Quality improvement teaching kit.")
    parser.add_argument("--version", action="version", version=f"qikit {qikit.__version__}")
    sub = parser.add_subparsers(dest="command")
    doctor = sub.add_parser("doctor", help="check that this machine can run the course")
    doctor.add_argument("--no-kernel", action="store_true", help="skip starting a Python kernel")
    doctor.set_defaults(func=_doctor)
    course = sub.add_parser("course", help="course helpers: `qikit course links --hub URL --repo URL` prints "
                                           "a one-click nbgitpuller link per notebook; `qikit course backup` "
                                           "and `qikit course restore ARCHIVE` save and bring back a hub's "
                                           "course (gradebook, course directory, exchange); `qikit course "
                                           "publish DEST` writes the notebooks-only repository for the links")
    course.add_argument("action", choices=["links", "backup", "restore", "publish"])
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
