"""Special-cause rules for Shewhart charts, and the registry of rule sets.

Each zone rule is a small named function taking the standardised values
``z = (y - cl) / sigma`` of ONE part of a chart (``sigma`` is the chart's one-sigma width, per
point) and returning a boolean mask that flags every point belonging to the pattern. The
registry (:data:`RULE_SETS`) groups rules into the sets a user chooses from, and
:func:`evaluate` runs a set on one part and returns its :class:`Finding` objects. :func:`qikit.spc`
runs a set on every part of every facet in one pass (windows and runs stop at the end of a part,
via :class:`qikit.stats.runs.Segments`), with the same results as :func:`evaluate` part by part.

Conventions, shared by every rule here
--------------------------------------
* **Strictly beyond.** A point is beyond k sigma when ``z > k`` (or ``z < -k``); a point exactly
  on a zone boundary is *not* beyond it, so it counts as within that zone. A point beyond a control
  limit by no more than floating-point rounding (the run-chart rules' tolerance, a relative
  difference of 1e-12) is on the limit, not beyond it: when every value is equal, the limits
  collapse onto a centre line computed with a rounding step of error (the mean of eleven 13.64 is
  13.640000000000002) and no point may signal. "Within 1 sigma"
  (Nelson 7) is therefore ``|z| <= 1`` and "beyond 1 sigma" (Nelson 8) is ``|z| > 1``: every
  point is exactly one of the two.
* **On the centre line.** A point with ``z == 0`` is on neither side: it breaks a run of points
  on one side (WECO 4, Nelson 2). (:func:`evaluate` sets z to 0 for points equal to the centre
  line up to floating-point rounding, as the run-chart rules do.) This differs on purpose from
  the run-chart rules in :mod:`qikit.stats.runs`, where points on the median are skipped.
* **Ties in trends.** Two equal consecutive values break a run of increases or decreases
  (Nelson 3) and an alternation (Nelson 4): "steadily increasing" means strictly.
* **What is flagged.** For "k of m" rules (WECO 2-3, Nelson 5-6) the points flagged are those
  beyond the zone in any window of m consecutive points that contains at least k of them; the
  point inside the window that is not beyond is not part of the pattern. Windows have exactly m
  points, so a part shorter than m points cannot fire. For "in a row" rules every point of the
  run is flagged, however long the run.
* **Missing sigma.** Where z is NaN (no sigma for that point) no zone rule fires, and a NaN
  breaks any run.
* **Trends on z.** Nelson 3 and 4 are read on z, which for a constant centre line and sigma is
  the plotted series rescaled. With varying sigma (a p chart with varying denominators) z is the
  standardised chart, the one on which Montgomery recommends applying the run and pattern rules.

References
----------
Western Electric Company. Statistical Quality Control Handbook. Indianapolis: Western Electric;
1956.

Nelson LS. The Shewhart control chart - tests for special causes. Journal of Quality Technology
1984;16(4):237-239.

Montgomery DC. Introduction to Statistical Quality Control. 7th ed. Hoboken: Wiley; 2013
(chapter 5, sensitizing rules for Shewhart charts; chapter 7, standardized control charts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..display import rule_set_name
from ..errors import QIDataError
from . import runs as _runs

__all__ = [
    "Rule",
    "Finding",
    "RULES",
    "RULE_SETS",
    "evaluate",
    "beyond_limits",
    "weco_1",
    "weco_2",
    "weco_3",
    "weco_4",
    "nelson_1",
    "nelson_2",
    "nelson_3",
    "nelson_4",
    "nelson_5",
    "nelson_6",
    "nelson_7",
    "nelson_8",
]


# ----------------------------------------------------------------------------------------------
# pattern helpers (vectorised)
# ----------------------------------------------------------------------------------------------

def _z(z) -> np.ndarray:
    arr = np.asarray(z, dtype=float)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise QIDataError(f"z must be a single series of numbers, not a table of shape {arr.shape}.",
                          column="z")
    return arr


def _in_row(flag: np.ndarray, length: int, first: np.ndarray | None = None) -> np.ndarray:
    """True for the points in a run of at least ``length`` consecutive True values (a run stops where a
    new segment starts, ``first`` True)."""
    starts, ends = _runs._run_bounds(flag, first)
    keep = flag[starts] & ((ends - starts) >= length)
    return _runs._cover(flag.shape[0], starts[keep], ends[keep])


def _same_side_in_row(z: np.ndarray, length: int, first: np.ndarray | None = None) -> np.ndarray:
    """``length`` or more consecutive points strictly above (or strictly below) the centre line."""
    return _in_row(z > 0, length, first) | _in_row(z < 0, length, first)


def _k_of_m(flag: np.ndarray, k: int, m: int, segs: _runs.Segments | None = None) -> np.ndarray:
    """Flagged points lying in some window of m consecutive points (of one segment) with at least k flagged."""
    n = flag.shape[0]
    if n < m:
        return np.zeros(n, dtype=bool)
    counts = np.convolve(flag.astype(np.int64), np.ones(m, dtype=np.int64), mode="valid")
    ok = counts >= k
    if segs is not None and segs.n > 1:
        ok &= segs.ids[: n - m + 1] == segs.ids[m - 1:]   # the window lies inside one segment
    starts = np.flatnonzero(ok)
    return flag & _runs._cover(n, starts, starts + m)


def _k_of_m_same_side(z: np.ndarray, k: int, m: int, beyond: float, segs: _runs.Segments | None = None):
    return _k_of_m(z > beyond, k, m, segs) | _k_of_m(z < -beyond, k, m, segs)


def _steps(z: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    """Sign of each step z[i] -> z[i+1]; 0 for a step from one segment into the next."""
    step = np.sign(np.diff(z))
    if first is not None:
        step[first[1:]] = 0
    return step


def _steps_in_row(step_flag: np.ndarray, n_steps: int, n: int) -> np.ndarray:
    """Points joined by a run of at least n_steps consecutive flagged steps (step i joins i, i+1)."""
    starts, ends = _runs._run_bounds(step_flag)
    keep = step_flag[starts] & ((ends - starts) >= n_steps)
    return _runs._cover(n, starts[keep], ends[keep] + 1)


def _trend(z: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    step = _steps(z, first)
    return _steps_in_row(step > 0, 5, z.shape[0]) | _steps_in_row(step < 0, 5, z.shape[0])


def _alternating(z: np.ndarray, first: np.ndarray | None = None) -> np.ndarray:
    step = _steps(z, first)
    # turn i: steps i and i+1 go opposite ways, joining points i, i+1, i+2
    turn = (step[1:] * step[:-1]) < 0
    starts, ends = _runs._run_bounds(turn)
    keep = turn[starts] & ((ends - starts) >= 12)
    return _runs._cover(z.shape[0], starts[keep], ends[keep] + 2)  # 12 turns join 14 points


# ----------------------------------------------------------------------------------------------
# the rules, one named function each
# ----------------------------------------------------------------------------------------------

def beyond_limits(y, lcl, ucl) -> np.ndarray:
    """Points strictly above the upper or strictly below the lower control limit.

    This is Shewhart's rule and the default "sigma signal" of qicharts2. A point exactly on a
    limit does not signal, nor does one beyond it by no more than rounding (a relative difference
    of 1e-12, the tolerance the run-chart rules use for points on the centre line), and a missing
    (NaN) limit never signals, so a chart with only an upper limit (a lower limit clipped away) is
    handled by passing NaN or None for the other.

    Parameters
    ----------
    y : array-like of float
        The plotted values.
    lcl, ucl : float, array-like of float, or None
        Lower and upper control limits (one value or one per point); None means no limit.

    Returns
    -------
    numpy.ndarray of bool

    References
    ----------
    Shewhart WA. Economic Control of Quality of Manufactured Product. New York: Van Nostrand;
    1931. Western Electric Company. Statistical Quality Control Handbook; 1956 (test 1).

    Examples
    --------
    >>> beyond_limits([5, 11, 10, -1], lcl=0, ucl=10).astype(int)
    array([0, 1, 0, 1])
    >>> beyond_limits([13.64, 13.64], lcl=13.640000000000002, ucl=13.640000000000002).astype(int)
    array([0, 0])
    """
    values = _z(y)
    n = values.shape[0]
    return outside(values, _limit(lcl, n, "lcl"), _limit(ucl, n, "ucl"))


def outside(y: np.ndarray, lcl: np.ndarray, ucl: np.ndarray) -> np.ndarray:
    """``y`` strictly above ``ucl`` or below ``lcl`` by more than rounding (relative 1e-12; see
    :func:`beyond_limits`). Arrays of one shape (or scalars); NaN never signals."""
    with np.errstate(invalid="ignore"):
        out = (y > ucl) | (y < lcl)
    # Points beyond a limit are few: only they are checked against the rounding tolerance.
    hits = np.flatnonzero(out)
    if hits.size:
        yh = y[hits]
        up = ucl[hits] if np.ndim(ucl) else ucl
        lo = lcl[hits] if np.ndim(lcl) else lcl
        tol = _runs._TIE_RTOL
        with np.errstate(invalid="ignore"):
            real = ((yh - up) > tol * np.maximum(np.abs(yh), np.abs(up))) | \
                ((lo - yh) > tol * np.maximum(np.abs(yh), np.abs(lo)))
        out[hits[~real]] = False
    return out


# ----------------------------------------------------------------------------------------------
# the registry
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One special-cause rule, as listed in :data:`RULE_SETS`.

    Attributes
    ----------
    code : str
        Short stable identifier, e.g. ``"weco4"``, ``"anhoej_crossings"``.
    name : str
        Short title, e.g. ``"Western Electric rule 4"``.
    description : str
        The pattern in plain English, e.g. "8 or more points in a row on the same side of the
        centre line".
    source : str
        Where the rule comes from.
    needs : str
        What the rule needs besides the values: ``"centre"`` (a centre line), ``"sigma"`` (the
        chart's one-sigma width) or ``"limits"`` (control limits).
    part_level : bool
        True when the rule judges the part as a whole (too few crossings, too few or too many
        runs) rather than flagging points.
    optional : bool
        True when the rule is skipped, rather than refused, if what it needs is missing (the
        3-sigma rule of the "anhoej" set on a run chart, which has no limits).
    """

    code: str
    name: str
    description: str
    source: str
    needs: str = "centre"
    part_level: bool = False
    optional: bool = False
    _apply: Callable[[_Inputs], _Outcome | None] | None = field(
        default=None, repr=False, compare=False)


