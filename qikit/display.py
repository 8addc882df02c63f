"""How qikit's words look in Jupyter: verdicts, sentences and errors as readable HTML.

Plain text stays the source of truth (``str(verdict)``, ``res.explain()``); this module only dresses it for
a notebook. Every colour comes with a mark and a word (✔ Right, ✘ Not yet, ...), so nothing depends on
telling colours apart. Standard library only: importing it does not load IPython, matplotlib or ipywidgets.

:func:`install_error_display` (called when a notebook imports the course helpers, ``qikit.exercises``)
makes a :class:`qikit.QIDataError` show as one short box -- what is wrong, where, how to fix it -- with
the traceback folded away under "Technical details".
"""

from __future__ import annotations

import html
import math
import numbers
import traceback

__all__ = ["verdict_html", "text_html", "Text", "error_html", "install_error_display", "fmt_number"]

# colour-blind-safe pairs (Okabe-Ito based, dark enough for text on a pale background)
_STYLE = {
    "right": ("#005a32", "#e8f5ec"),
    "partly right": ("#7a4b00", "#fff4de"),
    "not yet right": ("#8c1d18", "#fdecea"),
    "not answered": ("#3d3d3d", "#f2f2f2"),
    "form checked": ("#0b4f8a", "#e8f1fa"),
    "error": ("#8c1d18", "#fdecea"),
}
_BOX = ("border-left:6px solid {fg};background:{bg};color:#1a1a1a;padding:0.5em 0.9em;margin:0.3em 0;"
        "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:0.95em;line-height:1.45;"
        "white-space:normal;overflow-wrap:break-word;max-width:60em")


def fmt_number(value, digits: int = 3) -> str:
    """A number as a person would write it: ``digits`` significant figures, thousands separated, never in
    scientific notation (``4.73e-11`` is ``0.0000000000473``; ``95.8511`` is ``95.9``; ``24817`` stays).

    Examples
    --------
    >>> fmt_number(95.8511), fmt_number(24817.0), fmt_number(0.000123456), fmt_number(12)
    ('95.9', '24,817', '0.000123', '12')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs; lines starting with a mark (✔ ✘ ◐ -) become list items."""
    blocks, items = [], []
    for raw in str(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        if raw[:1].isspace() or line[:1] in "-•✔✘◐":
            items.append(f"<li>{_marked(line)}</li>")
            continue
        if items:
            blocks.append("<ul style='margin:0.2em 0 0.2em 1.2em;padding:0'>" + "".join(items) + "</ul>")
            items = []
        blocks.append(f"<p style='margin:0.25em 0'>{_marked(line)}</p>")
    if items:
        blocks.append("<ul style='margin:0.2em 0 0.2em 1.2em;padding:0'>" + "".join(items) + "</ul>")
    return "".join(blocks)


def _marked(line: str) -> str:
    """Escape a line and colour its ✔/✘/◐ marks (the mark itself still carries the meaning)."""
    out = html.escape(line)
    out = out.replace("✔", "<b style='color:#005a32'>✔</b>").replace("✘", "<b style='color:#8c1d18'>✘</b>")
    return out.replace("◐", "<b style='color:#7a4b00'>◐</b>")


def verdict_html(status: str, heading: str, message: str, details=()) -> str:
    """A check's verdict as a box: the heading (mark and word) in bold, the reason, one line per part."""
    fg, bg = _STYLE.get(status, _STYLE["not answered"])
    body = _paragraphs(message) if message else ""
    if details:
        body += ("<ul style='margin:0.2em 0 0.2em 1.2em;padding:0'>"
                 + "".join(f"<li>{_marked(d)}</li>" for d in details) + "</ul>")
    return (f"<div class='qikit-verdict' style=\"{_BOX.format(fg=fg, bg=bg)}\" role='status'>"
            f"<strong style='color:{fg}'>{html.escape(heading)}</strong>{body}</div>")


def text_html(text: str, title: str | None = None) -> str:
    """A qikit sentence or report (``explain()``, ``describe()``) as wrapped HTML paragraphs."""
    head = f"<strong>{html.escape(title)}</strong>" if title else ""
    return f"<div class='qikit-text' style=\"{_BOX.format(fg='#6b6b6b', bg='#fafafa')}\">{head}{_paragraphs(text)}</div>"


class Text(str):
    """A string that Jupyter shows as formatted HTML and everything else as plain text.

    Examples
    --------
    >>> t = Text("No signals: common cause variation.")
    >>> t == "No signals: common cause variation.", "<p" in t._repr_html_()
    (True, True)
    """

    def _repr_html_(self) -> str:
        return text_html(str(self))

    def __repr__(self) -> str:  # plain text front ends show the words, not a quoted string
        return str(self)


def error_html(error: BaseException, technical: str = "") -> str:
    """A qikit error as one short box: what is wrong and where (the message names column and rows), how to
    fix it, and the traceback folded under "Technical details"."""
    fg, bg = _STYLE["error"]
    where = []
    column = getattr(error, "column", None)
    rows = getattr(error, "rows", None)
    if column:
        where.append(f"column or argument <code>{html.escape(str(column))}</code>")
    if rows:
        from .errors import format_rows

        where.append(f"rows {html.escape(format_rows(rows))}")
    where_html = f"<p style='margin:0.25em 0'><b>Where:</b> {'; '.join(where)}.</p>" if where else ""
    fix = ("<p style='margin:0.25em 0'><b>How to fix it:</b> change the cell or the data as the message says, "
           "then run the cell again (if the data came from a file, correct the file and load it again).</p>")
    details = ""
    if technical:
        details = ("<details style='margin-top:0.4em'><summary style='cursor:pointer'>Technical details (for "
                   "whoever maintains the notebook)</summary><pre style='white-space:pre-wrap;font-size:0.85em'>"
                   f"{html.escape(technical)}</pre></details>")
    return (f"<div class='qikit-error' style=\"{_BOX.format(fg=fg, bg=bg)}\" role='alert'>"
            f"<strong style='color:{fg}'>✘ qikit could not use this data</strong>"
            f"<p style='margin:0.25em 0'>{html.escape(str(error))}</p>{where_html}{fix}{details}</div>")


def _handler(shell, etype, evalue, tb, tb_offset=None):  # exercised in a kernel by tests/test_display.py
    """Show the box, then report the error itself in one line: the cell still fails (Run All stops there,
    and nbgrader, which looks for an error output, gives a failing test no marks)."""
    technical = "".join(traceback.format_exception(etype, evalue, tb))
    try:
        from IPython.display import display

        display({"text/html": error_html(evalue, technical)}, raw=True)
        line = [f"{etype.__name__}: {evalue}"]
        if hasattr(shell, "_showtraceback"):  # ipykernel: an "error" output whose traceback is one line
            shell._showtraceback(etype, evalue, line)
        else:  # a terminal: the usual traceback
            shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
    except Exception:  # never hide the error itself
        shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
    return None


def install_error_display() -> bool:
    """In a running IPython kernel, show :class:`qikit.QIDataError` (and other qikit errors) as a short box.

    Does nothing outside IPython (scripts, tests, the grader's plain Python) and returns whether it was
    installed. Other exceptions keep IPython's usual traceback.
    """
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython() if hasattr(ipython, "get_ipython") else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    from .errors import QIError

    shell.set_custom_exc((QIError,), _handler)
    return True
