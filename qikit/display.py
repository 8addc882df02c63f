"""The words and numbers a trainee reads, and how they look in Jupyter.

One place for the wording every result, chart and widget shares: numbers (:func:`fmt_number`,
:func:`number_formatter`, :func:`fmt_value`), dates (:func:`date_style`, :func:`fmt_date`: one style for
a whole series, chosen from the spacing of its dates), lists (:func:`fmt_list`), plurals (:func:`plural`)
and the names of the rule sets (:data:`RULE_SET_NAMES`). Then verdicts, sentences and errors as readable
HTML.

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

__all__ = ["verdict_html", "text_html", "Text", "error_html", "install_error_display", "fmt_number", "fmt_value", "fmt_label", "fmt_ratio",
           "number_formatter", "date_style", "fmt_date", "fmt_list", "plural", "upper_first", "RULE_SET_NAMES",
           "rule_set_name"]

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


def _missing(value) -> bool:
    """True for None, NaN, NaT and infinities (a number that cannot be shown)."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return value != value  # NaT and other NA-like values are not equal to themselves


def fmt_number(value, digits: int = 3, missing: str | None = None, scale: float | None = None) -> str:
    """A number as a person would write it: ``digits`` significant figures, thousands separated, never in
    scientific notation (``4.73e-11`` is ``0.0000000000473``; ``95.8511`` is ``95.9``; ``24817`` stays).
    With ``missing``, a missing or infinite value is shown as that text. With ``scale`` (the size of the
    numbers shown beside it), a value under a millionth of it is rounding noise and shown as 0: a t chart's
    lower limit of 4.73e-11 beside an upper limit of 330 is 0.

    Examples
    --------
    >>> fmt_number(95.8511), fmt_number(24817.0), fmt_number(0.000123456), fmt_number(12)
    ('95.9', '24,817', '0.000123', '12')
    >>> fmt_number(999.6), fmt_number(float("nan"), missing="n/a"), fmt_number(4.73e-11, scale=330)
    ('1,000', 'n/a', '0')
    """
    if missing is not None and _missing(value):
        return missing
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0 or (scale is not None and math.isfinite(scale) and abs(value) < abs(scale) * 1e-6):
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(value, decimals)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_value(value) -> str:
    """A value the user gave (a target, a y value) as they would write it: up to 6 significant figures, so
    ``95.3`` stays ``95.3`` and ``0.0125`` stays ``0.0125``; never scientific notation.

    Examples
    --------
    >>> fmt_value(95.3), fmt_value(10), fmt_value(0.0125), fmt_value(1234567)
    ('95.3', '10', '0.0125', '1,234,567')
    """
    return fmt_number(value, digits=6, missing="missing")


def fmt_ratio(value) -> str:
    """A ratio that is read against 1 (over-dispersion phi, observed / expected): two decimals below 10, so
    0.95 and 1.05 read apart; three significant figures to 100; whole numbers above; "n/a" when missing.

    Examples
    --------
    >>> fmt_ratio(0.68), fmt_ratio(1.5), fmt_ratio(12.34), fmt_ratio(3829.2), fmt_ratio(float("nan"))
    ('0.68', '1.50', '12.3', '3,829', 'n/a')
    """
    if _missing(value):
        return "n/a"
    v = float(value)
    return f"{v:,.0f}" if v >= 100 else fmt_number(v) if v >= 10 else f"{v:.2f}"


def fmt_label(value) -> str:
    """An x value that is a number, as written on an axis or in a sentence: whole numbers without a thousands
    separator (they may be years or subgroup numbers), others to 6 significant figures; never scientific.

    Examples
    --------
    >>> fmt_label(2020.0), fmt_label(7), fmt_label(1.5), fmt_label(0.1 + 0.2), fmt_label(1e-7)
    ('2020', '7', '1.5', '0.3', '0.0000001')
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    v = float(value)
    if not math.isfinite(v):
        return str(value)
    if v.is_integer():
        return str(int(v))
    text = f"{v:g}"
    return fmt_number(v, digits=6) if "e" in text else text


def number_formatter(spread: float, centre: float):
    """A formatter for the numbers of one chart (centre, limits): a fixed number of decimals giving about
    three significant figures of the limits' ``spread`` (or of ``centre`` when there is no spread), so the
    centre and both limits are shown alike and far enough apart to tell them apart.

    Examples
    --------
    >>> f = number_formatter(2.66, 1.944)
    >>> f(1.9444), f(4.60444), f(-0.71556), f(float("nan"))
    ('1.94', '4.60', '-0.72', 'missing')
    """
    scale = abs(spread) if math.isfinite(spread) and spread > 0 else abs(centre)
    if not math.isfinite(scale) or scale == 0:
        decimals = 2
    else:
        decimals = int(min(max(2 - math.floor(math.log10(scale)), 0), 6))

    def fmt(v) -> str:
        if _missing(v):
            return "missing"
        text = f"{float(v):,.{decimals}f}"
        return text.lstrip("-") if float(text.replace(",", "")) == 0 else text

    return fmt


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and ``word``, in the plural when ``count`` is not 1: "1 point", "3 points", "2 facets".

    Examples
    --------
    >>> plural(1, "point"), plural(3, "point"), plural(0, "value"), plural(2, "rule set", "rule sets")
    ('1 point', '3 points', '0 values', '2 rule sets')
    """
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def fmt_list(items, conjunction: str = "and", limit: int | None = None) -> str:
    """Items as a sentence lists them: "a", "a and b", "a, b and c"; with ``limit``, the first ``limit``
    items and "and 4 more".

    Examples
    --------
    >>> fmt_list(["a"]), fmt_list(["a", "b"]), fmt_list(["a", "b", "c"]), fmt_list("abcdef", limit=3)
    ('a', 'a and b', 'a, b and c', 'a, b, c and 3 more')
    """
    words = [str(i) for i in items]
    if limit is not None and len(words) > limit:
        return ", ".join(words[:limit]) + f" {conjunction} {len(words) - limit} more"
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def upper_first(text: str) -> str:
    """The text with its first letter in capitals (the rest untouched)."""
    return text[:1].upper() + text[1:]