#: The columns of ``.signals``, one row per flagged point and rule (plus one row, x and y missing, for
#: a rule about a whole part, such as too few crossings), in this order. Both front doors share them:
#: ``facet`` (present only when the chart is faceted), ``part`` (the part within its facet, from 1),
#: ``x``, ``y`` (the plotted value), ``rule`` (the rule's code, as in :data:`qikit.stats.rules.RULES`),
#: ``rule_name`` (its short title) and ``detail`` (the pattern, or for a whole-part rule the numbers
#: behind it, in plain English). A front door may add its own columns after these (Making Data Count:
#: ``point_type``, ``row``).
SIGNAL_COLUMNS = ("facet", "part", "x", "y", "rule", "rule_name", "detail")


@dataclass(frozen=True, eq=False)
class Finding:
    """A rule that fired on one part: what :func:`evaluate` returns, and what ``SPCResult.findings`` holds.

    The same class serves both (``qikit.stats.Finding``): :func:`evaluate` judges one part on its own,
    so ``points`` count from the part's first point, ``part`` is 1 and ``facet`` None; the findings of
    :func:`qikit.spc` carry the part number, the facet and ``points`` as rows of ``.data``.

    Attributes
    ----------
    rule : Rule
        The rule.
    mask : numpy.ndarray of bool
        One entry per point of the part (the points :func:`evaluate` was given; for
        :func:`qikit.spc`, the part's useful points in order), True for the points in the pattern; all
        False for a part-level finding. Read-only.
    part_level : bool
        True when the finding is about the part as a whole (too few crossings, too few or too
        many runs).
    detail : str
        A plain-English sentence with the numbers behind the finding.
    part : int
        The part (phase) it was found in, counting from 1 within its facet.
    points : numpy.ndarray of int
        The flagged points: positions within the part for :func:`evaluate`, rows of ``.data`` (0-based)
        for :func:`qikit.spc`. Empty for a part-level finding.
    facet : object
        The facet (ward, trust) it was found in; None without facets.
    """

    rule: Rule
    mask: np.ndarray
    part_level: bool
    detail: str
    part: int = 1
    points: np.ndarray = field(default=None)  # type: ignore[arg-type]  # filled from mask when not given
    facet: object = None

    def __post_init__(self) -> None:
        if self.points is None:
            object.__setattr__(self, "points", np.flatnonzero(self.mask))

    def __repr__(self) -> str:
        where = "" if self.facet is None else f"facet={self.facet!r}, "
        return f"Finding({where}part={self.part}, rule={self.rule.code!r}, points={[int(p) for p in self.points]})"


