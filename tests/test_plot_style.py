"""The palette (qikit.plot.style): distinct for colour-blind readers and in greyscale; plot layer is lazy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qikit.plot import style
from qikit.plot.style import MDC_COLOURS, PALETTE, delta_e, grey_level, simulate_cvd


def test_machado_simulation_of_pure_red():
    # Linear red (1, 0, 0) under protanopia is the first column of Machado's matrix:
    # (0.152286, 0.114503, -0.003882). Encoded to sRGB: 1.055 x 0.152286^(1/2.4) - 0.055 = 0.4266 -> 109
    # = 0x6D; 1.055 x 0.114503^(1/2.4) - 0.055 = 0.3727 -> 95 = 0x5F; the negative blue clips to 0.
    assert simulate_cvd("#FF0000", "protanopia") == "#6D5F00"
    # White stays white (each row of the matrices sums to 1); black stays black.
    for kind in ("protanopia", "deuteranopia", "greyscale"):
        assert simulate_cvd("#FFFFFF", kind) == "#FFFFFF"
        assert simulate_cvd("#000000", kind) == "#000000"


PAIRS = [
    (PALETTE["data"], PALETTE["signal"], "data points against signals"),
    (PALETTE["data"], PALETTE["target"], "data against the target line"),
    (MDC_COLOURS["special_cause_improvement"], MDC_COLOURS["special_cause_concern"], "improvement against concern"),
    (MDC_COLOURS["special_cause_concern"], MDC_COLOURS["common_cause"], "concern against common cause"),
    (MDC_COLOURS["special_cause_improvement"], MDC_COLOURS["common_cause"], "improvement against common cause"),
]


@pytest.mark.parametrize("kind", ["normal", "protanopia", "deuteranopia"])
@pytest.mark.parametrize("a, b, what", PAIRS)
def test_key_colours_stay_distinct_for_colour_blind_readers(a, b, what, kind):
    if kind != "normal":
        a, b = simulate_cvd(a, kind), simulate_cvd(b, kind)
    assert delta_e(a, b) > 20, f"{what} are too alike under {kind}"


def test_mdc_improvement_and_concern_differ_in_greyscale():
    # blue is dark, orange light: a black-and-white print keeps them apart (L* differs by > 20)
    blue, orange = MDC_COLOURS["special_cause_improvement"], MDC_COLOURS["special_cause_concern"]
    assert abs(grey_level(blue) - grey_level(orange)) > 20


def test_signals_differ_from_points_in_shape():
    m = style.MARKERS
    assert m["signal"] != m["point"]
    assert len({m["common_cause"], m["improvement_high"], m["concern"], m["neutral"]}) == 4


def test_marker_size_shrinks_with_long_series():
    assert style.marker_size(24) > style.marker_size(300) > 0
    assert style.marker_size(1000) == 0


def test_import_of_qikit_plot_is_lazy():
    code = "import sys, qikit.plot, qikit.plot.style\nprint('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    code = ("import sys, qikit\nr = qikit.spc([3, 5, 4, 6, 5, 4, 6, 5, 4, 5, 6, 4])\n"
            "print('matplotlib' in sys.modules)\nax = r.plot()\nprint('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"MPLBACKEND": "agg", "PATH": ""})
    assert out.stdout.split() == ["False", "True"]
