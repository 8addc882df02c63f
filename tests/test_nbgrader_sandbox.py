"""The sandbox student code runs in while it is autograded (qikit/grading/sandbox.py, course/nbgrader_config.py).

A notebook of probes runs through the course's execution step, ``SandboxedExecute``, from a submission
folder inside a course directory that also holds a gradebook, ``source/``, ``release/`` and another
student's work; each probe prints what it could do as JSON, and the tests read it back. Then: grading
refuses to start without a sandbox unless the unsafe flag is given, and a cohort's marks are the same
sandboxed as unconfined.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

SECRET = "gradebook-secret-7d1f"

#: Each probe prints one JSON object; the test for it reads it from the cell's output.
PROBES = {
    "files": """import json, os
print(json.dumps({"cwd": os.getcwd(), "listing": sorted(os.listdir(".")), "uid": os.getuid(),
                  "root_listing": sorted(os.listdir("/"))}))""",
    "course": """import json, os, glob
found = {}
for path in COURSE_PATHS:
    try:
        with open(path) as handle:
            found[path] = handle.read()[:100]
    except OSError as error:
        found[path] = type(error).__name__
print(json.dumps({"found": found, "root_exists": os.path.exists(COURSE_ROOT),
                  "globbed": [p for p in glob.glob(COURSE_ROOT + "/**", recursive=True) if os.path.isfile(p)]}))""",
    "writes": """import json, os, sys
result = {}
for path in [os.path.join(os.getcwd(), "data.csv"), sys.prefix + "/sandbox-was-here",
             "/usr/sandbox-was-here", GRADEBOOK, os.path.join(os.getcwd(), "new-file.txt")]:
    try:
        with open(path, "a") as handle:
            handle.write("x")
        result[path] = "written"
    except OSError as error:
        result[path] = type(error).__name__
print(json.dumps(result))""",
    "network": """import json, socket
result = {}
for host, port in [("127.0.0.1", HUB_PORT), ("8.8.8.8", 53)]:
    try:
        socket.create_connection((host, port), 2).close()
        result[f"{host}:{port}"] = "connected"
    except OSError as error:
        result[f"{host}:{port}"] = type(error).__name__
print(json.dumps(result))""",
    "environment": """import json, os
