"""The explorers and the upload widget, driven from Python: set a control's value (which calls the
observers, as a trainee's click does), then check the result, the image, the words and the code.

No kernel or browser here (tests/test_widgets_browser.py drives them in a real JupyterLab).
"""

from __future__ import annotations

import html
import io
import json
import subprocess
import sys
import zipfile
from datetime import datetime

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import qikit  # noqa: E402
from qikit import datasets, simulate  # noqa: E402
from qikit.errors import QIDataError  # noqa: E402
from qikit.stats.charts import CHARTS  # noqa: E402
from qikit.stats.choose import choose_chart  # noqa: E402
from qikit.stats.rules import RULE_SETS, RULES  # noqa: E402
from qikit.widgets import choose_chart_quiz, explore, signal_or_noise, upload  # noqa: E402
from qikit.widgets.quiz import QUESTIONS  # noqa: E402
from qikit.widgets.signal import catch_table  # noqa: E402
from qikit.widgets.uploader import read_table  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def ward7() -> pd.DataFrame:
    # Ward 7 of the falls data set: 36 months, April 2022 to March 2025 (qikit/datasets/falls.csv).
    return datasets.falls().query("ward == 'Ward 7'").reset_index(drop=True)


def same_result(a, b) -> None:
    pd.testing.assert_frame_equal(a.data, b.data)
    assert a.options == b.options and a.chart == b.chart


# ------------------------------------------------------------------------------------------- imports

