"""Deming's two classic experiments on variation: the red beads and the funnel.

**Red beads.** Willing workers scoop beads from a bowl of white and red beads with a paddle; red
beads are "defects". Each worker follows the procedure exactly, yet the counts differ from worker
to worker and day to day. The differences come from the system (the bowl's mix and the paddle),
not from the workers: rewarding or blaming them changes nothing. The counts, plotted on a p chart,
stay within the limits.

**Funnel.** A marble is dropped through a funnel onto a target. Deming's four rules for moving the
funnel after each drop show that *tampering*, adjusting a stable process in response to each
result, makes the variation worse (rule 2 doubles the variance; rules 3 and 4 make it grow without
limit).

Sources
-------
- Deming WE. *Out of the Crisis*. MIT CAES, 1986, ch. 11 (the red beads; the funnel, after
  Lloyd S. Nelson) and *The New Economics*, 2nd ed., 1994, ch. 7 and 9.
- Provost LP, Murray SK. *The Health Care Data Guide*, 2011: p charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import QIDataError
from ._common import real, rng, whole

__all__ = ["red_beads", "funnel_experiment"]


def red_beads(workers: int | Sequence[str] = 6, days: int = 4, paddle: int = 50, red: int = 800,
              white: int = 3200, seed=None) -> pd.DataFrame:
    """Simulate Deming's red bead experiment.

    Each day each worker draws one paddle of beads at random, without replacement, from a bowl of
    ``red`` red and ``white`` white beads; the beads go back before the next draw. The number of red
    beads in a draw therefore follows the hypergeometric distribution, with mean
    ``paddle x red / (red + white)`` (10 for Deming's set-up: 50 holes, 800 red of 4,000).

    Parameters
    ----------
    workers : int or list of str
        How many willing workers (named "Worker 1", ...), or their names. Deming used six.
    days : int
        Working days; Deming ran three or four.
    paddle : int
        Holes in the paddle (beads per draw); Deming's paddle has 50.
    red, white : int
        Beads in the bowl; Deming's bowl holds 800 red and 3,200 white (20% red).
    seed : int, optional
        Makes the experiment reproducible.

    Returns
    -------
    DataFrame
        One row per draw, in the order drawn: ``draw`` (1, 2, ...), ``day``, ``worker``, ``red``
        (red beads), ``paddle`` (beads drawn) and ``proportion``. For a p chart use ``y="red"``,
        ``n="paddle"``.

    Notes
    -----
    Deming's real paddles did not reproduce the bowl's 20% exactly: the long-run average depended on
    the paddle (*The New Economics*, ch. 7), a lesson on mechanical sampling. This simulation draws
    truly at random, so its proportions centre on ``red / (red + white)``.

    Examples
    --------
    >>> beads = red_beads(seed=2024)
    >>> beads.shape, beads["worker"].nunique(), int(beads["paddle"].iloc[0])
    ((24, 6), 6, 50)
    """
    names = ([f"Worker {i}" for i in range(1, whole(workers, "workers") + 1)]
             if not isinstance(workers, Sequence) or isinstance(workers, str) else [str(w) for w in workers])
    if not names or len(set(names)) != len(names):
        raise QIDataError("workers must be a number of workers or a list of different names.", column="workers")
    days = whole(days, "days")
    paddle = whole(paddle, "paddle")
    red = whole(red, "red", minimum=0)
    white = whole(white, "white", minimum=0)
    if paddle > red + white:
        raise QIDataError(f"the paddle holds {paddle} beads but the bowl has only {red + white}.", column="paddle")
    counts = rng(seed).hypergeometric(red, white, paddle, size=(days, len(names)))
    return pd.DataFrame({
        "draw": np.arange(1, counts.size + 1),
        "day": np.repeat(np.arange(1, days + 1), len(names)),
        "worker": np.tile(np.array(names, dtype=object), days),
        "red": counts.ravel(),
        "paddle": paddle,
        "proportion": counts.ravel() / paddle,
    })


def funnel_experiment(rule: int = 1, drops: int = 50, sd: float = 1.0, target=(0.0, 0.0),
                      seed=None) -> pd.DataFrame:
    """Simulate Deming's funnel experiment under one of the four rules.

    A marble dropped through the funnel lands at the funnel's position plus a random error (normal,
    standard deviation ``sd`` in each direction). Before each drop the funnel is placed by the rule
    (positions relative to the target; ``z`` is where the last marble landed):

    1. leave the funnel over the target;
    2. move it from its last position by minus the last error (``f = f - z``);
    3. set it opposite the last drop, the same distance from the target (``f = -z``);
    4. set it over the last drop (``f = z``).

    Under rule 1 each coordinate has variance sd²; under rule 2 the variance doubles (2 sd²), since
    each landing is the difference of two errors; under rules 3 and 4 the k-th landing has variance
    k sd², growing without limit (rule 3 swings back and forth, rule 4 wanders away).

    Parameters
    ----------
    rule : {1, 2, 3, 4}
    drops : int
        Number of marbles dropped.
    sd : float
        Standard deviation of the random error in each direction.
    target : (float, float)
        The target's position.
    seed : int, optional
        The same seed gives the same random errors under every rule, so rules can be compared fairly.

    Returns
    -------
    DataFrame
        ``drop`` (1, 2, ...), ``funnel_x``, ``funnel_y`` (funnel position for that drop), ``x``, ``y``
        (where the marble landed) and ``distance`` (from the target).

    Examples
    --------
    >>> r1 = funnel_experiment(rule=1, drops=2000, seed=5)
    >>> r2 = funnel_experiment(rule=2, drops=2000, seed=5)
    >>> bool(r2["x"].var() > r1["x"].var())
    True
    """
    if rule not in (1, 2, 3, 4) or isinstance(rule, bool):
        raise QIDataError(f"rule={rule!r}: Deming's funnel experiment has rules 1, 2, 3 and 4.", column="rule")
    drops = whole(drops, "drops")
    sd = real(sd, "sd", positive=True)
    if not (isinstance(target, Sequence) and len(target) == 2):
        raise QIDataError(f"target={target!r} must be a pair of numbers (x, y).", column="target")
    tx, ty = real(target[0], "target x"), real(target[1], "target y")
    errors = rng(seed).normal(0.0, sd, size=(drops, 2))
    if rule == 1:
        landed = errors
    elif rule == 2:  # z_k = e_k - e_(k-1), with e_0 = 0
        landed = errors - np.vstack([np.zeros((1, 2)), errors[:-1]])
    elif rule == 3:  # z_k = -z_(k-1) + e_k  =>  z_k = (-1)^k * cumsum((-1)^j e_j)
        sign = np.where(np.arange(1, drops + 1) % 2 == 0, 1.0, -1.0)[:, None]
        landed = sign * np.cumsum(sign * errors, axis=0)
    else:  # rule 4: z_k = z_(k-1) + e_k
        landed = np.cumsum(errors, axis=0)
    funnel = landed - errors
    return pd.DataFrame({
        "drop": np.arange(1, drops + 1),
        "funnel_x": tx + funnel[:, 0], "funnel_y": ty + funnel[:, 1],
        "x": tx + landed[:, 0], "y": ty + landed[:, 1],
        "distance": np.hypot(landed[:, 0], landed[:, 1]),
    })
