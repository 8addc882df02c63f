"""What a submission did to the assignment, and feedback that gives no hidden test away.

Three parts, each an nbgrader preprocessor the course's configuration installs:

``ReportingOverwriteCells`` (autograde's sanitising step, in place of nbgrader's ``OverwriteCells``)
    restores every locked cell, its points and its lock from the gradebook, exactly as ``OverwriteCells``
    does, but reports only real changes, naming the cell: a changed source (compared with the
    *released* cell, so the hidden tests nbgrader removed for the release do not count as a change, which
    made nbgrader warn "checksum ... has changed!" for every untouched submission), changed points,
    a deleted cell. It also scans the student's own code (``scan_code``) for code that patches the
    checks' world (builtins, numpy, qikit), looks for the hidden tests (IPython's history, ``linecache``,
    frames, audit hooks, the notebook files), runs dynamic code, or reaches for processes and the network.
    The findings go to the log (one line per finding, none for an untouched notebook), to the autograded
    notebook's metadata (``qikit.integrity``) and to the grading records (``qikit.grading.records``).

``SafeClearHiddenTests`` (feedback)
    removes hidden tests from the locked test cells only: a student's own cell that contains the marker
    text is left as the student wrote it (nbgrader's ``ClearHiddenTests`` raised "Encountered nested begin
    hidden tests statements" on it, and the student got no feedback).

``RedactHiddenTests`` (feedback, before ``SafeClearHiddenTests``)
    removes every line of every hidden test of the course (all assignments, from the gradebook) from
    every output of every cell: stream, display data, results and errors, whatever printed them. For a
    submission flagged by ``scan_code`` as reaching for the hidden tests, it goes further: only the
    checks' own messages are kept, since an encoded copy of a hidden test cannot be recognised.

``ContainHiddenTestRuns`` (feedback, first)
    closes the route no scan can see: student code in the kernel itself (an IPython ``pre_run_cell`` hook,
    an audit hook, a patched ``showtraceback``) sees each hidden test as it runs and can print it, encoded,
    into that test's output or any later cell's. So in the feedback, from the first cell with hidden tests
    on, a check's output is only its own error, with the message kept only when it is one the check's
    author wrote (an ``assert``'s message, f-strings matched with their values), and a student's own cell
    shows a note instead of its output. Marks are untouched: this edits the feedback copy only.
"""

from __future__ import annotations

import ast
import re

from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells

from .records import GradingRecords

HIDDEN_BEGIN, HIDDEN_END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
REDACTED = "[hidden test removed]"