#: Rule sets by their key: (short name used in sentences, "The Anhøj rules"; name for captions and menus).
#: Written once here and read by the SPC engine's messages, the chart captions and the widgets.
RULE_SET_NAMES: dict[str, tuple[str, str]] = {
    "anhoej": ("Anhøj", "Anhøj runs analysis"),
    "ihi": ("IHI run-chart", "IHI run-chart rules"),
    "weco": ("Western Electric", "Western Electric rules"),
    "nelson": ("Nelson", "Nelson rules"),
}


def rule_set_name(key: str, long: bool = True) -> str:
    """A rule set's name in words: ``"anhoej"`` is "Anhøj runs analysis" (``long=False``: "Anhøj").

    Examples
    --------
    >>> rule_set_name("weco"), rule_set_name("ihi", long=False), rule_set_name("mine")
    ('Western Electric rules', 'IHI run-chart', 'mine')
    """
    names = RULE_SET_NAMES.get(key)
    return str(key) if names is None else names[1 if long else 0]


def date_style(values) -> str:
    """How to write the dates of one series, decided once from their spacing: ``"month"`` ("Mar 2020") when the
    dates are a month or more apart on the same day of the month (all on the 1st, all on the 15th, or all
    month ends) with no two in one month, so the day says nothing; ``"time"`` ("2 May 2021 14:30") when any
    date has a time of day; otherwise ``"day"`` ("7 Mar 2020"): weekly and daily data, and events on
    irregular dates, keep their day. A single date keeps its day. Missing dates are ignored.
    ``spc().explain()``, ``mdc().explain()`` and the widgets all use this, so they write the same dates the
    same way.

    Examples
    --------
    >>> import pandas as pd
    >>> date_style(pd.date_range("2021-01-15", periods=4, freq="MS") + pd.Timedelta(days=14))
    'month'
    >>> date_style(pd.date_range("2021-01-31", periods=4, freq="ME"))
    'month'
    >>> date_style(pd.to_datetime(["2020-03-01", "2020-04-01", "2020-04-07"]))
    'day'
    >>> date_style(pd.to_datetime(["2021-05-02 00:00", "2021-05-02 14:30"]))
    'time'
    """
    import numpy as np
    import pandas as pd

    ts = pd.DatetimeIndex(values)
    ts = ts[~ts.isna()]
    if ts.tz is not None:
        ts = ts.tz_localize(None)
    if len(ts) == 0:
        return "day"
    if ((ts.hour != 0) | (ts.minute != 0)).any():
        return "time"
    ts = ts.unique()
    if len(ts) < 2 or len(np.unique(ts.year * 12 + ts.month)) < len(ts):
        return "day"
    same_day = (ts.day == ts.day[0]).all()
    month_ends = bool(ts.is_month_end.all())
    return "month" if same_day or month_ends else "day"


def fmt_date(value, style: str = "day") -> str:
    """A date in words in one of the styles of :func:`date_style`, or ``"long"`` ("31 March 2026", for
    sentences about a single date). Never zero-padded, never month-first.

    Examples
    --------
    >>> import datetime
    >>> d = datetime.datetime(2021, 4, 5, 9, 30)
    >>> fmt_date(d, "month"), fmt_date(d, "day"), fmt_date(d, "time"), fmt_date(d.date(), "long")
    ('Apr 2021', '5 Apr 2021', '5 Apr 2021 09:30', '5 April 2021')
    """
    if style == "month":
        return f"{value:%b %Y}"
    if style == "time":
        return f"{value.day} {value:%b %Y %H:%M}"
    if style == "long":
        return f"{value.day} {value:%B %Y}"
    return f"{value.day} {value:%b %Y}"


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
