"""Re-execute course notebooks in place from a clean kernel, so their stored outputs match the code.

Run after changing qikit or a notebook:   .venv/bin/python notebooks/data/run_notebooks.py [NN ...]
(with no numbers, all notebooks). Outputs are stored without timing metadata, from the notebooks/ folder,
as tests/test_notebooks.py and nbval expect.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parents[1]


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    NotebookClient(nb, kernel_name="python3", timeout=300, record_timing=False,
                   resources={"metadata": {"path": str(HERE)}}).execute()
    nbformat.write(nb, path)


def main(argv: list[str]) -> None:
    os.environ.setdefault("MPLBACKEND", "agg")
    paths = sorted(HERE.glob("[0-9][0-9]-*.ipynb"))
    if argv:
        paths = [p for p in paths if p.name[:2] in argv]
    for path in paths:
        print(f"running {path.name}", flush=True)
        run(path)


if __name__ == "__main__":
    main(sys.argv[1:])
