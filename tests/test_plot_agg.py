"""The explorers' fast canvas (qikit.plot._agg) and PNG writer (qikit.widgets._render.png_bytes).

The text cache may only skip work, never change a pixel: every chart here is drawn with stock
``FigureCanvasAgg`` and with ``TextCachingCanvas`` (a first draw that fills the cache and a second that
replays it), and the three images must be equal byte for byte.
"""

from __future__ import annotations

import io
import zlib

import matplotlib

matplotlib.use("agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends import backend_agg  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

import qikit.plot._agg as fastagg  # noqa: E402
from qikit.stats.api import spc  # noqa: E402
from qikit.stats.charts import CHARTS  # noqa: E402
from qikit.stats.mdc import mdc  # noqa: E402
from qikit.widgets._render import png_bytes  # noqa: E402


def pixels(fig, canvas_class) -> np.ndarray:
    canvas = canvas_class(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def assert_same_as_stock(fig) -> None:
    stock = pixels(fig, FigureCanvasAgg)
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    first = np.asarray(canvas.buffer_rgba()).copy()
    assert isinstance(canvas.get_renderer(), fastagg.TextCachingRenderer)
    assert len(canvas.get_renderer()._text_cache) > 0, "nothing was cached"
    canvas.draw()  # every string now comes from the cache
    second = np.asarray(canvas.buffer_rgba()).copy()
    np.testing.assert_array_equal(first, stock)
    np.testing.assert_array_equal(second, stock)


def weekly(k=60, seed=3):
    rng = np.random.default_rng(seed)
    n = rng.integers(300, 500, k)
    y = rng.binomial(n, 0.1)
    y[40:] = rng.binomial(n[40:], 0.16)
    return pd.DataFrame({"week": pd.date_range("2023-01-02", periods=k, freq="W-MON"), "y": y, "n": n,
                         "v": rng.normal(50, 5, k)})


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_chart_type_draws_pixel_identical(chart):
    df = weekly()
    spec = CHARTS[chart]
    if chart in ("xbar", "s"):
        df = pd.DataFrame({"day": np.repeat(pd.date_range("2024-01-01", periods=20), 5),
                           "v": np.random.default_rng(1).normal(10, 1, 100)})
        res = spc(df, x="day", y="v", chart=chart)
    elif spec.denominator == "required":
        res = spc(df, x="week", y="y", n="n", chart=chart, multiply=100 if chart.startswith("p") else 1)
    elif chart in ("i", "mr", "run", "t", "g"):
        res = spc(df, x="week", y="v" if chart in ("i", "mr", "run") else "y", chart=chart, freeze=30)
    else:
        res = spc(df, x="week", y="y", chart=chart, part=[30])
    fig = Figure(figsize=(8.5, 4.2), dpi=100)
    x = df.columns[0]
    res.plot(ax=fig.add_subplot(), annotate=[(df[x].iloc[35], "PDSA 2: new checklist")], two_sigma=True)
    assert_same_as_stock(fig)


def test_rotated_category_labels_facets_and_mdc_draw_pixel_identical():
    units = pd.DataFrame({"unit": [f"Ward {c}" for c in "ABCDEFGHIJKL"], "y": np.arange(12) % 5 + 3})
    fig = Figure(figsize=(8, 4), dpi=90)
    spc(units, x="unit", y="y", chart="c").plot(ax=fig.add_subplot())  # slanted labels: text at an angle
    assert_same_as_stock(fig)

    df = weekly(36)
    df["site"] = np.where(np.arange(36) % 2, "North", "South")
    fig = Figure(figsize=(9, 3.5), dpi=80)
    spc(df, x="week", y="v", chart="i", facet="site").plot(fig=fig)
    assert_same_as_stock(fig)

    fig = Figure(figsize=(9, 4.5), dpi=100)
    mdc(df, x="week", y="v", improvement="increase", target=52).plot(ax=fig.add_subplot())
    assert_same_as_stock(fig)


def test_cached_text_takes_the_colour_of_each_draw():
    """The cache keeps glyph coverage, not colour: the same label drawn in another colour at the same
    place must come out in the new colour."""
    fig = Figure(figsize=(3, 1), dpi=100)
    text = fig.text(0.1, 0.4, "UCL 12.3", color="red", fontsize=14)
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    text.set_color("blue")
    canvas.draw()
    cached_blue = np.asarray(canvas.buffer_rgba()).copy()
    assert len(canvas.get_renderer()._text_cache) == 1
    np.testing.assert_array_equal(cached_blue, pixels(fig, FigureCanvasAgg))
    reds = (cached_blue[..., 0] > 200) & (cached_blue[..., 2] < 80)
    assert not reds.any()


def test_changing_the_font_settings_between_draws_is_not_served_from_the_cache():
    fig = Figure(figsize=(3, 1), dpi=100)
    fig.text(0.1, 0.4, "Median 7.5", fontsize=14)  # family "sans-serif": the font comes from rcParams
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    sans = np.asarray(canvas.buffer_rgba()).copy()
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Serif"]}):
        canvas.draw()
        serif = np.asarray(canvas.buffer_rgba()).copy()
        np.testing.assert_array_equal(serif, pixels(fig, FigureCanvasAgg))
    assert not np.array_equal(serif, sans)


def test_second_draw_does_not_lay_out_text_again(monkeypatch):
    df = weekly()
    fig = Figure(figsize=(8.5, 4.2), dpi=100)
    spc(df, x="week", y="y", n="n", chart="p", multiply=100).plot(ax=fig.add_subplot())
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    calls = []
    stock = backend_agg.RendererAgg.draw_text
    monkeypatch.setattr(backend_agg.RendererAgg, "draw_text", lambda self, *a, **k: calls.append(a[3]) or stock(
        self, *a, **k))
    canvas.draw()
    assert calls == []
    fig.text(0.5, 0.02, "A new note")  # a new string is laid out once, then cached
    canvas.draw()
    canvas.draw()
    assert calls == ["A new note"]


def test_mathtext_is_drawn_the_stock_way_and_not_cached():
    fig = Figure(figsize=(3, 1), dpi=100)
    fig.text(0.1, 0.4, r"$\bar{x} \pm 3\sigma$", fontsize=14)
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    assert len(canvas.get_renderer()._text_cache) == 0
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), pixels(fig, FigureCanvasAgg))


