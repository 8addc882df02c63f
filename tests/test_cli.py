"""The `qikit` command: --version and doctor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import qikit
from qikit import cli


def _qikit_exe() -> str:
    exe = Path(sys.executable).with_name("qikit")
    assert exe.exists(), "the qikit console script is not installed next to this Python"
    return str(exe)


def test_version_from_console_script():
    out = subprocess.run([_qikit_exe(), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"qikit {qikit.__version__}"
    assert qikit.__version__ != "0+unknown"


def test_doctor_passes_in_the_test_environment():
    out = subprocess.run([_qikit_exe(), "doctor"], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stdout + out.stderr
    for piece in ["python", "qikit", "jupyterlab", "nbgrader", "ipywidgets", "matplotlib",
                  "ipywidgets JupyterLab extension", "python kernel"]:
        assert f" {piece} " in out.stdout
    assert "All good" in out.stdout


def test_doctor_names_missing_nbgrader(monkeypatch, capsys):
    # A None entry in sys.modules makes `import nbgrader` raise ImportError, as when it is not installed.
    monkeypatch.setitem(sys.modules, "nbgrader", None)
    code = cli.main(["doctor", "--no-kernel"])
    out = capsys.readouterr().out
    assert code == 1
    assert "!!  nbgrader" in out
    assert "- nbgrader: install it: pip install 'qikit-course[course]'" in out
    assert "1 problem(s) found" in out


def test_doctor_reports_a_kernel_that_cannot_start(monkeypatch, capsys):
    import jupyter_client.manager

    def broken(*args, **kwargs):
        raise RuntimeError("No such kernel named python3")

    monkeypatch.setattr(jupyter_client.manager, "start_new_kernel", broken)
    check = cli.check_kernel()
    assert not check.ok
    assert "ipykernel install" in check.fix


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 2
    assert "doctor" in capsys.readouterr().out


def test_course_links_subcommand(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "04-run-charts.ipynb").write_text("{}")
    code = cli.main(["course", "links", "--hub", "https://qi.example.ac.uk", "--repo",
                     "https://example.org/course.git", "--root", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("04-run-charts.ipynb  https://qi.example.ac.uk/hub/user-redirect/git-pull?")


# --- qikit course backup / restore (the machinery's own tests: tests/test_backup.py) -----------------
def _small_course(tmp_path: Path) -> dict[str, str]:
    """A course directory and exchange folder, and the hub's settings naming them."""
    course_dir, exchange = tmp_path / "grader" / "qkcli", tmp_path / "exchange"
    (course_dir / "source" / "ps1").mkdir(parents=True)
    (course_dir / "source" / "ps1" / "ps1.ipynb").write_text('{"cells": []}')
    for folder, mode in (("outbound", 0o755), ("inbound", 0o2733), ("feedback", 0o711)):
        (exchange / "qkcli" / folder).mkdir(parents=True)
        (exchange / "qkcli" / folder).chmod(mode)
    (exchange / "qkcli" / "feedback" / "abc.html").write_text("<h4>(Score: 1.0 / 2.0)</h4>")
    return {"QIKIT_COURSE_ID": "qkcli", "QIKIT_EXCHANGE": str(exchange), "QIKIT_COURSE_DIR": str(course_dir),
            "QIKIT_BACKUP_DIR": str(tmp_path / "backups")}


def test_course_backup_and_restore_from_console_script(tmp_path):
    import os
    import shutil

    settings = _small_course(tmp_path)
    env = {**os.environ, **settings}
    out = subprocess.run([_qikit_exe(), "course", "backup"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    [archive] = (tmp_path / "backups").iterdir()
    assert f"Backed up course 'qkcli' to {archive}" in out.stdout
    assert "gradebook: none" in out.stdout and "exchange " in out.stdout

    shutil.rmtree(settings["QIKIT_COURSE_DIR"])
    shutil.rmtree(Path(settings["QIKIT_EXCHANGE"]) / "qkcli")
    out = subprocess.run([_qikit_exe(), "course", "restore", str(archive)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Restored course 'qkcli'" in out.stdout
    assert (Path(settings["QIKIT_COURSE_DIR"]) / "source" / "ps1" / "ps1.ipynb").read_text() == '{"cells": []}'
    assert oct((Path(settings["QIKIT_EXCHANGE"]) / "qkcli" / "inbound").stat().st_mode & 0o7777) == "0o2733"


def test_course_restore_refuses_with_a_reason_and_exit_status_2(tmp_path, monkeypatch, capsys):
    settings = _small_course(tmp_path)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    assert cli.main(["course", "backup", "--output", str(tmp_path / "b.tar.gz")]) == 0
    capsys.readouterr()
    # The course is still there: restoring over it needs --force.
    assert cli.main(["course", "restore", str(tmp_path / "b.tar.gz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("qikit course restore: ") and "already hold files" in err and "--force" in err
    # A truncated archive: refused, naming the file.
    data = (tmp_path / "b.tar.gz").read_bytes()
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    assert cli.main(["course", "restore", "--force", str(tmp_path / "cut.tar.gz")]) == 2
    assert f"the archive {tmp_path / 'cut.tar.gz'} is damaged or incomplete" in capsys.readouterr().err
    # Options override the environment: another course id is refused for this archive.
    assert cli.main(["course", "restore", "--course", "other", str(tmp_path / "b.tar.gz")]) == 2
    assert "holds course 'qkcli' but this hub's course is 'other'" in capsys.readouterr().err
    # A backup of a course that is not there names what to check.
    assert cli.main(["course", "backup", "--exchange", str(tmp_path / "nowhere")]) == 2
    assert "QIKIT_EXCHANGE" in capsys.readouterr().err


def test_course_help_names_backup_and_restore(capsys):
    import pytest

    with pytest.raises(SystemExit):
        cli.main(["course", "restore", "--help"])
    out = capsys.readouterr().out
    assert "--force" in out and "renamed aside" in out
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "`qikit course backup`" in " ".join(capsys.readouterr().out.split())  # argparse wraps lines
