"""A faster Agg canvas for charts that are redrawn many times (the explorers' slider updates).

Since matplotlib 3.11 the Agg renderer lays out every string with libraqm and rasterises it glyph by
glyph on every draw. On a chart with 25 to 30 strings (tick labels, legend, title, axis labels) that is
most of the drawing time: about 1 ms per label on this project's machines, so 30 to 40 ms per frame.
An explorer redraws nearly the same labels at the same places every time a slider moves.

:class:`TextCachingCanvas` is a ``FigureCanvasAgg`` whose renderer remembers, for each string it
draws, the glyph bitmaps Agg produced and where it put them, keyed on everything that decides those
pixels (the string, the font properties, the angle, the exact position, antialiasing, and the font
and text rcParams: families and fallbacks, hinting, kerning, language; plus the label's own font
features and language). When the same string is drawn again at the same place it pastes the stored
bitmaps through the same ``draw_text_image`` call, in the current text colour. The image is therefore
pixel-identical to stock Agg's (``tests/test_plot_agg.py`` compares them chart by chart); only the work
is skipped. Mathtext and TeX strings are drawn the stock way.

The cache leans on one internal of matplotlib's Agg backend (``RendererAgg._renderer`` and its
``draw_text_image``). :func:`supported` checks that the internal is there; when it is not (a future
matplotlib), the canvas behaves exactly like ``FigureCanvasAgg``.
"""

from __future__ import annotations

from collections import OrderedDict

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

#: Strings remembered per renderer. One explorer frame draws about 30; older entries are dropped first.
CACHE_SIZE = 2048


def supported() -> bool:
    """Whether this matplotlib's Agg renderer has the internals the text cache relies on."""
    try:
        probe = RendererAgg(4, 4, 72)
    except Exception:  # pragma: no cover - a broken matplotlib install
        return False
    return callable(getattr(getattr(probe, "_renderer", None), "draw_text_image", None))


class _Recorder:
    """Stands in for the C++ Agg renderer while one string is drawn: passes each glyph bitmap on and
    keeps a copy of it with its position."""

    def __init__(self, real):
        self.real = real
        self.calls: list[tuple] = []
        self.complete = True

    def draw_text_image(self, image, x, y, angle, gc):
        self.calls.append((np.array(image, dtype=np.uint8, copy=True), x, y, angle))
        self.real.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        # Anything else the text path calls on the real renderer (a future matplotlib might draw boxes
        # through draw_path) goes straight through, and the string is not cached: a replay of the
        # glyphs alone would leave that part out.
        self.complete = False
        return getattr(self.real, name)


def _frozen(value):
    return tuple(value) if isinstance(value, list | tuple) else value


#: The rcParams that can change which font or which glyph shapes a string gets (font families and
#: their fallback lists, hinting, kerning, language, ...).
_FONT_PARAMS = tuple(k for k in mpl.rcParams if k.startswith(("font.", "text.")))


def _font_settings() -> tuple:
    """The current values of :data:`_FONT_PARAMS`, as a hashable tuple."""
    params = mpl.rcParams
    return tuple(_frozen(params[k]) for k in _FONT_PARAMS)


def _font_key(prop) -> tuple:
    return (_frozen(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
            prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily())


class TextCachingRenderer(RendererAgg):
    """``RendererAgg`` that reuses the glyph bitmaps of strings it has drawn before at the same place."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._text_cache: OrderedDict = OrderedDict()
        self._settings = _font_settings()

    def clear(self):
        # called at the start of every draw: read the font settings once per frame, not once per label
        super().clear()
        self._settings = _font_settings()

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        extra = None
        if mtext is not None:
            features = getattr(mtext, "get_fontfeatures", lambda: None)()
            extra = (_frozen(features), getattr(mtext, "get_language", lambda: None)())
        key = (s, _font_key(prop), float(angle), float(x), float(y), bool(gc.get_antialiased()), self._settings,
               extra)
        calls = self._text_cache.get(key)
        if calls is not None:
            self._text_cache.move_to_end(key)
            for image, bx, by, a in calls:
                self._renderer.draw_text_image(image, bx, by, a, gc)
            return None
        real = self._renderer
        recorder = _Recorder(real)
        self._renderer = recorder
        try:
            super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        finally:
            self._renderer = real
        if not recorder.complete:
            return None
        self._text_cache[key] = recorder.calls
        if len(self._text_cache) > CACHE_SIZE:
            self._text_cache.popitem(last=False)
        return None


_SUPPORTED = None


class TextCachingCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`TextCachingRenderer` (when :func:`supported`)."""

    def get_renderer(self):
        global _SUPPORTED
        if _SUPPORTED is None:
            _SUPPORTED = supported()
        if not _SUPPORTED:
            return super().get_renderer()
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), TextCachingRenderer):
            self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
