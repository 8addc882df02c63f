"""The pages nbgrader renders from students' notebooks: student HTML made harmless, and formgrader's
marking page made accessible.

**Safety.** nbconvert copies a notebook's HTML into the page as it is: the HTML in a markdown answer,
and whatever the student's code displayed (``text/html``, ``application/javascript``, widgets). In
formgrader that page is the tutor's, served by the grader's Jupyter server, so a script planted in a
submission would run there with the grader's rights (the server's contents, kernels and terminals, and
so the gradebook): student code running as the grader by another road. So every page the course
renders (``page_settings()``) sets nbconvert's ``sanitize_html`` (no script or widget outputs) and
passes every HTML fragment, markdown cells included, through :func:`clean_html`: an allow-list of
text, headings, lists, tables, images and links, with no scripts, styles, forms, frames, event
handlers or ``javascript:`` links; relative links dropped (a picture cannot call the server); ids
prefixed so that they cannot stand in for the page's own; only the classes code highlighting and
tables use, so that a submission cannot dress itself as the page's buttons or menus.

**Accessibility.** nbgrader 0.9 marks with its own page (its ``formgrade`` template), which fails
WCAG 2.2 AA. ``templates/marking/marking.html.j2`` renders that page part by part as nbgrader writes
it and passes each part through one filter here, so nothing of nbgrader's is copied: the page's
language (WCAG 3.1.1); a name for every score, extra-credit and comment box (1.3.1, 4.1.2); the
breadcrumb as one list, not a list inside a list (1.3.1); and the course's stylesheet
(``templates/marking/marking.css``): text and code at 4.5:1 contrast or more (1.4.3), links underlined
(1.4.1), long output wrapped instead of scrolled in a box a keyboard cannot reach (2.1.1).

Both reach nbgrader through ``course/nbgrader_config.py``. formgrader builds its page's exporter from
the course's configuration itself, so the settings hold wherever formgrader runs (a tutor's laptop, the
hub's grader service), with nothing to switch on.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

from jinja2 import pass_context
from traitlets.config import LoggingConfigurable

MARKING = Path(__file__).with_name("templates") / "marking"

#: Prefix of every id in a student's HTML, so that it never matches an id of the page itself.
ID_PREFIX = "nb-"
#: Tags a notebook's HTML may keep: text, headings, lists, tables, images, links, code. Not kept: scripts,
#: styles, forms and their fields, frames, objects, image maps, SVG and MathML (whose own scripting and
#: styling an allow-list of tags cannot follow).
TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt",
    "ruby", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
#: Tags removed with everything inside them (the text of a script or a stylesheet is not for reading).
DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "title", "textarea", "select", "button"}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}
#: Classes a notebook's HTML may keep, by tag: Pygments' token classes (``k``, ``mi``, ``s1``, ...) and
#: nbconvert's highlighting, heading anchors and pandas tables. Any other class is removed.
_CLASSES = {
    "div": re.compile(r"highlight|hl-[a-z0-9_+-]+"),
    "pre": re.compile(r"hl-[a-z0-9_+-]+"),
    "a": re.compile(r"anchor-link"),
    "table": re.compile(r"dataframe"),
}


@functools.cache
def _pygments_classes() -> frozenset[str]:
    from pygments.token import STANDARD_TYPES

    return frozenset({*STANDARD_TYPES.values(), "hll"} - {""})


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Keep, change or drop (None) one attribute the allow-list lets through."""
    if name == "class":
        if tag in ("span", "code"):
            keep = [c for c in value.split() if c in _pygments_classes()]
        else:
            pattern = _CLASSES.get(tag)
            keep = [c for c in value.split() if pattern and pattern.fullmatch(c)]
        return " ".join(keep) or None
    if name in ("href", "src") and value.strip().lower().startswith("data:"):
        # pictures pasted into a markdown cell arrive as data: images; nothing else may be a data: URL
        return value if tag == "img" and re.match(r"\s*data:image/(png|jpeg|gif|webp);", value, re.I) else None
    return value


