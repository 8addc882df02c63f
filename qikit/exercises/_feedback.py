"""The verdict every exercise check returns, and small helpers shared by the notebook modules.

A check never raises on a trainee's answer: whatever is typed, the trainee gets a sentence back.
Placeholders (``...``, ``None``, an empty string) mean "not answered yet".
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Verdict", "RIGHT", "WRONG", "PARTLY", "NOT_ANSWERED", "is_blank", "right", "wrong", "partly",
           "not_answered", "choice", "quiz", "quietly", "mark_items"]

RIGHT, PARTLY, WRONG, NOT_ANSWERED = "right", "partly right", "not yet right", "not answered"
_HEADINGS = {RIGHT: "✔ Right.", PARTLY: "◐ Partly right.", WRONG: "✘ Not yet.",
             NOT_ANSWERED: "… Not answered yet."}


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

    ``label_of`` turns a typed answer into a key (None when it is none of the options); ``names`` gives each
    key's display name. The wording is the caller's: ``example`` completes "Give your answers as a dictionary
    from number to ...", ``unknown`` is formatted with ``given`` (the typed answer) and ``mismatch`` with
    ``label``, ``expected`` and ``reason``; ``done`` and ``partial`` follow the "N of M right" summary.
    """
    if not isinstance(answers, Mapping):
        if is_blank(answers):
            return not_answered()
        return wrong(f"Give your answers as a dictionary from number to {example}.")
    lines, scores = [], []
    for number, (_, expected, reason) in enumerate(items, start=1):
        given = answers.get(number, answers.get(str(number)))
        if is_blank(given):
            lines.append(f"{number}. not answered yet")
            continue
        label = label_of(given)
        if label is None:
            lines.append(f"{number}. ✘ " + unknown.format(given=given))
            scores.append(False)
        elif label == expected:
            lines.append(f"{number}. ✔ {names[expected].capitalize()}: {reason}")
            scores.append(True)
        else:
            lines.append(f"{number}. ✘ " + mismatch.format(label=names[label], expected=names[expected],
                                                           reason=reason))
            scores.append(False)
    if not scores:
        return not_answered()
    total = len(items)
    summary = f"{sum(scores)} of {total} right"
    if len(scores) < total:
        summary += f" ({total - len(scores)} not answered yet)"
    if sum(scores) == total:
        return right(summary + "." + done, lines)
    return (partly if any(scores) else wrong)(summary + "." + partial, lines)


def _word(answer) -> str:
    """A multiple-choice answer reduced to a lower-case word without punctuation (``"(B)"`` -> ``"b"``)."""
    return re.sub(r"[^\w ]+", "", str(answer)).strip().lower()


def choice(answer, correct: str, why: Mapping[str, str], options: tuple[str, ...] | None = None) -> Verdict:
    """Mark a single multiple-choice answer.

    ``why`` maps each option to its explanation: the right option's is said after "Right", the others'
    after "Not yet" so the trainee learns why that option is wrong.
    """
    if is_blank(answer):
        return not_answered()
    options = options or tuple(why)
    given = _word(answer)
    if given not in options:
        return wrong(f"{answer!r} is not one of the options: answer with one of "
                     f"{', '.join(repr(o) for o in options)}.")
    if given == correct:
        return right(why[correct])
    return wrong(why[given])


def quiz(answers, questions: Mapping[int, tuple[str, Mapping[str, str]]]) -> Verdict:
    """Mark several multiple-choice questions at once (the notebooks' self-checks).

    Parameters
    ----------
    answers : dict
        Question number to the trainee's option, e.g. ``{1: "b", 2: ...}``.
    questions : dict
        Question number to ``(correct option, {option: explanation})``.
    """
    if not isinstance(answers, Mapping):
        if is_blank(answers):
            return not_answered("Fill in the dictionary, e.g. {1: \"b\", 2: \"a\", ...}, then run the cell again.")
        return wrong("Give your answers as a dictionary from question number to option, e.g. {1: \"b\", 2: \"a\"}.")
    lines, scores, blanks = [], [], 0
    for number, (correct, why) in questions.items():
        verdict = choice(answers.get(number, answers.get(str(number))), correct, why)
        if verdict.status == NOT_ANSWERED:
            blanks += 1
            lines.append(f"{number}. not answered yet")
            continue
        mark = "✔" if verdict.correct else "✘"
        scores.append(verdict.correct)
        lines.append(f"{number}. {mark} {verdict.message}")
    total = len(questions)
    if blanks == total:
        return not_answered("Replace each ... with the letter of your answer, then run the cell again.")
    score = f"{sum(scores)} of {total} right"
    if blanks:
        score += f" ({blanks} not answered yet)"
    if sum(scores) == total:
        return right(f"{score}.", lines)
    return (partly if any(scores) else wrong)(f"{score}. Read the notes, then look back at the section named.",
                                               lines)


def quietly(function: Callable, *args, **kwargs):
    """Call ``function`` with warnings silenced; return ``(result, [warning messages])``.

    Checks turn qikit's warnings into feedback sentences, so nothing appears on stderr in a notebook.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [str(w.message) for w in caught]