class _Inputs:
    """What the rules read, for every part at once (``segs`` says where each part starts), with the
    results several rules share computed once."""

    def __init__(self, y, cl, lcl, ucl, sigma, segs: _runs.Segments, anhoej=None):
        self.y = y
        self.cl = cl
        self.lcl = lcl
        self.ucl = ucl
        self.sigma = sigma
        self.segs = segs
        if anhoej is not None:  # computed by the caller already: do not run it twice
            self.__dict__["anhoej"] = anhoej

    @cached_property
    def side(self) -> np.ndarray:
        return _runs.side_of_centre(self.y, self.cl)

    @cached_property
    def z(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (self.y - self.cl) / self.sigma
        z[self.side == 0] = 0.0
        return z

    @cached_property
    def anhoej(self) -> _runs.SegmentRuns:
        return _runs._anhoej(self.y, self.cl, self.segs)

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Flagged points per part."""
        return self.segs.count(mask)


#: What a rule returns: its mask over all points, which parts it fired in, and the sentence for a part.
_Outcome = tuple[np.ndarray, np.ndarray, Callable[[int], str]]


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _by_point(inputs: _Inputs, mask: np.ndarray, sentence: Callable[[str], str]) -> _Outcome | None:
    """A rule that flags points: it fires in the parts where it flags any."""
    if not mask.any():
        return None
    counts = inputs.count(mask)
    return mask, counts > 0, lambda s: sentence(_points(int(counts[s])))


def _zone_rule(code, name, description, source, kernel, *, needs="sigma"):
    def apply(inputs: _Inputs) -> _Outcome | None:
        return _by_point(inputs, kernel(inputs.z, inputs.segs),
                         lambda pts: f"{pts} flagged: {description[0].lower()}{description[1:]}.")
    return Rule(code, name, description, source, needs=needs, _apply=apply)


def _apply_beyond_limits(inputs: _Inputs) -> _Outcome | None:
    return _by_point(inputs, outside(inputs.y, inputs.lcl, inputs.ucl), lambda pts: f"{pts} outside the control limits.")


def _apply_sigma_rule_1(inputs: _Inputs) -> _Outcome | None:
    """WECO/Nelson rule 1: against the drawn limits when the chart has them, else on z."""
    if inputs.lcl is not None or inputs.ucl is not None:
        mask = outside(inputs.y, _or_nan(inputs.lcl, inputs.y), _or_nan(inputs.ucl, inputs.y))
    else:
        mask = _beyond_3(inputs.z, inputs.segs)
    return _by_point(inputs, mask, lambda pts: f"{pts} more than 3 sigma from the centre line (outside the limits).")


def _or_nan(limit, like: np.ndarray) -> np.ndarray:
    return np.full(like.shape, np.nan) if limit is None else limit


def _apply_anhoej_shift(inputs: _Inputs) -> _Outcome | None:
    res = inputs.anhoej
    if not res.shift.any():
        return None
    return res.shift_mask, res.shift, lambda s: (
        f"The longest run has {int(res.longest_run[s])} points on the same side of the centre line; with "
        f"{int(res.n_useful[s])} points not on the centre line, a run longer than {int(res.longest_run_max[s])} "
        "points is unlikely to happen by chance.")


def _apply_anhoej_crossings(inputs: _Inputs) -> _Outcome | None:
    res = inputs.anhoej
    if not res.crossings_signal.any():
        return None

    def detail(s: int) -> str:
        times = "time" if res.n_crossings[s] == 1 else "times"
        return (f"The line crosses the centre line {int(res.n_crossings[s])} {times}; with {int(res.n_useful[s])} "
                f"points not on the centre line, fewer than {int(res.n_crossings_min[s])} crossings is unlikely to "
                "happen by chance.")
    return np.zeros(inputs.y.shape[0], dtype=bool), res.crossings_signal, detail


def _apply_ihi_shift(inputs: _Inputs) -> _Outcome | None:
    return _by_point(inputs, _runs._long_side_run_mask(inputs.side, _runs.IHI_SHIFT_LENGTH, inputs.segs),
                     lambda pts: f"{pts} in a shift: {_runs.IHI_SHIFT_LENGTH} or more in a row on the same side "
                                 "of the median.")


def _apply_ihi_trend(inputs: _Inputs) -> _Outcome | None:
    return _by_point(inputs, _runs._ihi_trend(inputs.y, inputs.segs),
                     lambda pts: f"{pts} in a trend: {_runs.IHI_TREND_LENGTH} or more in a row all going up or "
                                 "all going down.")


def _apply_ihi_runs(inputs: _Inputs) -> _Outcome | None:
    n_runs, useful, lower, upper, signal = _runs._ihi_runs(inputs.y, inputs.cl, inputs.segs)
    if not signal.any():
        return None

    def detail(s: int) -> str:
        verdict = "too few" if n_runs[s] < lower[s] else "too many"
        return (f"{int(n_runs[s])} runs with {int(useful[s])} points not on the median; between {int(lower[s])} "
                f"and {int(upper[s])} runs are expected by chance, so there are {verdict}.")
    return np.zeros(inputs.y.shape[0], dtype=bool), signal, detail


def _apply_ihi_astronomical(inputs: _Inputs) -> _Outcome | None:
    return _by_point(inputs, _runs._ihi_astronomical(inputs.y, inputs.segs),
                     lambda pts: f"{pts} far from all the others (separated from them by more than "
                                 f"{_runs.ASTRONOMICAL_GAP_RATIO:g} times their whole range).")


def _beyond_3(z, segs=None):
    return (z > 3) | (z < -3)


def _beyond_2_of_3(z, segs=None):
    return _k_of_m_same_side(z, 2, 3, 2.0, segs)


def _beyond_1_4_of_5(z, segs=None):
    return _k_of_m_same_side(z, 4, 5, 1.0, segs)


def _first(segs):
    return None if segs is None else segs.breaks


_WECO = "Western Electric Company, Statistical Quality Control Handbook (1956)"
_NELSON = "Nelson LS, J Qual Technol 1984;16(4):237-239"
_MONTGOMERY = "Montgomery DC, Introduction to Statistical Quality Control, ch. 5"
_ANHOEJ = "Anhøj J, Olesen AV, PLoS ONE 2014;9(11):e113825"
_IHI = ("Perla RJ, Provost LP, Murray SK, BMJ Qual Saf 2011;20(1):46-51; "
        "Provost LP, Murray SK, The Health Care Data Guide (2011), ch. 3")

# The rules of the run-chart sets, and the limits rule of the "anhoej" set: one table.
_BEYOND_LIMITS, _ANHOEJ_SHIFT, _ANHOEJ_CROSSINGS, _IHI_SHIFT, _IHI_TREND, _IHI_RUNS, _IHI_ASTRONOMICAL = (
    Rule("beyond_limits", "Point outside the control limits",
         "A point above the upper or below the lower control limit",
         "Shewhart WA, Economic Control of Quality of Manufactured Product (1931); qicharts2 sigma signal",
         needs="limits", optional=True, _apply=_apply_beyond_limits),
    Rule("anhoej_shift", "Unusually long run",
         "More points in a row on one side of the centre line than chance would give",
         f"{_ANHOEJ}; Schilling MF, Math Mag 2012;85(2):141-149", _apply=_apply_anhoej_shift),
    Rule("anhoej_crossings", "Too few crossings", "The line crosses the centre line fewer times than chance would give",
         f"{_ANHOEJ}; Chen Z, Model Assist Stat Appl 2010;5:73-77", part_level=True, _apply=_apply_anhoej_crossings),
    Rule("ihi_shift", "Shift", "6 or more points in a row above, or below, the median", _IHI, _apply=_apply_ihi_shift),
    Rule("ihi_trend", "Trend", "5 or more points in a row all going up, or all going down", _IHI,
         _apply=_apply_ihi_trend),
    Rule("ihi_runs", "Too few or too many runs",
         "Too few or too many runs (groups of points on one side of the median) for the number of points",
         f"{_IHI}; Swed FS, Eisenhart C, Ann Math Stat 1943;14(1):66-87", part_level=True, _apply=_apply_ihi_runs),
    Rule("ihi_astronomical", "Astronomical data point", "A point obviously different from all the others",
         f"{_IHI}; qikit's operationalisation (gap more than twice the range of the other points)",
         _apply=_apply_ihi_astronomical),
)


@dataclass(frozen=True)
class _ZoneRow:
    """One zone or pattern rule of the Western Electric and Nelson sets: its registry entry, its public
    function (``weco_2(z)``: the mask on standardised values) and that function's worked example,
    written by hand."""

    code: str
    name: str
    description: str
    source: str
    kernel: Callable
    note: str = ""
    example: tuple = ()
    flags: tuple = ()
    apply: Callable | None = None  # the registry's own test where it differs from the kernel on z

    @property
    def public_name(self) -> str:
        """The public function's name: ``"weco2"`` -> ``"weco_2"``."""
        return f"{self.code[:-1]}_{self.code[-1]}"


def _same_side(k):
    return lambda z, segs: _same_side_in_row(z, k, _first(segs))


_BREAKS_ON_CENTRE = "A point exactly on the centre line breaks the run."
_ZONE_ROWS = (
    _ZoneRow("weco1", "Western Electric rule 1",
             "A point more than 3 sigma from the centre line (outside the control limits)",
             f"{_WECO}, test 1; {_MONTGOMERY}", _beyond_3,
             "On a chart with limits the registry's rule reads the drawn limits; this function reads z > 3 or z < -3.",
             (0.5, 3.0, 3.1, -3.2), (0, 0, 1, 1), _apply_sigma_rule_1),
    _ZoneRow("weco2", "Western Electric rule 2",
             "2 out of 3 points in a row more than 2 sigma from the centre line, on the same side",
             f"{_WECO}, test 2; {_MONTGOMERY}", _beyond_2_of_3, "The points beyond 2 sigma are flagged.",
             (2.5, 0.0, 2.1, 0.0, 0.0, 2.2), (1, 0, 1, 0, 0, 0)),
    _ZoneRow("weco3", "Western Electric rule 3",
             "4 out of 5 points in a row more than 1 sigma from the centre line, on the same side",
             f"{_WECO}, test 3; {_MONTGOMERY}", _beyond_1_4_of_5, "The points beyond 1 sigma are flagged.",
             (1.5, 1.2, 0.0, 1.1, 1.9), (1, 1, 0, 1, 1)),
    _ZoneRow("weco4", "Western Electric rule 4", "8 or more points in a row on the same side of the centre line",
             f"{_WECO}, test 4; {_MONTGOMERY}", _same_side(8), _BREAKS_ON_CENTRE,
             (-1, 1, 1, 1, 1, 1, 1, 1, 1), (0, 1, 1, 1, 1, 1, 1, 1, 1)),
    _ZoneRow("nelson1", "Nelson rule 1",
             "A point more than 3 sigma from the centre line (outside the control limits)",
             f"{_NELSON}, test 1", _beyond_3,
             "On a chart with limits the registry's rule reads the drawn limits; this function reads z > 3 or z < -3.",
             (-3.5, 0.0, 3.0), (1, 0, 0), _apply_sigma_rule_1),
    _ZoneRow("nelson2", "Nelson rule 2", "9 or more points in a row on the same side of the centre line",
             f"{_NELSON}, test 2", _same_side(9), _BREAKS_ON_CENTRE,
             (-0.5,) * 9 + (0.5,), (1,) * 9 + (0,)),
    _ZoneRow("nelson3", "Nelson rule 3", "6 or more points in a row all going up, or all going down",
             f"{_NELSON}, test 3", lambda z, segs: _trend(z, _first(segs)),
             "Steadily means strictly: equal consecutive values break the run.",
             (0, -1, -0.5, 0, 0.5, 1, 1.5, 1), (0, 1, 1, 1, 1, 1, 1, 0)),
    _ZoneRow("nelson4", "Nelson rule 4", "14 or more points in a row alternating up and down",
             f"{_NELSON}, test 4", lambda z, segs: _alternating(z, _first(segs)),
             "Each step must reverse the direction of the one before; an equal pair breaks the pattern.",
             (0, 1) * 7, (1,) * 14),
    _ZoneRow("nelson5", "Nelson rule 5",
             "2 out of 3 points in a row more than 2 sigma from the centre line, on the same side",
             f"{_NELSON}, test 5", _beyond_2_of_3,
             "The points beyond 2 sigma are flagged (the pattern of Western Electric rule 2).",
             (-2.1, -1.0, -2.5), (1, 0, 1)),
    _ZoneRow("nelson6", "Nelson rule 6",
             "4 out of 5 points in a row more than 1 sigma from the centre line, on the same side",
             f"{_NELSON}, test 6", _beyond_1_4_of_5,
             "The points beyond 1 sigma are flagged (the pattern of Western Electric rule 3).",
             (-1.5, -1.2, -1.1, 0.0, -1.9), (1, 1, 1, 0, 1)),
    _ZoneRow("nelson7", "Nelson rule 7",
             "15 or more points in a row within 1 sigma of the centre line (hugging the centre line)",
             f"{_NELSON}, test 7", lambda z, segs: _in_row(np.abs(z) <= 1, 15, _first(segs)),
             "Within includes a point exactly 1 sigma away (it is not beyond 1 sigma). Points hugging the "
             "centre line suggest the limits are too wide, often because data from different sources were "
             "mixed in each subgroup (stratification).",
             (0.5, -0.5) * 7 + (1.0,), (1,) * 15),
    _ZoneRow("nelson8", "Nelson rule 8",
             "8 or more points in a row more than 1 sigma from the centre line, on either side",
             f"{_NELSON}, test 8", lambda z, segs: _in_row(np.abs(z) > 1, 8, _first(segs)),
             "None of them is within 1 sigma.", (1.5, -1.5) * 4, (1,) * 8),
)


def _registered(row: _ZoneRow) -> Rule:
    if row.apply is not None:
        return Rule(row.code, row.name, row.description, row.source, needs="sigma", _apply=row.apply)
    return _zone_rule(row.code, row.name, row.description, row.source, row.kernel)


def _public(row: _ZoneRow) -> Callable[..., np.ndarray]:
    """The rule as a function of standardised values ``z`` (one part of a chart), returning its mask."""
    name = row.public_name

    def flags(z) -> np.ndarray:
        return row.kernel(_z(z), None)

    flags.__name__ = flags.__qualname__ = name
    flags.__module__ = __name__
    example = ", ".join(f"{v:g}" for v in row.example)
    flags.__doc__ = (f"{row.name}: {row.description[0].lower()}{row.description[1:]}.\n\n    {row.note}\n\n"
                     f"    Parameters\n    ----------\n    z : array-like of float\n        Standardised values "
                     f"``(y - cl) / sigma`` of one part of a chart.\n\n    Returns\n    -------\n    numpy.ndarray "
                     f"of bool\n        True for the points in the pattern.\n\n    References\n    ----------\n"
                     f"    {row.source}.\n\n    Examples\n    --------\n    >>> {name}([{example}]).astype(int)\n"
                     f"    array([{', '.join(str(f) for f in row.flags)}])\n    ")
    return flags


_PUBLIC = {row.public_name: _public(row) for row in _ZONE_ROWS}
weco_1, weco_2, weco_3, weco_4 = (_PUBLIC[f"weco_{k}"] for k in range(1, 5))
nelson_1, nelson_2, nelson_3, nelson_4, nelson_5, nelson_6, nelson_7, nelson_8 = (
    _PUBLIC[f"nelson_{k}"] for k in range(1, 9))

_WECO_RULES = tuple(_registered(row) for row in _ZONE_ROWS if row.code.startswith("weco"))
_NELSON_RULES = tuple(_registered(row) for row in _ZONE_ROWS if row.code.startswith("nelson"))

#: The rule sets a user can choose, by name.
RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "anhoej": (_BEYOND_LIMITS, _ANHOEJ_SHIFT, _ANHOEJ_CROSSINGS),
    "ihi": (_IHI_SHIFT, _IHI_TREND, _IHI_RUNS, _IHI_ASTRONOMICAL),
    "weco": _WECO_RULES,
    "nelson": _NELSON_RULES,
}

