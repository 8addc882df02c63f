"""Checks (and two small drawing helpers) for notebook 03, *Understanding the system*.

Process maps and cause-and-effect diagrams are drawn as Mermaid flowcharts, which JupyterLab renders
in Markdown; the text stays readable where Mermaid is not rendered.

Examples
--------
>>> from qikit.exercises import nb03
>>> nb03.check_order(...).status
'not answered'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from ._feedback import Verdict, is_blank, not_answered, partly, right, self_check_quiz, wrong
from .spec import form_checked, normalise, read_number

__all__ = ["shuffled_steps", "check_order", "flowchart", "check_pareto", "fishbone", "read_causes", "check_fishbone",
           "check_driver_diagram", "self_check"]

# --- exercise 1: the order of a process -----------------------------------------------------------
# Steps of a sepsis pathway in the emergency department; steps in one group can happen in either order.
_STEPS = (
    ("Patient arrives in the emergency department",),
    ("Triage nurse records observations and NEWS2",),
    ("Sepsis screen finds a red flag",),
    ("Doctor reviews the patient",),
    ("Blood cultures taken", "Antibiotics prescribed"),
    ("Antibiotics fetched and prepared",),
    ("IV antibiotics given",),
)
_SHUFFLE = (5, 2, 7, 0, 4, 1, 6, 3)  # a fixed order, so every trainee starts from the same list


def shuffled_steps() -> list[str]:
    """Exercise 1: the steps of a sepsis pathway, out of order."""
    flat = [step for group in _STEPS for step in group]
    return [flat[i] for i in _SHUFFLE]


def _steps_flat() -> list[str]:
    return [step for group in _STEPS for step in group]


def check_order(steps) -> Verdict:
    """Exercise 1: the sepsis pathway's steps in the order they happen.

    Examples
    --------
    >>> check_order([s for group in _STEPS for s in group]).correct
    True
    """
    if is_blank(steps):
        return not_answered("Copy the list above, put the steps in order, then run the cell again.")
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        return wrong("Give the steps as a list in square brackets: [\"first step\", \"second step\", ...].")
    wanted = _steps_flat()
    # a step retyped in another case, with other punctuation or spacing is the same step
    official = {normalise(s): s for s in wanted}
    given = [official.get(normalise(s), str(s).strip()) for s in steps]
    missing = [s for s in wanted if s not in given]
    extra = [s for s in given if s not in wanted]
    if missing or extra or len(given) != len(wanted):
        notes = [f"- missing: {s}" for s in missing] + [f"- not one of the steps: {s}" for s in extra]
        if not notes:
            notes = ["- a step appears twice"]
        return wrong("Use each of the eight steps exactly once (copy them from the list above).", notes)
    group_of = {step: number for number, group in enumerate(_STEPS) for step in group}
    positions = [group_of[s] for s in given]
    out_of_place = [given[i] for i in range(1, len(given)) if positions[i] < positions[i - 1]]
    if not out_of_place:
        return right("That is the pathway. Blood cultures and prescribing can happen in either order; both must "
                     "come before the antibiotics are given. Each arrow is a hand-off where delay can creep in.")
    notes = [f"- '{s}' comes too early or too late: what has to have happened before it?" for s in out_of_place]
    return (partly if len(out_of_place) <= 2 else wrong)("Some steps are out of order:", notes)


def flowchart(steps: Sequence[str], direction: str = "TD"):
    """Draw steps as a Mermaid flowchart (a simple process map) in a notebook.

    Returns an ``IPython.display.Markdown`` object; JupyterLab draws the diagram, and any Markdown viewer
    still shows the steps as text.

    Examples
    --------
    >>> print(flowchart(["Arrive", "Triage"]).data.splitlines()[1])
    flowchart TD
    """
    from IPython.display import Markdown

    if isinstance(steps, str) or not isinstance(steps, Sequence) or len(steps) < 2:
        raise ValueError("Give at least two steps as a list: [\"first step\", \"second step\", ...].")
    lines = ["```mermaid", f"flowchart {direction}"]
    names = [str(step).replace('"', "'") for step in steps]
    lines += [f'    s{i}["{name}"]' for i, name in enumerate(names)]
    lines += [f"    s{i} --> s{i + 1}" for i in range(len(names) - 1)]
    lines.append("```")
    return Markdown("\n".join(lines))


# --- exercise 2: reading a Pareto chart ------------------------------------------------------------
def check_pareto(top_three, share, incidents: pd.DataFrame) -> Verdict:
    """Exercise 2: for falls on the **night** shift, the three commonest contributing factors and the
    percentage of night falls they account for together.

    Parameters
    ----------
    top_three : list of str
        The three factors with the most night-time falls.
    share : number
        Their combined percentage of night-time falls (to the nearest whole per cent).
    incidents : DataFrame
        The whole incidents table, with ``shift`` and ``factor`` columns (the check picks the night shift).

    Examples
    --------
    >>> df = pd.DataFrame({"shift": ["night"] * 10 + ["day"] * 6,
    ...                    "factor": ["A"] * 5 + ["B"] * 3 + ["C"] * 1 + ["D"] * 1 + ["E"] * 6})
    >>> check_pareto(["A", "B", "C"], 90, df).correct
    True
    >>> check_pareto(["E", "A", "B"], 90, df).status
    'partly right'
    """
    if is_blank(top_three) and is_blank(share):
        return not_answered("Fill in my_top_three and my_share, then run the cell again.")
    night = incidents[incidents["shift"] == "night"]
    counts = night["factor"].value_counts()
    everyone = incidents["factor"].value_counts()
    top = counts.index[:3].tolist()
    expected = 100 * counts.iloc[:3].sum() / counts.sum()
    notes = []
    if is_blank(top_three):
        notes.append("- my_top_three is not answered yet.")
    elif isinstance(top_three, str) or not isinstance(top_three, Sequence):
        notes.append("- Give my_top_three as a list of three names in quotes: [\"...\", \"...\", \"...\"].")
    else:
        given = {normalise(f) for f in top_three}
        wanted = {normalise(f) for f in top}
        if given == wanted:
            pass
        elif len(given) != 3:
            notes.append(f"- Name exactly three factors (you gave {len(given)}).")
        else:
            wrong_ones = sorted(given - wanted)
            if given == {normalise(f) for f in everyone.index[:3]}:
                notes.append("- These are the top three for all falls, day and night. Keep only the night shift "
                             "(shift == \"night\") before making the chart.")
            else:
                notes.append(f"- {', '.join(repr(w) for w in wrong_ones)} "
                             f"{'is' if len(wrong_ones) == 1 else 'are'} not among the three tallest bars for the "
                             "night shift. The bars are sorted: read the first three from the left.")
    if is_blank(share):
        notes.append("- my_share is not answered yet.")
    else:
        value, _ = read_number(share)
        if value is None:
            notes.append(f"- my_share should be a number such as 65, not {share!r}.")
        elif 0 < value <= 1 and abs(100 * value - expected) <= 2:
            notes.append("- Give my_share as a percentage (e.g. 65), not a fraction (0.65).")
        elif abs(value - expected) > 2:
            notes.append("- my_share: read the cumulative percentage of the third bar (the line, or the "
                         "cum_percent column), for night-time falls only.")
    if not notes:
        return right(f"{', '.join(top)} account for about {expected:.0f}% of night-time falls. A change that "
                     "tackles these few could prevent most falls at night, so start your driver diagram here.")
    if is_blank(top_three) or is_blank(share):
        return partly("One part is answered:", notes)
    return (partly if len(notes) == 1 else wrong)("Look again:", notes)


# --- exercise 3: cause and effect -----------------------------------------------------------------
_SOLUTION_START = re.compile(r"^\s*(buy|add|introduce|train|provide|install|implement|start|use|get|hire|"
                             r"employ|more|increase|improve|ensure|audit|remind|put|make|give|create)\b", re.I)


def fishbone(effect: str, causes: Mapping[str, Sequence[str]]):
    """Draw a cause-and-effect (fishbone) diagram as a Mermaid flowchart: causes, grouped in categories,
    lead to the effect on the right.

    Examples
    --------
    >>> print(fishbone("Falls", {"Patients": ["Delirium"]}).data.splitlines()[1])
    flowchart LR
    """
    from IPython.display import Markdown

    lines = ["```mermaid", "flowchart LR", f'    effect(["{str(effect).replace(chr(34), chr(39))}"])']
    for i, (category, items) in enumerate(causes.items()):
        lines.append(f'    c{i}["{str(category).upper()}"] --> effect')
        for j, item in enumerate(items):
            lines.append(f'    c{i}_{j}["{str(item).replace(chr(34), chr(39))}"] --> c{i}')
    lines.append("```")
    return Markdown("\n".join(lines))


def read_causes(text: str) -> dict[str, list[str]]:
    """Categories and causes from the prepared text of exercise 3: one category per line, its name, a colon,
    then its causes separated by semicolons (causes may also follow on their own lines, after a dash).
    Categories left empty are left out; a note in brackets after a category's name is dropped.

    Examples
    --------
    >>> read_causes("Patients: delirium; urgent need for the toilet\\nStaff (who):\\n- too few at night\\nMethods:")
    {'Patients': ['delirium', 'urgent need for the toilet'], 'Staff': ['too few at night']}
    """
    out: dict[str, list[str]] = {}
    current = None
    for line in str(text).splitlines():
        line = line.strip()
        if not line:
            continue
        match = re.match(r"^([^:;\-][^:;]*?)\s*:(.*)$", line)
        if match:
            current = re.sub(r"\s*\(.*\)\s*$", "", match.group(1)).strip()
            rest = match.group(2)
        elif current is None:
            current, rest = "Causes", line
        else:
            rest = line
        items = [c.strip(" -•*\t.,") for c in rest.split(";")]
        out.setdefault(current, []).extend(c for c in items if c and not is_blank(c))
    return {k: v for k, v in out.items() if v}


def check_fishbone(causes) -> Verdict:
    """Exercise 3: a cause-and-effect diagram for falls on ward 7: the prepared text (``"Patients: cause;
    cause"``, one category a line, read by :func:`read_causes`) or a dict from category to causes.

    Its form is checked (a tutor reads the meaning) with at least four categories, every category holding a cause, at least eight causes in all,
    and causes written as causes ("confused patients walk alone at night"), not as solutions
    ("buy bed sensors").

    Examples
    --------
    >>> check_fishbone({"Patients": ["Delirium", "Urgent need for the toilet"],
    ...                 "Staff": ["Too few staff at night", "Agency staff unfamiliar with patients"],
    ...                 "Environment": ["Poor lighting at night", "Wet floors"],
    ...                 "Equipment": ["Call bell out of reach", "Beds left high"]}).status
    'form checked'
    """
    if is_blank(causes):
        return not_answered("Replace the ... with a dictionary of categories and causes, then run the cell.")
    if isinstance(causes, str):
        causes = read_causes(causes)
        if not causes:
            return not_answered("After each category and its colon, write its causes separated by ; then run the "
                                "cell again.")
    if not isinstance(causes, Mapping):
        return wrong("Give a dictionary: {\"Patients\": [\"cause\", ...], \"Staff\": [...], ...}.")
    cleaned = {}
    for category, items in causes.items():
        if isinstance(items, str) or not isinstance(items, Sequence):
            items = [items]
        cleaned[str(category)] = [str(i).strip() for i in items if not is_blank(i)]
    notes = []
    if len(cleaned) < 4:
        notes.append(f"- Use at least four categories (you have {len(cleaned)}): for example patients, staff, "
                     "methods (how the work is done), equipment and environment.")
    empty = [c for c, items in cleaned.items() if not items]
    if empty:
        notes.append(f"- {', '.join(empty)}: add at least one cause, or remove the category.")
    total = sum(len(items) for items in cleaned.values())
    if total < 8:
        notes.append(f"- Brainstorm more: {total} cause{'s' if total != 1 else ''} so far; aim for eight or more, "
                     "asking 'why?' of each.")
    solutions = [i for items in cleaned.values() for i in items if _SOLUTION_START.match(i)]
    if solutions:
        notes.append(f"- {', '.join(repr(s) for s in solutions)} "
                     f"{'reads like a solution' if len(solutions) == 1 else 'read like solutions'}, not a cause. "
                     "Write what goes wrong (e.g. 'call bell out of reach'); solutions come later, as change "
                     "ideas in the driver diagram.")
    if not notes:
        return form_checked(
            f"{total} causes in {len(cleaned)} categories, none written as a solution.",
            "whether each cause is a real, specific reason for falls on ward 7 and sits in a sensible category. "
            "Then check the diagram with the people who do the work: they will know causes you missed, and the "
            "Pareto chart shows which matter most.")
    return (partly if len(notes) == 1 else wrong)("To make the diagram useful:", notes)


# --- exercise 4: a driver diagram --------------------------------------------------------------------
_ACTION_START = re.compile(r"^\s*(buy|add|introduce|train|provide|install|implement|start|use|put|hire|"
                           r"employ|give|create|launch|roll out|run|hold)\b", re.I)


def check_driver_diagram(diagram) -> Verdict:
    """Exercise 4: a driver diagram for the ward 7 falls project.

    Its form is checked (a tutor reads the meaning) when the aim has a number, there are two to six primary drivers, no primary driver is written as
    an action (that would be a change idea), every driver leads to a change idea (``DriverDiagram.check()``
    is empty) and there are at least three change ideas.

    Examples
    --------
    >>> from qikit import DriverDiagram
    >>> dd = DriverDiagram.from_dict("Reduce falls on ward 7 from 8.5 to 6 per 1,000 bed-days by March 2027", {
    ...     "Patients can reach the toilet safely": ["Two-hourly toileting round", "Commode at the bedside"],
    ...     "Confusion is spotted and managed": ["4AT on admission"]})
    >>> check_driver_diagram(dd).status
    'form checked'
    """
    from ..improve.drivers import DriverDiagram

    if is_blank(diagram):
        return not_answered("Replace the ... with qikit.DriverDiagram.from_dict(...), then run the cell.")
    if not isinstance(diagram, DriverDiagram):
        return wrong("Build the diagram with qikit.DriverDiagram.from_dict(aim, drivers), as in the example above.")
    notes = []
    if not re.search(r"\d", diagram.aim_text):
        notes.append("- The aim has no number: say how much, from where, by when (see notebook 02).")
    primary = diagram.primary_drivers
    if len(primary) < 2:
        notes.append("- Add a second primary driver: falls have more than one cause (look at your Pareto chart).")
    elif len(primary) > 6:
        notes.append(f"- {len(primary)} primary drivers is a lot: group them into the few (two to six) that "
                     "matter most.")
    actions = [p for p in primary if _ACTION_START.match(p)]
    if actions:
        notes.append(f"- {', '.join(repr(a) for a in actions)} "
                     f"{'is an action' if len(actions) == 1 else 'are actions'}: a change idea, not a driver. A "
                     "driver names something that must be true (e.g. 'patients can reach the toilet safely'); "
                     "move the action to the right as a change idea under it.")
    notes += [f"- {finding}" for finding in diagram.check()]
    if len(diagram.change_ideas) < 3:
        notes.append(f"- Add change ideas: {len(diagram.change_ideas)} so far; aim for at least three to test.")
    if not notes:
        return form_checked(
            f"{len(primary)} primary drivers, {len(diagram.secondary_drivers)} secondary drivers and "
            f"{len(diagram.change_ideas)} change ideas, each leading to an aim with a number.",
            "whether each driver really influences falls on ward 7 and each change idea would move its driver: "
            "this is your theory of change, and the PDSA cycles in notebook 07 test it.")
    return (partly if len(notes) == 1 else wrong)("The diagram needs work:", notes)


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 03: three multiple-choice questions."""
    return self_check_quiz("nb03", answers)

