"""One palette, one set of markers: every qikit chart reads in colour, in greyscale and to colour-blind readers.

Colours come from the Okabe-Ito palette, designed to stay distinct under the common colour-vision
deficiencies (Okabe M, Ito K. *Color Universal Design (CUD): how to make figures and presentations that
are friendly to colorblind people*. J*Fly, 2002/2008, https://jfly.uni-koeln.de/color/). Colour is never
the only code: a signal is also a larger diamond, an excluded point is hollow, limits are dashed,
2-sigma lines dotted and the centre line solid, so a chart printed in black and white still shows
them (Wong B. Points of view: color blindness. *Nature Methods* 2011;8:441).

Making Data Count charts keep NHS England's convention (Making Data Count: getting started, 2019):
blue for special cause of an improving nature, orange for a concerning nature, grey for common cause
(and purple for a neutral special cause); the blue and orange here are Okabe-Ito's.

:func:`simulate_cvd` lets the tests check the palette under protanopia and deuteranopia with the
matrices of Machado GM, Oliveira MM, Fernandes LAF. A physiologically-based model for simulation of
color vision deficiency. *IEEE Trans Vis Comput Graph* 2009;15(6):1291-1298 (severity 1.0, applied
to linear sRGB).
"""

from __future__ import annotations

import numpy as np

__all__ = ["OKABE_ITO", "PALETTE", "MDC_COLOURS", "MARKERS", "simulate_cvd", "grey_level", "delta_e",
           "marker_size"]

#: The eight Okabe-Ito colours.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: What each element of an SPC chart is drawn in.
PALETTE = {
    "data": OKABE_ITO["blue"],       # the series and its ordinary points
    "signal": OKABE_ITO["vermillion"],  # points that signal special cause (also a larger diamond)
    "centre": OKABE_ITO["black"],    # centre line, solid
    "limits": "#555555",             # 3-sigma limits, dashed
    "two_sigma": "#8C8C8C",          # 2-sigma lines, dotted
    "target": OKABE_ITO["bluish_green"],  # target, dash-dot
    "phase": "#6E6E6E",              # phase boundaries and their labels
    "annotation": "#333333",         # annotation text and leader lines
    "muted": "#A6A6A6",              # bars and points outside the focus (Pareto's useful many)
    "text": "#222222",
}

#: Making Data Count point colours (NHS England convention, Okabe-Ito hues).
MDC_COLOURS = {
    "special_cause_improvement": OKABE_ITO["blue"],
    "special_cause_concern": OKABE_ITO["orange"],
    "special_cause_neutral_high": "#7B3294",
    "special_cause_neutral_low": "#7B3294",
    "common_cause": "#7F7F7F",
    "line": "#7F7F7F",
}

#: Marker shapes: signals differ from ordinary points in shape, not only in colour.
MARKERS = {
    "point": "o",
    "excluded": "o",  # drawn hollow
    "signal": "D",    # a larger filled diamond
    "common_cause": "o",
    "improvement_high": "^",
    "improvement_low": "v",
    "concern": "D",
    "neutral": "s",
}

#: Machado et al. (2009), Table 1, severity 1.0, for linear RGB.
_MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
}


def _rgb(colour: str) -> np.ndarray:
    c = colour.lstrip("#")
    return np.array([int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def _linear(srgb: np.ndarray) -> np.ndarray:
    """sRGB to linear light (IEC 61966-2-1)."""
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _encode(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def simulate_cvd(colour: str, kind: str) -> str:
    """The colour as seen with ``kind`` = ``"protanopia"``, ``"deuteranopia"`` or ``"greyscale"``.

    Protanopia and deuteranopia use Machado et al. (2009); greyscale uses the Rec. 709 luminance of
    linear sRGB (what a black-and-white printer keeps).

    Examples
    --------
    >>> simulate_cvd("#FFFFFF", "deuteranopia")
    '#FFFFFF'
    """
    lin = _linear(_rgb(colour))
    if kind == "greyscale":
        lin = np.full(3, lin @ np.array([0.2126, 0.7152, 0.0722]))
    else:
        lin = _MACHADO[kind] @ lin
    out = np.round(_encode(lin) * 255).astype(int)
    return "#" + "".join(f"{v:02X}" for v in out)


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    lin = _linear(_rgb(colour))
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str) -> float:
    """CIE76 colour difference between two colours (about 2.3 is just noticeable; 20+ is clearly distinct)."""
    return float(np.linalg.norm(_lab(a) - _lab(b)))


def grey_level(colour: str) -> float:
    """L* lightness (0 black to 100 white) of a colour, what survives greyscale printing."""
    return float(_lab(colour)[0])


def marker_size(n_points: int) -> float:
    """Ordinary point size (points) for a series of ``n_points``: smaller as the series grows, so a
    long series stays legible; markers vanish beyond 400 points, where only signals are marked."""
    if n_points > 400:
        return 0.0
    return float(np.clip(6.5 - n_points / 60, 2.5, 5.5))
