"""The course notebooks: their structure, their stored outputs, and a clean run of each.

Three kinds of test, over every ``notebooks/NN-*.ipynb`` present:

1. **Structure** (from the cells' text): a title and the time it takes; 3-5 learning outcomes with
   observable verbs; at least two exercises, each with a ``# Your turn`` cell; the closing sections
   "What this means for your project", "Self-check" and "References", in that order; short cells for the
   trainee; alt text for every chart.
2. **Stored outputs**: what a trainee sees before running anything. Cells ran once each, top to bottom;
   no errors, tracebacks, warnings or stderr; nothing volatile (memory addresses, timestamps, absolute
   paths, timing metadata).
3. **Execution**: each notebook runs from a clean kernel with nbclient, from a copy of ``notebooks/`` so
   that nothing is written into the repository, and shows no error, stderr or warning.

nbval (configured in pyproject.toml) separately re-runs the notebooks and compares outputs with the
stored ones.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

EXPECTED = [
    "00-start-here",
    "01-what-is-quality",
    "02-model-for-improvement",
    "03-understanding-the-system",
    "04-run-charts",
    "05-variation",
    "06-control-charts",
    "07-pdsa-cycles",
    "08-making-data-count",
    "09-sustain-and-spread",
    "10-people-and-change",
    "11-your-qi-project",
]
#: Notebooks still being written. Remove each name when its notebook is added, so that the series
#: check becomes strict (an empty set means all twelve must exist).
PENDING: set[str] = set()

PRESENT = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
IDS = [p.stem for p in PRESENT]

#: Outcome verbs that cannot be observed (Bloom; "understand" cannot be assessed as written).
VAGUE_VERBS = {"understand", "know", "appreciate", "learn", "realise", "realize", "be", "become", "grasp"}
MAX_YOUR_TURN_LINES = 10
CLOSING = "What this means for your project"


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _headings(nb) -> list[tuple[int, int, str]]:
    """(cell index, level, text) of every Markdown heading, in order."""
    out = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        in_fence = False
        for line in cell.source.splitlines():
            if line.startswith("```"):
                in_fence = not in_fence
            match = re.match(r"^(#{1,6})\s+(.*\S)", line)
            if match and not in_fence:
                out.append((i, len(match.group(1)), match.group(2)))
    return out


def _section(nb, heading_text: str) -> tuple[int, int]:
    """The cell range [start, end) of the section whose heading contains ``heading_text``."""
    heads = _headings(nb)
    for n, (i, level, text) in enumerate(heads):
        if heading_text.lower() in text.lower():
            later = [j for j, lv, _ in heads[n + 1:] if lv <= level and j > i]
            return i, (later[0] if later else len(nb.cells))
    raise AssertionError(f"no heading containing {heading_text!r}")


# ------------------------------------------------------------------------------------- the series
def test_series_is_complete():
    names = {p.stem for p in PRESENT}
    unexpected = names - set(EXPECTED)
    assert not unexpected, f"notebooks not in the series: {sorted(unexpected)}"
    missing = set(EXPECTED) - names
    assert missing <= PENDING, f"notebooks missing from the series: {sorted(missing - PENDING)}"
    done = PENDING & names
    assert not done, f"{sorted(done)} now exist: remove them from PENDING in this file so the check is strict"


def test_readme_lists_every_notebook():
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert name in readme, f"notebooks/README.md does not list {name}"


# ------------------------------------------------------------------------------------- structure
@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_opens_with_title_time_and_outcomes(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "the first cell must be the title"
    opening = "\n".join(c.source for c in nb.cells[:3] if c.cell_type == "markdown")
    assert re.search(r"\*\*Time:\*\*\s+about \d+ minutes", opening), "say the time it takes near the top"
    start, end = _section(nb, "Learning outcomes")
    heads = _headings(nb)
    assert heads[1][2] == "Learning outcomes", "Learning outcomes come straight after the title"
    text = "\n".join(nb.cells[i].source for i in range(start, end) if nb.cells[i].cell_type == "markdown")
    items = re.findall(r"^\d+\.\s+(.*)$", text, re.M)
    assert 3 <= len(items) <= 5, f"{len(items)} learning outcomes; give 3 to 5"
    for item in items:
        verb = re.sub(r"[*_]", "", item).split()[0].lower()
        assert verb not in VAGUE_VERBS, f"outcome {item!r} starts with {verb!r}: use an observable verb"


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_has_exercises_with_a_cell_to_answer(path):
    nb = _read(path)
    exercises = [text for _, _, text in _headings(nb) if "exercise" in text.lower()]
    assert len(exercises) >= 2, f"{len(exercises)} exercise heading(s); give at least two"
    for text in exercises:
        start, end = _section(nb, text)
        cells = nb.cells[start:end]
        assert any(c.cell_type == "code" and "# Your turn" in c.source for c in cells), \
            f"exercise {text!r} has no '# Your turn' cell for the answer"


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_closes_with_project_self_check_and_references(path):
    nb = _read(path)
    heads = [text for _, _, text in _headings(nb)]
    for needed in (CLOSING, "Self-check", "References"):
        assert needed in heads, f"no section headed {needed!r}"
    order = [heads.index(CLOSING), heads.index("Self-check"), heads.index("References")]
    assert order == sorted(order), "close with: What this means for your project, Self-check, References"
    last_exercise = max(n for n, text in enumerate(heads) if "exercise" in text.lower())
    assert last_exercise < order[0], "exercises come before 'What this means for your project'"
    assert heads[-1] == "References", "References is the last section"
    start, end = _section(nb, "References")
    refs = re.findall(r"^- ", "\n".join(c.source for c in nb.cells[start:end]), re.M)
    assert len(refs) >= 2, "cite at least two sources"
    s_start, s_end = _section(nb, "Self-check")
    assert any(c.cell_type == "code" for c in nb.cells[s_start:s_end]), "the self-check needs a cell to answer in"


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_trainee_cells_are_short(path):
    for cell in _read(path).cells:
        if cell.cell_type == "code" and "# Your turn" in cell.source:
            lines = [line for line in cell.source.splitlines() if line.strip()]
            assert len(lines) <= MAX_YOUR_TURN_LINES, f"a '# Your turn' cell has {len(lines)} lines:\n{cell.source}"


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_every_chart_has_alt_text(path):
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        draws = any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
        described = "describe(" in cell.source or "# alt text" in cell.source
        if draws:
            assert described, \
                f"a chart without alt text (print its describe(), or say where it is with '# alt text'):\n{cell.source}"


# ------------------------------------------------------------------------------------- stored outputs
_VOLATILE = {
    "a memory address": re.compile(r"\b0x[0-9a-fA-F]{6,}\b"),
    "a timestamp": re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}"),
    "an absolute path": re.compile(r"(/work/|/home/|/tmp/|/Users/|[A-Z]:\\\\)"),
}


def _texts(output) -> list[str]:
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return ["\n".join(output.get("traceback", []))]
    return [v if isinstance(v, str) else "\n".join(v) for k, v in output.get("data", {}).items()
            if k.startswith("text/")]


def _problems(nb) -> list[str]:
    """Error, stderr or warning outputs a trainee would see, with the cell they came from."""
    found = []
    for n, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            where = f"cell {n} ({cell.get('id', '?')})"
            if out.output_type == "error":
                found.append(f"{where}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                found.append(f"{where} wrote to stderr: {out.text[:300]}")
            elif any(re.search(r"\w*Warning\b", t) for t in _texts(out)):
                found.append(f"{where} shows a warning: {' '.join(_texts(out))[:300]}")
    return found


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_stored_outputs_are_clean(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"stored outputs must come from one clean run, top to bottom; execution counts are {counts}"
    assert not _problems(nb), "\n".join(_problems(nb))
    for cell in code:
        assert "execution" not in cell.metadata, "strip nbclient's timing metadata (record_timing=False)"
        for out in cell.outputs:
            for text in _texts(out):
                for what, pattern in _VOLATILE.items():
                    assert not pattern.search(text), f"an output holds {what}: {pattern.search(text).group()!r}"


@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_charts_are_stored_as_pictures(path):
    """A cell that draws (``.plot(`` or ``draw(``) shows a picture, so a trainee sees it before running."""
    for cell in _read(path).cells:
        if cell.cell_type == "code" and re.search(r"\.plot\(|\bdraw\(", cell.source):
            pictures = [out for out in cell.outputs if "image/png" in out.get("data", {})]
            assert pictures, \
                f"no stored picture for:\n{cell.source}"


# ------------------------------------------------------------------------------------- execution
def _blank(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


@pytest.fixture(scope="module")
def fresh_runs(tmp_path_factory) -> dict:
    """Every notebook run once from a clean kernel, a few at a time (one per core), from a copy of
    notebooks/ with its data/ folder, so that running them writes nothing into the repository.
    Returns {notebook name: executed notebook}."""
    import asyncio
    import os

    from nbclient import NotebookClient

    workdir = tmp_path_factory.mktemp("course") / "notebooks"
    shutil.copytree(NOTEBOOKS, workdir, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
    limit = asyncio.Semaphore(max(1, os.cpu_count() or 1))

    async def run(path: Path):
        nb = _blank(_read(path))
        client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True, record_timing=False,
                                resources={"metadata": {"path": str(workdir)}})
        async with limit:
            await client.async_execute()
        return path.stem, nb

    async def run_all():
        return dict(await asyncio.gather(*(run(p) for p in PRESENT)))

    return asyncio.run(run_all())


@pytest.mark.slow
@pytest.mark.parametrize("path", PRESENT, ids=IDS)
def test_runs_from_a_clean_kernel(path, fresh_runs):
    problems = _problems(fresh_runs[path.stem])
    assert not problems, f"{path.name} shows a trainee:\n" + "\n".join(problems)
