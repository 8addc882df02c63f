"""The portfolio write-up of a :class:`qikit.Project`, and its self-assessment against QI project criteria.

:func:`write_report` turns a project into one self-contained HTML file, structured by the SQUIRE 2.0
headings (Ogrinc et al., *BMJ Qual Saf* 2016;25:986-992), with the run or control chart (PDSA cycles
marked), the driver diagram, the family of measures, the stakeholders, the PDSA table and a self-assessment
listing what is still missing. The file needs nothing else: its styles are inline and the charts are PNG
images inside it, so it can be e-mailed, uploaded to an e-portfolio, or opened in a browser and printed
to PDF (the print styles give A4 pages without cut tables or charts).

:func:`assess` checks the project against the criteria in ``project_criteria.json`` (beside this module):
the criteria, their words, thresholds and sources are data; this module only holds the few generic checks
they name (a section written, the aim SMART, the kinds of measure present, ...).

Everything the trainee typed is HTML-escaped, so text such as ``<b>`` or ``&`` shows as typed and no
markup or script in a project file can run in the report.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import inspect
import io
import re
import warnings
from pathlib import Path

import pandas as pd

from ..display import fmt_date
from ..errors import QIError, QIProjectError, QIWarning
from ._util import write_atomically
from .project import Project, _package_json, squire_sections

__all__ = ["criteria", "assess", "render_html", "write_report", "REPORT_MARK"]

#: The marker qikit puts in every report; a file without it is never overwritten by :func:`write_report`.
REPORT_MARK = '<meta name="generator" content="qikit project report">'


# ---------------------------------------------------------------------------------------------
# The criteria (data) and the generic checks they name
# ---------------------------------------------------------------------------------------------
def _criteria_data() -> dict:
    return _package_json("project_criteria.json")


def criteria() -> pd.DataFrame:
    """The assessment criteria: one row per criterion (``id``, ``criterion``, ``sources``, ``test``).

    Examples
    --------
    >>> table = criteria()
    >>> table.loc["aim", "sources"]
    'QIKAT-R; SQUIRE; JRCPTB QIPAT'
    """
    rows = [{"id": c["id"], "criterion": c["criterion"], "sources": "; ".join(c["sources"]),
             "test": dict(c["test"])} for c in _criteria_data()["criteria"]]
    return pd.DataFrame(rows).set_index("id")


def _words(text: str | None) -> int:
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", text or ""))


def _heading(section_id: str) -> str:
    return next(s["heading"] for s in squire_sections() if s["id"] == section_id)


def _check_note(p: Project, section: str, min_words: int) -> str:
    words = _words(p.notes.get(section))
    if words >= min_words:
        return ""
    have = "is not written yet" if words == 0 else f"has {words} words"
    return (f"The '{_heading(section)}' section {have}: write at least {min_words} words "
            f"(p.notes[{section!r}]).")


def _check_notes(p: Project, sections: list[str], min_words: int) -> str:
    return " ".join(filter(None, (_check_note(p, s, min_words) for s in sections)))


def _check_aim(p: Project) -> str:
    if p.aim is None:
        return "There is no aim yet: set p.aim to an AimStatement (what, how much, by when, for whom)."
    # the aim is judged on the day the project began: the file's creation, or its first PDSA cycle if earlier
    started = min([_dt.date.fromisoformat(p._created[:10]), *(c.start for c in p.pdsa)])
    return " ".join(p.aim.check(today=started))


def _check_measure_kinds(p: Project, kinds: list[str]) -> str:
    have = {m.kind for m in p.measures}
    lacking = [k for k in kinds if k not in have]
    if not lacking:
        return ""
    return f"Add {' and '.join(f'a {k}' if k[0] not in 'aeiou' else f'an {k}' for k in lacking)} measure."


def _check_measure_definitions(p: Project) -> str:
    if not p.measures:
        return "There are no measures yet, so no operational definitions."
    return " ".join(finding for m in p.measures for finding in m.check())


def _check_drivers(p: Project) -> str:
    if p.drivers is None:
        return "There is no driver diagram yet: set p.drivers to a DriverDiagram."
    return " ".join(p.drivers.check())


def _check_stakeholders(p: Project, min_people: int) -> str:
    out = []
    if len(p.stakeholders) < min_people:
        out.append(f"Name at least {min_people} stakeholders (p.stakeholders has {len(p.stakeholders)}).")
    silent = [s["name"] for s in p.stakeholders if isinstance(s, dict) and not str(s.get("engage", "")).strip()]
    if silent:
        out.append(f"Say how you will engage {', '.join(silent)}.")
    return " ".join(out)


def _check_pdsa(p: Project, min_cycles: int) -> str:
    out = []
    if len(p.pdsa) < min_cycles:
        out.append(f"Record at least {min_cycles} PDSA cycles (there are {len(p.pdsa)}).")
    unpredicted = [c.title for c in p.pdsa if not c.prediction]
    if unpredicted:
        out.append(f"Write the prediction for {', '.join(unpredicted)} before running the test.")
    return " ".join(out)


def _check_pdsa_complete(p: Project, min_complete: int) -> str:
    done = [c for c in p.pdsa if c.study and c.act]
    if len(done) >= min_complete:
        return ""
    return (f"Complete at least {min_complete} PDSA cycle: record what happened (do), compare it with the "
            "prediction (study) and decide to adopt, adapt or abandon (act).")


def _check_chart(p: Project, min_points: int, *, context: dict) -> str:
    if "chart" not in context:
        context["chart"] = _prepare_chart(p)
    chart = context["chart"]
    if chart.problem:
        return chart.problem
    if chart.points < min_points:
        return (f"The chart has {chart.points} points: collect at least {min_points} to read it with the run "
                "chart rules (fewer give only provisional limits).")
    return ""


def _check_squire_complete(p: Project) -> str:
    empty = [s["heading"] for s in squire_sections() if not _section_has_content(p, s["id"])]
    if not empty:
        return ""
    return f"Write the section{'s' if len(empty) > 1 else ''} still empty: {', '.join(empty)}."


#: The generic checks a criterion can name in project_criteria.json ("test": {"name": ..., settings}).
CHECKS = {
    "note": _check_note,
    "notes": _check_notes,
    "aim": _check_aim,
    "measure_kinds": _check_measure_kinds,
    "measure_definitions": _check_measure_definitions,
    "drivers": _check_drivers,
    "stakeholders": _check_stakeholders,
    "pdsa": _check_pdsa,
    "pdsa_complete": _check_pdsa_complete,
    "chart": _check_chart,
    "squire_complete": _check_squire_complete,
}


def assess(p: Project, context: dict | None = None) -> pd.DataFrame:
    """Check the project against each criterion of ``project_criteria.json``.

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion id, with columns ``criterion``, ``met`` (bool) and ``missing`` (what to add, in
        plain words; empty when the criterion is met). :func:`criteria` gives each criterion's sources.
    """
    context = {} if context is None else context
    rows = []
    for item in _criteria_data()["criteria"]:
        settings = dict(item["test"])
        check = CHECKS[settings.pop("name")]
        if "context" in inspect.signature(check).parameters:
            settings["context"] = context
        missing = check(p, **settings).strip()
        rows.append({"id": item["id"], "criterion": item["criterion"], "met": not missing, "missing": missing})
    table = pd.DataFrame(rows).set_index("id")
    table["met"] = table["met"].astype(bool)
    return table


# ---------------------------------------------------------------------------------------------
# Charts (drawn with qikit.plot from what qikit.spc computed; closed once turned into PNG)
# ---------------------------------------------------------------------------------------------
class _Chart:
    def __init__(self, uri=None, alt="", reading="", caption="", points=0, problem="", notes=(), marked=False):
        self.uri, self.alt, self.reading, self.caption, self.marked = uri, alt, reading, caption, marked
        self.points, self.problem, self.notes = points, problem, list(notes)


_SPC_OPTIONS = ("part", "freeze", "exclude", "multiply", "agg", "rules", "ylab", "xlab", "cl")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight", facecolor="white")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _as_dates(column: pd.Series) -> pd.Series | None:
    """The x column as dates when it holds dates (datetime type, or text every value of which is a date)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        from ..dates import try_date

        values = column.dropna()
        dates = [try_date(v) for v in values]
        if len(values) and all(d is not None for d in dates):
            out = pd.Series(pd.NaT, index=column.index, dtype="datetime64[ns]")
            out[values.index] = pd.to_datetime(dates)
            return out
    return None


