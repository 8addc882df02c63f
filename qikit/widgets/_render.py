"""Shared plumbing of the explorers: one Agg figure per widget shown as PNG bytes, and safe calls.

A widget keeps ONE matplotlib :class:`~matplotlib.figure.Figure` that is never registered with pyplot
(so the notebook's inline backend never shows it a second time and nothing accumulates in pyplot's
figure list). Each update clears that figure, lets the presentation layer (``result.plot(ax=...)``)
draw into it, and sends the PNG to an :class:`ipywidgets.Image`. The image swaps in one piece, without
the flicker of clearing and refilling an ``Output``, and the browser test can tell that it changed.
"""

from __future__ import annotations

import html
import struct
import warnings
import zlib

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ..errors import QIError, QIWarning
from ..plot._agg import TextCachingCanvas

#: Margins (fractions of the figure) that leave room for the legend and title above the axes, the
#: centre-line and limit labels on the right, and two rows of date ticks plus the axis label below.
#: A fixed layout rather than matplotlib's constrained layout: it halves the drawing time of a chart,
#: which is what a trainee waits for after moving a slider.
MARGINS = dict(left=0.085, right=0.9, top=0.8, bottom=0.17)

#: zlib level of the explorers' PNGs: 1 (of 9), because the image crosses a local websocket and speed
#: beats size. A chart is mostly flat colour, so level 1 already gives 60-90 kB for an 850 x 420 image.
PNG_LEVEL = 1


def png_bytes(rgba: np.ndarray, level: int = PNG_LEVEL) -> bytes:
    """Encode an RGBA pixel array (height x width x 4, uint8, as Agg's ``buffer_rgba``) as a PNG.

    An opaque image (every alpha 255, as a chart on a white figure is) is written as RGB. Every row
    uses PNG filter 0 (none): on charts, which are mostly runs of one colour, zlib finds the repeats
    without the per-row filter search a general encoder does, which halves the encoding time. The
    format follows the PNG specification (ISO/IEC 15948): signature, IHDR, one IDAT, IEND.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise ValueError(f"expected a height x width x 4 uint8 array, not {rgba.dtype} {rgba.shape}")
    h, w, _ = rgba.shape
    opaque = int(rgba[..., 3].min()) == 255
    channels = 3 if opaque else 4
    raw = np.empty((h, w * channels + 1), dtype=np.uint8)
    raw[:, 0] = 0  # each row starts with its filter type: 0, none
    raw[:, 1:].reshape(h, w, channels)[...] = rgba[..., :channels]  # a view: one copy of the pixels

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2 if opaque else 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
            + chunk(b"IEND", b""))


class ChartImage:
    """A figure that renders to an ``ipywidgets.Image``.

    Parameters
    ----------
    figsize : (float, float)
        Inches; with ``dpi`` this sets the image's pixel size.
    dpi : int
        Pixels per inch of the PNG.
    margins : dict, optional
        Passed to ``Figure.subplots_adjust`` before each drawing.
    """

    def __init__(self, figsize=(8.5, 4.2), dpi: int = 100, margins: dict | None = None):
        self.figure = Figure(figsize=figsize, dpi=dpi)
        TextCachingCanvas(self.figure)  # redraws reuse the glyphs of unchanged labels (see qikit.plot._agg)
        self.dpi = dpi
        self.margins = dict(MARGINS if margins is None else margins)
        self.alt = ""
        width = int(figsize[0] * dpi)
        self.widget = widgets.Image(format="png", layout=widgets.Layout(width="100%", max_width=f"{width}px",
                                                                        height="auto"))
        self.widget.add_class("qikit-chart")

    def axes(self):
        """Clear the figure and return a fresh Axes to draw in."""
        for ax in list(self.figure.axes):
            self.figure.delaxes(ax)  # Figure.clear() would first clear each Axes only to discard it
        self.figure.clear()
        ax = self.figure.add_subplot()
        self.figure.subplots_adjust(**self.margins)
        return ax

    def show(self, alt: str = "") -> bytes:
        """Render the figure to PNG, put it in the image widget and return the bytes."""
        canvas = self.figure.canvas
        canvas.draw()
        png = png_bytes(np.asarray(canvas.buffer_rgba()))
        self.widget.value = png
        self.alt = alt  # ipywidgets' Image has no alt attribute: the explorers print it under the chart
        self.widget.layout.display = None
        return png

    def hide(self) -> None:
        """Hide the image (after an error: an old chart must not pass for the current selection)."""
        self.widget.layout.display = "none"

    def close(self) -> None:
        """Free the figure's memory."""
        self.figure.clear()


def run_quietly(fn, *args, **kwargs):
    """Call ``fn`` and return ``(value, error, notes)`` instead of raising or warning.

    ``error`` is the message of a :class:`qikit.QIError` (a problem with the data or the selection,
    already in plain words), or a short sentence for any other failure; ``notes`` are the messages of
    the qikit warnings raised on the way (provisional limits and the like). Other warnings are passed on.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value, error = fn(*args, **kwargs), None
        except QIError as e:
            value, error = None, str(e)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
            # Not a failure qikit foresaw: still no traceback in front of a trainee, but say what happened.
            value, error = None, f"qikit could not draw this chart ({type(e).__name__}: {e})."
    notes = []
    for w in caught:
        if issubclass(w.category, QIWarning):
            notes.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return value, error, notes


def message_html(error: str | None = None, notes=(), text: str | None = None, alt: str | None = None) -> str:
    """HTML for an explorer's words: an error box, notes, a paragraph of text, and the chart's text
    description (``alt``, from ``result.describe()``) in a folded section that screen readers reach."""
    parts = []
    if error:
        parts.append('<div class="qikit-error" role="alert" style="border-left:4px solid #D55E00;'
                     'background:#FBEDE5;padding:6px 10px;margin:4px 0">'
                     f"<strong>This chart cannot be drawn.</strong> {html.escape(error)}</div>")
    for note in notes:
        parts.append('<div class="qikit-note" style="border-left:4px solid #E69F00;background:#FDF5E4;'
                     f'padding:4px 10px;margin:4px 0">{html.escape(note)}</div>')
    if text:
        parts.append(f'<p class="qikit-explain" style="line-height:1.45;max-width:60em">{html.escape(text)}</p>')
    if alt:
        parts.append('<details class="qikit-alt" style="color:#444;font-size:0.9em;max-width:60em">'
                     f"<summary>Text description of the chart</summary>{html.escape(alt)}</details>")
    return "".join(parts)
