"""The course's pages rendered from students' notebooks (qikit/grading/pages.py).

What a cleaner must keep is what a trainee legitimately writes or shows (words, headings, lists, tables,
code, a pasted picture, a link to a guideline); what it must remove is anything that can run, call the
server, or pass itself off as part of the tutor's page. The cases below are written from that, not from
the allow-list. The end-to-end checks (formgrader in Chromium, a hostile submission) are in
test_nbgrader_feedback.py.
"""

from __future__ import annotations

import base64

import nbformat
import pytest
from traitlets.config import Config

from qikit.grading.pages import clean_html, marking_boxes, marking_head, marking_nav, page_settings

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()

KEPT = [
    ("<p>Door-to-needle time fell to <b>42</b> <em>minutes</em>.</p>",) * 2,
    ("<h2>Balancing measures</h2><ul><li>Falls</li><li>Length of stay</li></ul>",) * 2,
    ("<ol start=\"3\"><li>third</li></ol>",) * 2,
    ('<table class="dataframe"><thead><tr><th>Week</th></tr></thead><tbody><tr><td>12</td></tr></tbody></table>',) * 2,
    ('<div class="highlight"><pre><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span></pre></div>',) * 2,
    (f'<img src="data:image/png;base64,{PNG}" alt="run chart">',) * 2,
    ('<a href="https://www.england.nhs.uk/">NHS England</a>',
     '<a href="https://www.england.nhs.uk/" rel="noopener noreferrer">NHS England</a>'),
    ("<blockquote>Every system is perfectly designed...</blockquote>",) * 2,
    ("Plain text with 5 &lt; 7 &amp; an ampersand",) * 2,
]


@pytest.mark.parametrize(("fragment", "expected"), KEPT)
def test_what_a_trainee_writes_or_shows_is_kept(fragment, expected):
    assert clean_html(fragment) == expected


REMOVED = {
    "script": ("<p>ok</p><script>steal()</script>", "<p>ok</p>"),
    "script, upper case": ("<SCRIPT>steal()</SCRIPT>ok", "ok"),
    "style sheet": ("<style>.navbar{display:none}</style>ok", "ok"),
    "style attribute": ('<p style="position:fixed;top:0">ok</p>', "<p>ok</p>"),
    "event handler": ('<img src="data:image/png;base64,AAAA" onerror="steal()">',
                      '<img src="data:image/png;base64,AAAA">'),
    "javascript: link": ('<a href="javascript:steal()">x</a>', '<a rel="noopener noreferrer">x</a>'),
    "javascript: link, disguised": ('<a href="jav&#x09;ascript:steal()">x</a>', '<a rel="noopener noreferrer">x</a>'),
    "data: page link": ('<a href="data:text/html,<script>steal()</script>">x</a>', '<a rel="noopener noreferrer">x</a>'),
    "data: svg picture": ('<img src="data:image/svg+xml,<svg onload=steal()>">', "<img>"),
    "relative picture (a request to the server)": ('<img src="/hub/logout">', "<img>"),
    "relative link": ('<a href="../api/contents">x</a>', '<a rel="noopener noreferrer">x</a>'),
    "iframe": ('<iframe srcdoc="<script>steal()</script>"></iframe>ok', "ok"),
    "object and embed": ('<object data="x.swf"></object><embed src="x.swf">ok', "ok"),
    "form and fields": ('<form action="/api"><input name="score" value="10"><button>Send</button></form>ok', "ok"),
    "text box": ("<textarea>typed</textarea>ok", "ok"),
    "svg": ('<svg onload="steal()"><circle r="5"/></svg>ok', "ok"),
    "maths markup": ('<math><mi xlink:href="javascript:steal()">x</mi></math>', ""),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example">ok', "ok"),
    "base": ('<base href="https://evil.example/">ok', "ok"),
    "comment": ("<!-- hidden --><p>ok</p>", "<p>ok</p>"),
    "page's classes": ('<div class="navbar navbar-fixed-top btn btn-success">Full credit</div>',
                       "<div>Full credit</div>"),
    "page's ids": ('<div id="a1_q1_test">x</div>', '<div id="nb-a1_q1_test">x</div>'),
}


