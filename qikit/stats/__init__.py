"""The statistics layer: numpy and pandas only, never matplotlib or widgets.

``api`` (qikit.spc), ``charts`` (one spec per chart type), ``runs`` (Anhøj and IHI run-chart rules),
``rules`` (3-sigma, Western Electric, Nelson; the rule-set registry), ``mdc`` (NHS Making Data Count),
``choose`` (which chart?), ``result`` (SPCResult). The front doors are re-exported from ``qikit``;
the names a reader of a result meets are exported here:

* :class:`Finding` - one rule that fired in one part (``SPCResult.findings``, ``rules.evaluate``);
* :class:`Rule`, :data:`RULES` (every rule by its code) and :data:`RULE_SETS` (the sets by name);
* :class:`SPCOptions` - the options an ``SPCResult`` carries;
* :data:`SIGNAL_COLUMNS` - the columns of ``.signals``;
* :data:`ALIASES` - qikit's one-name-per-idea vocabulary (``{old name: name to use}``).

Modules load on first use, so ``import qikit.stats`` stays light.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "Finding": "qikit.stats.rules",
    "Rule": "qikit.stats.rules",
    "RULES": "qikit.stats.rules",
    "RULE_SETS": "qikit.stats.rules",
    "SPCOptions": "qikit.stats.api",
    "SIGNAL_COLUMNS": "qikit.stats.api",
    "ALIASES": "qikit.stats.api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'qikit.stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
