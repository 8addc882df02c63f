"""Properties of qikit.spc() that must hold for any data (hypothesis)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qikit

values = st.lists(st.floats(min_value=1, max_value=1000, allow_nan=False), min_size=12, max_size=60)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _spc(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", qikit.QIWarning)
        return qikit.spc(*args, **kwargs)


@SETTINGS
@given(values, st.sampled_from(["run", "i", "c", "g", "t"]), st.randoms(use_true_random=False))
def test_limits_do_not_depend_on_row_order(y, chart, rnd):
    y = [round(v) for v in y] if chart in ("c", "g") else y
    df = pd.DataFrame({"t": np.arange(len(y)), "y": y})
    shuffled = df.sample(frac=1, random_state=rnd.randint(0, 10**6))
    a, b = _spc(df, x="t", y="y", chart=chart).data, _spc(shuffled, x="t", y="y", chart=chart).data
    for col in ["y", "cl", "lcl", "ucl"]:
        np.testing.assert_allclose(a[col], b[col], rtol=1e-12, equal_nan=True)
    assert a.signal.tolist() == b.signal.tolist()


@SETTINGS
@given(values, st.floats(min_value=0.01, max_value=100), st.sampled_from(["run", "i", "xbar"]))
def test_limits_scale_with_y(y, c, chart):
    x = np.repeat(np.arange(len(y) // 3 + 1), 3)[: len(y)] if chart == "xbar" else np.arange(len(y))
    a = _spc(x=x, y=np.array(y), chart=chart).data
    b = _spc(x=x, y=np.array(y) * c, chart=chart).data
    for col in ["y", "cl", "lcl", "ucl"]:
        np.testing.assert_allclose(b[col], a[col] * c, rtol=1e-9, atol=1e-9, equal_nan=True)


@SETTINGS
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=12, max_size=60),
       st.sampled_from(["p", "pp", "u", "up"]))
def test_flagged_points_are_strictly_beyond_their_limits(k, chart):
    n = [40 + (i * 7) % 13 for i in range(len(k))]
    res = _spc(y=k, n=n, chart=chart)
    d = res.data
    flagged = d[d.sigma_signal]
    assert ((flagged.y > flagged.ucl) | (flagged.y < flagged.lcl)).all()
    inside = d[~d.sigma_signal & d.y.notna()]
    assert ((inside.y <= inside.ucl) & (inside.y >= inside.lcl) | inside.ucl.isna()).all()
    beyond = res.signals
    assert set(beyond.loc[beyond.rule == "beyond_limits", "x"]) == set(flagged.x)
