"""Exercise checks as data: the recurring kinds of question, declared once.

Every notebook check (``qikit.exercises.nbNN``) and the assignments' helper cells mark answers with
the same few kinds of question. Accepted variants and diagnosed misconceptions are rows in a table,
not branches of code:

- :class:`Choice` -- one option from a list (``"b"``, ``"(B)"``, or the option's own words ``"Ward 5"``);
- :class:`Vocabulary` and :class:`Items` -- several items, each labelled from a fixed vocabulary
  (``{1: "audit", 2: "research", ...}``), with synonyms, case, hyphens and plurals forgiven;
- :class:`Number` -- a number compared with the truth within a tolerance, with wrong values a tutor would
  recognise (the mean for the median, a fraction for a percentage, ...) diagnosed by name;
- :class:`Fields` -- a dictionary of named parts, each marked by its own kind.

A check says "Right" only when it has verified the meaning. Free text whose meaning a program cannot
verify gets :func:`form_checked`: the verdict says what was checked and what a tutor should look at.

Dates a trainee types are read by :func:`qikit.dates.read_date` (day first, ISO accepted).

Examples
--------
>>> ward = Choice({"a": Option("Ward 3", "It was rising already."), "b": Option("Ward 5", "Right ward."),
...                "c": Option("Ward 8", "It faded.")}, correct="b")
>>> ward.check("Ward 5").correct, ward.check("B").correct, ward.check("a").correct
(True, True, False)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ._feedback import (
    FORM_CHECKED,
    NOT_ANSWERED,
    PARTLY,
    RIGHT,
    WRONG,
    Verdict,
    is_blank,
    not_answered,
    partly,
    right,
    wrong,
)

__all__ = ["normalise", "read_number", "Option", "Choice", "Quiz", "Vocabulary", "Item", "Items", "Miss",
           "Number", "Fields", "Mark", "form_checked", "score"]

_PRIMES = str.maketrans({"\u2032": "'", "\u2019": "'", "\u2018": "'", "`": "'", "\u2013": "-", "\u2014": "-",
                         "\u2010": "-", "\u2011": "-"})


def normalise(text) -> str:
    """Text reduced for comparison: lower case, primes as ``'``, hyphens, underscores, slashes and other
    punctuation as spaces, runs of spaces as one; ``'`` and ``%`` are kept (``p'`` is not ``p``).

    Examples
    --------
    >>> normalise("  Patient-Centred_care. ")
    'patient centred care'
    >>> normalise("Laney P\u2032")
    "laney p'"
    """
    text = str(text).translate(_PRIMES).casefold().replace("_", " ")
    text = re.sub(r"[^\w'%+]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_NUMBER_TEXT = re.compile(r"^\s*[£$]?\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)\s*(%|[a-z][a-z .]*)?\s*$",
                          re.I)


def read_number(value) -> tuple[float | None, str | None]:
    """A typed number and its unit: ``(12.3, None)`` for ``12.3``, ``(78.0, "%")`` for ``"78%"``,
    ``(1234.0, None)`` for ``"1,234"``, ``(9.5, "days")`` for ``"9.5 days"``; ``(None, None)`` otherwise.
    True and False are not numbers.

    Examples
    --------
    >>> read_number("78 %"), read_number(" 1,234 "), read_number(True)
    ((78.0, '%'), (1234.0, None), (None, None))
    """
    if isinstance(value, bool) or value is None:
        return None, None
    if isinstance(value, numbers.Real):
        number = float(value)
        return (number, None) if math.isfinite(number) else (None, None)
    if type(value).__module__ == "numpy" and getattr(value, "shape", None) == ():  # numpy scalars
        return read_number(value.item())
    if isinstance(value, str):
        match = _NUMBER_TEXT.match(value)
        if match:
            unit = match.group(2).strip().lower() if match.group(2) else None
            return float(match.group(1).replace(",", "")), unit
    return None, None


# --------------------------------------------------------------------------------------- marks
@dataclass(frozen=True)
class Mark:
    """The mark for one part of an answer: its status and one line of feedback."""

    status: str
    line: str

    @property
    def ok(self) -> bool:
        return self.status == RIGHT


def score(marks: Mapping[object, Mark], *, done: str = "", partial: str = "",
          label: Callable[[object], str] = "{}. ".format) -> Verdict:
    """Combine part marks into one verdict: "N of M right", with one line per part.

    A part that is ``NOT_ANSWERED`` is counted apart; all parts blank gives "not answered".
    """
    lines = []
    for key, mark in marks.items():
        prefix = label(key)
        if mark.status == NOT_ANSWERED:
            lines.append(f"{prefix}not answered yet")
        else:
            sign = "✔" if mark.ok else ("◐" if mark.status == PARTLY else "✘")
            lines.append(f"{prefix}{sign} {mark.line}")
    answered = [m for m in marks.values() if m.status != NOT_ANSWERED]
    if not answered:
        return not_answered()
    total, good = len(marks), sum(m.ok for m in answered)
    summary = f"{good} of {total} right"
    if len(answered) < total:
        summary += f" ({total - len(answered)} not answered yet)"
    if good == total:
        return right(summary + "." + done, lines)
    some = good or any(m.status == PARTLY for m in answered)
    return (partly if some else wrong)(summary + "." + partial, lines)


def form_checked(checked: str, tutor: str, details=()) -> Verdict:
    """The verdict for free text whose form was checked but whose meaning a program cannot verify.

    ``checked`` says what the check verified; ``tutor`` what a tutor (or colleague) should read for.
    """
    return Verdict(FORM_CHECKED, f"{checked} A tutor should look at {tutor}", tuple(details))


# --------------------------------------------------------------------------------------- choice
@dataclass(frozen=True)
class Option:
    """One option of a multiple-choice question: the words the notebook shows, why it is right or wrong,
    and other words a trainee might fairly use for it."""

    text: str
    why: str
    words: tuple[str, ...] = ()


def _letter(answer) -> tuple[str | None, str]:
    """``("b", "")`` from ``"b"``, ``"(B)"``, ``"b."``, ``"b)"``, ``"option b"``; ``("b", "ward 5")`` from
    ``"b. Ward 5"``; ``(None, text)`` when the answer does not start with a lone letter."""
    text = normalise(answer)
    match = re.fullmatch(r"(?:option |answer )?([a-z])(?: (.*))?", text)
    if match:
        return match.group(1), match.group(2) or ""
    return None, text


def _plain(text: str) -> str:
    """Normalised, without a leading article or a trailing generic noun: "the median" and "median", "outcome
    measure" and "outcome", "u chart" and "u" read alike."""
    text = re.sub(r"^(the|a|an) ", "", normalise(text))
    return re.sub(r" (measure|chart|variation)s?$", "", text)


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question: ``options`` maps each letter to an :class:`Option`; ``correct`` is the
    right letter (or a tuple of letters a fair tutor accepts)."""

    options: Mapping[str, Option]
    correct: str | tuple[str, ...]
    right_message: str | None = None

    def read(self, answer) -> str | None:
        """The letter the answer means, or None: the letter itself, the option's words (with or without an
        article, or their unambiguous start of two words or more) or a listed synonym."""
        text = _plain(answer)
        words = {k: {_plain(o.text), *(_plain(w) for w in o.words)} for k, o in self.options.items()}
        letter, rest = _letter(answer)
        if letter in self.options and not rest:  # a lone letter is a letter, as the notebooks ask
            return letter
        for key, accepted in words.items():
            if text in accepted:
                return key
        if letter in self.options and (not rest or _plain(rest) in words[letter]):
            return letter
        # not a letter after all, or a letter with words that are not its option's: "a run longer than the
        # limit" starts with the article "a", and is read as the start of an option's words like any other text
        if len(text.split()) >= 2:
            starts = [k for k, accepted in words.items() if any(w.startswith(text + " ") for w in accepted)]
            if len(starts) == 1:
                return starts[0]
        return None

    def mark(self, answer) -> Mark:
        if is_blank(answer):
            return Mark(NOT_ANSWERED, "")
        letter = self.read(answer)
        correct = (self.correct,) if isinstance(self.correct, str) else self.correct
        if letter is None:
            choices = "; ".join(f"{k} ({o.text})" for k, o in self.options.items())
            return Mark(WRONG, f"{answer!r} is not one of the options: answer with a letter or the option's "
                               f"words ({choices}).")
        if letter in correct:
            return Mark(RIGHT, self.right_message or self.options[letter].why)
        return Mark(WRONG, self.options[letter].why)

    def check(self, answer) -> Verdict:
        mark = self.mark(answer)
        if mark.status == NOT_ANSWERED:
            return not_answered()
        return Verdict(mark.status, mark.line)


@dataclass(frozen=True)
class Quiz:
    """Several multiple-choice questions marked together (a notebook's closing self-check)."""

    questions: Mapping[int, Choice]

    def check(self, answers) -> Verdict:
        if not isinstance(answers, Mapping):
            if is_blank(answers):
                return not_answered("Fill in the dictionary {1: ..., 2: ..., ...}: one letter in quotes for each "
                                    "question, then run the cell again.")
            # no example letters: an example such as {1: "b", 2: "a"} would be some quiz's answers
            return wrong("Give your answers as a dictionary from question number to option, as in the cell: "
                         "{1: ..., 2: ..., ...} with one letter in quotes for each question.")
        marks = {n: q.mark(_get(answers, n)) for n, q in self.questions.items()}
        if all(m.status == NOT_ANSWERED for m in marks.values()):
            return not_answered("Replace each ... with the letter of your answer, then run the cell again.")
        return score(marks, partial=" Read the notes, then look back at the section named.")


def _get(answers: Mapping, number):
    """An answer by number, whether the trainee keyed it ``1`` or ``"1"``."""
    if number in answers:
        return answers[number]
    return answers.get(str(number), ...)


# --------------------------------------------------------------------------------------- labelled items
@dataclass(frozen=True)
class Vocabulary:
    """The labels a kind of item can take: ``names`` maps each key to its display name, ``words`` maps
    other accepted words (synonyms, abbreviations) to keys. Keys and names are accepted as typed, in any
    case, with hyphens, underscores or spaces, and with ``strip`` words (e.g. "measure") at the end."""

    names: Mapping[str, str]
    words: Mapping[str, str] = field(default_factory=dict)
    strip: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()

    def _clean(self, text: str) -> str:
        text = normalise(text)
        for word in self.strip:
            text = re.sub(rf"\s*\b{re.escape(word)}s?$", "", text).strip()
        if self.drop:
            text = " ".join(w for w in text.split() if w not in self.drop)
        return text

    def read(self, answer) -> str | None:
        """The key ``answer`` means, or None. ``drop`` words are ignored anywhere (e.g. "of a ... nature")."""
        text = self._clean(answer)
        table = {self._clean(k): k for k in self.names}
        table.update({self._clean(n): k for k, n in self.names.items()})
        table.update({self._clean(w): k for w, k in self.words.items()})
        return table.get(text)


@dataclass(frozen=True)
class Item:
    """One item to label: its text, the key(s) a fair tutor accepts, why, and diagnosed mistakes
    (``{wrong key: what that choice misunderstands}``)."""

    text: str
    answer: str | tuple[str, ...]
    why: str
    mistakes: Mapping[str, str] = field(default_factory=dict)
    #: Other keys a fair tutor also accepts, each with its own reason (``{key: why that works too}``).
    also: Mapping[str, str] = field(default_factory=dict)

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.answer,) if isinstance(self.answer, str) else tuple(self.answer)