def _split_hidden(source: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """A cell's lines outside and inside its hidden-test regions (the marker lines themselves in neither)."""
    outside: list[str] = []
    inside: list[str] = []
    hidden = False
    for line in source.split("\n"):
        if begin in line:
            hidden = True
        elif end in line:
            hidden = False
        else:
            (inside if hidden else outside).append(line)
    return outside, inside


def released_source(source: str, begin: str = HIDDEN_BEGIN, end: str = HIDDEN_END) -> str:
    """A test cell's source as nbgrader releases it: the hidden regions (markers included) removed."""
    return "\n".join(_split_hidden(source, begin, end)[0])


def hidden_lines(source: str, begin: str = HIDDEN_BEGIN, end: str = HIDDEN_END) -> list[str]:
    """The lines inside a cell's hidden-test regions, stripped (blank lines left out)."""
    return [line.strip() for line in _split_hidden(source, begin, end)[1] if line.strip()]


# ------------------------------------------------------------------------------------------------
# scanning a student's code

#: name used in code -> (kind, what it means). Kinds: "patch" changes the checks' world, "peek" can
#: reach the hidden tests or the grader's files, "escape" runs processes, dynamic code or the network.
SUSPECT_NAMES = {
    "builtins": ("patch", "changes Python's builtins"),
    "__builtins__": ("patch", "changes Python's builtins"),
    "In": ("peek", "reads IPython's input history"),
    "_ih": ("peek", "reads IPython's input history"),
    "Out": ("peek", "reads IPython's output history"),
    "_oh": ("peek", "reads IPython's output history"),
    "get_ipython": ("peek", "uses the IPython shell object"),
    "linecache": ("peek", "reads cached cell sources (linecache)"),
    "inspect": ("peek", "inspects running code (inspect)"),
    "_getframe": ("peek", "reads the caller's frame"),
    "f_back": ("peek", "reads the caller's frame"),
    "f_code": ("peek", "reads running code objects"),
    "co_consts": ("peek", "reads running code objects"),
    "gc": ("peek", "searches live objects (gc)"),
    "addaudithook": ("peek", "installs an audit hook"),
    "settrace": ("peek", "installs a tracer"),
    "setprofile": ("peek", "installs a profiler"),
    "traceback": ("peek", "formats stack frames (traceback)"),
    "NBGRADER_EXECUTION": ("peek", "detects that it is being graded"),
    "exec": ("escape", "runs dynamic code (exec)"),
    "eval": ("escape", "runs dynamic code (eval)"),
    "compile": ("escape", "compiles dynamic code"),
    "__import__": ("escape", "imports modules dynamically"),
    "importlib": ("escape", "imports modules dynamically"),
    "subprocess": ("escape", "starts processes"),
    "fork": ("escape", "starts processes (fork)"),
    "system": ("escape", "runs shell commands"),
    "popen": ("escape", "runs shell commands"),
    "_exit": ("escape", "ends the kernel (os._exit)"),
    "kill": ("escape", "sends signals to processes"),
    "signal": ("escape", "changes signal handling"),
    "ctypes": ("escape", "calls C functions (ctypes)"),
    "socket": ("escape", "opens network connections"),
    "urllib": ("escape", "opens network connections"),
    "requests": ("escape", "opens network connections"),
    "http": ("escape", "opens network connections"),
    "sys.modules": ("patch", "replaces imported modules"),
}
#: Modules the checks rely on: assigning to their attributes is patching the checks' world.
CHECKED_MODULES = {"np", "numpy", "pd", "pandas", "qikit", "math", "builtins", "__builtins__", "operator",
                   "datetime", "dt"}
MARKER_WORDS = ("HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION", "source/", "gradebook", "autograded")


def scan_code(source: str) -> list[dict]:
    """Findings in one cell of a student's code: ``[{"kind", "what", "line"}]``.

    Honest answers to the course's questions use none of these; a finding is a reason for a tutor to
    look, not proof of cheating. Code that does not parse is scanned as text.
    """
    text = _strip_magics(source)
    found: dict[tuple, dict] = {}

    def add(kind, what, line):
        found.setdefault((kind, what), {"kind": kind, "what": what, "line": line})

    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    if tree is None:
        for name, (kind, what) in SUSPECT_NAMES.items():
            if re.search(rf"\b{re.escape(name)}\b", text):
                add(kind, what, None)
    else:
        for node in ast.walk(tree):
            line = getattr(node, "lineno", None)
            if isinstance(node, ast.Name) and node.id in SUSPECT_NAMES:
                add(*SUSPECT_NAMES[node.id], line)
            elif isinstance(node, ast.Attribute) and node.attr in SUSPECT_NAMES:
                add(*SUSPECT_NAMES[node.attr], line)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if getattr(node, "module", None) else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in SUSPECT_NAMES:
                        add(*SUSPECT_NAMES[top], line)
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                for target in targets:
                    base = target
                    while isinstance(base, (ast.Attribute, ast.Subscript)):
                        base = base.value
                    if isinstance(target, (ast.Attribute, ast.Subscript)) and isinstance(base, ast.Name) \
                            and base.id in CHECKED_MODULES:
                        add("patch", f"changes {ast.unparse(target)}", line)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"setattr",
                                                                                                  "delattr"}:
                if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in CHECKED_MODULES:
                    add("patch", f"changes an attribute of {node.args[0].id}", line)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in {
                    "print", "len", "sum", "round", "abs", "isinstance", "float", "int", "str", "sorted",
                    "min", "max", "AssertionError", "bool", "type", "set", "list", "dict", "tuple"}:
                add("patch", f"redefines the builtin {node.name}", line)
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in {
                            "print", "len", "sum", "round", "abs", "isinstance", "float", "int", "str", "sorted",
                            "min", "max", "AssertionError", "bool", "type", "set", "list", "dict", "tuple"}:
                        add("patch", f"redefines the builtin {target.id}", line)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for word in MARKER_WORDS:
                    if word in node.value or (len(node.value) >= 4 and node.value in word and word[0] != "/"
                                              and node.value.strip() in {"HIDDEN", "TESTS", "HIDDEN TESTS"}):
                        add("peek", f"mentions {word!r}", line)
    for word in ("HIDDEN TESTS", "BEGIN SOLUTION"):
        if word in source:
            add("peek", f"mentions {word!r}", None)
    return sorted(found.values(), key=lambda f: (f["kind"], f["what"]))