class _Prepared:
    """What the chart needs, computed once: the qikit.spc result (or the problem), the PDSA marks, notes."""

    def __init__(self, result=None, problem="", pairs=(), notes=()):
        self.result, self.problem, self.pairs, self.notes = result, problem, list(pairs), list(notes)

    @property
    def points(self) -> int:
        if self.result is None:
            return 0
        return int(self.result.data["y"].notna().sum())


def _prepare_chart(p: Project) -> _Prepared:
    if p.data is None:
        return _Prepared(problem="There are no data yet: add the data (p.data) and say how to chart them "
                                 "(p.data_spec).")
    spec = p.data_spec or {}
    if not spec.get("y"):
        return _Prepared(problem="Say which column to chart: p.data_spec needs at least 'y' (and usually 'x').")
    for key in ("x", "y", "n"):
        column = spec.get(key)
        if column is not None and column not in p.data.columns:
            return _Prepared(problem=f"p.data_spec[{key!r}] is {column!r}, which is not a column of the data "
                                     f"(the columns are: {', '.join(map(str, p.data.columns))}).")
    from ..stats.api import spc

    data = p.data.copy()
    notes, pairs = [], []
    x = spec.get("x")
    if x is not None:
        dates = _as_dates(data[x])
        if dates is not None:
            data[x] = dates
            first, last = dates.min(), dates.max()
            for cycle in sorted(p.pdsa, key=lambda c: c.start):
                when = pd.Timestamp(cycle.start)
                label = f"{cycle.title} ({cycle.decision})" if cycle.decision else cycle.title
                if first <= when <= last:
                    pairs.append((when, label))
                else:
                    notes.append(f"{cycle.title} started on {fmt_date(cycle.start)}, outside the dates charted, "
                                 "so it is not marked.")
        elif p.pdsa:
            notes.append("The PDSA cycles are not marked on the chart because its x axis is not dates.")
    options = {k: spec[k] for k in _SPC_OPTIONS if spec.get(k) is not None}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QIWarning)  # provisional limits are reported by the criteria
            result = spc(data, x=x, y=spec["y"], n=spec.get("n"), chart=spec.get("chart") or "run",
                         title=spec.get("title") or None, **options)
    except (QIError, TypeError, ValueError) as error:
        return _Prepared(problem=f"The chart cannot be drawn from p.data and p.data_spec: {error}")
    return _Prepared(result=result, pairs=pairs, notes=notes)


