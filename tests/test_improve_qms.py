"""Quality management system: the four functions, the activity classifier and exercise marking."""

import doctest

import pytest

import qikit.improve.qms as qms_module
from qikit.errors import QIDataError
from qikit.improve import QUALITY_FUNCTIONS, classify_activity, mark_qms, qms_exercise

REFERENCE = ["planning"] * 3 + ["control"] * 3 + ["assurance"] * 3 + ["improvement"] * 3


def test_four_functions_each_explained():
    assert list(QUALITY_FUNCTIONS) == ["planning", "control", "assurance", "improvement"]
    for info in QUALITY_FUNCTIONS.values():
        assert info.name.startswith("Quality ") and len(info.purpose.split()) > 10


@pytest.mark.parametrize("activity, function", [
    ("A twice-daily safety huddle on the stroke unit", "control"),
    ("The CQC inspects maternity services", "assurance"),
    ("Re-audit of consent forms after six months", "assurance"),
    ("PDSA cycles testing a new handover sheet", "improvement"),
    ("Designing a new same-day emergency care service", "planning"),
])
def test_classifier_on_typical_activities(activity, function):
    result = classify_activity(activity)
    assert result.function == function
    assert result.explanation.startswith(QUALITY_FUNCTIONS[function].name)


def test_classifier_says_when_it_cannot_tell():
    none = classify_activity("Buying new chairs for the waiting room")
    assert none.function is None and none.cues == () and "decide whether" in none.explanation
    tie = classify_activity("An audit of the daily huddle")  # one assurance cue, two control cues
    assert tie.function == "control"
    even = classify_activity("An audit of the huddle")  # one cue each
    assert even.function is None and "points equally to quality control and quality assurance" in even.explanation
    with pytest.raises(QIDataError, match="describe the activity"):
        classify_activity("")


def test_classifier_agrees_with_every_reference_answer():
    exercise = qms_exercise()
    guesses = [classify_activity(a).function for a in exercise["activity"]]
    assert guesses == REFERENCE


def test_mark_all_correct_with_aliases():
    aliases = ["Quality planning", "QP", "plan", "QC", "control", "quality control", "QA", "assurance",
               "Quality Assurance", "QI", "improvement", " quality improvement "]
    marks = mark_qms(aliases)
    assert marks["correct"].all() and marks["feedback"].str.startswith("Correct.").all()


def test_mark_gives_feedback_on_wrong_and_missing_answers():
    marks = mark_qms({1: "planning", 7: "improvement"})
    assert marks["correct"].sum() == 1
    row = marks.set_index("id").loc[7]
    assert (row["answer"], row["expected"]) == ("improvement", "assurance")
    assert row["feedback"].startswith("This is quality assurance, not quality improvement:")
    assert marks.set_index("id").loc[2, "feedback"].startswith("No answer. This is quality planning")
    assert float(marks["correct"].mean()) == pytest.approx(1 / 12)


def test_mark_refuses_malformed_answers():
    with pytest.raises(QIDataError, match="answer 3: 'audit' is not a quality function"):
        mark_qms(["planning", "planning", "audit"] + REFERENCE[3:])
    with pytest.raises(QIDataError, match="has 2 labels but the exercise has 12"):
        mark_qms(["planning", "control"])
    with pytest.raises(QIDataError, match=r"ids \[13\]"):
        mark_qms({13: "planning"})
    with pytest.raises(QIDataError, match="list of labels"):
        mark_qms("planning")


def test_docstring_examples_run():
    assert doctest.testmod(qms_module).failed == 0
