"""``upload()``: bring a trainee's own CSV or Excel file into the notebook, with problems in plain words.

:func:`read_table` does the reading and checking (no widgets needed); :func:`upload` wraps it in an
``ipywidgets.FileUpload``. A file is read as text first and each column is then judged on its own:
numbers, dates, or text. Nothing is silently changed or dropped: a column of numbers with a few text
cells ("n/a", "12 (approx)") stays as it is in the file and is reported with the rows to fix; so is a
column of dates where some cells are not dates. Rows are numbered as in the spreadsheet (the heading
row is row 1), and the DataFrame keeps those numbers as its index, so that later qikit messages
("column 'n' has 0 in row 14") point at the same rows the trainee sees in Excel.

Excel workbooks need the optional package openpyxl (``.xlsx``) or xlrd (old ``.xls``); without it the
upload says so and suggests saving the sheet as CSV.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..errors import rows_phrase

__all__ = ["upload", "Upload", "read_table", "read_file", "TableRead"]

CSV_TYPES = {".csv", ".txt", ".tsv"}
EXCEL_TYPES = {".xlsx", ".xlsm", ".xls"}
#: Share of the filled cells of a column that must read as numbers before the column is taken to be a
#: column of numbers with some text cells to report, rather than a column of labels.
NUMBERS_MOSTLY = 0.5
#: The same for dates (text such as "Ward 7" must not pass for a date column with bad cells).
DATES_MOSTLY = 0.8
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"  # xlsx (a zip archive) and the old binary .xls
#: d/m/y or m/d/y written with numbers only: 03/04/2024, 3.4.24, 03-04-2024.
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*$")
_DECIMAL_COMMA = r"[+-]?\d+,\d+"
#: A cell could be a date only if it has a four-digit year or a month's name (so "1,5" or "7" is not).
_DATE_WORDS = r"\d{4}|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_PREVIEW_STYLE = ("<style>.qikit-preview {border-collapse: collapse} .qikit-preview th, .qikit-preview td "
                  "{padding: 2px 10px; text-align: right; border-bottom: 1px solid #ddd}</style>")
_ROWS_NOTE = "Row numbers are as in the spreadsheet, counting the heading row as row 1."


@dataclass
class TableRead:
    """What :func:`read_table` found: the table (or None), problems to fix, and notes for information."""

    data: pd.DataFrame | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kinds: dict = field(default_factory=dict)  # column -> "numbers", "dates" or "text"

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


# ---------------------------------------------------------------------------------------------- reading

def _format(name: str, content: bytes) -> str | None:
    """"csv", "xlsx" or "xls" from the file's ending and its first bytes; None for other files."""
    suffix = PurePath(name).suffix.lower()
    if suffix in EXCEL_TYPES:
        return "xls" if content.startswith(_OLE) else "xlsx"
    if suffix in CSV_TYPES or not suffix:
        if content.startswith(_ZIP):  # a workbook saved under a .csv name
            return "xlsx"
        if content.startswith(_OLE):
            return "xls"
        return "csv"
    return None


def _read_csv(content: bytes, notes: list[str]) -> pd.DataFrame:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
        notes.append("The file is not in UTF-8; it was read as Windows (Excel) text. If letters such as é or £ "
                     "look wrong, save it again as 'CSV UTF-8'.")
    sample = text[:20_000]
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    if sep != ",":
        notes.append({";": "Values are separated by semicolons (as Excel writes CSV in many European settings).",
                      "\t": "Values are separated by tabs.", "|": "Values are separated by | characters."}[sep])
    _check_fields(text, sep)
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, skip_blank_lines=False, keep_default_na=True,
                        index_col=False)
    frame.attrs["decimal_comma"] = sep == ";"
    return frame


class _FieldsError(ValueError):
    """Rows of a CSV file with more values than the heading row (each message names its row)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def _check_fields(text: str, sep: str) -> None:
    """Refuse a CSV file whose rows have more values than the heading row, naming each such row.

    pandas would otherwise stop at the first such line, or (when it is the first data row) silently take
    the first column as row labels and shift every value one column left."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        return
    want = len(header)
    messages = []
    for row in reader:
        if len(row) <= want or not any(cell.strip() for cell in row[want:]):
            continue  # a trailing comma (empty extra cells) loses nothing
        number = reader.line_num
        cells = ", ".join(repr(c) for c in row)
        split = next((f"{a},{b}" for a, b in zip(row, row[1:], strict=False)
                      if re.fullmatch(r"\s*[+-]?\d+\s*", a) and re.fullmatch(r"\s*\d+\s*", b)), None)
        if split is not None and sep == ",":
            fix = (f"It looks like a number written with a comma ({split.strip()}): in a CSV file the comma "
                   f"splits it into two values. Write it with a point ({split.strip().replace(',', '.')}), or "
                   "without the comma if it means thousands.")
        else:
            fix = "Look for an extra comma in that row, for example in a number written as 1,234 or in a comment."
        messages.append(f"line {number} of the file has {len(row)} values where the heading row has {want} (row "
                        f"{number} in Excel: {cells}). {fix}")
        if len(messages) >= 8:
            break
    if messages:
        raise _FieldsError(messages)


