"""Interactive explorers for the notebooks (ipywidgets 8), loaded on first use.

=============================  ==================================================================
``explore(data)``              pick columns, chart type, rules, freeze and phases; chart, reading and
                               code update live
``signal_or_noise(seed=...)``  add a shift, trend or outlier to a stable process; see which rules
                               catch it, and from which point
``choose_chart_quiz()``        the chart-choice decision tree as a guided sequence of questions
``upload()``                   read a CSV or Excel file into a DataFrame, with problems in plain words
``read_file(path)``            the same reading and checking for a file on disk, without a widget
``aim_form()``                 forms instead of code: an aim, a measure, a PDSA cycle, a ramp of
``measure_form()``             cycles; each shows what to fix as the trainee types and has a Save
``pdsa_form()``                button (``on_save(callback)``, or ``project=`` to fill a
``ramp_form(...)``             :class:`qikit.Project`)
``data_route()``               upload, pick columns, the chooser's chart and why, the chart and its reading
``stakeholder_grid()``         a power/interest grid: a form, the drawn grid and feedback on it
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
    "read_file": "qikit.widgets.uploader",
    "aim_form": "qikit.widgets.forms",
    "AimForm": "qikit.widgets.forms",
    "measure_form": "qikit.widgets.forms",
    "MeasureForm": "qikit.widgets.forms",
    "pdsa_form": "qikit.widgets.forms",
    "PDSAForm": "qikit.widgets.forms",
    "ramp_form": "qikit.widgets.forms",
    "RampForm": "qikit.widgets.forms",
    "data_route": "qikit.widgets.forms",
    "DataRoute": "qikit.widgets.forms",
    "stakeholder_grid": "qikit.widgets.stakeholders",
    "StakeholderGrid": "qikit.widgets.stakeholders",
    "plot_stakeholder_grid": "qikit.widgets.stakeholders",
}

#: The functions a notebook calls (the widget classes behind them load lazily too, from _LAZY).
__all__ = ["explore", "signal_or_noise", "choose_chart_quiz", "upload", "read_file", "aim_form", "measure_form",
           "pdsa_form", "ramp_form", "data_route", "stakeholder_grid"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'qikit.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
