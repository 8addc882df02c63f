"""The table of hostile probes the e2e suite prints: each probe, what happened, refused or ALLOWED."""

from __future__ import annotations

import os
from pathlib import Path

#: Every probe of this run, in order (the session fixture ``outcomes`` hands this list to the tests).
ROWS: list = []


def record(rows: list, probe: str, refused: bool, detail: str) -> None:
    """Add one probe's outcome to the table (the test asserts it separately)."""
    rows.append((probe, detail, refused))


def table(rows: list) -> str:
    width = max((len(p) for p, _, _ in rows), default=10)
    lines = ["", "Isolation and limits probes (hostile trainees on the guide's hub)",
             f"{'probe':<{width}}  outcome"]
    lines += [f"{probe:<{width}}  {'refused' if ok else 'ALLOWED'}: {detail}" for probe, detail, ok in rows]
    return "\n".join(lines)


def write(rows: list) -> str:
    text = table(rows)
    folder = Path(os.environ.get("QIKIT_E2E_REPORT_DIR", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "qikit-isolation-probes.txt").write_text(text + "\n")
    return text