def _draw_chart(prepared: _Prepared) -> _Chart:
    if prepared.result is None:
        return _Chart(problem=prepared.problem)
    import matplotlib.pyplot as plt

    from ..plot._base import alt_text
    from ..plot.spc import plot_spc

    result = prepared.result
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QIWarning)
        ax = plot_spc(result, annotate=prepared.pairs or None)
    fig = ax.figure if hasattr(ax, "figure") else ax
    alt = alt_text(fig) or result.describe()
    try:
        uri = _png(fig)
    finally:
        plt.close(fig)
    return _Chart(uri=uri, alt=alt, reading=result.explain(), caption=caption_text(result),
                  points=prepared.points, notes=prepared.notes, marked=bool(prepared.pairs))


def caption_text(result) -> str:
    """The chart's caption as qikit.plot writes it under the chart."""
    from ..plot.spc import caption_text as words

    return words(result)


def _drivers_png(p: Project) -> tuple[str | None, str]:
    if p.drivers is None or not p.drivers.primary_drivers:
        return None, ""
    from ..plot._base import alt_text
    from ..plot.drivers import plot_driver_diagram

    fig = plot_driver_diagram(p.drivers)
    alt = alt_text(fig) or p.drivers.to_markdown()
    return _png(fig), alt


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(f"<p>{'<br>'.join(_e(line) for line in block.splitlines())}</p>" for block in blocks)


def _table(headers: list[str], rows: list[list], caption: str = "") -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{uri}" alt="{_e(alt)}"><figcaption>{_e(caption)}</figcaption></figure>')


def _section_has_content(p: Project, section_id: str) -> bool:
    if _words(p.notes.get(section_id)):
        return True
    automatic = {"title": bool(p.title), "specific_aims": p.aim is not None, "measures": bool(p.measures),
                 "rationale": p.drivers is not None, "study_of_interventions": bool(p.pdsa),
                 "context": bool(p.setting.strip())}
    return automatic.get(section_id, False)


def _measures_table(p: Project) -> str:
    rows = [[m.name, m.kind, m.definition, m.numerator or "", m.denominator or "",
             {"increase": "higher", "decrease": "lower"}.get(m.direction, "neither"), m.frequency]
            for m in p.measures]
    return _table(["Measure", "Kind", "Operational definition", "Numerator", "Denominator", "Better when",
                   "Collected"], rows, "Family of measures")


