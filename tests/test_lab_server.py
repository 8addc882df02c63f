"""The README's course command really serves JupyterLab on notebooks/ (started here on loopback)."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from readme import command_block

from tests.servers import stop_group

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read()


@pytest.fixture
def lab_server(tmp_path):
    # The course command's own jupyter-lab settings, plus what a headless test needs.
    course_args = shlex.split(command_block("course-command").split(" && ")[-1])[2:]
    port, token = _free_port(), "qikit-test-token"
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", *course_args, "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # CI machines run as root; a trainee's laptop does not
        cmd.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited early:\n{(tmp_path / 'lab.log').read_text()}")
            try:
                _get(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer:\n{(tmp_path / 'lab.log').read_text()}")
                time.sleep(0.3)
        yield base, token
    finally:
        stop_group(proc)
        log.close()


def test_course_command_serves_lab_on_notebooks(lab_server):
    base, token = lab_server
    status, body = _get(f"{base}/lab?token={token}")
    assert status == 200 and b"JupyterLab" in body
    status, body = _get(f"{base}/api/contents/?token={token}")
    listing = json.loads(body)
    assert listing["type"] == "directory"
    served = sorted(item["name"] for item in listing["content"])
    on_disk = sorted(p.name for p in (ROOT / "notebooks").iterdir()
                     if not p.name.startswith(".") and p.name != "__pycache__")
    assert served == on_disk  # the server's root is the notebooks folder
    assert "README.md" in served


def test_course_command_leaves_out_nbgrader(lab_server):
    """A trainee on their own laptop gets the course, not nbgrader's instructor or hub tools (Validate
    would say "Success" for a notebook with nothing answered)."""
    import re

    base, token = lab_server
    _, body = _get(f"{base}/lab?token={token}")
    m = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', body, re.S)
    disabled = set(json.loads(m.group(1))["disabledExtensions"])
    for plugin in ("formgrader", "create-assignment", "course-list", "assignment-list", "validate-assignment"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled
    for api in ("formgrader/api/status", "assignments?course_id=x", "course_list"):
        try:
            status, _ = _get(f"{base}/{api}&token={token}" if "?" in api else f"{base}/{api}?token={token}")
        except urllib.error.HTTPError as e:
            status = e.code
        assert status == 404, (api, status)
