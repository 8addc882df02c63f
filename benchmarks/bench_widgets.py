"""Time the explorers' callbacks: what a trainee waits for between moving a control and seeing the chart.

Run:  .venv/bin/python benchmarks/bench_widgets.py [--points 200] [--repeat 15]

Each row sets a control's ``.value`` from Python, which runs the widget's observer exactly as a click in
the browser does (recompute with qikit.spc, draw with result.plot into the widget's one Agg figure,
encode the PNG), and reports the median and 90th percentile over ``--repeat`` changes. The rows under
"explore: parts" split one explore() update into its stages. The websocket trip to the browser is not
included (on loopback it adds a few milliseconds for a ~100 kB PNG).

The drawing reuses the glyphs of labels already drawn at the same place (qikit.plot._agg), so the
"max" column is usually the first change to a new view (its labels are rasterised once) or a pass of
Python's garbage collector; the median and 90th percentile are what a trainee moving a slider feels.

Target (issue 4): every callback well under 100 ms for 200 points; a row whose 90th percentile
reaches 100 ms is flagged.
"""

from __future__ import annotations

import argparse
import statistics
import time

import matplotlib

matplotlib.use("agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import qikit  # noqa: E402
from qikit.widgets import choose_chart_quiz, explore, signal_or_noise, upload  # noqa: E402
from qikit.widgets._render import png_bytes  # noqa: E402

TARGET_MS = 100


def timed(changes, repeat: int) -> list[float]:
    """Run each change (a callable) in turn, ``repeat`` times in all; return milliseconds per change."""
    out = []
    for i in range(repeat):
        change = changes[i % len(changes)]
        t0 = time.perf_counter()
        change()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def setter(widget, value):
    def change():
        widget.value = value
    return change


def ward_data(points: int) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    bed_days = rng.integers(700, 900, points)
    return pd.DataFrame({"week": pd.date_range("2021-01-04", periods=points, freq="W-MON"),
                         "falls": rng.poisson(bed_days * 0.008), "bed_days": bed_days})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    k, repeat = args.points, args.repeat
    df = ward_data(k)
    rows = []

    ex = explore(df, x="week", y="falls", n="bed_days", chart="u", multiply=1000)
    c = ex.controls
    rows.append(("explore: chart type", timed([setter(c["chart"], v) for v in ("i", "u", "run", "up")], repeat)))
    c["chart"].value = "u"  # sigma rules need a control chart
    rows.append(("explore: rule set", timed([setter(c["rules"], v) for v in ("weco", "nelson", "ihi", "anhoej")],
                                            repeat)))
    rows.append(("explore: freeze slider", timed([setter(c["freeze"], v) for v in (20, 52, 104, 0)], repeat)))
    rows.append(("explore: phases box", timed([setter(c["phases"], v) for v in ("50", "50, 120", "")], repeat)))

    # one update split into its stages (the same work as the rows above, measured piece by piece)
    kwargs = ex.kwargs()
    fig = ex.chart_image

    def stage_spc():
        return qikit.spc(df, **kwargs)

    res = stage_spc()

    def stage_plot():
        res.plot(ax=fig.axes(), caption=False)

    def stage_draw():
        fig.figure.canvas.draw()

    def stage_png():
        png_bytes(np.asarray(fig.figure.canvas.buffer_rgba()))

    stage_plot()
    rows.append(("explore: parts  spc()", timed([stage_spc], repeat)))
    rows.append(("explore: parts  plot() artists", timed([stage_plot], repeat)))
    rows.append(("explore: parts  draw (Agg)", timed([stage_draw], repeat)))
    rows.append(("explore: parts  PNG encoding", timed([stage_png], repeat)))

    sn = signal_or_noise(seed=1, n=k, kind="shift", at=k * 2 // 3)
    s = sn.controls
    rows.append(("signal_or_noise: size slider (4 rule sets)",
                 timed([setter(s["size"], v) for v in (0.5, 1.0, 1.5, 2.0, 3.0)], repeat)))
    rows.append(("signal_or_noise: kind", timed([setter(s["kind"], v) for v in ("trend", "outlier", "shift")],
                                                repeat)))

    quiz = choose_chart_quiz()

    def quiz_step():
        if quiz.question is None:
            quiz.restart()
        else:
            quiz.option_buttons[-1].click() if quiz.option_buttons else quiz.next_button.click()

    rows.append(("choose_chart_quiz: answer", timed([quiz_step], repeat)))

    up = upload()
    csv = df.to_csv(index=False).encode()
    rows.append((f"upload: read a {k}-row CSV", timed([lambda: up.load(csv, "ward.csv")], repeat)))

    print(f"Widget callbacks, {k} points, {repeat} changes each (milliseconds). Target: well under {TARGET_MS} ms.\n")
    print(f"{'callback':46s} {'median':>8s} {'p90':>8s} {'max':>8s}")
    for name, ms in rows:
        p90 = float(np.percentile(ms, 90))
        flag = "" if np.percentile(ms, 90) < TARGET_MS else "  over target"
        print(f"{name:46s} {statistics.median(ms):8.1f} {p90:8.1f} {max(ms):8.1f}{flag}")


if __name__ == "__main__":
    main()