@dataclass(frozen=True)
class Items:
    """Several items, each labelled from ``vocabulary``: ``{1: "audit", 2: "research", ...}``."""

    items: Sequence[Item]
    vocabulary: Vocabulary
    example: str = "label"
    done: str = ""
    partial: str = " The notes say why."
    unknown: str = "{given!r} is not one of the options ({options})."
    #: What a wrong label is told when its item has no diagnosed mistake for it ({expected}, {why}).
    otherwise: str = "This is {expected}: {why}"
    #: Right lines start with the label's name ("Rule 1: ..."); False gives the reason alone, capitalised.
    name_first: bool = True
    #: Say exactly what to do when nothing is answered yet, or the answer is not a dictionary (else generic).
    blank: str | None = None
    wrong_form: str | None = None
    #: The heading of the items' column in :meth:`table`.
    column: str = "item"

    def table(self):
        """The items as a trainee sees them: a pandas DataFrame, one row per item numbered from 1."""
        import pandas as pd

        return pd.DataFrame({self.column: [i.text for i in self.items]},
                            index=pd.RangeIndex(1, len(self.items) + 1, name="number"))

    def mark(self, number: int, given) -> Mark:
        item = self.items[number - 1]
        if is_blank(given):
            return Mark(NOT_ANSWERED, "")
        names = self.vocabulary.names
        label = self.vocabulary.read(given)
        if label is None:
            return Mark(WRONG, self.unknown.format(given=given, options=", ".join(names.values())))
        if label in item.accepted or label in item.also:
            why = item.also.get(label, item.why)
            line = f"{names[label]}: {why}" if self.name_first else why
            return Mark(RIGHT, line[0].upper() + line[1:])
        expected = names[item.accepted[0]]
        reason = item.mistakes.get(label, self.otherwise.format(expected=expected, why=item.why))
        return Mark(WRONG, f"Not {names[label]}. {reason}")

    def check(self, answers) -> Verdict:
        everything_blank = is_blank(answers) or (isinstance(answers, Mapping) and all(map(is_blank, answers.values())))
        if everything_blank:
            return not_answered(self.blank) if self.blank else not_answered()
        if not isinstance(answers, Mapping):
            return wrong(self.wrong_form or f"Give your answers as a dictionary from number to {self.example}, e.g. "
                         "{1: ..., 2: ...}.")
        marks = {n: self.mark(n, _get(answers, n)) for n in range(1, len(self.items) + 1)}
        return score(marks, done=self.done, partial=self.partial)