def _strip_magics(source: str) -> str:
    """IPython lines (``%magic``, ``!shell``) as Python comments, keeping them visible to the text scan."""
    lines = []
    for line in source.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            lines.append(line[: len(line) - len(stripped)] + "system(" + repr(stripped) + ")")
        else:
            lines.append(line)
    return "\n".join(lines)


def is_student_code(cell) -> bool:
    """A code cell the student wrote or may edit: answers and cells they added (not locked cells)."""
    return cell.get("cell_type") == "code" and not utils.is_locked(cell)


# ------------------------------------------------------------------------------------------------
# autograde: restore locked cells, report what changed


class ReportingOverwriteCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, reporting real changes by cell name (see the module docstring)."""

    def preprocess(self, nb, resources):
        self._findings: list[dict] = []
        self._untouched = False
        self._current = None
        present = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells}
        code_flags = []
        for index, cell in enumerate(nb.cells):
            if is_student_code(cell):
                name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1} (added)"
                for finding in scan_code(cell.source):
                    code_flags.append({**finding, "cell": name})
        nb, resources = super().preprocess(nb, resources)
        from nbgrader.api import Gradebook

        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            source_nb = gb.find_notebook(resources["nbgrader"]["notebook"], resources["nbgrader"]["assignment"])
            for cell in source_nb.source_cells:
                if cell.locked and cell.name not in present:
                    self._findings.append({"cell": cell.name, "change": "deleted",
                                           "detail": "a locked cell was deleted"})
        student = resources["nbgrader"].get("student")
        for finding in self._findings:
            self.log.warning("TAMPERING %s: cell %s %s", student, finding["cell"], finding["detail"])
        for flag in code_flags:
            self.log.warning("FLAG %s: cell %s %s (%s)", student, flag["cell"], flag["what"], flag["kind"])
        integrity = {"tampering": self._findings, "code": code_flags}
        nb.metadata.setdefault("qikit", {})["integrity"] = integrity
        GradingRecords(parent=self).update(resources["nbgrader"], reset=True, integrity=integrity)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        self._current = grade_id
        self._untouched = False
        if grade_id is not None:
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
                self._untouched = cell.source == released_source(source_cell.source)
            except Exception:  # not in the gradebook: OverwriteCells reports it
                pass
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum":
            if self._untouched:
                return  # the released cell lacks the hidden tests: that is not a change
            detail = "had its source changed (restored from the gradebook)"
        elif attr == "points":
            detail = f"had its points changed from {old:g} to {new:g} (restored)"
        elif attr == "locked":
            detail = "had its lock removed (restored)" if old else "was locked (restored)"
        else:
            detail = f"had its {attr} changed from {old} to {new} (restored)"
        super().report_change(name, attr, old, new)  # nbgrader's own warning, now only for real changes
        self._findings.append({"cell": name, "change": attr, "detail": detail})


# ------------------------------------------------------------------------------------------------
# feedback


class SafeClearHiddenTests(ClearHiddenTests):
    """``ClearHiddenTests`` on the locked test cells only; a student's cell is shown as written."""

    def preprocess_cell(self, cell, resources, cell_index):
        if utils.is_grade(cell) and utils.is_locked(cell) and cell.cell_type == "code":
            return super().preprocess_cell(cell, resources, cell_index)
        return cell, resources