def _pdsa_table(p: Project) -> str:
    rows = [[c.title, fmt_date(c.start) + (f" to {fmt_date(c.end)}" if c.end else ""),
             "" if c.scale is None else c.scale, c.objective, c.prediction or "", c.do or "", c.study or "",
             c.act or ""] for c in sorted(p.pdsa, key=lambda c: c.start)]
    return _table(["Cycle", "Dates", "Scale", "Objective", "Prediction", "Do", "Study", "Act"], rows,
                  "PDSA cycles")


def _stakeholder_table(p: Project) -> str:
    rows = [[s["name"], s["role"], s["power"], s["interest"], s["stance"], s["engage"]] for s in p.stakeholders]
    return _table(["Name", "Role", "Power", "Interest", "Stance", "How we will engage them"], rows,
                  "Team and stakeholders")


def _automatic(p: Project, section_id: str, chart: _Chart, drivers: tuple[str | None, str]) -> str:
    """What qikit adds to a section from the project's own parts (tables, charts)."""
    if section_id == "specific_aims" and p.aim is not None:
        return f'<p class="aim"><strong>Aim:</strong> {_e(p.aim.text)}</p>'
    if section_id == "context" and p.setting.strip():
        return f"<p><strong>Setting:</strong> {_e(p.setting)}</p>"
    if section_id == "rationale" and p.drivers is not None:
        uri, alt = drivers
        if uri:
            return _figure(uri, alt, "Driver diagram: the theory of change, from the aim (left) to the change ideas "
                                     "tested (right).")
    if section_id == "interventions":
        parts = []
        if p.drivers is not None and p.drivers.change_ideas:
            items = "".join(f"<li>{_e(idea)}</li>" for idea in p.drivers.change_ideas)
            parts.append(f"<p>Change ideas from the driver diagram:</p><ul>{items}</ul>")
        if p.stakeholders:
            parts.append(_stakeholder_table(p))
        return "".join(parts)
    if section_id == "study_of_interventions" and p.pdsa:
        return _pdsa_table(p)
    if section_id == "measures" and p.measures:
        return _measures_table(p)
    if section_id == "results":
        if chart.uri:
            notes = "".join(f"<p class=\"note\">{_e(n)}</p>" for n in chart.notes)
            reading = f"<p><strong>What the chart shows:</strong> {_e(chart.reading)}</p>" if chart.reading else ""
            marked = " The PDSA cycles are marked at their start dates." if chart.marked else ""
            return _figure(chart.uri, chart.alt, f"The project's data over time.{marked}") + notes + reading
        if p.data is not None:
            return f'<p class="missing">No chart: {_e(chart.problem)}</p>'
    return ""