def _read_excel(content: bytes, notes: list[str]) -> pd.DataFrame:
    book = pd.ExcelFile(io.BytesIO(content))
    sheets = book.sheet_names
    if len(sheets) > 1:
        notes.append(f"The workbook has {len(sheets)} sheets; qikit read the first, {sheets[0]!r}. Save the sheet "
                     "you want as its own file (or move it first) to read another.")
    return pd.read_excel(book, sheet_name=sheets[0], dtype=object)


def _csv_error(e: Exception) -> str:
    m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
    if m:
        want, line, saw = m.groups()
        return (f"line {line} of the file has {saw} values where the heading row has {want}. Look for an extra "
                "comma in that line, for example inside a number written as 1,234 or in a comment.")
    return f"the file could not be read as CSV ({e})."


# ---------------------------------------------------------------------------------------------- columns

def _examples(values: pd.Series) -> str:
    return ", ".join(repr(str(v)) for v in pd.unique(values.astype(str))[:3])


def _typo_hints(cells: pd.Series) -> str:
    """What a typo in a number probably is: a letter O or l for a digit, a decimal comma, a unit typed in."""
    hints = []
    for value in pd.unique(cells.astype(str).str.strip())[:3]:
        if re.fullmatch(r"[\dOoIl]*\d[\dOoIl]*", value) and re.search(r"[OoIl]", value):
            fixed = value.translate(str.maketrans("OoIl", "0011"))
            hints.append(f"{value!r} has a letter where a digit should be (write {fixed}).")
        elif re.fullmatch(r"[+-]?\d+,\d{1,2}", value):
            hints.append(f"{value!r} uses a comma for the decimal point (write {value.replace(',', '.')}).")
        elif re.fullmatch(r"[+-]?\d+(\.\d+)?\s*[a-zA-Z%]+\.?", value):
            number = re.match(r"[+-]?\d+(\.\d+)?", value).group()
            hints.append(f"{value!r} has a unit typed in (write {number} and put the unit in the heading).")
    return " ".join(hints) + (" " if hints else "")


