"""The presentation layer: matplotlib charts for qikit's results (imported on first use).

Every function takes a result (or data) and an optional ``ax=`` (or ``fig=`` for grids), returns the
Axes or Figure it drew, never calls ``plt.show()``, and stores a text alternative with the figure
(:func:`alt_text`; :func:`accessible` shows a chart with it as ``<img alt=...>``).

=========================  =====================================================================
``plot_spc(result)``       run and control charts (``SPCResult.plot()``), facets as small multiples
``plot_mdc(result)``       Making Data Count XmR charts with icons (``MDCResult.plot()``)
``mdc_icons(result)``      the variation and assurance icons alone (``MDCResult.icons()``)
``mdc_summary_table(d)``   a board of several MDC metrics: DataFrame + HTML with icons
``plot_pareto(result)``    Pareto chart (``qikit.pareto(...).plot()``)
``plot_funnel(result)``    funnel plot (``qikit.funnel(...).plot()``)
``plot_driver_diagram(d)`` driver diagram (``DriverDiagram.plot()``)
=========================  =====================================================================

``mdc_summary_table`` and the palette do not load matplotlib.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "plot_spc": "qikit.plot.spc",
    "plot_mdc": "qikit.plot.mdc",
    "mdc_icons": "qikit.plot.mdc",
    "mdc_summary_table": "qikit.plot.board",
    "MDCBoard": "qikit.plot.board",
    "plot_pareto": "qikit.plot.pareto",
    "plot_funnel": "qikit.plot.funnel",
    "plot_driver_diagram": "qikit.plot.drivers",
    "alt_text": "qikit.plot._base",
    "accessible": "qikit.plot._base",
    "PALETTE": "qikit.plot.style",
    "MDC_COLOURS": "qikit.plot.style",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'qikit.plot' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
