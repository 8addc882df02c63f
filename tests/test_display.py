"""qikit.display: verdicts and errors as readable HTML in Jupyter, plain text elsewhere; numbers as people
write them."""

from __future__ import annotations

import re

import pytest

from qikit.display import Text, error_html, fmt_number, install_error_display, text_html
from qikit.errors import QIDataError
from qikit.exercises import nb04
from qikit.exercises._feedback import FORM_CHECKED, NOT_ANSWERED, PARTLY, RIGHT, WRONG, Verdict


@pytest.mark.parametrize("value, text", [
    (95.8511, "95.9"), (4.73e-11, "0.0000000000473"), (24817.0, "24,817"), (0.000123456, "0.000123"),
    (12, "12"), (0.5, "0.5"), (-3.14159, "-3.14"), (1234567.8, "1,234,568"), (0, "0"),
])
def test_numbers_three_significant_figures_never_scientific(value, text):
    assert fmt_number(value) == text
    assert "e" not in fmt_number(value).lower()


@pytest.mark.parametrize("status, mark, word", [
    (RIGHT, "✔", "Right"), (PARTLY, "◐", "Partly right"), (WRONG, "✘", "Not yet"),
    (NOT_ANSWERED, "…", "Not answered"), (FORM_CHECKED, "☑", "Form checked"),
])
def test_every_verdict_colour_comes_with_a_mark_and_a_word(status, mark, word):
    v = Verdict(status, "Because <reasons> & more.", ("1. ✔ one", "2. ✘ two"))
    html = v._repr_html_()
    assert mark in html and word in html  # the meaning does not rest on colour alone
    assert re.search(r"color:#[0-9a-f]{6}", html)  # and the colour is there too
    assert "&lt;reasons&gt; &amp; more." in html  # the trainee's text is escaped
    assert html.count("<li>") == 2 and "white-space:normal" in html  # wraps, one line per part
    assert str(v).startswith(mark)  # plain text elsewhere


def test_real_check_renders_as_html_with_its_parts():
    v = nb04.check_which_ward("Ward 3")
    html = v._repr_html_()
    assert "✘" in html and "Not yet" in html and "Ward 3 was already improving" in html


def test_text_is_html_in_jupyter_and_plain_elsewhere():
    t = Text("No signals.\n  - point one\n  - point two")
    assert str(t) == "No signals.\n  - point one\n  - point two" and repr(t) == str(t)
    html = t._repr_html_()
    assert "<p" in html and html.count("<li>") == 2
    assert "<strong>Title</strong>" in text_html("x", title="Title")


def test_error_box_is_short_with_the_traceback_folded():
    err = QIDataError("column 'n' has negative values; a count cannot be below 0, in rows 4 and 9.", column="n",
                      rows=[4, 9])
    html = error_html(err, technical="Traceback (most recent call last):\n  File ...\nQIDataError: ...")
    visible = html.split("<details")[0]
    assert "column &#x27;n&#x27; has negative values" in visible and "rows 4 and 9" in visible
    assert "How to fix it" in visible and "Traceback" not in visible
    assert "<summary" in html and "Technical details" in html and "Traceback" in html


def test_error_display_outside_ipython_is_a_no_op():
    assert install_error_display() in (False, True)  # never raises, whatever the host


def test_error_display_in_an_ipython_shell_shows_the_box():
    """In a real IPython shell, a QIDataError shows the box; other errors keep IPython's traceback."""
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell.display_pub.publish = lambda data, *a, **k: shown.append(data)
    try:
        assert install_error_display()
        result = shell.run_cell("from qikit.errors import QIDataError\n"
                                "raise QIDataError(\"column 'y' must hold numbers\", column='y')")
        assert not result.success
        html = [d.get("text/html", "") for d in shown]
        assert any("qikit-error" in h and "column &#x27;y&#x27; must hold numbers" in h for h in html), html
        shown.clear()
        shell.run_cell("raise KeyError('not qikit')")
        assert not any("qikit-error" in d.get("text/html", "") for d in shown)
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_error_box_in_a_real_kernel_stops_run_all(tmp_path):
    """In a Jupyter kernel (as a trainee runs a notebook): the QIDataError cell shows the box, no 45-line
    traceback, and the cell still counts as failed, so "Run All" stops there."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\nimport qikit\nfrom qikit.exercises import nb00"),
                nbformat.v4.new_code_cell("qikit.spc(pd.DataFrame({'week': [1, 2, 3], 'n': ['4', 'x', '6']}), "
                                          "x='week', y='n')"),
                nbformat.v4.new_code_cell("print('never reached')")]
    client = NotebookClient(nb, kernel_name="python3", timeout=120, record_timing=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError):
        client.execute()
    outputs = nb.cells[1].outputs
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert html and "qikit-error" in html[0] and "<details" in html[0]
    errors = [o for o in outputs if o.output_type == "error"]
    # one error output of one line: the cell fails (nbgrader gives a failing test no marks), without the
    # 45 lines of qikit's source
    assert len(errors) == 1 and errors[0].ename == "QIDataError" and len(errors[0].traceback) == 1
    assert not nb.cells[2].outputs
    from nbgrader.utils import determine_grade

    cell = nb.cells[1]
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1, "grade_id": "t",
                                 "schema_version": 3}
    assert determine_grade(cell) == (0, 1)  # a grade cell that raises a qikit error earns nothing
