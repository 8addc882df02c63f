"""Fixtures of the loopback hub tests (the hub itself, and what the machine needs: hubtools.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .browser import CHROMIUM
from .hubtools import HubStartError, running_hub, unavailable
from .probes import ROWS, write


@pytest.fixture(scope="session")
def hub():
    """A running hub in the test profile, its accounts and their tokens; stopped and removed after."""
    try:
        with running_hub() as h:
            yield h
    except HubStartError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture(scope="module")
def browser_kit():
    """Playwright driving Debian's Chromium (never a browser Playwright downloads). Per module: its sync
    API keeps an event loop running, which must be gone before tests that run notebooks (nbclient)."""
    if not Path(CHROMIUM).is_file():
        unavailable(f"Chromium was not found at {CHROMIUM} (apt-get install chromium, or set QIKIT_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def outcomes():
    """Rows of the probe table, printed in pytest's summary and written to a file (probes.write)."""
    return ROWS


def pytest_terminal_summary(terminalreporter):
    if ROWS:
        terminalreporter.write_line(write(ROWS))
