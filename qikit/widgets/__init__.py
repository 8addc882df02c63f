"""Interactive explorers for the notebooks (ipywidgets 8), loaded on first use.

=============================  ==================================================================
``explore(data)``              pick columns, chart type, rules, freeze and phases; chart, reading and
                               code update live
``signal_or_noise(seed=...)``  add a shift, trend or outlier to a stable process; see which rules
                               catch it, and from which point
``choose_chart_quiz()``        the chart-choice decision tree as a guided sequence of questions
``upload()``                   read a CSV or Excel file into a DataFrame, with problems in plain words
=============================  ==================================================================

Each function returns a widget: make it the last line of a notebook cell to show it. ``import
qikit.widgets`` itself loads nothing heavy; ipywidgets and matplotlib load when a function is first used.
The modules are named apart from the functions (``explorer.py`` defines ``explore``, ``uploader.py``
defines ``upload``) so that importing a module never hides the function of the same name.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "explore": "qikit.widgets.explorer",
    "Explorer": "qikit.widgets.explorer",
    "signal_or_noise": "qikit.widgets.signal",
    "SignalOrNoise": "qikit.widgets.signal",
    "choose_chart_quiz": "qikit.widgets.quiz",
    "ChartQuiz": "qikit.widgets.quiz",
    "upload": "qikit.widgets.uploader",
    "Upload": "qikit.widgets.uploader",
    "read_table": "qikit.widgets.uploader",
}

__all__ = ["explore", "signal_or_noise", "choose_chart_quiz", "upload"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'qikit.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
