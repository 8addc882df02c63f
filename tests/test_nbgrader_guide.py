"""course/README.md matches reality: the formgrader command, started exactly as the guide writes it, serves
formgrader; every folder that holds students' work is git-ignored; the report command runs as written.

The formgrader command is extracted from the guide's block marked ``<!-- formgrader-command -->`` (as
.ci/run extracts the README's test command) and run with bash from a copy of the repository's course
layout (``course/`` and ``assignments/source/a1_aims_and_measures``), so the course directory the guide
uses is a temporary one. Traffic goes to 127.0.0.1 only; the server is stopped by its process id.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from nbgrader_helpers import COURSE, ROOT, SOURCE, put_venv_on_path

from tests.servers import stop_group

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

GUIDE = COURSE / "README.md"


def guide_block(marker: str) -> str:
    """The bash block that follows ``<!-- marker -->`` in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {re.escape(marker)} -->\s*```bash\n(.*?)\n```", text, re.S)
    assert match, f"course/README.md has no block marked <!-- {marker} -->"
    return match.group(1).strip()


@pytest.fixture
def layout(tmp_path):
    """The repository's course layout, copied: course/ and two assignments' sources."""
    shutil.copytree(COURSE, tmp_path / "course", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("a1_aims_and_measures", "a3_choosing_control_charts"):
        shutil.copytree(SOURCE / name, tmp_path / "assignments" / "source" / name)
    return tmp_path


def test_local_exchange_trial_as_written(layout):
    """The guide's local trial: release, fetch and submit as a student, collect; the submission arrives."""
    put_venv_on_path()
    env = {k: v for k, v in os.environ.items() if k not in {"QIKIT_COURSE_DIR", "QIKIT_EXCHANGE"}}
    course = layout / "course"
    generate = subprocess.run(["bash", "-c", "nbgrader generate_assignment a3_choosing_control_charts"],
                              cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert generate.returncode == 0, generate.stderr[-2000:]
    run = subprocess.run(["bash", "-ec", guide_block("local-exchange")], cwd=course, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    collected = list((layout / "assignments" / "submitted").glob("*/a3_choosing_control_charts/*.ipynb"))
    assert len(collected) == 1, run.stderr[-3000:]
    assert (collected[0].parent / "timestamp.txt").exists()  # collect records when it was submitted


def test_formgrader_starts_as_the_guide_says(layout, tmp_path_factory):
    put_venv_on_path()
    command = guide_block("formgrader-command")
    assert command.startswith("jupyter lab")
    runtime = tmp_path_factory.mktemp("runtime")
    # the machine's side of the trial, not the guide's: tests run as root, and servers here listen on
    # 127.0.0.1 only; no browser is opened (BROWSER=true runs /bin/true)
    settings = tmp_path_factory.mktemp("jupyter-config")
    (settings / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"allow_root": True, "ip": "127.0.0.1", "port": 0}}))
    token = "guide-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTER_CONFIG_DIR": str(settings)}
    env.pop("QIKIT_COURSE_DIR", None)
    server = subprocess.Popen(["bash", "-c", command], cwd=layout / "course", env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read()
            for info in runtime.glob("jpserver-*.json"):
                url = json.loads(info.read_text())["url"]
            time.sleep(0.5)
        assert url and url.startswith("http://127.0.0.1:"), url
        page = _get(f"{url}formgrader?token={token}")
        assert "Manage Assignments" in page or "formgrader" in page.lower()
        assert "is not a subdirectory of the notebook server root" not in page
        api = json.loads(_get(f"{url}formgrader/api/assignments?token={token}"))
        assert "a1_aims_and_measures" in {a["name"] for a in api}, api  # formgrader reads the course directory
    finally:
        stop_group(server)
    log = server.stdout.read()
    assert "not a subdirectory" not in log, log[-2000:]


def _get(url: str) -> str:
    for attempt in range(20):
        try:
            with urllib.request.urlopen(url, timeout=20) as response:
                return response.read().decode("utf-8", errors="replace")
        except OSError:
            if attempt == 19:
                raise
            time.sleep(1)
    return ""


@pytest.mark.parametrize("path", ["assignments/downloaded/a1_aims_and_measures/x.ipynb",
                                  "assignments/submitted/s1/a1_aims_and_measures/a1_aims_and_measures.ipynb",
                                  "assignments/autograded/s1/a1_aims_and_measures/a1_aims_and_measures.ipynb",
                                  "assignments/feedback/s1/a1_aims_and_measures/a1_aims_and_measures.html",
                                  "assignments/release/a1_aims_and_measures/a1_aims_and_measures.ipynb",
                                  "assignments/grading/a1_aims_and_measures/s1.json",
                                  "assignments/reports/a1_aims_and_measures_marks.csv",
                                  "assignments/exchange/qikit/inbound/x.ipynb",
                                  "assignments/gradebook.db"])
def test_students_work_is_git_ignored(path):
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    result = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, f"{path} is not git-ignored"


def test_guide_names_the_sandbox_and_its_escape_hatch():
    text = GUIDE.read_text(encoding="utf-8")
    for words in ("bubblewrap", "apt-get install bubblewrap", "QIKIT_UNSAFE_NO_SANDBOX=1", "--unsafe-no-sandbox",
                  "python report.py", "status"):
        assert words in text, words
    assert "(`jupyter lab`)" not in text  # the command that fails is not offered


def test_report_command_runs_as_written(layout):
    """The guide's report command, on a course with no submissions yet, writes its files."""
    put_venv_on_path()
    command = guide_block("report-command")
    env = {**os.environ}
    env.pop("QIKIT_COURSE_DIR", None)
    generate = subprocess.run(["bash", "-c", "nbgrader generate_assignment a1_aims_and_measures"],
                              cwd=layout / "course", env=env, capture_output=True, text=True, timeout=300)
    assert generate.returncode == 0, generate.stderr[-2000:]
    run = subprocess.run(["bash", "-c", command], cwd=layout / "course", env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    html = Path(layout / "assignments" / "reports" / "a1_aims_and_measures_report.html")
    assert html.exists() and '<html lang="en">' in html.read_text(encoding="utf-8")
