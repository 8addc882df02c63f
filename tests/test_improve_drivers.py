"""Driver diagrams: a falls diagram, shared change ideas, validation, Markdown and Mermaid exports."""


import pytest

from qikit.errors import QIDataError
from qikit.improve import AimStatement, DriverDiagram

FALLS = {
    "Reliable falls risk assessment": {
        "Assessment within 24 hours of admission": ["Falls checklist in the admission pack",
                                                    "Lying and standing blood pressure"],
        "Medication review": ["Pharmacist review of sedatives"],
    },
    "Safe environment": {
        "Call bell and walking aid within reach": ["Bedside safety check at handover"],
    },
    "Engaged patients and families": ["Bedside safety check at handover", "Falls leaflet on admission"],
}


def falls_diagram():
    return DriverDiagram.from_dict("Reduce inpatient falls on ward 7 from 8.5 to 6 per 1,000 bed-days by "
                                   "31 March 2026", FALLS)


def test_falls_diagram_structure():
    dd = falls_diagram()
    assert dd.primary_drivers == ("Reliable falls risk assessment", "Safe environment",
                                  "Engaged patients and families")
    assert len(dd.secondary_drivers) == 3
    # The handover check is one change idea serving two drivers, not two ideas.
    assert len(dd.change_ideas) == 5
    assert dd.serves("bedside safety check at handover") == ("Call bell and walking aid within reach",
                                                            "Engaged patients and families")
    assert dd.children("Engaged patients and families") == ("Bedside safety check at handover",
                                                            "Falls leaflet on admission")
    assert ("Safe environment", None) in dd.edges()  # a primary driver serves the aim
    assert dd.check() == []
    assert dd.validate() is dd


def test_building_step_by_step_matches_from_dict():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    dd.add_secondary("Call bell within reach", serves="Safe environment")
    dd.add_change_idea("Bedside safety check", serves=["Call bell within reach"])
    dd.add_primary("Engaged families")
    dd.link("Bedside safety check", "Engaged families")
    assert dd.serves("Bedside safety check") == ("Call bell within reach", "Engaged families")


def test_markdown_export_lists_each_branch():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    dd.add_secondary("Call bell within reach", serves="Safe environment")
    dd.add_change_idea("Bedside safety check", serves="Call bell within reach")
    dd.add_primary("Engaged families")
    dd.link("Bedside safety check", "Engaged families")
    assert dd.to_markdown() == (
        "**Aim:** Reduce falls\n"
        "\n"
        "- **Primary driver:** Safe environment\n"
        "  - **Secondary driver:** Call bell within reach\n"
        "    - *Change idea:* Bedside safety check (also serves: Engaged families)\n"
        "- **Primary driver:** Engaged families\n"
        "  - *Change idea:* Bedside safety check (also serves: Call bell within reach)")


def test_mermaid_export_has_each_element_once_and_every_link():
    text = falls_diagram().to_mermaid()
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert lines[1].startswith('    aim["Aim: Reduce inpatient falls')
    assert sum('"Bedside safety check at handover"' in line for line in lines) == 1
    # 3 primary + 3 secondary links + 6 change-idea links (the shared idea has two).
    assert sum(" --- " in line for line in lines) == 3 + 3 + 6
    assert "    aim --- P1" in lines and "    S3 --- C4" in lines and "    P3 --- C4" in lines
    assert "    class P1,P2,P3 primary" in lines


def test_mermaid_escapes_quotes():
    dd = DriverDiagram('Reduce "missed" doses')
    dd.add_primary('Nurses "own" the round')
    assert 'aim["Aim: Reduce #quot;missed#quot; doses"]' in dd.to_mermaid()


def test_aim_statement_can_head_the_diagram():
    aim = AimStatement("reduce inpatient falls on ward 7", "6 per 1,000 bed-days", "2026-03-31", "inpatients",
                       baseline="8.5 per 1,000 bed-days")
    assert DriverDiagram(aim).aim_text == aim.text


def test_a_loop_between_drivers_is_refused():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    dd.add_secondary("Staffing", serves="Safe environment")
    dd.add_secondary("Rostering", serves="Staffing")
    with pytest.raises(QIDataError, match=r"would make a loop \(Staffing -> Rostering -> Staffing\)") as info:
        dd.link("Staffing", "Rostering")
    assert info.value.column == "serves"
    assert dd.serves("Staffing") == ("Safe environment",)  # the refused link was not kept


@pytest.mark.parametrize("serves", [None, [], ""])
def test_orphan_change_idea_is_refused(serves):
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    with pytest.raises(QIDataError, match="serves no driver|serves \\(for"):
        dd.add_change_idea("Slipper socks", serves=serves)
    assert dd.change_ideas == ()


def test_serving_an_unknown_driver_names_the_drivers_there_are():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    with pytest.raises(QIDataError, match="serves 'Safe enviroment', which is not a driver in this diagram "
                                          r"\(drivers: 'Safe environment'\)"):
        dd.add_change_idea("Slipper socks", serves="Safe enviroment")


def test_other_structural_mistakes_are_refused():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    dd.add_change_idea("Slipper socks", serves="Safe environment")
    with pytest.raises(QIDataError, match="cannot serve 'Slipper socks', which is a change idea"):
        dd.add_change_idea("Non-slip floor", serves="Slipper socks")
    with pytest.raises(QIDataError, match="already in the diagram as a primary driver"):
        dd.add_change_idea("safe environment", serves="Safe environment")
    with pytest.raises(QIDataError, match="is a primary driver: it serves the aim directly"):
        dd.link("Safe environment", "Safe environment")
    with pytest.raises(QIDataError, match="not in the diagram yet"):
        dd.link("Hourly rounding", "Safe environment")
    with pytest.raises(QIDataError, match="aim must be a short piece of text"):
        DriverDiagram("")


def test_empty_diagram_fails_validation_and_export():
    dd = DriverDiagram("Reduce falls")
    assert dd.check()[0].startswith("The diagram has no primary drivers")
    with pytest.raises(QIDataError, match="no primary drivers"):
        dd.to_markdown()
    with pytest.raises(QIDataError, match="no primary drivers"):
        dd.to_mermaid()


def test_check_points_to_drivers_without_change_ideas():
    dd = DriverDiagram("Reduce falls")
    dd.add_primary("Safe environment")
    dd.add_primary("Engaged families")
    dd.add_change_idea("Slipper socks", serves="Safe environment")
    assert dd.check() == ["Primary driver 'Engaged families' has no change idea beneath it: how would you act "
                          "on it?"]


def test_from_dict_refuses_bad_shapes():
    with pytest.raises(QIDataError, match="keys are the primary drivers"):
        DriverDiagram.from_dict("Reduce falls", {})
    with pytest.raises(QIDataError, match="give a dict of drivers or a list of change ideas"):
        DriverDiagram.from_dict("Reduce falls", {"Safe environment": 3})
