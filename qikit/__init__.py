"""qikit: quality improvement for medical training.

The public API fits on a page::

    import qikit
    res = qikit.spc(df, x="month", y="falls", n="bed_days", chart="u", multiply=1000)
    res.summary()        # one row per part: centre line, limits, runs analysis
    res.explain()        # plain-English reading of the chart
    qikit.mdc(df, x="month", y="pct_4h", improvement="increase", target=95)

Importing qikit loads numpy and pandas only; matplotlib and ipywidgets load on first use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import ProvisionalLimitsWarning, QIDataError, QIError, QIWarning

try:
    __version__ = version("qikit-course")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

# Public names and the module that defines each. Modules load on first attribute access,
# which keeps `import qikit` light and lets each layer stay in its own file.
_LAZY = {
    # statistics
    "spc": "qikit.stats.api",
    "SPCResult": "qikit.stats.result",
    "mdc": "qikit.stats.mdc",
    "MDCResult": "qikit.stats.mdc",
    "choose_chart": "qikit.stats.choose",
    "pareto": "qikit.stats.pareto",
    "ParetoResult": "qikit.stats.pareto",
    "funnel": "qikit.stats.funnel",
    "FunnelResult": "qikit.stats.funnel",
    # presentation (matplotlib loads only when a chart is drawn)
    "mdc_summary_table": "qikit.plot.board",
    # the improvement toolkit
    "AimStatement": "qikit.improve.aims",
    "Measure": "qikit.improve.measures",
    "MeasureSet": "qikit.improve.measures",
    "DriverDiagram": "qikit.improve.drivers",
    "PDSACycle": "qikit.improve.pdsa",
    "PDSALog": "qikit.improve.pdsa",
    "SustainabilityAssessment": "qikit.improve.sustainability",
    "SpreadReadiness": "qikit.improve.spread",
    "classify_activity": "qikit.improve.qms",
    "Project": "qikit.improve.project",
    "StakeholderMap": "qikit.improve.stakeholders",
}
#: Sub-modules reachable as attributes: ``qikit.spread.bass(...)``, ``qikit.simulate.red_beads(...)``.
_MODULES = {
    "spread": "qikit.improve.spread",
    "simulate": "qikit.simulate",
    "datasets": "qikit.datasets",
    "improve": "qikit.improve",
    "plot": "qikit.plot",
    "widgets": "qikit.widgets",
    "exercises": "qikit.exercises",
}

__all__ = ["__version__", "QIError", "QIDataError", "QIWarning", "ProvisionalLimitsWarning", *_LAZY, *_MODULES]


def __getattr__(name: str):
    import importlib

    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'qikit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY) | set(_MODULES))
