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
    "spc": "qikit.spc.api",
    "SPCResult": "qikit.spc.result",
    "mdc": "qikit.spc.mdc",
    "MDCResult": "qikit.spc.mdc",
    "choose_chart": "qikit.spc.choose",
}

__all__ = ["__version__", "QIError", "QIDataError", "QIWarning", "ProvisionalLimitsWarning", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qikit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
