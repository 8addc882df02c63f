"""Shared fixtures for the qikit test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("MPLBACKEND", "agg")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
