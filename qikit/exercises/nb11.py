"""Checks for notebook 11, *Your QI project*: from a problem on the trainee's ward to a plan for Monday.

Every check is data (:mod:`qikit.exercises.spec`): the items, the options, the accepted words and the
diagnosed misconceptions are rows below. Sources, cited where each idea is used:

- QI, audit and research, and when ethics review applies: the Health Research Authority's decision tool
  "Is my study research?" (hra-decisiontools.org.uk) and its table *Defining research* (HRA, 2017); QI
  projects and audits are registered with the trust's clinical audit or QI team instead.
- Change concepts: Langley et al., *The Improvement Guide*, 2nd ed. (2009), appendix: 72 change concepts
  in nine groups.
- Sampling for improvement: Provost & Murray, *The Health Care Data Guide* (2011); Perla, Provost &
  Murray, *Qual Manag Health Care* 2013;22:36-47 (sampling considerations for health care improvement).
- Lean: Ohno, *Toyota Production System* (1988): the wastes and the five whys.
- Writing up: Ogrinc et al., SQUIRE 2.0, *BMJ Qual Saf* 2016;25:986-992.

Examples
--------
>>> from qikit.exercises import nb11
>>> nb11.check_activities({1: "research", 2: "audit", 3: "qi", 4: "research", 5: "qi"}).correct
True
"""

from __future__ import annotations

import pandas as pd

from .spec import Choice, Item, Items, Option, Quiz, Vocabulary

__all__ = ["my_project", "summary", "show_report", "activities", "check_activities", "check_ethics", "ideas", "check_change_concepts", "check_sampling",
           "steps", "check_wastes", "write_up", "check_squire", "self_check", "CHANGE_CONCEPT_GROUPS",
           "LEAN_WASTES"]


# --- the trainee's project file ------------------------------------------------------------------------
def my_project(path, title: str):
    """The :class:`qikit.Project` in the file ``path``: opened when it exists, else started there (with its
    folder). Opening never changes the file; a damaged file is reported, never overwritten."""
    from pathlib import Path

    from ..improve.project import Project

    path = Path(path)
    if path.exists():
        return Project.open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Project.create(path, title)


def summary(project) -> str:
    """What the project file holds so far, in one short paragraph (the file's name, not its folder)."""
    aim = f"Aim: {project.aim.text}" if project.aim else "Aim: not written yet."
    data = "no data yet" if project.data is None else f"data: {len(project.data)} rows ({project.data_spec.get('chart')} chart)"
    return (f"{project.title} ({project.path.name}). {aim} Measures: {len(project.measures)}; PDSA cycles: "
            f"{len(project.pdsa)}; {data}.")


class _Report:
    """A report shown in the notebook inside a frame of its own (its styles do not leak into the notebook)."""

    def __init__(self, text: str):
        self.text = text

    def _repr_html_(self) -> str:
        import html

        return (f"<iframe class='qikit-report' title='Your project write-up' srcdoc=\"{html.escape(self.text)}\" "
                "style='width:100%;height:36em;border:1px solid #ccc'></iframe>")

    def __repr__(self) -> str:
        return "The project's write-up (shown as a page in JupyterLab)."


def show_report(path):
    """Show a report written by ``project.report()`` inside the notebook (in a frame of its own)."""
    from pathlib import Path

    return _Report(Path(path).read_text(encoding="utf-8"))


# --- exercise 1: QI, audit or research? -----------------------------------------------------------------
_ACTIVITY = Vocabulary({"qi": "quality improvement", "audit": "audit", "research": "research"},
                       {"quality improvement": "qi", "improvement": "qi", "qip": "qi", "qi project": "qi",
                        "clinical audit": "audit", "re audit": "audit", "reaudit": "audit", "study": "research",
                        "trial": "research", "research study": "research"}, strip=("project",))