# --------------------------------------------------------------------------------------- numbers
@dataclass(frozen=True)
class Reading:
    """One reading of a chart whose right answer comes from the data (a Making Data Count icon, say).

    ``vocabulary`` reads the trainee's words; ``truth`` is the right key; ``right`` says why it is right,
    ``mistakes`` what each wrong reading a tutor would recognise misunderstands (``{key: why}``) and
    ``otherwise`` answers any other. Each is a template filled from ``facts`` (the chart's numbers) and
    ``{truth}`` (the right reading in ``words``)."""

    vocabulary: Vocabulary
    truth: str
    right: str
    mistakes: Mapping[str, str] = field(default_factory=dict)
    otherwise: str = "The chart shows {truth}."
    words: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, object] = field(default_factory=dict)
    unknown: str = "{given!r} is not one of {options}."

    def mark(self, given) -> Mark:
        if is_blank(given):
            return Mark(NOT_ANSWERED, "")
        key = self.vocabulary.read(given)
        fill = {**self.facts, "truth": self.words.get(self.truth, self.truth), "given": given,
                "options": ", ".join(f'"{name}"' for name in self.vocabulary.names.values())}
        if key is None:
            return Mark(WRONG, self.unknown.format(**fill))
        if key == self.truth:
            return Mark(RIGHT, self.right.format(**fill))
        return Mark(WRONG, self.mistakes.get(key, self.otherwise).format(**fill))