#: Every rule by its code.
RULES: dict[str, Rule] = {rule.code: rule for rules in RULE_SETS.values() for rule in rules}



# ----------------------------------------------------------------------------------------------
# evaluate
# ----------------------------------------------------------------------------------------------

def _limit(value, n: int, name: str) -> np.ndarray:
    """A limit as one float per point; None means no limit (NaN, which never signals)."""
    if value is None:
        return np.full(n, np.nan)
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise QIDataError(f"{name} must be a number or one number per point.", column=name) from None
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.ndim != 1 or arr.shape[0] != n:
        raise QIDataError(f"{name} must be one number or one number per point ({n} points), but it has "
                          f"shape {arr.shape}.", column=name)
    return arr


def _sigma(value, n: int) -> np.ndarray:
    arr = _limit(value, n, "sigma")
    negative = arr < 0
    if negative.any():
        rows, where = _runs._where(value, negative)
        raise QIDataError(f"sigma must not be negative, but it is at {where}.", column="sigma", rows=rows)
    return arr


def _rule_set(rule_set) -> str:
    key = rule_set.strip().lower() if isinstance(rule_set, str) else None
    if key not in RULE_SETS:
        names = ", ".join(repr(k) for k in RULE_SETS)
        raise QIDataError(f"Unknown rule set {rule_set!r}. The rule sets are: {names}.", column="rules")
    return key