_ACTIVITIES = (
    Item("Patients on two wards are randomly allocated to a new falls sensor or usual care, to find out whether "
         "sensors prevent falls in general.", "research",
         "it allocates patients at random and aims at knowledge that applies beyond this ward (generalisable): "
         "the HRA decision tool calls that research, which needs ethics review.",
         {"qi": "Randomising patients to test a treatment is research, even when the aim is to improve care."}),
    Item("Notes of 40 patients given vancomycin are checked against the trust guideline on levels.", "audit",
         "it measures care against an agreed standard (the guideline) to see whether it is met.",
         {"qi": "Checking care against a standard is audit; it becomes QI when you go on to test changes."}),
    Item("The ward tests a new handover sheet with one team for a week, then adapts it and tests it on nights.",
         "qi", "it tests changes in small cycles, in this setting, to improve local care."),
    Item("Patients are asked to complete a new questionnaire to develop and validate a measure of delirium for "
         "use in any hospital.", "research",
         "it aims to produce a tool that applies everywhere (generalisable new knowledge).",
         {"qi": "Developing and validating a tool for every hospital creates new, generalisable knowledge."}),
    Item("A&E staff chart the time to antibiotics weekly while they try a sepsis trolley and then nurse-given "
         "first doses.", "qi", "it measures over time while testing changes locally.",
         {"research": "Trying changes and charting the effect locally is QI: nobody is randomised and the aim is "
                      "this department's care."}),
)

_EXERCISE_1 = Items(_ACTIVITIES, _ACTIVITY, example='label, e.g. {1: "audit", 2: ...}',
                    done=" When you are not sure about your own project, answer the HRA decision tool's questions "
                         "and keep its result with your project notes.",
                    unknown="{given!r} is not one of qi, audit or research.",
                    column="activity")


def activities() -> pd.DataFrame:
    """Exercise 1: five activities to label quality improvement, audit or research."""
    return _EXERCISE_1.table()


def check_activities(answers):
    """Exercise 1: label each activity ``"qi"``, ``"audit"`` or ``"research"``."""
    return _EXERCISE_1.check(answers)


# --- exercise 2: ethics -------------------------------------------------------------------------------
_ETHICS = Choice(correct="b", options={
    "a": Option("Apply to an NHS research ethics committee before the first PDSA cycle",
                "Research ethics committee review is for research. A local QI project that does not randomise or "
                "test an unproven treatment is not research; register it locally instead."),
    "b": Option("Register it with the trust's QI or clinical audit team, and check with the HRA decision tool if "
                "unsure", "Local registration, with the HRA tool's answer kept on file when in doubt. The "
                "trust may still ask for its own QI review (data, consent, risk).",
                ("register it locally", "register with the trust", "local registration")),
    "c": Option("Nothing: QI never needs any approval",
                "QI still needs local registration and the trust's rules on data and consent, and some QI "
                "projects raise ethical questions of their own."),
})


def check_ethics(answer):
    """Exercise 2: what does a ward's QI project on falls (PDSA cycles, no randomisation) need?"""
    return _ETHICS.check(answer)


# --- exercise 3: change concepts ------------------------------------------------------------------------
CHANGE_CONCEPT_GROUPS = {
    "waste": "eliminate waste", "flow": "improve work flow", "inventory": "optimise inventory",
    "environment": "change the work environment", "customer": "enhance the producer/customer relationship",
    "time": "manage time", "variation": "manage variation", "mistakes": "design systems to avoid mistakes",
    "product": "focus on the product or service",
}
"""Langley et al.'s nine groups of change concepts (*The Improvement Guide*, 2009), keyed by one word."""
_GROUPS = Vocabulary(CHANGE_CONCEPT_GROUPS,
                     {"eliminate waste": "waste", "work flow": "flow", "workflow": "flow",
                      "improve workflow": "flow", "optimize inventory": "inventory", "stock": "inventory",
                      "work environment": "environment", "producer customer relationship": "customer",
                      "customer relationship": "customer", "patients": "customer", "manage time": "time",
                      "manage variation": "variation", "standardise": "variation", "standardize": "variation",
                      "standardisation": "variation", "avoid mistakes": "mistakes", "error proofing": "mistakes",
                      "mistake proofing": "mistakes", "forcing function": "mistakes", "reminders": "mistakes",
                      "product or service": "product", "focus on the product": "product"})
