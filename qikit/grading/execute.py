"""nbgrader's execution step, with every kernel in a sandbox and the output it keeps bounded.

``SandboxedExecute`` replaces nbgrader's ``Execute`` preprocessor in ``Autograde.autograde_preprocessors``
(``autograde_preprocessors()`` gives nbgrader's list with it swapped in). Compared with ``Execute`` it

- starts each kernel with ``SandboxedKernelManager`` (see ``qikit.grading.sandbox``), and refuses to run
  (``SandboxUnavailable``) where no sandbox can be made, unless the educator asked for unsafe grading;
- keeps at most ``cell_output_limit`` characters of output per cell and ``output_limit`` per notebook
  (the rest is dropped as it arrives, so 100 MB of printing costs neither memory nor a huge feedback page);
- runs autograder test cells without storing them in IPython's history, so a later student cell cannot
  print them from ``In``, ``_ih`` or ``Out``;
- raises ``SubmissionNotGraded`` naming the limit when the kernel was killed for using too much memory,
  too many processes or too long.

Scores are computed exactly as nbgrader's ``Execute`` computes them: the same cells run in the same
order with the same timeout.
"""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from traitlets import Integer

from .records import GradingRecords
from .sandbox import Sandbox, SandboxedKernelManager


class SubmissionNotGraded(RuntimeError):
    """The submission's kernel was stopped by a sandbox limit; the message says which."""


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _size(msg) -> int:
    content = msg.get("content", {})
    if msg.get("msg_type") == "stream":
        return len(content.get("text", ""))
    if msg.get("msg_type") == "error":
        return len(content.get("evalue", "")) + sum(len(line) for line in content.get("traceback", []))
    data = content.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())


def _cell_name(cell, index: int) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"


def not_graded_reason(error: BaseException, events=()) -> str:
    """Why a notebook could not be graded, in words for the educator."""
    name = type(error).__name__
    if "memory" in events:
        return "the memory limit was reached and the kernel was stopped (a memory bomb?)"
    if "processes" in events:
        return "the process limit was reached (a fork bomb?)"
    if "wall time" in events:
        return "the notebook ran past its total time limit and was stopped"
    if name in {"CellTimeoutError", "TimeoutError", "UnresponsiveKernelError"} or "timed out" in str(error):
        return "a cell ran past the time limit and ignored the interrupt (a loop that ignores Ctrl-C?)"
    if name == "DeadKernelError":
        return "the kernel died while running the notebook (os._exit, a crash, or the kernel was killed)"
    return f"{name}: {str(error).splitlines()[0][:200] if str(error) else ''}"


class SandboxedExecute(Execute):
    """nbgrader's ``Execute`` with sandboxed kernels and bounded output (see the module docstring)."""

    cell_output_limit = Integer(20_000, help="Characters of output kept per cell.").tag(config=True)
    output_limit = Integer(200_000, help="Characters of output kept per notebook.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        sandbox = Sandbox(parent=self)
        if not sandbox.require():
            from jupyter_client.manager import AsyncKernelManager

            self.kernel_manager_class = AsyncKernelManager
        self._qikit_chars = {"total": 0}
        self._qikit_cut: set = set()
        self._qikit_km = None
        records = GradingRecords(parent=self)
        ids = (resources or {}).get("nbgrader", {})
        try:
            nb, resources = super().preprocess(nb, resources, km)
        except Exception as error:
            self._release()
            events = getattr(self._qikit_km, "sandbox_events", [])
            why = not_graded_reason(error, events)
            records.update(ids, status="not graded", why=why, events=events)
            if events:
                raise SubmissionNotGraded(f"stopped by the sandbox: {why}") from error
            raise
        self._release()
        events = getattr(self._qikit_km, "sandbox_events", [])
        timeouts = [_cell_name(cell, i) for i, cell in enumerate(nb.cells)
                    if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", []))]
        memory = [_cell_name(cell, i) for i, cell in enumerate(nb.cells)
                  if any(o.get("ename") == "MemoryError" for o in cell.get("outputs", []))]
        records.update(ids, status="graded", why=None, events=events, timeouts=timeouts, memory_errors=memory,
                       output_cut=[_cell_name(nb.cells[i], i) for i in sorted(self._qikit_cut)])
        return nb, resources

    def _release(self) -> None:
        release = getattr(self._qikit_km, "release_sandbox", None)
        if release is not None:
            release()

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        self._qikit_km = km
        return km

    def preprocess_cell(self, cell, resources, index):
        self._check_assign_resources(resources)
        cell = self.execute_cell(cell, index, store_history=not is_test_cell(cell))
        return cell, self.resources

    def output(self, outs, msg, display_id, cell_index):
        if msg.get("msg_type") in {"stream", "display_data", "execute_result", "error", "update_display_data"}:
            size = _size(msg)
            chars = self._qikit_chars
            kept = chars.get(cell_index, 0)
            if kept + size > self.cell_output_limit or chars["total"] + size > self.output_limit:
                if msg.get("msg_type") == "error":  # keep the error's name and message, short
                    content = msg["content"]
                    outs.append(nbformat.v4.new_output("error", ename=content.get("ename", "Error")[:100],
                                                       evalue=content.get("evalue", "")[:500], traceback=[]))
                elif cell_index not in self._qikit_cut:
                    self._qikit_cut.add(cell_index)
                    outs.append(nbformat.v4.new_output(
                        "stream", name="stderr",
                        text=f"[Output cut: this cell printed more than the grader keeps "
                             f"({self.cell_output_limit} characters a cell, {self.output_limit} a notebook).]\n"))
                return None
            chars[cell_index] = kept + size
            chars["total"] += size
        return super().output(outs, msg, display_id, cell_index)


def autograde_preprocessors() -> list:
    """nbgrader 0.9's ``Autograde.autograde_preprocessors`` with ``SandboxedExecute`` in place of ``Execute``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor

    return [SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
            AssignLatePenalties, CheckCellMetadata]