def _as_numbers(col: pd.Series, label: str, problems: list[str], decimal_comma: bool = False) -> pd.Series | None:
    """The column as numbers if every filled cell is a number; None if it is not a column of numbers.

    A column that is mostly numbers (:data:`NUMBERS_MOSTLY`) but has some text cells is reported with the
    rows to fix and left as text. With ``decimal_comma`` (a semicolon-separated file) 1,5 reads as 1.5."""
    text = col.astype("string").str.strip()
    filled = text.notna() & (text != "")
    if not filled.any():
        return None
    if decimal_comma:
        comma = text.str.fullmatch(_DECIMAL_COMMA).fillna(False).astype(bool)
        text = text.where(~comma, text.str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(text.where(filled), errors="coerce")
    good = numbers.notna() & filled
    if good.sum() == filled.sum():
        numbers = numbers.astype(float)
        whole = numbers.dropna()
        if len(whole) == len(numbers) and (whole == np.round(whole)).all() and whole.abs().max() < 2**53:
            numbers = numbers.astype(np.int64)
        return numbers
    if good.sum() >= NUMBERS_MOSTLY * filled.sum():
        bad = filled & ~good
        rows = list(col.index[bad.to_numpy()])
        verb = "holds" if len(rows) == 1 else "hold"
        hints = _typo_hints(col[bad])
        problems.append(f"column {label!r} looks like a column of numbers, but {rows_phrase(rows)} {verb} text "
                        f"({_examples(col[bad])}). {hints}If it should hold numbers, correct or empty those cells; "
                        "if it is a column of labels, ignore this.")
    return None


def _as_dates(col: pd.Series, label: str, problems: list[str], notes: list[str]) -> pd.Series | None:
    """The column as datetimes if (nearly) every filled cell is a date; None if it is not a date column.

    Dates written with numbers only (03/04/2024) are read day first, as in the UK, unless a cell such as
    04/13/2024 shows that the file writes the month first; an ambiguous column gets a note. Other dates
    (2024-04-03, 3 Apr 2024, April 2024) are read as written. A date column with cells that are not dates
    (31/04/2024, "tbc") is reported with the rows and left as text."""
    filled = col.notna()
    values = col[filled]
    if values.empty:
        return None
    if values.map(lambda v: isinstance(v, date)).all():  # Excel cells that already hold dates
        return pd.to_datetime(col)
    text = values.map(lambda v: v.isoformat() if isinstance(v, date) else str(v)).astype("string").str.strip()
    parts = text.str.extract(_NUMERIC_DATE).astype(float)
    numeric_style = parts[0].notna()
    looks = text.str.contains(_DATE_WORDS).fillna(False).astype(bool) | numeric_style
    if looks.sum() < DATES_MOSTLY * len(text):
        return None
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if numeric_style.any():
        first, second, year = parts[0][numeric_style], parts[1][numeric_style], parts[2][numeric_style]
        month_first = bool((second > 12).any() and not (first > 12).any())
        if not month_first and not (first > 12).any():
            example = text[numeric_style].iloc[0]
            notes.append(f"Dates in column {label!r} such as {example!r} could be day/month or month/day; they "
                         "were read day first (as in the UK). Write dates as 2024-03-31 to avoid any doubt.")
        day, month = (second, first) if month_first else (first, second)
        year = year.where(year >= 100, year + 2000)
        parsed[numeric_style] = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}),
                                               errors="coerce")
    other = looks & ~numeric_style
    if other.any():
        parsed[other] = pd.to_datetime(text[other], errors="coerce", format="mixed")
    ok = parsed.notna()
    if ok.sum() < DATES_MOSTLY * len(text):
        return None
    if not ok.all():
        bad = values[~ok.to_numpy()]
        rows = list(bad.index)
        problems.append(f"column {label!r} holds dates, but {rows_phrase(rows)} could not be read as dates "
                        f"({_examples(bad)}). Use one format for every date, e.g. 2024-03-31.")
        return None
    out = pd.Series(pd.NaT, index=col.index, dtype=parsed.dtype)
    out[filled.to_numpy()] = parsed.to_numpy()
    return out


# ---------------------------------------------------------------------------------------------- front door

