"""The statistics layer: numpy and pandas only, never matplotlib or widgets.

``api`` (qikit.spc), ``charts`` (one spec per chart type), ``runs`` (Anhøj and IHI run-chart rules),
``rules`` (3-sigma, Western Electric, Nelson; the rule-set registry), ``mdc`` (NHS Making Data Count),
``choose`` (which chart?), ``result`` (SPCResult). The public names are re-exported from ``qikit``.
"""
