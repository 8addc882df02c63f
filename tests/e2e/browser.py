"""Chromium for the hub tests: Debian's package driven by Playwright, a fresh profile per person."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = os.environ.get("QIKIT_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 120_000


def open_browser(pw, profile: Path):
    """A fresh Chromium profile, so no cookie of another account carries over."""
    ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                args=FLAGS, viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(WAIT_MS)
    return ctx


def log_in(page, hub, name: str, next_path: str, password: str | None = None) -> None:
    """Log in on the hub's login page (NativeAuthenticator's form), as a person types it."""
    page.goto(f"{hub.url}/hub/login?next={next_path}")
    page.fill("#username_input", name)
    page.fill("#password_input", password or hub.passwords[name])
    page.click("#login_submit")
