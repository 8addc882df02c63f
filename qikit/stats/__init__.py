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
"""

from __future__ import annotations

from .api import ALIASES, SIGNAL_COLUMNS, SPCOptions
from .rules import RULE_SETS, RULES, Finding, Rule

__all__ = ["ALIASES", "Finding", "RULES", "RULE_SETS", "Rule", "SIGNAL_COLUMNS", "SPCOptions"]