def clean_html(fragment: str | bytes) -> str:
    """``fragment`` (HTML from a notebook) reduced to what is safe to show in the course's pages.

    Examples
    --------
    >>> clean_html('<p onclick="steal()">Aim: <b>90%</b></p><script>steal()</script>')
    '<p>Aim: <b>90%</b></p>'
    >>> clean_html('<a href="javascript:steal()">Next</a> <img src="/logout"> <input value="10">')
    '<a rel="noopener noreferrer">Next</a> <img> '
    >>> clean_html('<span class="mi btn btn-success">1</span> <div id="a1_q1">x</div>')
    '<span class="mi">1</span> <div id="nb-a1_q1">x</div>'
    """
    import nh3  # only the pages need it: importing qikit.grading stays light

    text = fragment.decode("utf-8", "replace") if isinstance(fragment, bytes) else str(fragment)
    return nh3.clean(text, tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT, attributes=ATTRIBUTES,
                     attribute_filter=_attribute, url_schemes=URL_SCHEMES, url_relative="deny",
                     id_prefix=ID_PREFIX, strip_comments=True)


class SafeMarkdown(LoggingConfigurable):
    """The ``markdown2html`` filter of the course's pages: nbconvert's own rendering (pictures pasted into
    the cell, heading anchors, maths), then :func:`clean_html`.

    nbconvert makes one for each exporter, with the exporter as ``parent``; the exporter's own
    ``markdown2html`` does the rendering.
    """

    @pass_context
    def __call__(self, context, source: str) -> str:
        return clean_html(self.parent.markdown2html(context, source))

    # Jinja reads whether to pass the context from the callable itself: here, the instance.
    jinja_pass_arg = __call__.jinja_pass_arg


def page_settings() -> dict:
    """Settings for ``c.HTMLExporter`` that every page the course renders shares: cleaned HTML, the
    course's filters, and formgrader's marking page (``templates/marking``).

    The feedback page sets its own template over these (:func:`qikit.grading.feedback.template_settings`).
    """
    return {
        "sanitize_html": True,
        "filters": {
            "clean_html": f"{__name__}.clean_html",
            "markdown2html": f"{__name__}.SafeMarkdown",
            "marking_head": f"{__name__}.marking_head",
            "marking_nav": f"{__name__}.marking_nav",
            "marking_boxes": f"{__name__}.marking_boxes",
        },
        "extra_template_paths": [str(MARKING)],
        "template_file": "marking.html.j2",
    }


# --- formgrader's marking page, part by part --------------------------------------------------------
def marking_head(head: str, language: str = "en") -> str:
    """The page's head: its language set, and the course's stylesheet after nbgrader's."""
    if not re.search(r"<html\b[^>]*\blang=", head):
        head = re.sub(r"<html\b", f'<html lang="{html.escape(language)}"', head, count=1)
    return head.replace("</head>", f'<style type="text/css">\n{_marking_css()}</style>\n</head>', 1)


@functools.cache
def _marking_css() -> str:
    """The course's stylesheet for the marking page, read once per server, not once per page."""
    return (MARKING / "marking.css").read_text(encoding="utf-8")


_NESTED_LIST = re.compile(r'<ul class="nav text-center">(\s*<ul class="breadcrumb">.*?</ul>\s*)</ul>', re.S)


def marking_nav(body: str) -> str:
    """The page's body with its breadcrumb (the first list in the page) no longer a list inside a list."""
    return _NESTED_LIST.sub(r'<div class="nav text-center">\1</div>', body, count=1)


def marking_boxes(fragment: str, cell) -> str:
    """One cell of the page, its score, extra-credit and comment boxes named after the cell."""
    info = cell.get("metadata", {}).get("nbgrader", {})
    grade_id = html.escape(str(info.get("grade_id", "")), quote=True)
    if not grade_id:
        return fragment
    out_of = f", out of {float(info['points']):g}" if info.get("points") is not None else ""
    # nbgrader's boxes are the only fields in a cell: clean_html removes any from the student's HTML
    for tag, label in (('<input class="score', f"Score for {grade_id}{out_of}"),
                       ('<input class="extra-credit', f"Extra credit for {grade_id}"),
                       ('<textarea id=', f"Comment on {grade_id}")):
        fragment = fragment.replace(tag, f'{tag.split(" ", 1)[0]} aria-label="{label}" {tag.split(" ", 1)[1]}',
                                    1)
    return fragment
