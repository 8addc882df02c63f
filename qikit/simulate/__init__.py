"""Seeded teaching simulations: stable and special-cause processes, Deming's experiments, PDSA tests.

Every function takes ``seed=``; the same seed gives the same data, so a class can discuss one chart::

    from qikit import simulate
    beads = simulate.red_beads(seed=2024)            # six willing workers, four days
    funnel = simulate.funnel_experiment(rule=2, seed=1)
    shifted = simulate.shift(n=52, at=30, size=2, seed=1)
"""

from __future__ import annotations

from .deming import funnel_experiment, red_beads
from .process import common_cause, outlier, pdsa_test, shift, trend

__all__ = ["common_cause", "shift", "trend", "outlier", "pdsa_test", "red_beads", "funnel_experiment"]