def test_importing_the_widgets_package_loads_neither_ipywidgets_nor_matplotlib():
    code = ("import sys, json, qikit, qikit.widgets\n"
            "print(json.dumps([m for m in ('ipywidgets', 'matplotlib') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_functions_keep_their_names_after_their_modules_are_imported():
    import qikit.widgets as w
    from qikit.widgets.explorer import Explorer  # noqa: F401  (imports the module explorer.py)
    from qikit.widgets.uploader import Upload  # noqa: F401

    assert callable(w.explore) and w.explore.__name__ == "explore"
    assert callable(w.upload) and w.upload.__name__ == "upload"
    assert {"choose_chart_quiz", "explore", "signal_or_noise", "upload", "data_route", "stakeholder_grid"} <= set(w.__all__)
    assert all(name in w._LAZY and not name[0].isupper() for name in w.__all__)


# ------------------------------------------------------------------------------------------- explore

def test_explore_shows_the_chart_spc_gives(ward7):
    ex = explore(ward7, x="month", y="falls", n="bed_days", chart="u", multiply=1000)
    direct = qikit.spc(ward7, x="month", y="falls", n="bed_days", chart="u", multiply=1000)
    same_result(ex.result, direct)
    assert ex.error is None and ex.png.startswith(PNG) and ex.image.value == ex.png
    assert ex.image.layout.display is None
    assert direct.explain()[:60].replace("'", "&#x27;") in ex.words.value
    assert ex.chart_image.alt == direct.describe()  # the chart's text alternative, shown under it
    assert html.escape(direct.describe()) in ex.words.value


def test_explore_offers_every_chart_and_rule_set(ward7):
    ex = explore(ward7)
    assert [v for _, v in ex.controls["chart"].options] == list(CHARTS)
    assert [v for _, v in ex.controls["rules"].options] == list(RULE_SETS)
    # defaults: the date column as x, the first other numeric column as y
    assert ex.controls["x"].value == "month" and ex.controls["y"].value == "bed_days"


def test_changing_controls_updates_result_image_and_code(ward7):
    ex = explore(ward7, x="month", y="falls", chart="run")
    first_png, first_code = ex.png, ex.code.value
    ex.controls["chart"].value = "i"
    assert ex.result.chart == "i" and ex.png != first_png and "chart='i'" in ex.code.value
    assert ex.code.value != first_code
    png = ex.png
    ex.controls["rules"].value = "weco"
    assert ex.result.options["rules"] == "weco" and "rules='weco'" in ex.code.value
    ex.controls["freeze"].value = 12
    # 12 subgroups in the baseline: months 1-12 (April 2022 to March 2023)
    assert ex.result.options["freeze"] == 12
    assert ex.result.data["baseline"].sum() == 12 and ex.png != png


def test_freeze_slider_runs_from_off_to_the_number_of_subgroups(ward7):
    ex = explore(ward7, x="month", y="falls")
    # 36 months: "off", then 2 to 36 (a baseline needs at least 2 points)
    values = [v for _, v in ex.controls["freeze"].options]
    assert values == [0, *range(2, 37)]
    both = pd.concat([ward7, ward7])  # each month twice: still 36 subgroups, 72 rows
    ex2 = explore(both, x="month", y="falls")
    assert len(ex2.controls["freeze"].options) == 36
    ex2.controls["x"].value = None  # row order: 72 subgroups
    assert ex2.controls["freeze"].options[-1] == ("72", 72)


def test_phases_split_the_chart_and_switch_freeze_off(ward7):
    ex = explore(ward7, x="month", y="falls", chart="i", freeze=12)
    ex.controls["phases"].value = "12, 24"
    # parts after the 12th and 24th month: three parts of 12 months each
    assert ex.result.data["part"].value_counts().sort_index().tolist() == [12, 12, 12]
    assert ex.controls["freeze"].disabled and "freeze" not in ex.kwargs()
    assert any("Freeze is off" in note for note in ex.notes)
    assert "part=[12, 24]" in ex.code.value
    ex.controls["phases"].value = ""
    assert not ex.controls["freeze"].disabled and ex.result.options["freeze"] == 12


@pytest.mark.parametrize("setup", [
    dict(x="month", y="falls", chart="run"),
    dict(x="month", y="falls", n="bed_days", chart="u", multiply=1000, freeze=12),
    dict(x="month", y="falls", chart="c", rules="nelson", part=[18]),
    dict(x=None, y="falls", chart="i", rules="ihi"),
    dict(x="month", y="falls", n="bed_days", chart="up", rules="weco"),
])
def test_copy_code_reproduces_the_view(ward7, setup):
    ex = explore(ward7, **setup)
    assert ex.result is not None
    namespace = {"df": ward7}
    exec(ex.code.value, namespace)  # the code a trainee pastes into their notebook
    same_result(namespace["res"], ex.result)


def test_copy_code_uses_the_data_name_given(ward7):
    ex = explore(ward7, x="month", y="falls", name="falls_ward7")
    assert "qikit.spc(falls_ward7, x='month'" in ex.code.value
    assert ex.code.disabled  # read-only


@pytest.mark.parametrize("change, words", [
    (dict(y="ward"), "column 'ward' must hold numbers"),
    (dict(chart="p"), "a p chart needs a denominator"),
    (dict(phases="twelve"), "'twelve' is not"),
    (dict(phases="40"), "part=[40]"),
    (dict(chart="run", rules="weco"), "need the chart's sigma"),
])
def test_bad_selections_show_the_message_not_a_traceback(ward7, change, words):
    ex = explore(ward7, x="month", y="falls")
    for key, value in change.items():
        ex.controls[key].value = value
    assert ex.result is None and words in ex.error
    assert ex.image.layout.display == "none"  # no stale chart passing for the new selection
    text = ex.words.value
    assert "This chart cannot be drawn" in text and "Traceback" not in text
    ex.controls["y"].value, ex.controls["chart"].value, ex.controls["phases"].value = "falls", "i", ""
    ex.controls["rules"].value = "anhoej"
    assert ex.error is None and ex.result is not None and ex.image.layout.display is None


def test_qikit_warnings_become_notes(ward7):
    short = ward7.head(8)  # 8 points: fewer than 12, so the limits are provisional
    ex = explore(short, x="month", y="falls", chart="i")  # a QIWarning escaping here would fail the test
    assert ex.result is not None and any("provisional" in note for note in ex.notes)
    assert "provisional" in ex.words.value


def test_one_figure_per_widget_and_none_left_in_pyplot(ward7):
    before = plt.get_fignums()
    ex = explore(ward7, x="month", y="falls", chart="i")
    for chart in ["run", "c", "i", "g"]:
        ex.controls["chart"].value = chart
    assert plt.get_fignums() == before
    assert len(ex.chart_image.figure.axes) == 1


def test_explore_refuses_what_is_not_a_table(ward7):
    with pytest.raises(QIDataError, match="needs a pandas DataFrame"):
        explore([1, 2, 3])
    with pytest.raises(QIDataError, match="'fals' is not a column"):
        explore(ward7, y="fals")


# ------------------------------------------------------------------------------------------- signal or noise

def test_the_trainee_changes_the_same_seeded_process():
    w = signal_or_noise(seed=7, n=40, kind="shift", size=2, at=25)
    pd.testing.assert_frame_equal(w.data, simulate.shift(n=40, at=24, size=2, seed=7))
    w.controls["kind"].value = "trend"
    w.controls["size"].value = 0.5
    assert w.controls["size"].description.startswith("Slope")
    pd.testing.assert_frame_equal(w.data, simulate.trend(n=40, at=24, slope=0.5, seed=7))
    w.controls["kind"].value = "outlier"
    w.controls["at"].value = 10
    pd.testing.assert_frame_equal(w.data, simulate.outlier(n=40, at=9, size=0.5, seed=7))
    w.controls["kind"].value = "none"
    pd.testing.assert_frame_equal(w.data, simulate.common_cause(n=40, seed=7))
    assert w.change_point() is None and w.controls["size"].disabled


def test_limits_come_from_the_points_before_the_change():
    w = signal_or_noise(seed=3, n=30, kind="shift", at=21)
    assert w.options["freeze"] == 20 and w.result.options["freeze"] == 20
    w.controls["baseline"].value = False
    assert "freeze" not in w.options and w.result.options["freeze"] is None


def test_catch_table_by_hand():
    # y alternates 9, 11 for 20 points, then 30, then alternates again; limits from the first 20 points:
    # centre 10, mean moving range 2, sigma 2 / 1.128 = 1.773, UCL 10 + 3 x 1.773 = 15.32. Only the 30
    # (position 20) is outside the limits; no run is longer than 1 point.
    y = [9, 11] * 10 + [30, 9, 11, 9, 11]
    results = {k: qikit.spc(y=y, chart="i", freeze=20, rules=k) for k in RULE_SETS}
    assert results["anhoej"].data["ucl"].iloc[0] == pytest.approx(10 + 3 * 2 / 1.128)
    t = catch_table(results, {}, change=20).set_index("rules")
    for key, rule in (("anhoej", "beyond_limits"), ("weco", "weco1")):
        row = t.loc[key]
        assert row.caught and row.first == 20 and row.delay == 0 and row.false_alarms == 0
        assert row.fired == RULES[rule].name
    # Nelson 4 (14 or more points alternating up and down) flags all 20 alternating points of the baseline
    assert t.loc["nelson", "false_alarms"] == 20 and t.loc["nelson", "first"] == 20
    # with no change every flagged point is a false alarm
    t0 = catch_table(results, {}, change=None).set_index("rules")
    assert t0.loc["anhoej", "false_alarms"] == 1 and not t0["caught"].any()


def test_catch_table_names_whole_chart_rules():
    # ten 1s then ten 5s: the median is 3, so two runs of 10 (Anhøj's limit for 20 useful points is
    # round(log2(20) + 3) = 7) flag every point, and the single crossing is below the 6 that 20 points
    # need (5th percentile of Binomial(19, 0.5)), a whole-chart signal
    y = [1] * 10 + [5] * 10
    res = {"anhoej": qikit.spc(y=y)}
    row = catch_table(res, {}, change=10).set_index("rules").loc["anhoej"]
    assert row.fired == "Unusually long run, Too few crossings (whole chart)"
    assert row.caught and row.first == 10 and row.delay == 0 and row.false_alarms == 10
    row = catch_table(res, {}, change=None).set_index("rules").loc["anhoej"]
    assert row.note == "whole chart: Too few crossings" and row.false_alarms == 20 and not row.caught


def test_signal_table_agrees_with_the_charts_and_updates():
    w = signal_or_noise(seed=11, kind="outlier", size=8, at=35)
    for key, res in w.results.items():
        flagged = np.flatnonzero(res.data["signal"].to_numpy())
        row = w.table.set_index("rules").loc[key]
        assert row.false_alarms == int((flagged < 34).sum())
        assert row.first == (int(flagged[flagged >= 34][0]) if (flagged >= 34).any() else -1)
    # an 8-SD outlier is far beyond 3-sigma limits set on the baseline: caught at once
    assert w.table.set_index("rules").loc["anhoej", "first"] == 34
    assert "The change starts at point 35" in w.table_html.value
    png = w.png
    w.controls["show"].value = "nelson"
    assert w.result is w.results["nelson"] and w.png != png


def test_run_chart_keeps_sigma_rules_out_in_plain_words():
    w = signal_or_noise(seed=5, chart="run", show="weco")
    assert w.results["weco"] is None and w.results["anhoej"] is not None
    assert "needs control limits" in w.table_html.value
    assert w.image.layout.display == "none" and "Traceback" not in w.words.value
    w.controls["chart"].value = "i"
    assert w.result is not None and w.image.layout.display is None


def test_new_process_button_moves_to_the_next_seed():
    w = signal_or_noise(seed=1, kind="none")
    w.new_button.click()
    assert w.seed == 2
    pd.testing.assert_frame_equal(w.data, simulate.common_cause(n=52, seed=2))


def test_signal_or_noise_refuses_bad_settings():
    with pytest.raises(QIDataError, match="from 12 to 1000"):
        signal_or_noise(n=5)
    with pytest.raises(QIDataError, match="at=60"):
        signal_or_noise(at=60)


# ------------------------------------------------------------------------------------------- quiz

def click(quiz, label_start: str) -> None:
    [button] = [b for b in quiz.option_buttons if b.description.startswith(label_start)]
    button.click()


# The leaves of Provost & Murray's tree (Health Care Data Guide, 2011, Figure 5.1), worked by hand.
PATHS = [
    (["A measurement", "One"], "i"),
    (["A measurement", "Several", 4], "xbar"),
    (["Yes or no", "No"], "p"),
    (["Yes or no", "Yes"], "pp"),
    (["A count", "Yes", "In cases"], "g"),
    (["A count", "Yes", "In time"], "t"),
    (["A count", "No", "Yes"], "c"),
    (["A count", "No", "No", "No"], "u"),
    (["A count", "No", "No", "Yes"], "up"),
]


@pytest.mark.parametrize("path, chart", PATHS)
def test_quiz_paths_end_in_the_charts_of_the_tree(path, chart):
    quiz = choose_chart_quiz()
    for step in path:
        assert quiz.choice is None
        if isinstance(step, int):
            quiz.number.value = step
            quiz.next_button.click()
        else:
            click(quiz, step)
    assert quiz.question is None and quiz.choice.chart == chart
    shown = quiz.body.children[0].value
    assert html.escape(CHARTS[chart].title) in shown and html.escape(quiz.choice.reason[1:40]) in shown


def test_quiz_recommendation_is_choose_charts():
    quiz = choose_chart_quiz()
    click(quiz, "A measurement")
    click(quiz, "Several")
    quiz.number.value = 6
    quiz.next_button.click()
    assert quiz.choice == choose_chart("measurement", subgroup_size=6)
    assert "subgroups of 6" in quiz.body.children[0].value
    assert "S chart" in quiz.body.children[0].value  # the companion chart


def test_quiz_reaches_every_chart_the_chooser_can_give():
    assert {chart for _, chart in PATHS} == {"i", "xbar", "p", "pp", "g", "t", "c", "u", "up"}
    assert set(QUESTIONS) >= {"data_type", "rare_events", "equal_opportunity"}


def test_quiz_back_and_start_again():
    quiz = choose_chart_quiz()
    assert quiz.back_button.disabled
    click(quiz, "A count")
    click(quiz, "No")
    assert quiz.question == "equal_opportunity" and "Question 3" in quiz.heading.value
    assert "A count of events" in quiz.path.value  # the answers so far
    quiz.back_button.click()
    assert quiz.question == "rare_events"
    click(quiz, "No")
    click(quiz, "Yes")
    assert quiz.choice.chart == "c"
    quiz.restart_button.click()
    assert quiz.question == "data_type" and quiz.answers == {} and quiz.choice is None and quiz.path.value == ""


def test_quiz_number_question_refuses_out_of_range():
    quiz = choose_chart_quiz()
    click(quiz, "A measurement")
    click(quiz, "Several")
    quiz.answer(1)  # a subgroup of 1 is not a subgroup: the question stays
    assert quiz.question == "subgroup_size"


# ------------------------------------------------------------------------------------------- upload

def file_value(name: str, content: bytes, kind: str = "text/csv") -> tuple:
    """What ipywidgets 8's FileUpload puts in .value when a file arrives."""
    return ({"name": name, "type": kind, "size": len(content), "content": memoryview(content),
             "last_modified": datetime(2024, 5, 1, 9, 30)},)


FALLS_CSV = b"month,ward,bed_days,falls\n2024-01-01,Ward 7,790,5\n2024-02-01,Ward 7,829,5\n2024-03-01,Ward 7,831,7\n"


def test_upload_fills_data_when_a_file_arrives():
    seen = []
    up = upload(on_load=seen.append)
    assert up.data is None
    up.picker.value = file_value("falls.csv", FALLS_CSV)
    assert up.problems == [] and up.filename == "falls.csv"
    assert up.data.columns.tolist() == ["month", "ward", "bed_days", "falls"]
    assert up.data["month"].dt.month.tolist() == [1, 2, 3]
    assert up.data["falls"].tolist() == [5, 5, 7]
    # rows keep their spreadsheet numbers: heading is row 1, so the data are rows 2-4
    assert up.data.index.tolist() == [2, 3, 4] and up.data.index.name == "row"
    assert len(seen) == 1 and seen[0] is up.data
    assert "Read falls.csv:</strong> 3 rows and 4 columns" in up.status.value
    assert "No problems found" in up.status.value and "Ward 7" in up.preview.value


def test_uploaded_data_goes_straight_into_spc_and_explore():
    up = upload()
    up.load(FALLS_CSV.replace(b"831,7", b"0,7"), "falls.csv")
    ex = explore(up.data, x="month", y="falls", n="bed_days", chart="u")
    # the 0 bed-days is in spreadsheet row 4, and qikit's message names that row
    assert "row 4" in ex.error


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "'empty.csv' is empty"),
    ("blank.csv", b"\n\n  \n", "'blank.csv' is empty"),
    ("headings.csv", b"month,falls\n", "has headings but no rows of data"),
    ("notes.pdf", b"%PDF-1.4 ...", "qikit reads CSV files (.csv) and Excel workbooks"),
    ("ragged.csv", b"a,b\n1,2\n3,4,5\n", "line 3 of the file has 3 values where the heading row has 2"),
    ("broken.xlsx", b"PK\x03\x04 not really a workbook", "could not be opened as an Excel workbook"),
])
def test_upload_reports_unreadable_files_in_plain_words(name, content, words):
    up = upload()
    up.picker.value = file_value(name, content)
    assert up.data is None and len(up.problems) == 1 and words in up.problems[0]
    assert "could not be read" in up.status.value and "Traceback" not in up.status.value


