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
