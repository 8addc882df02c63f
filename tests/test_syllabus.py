"""The curriculum map in course/syllabus.md: every notebook section and assignment question it names exists,
heading for heading, and every topic is either mapped or says "not covered".

A reference is written `NN-name.ipynb` › "## heading" (a notebook section: the heading must be a line of the
notebook, exactly) or `aN_name` › "## Question N" (an assignment question: a heading of the source notebook
that is this text or starts with it followed by ":" or a space). Rows marked *(at merge)* point to notebook 11
and assignment a8, written on other branches: they are checked like every other row, so they fail until
those files land with the headings named (nothing is skipped).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SYLLABUS = ROOT / "course" / "syllabus.md"
REF = re.compile(r"`(?P<file>\d\d-[a-z0-9-]+\.ipynb|a\d+_[a-z0-9_]+)` › \"(?P<heading>[^\"]+)\"")


def _map_rows() -> list[tuple[str, str]]:
    """(section of the map, row) for every table row of the curriculum map."""
    text = SYLLABUS.read_text(encoding="utf-8")
    start = text.index("## Curriculum map")
    end = text.index("\n## ", start + 1)
    rows, section = [], ""
    for line in text[start:end].splitlines():
        if line.startswith("### "):
            section = line[4:]
        elif line.startswith("|") and not line.startswith("| ---") and not re.match(r"\| (topic|course) \|", line):
            rows.append((section, line))
    return rows


ROWS = _map_rows()
REFS = sorted({(m["file"], m["heading"], "*(at merge)*" in row) for _, row in ROWS for m in REF.finditer(row)})


def _headings(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [line.rstrip() for c in cells if c["cell_type"] == "markdown" for line in "".join(c["source"]).splitlines()
            if re.match(r"^#{1,6} ", line)]


def _target(file: str) -> Path:
    if file.endswith(".ipynb"):
        return ROOT / "notebooks" / file
    return ROOT / "assignments" / "source" / file / f"{file}.ipynb"


def test_the_map_has_every_curriculum_and_ihi_course():
    sections = {s for s, _ in ROWS}
    assert any("AoMRC" in s for s in sections) and any("IHI" in s for s in sections)
    courses = {row.split("|")[1].strip() for s, row in ROWS if "IHI" in s}
    assert courses == {f"QI 10{n}" for n in range(1, 7)}
    assert len(ROWS) >= 40


@pytest.mark.parametrize("section, row", ROWS, ids=[r.split("|")[-3].strip()[:50] for _, r in ROWS])
def test_every_topic_is_mapped_or_says_not_covered(section, row):
    taught = row.rstrip("|").split("|")[-1]
    refs = list(REF.finditer(taught))
    assert refs or taught.strip().startswith("not covered"), f"{section}: {row}"
    assert taught.count("›") == len(refs), f"a reference is not in the form `file` › \"## heading\": {taught}"


@pytest.mark.parametrize("file, heading, at_merge", REFS,
                         ids=[f"{f} {h}{' (at merge)' if m else ''}" for f, h, m in REFS])
def test_every_mapped_section_exists(file, heading, at_merge):
    path = _target(file)
    assert path.exists(), f"{path.relative_to(ROOT)} does not exist" + (" (a row marked at merge)" if at_merge else "")
    found = _headings(path)
    if file.endswith(".ipynb"):
        assert heading in found, f"{file} has no heading {heading!r}; its headings: {found}"
    else:
        assert any(h == heading or h.startswith(heading + ":") or h.startswith(heading + " ") for h in found), \
            f"{file} has no question {heading!r}; its headings: {found}"