@pytest.mark.parametrize("case", sorted(REMOVED))
def test_what_could_run_or_pose_as_the_page_is_removed(case):
    fragment, expected = REMOVED[case]
    assert clean_html(fragment) == expected


def test_bytes_are_read_as_utf8():
    assert clean_html("<p>£5 café</p>".encode()) == "<p>£5 café</p>"


def _cell(grade_id="a1_q2_aim", points=4):
    return nbformat.v4.new_code_cell(metadata={"nbgrader": {"grade_id": grade_id, "points": points}})


def test_marking_boxes_are_named_after_their_cell():
    fragment = ('<input class="score tabbable" id="a1_q2_aim" type="number" /> / 4.0 '
                '<input class="extra-credit tabbable" id="a1_q2_aim_extra_credit" type="number" /> '
                '<textarea id="a1_q2_aim-comment" class="comment tabbable"></textarea>')
    out = marking_boxes(fragment, _cell())
    assert '<input aria-label="Score for a1_q2_aim, out of 4" class="score tabbable" id="a1_q2_aim"' in out
    assert '<input aria-label="Extra credit for a1_q2_aim" class="extra-credit tabbable"' in out
    assert '<textarea aria-label="Comment on a1_q2_aim" id="a1_q2_aim-comment"' in out
    assert marking_boxes("<p>no boxes</p>", nbformat.v4.new_markdown_cell("x")) == "<p>no boxes</p>"
    # a grade id cannot break out of the attribute
    hostile = marking_boxes('<input class="score">', _cell('x" onfocus="steal()', 1))
    assert 'onfocus="' not in hostile and "&quot;" in hostile


def test_marking_head_sets_the_language_once_and_adds_the_stylesheet():
    head = marking_head("<!DOCTYPE html>\n<html>\n<head><title>a1</title></head>")
    assert head.count('<html lang="en">') == 1 and head.count("<style") == 1
    assert head.index("<style") < head.index("</head>")
    assert marking_head('<html lang="cy"><head></head>').startswith('<html lang="cy">')


def test_marking_nav_makes_the_breadcrumb_one_list():
    body = ('<nav><ul class="nav text-center">\n  <ul class="breadcrumb">\n    <li><a>Manual Grading</a></li>\n'
            '  </ul>\n</ul></nav><ul class="nav text-center"><ul class="breadcrumb"></ul></ul>')
    out = marking_nav(body)
    assert out.startswith('<nav><div class="nav text-center">\n  <ul class="breadcrumb">')
    assert out.count('<div class="nav text-center">') == 1  # only the page's own, which comes first
    assert "</ul>\n</div></nav>" in out


def test_an_exporter_with_the_course_settings_cleans_markdown_and_outputs():
    """The settings as course/nbgrader_config.py gives them, on nbconvert's classic page: a markdown
    cell's pasted picture survives, its script does not; a script output and an HTML output's handler
    are gone."""
    from nbconvert import HTMLExporter

    config = Config()
    for key, value in page_settings().items():
        setattr(config.HTMLExporter, key, value)
    config.HTMLExporter.template_file = "index.html.j2"  # the classic page: formgrader's needs its server
    config.HTMLExporter.template_name = "classic"
    nb = nbformat.v4.new_notebook()
    md = nbformat.v4.new_markdown_cell("Our **aim**. ![chart](attachment:chart.png)\n\n<script>steal()</script>")
    md.attachments = {"chart.png": {"image/png": PNG}}
    code = nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", {"application/javascript": "steal()"}),
        nbformat.v4.new_output("display_data", {"text/html": '<b>table</b><img src="x" onerror="steal()">'}),
    ])
    nb.cells = [md, code]
    html, _ = HTMLExporter(config=config).from_notebook_node(nb)
    assert "steal()" not in html
    assert "<strong>aim</strong>" in html and f"data:image/png;base64,{PNG}" in html and "<b>table</b>" in html