def test_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(fastagg, "CACHE_SIZE", 5)
    fig = Figure(figsize=(3, 3), dpi=50)
    for i in range(12):
        fig.text(0.1, i / 12, f"label {i}")
    canvas = fastagg.TextCachingCanvas(fig)
    canvas.draw()
    assert len(canvas.get_renderer()._text_cache) == 5


def test_without_the_internals_the_canvas_is_stock_agg(monkeypatch):
    monkeypatch.setattr(fastagg, "_SUPPORTED", False)
    fig = Figure(figsize=(3, 1), dpi=100)
    fig.text(0.1, 0.4, "Mean 4.2")
    canvas = fastagg.TextCachingCanvas(fig)
    assert type(canvas.get_renderer()) is backend_agg.RendererAgg
    canvas.draw()
    np.testing.assert_array_equal(np.asarray(canvas.buffer_rgba()), pixels(fig, FigureCanvasAgg))


def test_supported_on_this_matplotlib():
    # the internals exist on the matplotlib the project pins; if this fails after an upgrade the canvas
    # still draws correctly (stock Agg), only slower: update qikit/plot/_agg.py
    assert fastagg.supported()


# ------------------------------------------------------------------------------------------ PNG writer

def decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as im:
        im.load()
        return np.asarray(im)


def test_png_bytes_round_trips_an_opaque_chart_as_rgb():
    fig = Figure(figsize=(4, 2), dpi=60)
    spc(y=[3, 5, 4, 6, 5, 4, 6, 5, 4, 5, 6, 4]).plot(ax=fig.add_subplot())
    rgba = pixels(fig, FigureCanvasAgg)
    png = png_bytes(rgba)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out = decode(png)
    assert out.shape == (rgba.shape[0], rgba.shape[1], 3)
    np.testing.assert_array_equal(out, rgba[..., :3])


def test_png_bytes_keeps_transparency():
    rgba = np.zeros((7, 5, 4), dtype=np.uint8)
    rgba[..., 0] = np.arange(5) * 50
    rgba[..., 3] = np.arange(7)[:, None] * 30
    out = decode(png_bytes(rgba))
    np.testing.assert_array_equal(out, rgba)


def test_png_bytes_chunks_carry_correct_crcs():
    png = png_bytes(np.full((3, 4, 4), 255, dtype=np.uint8))
    pos, tags = 8, []
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        tag, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        assert int.from_bytes(png[pos + 8 + length:pos + 12 + length], "big") == zlib.crc32(tag + data)
        tags.append(tag)
        pos += 12 + length
    assert tags == [b"IHDR", b"IDAT", b"IEND"]


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.float32),
                                 np.zeros((4, 4), np.uint8)])
def test_png_bytes_refuses_other_arrays(bad):
    with pytest.raises(ValueError, match="height x width x 4"):
        png_bytes(bad)
