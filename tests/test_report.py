"""The portfolio report of a qikit.Project, and its self-assessment against QI project criteria.

Checked as a reader would: every SQUIRE 2.0 heading in order, the chart as an image inside the file with the
PDSA cycles marked on it, nothing fetched from elsewhere, print styles, and everything the trainee typed shown
as typed (never run as HTML). The assessment is checked against hand-written expectations.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import qikit
from qikit.errors import QIProjectError
from qikit.improve import report as report_module
from qikit.improve.project import Project
from qikit.improve.report import REPORT_MARK, assess, criteria, render_html

# The SQUIRE 2.0 headings (Ogrinc et al., BMJ Qual Saf 2016;25:986-992, table 1), typed from the guideline.
SQUIRE_PARTS = ["Title and abstract", "Introduction", "Methods", "Results", "Discussion", "Other information"]
SQUIRE_HEADINGS = ["Title", "Abstract", "Problem description", "Available knowledge", "Rationale", "Specific aims",
                   "Context", "Intervention(s)", "Study of the intervention(s)", "Measures", "Analysis",
                   "Ethical considerations", "Results", "Summary", "Interpretation", "Limitations", "Conclusions",
                   "Funding"]
EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted"'


class _Outline(HTMLParser):
    """Headings, images and the html element's attributes of a page."""

    def __init__(self):
        super().__init__()
        self.h2, self.h3, self.images, self.scripts, self.links, self.lang = [], [], [], 0, 0, None
        self._in = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("h2", "h3"):
            self._in, self._text = tag, []
        if tag == "img":
            self.images.append(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "link":
            self.links += 1

    def handle_endtag(self, tag):
        if tag == self._in:
            getattr(self, tag).append(re.sub(r"\s+", " ", "".join(self._text)).strip())
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def _outline(text: str) -> _Outline:
    parser = _Outline()
    parser.feed(text)
    return parser


WORDS = ("The ward team agreed this section at the monthly governance meeting and the matron reviewed the "
         "wording so that a reader outside the ward can follow what was done, why, and what it means for patients.")


def _complete(path) -> Project:
    """A project that meets every criterion (checked by hand against project_criteria.json)."""
    p = Project.create(path, "Fewer falls on ward 7", owner="Dr A Patel (FY2)", setting="Ward 7, care of older people")
    p.aim = qikit.AimStatement("reduce inpatient falls on ward 7", "5 per 1,000 bed-days", "2025-09-30",
                               "patients aged 75 or over", where="ward 7", baseline="8.4 per 1,000 bed-days")
    p._created = "2024-10-01T09:00:00+00:00"  # the project started before the aim's deadline
    p.measures = [
        qikit.Measure("Falls per 1,000 bed-days", "outcome", "Datix falls on ward 7 per 1,000 occupied bed-days",
                      numerator="falls reported on Datix", denominator="occupied bed-days / 1,000",
                      direction="decrease"),
        qikit.Measure("Lying and standing BP within 24 h (%)", "process",
                      "Admissions aged 75+ with lying and standing BP recorded within 24 hours",
                      numerator="admissions with both readings", denominator="admissions aged 75+",
                      direction="increase", frequency="weekly"),
        qikit.Measure("Enhanced observation hours", "balancing", "Hours of 1:1 observation booked from the bank",
                      frequency="weekly"),
    ]
    dd = qikit.DriverDiagram(p.aim)
    dd.add_primary("Patients at risk are recognised")
    dd.add_change_idea("Lying and standing BP on admission", serves="Patients at risk are recognised")
    p.drivers = dd
    p.stakeholders = [
        {"name": "Sister Khan", "role": "Ward manager", "power": "high", "interest": "high", "stance": "champion",
         "engage": "Co-lead the project and chair the huddle"},
        {"name": "Night HCAs", "role": "Healthcare assistants", "power": "low", "interest": "high",
         "stance": "supporter", "engage": "Ask them at the night huddle what gets in the way"},
    ]
    p.pdsa = [
        qikit.PDSACycle("Cycle 1", "Can nurses record lying and standing BP?", "4 of 5 recorded", "Bay A, one day",
                        do="3 of 5 recorded", study="Fewer than predicted: no cuff in bay A",
                        act="adapt: a cuff in each bay", start="06/01/2025", end="06/01/2025", scale=5),
        qikit.PDSACycle("Cycle 2", "Does a cuff in each bay help?", "9 of 10 recorded", "All bays, one week",
                        start="2025-02-03", scale=10),
    ]
    weeks = pd.date_range("2024-10-07", periods=30, freq="W-MON")
    rng = np.random.default_rng(7)
    falls = rng.poisson(np.r_[np.full(14, 1.6), np.full(16, 0.8)])
    p.data = pd.DataFrame({"week": [f"{d:%d/%m/%Y}" for d in weeks], "falls": falls,
                           "bed_days": np.full(30, 190)})
    p.data_spec = {"x": "week", "y": "falls", "n": "bed_days", "chart": "u", "multiply": 1000,
                   "title": "Falls per 1,000 bed-days, ward 7"}
    p.notes = {section: WORDS for section in qikit.improve.SQUIRE_SECTIONS}
    return p


# ------------------------------------------------------------------------------------------ the report
def test_report_has_every_squire_heading_in_order_and_the_chart(tmp_path):
    p = _complete(tmp_path / "falls.qiproject.json")
    p.save()
    out = p.report()
    assert out == tmp_path / "falls.qiproject.html"
    text = out.read_text(encoding="utf-8")
    page = _outline(text)
    assert page.lang == "en-GB"
    assert [h.split(" (")[0] for h in page.h2[:6]] == SQUIRE_PARTS
    assert page.h2[6:] == ["Self-assessment", "References"]
    assert [re.sub(r"^\d+\.\s*", "", h) for h in page.h3] == SQUIRE_HEADINGS
    assert [h.split(".")[0] for h in page.h3] == [str(i) for i in range(1, 19)]
    # self-contained: no script, no stylesheet link, every image inside the file
    assert page.scripts == 0 and page.links == 0 and "http://" not in text.split("<ol class=\"references\">")[0]
    assert "<style>" in text and "@media print" in text and "@page" in text
    assert REPORT_MARK in text
    diagram, chart = page.images  # the driver diagram comes with the rationale, the chart with the results
    for image in (chart, diagram):
        assert image["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(image["src"].split(",", 1)[1])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 600 and height > 200
    # the chart's alt text is the SPC result's own description
    result = qikit.spc(p.data.assign(week=pd.to_datetime(p.data["week"], dayfirst=True)), x="week", y="falls",
                       n="bed_days", chart="u", multiply=1000, title="Falls per 1,000 bed-days, ward 7")
    assert chart["alt"] == result.describe()
    assert "Lying and standing BP on admission" in diagram["alt"]
    assert html.escape(result.explain()) in text


def test_pdsa_cycles_are_marked_on_the_chart(tmp_path, monkeypatch):
    """The cycles go to qikit.plot's annotate machinery at their start dates (UK dates in the data read as dates)."""
    import qikit.plot.spc as plot_spc_module

    drawn = []
    real = plot_spc_module.plot_spc

    def spy(result, *args, **kwargs):
        ax = real(result, *args, **kwargs)
        drawn.append(sorted(t.get_text() for t in ax.texts if t.get_gid() == "annotation"))
        return ax

    monkeypatch.setattr(plot_spc_module, "plot_spc", spy)
    p = _complete(tmp_path / "p.json")
    prepared = report_module._prepare_chart(p)
    assert prepared.pairs == [(pd.Timestamp("2025-01-06"), "Cycle 1 (adapt)"), (pd.Timestamp("2025-02-03"), "Cycle 2")]
    render_html(p)
    assert drawn == [["Cycle 1 (adapt)", "Cycle 2"]]


def test_cycles_outside_the_data_or_without_dates_are_explained(tmp_path):
    p = _complete(tmp_path / "p.json")
    p.pdsa.append(qikit.PDSACycle("Cycle 3", "Spread to ward 8?", "Same as ward 7", "Ward 8", start="2026-01-05"))
    text = render_html(p)
    assert "Cycle 3 started on 5 Jan 2026, outside the dates charted, so it is not marked." in text
    p.data["week"] = range(30)
    assert "not marked on the chart because its x axis is not dates" in render_html(p)


def test_everything_the_trainee_typed_is_escaped(tmp_path):
    p = _complete(tmp_path / "p.json")
    p.title = EVIL
    p.owner = EVIL
    p.setting = EVIL
    p.notes = {"problem": EVIL + "\n\nSecond paragraph", "funding": EVIL}
    p.stakeholders[0]["name"] = EVIL
    p.stakeholders[0]["engage"] = EVIL
    p.measures[2] = qikit.Measure(EVIL, "balancing", EVIL)
    p.pdsa[1] = qikit.PDSACycle(EVIL, EVIL, EVIL, EVIL, start="2025-02-03")
    p.drivers.add_primary(EVIL)
    p.drivers.add_change_idea(EVIL + " idea", serves=EVIL)
    p.data_spec["title"] = EVIL
    p.save()
    text = p.report().read_text(encoding="utf-8")
    assert "<script" not in text and "onerror=alert" not in text.replace("onerror=alert(1)&gt;", "")
    assert "<img src=x" not in text
    escaped = html.escape(EVIL, quote=True)
    assert text.count(escaped) >= 9
    assert "<title>" + escaped + "</title>" in text
    assert "<p>" + escaped + "</p><p>Second paragraph</p>" in text
    page = _outline(text)
    assert page.scripts == 0 and len(page.images) == 2  # only the chart and the diagram
    assert all(set(i) == {"src", "alt"} for i in page.images)  # no attribute smuggled in through alt text


def test_a_report_is_written_even_when_the_chart_cannot_be(tmp_path):
    p = _complete(tmp_path / "p.json")
    p.data_spec["y"] = "fals"
    text = render_html(p)
    assert "p.data_spec[&#x27;y&#x27;] is &#x27;fals&#x27;, which is not a column of the data" in text
    assert len(_outline(text).images) == 1  # the driver diagram only


def test_an_empty_project_reports_every_gap(tmp_path):
    p = Project.create(tmp_path / "p.json", "Falls")
    text = render_html(p)
    page = _outline(text)
    assert [re.sub(r"^\d+\.\s*", "", h) for h in page.h3] == SQUIRE_HEADINGS
    assert text.count('class="missing">Not written yet.') == 17  # every section but the title
    assert page.images == []
    assert "0 of 15 criteria are met; 15 still need work." in text


def test_report_never_overwrites_what_it_did_not_write(tmp_path):
    p = _complete(tmp_path / "p.json")
    p.save()
    mine = tmp_path / "notes.html"
    mine.write_text("<p>my own notes</p>", encoding="utf-8")
    with pytest.raises(QIProjectError, match="not a qikit report"):
        p.report(mine)
    assert mine.read_text(encoding="utf-8") == "<p>my own notes</p>"
    for wrong in (p.path, p.backup_path):
        before = wrong.read_bytes() if wrong.exists() else None
        with pytest.raises(QIProjectError, match="project file itself"):
            p.report(wrong)
        assert (wrong.read_bytes() if wrong.exists() else None) == before
    first = p.report(tmp_path / "r.html")
    p.notes["problem"] = "Changed words for the second report, long enough."
    assert "Changed words" in p.report(first).read_text(encoding="utf-8")  # an earlier report is replaced
    assert not [f for f in tmp_path.iterdir() if f.name.endswith(".tmp")]


# ------------------------------------------------------------------------------------------ the assessment
def test_a_complete_project_meets_every_criterion(tmp_path):
    table = _complete(tmp_path / "p.json").assessment()
    assert list(table.columns) == ["criterion", "met", "missing"]
    assert table["met"].dtype == bool and table["met"].all(), table.loc[~table["met"], "missing"].to_dict()
    assert (table["missing"] == "").all()


def test_the_assessment_lists_what_is_missing(tmp_path):
    p = _complete(tmp_path / "p.json")
    p.measures = p.measures[:1] + [qikit.Measure("Risk assessment done (%)", "process", "Risk assessments done")]
    p.stakeholders[1]["engage"] = " "
    p.pdsa = p.pdsa[1:]
    p.notes["problem"] = "Too many falls."
    del p.notes["funding"]
    p.data = p.data.head(10)
    table = p.assessment()
    missing = table.loc[~table["met"], "missing"].to_dict()
    assert missing == {
        "problem": "The 'Problem description' section has 3 words: write at least 25 words (p.notes['problem']).",
        "family_of_measures": "Add a balancing measure.",
        "operational_definitions": "Measure 'Risk assessment done (%)' is a proportion or rate, but its operational "
                                   "definition has no numerator and no denominator: say what is counted on top and "
                                   "what underneath (e.g. numerator='patients given antibiotics within 1 hour', "
                                   "denominator='patients with red-flag sepsis').",
        "team_and_stakeholders": "Say how you will engage Night HCAs.",
        "pdsa_cycles": "Record at least 2 PDSA cycles (there are 1).",
        "pdsa_learning": "Complete at least 1 PDSA cycle: record what happened (do), compare it with the prediction "
                         "(study) and decide to adopt, adapt or abandon (act).",
        "data_over_time": "The chart has 10 points: collect at least 12 to read it with the run chart rules (fewer "
                          "give only provisional limits).",
        "write_up_complete": "Write the section still empty: Funding.",
    }


def test_an_empty_project_misses_every_criterion(tmp_path):
    table = Project.create(tmp_path / "p.json", "Falls").assessment()
    assert not table["met"].any()
    assert table.loc["aim", "missing"].startswith("There is no aim yet")
    assert table.loc["data_over_time", "missing"].startswith("There are no data yet")
    assert table.loc["write_up_complete", "missing"].startswith("Write the sections still empty: Abstract, ")


def test_the_criteria_are_data_with_their_sources():
    data = json.loads((report_module.Path(report_module.__file__).parent / "project_criteria.json").read_text())
    table = criteria()
    assert list(table.index) == [c["id"] for c in data["criteria"]]
    for item in data["criteria"]:
        assert item["sources"] and set(item["sources"]) <= set(data["sources"])
        assert item["test"]["name"] in report_module.CHECKS
    # the run chart threshold is qikit's own minimum for firm limits
    from qikit.stats.api import MIN_POINTS_FIRM

    assert table.loc["data_over_time", "test"]["min_points"] == MIN_POINTS_FIRM
    assert "Singh MK" in data["sources"]["QIKAT-R"] and "Leenstra JL" in data["sources"]["QIPAT-7"]


def test_changing_a_criterion_changes_the_assessment_without_code(tmp_path, monkeypatch):
    p = _complete(tmp_path / "p.json")
    data = json.loads(json.dumps(report_module._criteria_data()))
    data["criteria"] = [c for c in data["criteria"] if c["id"] == "problem"]
    data["criteria"][0]["test"]["min_words"] = 500
    data["criteria"].append({"id": "reflection", "criterion": "The trainee reflects on their learning",
                             "sources": ["SQUIRE"], "test": {"name": "note", "section": "summary", "min_words": 1}})
    monkeypatch.setattr(report_module, "_criteria_data", lambda: data)
    table = assess(p)
    assert list(table.index) == ["problem", "reflection"]
    assert table.loc["problem", "missing"] == ("The 'Problem description' section has 36 words: write at least 500 "
                                               "words (p.notes['problem']).")
    assert table.loc["reflection", "met"]
