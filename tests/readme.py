"""Read the set-up commands and code examples out of README.md, so tests exercise what it says."""

from __future__ import annotations

import re

from conftest import ROOT


def command_block(marker: str) -> str:
    """The one-line shell command in the ```bash block that follows ``<!-- marker -->``."""
    text = (ROOT / "README.md").read_text()
    m = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", text, re.S)
    assert m, f"README.md has no {marker} block"
    lines = [ln for ln in m.group(1).splitlines() if ln.strip()]
    assert len(lines) == 1, f"the {marker} must be one line"
    return lines[0]


def python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)\n```", text, re.S)