_CSS = """
:root { color-scheme: light; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: #1d1d1d; background: #fff; margin: 0;
       line-height: 1.5; font-size: 11pt; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; color: #003087; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #425563; padding-bottom: .15rem; margin-top: 2rem; color: #003087; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .35rem; }
h3 .item { color: #425563; font-weight: normal; font-size: .85em; margin-right: .35em; }
.meta { color: #425563; margin: 0 0 1rem; }
.aim { border-left: 4px solid #005eb8; padding: .4rem .75rem; background: #f0f4f5; }
.missing { color: #6b2c00; font-style: italic; border-left: 4px dashed #8a4b00; padding-left: .6rem; }
.note { font-size: .9em; color: #425563; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; font-size: .9em; }
caption { text-align: left; font-weight: bold; padding-bottom: .25rem; }
th, td { border: 1px solid #768692; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #e8edee; }
td.met { font-weight: bold; }
figure { margin: .75rem 0 1rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #d8dde0; }
figcaption { font-size: .85em; color: #425563; }
.references li { margin-bottom: .3rem; font-size: .9em; }
footer { margin-top: 2rem; font-size: .8em; color: #425563; }
@media print {
  @page { size: A4; margin: 16mm 15mm 18mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr, .aim { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  .self-assessment { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(p: Project) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    from .. import __version__

    context = {"chart": _prepare_chart(p)}
    chart = _draw_chart(context["chart"])
    drivers = _drivers_png(p)
    sections = squire_sections()
    parts = {part["id"]: part for part in _package_json("squire.json")["parts"]}
    title = p.notes.get("title", "").strip() or p.title
    body = [f"<h1>{_e(title)}</h1>"]
    meta = [x for x in (p.owner.strip(), p.setting.strip()) if x]
    meta.append(f"Report written {fmt_date(_dt.date.today(), 'long')} by qikit {__version__}")
    body.append(f'<p class="meta">{" · ".join(_e(m) for m in meta)}</p>')
    current_part = None
    for section in sections:
        if section["part"] != current_part:
            current_part = section["part"]
            part = parts[current_part]
            question = f' <span class="item">({_e(part["question"])})</span>' if part.get("question") else ""
            body.append(f'<h2 id="part-{_e(part["id"])}">{_e(part["heading"])}{question}</h2>')
        sid = section["id"]
        body.append(f'<section id="{_e(sid)}" aria-labelledby="h-{_e(sid)}">')
        body.append(f'<h3 id="h-{_e(sid)}"><span class="item">{_e(section["item"])}.</span>'
                    f'{_e(section["heading"])}</h3>')
        note = p.notes.get(sid, "")
        if sid == "title":
            note = title if not note.strip() else note
        written = _paragraphs(note) if note.strip() else ""
        extra = _automatic(p, sid, chart, drivers)
        if not _section_has_content(p, sid):
            written = f'<p class="missing">Not written yet. {_e(section["prompt"])}</p>'
        body.append(written + extra + "</section>")
    # self-assessment
    table = assess(p, context)
    sources = criteria()["sources"]
    rows = "".join(
        f'<tr><td>{_e(row.criterion)}</td><td class="met">{"Met" if row.met else "Not yet"}</td>'
        f"<td>{_e(row.missing)}</td><td>{_e(sources[cid])}</td></tr>" for cid, row in table.iterrows())
    missing = int((~table["met"]).sum())
    summary = ("Every criterion is met." if missing == 0 else
               f"{len(table) - missing} of {len(table)} criteria are met; {missing} still need work.")
    body.append('<h2 id="self-assessment" class="self-assessment">Self-assessment</h2>')
    body.append(f"<p>The project checked against the criteria used to assess trainees' QI projects. {_e(summary)} "
                "This checks what is present, not its quality: your supervisor's assessment decides.</p>")
    body.append('<table><caption>Self-assessment against QI project criteria</caption><thead><tr>'
                '<th scope="col">Criterion</th><th scope="col">Status</th><th scope="col">What is missing</th>'
                f'<th scope="col">Sources</th></tr></thead><tbody>{rows}</tbody></table>')
    refs = [_package_json("squire.json")["source"].split(". The headings")[0] + "."]
    refs += list(_criteria_data()["sources"].values())
    body.append('<h2 id="references">References</h2><ol class="references">'
                + "".join(f"<li>{_e(r)}</li>" for r in refs) + "</ol>")
    body.append("<footer>Written with qikit from the project file "
                f"{_e(p.path.name)}. Print it to PDF from your browser (File, Print, Save as PDF).</footer>")
    return ("<!DOCTYPE html>\n"
            '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{REPORT_MARK}\n<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
            "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def write_report(p: Project, path=None) -> Path:
    """Write the report of ``p`` to ``path`` (default: the project file with ``.html`` for ``.json``).

    The file is written atomically. An existing file at ``path`` is replaced only if it is an earlier qikit
    report; anything else (and the project file itself) is never overwritten.

    Raises
    ------
    qikit.errors.QIProjectError
        When ``path`` is the project file, a folder, or a file that is not a qikit report.
    """
    path = Path(path) if path is not None else p.path.with_name(
        (p.path.name[:-5] if p.path.name.lower().endswith(".json") else p.path.name) + ".html")
    if path.resolve() == p.path.resolve() or path.resolve() == p.backup_path.resolve():
        raise QIProjectError(f"{path} is the project file itself: give the report another name, e.g. "
                             f"{p.path.with_suffix('.html').name!r}.", path=path)
    if path.is_dir():
        raise QIProjectError(f"{path} is a folder: give the report a file name ending in .html.", path=path)
    if path.exists():
        try:
            head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            head = ""
        if REPORT_MARK not in head:
            raise QIProjectError(f"{path} already exists and is not a qikit report, so qikit will not overwrite "
                                 "it. Choose another file name.", path=path)
    if not path.parent.is_dir():
        raise QIProjectError(f"cannot write {path}: the folder {path.parent} does not exist.", path=path)
    content = render_html(p).encode("utf-8")
    write_atomically(path, lambda handle: handle.write(content), 0o644 if not path.exists() else None)
    return path
