"""Quality management system: the four functions, the activity classifier and exercise marking."""


import pytest

from qikit.errors import QIDataError
from qikit.improve import QUALITY_FUNCTIONS, classify_activity
from qikit.improve.qms import REFERENCE_ACTIVITIES

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
    assert [f for _, f in REFERENCE_ACTIVITIES] == REFERENCE
    guesses = [classify_activity(a).function for a, _ in REFERENCE_ACTIVITIES]
    assert guesses == REFERENCE