def read_table(content: bytes, name: str = "data.csv") -> TableRead:
    """Read an uploaded CSV or Excel file and check it, reporting problems in plain words.

    Parameters
    ----------
    content : bytes
        The file's content.
    name : str
        The file's name; its ending (``.csv``, ``.xlsx``, ...) says how to read it.

    Returns
    -------
    TableRead
        ``data`` (a DataFrame indexed by spreadsheet row number, heading = row 1; None when the file
        could not be read), ``problems`` (what to fix), ``notes`` (what qikit assumed), ``kinds``
        (numbers, dates or text per column).

    Examples
    --------
    >>> got = read_table(b"month,falls\\n2024-01-01,4\\n2024-02-01,tbc\\n2024-03-01,6\\n", "falls.csv")
    >>> got.kinds
    {'month': 'dates', 'falls': 'text'}
    >>> print(got.problems[0])  # doctest: +ELLIPSIS
    column 'falls' looks like a column of numbers, but row 3 holds text ('tbc'). If it should hold numbers, ...
    """
    content = bytes(content)
    problems, notes = [], []
    label = PurePath(name).name or "the file"
    if not content.strip():
        return TableRead(None, [f"{label!r} is empty: it holds no data. Check that it was saved before uploading."])
    kind = _format(name, content)
    if kind is None:
        suffix = PurePath(name).suffix
        return TableRead(None, [f"qikit reads CSV files (.csv) and Excel workbooks (.xlsx, .xls), but {label!r} is a "
                                f"{suffix} file. Open it in the program that made it and save or export it as CSV."])
    try:
        if kind == "csv":
            frame = _read_csv(content, notes)
        else:
            frame = _read_excel(content, notes)
    except ImportError:
        package = "openpyxl" if kind == "xlsx" else "xlrd"
        return TableRead(None, [f"reading Excel files needs the Python package {package}, which is not installed "
                                f"here. Save the sheet as CSV in Excel (File > Save As > CSV UTF-8) and upload that, "
                                f"or ask whoever runs this Jupyter to install {package} (pip install {package})."])
    except pd.errors.EmptyDataError:
        return TableRead(None, [f"{label!r} is empty: it holds no data. Check that it was saved before uploading."])
    except _FieldsError as e:
        return TableRead(None, [f"{label!r}: {m}" for m in e.messages], [_ROWS_NOTE])
    except pd.errors.ParserError as e:
        return TableRead(None, [f"{label!r}: {_csv_error(e)}"])
    except Exception as e:  # a damaged or password-protected workbook, a zip that is not a workbook, ...
        what = "an Excel workbook" if kind != "csv" else "a CSV file"
        return TableRead(None, [f"{label!r} could not be opened as {what}: it may be damaged, password-protected or "
                                f"in another format ({type(e).__name__}: {e})."])

    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")  # spreadsheet rows: the heading is row 1
    blank_rows = frame.isna().all(axis=1) | frame.astype(str).apply(lambda c: c.str.strip() == "").all(axis=1)
    frame = frame[~blank_rows.to_numpy()]
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed: ")]
    empty_cols = [c for c in unnamed if frame[c].isna().all()]
    frame = frame.drop(columns=empty_cols)
    for c in (c for c in unnamed if c not in empty_cols):
        notes.append(f"A column has no heading; qikit calls it {str(c)!r}. Give it a heading in the file.")
    if frame.shape[1] == 0 or len(frame) == 0:
        return TableRead(None, [f"{label!r} has headings but no rows of data."], notes)

    decimal_comma = bool(frame.attrs.get("decimal_comma"))
    kinds = {}
    for c in frame.columns:
        col = frame[c]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            kinds[c] = "numbers"
            continue
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            kinds[c] = "dates"
            continue
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            col = col.where(col.isna() | (col.astype(str).str.strip() != ""))  # blank cells are empty
        n_before = len(problems)
        numbers = _as_numbers(col, str(c), problems, decimal_comma=decimal_comma)
        if numbers is not None:
            frame[c] = numbers
            kinds[c] = "numbers"
            continue
        dates = None if len(problems) > n_before else _as_dates(col, str(c), problems, notes)
        if dates is not None:
            frame[c] = dates
            kinds[c] = "dates"
        else:
            frame[c] = col
            kinds[c] = "text"
    if problems and any("row" in p for p in problems):
        notes.append(_ROWS_NOTE)
    return TableRead(frame, problems, notes, kinds)


def read_file(path) -> pd.DataFrame:
    """Read a CSV or Excel file from disk, checked as the upload button checks it.

    The table comes back indexed by spreadsheet row number (the heading row is row 1), dates as dates and
    numbers as numbers, so that later qikit messages name the rows as Excel shows them. A file that cannot
    be read raises a :class:`qikit.QIDataError` saying why and how to fix it (never a pandas traceback);
    cells to fix in a file that can be read are reported as a :class:`qikit.QIWarning` each, and those
    columns are left as text, so ``qikit.spc`` then names the row if the column is charted.

    Parameters
    ----------
    path : str or path-like
        The file, e.g. ``"my_ward.csv"`` (relative to the notebook's folder).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "falls.csv"
    >>> _ = path.write_text("month,falls\\n31/01/2024,4\\n29/02/2024,6\\n")
    >>> df = read_file(path)
    >>> df.index.tolist(), df["month"].dt.strftime("%d %b %Y").tolist(), df["falls"].tolist()
    ([2, 3], ['31 Jan 2024', '29 Feb 2024'], [4, 6])
    """
    import warnings
    from pathlib import Path

    from ..errors import QIDataError, QIWarning

    path = Path(path)
    if not path.is_file():
        folder = path.parent if str(path.parent) else Path(".")
        near = sorted(p.name for p in folder.glob("*") if p.suffix.lower() in CSV_TYPES | EXCEL_TYPES)[:8] \
            if folder.is_dir() else []
        where = (f" The data files in that folder are: {', '.join(near)}." if near else
                 " Check the name, and that the file is in the same folder as the notebook.")
        place = f"in the folder {str(folder)!r}" if str(folder) != "." else "in this folder"
        raise QIDataError(f"there is no file called {path.name!r} {place}.{where}", column=None)
    got = read_table(path.read_bytes(), path.name)
    if got.data is None:
        raise QIDataError(" ".join(p[:1].upper() + p[1:] for p in got.problems))
    for problem in got.problems:
        warnings.warn(problem[:1].upper() + problem[1:], QIWarning, stacklevel=2)
    return got.data


