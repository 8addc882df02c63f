"""qikit.exercises.spec: the declarative kinds of question every check is built from."""

from __future__ import annotations

import numpy as np
import pytest

from qikit.exercises._feedback import FORM_CHECKED, NOT_ANSWERED, PARTLY, RIGHT, WRONG
from qikit.exercises.spec import (
    Choice,
    Fields,
    Item,
    Items,
    Miss,
    Number,
    Option,
    Quiz,
    Vocabulary,
    form_checked,
    normalise,
    read_number,
)

WARD = Choice({"a": Option("Ward 3", "Rising before."), "b": Option("Ward 5", "Steps and holds."),
               "c": Option("Ward 8", "Fades.")}, correct="b")


@pytest.mark.parametrize("answer, status", [
    ("b", RIGHT), ("B", RIGHT), ("(b)", RIGHT), ("b.", RIGHT), ("option b", RIGHT), ("b. Ward 5", RIGHT),
    ("Ward 5", RIGHT), ("ward 5", RIGHT), ("  WARD-5 ", RIGHT), ("a", WRONG), ("Ward 3", WRONG),
    ("b. Ward 3", WRONG), ("d", WRONG), ("Ward 12", WRONG), (..., NOT_ANSWERED), ("", NOT_ANSWERED),
])
def test_choice_reads_letters_and_the_options_own_words(answer, status):
    assert WARD.check(answer).status == status


def test_choice_letter_and_option_word_clash_resolves_to_the_words():
    charts = Choice({"a": Option("c chart", "no"), "b": Option("p chart", "no"), "c": Option("u chart", "yes")}, "c")
    assert charts.check("c").correct and charts.check("(C)").correct  # a lone letter is the letter
    assert charts.check("u chart").correct and charts.check("u").correct  # the words of option c
    assert not charts.check("c chart").correct  # the words of option a, not the letter c


def test_choice_reads_an_option_that_starts_with_the_article_a():
    """"a run longer than the limit" is the start of option a's words, not the letter a followed by other
    words (it was 'not one of the options'); a letter with another option's start is still no answer."""
    signal = Choice({"a": Option("a run longer than the limit for that many points", "yes"),
                     "b": Option("one point above the median", "no"),
                     "c": Option("many crossings of the median", "no")}, "a")
    assert signal.check("a run longer than the limit").correct
    assert signal.check("A run longer than the limit for that many points").correct
    assert signal.check("a. run longer than the limit").correct
    assert signal.read("many crossings") == "c" and signal.check("many crossings").status == WRONG
    assert signal.check("c run longer than the limit").status == WRONG  # letter c with a's words: unreadable
    assert not signal.check("b. many crossings of the median").correct


def test_quiz_scores_and_counts_blanks():
    quiz = Quiz({1: WARD, 2: WARD})
    assert quiz.check({1: "b", "2": "Ward 5"}).correct
    v = quiz.check({1: "b", 2: ...})
    assert v.status == PARTLY and "1 not answered yet" in v.message
    assert quiz.check({1: ..., 2: ...}).status == NOT_ANSWERED and quiz.check("b").status == WRONG


KINDS = Vocabulary({"outcome": "outcome", "process": "process", "balancing": "balancing"}, {"balance": "balancing"},
                   strip=("measure",))


@pytest.mark.parametrize("typed, key", [("Outcome", "outcome"), ("process measure", "process"),
                                        ("Balancing-Measures", "balancing"), ("balance", "balancing"),
                                        ("result", None), ("", None)])
def test_vocabulary_forgives_case_hyphens_plurals_and_synonyms(typed, key):
    assert KINDS.read(typed) == key


def test_items_diagnose_a_named_mistake():
    items = Items([Item("Length of stay", "outcome", "how the system performs",
                        {"process": "Length of stay is what happens to patients, not a step of care."}),
                   Item("Checklist used", "process", "a step of care")], KINDS)
    assert items.check({1: "Outcome measure", 2: "process"}).correct
    v = items.check({1: "process", 2: "process"})
    assert v.status == PARTLY and "not a step of care" in str(v)
    assert items.check({1: ..., 2: ...}).status == NOT_ANSWERED and items.check(["outcome"]).status == WRONG


@pytest.mark.parametrize("value, parsed", [(12, (12.0, None)), ("12.5", (12.5, None)), ("78%", (78.0, "%")),
                                           ("1,234", (1234.0, None)), ("9.5 days", (9.5, "days")),
                                           (np.float64(2.5), (2.5, None)), (True, (None, None)),
                                           ("twelve", (None, None)), (float("nan"), (None, None))])
def test_read_number(value, parsed):
    assert read_number(value) == parsed


def test_number_tolerance_decimals_percent_and_misses():
    n = Number(0.7837, "Right.", decimals=2, percent=True, fraction_ok=True,
               misses=[Miss(0.7767, "That is the mean of the weeks.", tol=0.0005)])
    assert n.check(0.78).correct and n.check("78.37%").status == WRONG  # 78.37 is not 0.78 on this scale
    assert Number(78.37, "Right.", decimals=2, percent=True, fraction_ok=True).check(0.7837).correct
    assert Number(78.37, "Right.", decimals=2, percent=True).check(0.7837).status == PARTLY
    assert "mean of the weeks" in str(n.check(0.7767))
    assert n.check(...).status == NOT_ANSWERED and n.check("lots").status == WRONG


def test_fields_mark_each_part_and_form_checked_is_never_right():
    f = Fields({"variation": Choice({"a": Option("common cause", "no"), "b": Option("concern", "yes")}, "b"),
                "limit": Number(104.0, "Right.", rel=0.01)}, example='{"variation": ..., "limit": ...}')
    assert f.check({"variation": "concern", "limit": "104"}).correct
    assert f.check({"variation": "common cause", "limit": 104}).status == PARTLY
    assert f.check({"variation": ..., "limit": ...}).status == NOT_ANSWERED
    v = form_checked("It has a number.", "whether the number is sensible.")
    assert v.status == FORM_CHECKED and not v.correct and "tutor should look at" in v.message


def test_normalise():
    assert normalise(" Patient-Centred_care. ") == "patient centred care"
    assert normalise("Laney P\u2032 chart") == "laney p' chart"