def test_upload_reports_text_in_numbers_with_the_rows():
    csv = b"month,falls\n2024-01-01,4\n2024-02-01,3\n2024-03-01,12 (approx)\n2024-04-01,5\n2024-05-01,?\n"
    got = read_table(csv, "falls.csv")
    # '12 (approx)' is on line 4 of the file and '?' on line 6 (the heading is line 1)
    assert got.problems == ["column 'falls' looks like a column of numbers, but rows 4 and 6 hold text "
                            "('12 (approx)', '?'). If it should hold numbers, correct or empty those cells; if it "
                            "is a column of labels, ignore this."]
    assert got.kinds["falls"] == "text" and got.data["falls"].tolist()[2] == "12 (approx)"  # nothing changed


def test_upload_reports_bad_dates_with_the_rows():
    csv = (b"week,n\n03/04/2024,1\n10/04/2024,2\n17/04/2024,3\n24/04/2024,4\n31/04/2024,5\n01/05/2024,6\n"
           b"08/05/2024,7\nsoon,8\n15/05/2024,9\n22/05/2024,1\n")
    got = read_table(csv, "weeks.csv")
    # 31 April does not exist (line 6) and 'soon' is not a date (line 9)
    assert got.problems == ["column 'week' holds dates, but rows 6 and 9 could not be read as dates "
                            "('31/04/2024', 'soon'). Use one format for every date, e.g. 2024-03-31."]
    assert got.kinds["week"] == "text"


