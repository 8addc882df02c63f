"""Driver diagram drawing (qikit.plot.drivers via DriverDiagram.plot)."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qikit.errors import QIDataError  # noqa: E402
from qikit.improve.drivers import DriverDiagram  # noqa: E402
from qikit.plot import alt_text  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def diagram() -> DriverDiagram:
    return DriverDiagram.from_dict("Reduce falls on ward 7 from 7.1 to 5 per 1,000 bed-days by March 2026", {
        "Reliable risk assessment": {"Assessment within 24 hours": ["Falls checklist", "Medication review"]},
        "Safe environment": {"Call bell in reach": ["Bedside safety check"]},
        "Engaged families": ["Bedside safety check", "Falls leaflet"],
    })


def test_every_element_is_drawn_once_with_a_connector_per_link():
    dd = diagram()
    fig = dd.plot()
    ax = fig.axes[0]
    kinds = [p.get_gid() for p in ax.patches]
    assert kinds.count("aim") == 1
    assert kinds.count("primary_driver") == 3
    assert kinds.count("secondary_driver") == 2
    assert kinds.count("change_idea") == 4  # the shared bedside check appears once
    connectors = [ln for ln in ax.lines if ln.get_gid() == "connector"]
    assert len(connectors) == len(dd.edges()) == 3 + 2 + 5
    texts = {t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "box_text"}
    assert "Bedside safety check" in texts and "Engaged families" in texts
    assert [t.get_text() for t in ax.texts if t.get_gid() == "heading"] == \
        ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
    # levels differ by border style as well as colour: change ideas dashed
    change = [p for p in ax.patches if p.get_gid() == "change_idea"][0]
    assert change.get_linestyle() == "--"
    assert alt_text(fig).startswith("Driver diagram. Aim: Reduce falls")


def test_boxes_read_left_to_right_by_level():
    ax = diagram().plot().axes[0]
    x_of = {}
    for p in ax.patches:
        x_of.setdefault(p.get_gid(), set()).add(round(p.get_x(), 3))
    assert max(x_of["aim"]) < min(x_of["primary_driver"]) < min(x_of["secondary_driver"]) < min(x_of["change_idea"])


def test_an_empty_diagram_is_refused():
    with pytest.raises(QIDataError, match="no primary drivers"):
        DriverDiagram("Reduce falls").plot()
