"""The statistics engine's type hints hold: mypy, configured in pyproject.toml ([tool.mypy]), finds no error.

Run by the README's test command, so CI type-checks ``qikit/stats`` on every run; widen ``files`` in the
config as more of qikit is made clean.
"""

import subprocess
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_is_clean_on_the_configured_files():
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout


def test_package_declares_its_types():
    assert resources.files("qikit").joinpath("py.typed").is_file()