def evaluate(rule_set: str, y, cl, lcl=None, ucl=None, sigma=None, anhoej=None) -> list[Finding]:
    """Run one rule set on one part of a chart and return the rules that fired.

    Parameters
    ----------
    rule_set : str
        ``"anhoej"`` (points outside the limits, plus the Anhøj run rules; the qicharts2 default),
        ``"ihi"`` (shift, trend, runs, astronomical point; for run charts), ``"weco"`` (Western
        Electric rules 1-4) or ``"nelson"`` (Nelson rules 1-8).
    y : array-like of float
        The part's plotted values in time order, with no missing values.
    cl : float or array-like of float
        The centre line (the median on a run chart).
    lcl, ucl : float, array-like of float, or None
        Control limits; NaN or None means no limit (never signals).
    sigma : float, array-like of float, or None
        The chart's one-sigma width per point, for the zone rules. A NaN sigma disables the zone
        rules at that point.
    anhoej : RunsResult, optional
        The result of :func:`qikit.stats.runs.anhoej` for these same ``y`` and ``cl``, when the caller
        has it already (saves computing it twice).

    Returns
    -------
    list of Finding
        One :class:`Finding` per rule that fired, in the rule set's order; an empty list means no
        special cause was found.

    Raises
    ------
    QIDataError
        For an unknown rule set; when the Western Electric or Nelson rules are asked for without a
        sigma (a run chart has none); for badly shaped inputs.

    Notes
    -----
    * On a run chart (no limits given) the ``"anhoej"`` set checks its two run rules only, as
      qicharts2 does; the 3-sigma rule needs limits and is skipped.
    * Rule 1 of the ``"weco"`` and ``"nelson"`` sets compares the points with the control limits
      when they are given (so it agrees with the limits drawn, e.g. a lower limit clipped at
      zero), and with 3 sigma otherwise.
    * Points equal to the centre line (up to floating-point rounding) have z = 0.

    Examples
    --------
    >>> y = [3, 4, 3, 5, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    >>> [f.rule.code for f in evaluate("anhoej", y, cl=5)]
    ['anhoej_shift', 'anhoej_crossings']
    >>> [f.rule.code for f in evaluate("weco", y, cl=5, sigma=1)]
    ['weco1', 'weco2', 'weco3', 'weco4']
    """
    key = _rule_set(rule_set)
    values = _runs._as_values(y, "y")
    n = values.shape[0]
    centre = _runs._as_centre(cl, n)
    _check_needs(key, sigma is not None, lcl is not None or ucl is not None)
    runs = None
    if anhoej is not None:
        one = {name: np.array([np.nan if getattr(anhoej, name) is None else getattr(anhoej, name)])
               for name in _runs.SegmentRuns._fields if name != "shift_mask"}
        runs = _runs.SegmentRuns(**one, shift_mask=np.asarray(anhoej.shift_mask))
    inputs = _Inputs(values, centre,
                     _limit(lcl, n, "lcl") if lcl is not None else None,
                     _limit(ucl, n, "ucl") if ucl is not None else None,
                     _sigma(sigma, n) if sigma is not None else None, _runs.Segments.one(n), anhoej=runs)
    findings = []
    for rule, mask, _, detail in _fired(key, inputs):
        mask = np.array(mask, dtype=bool)
        mask.setflags(write=False)
        findings.append(Finding(rule=rule, mask=mask, part_level=rule.part_level, detail=detail(0)))
    return findings


