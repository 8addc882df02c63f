"""Fixtures of the loopback hub tests (the hub itself, and what the machine needs: hubtools.py)."""

from __future__ import annotations

import pytest

from .hubtools import HubStartError, running_hub


@pytest.fixture(scope="session")
def hub():
    """A running hub in the test profile, its accounts and their tokens; stopped and removed after."""
    try:
        with running_hub() as h:
            yield h
    except HubStartError as e:
        pytest.fail(str(e), pytrace=False)