_IDEAS = (
    Item("Drop the second nurse's signature for oral paracetamol, which no guideline requires.", "waste",
         "it removes a step that adds no value for the patient.",
         {"mistakes": "A double check is a safety step; removing one that adds nothing is eliminating waste."}),
    Item("Keep a sepsis trolley in majors so antibiotics are at hand.", ("inventory", "flow", "time"),
         "putting what is needed where it is used cuts the time and the walking (inventory, flow or time)."),
    Item("A checklist on the drug chart that will not let the prescription be saved without an allergy entry.",
         "mistakes", "a forcing function: the system makes the mistake hard to make.",
         {"variation": "A hard stop in the system is designed to avoid mistakes, more than to standardise."}),
    Item("One agreed discharge checklist for every consultant's patients, instead of each team's own.",
         "variation", "standardising the work reduces variation between teams."),
    Item("Ask patients at discharge what would have made their stay better, and feed it back weekly.",
         "customer", "it strengthens the relationship with the people the service is for."),
)

_EXERCISE_3 = Items(_IDEAS, _GROUPS, example='group, e.g. {1: "waste", 2: ...}',
                    done=" Concepts are where ideas come from: when the team is stuck, read down the list and ask "
                         "what each would mean on your ward.",
                    unknown="{given!r} is not one of the groups ({options}).",
                    column="change idea")


def ideas() -> pd.DataFrame:
    """Exercise 3: five change ideas to match to a group of change concepts."""
    return _EXERCISE_3.table()


def check_change_concepts(answers):
    """Exercise 3: give each change idea its group of change concepts, by key (``"waste"``, ``"flow"``, ...)."""
    return _EXERCISE_3.check(answers)


# --- exercise 4: sampling -------------------------------------------------------------------------------
_SAMPLING = Choice(correct="b", options={
    "a": Option("Every admission in one month, counted once at the end of the month",
                "One big count a month gives one point a month: too slow to see a change work, and too much work "
                "for a small team."),
    "b": Option("The first 10 admissions of each week, checked every Monday and plotted weekly",
                "A small, systematic sample each week gives a point a week, so a run chart shows the "
                "effect of a change within weeks, at little cost."),
    "c": Option("The 10 patients the nurse in charge thinks are most at risk each week",
                "Chosen by judgement, the sample changes with who chooses: it is biased, and the trend may "
                "reflect the choosing rather than the care."),
})


def check_sampling(answer):
    """Exercise 4: a ward admits about 60 patients a week; which sampling plan suits a QI project?"""
    return _SAMPLING.check(answer)


# --- exercise 5: Lean's wastes ---------------------------------------------------------------------------
LEAN_WASTES = {
    "transport": "transport (moving things or patients)", "inventory": "inventory (stock, queues, backlogs)",
    "motion": "motion (staff walking and searching)", "waiting": "waiting",
    "overproduction": "overproduction (doing more, or sooner, than needed)",
    "overprocessing": "overprocessing (more work than adds value)", "defects": "defects (errors and rework)",
    "skills": "unused skills",
}
"""The wastes of Lean (Ohno's seven, and unused skills), keyed by one word."""
_WASTE = Vocabulary(LEAN_WASTES, {"over production": "overproduction", "over processing": "overprocessing",
                                  "extra processing": "overprocessing", "defect": "defects", "errors": "defects",
                                  "rework": "defects", "wait": "waiting", "delay": "waiting", "movement": "motion",
                                  "transportation": "transport", "stock": "inventory", "talent": "skills",
                                  "unused skills": "skills", "unused talent": "skills", "people": "skills"})
_STEPS = (
    Item("Nurses walk to the far end of the ward to find the only bladder scanner.", "motion",
         "staff walking and searching is motion.",
         {"transport": "Transport moves patients or materials; staff walking to fetch is motion."}),
    Item("Patients ready to go home sit in the discharge lounge for four hours for their medicines.", "waiting",
         "time the patient spends waiting adds nothing for them."),
    Item("The same allergy history is taken by the paramedic, the triage nurse, the F1 and the ward nurse.",
         "overprocessing", "repeating work that adds no value is overprocessing.",
         {"defects": "Nothing was wrong the first time: doing it again is overprocessing, not rework."}),
    Item("Bloods are re-taken because the first sample was unlabelled.", "defects",
         "doing work again because it was wrong is a defect (rework)."),
    Item("A physiotherapist's advice on mobility is never asked for at the board round.", "skills",
         "people's skills left unused are the eighth waste."),
)