print(json.dumps({"env": dict(os.environ), "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}))""",
    "memory": """import json
try:
    hog = bytearray(6 * 1024 ** 3)
    result = "allocated"
except MemoryError:
    result = "MemoryError"
print(json.dumps({"memory": result}))""",
    "processes": """import json, subprocess
children, error = [], None
try:
    for _ in range(200):
        children.append(subprocess.Popen(["sleep", "30"]))
except OSError as exc:
    error = type(exc).__name__
for child in children:
    child.kill()
    child.wait()
print(json.dumps({"started": len(children), "error": error}))""",
    "output": """for i in range(20000):
    print("line", i, "of a submission printing far too much")""",
    "after": """import json
print(json.dumps({"still": "running"}))""",
}


def _json(cell) -> dict:
    for output in cell.outputs:
        if output.get("output_type") == "stream" and output.get("text", "").lstrip().startswith("{"):
            return json.loads(output["text"])
    raise AssertionError(f"no JSON in {cell.outputs}")


@pytest.fixture(scope="module")
def hub_port(loopback_port):
    """A server on 127.0.0.1 standing in for the hub: the sandbox must not reach it."""
    return loopback_port


def _layout(root):
    """A course directory: a gradebook, source/release/submitted and another student's autograded work."""
    files = {
        "gradebook.db": SECRET,
        "source/a1/a1.ipynb": "BEGIN HIDDEN TESTS model answer",
        "release/a1/a1.ipynb": "released",
        "submitted/other/a1/a1.ipynb": "other student's work",
        "autograded/other/a1/a1.ipynb": "other student's graded work",
        "autograded/me/a1/data.csv": "ward,patients\n7,12\n",
        "autograded/me/a1/a1.ipynb": "BEGIN HIDDEN TESTS my own notebook, tests put back",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root / "autograded" / "me" / "a1"


@pytest.fixture(scope="module")
def probed(tmp_path_factory, hub_port):
    from qikit.grading.execute import SandboxedExecute

    root = tmp_path_factory.mktemp("course")
    workdir = _layout(root)
    course_paths = [str(p) for p in sorted(root.rglob("*")) if p.is_file()]
    setup = (f"COURSE_ROOT = {str(root)!r}\nCOURSE_PATHS = {course_paths!r}\n"
             f"GRADEBOOK = {str(root / 'gradebook.db')!r}\nHUB_PORT = {hub_port}")
    nb = new_notebook(cells=[new_code_cell(setup)] + [new_code_cell(code) for code in PROBES.values()])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = Config()
    config.Execute.timeout = 60
    config.Sandbox.hidden_paths = [str(root)]
    os.environ["JUPYTERHUB_API_TOKEN"] = "hub-token-must-not-leak"  # as a hub's grader service has
    try:
        nb, _ = SandboxedExecute(config=config).preprocess(nb, {"metadata": {"path": str(workdir)}})
    finally:
        del os.environ["JUPYTERHUB_API_TOKEN"]
    cells = dict(zip(PROBES, nb.cells[1:], strict=True))
    return root, workdir, cells


def test_a_sandbox_is_available_here():
    """CI installs bubblewrap (.ci/run); on this machine the sandbox must work, not be skipped."""
    from qikit.grading.sandbox import Sandbox

    assert Sandbox().check() is None


def test_kernel_sees_its_own_files_only(probed):
    root, workdir, cells = probed
    seen = _json(cells["files"])
    assert seen["cwd"] == "/home/student"
    assert "data.csv" in seen["listing"]
    assert "a1.ipynb" not in seen["listing"]  # the notebook being graded holds the hidden tests
    assert not set(seen["root_listing"]) & {"srv", "var", "opt", "mnt"}
    if os.geteuid() == 0:
        assert seen["uid"] == 65534  # never root


def test_course_directory_is_invisible(probed):
    root, workdir, cells = probed
    seen = _json(cells["course"])
    assert seen["found"], "the probe looked for the course's files"
    for path, result in seen["found"].items():
        assert result in {"FileNotFoundError", "PermissionError"}, path
    assert seen["globbed"] == [] and seen["root_exists"] is False
    assert SECRET not in cells["course"].outputs[0]["text"]


def test_writes_outside_the_scratch_fail(probed):
    root, workdir, cells = probed
    result = _json(cells["writes"])
    written = {os.path.basename(p) for p, r in result.items() if r == "written"}
    assert written == {"new-file.txt"}  # in its private home only
    assert (root / "gradebook.db").read_text() == SECRET
    assert (workdir / "data.csv").read_text() == "ward,patients\n7,12\n"
    assert not (workdir / "new-file.txt").exists()  # the scratch is private, not the submission folder
    assert not os.path.exists(os.path.join(sys.prefix, "sandbox-was-here"))


def test_no_network(probed, hub_port):
    result = _json(probed[2]["network"])
    assert set(result.values()) <= {"ConnectionRefusedError", "OSError", "TimeoutError"}, result
    assert f"127.0.0.1:{hub_port}" in result
    # the same connection from outside the sandbox works: the probe was a real test
    socket.create_connection(("127.0.0.1", hub_port), 2).close()


def test_environment_is_scrubbed_and_processes_hidden(probed):
    seen = _json(probed[2]["environment"])
    assert "JUPYTERHUB_API_TOKEN" not in seen["env"]
    assert seen["env"]["HOME"] == "/home/student"
    assert all(p < 50 for p in seen["processes"])  # its own pid namespace: no grader, no other kernel


def test_memory_is_limited(probed):
    assert _json(probed[2]["memory"]) == {"memory": "MemoryError"}


def test_processes_are_limited(probed):
    from qikit.grading.sandbox import Sandbox

    result = _json(probed[2]["processes"])
    assert result["error"] in {"BlockingIOError", "OSError", "PermissionError"}
    assert result["started"] < Sandbox().max_processes


def test_output_is_cut_and_grading_goes_on(probed):
    cells = probed[2]
    text = "".join(o.get("text", "") for o in cells["output"].outputs)
    assert len(text) < 25_000 and "Output cut" in text
    assert _json(cells["after"]) == {"still": "running"}


# ------------------------------------------------------------------------------------------------
# no sandbox: refuse, unless told


def _tiny(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import os\nprint(os.path.exists(GRADEBOOK))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "gradebook.db").write_text(SECRET)
    nb.cells.insert(0, new_code_cell(f"GRADEBOOK = {str(tmp_path / 'gradebook.db')!r}"))
    return nb


def test_grading_refuses_without_a_sandbox(tmp_path):
    from qikit.grading.execute import SandboxedExecute
    from qikit.grading.sandbox import SandboxUnavailable

    config = Config()
    config.Sandbox.bwrap = str(tmp_path / "no-bwrap-here")
    with pytest.raises(SandboxUnavailable, match="bubblewrap.*not installed.*QIKIT_UNSAFE_NO_SANDBOX=1"):
        SandboxedExecute(config=config).preprocess(_tiny(tmp_path), {"metadata": {"path": str(tmp_path)}})


def test_unsafe_flag_runs_unconfined(tmp_path, monkeypatch):
    """The explicit flag does what it says: student code then sees the grader's files."""
    from qikit.grading.execute import SandboxedExecute

    monkeypatch.setenv("QIKIT_UNSAFE_NO_SANDBOX", "1")
    config = Config()
    config.Sandbox.bwrap = str(tmp_path / "no-bwrap-here")
    nb, _ = SandboxedExecute(config=config).preprocess(_tiny(tmp_path), {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[1].outputs[0]["text"].strip() == "True"


def test_nbgrader_autograde_refuses_to_start(tmp_path):
    """`nbgrader autograde` itself, run from course/ as the guide says, stops before grading anything."""
    from nbgrader_helpers import COURSE, new_course, put_venv_on_path

    put_venv_on_path()
    root = new_course(tmp_path / "course", ["a1_aims_and_measures"])
    env = {**os.environ, "QIKIT_COURSE_DIR": str(root), "QIKIT_BWRAP": str(tmp_path / "no-bwrap-here")}
    env.pop("QIKIT_UNSAFE_NO_SANDBOX", None)
    nbgrader = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    run = subprocess.run([nbgrader, "autograde", "a1_aims_and_measures"], cwd=COURSE, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Student code cannot be sandboxed" in run.stderr and "QIKIT_UNSAFE_NO_SANDBOX=1" in run.stderr
    assert not (root / "gradebook.db").exists() and not (root / "autograded").exists()


def test_grade_py_refuses_to_start(tmp_path, monkeypatch, capsys):
    from test_nbgrader_cohort import _grade_module

    grade = _grade_module()
    monkeypatch.setenv("QIKIT_COURSE_DIR", str(tmp_path))
    monkeypatch.setenv("QIKIT_BWRAP", str(tmp_path / "no-bwrap-here"))
    monkeypatch.delenv("QIKIT_UNSAFE_NO_SANDBOX", raising=False)
    from qikit.grading import sandbox

    monkeypatch.setattr(sandbox, "_CHECKED", {})
    assert grade.main(["a1_aims_and_measures"]) == 2
    assert "NOT STARTED" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.db").exists()


def test_wall_time_limit_stops_the_notebook(tmp_path):
    """A notebook whose cells each stay under the cell timeout but together run too long is stopped, and
    reported as not graded with the reason; the sandbox's control groups and private folder are removed."""
    from qikit.grading.execute import SandboxedExecute, SubmissionNotGraded

    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(2)") for _ in range(6)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    config = Config()
    config.Execute.timeout = 30
    config.Sandbox.wall_time = 5
    step = SandboxedExecute(config=config)
    with pytest.raises(SubmissionNotGraded, match="total time limit"):
        step.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    km = step._qikit_km
    assert "wall time" in km.sandbox_events
    assert km._qikit_private is None and km._qikit_cgroups is None  # released
