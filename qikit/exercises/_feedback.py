"""The verdict every exercise check returns, and small helpers shared by the notebook modules.

A check never raises on a trainee's answer: whatever is typed, the trainee gets a sentence back.
Placeholders (``...``, ``None``, an empty string) mean "not answered yet".
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources

__all__ = ["Verdict", "RIGHT", "WRONG", "PARTLY", "NOT_ANSWERED", "FORM_CHECKED", "is_blank", "right", "wrong",
           "partly", "not_answered", "choice", "quiz", "mark_items", "self_check_quiz"]

RIGHT, PARTLY, WRONG, NOT_ANSWERED = "right", "partly right", "not yet right", "not answered"
#: Free text whose form was checked; its meaning is for a tutor (never "Right").
FORM_CHECKED = "form checked"
_HEADINGS = {RIGHT: "✔ Right.", PARTLY: "◐ Partly right.", WRONG: "✘ Not yet.",
             NOT_ANSWERED: "… Not answered yet.", FORM_CHECKED: "☑ Form checked (a tutor reads the meaning)."}


@dataclass(frozen=True)
class Verdict:
    """What a check says about an answer.

    Attributes
    ----------
    status : str
        ``"right"``, ``"partly right"``, ``"not yet right"`` or ``"not answered"``.
    message : str
        The reason, in plain words.
    details : tuple of str
        One line per item for answers with several parts (each starts with its own mark).

    Examples
    --------
    >>> v = right("An outcome measure shows how the system performs for patients.")
    >>> v.correct, v.status
    (True, 'right')
    >>> print(v)
    ✔ Right. An outcome measure shows how the system performs for patients.
    """

    status: str
    message: str
    details: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        """True only when the whole answer is right."""
        return self.status == RIGHT

    @property
    def answered(self) -> bool:
        return self.status != NOT_ANSWERED

    def __str__(self) -> str:
        lines = [f"{_HEADINGS[self.status]} {self.message}".rstrip()]
        lines += [f"  {line}" for line in self.details]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        """Jupyter shows the verdict as a box: the heading's mark and word carry the meaning, the colour only
        repeats it (see :mod:`qikit.display`)."""
        from ..display import verdict_html

        return verdict_html(self.status, _HEADINGS[self.status], self.message, self.details)


def right(message: str, details=()) -> Verdict:
    return Verdict(RIGHT, message, tuple(details))


def wrong(message: str, details=()) -> Verdict:
    return Verdict(WRONG, message, tuple(details))


def partly(message: str, details=()) -> Verdict:
    return Verdict(PARTLY, message, tuple(details))


def not_answered(message: str = "Replace the ... with your answer, then run the cell again.") -> Verdict:
    return Verdict(NOT_ANSWERED, message)


def is_blank(answer) -> bool:
    """True for the placeholders a notebook starts with: ``...``, ``None``, ``""`` or the text ``"..."``."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str):
        return answer.strip() in ("", "...", "…")
    return False


def mark_items(answers, items, label_of: Callable[[object], str | None], names: Mapping[str, str], *,
               example: str, unknown: str, mismatch: str, done: str = "", partial: str = "") -> Verdict:
    """Mark a dict ``{number: label}`` against ``items``, a sequence of (text, expected key, reason).

    Kept for callers written before :mod:`qikit.exercises.spec`; new checks declare a
    :class:`~qikit.exercises.spec.Items` table instead. ``label_of`` turns a typed answer into a key (None when
    it is none of the options); ``names`` gives each key's display name; ``unknown`` is formatted with
    ``given`` and ``mismatch`` with ``label``, ``expected`` and ``reason``.
    """
    from .spec import Mark, score

    if not isinstance(answers, Mapping):
        if is_blank(answers):
            return not_answered()
        return wrong(f"Give your answers as a dictionary from number to {example}.")
    marks = {}
    for number, (_, expected, reason) in enumerate(items, start=1):
        given = answers.get(number, answers.get(str(number), ...))
        label = None if is_blank(given) else label_of(given)
        if is_blank(given):
            marks[number] = Mark(NOT_ANSWERED, "")
        elif label is None:
            marks[number] = Mark(WRONG, unknown.format(given=given))
        elif label == expected:
            marks[number] = Mark(RIGHT, f"{names[expected].capitalize()}: {reason}")
        else:
            marks[number] = Mark(WRONG, mismatch.format(label=names[label], expected=names[expected], reason=reason))
    return score(marks, done=done, partial=partial)


def _options(why: Mapping[str, str], texts: Mapping[str, str] | None):
    from .spec import Option

    texts = texts or {}
    return {k: Option(texts.get(k, k), v) for k, v in why.items()}


def choice(answer, correct: str, why: Mapping[str, str], options: tuple[str, ...] | None = None,
           texts: Mapping[str, str] | None = None) -> Verdict:
    """Mark a single multiple-choice answer (a :class:`~qikit.exercises.spec.Choice` built on the spot).

    ``why`` maps each option letter to its explanation; ``texts`` (optional) maps each letter to the option's
    words as the notebook prints them, so that a trainee may answer with the words instead of the letter.
    """
    from .spec import Choice

    why = {k: v for k, v in why.items() if options is None or k in options}
    return Choice(_options(why, texts), correct).check(answer)


def quiz(answers, questions: Mapping[int, tuple], texts: Mapping[int, Mapping[str, str]] | None = None) -> Verdict:
    """Mark several multiple-choice questions at once (the notebooks' self-checks).

    Parameters
    ----------
    answers : dict
        Question number to the trainee's option, e.g. ``{1: "b", 2: ...}``.
    questions : dict
        Question number to ``(correct option, {option: explanation})`` or
        ``(correct option, {option: explanation}, {option: the option's words})``.
    texts : dict, optional
        Question number to ``{option: the option's words}`` as the notebook prints them
        (``qikit.exercises._options.OPTIONS``).
    """
    from .spec import Choice, Quiz

    texts = texts or {}
    return Quiz({n: Choice(_options(q[1], q[2] if len(q) > 2 else texts.get(n)), q[0])
                 for n, q in questions.items()}).check(answers)


@functools.cache
def _self_checks() -> dict:
    """The notebooks' closing self-checks, as data (``self_checks.json``): per notebook, per question, the
    correct option and why each option is right or wrong."""
    text = resources.files(__package__).joinpath("self_checks.json").read_text(encoding="utf-8")
    return json.loads(text)


def self_check_quiz(notebook: str, answers) -> Verdict:
    """Mark notebook ``notebook``'s closing self-check (e.g. ``"nb04"``) from ``self_checks.json``, reading
    options by letter or by their printed words (``OPTIONS["nb04.self_check"]``)."""
    from ._options import OPTIONS

    questions = {int(n): (q["answer"], q["why"]) for n, q in _self_checks()[notebook].items()}
    return quiz(answers, questions, texts=OPTIONS[f"{notebook}.self_check"])


@functools.cache
def wordings(notebook: str) -> dict[str, re.Pattern]:
    """The wordings notebook ``notebook``'s checks of written answers recognise, as data
    (``wordings.json``): each name's regular expression, compiled case-insensitive.

    Examples
    --------
    >>> bool(wordings("nb08")["rag"].search("Rated amber this month"))
    True
    """
    text = resources.files(__package__).joinpath("wordings.json").read_text(encoding="utf-8")
    table = json.loads(text)[notebook]
    return {name: re.compile(entry["pattern"], re.I) for name, entry in table.items()}