_EXERCISE_5 = Items(_STEPS, _WASTE, example='waste, e.g. {1: "motion", 2: ...}',
                    done=" For each waste, ask why five times to reach a cause the team can change.",
                    unknown="{given!r} is not one of the wastes ({options}).",
                    column="what the team saw")


def steps() -> pd.DataFrame:
    """Exercise 5: five things seen on a ward to label with one of Lean's wastes."""
    return _EXERCISE_5.table()


def check_wastes(answers):
    """Exercise 5: label each step with its waste (``"motion"``, ``"waiting"``, ...)."""
    return _EXERCISE_5.check(answers)


# --- exercise 6: SQUIRE 2.0 ------------------------------------------------------------------------------
_PARTS = Vocabulary({"introduction": "introduction", "methods": "methods", "results": "results",
                     "discussion": "discussion"},
                    {"intro": "introduction", "background": "introduction", "why": "introduction",
                     "method": "methods", "what we did": "methods", "what we found": "results",
                     "result": "results", "findings": "results", "conclusion": "discussion",
                     "interpretation": "discussion", "limitations": "discussion"}, strip=("section",))
_WRITE_UP = (
    Item("The ward's falls rate before the project, and why it matters to patients.", "introduction",
         "the problem and the available knowledge come in the introduction (why you started)."),
    Item("The operational definition of each measure and how the data were collected.", "methods",
         "measures and data collection belong to the methods.",
         {"results": "The definition says how you measured; the numbers you got are the results."}),
    Item("The run chart with the PDSA cycles marked, and the shift after cycle 3.", "results",
         "what happened, with the chart, is the results."),
    Item("Why the change may not work on a surgical ward, and what was learnt.", "discussion",
         "limitations, interpretation and lessons are the discussion.",
         {"results": "Judging what the results mean elsewhere is interpretation: the discussion."}),
    Item("Whether the project was registered with the trust and whether ethics review was needed.", "methods",
         "SQUIRE 2.0 asks for ethical considerations within the methods."),
)

_EXERCISE_6 = Items(_WRITE_UP, _PARTS, example='part, e.g. {1: "introduction", 2: ...}',
                    done=" project.report() lays out your own project under the same headings.",
                    unknown="{given!r} is not a part of the write-up (introduction, methods, results, "
                            "discussion).",
                    column="piece of the write-up")


def write_up() -> pd.DataFrame:
    """Exercise 6: five pieces of a write-up to place in a SQUIRE 2.0 part."""
    return _EXERCISE_6.table()


def check_squire(answers):
    """Exercise 6: put each piece in its SQUIRE 2.0 part: introduction, methods, results or discussion."""
    return _EXERCISE_6.check(answers)


# --- self-check -------------------------------------------------------------------------------------------
_SELF = Quiz({
    1: Choice({"a": Option("It randomises patients and aims at generalisable knowledge",
                           "Right: randomisation and generalisable aims mark research."),
               "b": Option("It collects data", "Audit and QI collect data too."),
               "c": Option("It is written up", "QI projects are written up too (SQUIRE 2.0).")}, correct="a"),
    2: Choice({"a": Option("Ask why of the problem until you reach a cause the team can change",
                           "Right: five whys digs below the symptom to a cause you can act on."),
               "b": Option("Collect five weeks of data before you start", "That is a baseline, not five whys."),
               "c": Option("Test five change ideas at once", "Test one change at a time in small cycles.")},
           correct="a"),
    3: Choice({"a": Option("A certificate of attendance", "Attendance is not what QIPAT assesses."),
               "b": Option("Evidence of the project's aim, measures, tests of change and reflection, assessed "
                           "with a tool such as QIPAT", "Right: ARCP panels look for the project in the "
                           "e-portfolio, with its assessment."),
               "c": Option("A published paper", "Publication is welcome but not required.")}, correct="b"),
})


def self_check(answers):
    """The closing self-check of notebook 11: three multiple-choice questions."""
    return _SELF.check(answers)
