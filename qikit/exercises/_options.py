"""The multiple-choice options as the course notebooks print them, keyed by the check that marks them.

A trainee may answer with the letter or with the option's own words. ``tests/test_answer_banks.py`` compares
this table (``options.json``) with the notebooks, so a reworded option cannot leave its check behind.
"""

import json
from importlib import resources


def _load() -> dict[str, dict[int, dict[str, str]]]:
    text = resources.files(__package__).joinpath("options.json").read_text(encoding="utf-8")
    return {check: {int(n): options for n, options in questions.items()} for check, questions in json.loads(text).items()}


#: ``{check name: {question number (0 for a single question): {letter: the option's words}}}``, from
#: ``options.json``.
OPTIONS: dict[str, dict[int, dict[str, str]]] = _load()