@dataclass(frozen=True)
class Miss:
    """A wrong value a tutor would recognise: ``value`` (within ``tol``, default the question's), what it
    means, and the status it earns (usually not yet right; partly right for a near miss)."""

    value: float
    message: str
    tol: float | None = None
    status: str = WRONG


@dataclass(frozen=True)
class Number:
    """A number compared with ``truth``.

    ``tol`` is the absolute tolerance; ``rel`` a relative one (either suffices). ``decimals`` says the
    question asks for that many decimal places: any answer that rounds to the truth at that precision is
    right (0.78 for 0.7812). ``percent`` says the value is a percentage; a fraction of it (0.78 for 78%)
    is then right too when ``fraction_ok``, or diagnosed when not. ``misses`` are diagnosed wrong values.
    """

    truth: float
    right_message: str
    tol: float = 0.0
    rel: float = 0.0
    decimals: int | None = None
    percent: bool = False
    fraction_ok: bool = False
    misses: Sequence[Miss] = ()
    hint: str = "Not yet: look at the question again."
    name: str = ""

    def near(self, value: float, target: float, tol: float | None = None) -> bool:
        limit = max(self.tol if tol is None else tol, self.rel * abs(target))
        if self.decimals is not None:
            limit = max(limit, 0.5 * 10 ** -self.decimals + 1e-12)
        return abs(value - target) <= limit + 1e-12

    def mark(self, answer) -> Mark:
        if is_blank(answer):
            return Mark(NOT_ANSWERED, "")
        value, unit = read_number(answer)
        if value is None:
            return Mark(WRONG, f"{answer!r} is not a number: give the number itself, e.g. 12.5.")
        if self.near(value, self.truth):
            return Mark(RIGHT, self.right_message)
        if self.percent and unit != "%" and 0 < abs(value) <= 1 and self.near(100 * value, self.truth):
            if self.fraction_ok:
                return Mark(RIGHT, self.right_message)
            return Mark(PARTLY, f"{value:g} is the proportion; the question asks for a percentage "
                                f"({100 * value:g}).")
        for miss in self.misses:
            if self.near(value, miss.value, miss.tol):
                return Mark(miss.status, miss.message.format(value=value))
        return Mark(WRONG, self.hint.format(value=value))

    def check(self, answer) -> Verdict:
        mark = self.mark(answer)
        if mark.status == NOT_ANSWERED:
            return not_answered("Replace the ... with your number, then run the cell again.")
        return Verdict(mark.status, mark.line)


# --------------------------------------------------------------------------------------- fields
@dataclass(frozen=True)
class Fields:
    """A dictionary of named parts, each marked by its own spec (anything with ``mark(answer) -> Mark``)."""

    parts: Mapping[str, object]
    example: str
    done: str = ""
    partial: str = ""
    #: Say exactly what to do when nothing is answered yet (else "Fill in <example>, ...").
    blank: str | None = None

    def check(self, answer) -> Verdict:
        keys = tuple(self.parts)
        if is_blank(answer) or (isinstance(answer, Mapping) and all(is_blank(answer.get(k, ...)) for k in keys)):
            return not_answered(self.blank or f"Fill in {self.example}, then run the cell again.")
        if not isinstance(answer, Mapping):
            return wrong(f"Give your answer as the dictionary in the cell: {self.example}.")
        marks = {k: spec.mark(answer.get(k, ...)) for k, spec in self.parts.items()}
        return score(marks, done=self.done, partial=self.partial, label="{}: ".format)