class RedactHiddenTests(NbGraderPreprocessor):
    """Remove every hidden-test line of the course from every output (see the module docstring)."""

    min_length = 6

    def preprocess(self, nb, resources):
        lines = set()
        for cell in nb.cells:
            if cell.cell_type == "code":
                lines.update(hidden_lines(cell.source))
        lines.update(self._course_hidden_lines(resources))
        self._lines = sorted((line for line in lines if len(line) >= self.min_length), key=len, reverse=True)
        integrity = nb.metadata.get("qikit", {}).get("integrity", {})
        self._strict = any(f["kind"] in {"peek", "escape"} for f in integrity.get("code", []))
        return super().preprocess(nb, resources)

    def _course_hidden_lines(self, resources) -> set:
        from nbgrader.api import Gradebook

        out: set = set()
        db_url = resources.get("nbgrader", {}).get("db_url")
        if not db_url:
            return out
        with Gradebook(db_url) as gb:
            for assignment in gb.assignments:
                for notebook in assignment.notebooks:
                    for cell in notebook.source_cells:
                        if HIDDEN_BEGIN in cell.source:
                            out.update(hidden_lines(cell.source))
        return out

    def redact(self, text: str) -> str:
        if not isinstance(text, str):
            return text
        for line in self._lines:
            if line in text:
                text = text.replace(line, REDACTED)
        for marker in (HIDDEN_BEGIN, HIDDEN_END):
            text = text.replace(marker, "[marker removed]")
        return text

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            if self._strict:
                output = self._strict_output(cell, output)
                if output is None:
                    continue
            kind = output.get("output_type")
            if kind == "stream":
                output["text"] = self.redact(output.get("text", ""))
            elif kind == "error":
                output["ename"] = self.redact(output.get("ename", ""))
                output["evalue"] = self.redact(output.get("evalue", ""))
                output["traceback"] = [self.redact(t) for t in output.get("traceback", [])]
            elif kind in {"display_data", "execute_result"}:
                data = output.get("data", {})
                for mime in list(data):
                    if mime.startswith("text/") or mime in {"application/json", "application/javascript"}:
                        value = data[mime]
                        data[mime] = self.redact(value if isinstance(value, str) else str(value))
            outputs.append(output)
        if self._strict and cell.get("outputs") and not outputs:
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": "(Output not shown: your tutor will review this submission.)\n"})
        cell["outputs"] = outputs
        return cell, resources

    @staticmethod
    def _strict_output(cell, output):
        """For a flagged submission: a check's own error message, or nothing."""
        if output.get("output_type") != "error" or not (utils.is_grade(cell) and utils.is_locked(cell)):
            return None
        evalue = output.get("evalue", "")
        known = evalue and evalue in cell.source
        builtin = output.get("ename") in {"AssertionError", "NameError", "TypeError", "ValueError", "KeyError",
                                          "AttributeError", "IndexError", "ZeroDivisionError",
                                          "CellTimeoutError", "NotImplementedError"}
        return {"output_type": "error", "ename": output.get("ename") if builtin else "Error",
                "evalue": evalue if known else "(message not shown)", "traceback": []}


#: What a student's cell shows in feedback when it ran after the hidden checks.
WITHHELD = ("(Output not shown in feedback: this cell ran after the hidden checks. Your own notebook has "
            "it.)\n")
#: Error names kept as they are in a check's output; any other becomes "Error".
PLAIN_ERRORS = frozenset({"AssertionError", "NameError", "TypeError", "ValueError", "KeyError", "AttributeError",
                          "IndexError", "ZeroDivisionError", "CellTimeoutError", "NotImplementedError",
                          "ModuleNotFoundError", "ImportError"})


def check_messages(source: str) -> list[re.Pattern]:
    """The messages a check's author wrote (``assert x, "message"``, ``raise AssertionError("...")``), as
    patterns an error's text must match in full; an f-string's values match anything on one line.

    >>> bool(check_messages('assert x == 2, "Use the pooled rate."')[0].fullmatch("Use the pooled rate."))
    True
    >>> bool(check_messages('assert x, f"got {x}, expected 2"')[0].fullmatch("got 3, expected 2"))
    True
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []

    def pattern(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return re.escape(node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[^\n]*" for v in node.values)
        return None

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            found.append(pattern(node.msg))
        elif (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args
              and getattr(node.exc.func, "id", None) == "AssertionError"):
            found.append(pattern(node.exc.args[0]))
    return [re.compile(p, re.S) for p in found if p is not None]


class ContainHiddenTestRuns(NbGraderPreprocessor):
    """From the first cell with hidden tests on: checks show only their author's messages, and students'
    cells show a note instead of their output (see the module docstring)."""

    def preprocess(self, nb, resources):
        first = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and _is_check(cell)
                      and HIDDEN_BEGIN in cell.source), None)
        if first is None:
            return nb, resources
        for cell in nb.cells[first:]:
            if cell.cell_type != "code" or not cell.get("outputs"):
                continue
            if _is_check(cell):
                messages = check_messages(cell.source)
                cell["outputs"] = [self._vetted(o, messages) for o in cell["outputs"]
                                   if o.get("output_type") == "error"]
            else:
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": WITHHELD}]
        return nb, resources

    @staticmethod
    def _vetted(output, messages) -> dict:
        ename = output.get("ename", "")
        evalue = output.get("evalue", "")
        if not any(m.fullmatch(evalue) for m in messages):
            evalue = "This check did not pass." if ename == "AssertionError" else "(message not shown)"
        ename = ename if ename in PLAIN_ERRORS else "Error"
        return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]}


def _is_check(cell) -> bool:
    """A locked, graded cell that is not the student's answer: an autograder test."""
    return bool(utils.is_grade(cell) and not utils.is_solution(cell))