# ---------------------------------------------------------------------------------------------- widget

class Upload(widgets.VBox):
    """The widget :func:`upload` returns.

    Attributes
    ----------
    data : DataFrame or None
        The table read from the last file (None until a file arrives, or when it could not be read).
        Its index is the spreadsheet row number (heading = row 1).
    problems, notes : list of str
        What to fix in the file, and what qikit assumed when reading it.
    filename : str or None
        The name of the last file.
    picker : ipywidgets.FileUpload
        The upload button.
    """

    def __init__(self, on_load: Callable[[pd.DataFrame], object] | None = None,
                 on_read: Callable[[TableRead], object] | None = None):
        self.data, self.problems, self.notes, self.filename, self.kinds = None, [], [], None, {}
        self._on_load = on_load
        self._on_read = on_read  # called after every file, also one that could not be read
        self.picker = widgets.FileUpload(accept=",".join(sorted(CSV_TYPES | EXCEL_TYPES)), multiple=False,
                                         description="Choose file")
        self.picker.observe(self._on_upload, names="value")
        self.status = widgets.HTML("<p>Choose a CSV file (.csv) or an Excel workbook (.xlsx) with one row per "
                                   "observation and the column headings in the first row.</p>")
        self.status.add_class("qikit-upload-status")
        self.preview = widgets.HTML()
        super().__init__([self.picker, self.status, self.preview])
        self.add_class("qikit-upload")

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        self.load(f["content"], f["name"])

    def load(self, content: bytes, name: str) -> TableRead:
        """Read ``content`` as the file ``name`` (what an upload does); returns what was found."""
        got = read_table(content, name)
        self.filename, self.data, self.problems, self.notes, self.kinds = (name, got.data, got.problems,
                                                                          got.notes, got.kinds)
        self.status.value = self._status_html(got)
        self.preview.value = "" if got.data is None else _PREVIEW_STYLE + got.data.head(6).to_html(
            border=0, na_rep="", max_cols=12, float_format=lambda v: f"{v:g}", classes="qikit-preview")
        if got.data is not None and self._on_load is not None:
            self._on_load(got.data)
        if self._on_read is not None:
            self._on_read(got)
        return got

    def _status_html(self, got: TableRead) -> str:
        name = html.escape(self.filename or "")
        out = []
        if got.data is not None:
            cols = ", ".join(f"{html.escape(str(c))} ({k})" for c, k in got.kinds.items())
            rows = len(got.data)
            out.append(f"<p class='qikit-upload-summary'><strong>Read {name!s}:</strong> {rows} row"
                       f"{'s' if rows != 1 else ''} and {got.data.shape[1]} column"
                       f"{'s' if got.data.shape[1] != 1 else ''}: {cols}.</p>")
        if got.problems:
            items = "".join(f"<li>{html.escape(p[:1].upper() + p[1:])}</li>" for p in got.problems)
            title = "Problems to fix in the file" if got.data is not None else f"{name} could not be read"
            out.append(f"<div class='qikit-upload-problems' role='alert' style='border-left:4px solid #D55E00;"
                       f"background:#FBEDE5;padding:4px 10px'><strong>{title}:</strong><ul>{items}</ul></div>")
        elif got.data is not None:
            out.append("<p>No problems found.</p>")
        if got.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in got.notes)
            out.append(f"<div style='color:#444;font-size:0.92em'><ul>{items}</ul></div>")
        return "".join(out)



def upload(on_load: Callable[[pd.DataFrame], object] | None = None):
    """An upload button for a CSV or Excel file; the table appears as ``.data``.

    Problems are reported in plain words under the button rather than as a traceback: an empty file, a
    format qikit cannot read, Excel without the openpyxl package, text in a column of numbers, cells in a
    date column that are not dates. Nothing in the file is changed: fix it and upload it again.

    Parameters
    ----------
    on_load : callable, optional
        Called with the DataFrame each time a file is read (e.g. to refresh a chart).

    Returns
    -------
    Upload
        An ``ipywidgets.VBox`` with ``.data`` (DataFrame or None), ``.problems`` and ``.notes``.

    Examples
    --------
    >>> from qikit.widgets import upload
    >>> up = upload()
    >>> _ = up.load(b"week,eligible,within_1h\\n2024-01-01,20,15\\n", "sepsis.csv")  # what an upload does
    >>> up.data.columns.tolist(), up.problems
    (['week', 'eligible', 'within_1h'], [])
    """
    return Upload(on_load=on_load)
