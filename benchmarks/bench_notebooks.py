"""Time each course notebook's full headless run, kernel start included, and print a table.

Run:  .venv/bin/python benchmarks/bench_notebooks.py [--repeat 3] [notebooks/02-*.ipynb ...]

Each run is what a trainee's "Restart Kernel and Run All Cells" costs: start a fresh IPython kernel, run
every cell with nbclient from a copy of ``notebooks/`` (so nothing is written into the repository), shut
the kernel down. The best of ``--repeat`` runs is reported, with the median beside it.
Target (issue 6): each notebook under 10 s and the whole series under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EACH_TARGET, SERIES_TARGET = 10.0, 60.0


def run_once(path: Path, workdir: Path) -> tuple[float, int]:
    """Seconds for one clean run of ``path`` (kernel start to shutdown), and the number of error outputs."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=True, record_timing=False,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()
    seconds = time.perf_counter() - start
    errors = sum(out.output_type == "error" for cell in nb.cells for out in cell.get("outputs", []))
    return seconds, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/NN-*.ipynb")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = [p.resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    os.environ.setdefault("MPLBACKEND", "agg")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch) / "notebooks"
        shutil.copytree(ROOT / "notebooks", workdir, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        for path in paths:
            runs = [run_once(path, workdir) for _ in range(max(1, args.repeat))]
            times = [t for t, _ in runs]
            rows.append((path.stem, min(times), statistics.median(times), max(e for _, e in runs)))

    print(f"{os.cpu_count()} cores; best and median of {args.repeat} clean runs (kernel start included)\n")
    print(f"{'notebook':<34} {'best s':>7} {'median s':>9} {'errors':>7}  target < {EACH_TARGET:g} s")
    for name, best, median, errors in rows:
        flag = "ok" if best < EACH_TARGET else "SLOW"
        print(f"{name:<34} {best:>7.2f} {median:>9.2f} {errors:>7}  {flag}")
    total = sum(best for _, best, _, _ in rows)
    flag = "ok" if total < SERIES_TARGET else "SLOW"
    print(f"{'series (sum of best)':<34} {total:>7.2f} {'':>9} {'':>7}  {flag} (target < {SERIES_TARGET:g} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