def test_upload_reads_uk_dates_day_first_and_says_so():
    got = read_table(b"week,n\n03/04/2024,1\n10/04/2024,2\n", "weeks.csv")
    assert got.data["week"].tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-10")]
    assert any("read day first" in n for n in got.notes)
    us = read_table(b"week,n\n04/03/2024,1\n04/13/2024,2\n", "weeks.csv")  # 13 cannot be a month
    assert us.data["week"].tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-13")]
    iso = read_table(b"month,n\n2024-02-01,1\n2024-03-01,2\n", "m.csv")  # ISO dates are never swapped
    assert iso.data["month"].dt.month.tolist() == [2, 3] and iso.notes == []


def test_upload_reads_european_csv_and_windows_text():
    got = read_table(b"month;rate\n2024-01-01;1,5\n2024-02-01;2,25\n", "eu.csv")
    assert got.data["rate"].tolist() == [1.5, 2.25] and got.problems == []
    latin = read_table("ward,n\nCaf\xe9,1\n".encode("cp1252"), "w.csv")
    assert latin.data["ward"].tolist() == ["Café"] and "not in UTF-8" in latin.notes[0]


def test_upload_drops_blank_rows_but_keeps_row_numbers():
    got = read_table(b"month,falls,\n2024-01-01,4,\n,,\n2024-03-01,6,\n", "gaps.csv")
    assert got.data.index.tolist() == [2, 4] and got.data.columns.tolist() == ["month", "falls"]


def _minimal_xlsx() -> bytes:
    """Just enough of a zip for pandas to see an .xlsx workbook (it then asks openpyxl to open it)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def test_excel_without_openpyxl_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if openpyxl were not installed
    up = upload()
    up.picker.value = file_value("falls.xlsx", _minimal_xlsx(),
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert up.data is None
    [problem] = up.problems
    assert "needs the Python package openpyxl" in problem and "Save the sheet as CSV" in problem


def test_excel_workbook_is_read_when_openpyxl_is_there():
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["month", "falls"])
    sheet.append([datetime(2024, 1, 1), 4])
    sheet.append([datetime(2024, 2, 1), "n/k"])
    sheet.append([datetime(2024, 3, 1), 6])
    book.create_sheet("notes")
    buf = io.BytesIO()
    book.save(buf)
    got = read_table(buf.getvalue(), "falls.xlsx")
    assert got.kinds["month"] == "dates" and "row 3 holds text ('n/k')" in got.problems[0]
    assert any("2 sheets" in n for n in got.notes)
