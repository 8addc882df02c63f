"""The hosting guide's install lines work on this machine as written (course/deploy/README.md).

Each apt line of the guide's marked install block is run as written, with apt-get told to simulate
(``-s``: resolve and check every package can be installed together, change nothing), in bash so the
guide's ``command -v npm || ...`` condition is honoured exactly. The npm line is resolved against the
registry without installing. The clone and pip lines are what CI itself runs (the `test` extra holds
`course` and `hub`), so they are checked for their extras only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

GUIDE = ROOT / "course" / "deploy" / "README.md"


def install_lines() -> list[str]:
    m = re.search(r"<!-- hub-install -->\s*```bash\n(.*?)\n```", GUIDE.read_text(), re.S)
    assert m, "the hosting guide has no hub-install block"
    return [line.strip() for line in m.group(1).splitlines() if line.strip()]


def test_install_block_has_the_expected_steps():
    lines = install_lines()
    assert any("apt-get install" in line for line in lines)
    assert any(line.startswith("sudo npm install --global configurable-http-proxy") for line in lines)
    pip = [line for line in lines if "pip install" in line]
    assert pip == ['sudo .venv/bin/pip install -e ".[course,hub]"']


@pytest.mark.skipif(not shutil.which("apt-get") or os.geteuid() != 0, reason="needs Debian's apt-get, as root")
def test_apt_lines_resolve_on_this_machine():
    apt = [line for line in install_lines() if "apt-get install" in line]
    assert apt
    for line in apt:
        simulated = line.replace("sudo apt-get install -y", "apt-get install -s -y")
        assert simulated != line, f"unexpected apt line form: {line}"
        out = subprocess.run(["bash", "-c", simulated], capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"{line!r} would fail here:\n{out.stdout[-1500:]}\n{out.stderr[-1500:]}"


@pytest.mark.skipif(not shutil.which("npm"), reason="npm is not installed")
def test_npm_line_resolves(tmp_path):
    [line] = [line for line in install_lines() if line.startswith("sudo npm install")]
    package = line.split()[-1]
    out = subprocess.run(["npm", "view", package, "version"], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert out.returncode == 0 and re.fullmatch(r"\d+\.\d+\.\d+", out.stdout.strip()), out.stderr
