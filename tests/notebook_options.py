"""Read the multiple-choice options a course notebook prints (``**a.** words``), next to the check that marks
them, so that tests can compare them with the options in ``qikit.exercises._options``."""

from __future__ import annotations

import json
import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
_OPTION = re.compile(r"\*\*([a-e])\.\*\*\s*(.*?)(?=\s*(?:-\s*)?\*\*[a-e]\.\*\*|\n\s*\n|\Z)", re.S)


def notebook_options() -> dict[str, dict[int, dict[str, str]]]:
    """``{"nb04.self_check": {1: {"a": "the mean", ...}, ...}, "nb04.check_which_ward": {0: {...}}}``."""
    found: dict[str, dict[int, dict[str, str]]] = {}
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            text = "".join(cell["source"])
            if cell["cell_type"] != "markdown" or "**a.**" not in text or i + 1 >= len(cells):
                continue
            calls = re.findall(r"(nb\d\d\.\w+)\(", "".join(cells[i + 1]["source"]))
            if not calls:
                continue
            parts = re.split(r"^\s*(\d+)\.\s", text, flags=re.M)
            chunks = [(int(parts[k]), parts[k + 1]) for k in range(1, len(parts), 2)] or [(0, text)]
            if "self_check" not in calls[0]:
                chunks = [(0, text)]
            for number, chunk in chunks:
                options = {k: re.sub(r"\s+", " ", v).strip().rstrip("-").strip() for k, v in _OPTION.findall(chunk)}
                if options:
                    found.setdefault(calls[0], {})[number] = options
    return found
