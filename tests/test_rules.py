"""Tests for qikit.stats.rules: Shewhart special-cause rules and the rule-set registry.

Each rule gets a hand-worked series that fires, one just short of firing, boundary cases and
overlapping patterns; masks are checked point by point.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qikit import QIDataError
from qikit.stats.rules import (
    RULE_SETS,
    RULES,
    Finding,
    Rule,
    beyond_limits,
    evaluate,
    nelson_1,
    nelson_2,
    nelson_3,
    nelson_4,
    nelson_5,
    nelson_6,
    nelson_7,
    nelson_8,
    weco_1,
    weco_2,
    weco_3,
    weco_4,
)


def flags(*positions, n):
    out = np.zeros(n, dtype=bool)
    out[list(positions)] = True
    return out


def check(result, expected):
    np.testing.assert_array_equal(np.asarray(result, dtype=bool), np.asarray(expected, dtype=bool))


# ---------------------------------------------------------------------------------------------
# beyond the limits
# ---------------------------------------------------------------------------------------------

def test_beyond_limits_is_strict():
    # 10 is on the upper limit (no signal), 10.01 above, 0 on the lower limit, -0.01 below
    check(beyond_limits([5, 10, 10.01, 0, -0.01], lcl=0, ucl=10), [0, 0, 1, 0, 1])


def test_beyond_limits_missing_limits_never_signal():
    check(beyond_limits([5, 50, -50], lcl=np.nan, ucl=10), [0, 1, 0])
    check(beyond_limits([5, 50, -50], lcl=None, ucl=None), [0, 0, 0])
    check(beyond_limits([5, 50, -50], lcl=[0, 0, np.nan], ucl=[10, np.nan, 10]), [0, 0, 0])


def test_beyond_limits_per_point_limits():
    # a p chart with varying limits: 0.30 is inside the wide limits of a small month, outside later
    check(beyond_limits([0.30, 0.30], lcl=[0.0, 0.05], ucl=[0.35, 0.25]), [0, 1])


# ---------------------------------------------------------------------------------------------
# WECO 1 / Nelson 1: beyond 3 sigma
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [weco_1, nelson_1])
def test_beyond_three_sigma(rule):
    # exactly 3 and -3 are on the boundary: not beyond
    check(rule([0.0, 3.0, 3.01, -3.0, -3.01, np.nan]), [0, 0, 1, 0, 1, 0])


# ---------------------------------------------------------------------------------------------
# WECO 2 / Nelson 5: 2 of 3 beyond 2 sigma, same side
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [weco_2, nelson_5])
def test_two_of_three_fires_and_flags_only_the_points_beyond(rule):
    check(rule([0.0, 2.5, 0.0, 2.1, 0.0]), [0, 1, 0, 1, 0])
    check(rule([-2.5, -2.1, 0.0]), [1, 1, 0])
    check(rule([2.5, 2.6, 2.7]), [1, 1, 1])


@pytest.mark.parametrize("rule", [weco_2, nelson_5])
def test_two_of_three_just_short(rule):
    # two beyond 2 sigma but four points apart: no window of 3 holds both
    assert not rule([2.5, 0.0, 0.0, 2.1]).any()
    # on opposite sides
    assert not rule([2.5, -2.5, 0.0]).any()
    # 2.0 is on the boundary, not beyond
    assert not rule([2.0, 2.5, 0.0]).any()
    # a part shorter than the window cannot fire
    assert not rule([2.5, 2.5]).any()


@pytest.mark.parametrize("rule", [weco_2, nelson_5])
def test_two_of_three_overlapping_windows(rule):
    # windows (0,1,2) and (2,3,4) each hold two points beyond 2 sigma; point 2 is in both
    check(rule([2.1, 0.0, 2.2, 0.0, 2.3]), [1, 0, 1, 0, 1])


# ---------------------------------------------------------------------------------------------
# WECO 3 / Nelson 6: 4 of 5 beyond 1 sigma, same side
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [weco_3, nelson_6])
def test_four_of_five_fires(rule):
    check(rule([0.0, 1.5, 1.2, 0.3, 1.1, 1.9, 0.0]), [0, 1, 1, 0, 1, 1, 0])
    check(rule([-1.5, -1.2, -1.1, -1.9]
               + [0.0]), [1, 1, 1, 1, 0])


@pytest.mark.parametrize("rule", [weco_3, nelson_6])
def test_four_of_five_just_short(rule):
    # 1.0 is on the boundary, leaving 3 of 5 beyond
    assert not rule([1.5, 1.2, 0.0, 1.0, 1.9]).any()
    # four beyond, but one of them on the other side
    assert not rule([1.5, 1.2, 0.0, -1.1, 1.9]).any()
    # four beyond 1 sigma spread over 6 points: windows (0-4) and (1-5) each hold only 3
    assert not rule([1.1, 1.1, 1.1, 0.0, 0.0, 1.1]).any()


@pytest.mark.parametrize("rule", [weco_3, nelson_6])
def test_four_of_five_overlapping(rule):
    # windows (0-4), (1-5) and (3-7) hold 4 points beyond 1 sigma; (2-6) only 3. Every point
    # beyond 1 sigma lies in a qualifying window
    z = [1.2, 1.3, 0.0, 1.4, 1.5, 1.6, 0.0, 1.7]
    check(rule(z), [1, 1, 0, 1, 1, 1, 0, 1])


# ---------------------------------------------------------------------------------------------
# WECO 4 (8 in a row) and Nelson 2 (9 in a row) on one side
# ---------------------------------------------------------------------------------------------

def test_weco_4_eight_in_a_row():
    check(weco_4([-0.5] + [0.2] * 8), [0] + [1] * 8)
    check(weco_4([-0.2] * 10 + [0.5]), [1] * 10 + [0])
    assert not weco_4([0.2] * 7 + [-0.2]).any()


def test_weco_4_a_point_on_the_centre_line_breaks_the_run():
    assert not weco_4([0.2] * 4 + [0.0] + [0.2] * 4).any()


def test_nelson_2_nine_in_a_row():
    check(nelson_2([0.1] * 9), [1] * 9)
    assert not nelson_2([0.1] * 8 + [-0.1] + [0.1] * 8).any()
    # two separate runs of 9, above then below
    check(nelson_2([0.1] * 9 + [-0.1] * 9), [1] * 18)


# ---------------------------------------------------------------------------------------------
# Nelson 3: 6 in a row increasing or decreasing
# ---------------------------------------------------------------------------------------------

def test_nelson_3_six_increasing():
    check(nelson_3([0, -1, -0.5, 0, 0.5, 1, 1.5, 1]), [0, 1, 1, 1, 1, 1, 1, 0])
    assert not nelson_3([-1, -0.5, 0, 0.5, 1]).any()              # only 5 points


def test_nelson_3_decreasing_and_shared_turning_point():
    check(nelson_3([2, 1.5, 1, 0.5, 0, -0.5]), [1] * 6)
    # up 1..6 then down 6..1: two patterns sharing the peak
    z = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    check(nelson_3(z), [1] * 11)


def test_nelson_3_equal_values_break_the_run():
    # 1, 2, 3, 3, 4, 5, 6: increases of 3 and 4 points either side of the tie
    assert not nelson_3([0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6]).any()


# ---------------------------------------------------------------------------------------------
# Nelson 4: 14 in a row alternating
# ---------------------------------------------------------------------------------------------

def test_nelson_4_fourteen_alternating():
    check(nelson_4([0.0, 1.0] * 7), [1] * 14)
    assert not nelson_4([0.0, 1.0] * 6 + [0.0]).any()            # 13 points
    # 15 alternating points: all flagged
    check(nelson_4([1.0, -1.0] * 7 + [1.0]), [1] * 15)


def test_nelson_4_broken_by_a_tie_or_two_steps_the_same_way():
    z = [0.0, 1.0] * 7
    with_tie = z[:7] + [z[6]] + z[7:]               # repeat point 6: a flat step
    assert not nelson_4(with_tie).any()
    same_way = z[:7] + [2.0] + z[7:]                # 2.0 -> 1.0 -> 0.0: two steps down in a row
    assert not nelson_4(same_way).any()
    # 7 -> 6 -> 0 are two steps down; alternation starts at 6: points 1..15 (15 points) flagged
    check(nelson_4([7.0, 6.0] + [0.0, 1.0] * 7), [0] + [1] * 15)


# ---------------------------------------------------------------------------------------------
# Nelson 7: 15 in a row within 1 sigma; Nelson 8: 8 in a row beyond 1 sigma
# ---------------------------------------------------------------------------------------------

def test_nelson_7_fifteen_within_one_sigma():
    # 1.0 and -1.0 are on the boundary: not beyond, so within
    z = [0.5, -0.5, 1.0, -1.0, 0.0] * 3
    check(nelson_7(z), [1] * 15)
    assert not nelson_7(z[:14]).any()
    # a point just beyond 1 sigma breaks the run; NaN (no sigma) breaks it too
    assert not nelson_7(z[:7] + [1.01] + z[8:]).any()
    assert not nelson_7(z[:7] + [np.nan] + z[8:]).any()
    check(nelson_7([2.0] + z), [0] + [1] * 15)


def test_nelson_8_eight_beyond_one_sigma_either_side():
    check(nelson_8([1.5, -1.5] * 4), [1] * 8)
    check(nelson_8([0.0] + [2.0] * 8 + [0.0]), [0] + [1] * 8 + [0])
    assert not nelson_8([1.5, -1.5] * 3 + [1.5]).any()            # 7 points
    # a point exactly at 1 sigma is not beyond: it breaks the run
    assert not nelson_8([1.5] * 4 + [1.0] + [1.5] * 4).any()


def test_rules_on_empty_and_tiny_parts():
    for rule in (weco_1, weco_2, weco_3, weco_4, nelson_2, nelson_3, nelson_4, nelson_7, nelson_8):
        assert rule([]).shape == (0,)
        assert not rule([0.5]).any()


def test_nan_z_never_signals():
    z = [np.nan] * 20
    for rule in (weco_1, weco_2, weco_3, weco_4, nelson_2, nelson_3, nelson_4, nelson_7, nelson_8):
        assert not rule(z).any(), rule.__name__


# ---------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------

def test_rule_sets_hold_the_expected_rules():
    codes = {name: [r.code for r in rules] for name, rules in RULE_SETS.items()}
    assert codes == {
        "anhoej": ["beyond_limits", "anhoej_shift", "anhoej_crossings"],
        "ihi": ["ihi_shift", "ihi_trend", "ihi_runs", "ihi_astronomical"],
        "weco": ["weco1", "weco2", "weco3", "weco4"],
        "nelson": [f"nelson{i}" for i in range(1, 9)],
    }
    assert set(RULES) == {c for cs in codes.values() for c in cs}


def test_rules_are_described_in_plain_short_sentences_with_a_source():
    for rule in RULES.values():
        assert isinstance(rule, Rule)
        assert rule.name and rule.source
        assert 10 < len(rule.description) <= 110, rule.code
        assert rule.needs in {"centre", "sigma", "limits"}
    part_level = {r.code for r in RULES.values() if r.part_level}
    assert part_level == {"anhoej_crossings", "ihi_runs"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        RULES["weco1"].name = "x"


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------

def codes(findings):
    return [f.rule.code for f in findings]


def test_evaluate_anhoej_on_a_control_chart():
    # cl 10, limits 4..16. Point 2 (17) is above the upper limit. Points 6..15 are 10 in a row
    # above the centre line among 16 useful points: limit round(log2 16) + 3 = 7, so a shift.
    # Sides - + + - + - then + x10: 6 runs, 5 crossings; limit qbinom(.05, 15, .5) = 4
    # (P(X <= 3) = 576/32768 = 0.018, P(X <= 4) = 1941/32768 = 0.059): 5 crossings is no signal.
    y = [9, 11, 17, 8, 12, 9, 11, 12, 13, 11, 12, 13, 11, 12, 13, 11]
    found = evaluate("anhoej", y, cl=10, lcl=4, ucl=16)
    assert codes(found) == ["beyond_limits", "anhoej_shift"]
    limits, shift = found
    check(limits.mask, flags(2, n=16))
    assert limits.detail == "1 point outside the control limits."
    check(shift.mask, flags(*range(6, 16), n=16))
    assert not shift.part_level
    assert "10 points" in shift.detail and "longer than 7" in shift.detail and "16 points" in shift.detail


def test_evaluate_anhoej_crossings_is_part_level():
    # 20 useful points in 6 runs (lengths 4,3,3,3,3,4): 5 crossings < 6, longest 4 <= 7
    y = [1] * 4 + [9] * 3 + [1] * 3 + [9] * 3 + [1] * 3 + [9] * 4
    found = evaluate("anhoej", y, cl=5)
    assert codes(found) == ["anhoej_crossings"]
    (crossings,) = found
    assert crossings.part_level
    check(crossings.mask, np.zeros(20, dtype=bool))
    assert "5 times" in crossings.detail and "fewer than 6" in crossings.detail


def test_evaluate_anhoej_on_a_run_chart_skips_the_limits_rule():
    # no limits: the sigma signal is skipped, not refused, as in qicharts2
    assert evaluate("anhoej", [1, 9] * 6, cl=5) == []


def test_evaluate_anhoej_with_one_missing_limit():
    # an upper limit only (the lower one clipped away, given as NaN)
    found = evaluate("anhoej", [1, 9, 1, 9, 30], cl=5, lcl=np.nan, ucl=20)
    assert codes(found) == ["beyond_limits"]
    check(found[0].mask, flags(4, n=5))


def test_evaluate_ihi_every_rule():
    # median 10. Points 0-5: six below the median (a shift) and steadily rising 4..9 (a trend);
    # then alternating above/below, and a final astronomical point at 60.
    y = [4, 5, 6, 7, 8, 9, 11, 9, 11, 9, 11, 9, 60]
    found = evaluate("ihi", y, cl=10)
    assert codes(found) == ["ihi_shift", "ihi_trend", "ihi_astronomical"]
    shift, trend, astro = found
    check(shift.mask, flags(*range(6), n=13))
    # trend: 4,5,6,7,8,9,11 rise (7 points); then 11->9 falls, 9->11 rises... no other trend
    check(trend.mask, flags(*range(7), n=13))
    # astronomical: others span 4..11 (range 7); 60 - 11 = 49 > 14
    check(astro.mask, flags(12, n=13))
    # runs: 13 useful points, runs 6 below + 7 alternating singles = 8 runs; limits for 13 are
    # (4, 11), so the runs rule does not fire here
    assert "ihi_runs" not in codes(found)


def test_evaluate_ihi_runs_is_part_level():
    found = evaluate("ihi", [1, 9] * 5, cl=5)        # 10 runs among 10 points: too many
    assert codes(found) == ["ihi_runs"]
    (runs,) = found
    assert runs.part_level and not runs.mask.any()
    assert runs.detail == ("10 runs with 10 points not on the median; between 3 and 9 runs are "
                           "expected by chance, so there are too many.")


def test_evaluate_weco():
    # cl 0, sigma 1, so z = y.
    # point 0: 3.5 (rule 1); points 2, 3: 2.2 and 2.4 (2 of 3 beyond 2, rule 2);
    # points 2-5 beyond 1 (4 of 5 with point 1 at 0.5 not; rule 3); points 1-9 above 0 (9 in a row,
    # rule 4 covers points 0-9: point 0 is also above)
    y = [3.5, 0.5, 2.2, 2.4, 1.5, 1.2, 0.3, 0.4, 0.2, 0.1, -0.5]
    found = evaluate("weco", y, cl=0, sigma=1)
    assert codes(found) == ["weco1", "weco2", "weco3", "weco4"]
    r1, r2, r3, r4 = found
    check(r1.mask, flags(0, n=11))
    # windows (0,1,2) and (1,2,3), (2,3,4): points 0, 2, 3 are beyond 2 sigma in qualifying windows
    check(r2.mask, flags(0, 2, 3, n=11))
    # window (0-4): 3.5, 2.2, 2.4, 1.5 beyond 1 -> 4 of 5; window (1-5): 2.2, 2.4, 1.5, 1.2 -> 4;
    # window (2-6): 4 as well -> points 0, 2, 3, 4, 5
    check(r3.mask, flags(0, 2, 3, 4, 5, n=11))
    check(r4.mask, flags(*range(10), n=11))
    assert r2.detail.startswith("3 points flagged: 2 out of 3 points")


def test_evaluate_weco_rule_1_follows_the_drawn_limits():
    # asymmetric limits (as on a transformed chart): cl 10, sigma 4, lcl 2, ucl 30.
    # y = 25 is z = 3.75 but inside the drawn limits; y = 31 is outside them (z = 5.25)
    found = evaluate("weco", [10, 25, 10, 31], cl=10, lcl=2, ucl=30, sigma=4)
    r1 = next(f for f in found if f.rule.code == "weco1")
    check(r1.mask, flags(3, n=4))
    # without limits the same rule reads z
    r1 = next(f for f in evaluate("weco", [10, 25, 10, 31], cl=10, sigma=4) if f.rule.code == "weco1")
    check(r1.mask, flags(1, 3, n=4))


def test_evaluate_nelson():
    # 15 points hugging the centre line (rule 7), alternating (rule 4), then 8 points beyond
    # 1 sigma on both sides (rule 8) that also alternate
    hugging = [0.2, -0.2] * 7 + [0.2]
    wide = [-1.5, 1.5] * 4
    found = evaluate("nelson", hugging + wide, cl=0, sigma=1)
    assert codes(found) == ["nelson4", "nelson7", "nelson8"]
    r4, r7, r8 = found
    check(r4.mask, np.ones(23, dtype=bool))
    check(r7.mask, flags(*range(15), n=23))
    check(r8.mask, flags(*range(15, 23), n=23))


def test_evaluate_nelson_shift_and_trend():
    # 9 points above with a steady rise of 6 inside them (rules 2 and 3); also 2 of 3 beyond 2
    # (points 6, 7, 8: 2.1, 2.6, 2.9) and 4 of 5 beyond 1 (points 4-8: 1.2, 1.6, 2.1, 2.6, 2.9)
    y = [0.3, 0.2, 0.4, 0.5, 1.2, 1.6, 2.1, 2.6, 2.9, -1.0]
    found = evaluate("nelson", y, cl=0, sigma=1)
    assert codes(found) == ["nelson2", "nelson3", "nelson5", "nelson6"]
    r2, r3, r5, r6 = found
    check(r2.mask, flags(*range(9), n=10))
    # strictly increasing from point 1 (0.2) to point 8 (2.9): 8 points
    check(r3.mask, flags(*range(1, 9), n=10))
    check(r5.mask, flags(6, 7, 8, n=10))
    check(r6.mask, flags(4, 5, 6, 7, 8, n=10))


def test_evaluate_uses_per_point_sigma():
    # p-chart-like: same deviation, different sigma. 0.10 above cl with sigma 0.04 is z = 2.5;
    # with sigma 0.02 it is z = 5
    found = evaluate("weco", [0.3, 0.3, 0.2], cl=0.2, sigma=[0.04, 0.02, 0.03])
    r1 = next(f for f in found if f.rule.code == "weco1")
    check(r1.mask, flags(1, n=3))


def test_evaluate_zero_sigma():
    # sigma 0 (a p chart whose centre line is 0): a point on the centre line has z = 0,
    # any other point is infinitely many sigmas away
    found = evaluate("weco", [0.0, 0.0, 0.1], cl=0.0, sigma=0.0)
    check(next(f for f in found if f.rule.code == "weco1").mask, flags(2, n=3))


def test_evaluate_treats_rounding_error_at_the_centre_line_as_on_it():
    # 8 points "above" a centre line they equal up to one unit of rounding are not a run
    cl = np.nextafter(0.1, 0.0)
    assert "weco4" not in codes(evaluate("weco", [0.1] * 8, cl=cl, sigma=0.01))
    assert "weco4" in codes(evaluate("weco", [0.1 + 1e-9] * 8, cl=0.1, sigma=0.01))


def test_evaluate_finding_masks_are_read_only():
    (finding,) = evaluate("anhoej", [1, 30], cl=5, lcl=0, ucl=20)
    assert isinstance(finding, Finding)
    with pytest.raises(ValueError):
        finding.mask[0] = True


def test_evaluate_rule_set_names_are_case_insensitive():
    assert codes(evaluate(" WECO ", [0.0] * 3, cl=0, sigma=1)) == []


@pytest.mark.parametrize("rule_set", ["weco", "nelson"])
def test_evaluate_refuses_zone_rules_without_sigma(rule_set):
    with pytest.raises(QIDataError, match="need the chart's sigma") as err:
        evaluate(rule_set, [1, 2, 3], cl=2)
    assert "'anhoej' or 'ihi'" in str(err.value)
    # limits alone are not enough for rules 2-4
    with pytest.raises(QIDataError, match="sigma"):
        evaluate(rule_set, [1, 2, 3], cl=2, lcl=0, ucl=4)


def test_evaluate_unknown_rule_set_lists_the_valid_names():
    with pytest.raises(QIDataError, match="Unknown rule set 'westgard'") as err:
        evaluate("westgard", [1, 2], cl=1)
    for name in ("'anhoej'", "'ihi'", "'weco'", "'nelson'"):
        assert name in str(err.value)
    with pytest.raises(QIDataError, match="Unknown rule set"):
        evaluate(None, [1, 2], cl=1)


def test_evaluate_refuses_bad_inputs():
    with pytest.raises(QIDataError, match="negative"):
        evaluate("weco", [1, 2, 3], cl=2, sigma=[1, -1, 1])
    with pytest.raises(QIDataError, match="one number per point"):
        evaluate("weco", [1, 2, 3], cl=2, sigma=[1, 1])
    with pytest.raises(QIDataError, match="one number per point"):
        evaluate("anhoej", [1, 2, 3], cl=2, lcl=[0, 0], ucl=4)
    with pytest.raises(QIDataError, match="missing"):
        evaluate("ihi", [1, np.nan, 3], cl=2)
