"""Chromium for the hub tests: Debian's package driven by Playwright, a fresh profile per person."""

from __future__ import annotations

import os
from contextlib import contextmanager, suppress
from pathlib import Path

CHROMIUM = os.environ.get("QIKIT_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WAIT_MS = 120_000


def open_browser(pw, profile: Path, wait_ms: int = WAIT_MS):
    """A fresh Chromium profile, so no cookie of another account carries over; ``wait_ms`` is the longest
    any one step in the page may take."""
    ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, headless=True,
                                                args=FLAGS, viewport={"width": 1400, "height": 1000})
    ctx.set_default_timeout(wait_ms)
    return ctx


@contextmanager
def browsing(ctx, failure_shot: Path):
    """The page of browser ``ctx``: a full-page screenshot at ``failure_shot`` if the block fails, and the
    browser closed after it either way."""
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    try:
        yield page
    except Exception:
        with suppress(Exception):
            page.screenshot(path=str(failure_shot), full_page=True)
        raise
    finally:
        ctx.close()


def log_in(page, hub, name: str, next_path: str, password: str | None = None) -> None:
    """Log in on the hub's login page (NativeAuthenticator's form), as a person types it."""
    page.goto(f"{hub.url}/hub/login?next={next_path}")
    page.fill("#username_input", name)
    page.fill("#password_input", password or hub.passwords[name])
    page.click("#login_submit")