def _check_needs(key: str, has_sigma: bool, has_limits: bool) -> None:
    """Refuse a rule set whose rules need a sigma or limits the chart does not have."""
    rules = RULE_SETS[key]
    if not has_sigma and any(r.needs == "sigma" and not r.optional for r in rules):
        raise QIDataError(
            f"The {rule_set_name(key, long=False)} rules need the chart's sigma (the width of one standard deviation), "
            "and this chart has none. A run chart has no sigma: use the 'anhoej' or 'ihi' rules for a "
            "run chart, or draw a control chart (such as an I chart) to use these rules.", column="rules")
    if not has_limits and any(r.needs == "limits" and not r.optional for r in rules):
        raise QIDataError(f"The {rule_set_name(key, long=False)} rules need control limits, and this chart has none.",
                          column="rules")


def _fired(key: str, inputs: _Inputs, only: set[str] | None = None):
    """The rules of set ``key`` (those in ``only``, when given) that fired anywhere, in the set's order:
    ``(rule, mask over all points, fired per part, sentence for a part)``."""
    has_limits = inputs.lcl is not None or inputs.ucl is not None
    out = []
    for rule in RULE_SETS[key]:
        if only is not None and rule.code not in only:
            continue
        if rule.needs == "limits" and not has_limits:
            continue  # optional (checked by _check_needs)
        if rule.needs == "sigma" and inputs.sigma is None:
            continue  # optional (checked by _check_needs)
        assert rule._apply is not None
        result = rule._apply(inputs)
        if result is not None:
            out.append((rule, *result))
    return out
