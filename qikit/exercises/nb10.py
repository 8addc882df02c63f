"""Checks for notebook 10, *People and change*: the power/interest grid, the human side of change,
psychological safety and just culture, motivation, engaging staff, co-design with patients, and a
communication plan.

The scenario throughout: ward 12, an acute medical ward, is bringing in a new escalation process for
patients whose NEWS2 score rises (RCP, *National Early Warning Score 2*, 2017).

Sources: Mendelow (1991) and NHS England and NHS Improvement's QSIR stakeholder analysis tool (the grid);
Hilton K, Anderson A, *IHI Psychology of Change Framework to Advance and Sustain Improvement*, IHI White
Paper, 2018 (five domains); Edmondson A, Psychological safety and learning behavior in work teams, *Adm Sci Q*
1999;44:350-383; NHS Improvement, *A just culture guide*, 2018 (the tests, after Reason 1997); Deci EL,
Ryan RM, *Intrinsic Motivation and Self-Determination in Human Behavior*, 1985, and IHI Open School QI 105
(intrinsic and extrinsic motivation); ImproveWell, *A guide to Quality Improvement in health and care*
(feedback loops, huddles, communicating the why, what, who and how); The Point of Care Foundation,
*EBCD: experience-based co-design toolkit* (the stages).

Examples
--------
>>> from qikit.exercises import nb10
>>> nb10.check_just_culture("c").correct
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ._feedback import NOT_ANSWERED, RIGHT, WRONG, Verdict, is_blank, not_answered, partly, quiz, right, wrong
from .spec import Choice, Item, Items, Mark, Option, Vocabulary, form_checked, normalise, score

__all__ = ["check_quadrants", "check_grid", "check_psychology", "check_just_culture", "check_motivation",
           "check_feedback_loop", "check_ebcd", "check_comms_plan", "self_check"]

# ------------------------------------------------------------------------------------ exercise 1
_QUADRANT_WORDS = Vocabulary(
    {"manage closely": "manage closely", "keep satisfied": "keep satisfied", "keep informed": "keep informed",
     "monitor": "monitor"},
    words={"manage": "manage closely", "closely": "manage closely", "key player": "manage closely",
           "key players": "manage closely", "manage close": "manage closely",
           "high power high interest": "manage closely",
           "satisfied": "keep satisfied", "satisfy": "keep satisfied", "keep satisfy": "keep satisfied",
           "high power low interest": "keep satisfied",
           "informed": "keep informed", "inform": "keep informed", "keep inform": "keep informed",
           "low power high interest": "keep informed",
           "monitored": "monitor", "monitoring": "monitor", "watch": "monitor", "minimal effort": "monitor",
           "low power low interest": "monitor"})

_POWER_FIRST = ("Power is whether they can make the change happen or stop it; interest is how much it alters "
                "their work or care. ")
QUADRANT_ITEMS = Items([
    Item("Sister Okafor, ward 12's sister: she sets the rota and co-leads the project.", "manage closely",
         "high power (she runs the ward) and high interest (her ward, her team).",
         {"keep satisfied": "Her interest could not be higher: it is her ward and she co-leads the project.",
          "keep informed": "She has power too: she sets the rota and can make the change happen."}),
    Item("The director of nursing: she signs off trust escalation policy; ward 12 is one of 30 wards.",
         "keep satisfied", "high power (she can approve or stop it), low interest (one ward of thirty).",
         {"manage closely": "She has the power, but ward 12's test is a small part of her work: brief her in her "
                            "terms and ask for what you need, without weekly meetings.",
          "keep informed": _POWER_FIRST + "She can sign the policy off or stop it."}),
    Item("The healthcare assistants who take most of the observations: every round changes; they cannot "
         "approve or stop the project.", "keep informed",
         "low formal power, high interest: the change alters every observation round they do.",
         {"manage closely": "On the grid their power is low (they cannot approve or stop it). You may well choose "
                            "to involve them more closely than the grid says; the grid is where you start.",
          "monitor": "Their interest is high: every observation round changes."}),
    Item("Patients on ward 12 and their relatives: the change is about their safety; they have no say over "
         "ward policy.", "keep informed", "low power, high interest: it is their safety.",
         {"monitor": "Their interest could not be higher: the change is about their safety.",
          "manage closely": "They have little formal power over ward policy; co-design (section 6) is how you give "
                            "them more say."}),
    Item("The ward's discharge coordinator: the change does not touch discharge planning, and she has no say "
         "over it.", "monitor", "low power and low interest: check now and then whether that changes.",
         {"keep informed": "The change does not touch her work, so her interest is low."}),
    Item("Dr Hale, the consultant who leads the medical on-call rota: he can tell registrars how fast to "
         "respond, and says doctors already escalate fine and it is not his concern.", "keep satisfied",
         "high power (the rota is his), low interest (he does not see why it matters to him).",
         {"manage closely": "His power is high, but his interest is low for now: keep him satisfied, and find "
                            "what would make it matter to him.",
          "keep informed": _POWER_FIRST + "He decides how fast the registrars respond."}),
    Item("The lead nurse of the critical care outreach team: more calls will come to her team, and she sets how "
         "it responds.", "manage closely", "high power (she sets the response) and high interest (more calls).",
         {"keep satisfied": "The change sends more calls to her team: her interest is high."}),
], _QUADRANT_WORDS, example="quadrant",
    done=" Use the grid to plan how you engage each one, not as a final verdict on them.",
    partial=" For each, ask two questions: could they stop it, and does it change their work or care?",
    unknown="{given!r} is not a quadrant: use manage closely, keep satisfied, keep informed or monitor.")


def check_quadrants(answers) -> Verdict:
    """Exercise 1: the quadrant of each of ward 12's seven stakeholders.

    Examples
    --------
    >>> check_quadrants({1: "manage closely", 2: "keep satisfied", 3: "keep informed", 4: "keep informed",
    ...                  5: "monitor", 6: "keep satisfied", 7: "manage closely"}).correct
    True
    """
    return QUADRANT_ITEMS.check(answers)


# ------------------------------------------------------------------------------------ exercise 2
def check_grid(grid) -> Verdict:
    """Exercise 2: the trainee's own grid for ward 12, from the widget (or a map or list of records).

    The feedback rules of :data:`qikit.improve.stakeholders.FEEDBACK_RULES` decide what is missing. A grid
    with no gap is "form checked": whether each plan fits the person is for a tutor to read.

    Examples
    --------
    >>> check_grid([]).status
    'not answered'
    """
    from ..errors import QIError
    from ..improve.stakeholders import StakeholderMap

    if is_blank(grid):
        return not_answered("Fill in the grid above (or pass my_grid), then run the cell again.")
    value = getattr(grid, "value", grid) if not isinstance(grid, (list, tuple, StakeholderMap)) else grid
    try:
        smap = StakeholderMap.from_records(value)
    except QIError as e:
        return wrong(f"This is not yet a grid: {e}")
    if not len(smap):
        return not_answered("The grid is empty: add the people the new escalation process affects, then run "
                            "the cell again.")
    review = smap.review()
    gaps = review.loc[review["level"] == "gap", "message"].tolist()
    notes = review.loc[review["level"] == "note", "message"].tolist()
    if not gaps:
        return form_checked(
            f"{len(smap)} stakeholders, patients or carers and the staff who do the work among them, and every "
            "powerful sceptic has a plan.",
            "whether each engagement plan fits the person and their quadrant.", notes)
    verdict = partly if len(gaps) == 1 else wrong
    return verdict("The grid has gaps a tutor would point out:", gaps + notes)


# ------------------------------------------------------------------------------------ exercise 3
_DOMAINS = Vocabulary(
    {"agency": "activate people's agency", "co-design": "co-design people-driven change",
     "power": "distribute power", "adapt": "adapt in action", "motivation": "unleash intrinsic motivation"},
    words={"activate agency": "agency", "activating people's agency": "agency", "people's agency": "agency",
           "peoples agency": "agency", "activate peoples agency": "agency",
           "codesign": "co-design", "co design people driven change": "co-design", "people driven change":
           "co-design", "co-design change": "co-design", "codesign people driven change": "co-design",
           "distributing power": "power", "distribute": "power",
           "adapt": "adapt", "adaptation": "adapt", "adapting in action": "adapt",
           "intrinsic motivation": "motivation", "unleash motivation": "motivation",
           "unleashing intrinsic motivation": "motivation", "intrinsic": "motivation"})
PSYCHOLOGY_ITEMS = Items([
    Item("Sister Okafor asks each nurse and healthcare assistant what worries them most about deteriorating "
         "patients, and links the new process to that: catching patients before they crash.", "motivation",
         "it starts from what people already care about, not from a target.",
         {"agency": "It does not yet ask anyone to act: it connects the change to what they already care about."}),
    Item("Night nurses and healthcare assistants draft the escalation prompt card themselves and test it on one "
         "night shift.", "co-design", "the people who do the work design the change with the project team.",
         {"power": "Power is about who decides in general; here the staff are designing the change itself.",
          "agency": "They do act, but what marks this is that they design the change themselves."}),
    Item("Any member of staff who is worried about a patient, students included, may call the outreach team "
         "directly, without asking permission first.", "power",
         "decision-making moves from a few senior people to everyone close to the patient.",
         {"agency": "This changes who is allowed to decide: power, spread to everyone close to the care."}),
    Item("Every Friday the team looks at the week's escalations and changes the plan on the spot.", "adapt",
         "the plan is tested and changed as the team learns, not fixed in advance.",
         {"co-design": "The team already owns the design; what marks this is changing it as they learn."}),
    Item("Staff are invited, not told, to join; each volunteer chooses one thing to try on their next shift.",
         "agency", "each person makes a choice to act, which builds their confidence that they can.",
         {"power": "Nothing about who decides changes here; each person chooses to act: agency.",
          "motivation": "It does ask people to act, and to choose how: that is agency."}),
], _DOMAINS, example="domain",
    partial=" Read the five domains again: which one does each action serve most directly?",
    unknown="{given!r} is not one of the five domains (agency, co-design, power, adapt, motivation).")


def check_psychology(answers) -> Verdict:
    """Exercise 3: the domain of the IHI Psychology of Change Framework each action on ward 12 serves.

    Examples
    --------
    >>> check_psychology({1: "motivation", 2: "co-design", 3: "power", 4: "adapt", 5: "agency"}).correct
    True
    """
    return PSYCHOLOGY_ITEMS.check(answers)


# ------------------------------------------------------------------------------------ exercise 4
JUST_CULTURE = Choice({
    "a": Option("the deliberate harm test", "Nothing suggests she meant to harm anyone; the guide asks this "
                "first, and here the answer is plainly no. The story is about what others would have done.",
                ("deliberate harm", "harm test")),
    "b": Option("the health test", "Nothing suggests ill health; the story is about what others in her place "
                "would have done.", ("health",)),
    "c": Option("the substitution test", "Others with the same training, on the same night, would have done the "
                "same: the problem is in the system (staffing, no prompt on the tablet), so the response should be "
                "about the system, not blame.", ("substitution", "substitution test")),
    "d": Option("the foresight test", "The foresight test asks whether she departed from a protocol that was "
                "workable and in routine use; the story tells you what her colleagues would have done, which is "
                "the substitution test.", ("foresight",)),
}, correct="c")


def check_just_culture(answer) -> Verdict:
    """Exercise 4: which question of the NHS just culture guide the night-shift story answers."""
    return JUST_CULTURE.check(answer)


# ------------------------------------------------------------------------------------ exercise 5
_MOTIVES = Vocabulary({"intrinsic": "intrinsic", "extrinsic": "extrinsic"},
                      words={"internal": "intrinsic", "inner": "intrinsic", "external": "extrinsic",
                             "outer": "extrinsic", "in": "intrinsic", "ex": "extrinsic", "i": "intrinsic",
                             "e": "extrinsic"},
                      strip=("motivation", "motivated", "motive"))
MOTIVATION_ITEMS = Items([
    Item("A £10 voucher each month for the nurse who escalates most often.", "extrinsic",
         "a reward from outside; it may also reward escalating for its own sake.",
         {"intrinsic": "A voucher comes from outside the work itself."}),
    Item("Nurses hear at the huddle how a patient they escalated early went home instead of to intensive care.",
         "intrinsic", "it connects the work to its purpose, the patient.",
         {"extrinsic": "No reward or sanction: the pull is the purpose of the work itself."}),
    Item("Escalation compliance is added to each nurse's appraisal.", "extrinsic",
         "a sanction or reward from outside; useful for assurance, weak for engagement.",
         {"intrinsic": "An appraisal target is pressure from outside."}),
    Item("The night team chooses how it will run its own tests of the new prompt card.", "intrinsic",
         "autonomy: people own how they improve their own work.",
         {"extrinsic": "Nobody outside is rewarding or pushing here: the team decides for itself."}),
    Item("The chief nurse emails a league table of wards' escalation rates.", "extrinsic",
         "comparison and pressure from outside.",
         {"intrinsic": "A league table is pressure from outside, however well meant."}),
], _MOTIVES, example="intrinsic or extrinsic",
    partial=" Ask: does the pull come from the work and its purpose, or from a reward or sanction outside it?",
    unknown="{given!r} is not intrinsic or extrinsic.")


def check_motivation(answers) -> Verdict:
    """Exercise 5: intrinsic or extrinsic motivation, for five ways of getting ward 12 to escalate.

    Examples
    --------
    >>> check_motivation({1: "extrinsic", 2: "intrinsic", 3: "extrinsic", 4: "intrinsic",
    ...                   5: "extrinsic"}).correct
    True
    """
    return MOTIVATION_ITEMS.check(answers)


# ------------------------------------------------------------------------------------ exercise 6
FEEDBACK_LOOP = Choice({
    "a": Option("thank everyone in the trust newsletter in three months' time",
                "Too late and too far away: by then people have stopped posting. Feedback keeps people engaged "
                "when it is quick and close to the work."),
    "b": Option("at each daily huddle, say which ideas were tested and what happened (\"you said, we did\")",
                "This closes the loop where the work happens, quickly, so people see that their ideas are heard "
                "and acted on.", ("you said we did", "huddle")),
    "c": Option("a prize draw for everyone who posts an idea",
                "A prize may bring a burst of ideas (a campaign), but it does not tell people what became of "
                "theirs: the loop stays open."),
}, correct="b")


def check_feedback_loop(answer) -> Verdict:
    """Exercise 6: what keeps ward 12's staff posting ideas on the improvement board."""
    return FEEDBACK_LOOP.check(answer)


# ------------------------------------------------------------------------------------ exercise 7
#: The stages of experience-based co-design as the notebook lists them (shuffled), by letter.
EBCD_STAGES = {
    "a": "small co-design groups of patients and staff work on the agreed priorities",
    "b": "set up: a steering group, the care pathway to study, and support from leaders",
    "c": "a joint event: patients and staff watch the patients' film together and agree priorities",
    "d": "filmed interviews with patients and relatives about their experience of the ward",
    "e": "celebrate what changed and review what comes next",
    "f": "observe the ward and interview staff about their experience",
}
#: The Point of Care Foundation's toolkit gathers staff and patient experiences side by side: either order.
EBCD_ORDERS = (("b", "f", "d", "c", "a", "e"), ("b", "d", "f", "c", "a", "e"))


def _letters(answer) -> list[str] | None:
    if isinstance(answer, str):
        parts = [p for p in re.split(r"[\s,;>→\-]+", answer.strip()) if p]
    elif isinstance(answer, (list, tuple)):
        parts = [str(p) for p in answer]
    else:
        return None
    out = []
    for p in parts:
        text = normalise(p).strip("() .")
        if text in EBCD_STAGES:
            out.append(text)
            continue
        found = [k for k, v in EBCD_STAGES.items() if normalise(v) == text]
        if not found:
            return None
        out.append(found[0])
    return out


def check_ebcd(order) -> Verdict:
    """Exercise 7: the six stages of experience-based co-design in order (letters a-f).

    Examples
    --------
    >>> check_ebcd(["b", "f", "d", "c", "a", "e"]).correct, check_ebcd("b d f c a e").correct
    (True, True)
    """
    if is_blank(order) or (isinstance(order, (list, tuple)) and all(is_blank(x) for x in order)):
        return not_answered("Replace the ... with the six letters in order, e.g. [\"b\", ...], then run the cell.")
    letters = _letters(order)
    if letters is None or sorted(letters) != sorted(EBCD_STAGES):
        return wrong("Give each of the six letters a-f once, in the order the stages happen, e.g. "
                     "[\"b\", \"f\", ...].")
    if tuple(letters) in EBCD_ORDERS:
        return right("Set up; gather staff and patients' experiences (side by side, in either order); bring them "
                     "together to agree priorities; co-design in small groups; celebrate and review.")
    notes = []
    where = {k: i for i, k in enumerate(letters)}
    if where["a"] < where["c"]:
        notes.append("The co-design groups come after patients and staff have agreed the priorities together: "
                     "otherwise the groups work on staff's guesses of what matters.")
    if where["c"] < max(where["d"], where["f"]):
        notes.append("The joint event needs the experiences first: the patients' film and what staff said.")
    if letters[0] != "b":
        notes.append("Start with the set-up: who steers it, which pathway, whose support.")
    if letters[-1] != "e":
        notes.append("End with celebrating and reviewing, so the work is recognised and the next round planned.")
    if not notes:
        notes.append("Look again at the order of the middle stages.")
    return (partly if len(notes) == 1 else wrong)("Not quite the order of the stages:", notes)


# ------------------------------------------------------------------------------------ exercise 8
#: Channels a ward can use to reach people (ImproveWell's guide; huddles and boards from the sustain section).
CHANNELS = {
    "huddle": ("huddle", "safety huddle", "daily huddle", "handover"),
    "staff meeting": ("staff meeting", "ward meeting", "team meeting", "away day"),
    "email": ("email", "e-mail"),
    "intranet": ("intranet", "trust website"),
    "poster or board": ("poster", "board", "noticeboard", "notice board", "performance board", "whiteboard",
                        "staff room", "breakroom"),
    "newsletter": ("newsletter", "bulletin"),
    "social media": ("social media", "whatsapp", "twitter", "facebook"),
    "face to face": ("face to face", "in person", "one to one", "1:1", "walkabout", "ward round"),
    "senior meetings": ("senior leadership", "board meeting", "divisional meeting", "governance meeting",
                        "matrons meeting"),
    "patient information": ("leaflet", "patient information", "patient panel", "bedside", "patient board"),
    "teaching": ("teaching", "training", "induction", "simulation"),
}
_OFTEN = re.compile(r"\b(daily|weekly|fortnightly|monthly|every|each|twice|once|per|a week|a day|a month|"
                    r"start of|end of|after each|before each|shift)\b", re.I)
_PARTS = {"why": "why you want people to take part",
          "expect": "what they can expect (how ideas and data will be reviewed, updates)",
          "who": "the faces behind it (leads, champions, sponsor)",
          "involve": "how people can get involved",
          "channels": "at least two channels",
          "how_often": "how often you will update people"}


def channel_names(channels) -> list[str]:
    """The channels (keys of :data:`CHANNELS`) named in ``channels`` (a list, or text)."""
    items = [channels] if isinstance(channels, str) else list(channels) if isinstance(channels, (list, tuple,
                                                                                                  set)) else []
    found = []
    for item in items:
        text = " " + normalise(item) + " "
        for key, words in CHANNELS.items():
            if key not in found and any(f" {normalise(w)} " in text or f" {normalise(w)}s " in text for w in words):
                found.append(key)
    return found


def _blank(value) -> bool:
    """A placeholder, or a list of placeholders (``[...]``)."""
    if isinstance(value, (list, tuple, set)):
        return all(is_blank(v) for v in value)
    return is_blank(value)


def _text_mark(value, what: str) -> Mark:
    if is_blank(value):
        return Mark(NOT_ANSWERED, "")
    if not isinstance(value, str):
        return Mark(WRONG, f"Write {what} as a sentence in quotes.")
    if len(value.split()) < 4:
        return Mark(WRONG, f"Say more than {value!r}: {what}, in a sentence people on ward 12 would understand.")
    return Mark(RIGHT, f"{what}: said.")


def check_comms_plan(plan) -> Verdict:
    """Exercise 8: a communication plan for the new escalation process.

    A plan with every part (why, what to expect, who, how to get involved, two or more channels, how often)
    gets "form checked": whether the words would persuade ward 12 is for a tutor to judge.

    Examples
    --------
    >>> check_comms_plan({"why": "to catch deteriorating patients earlier", "expect": "weekly updates at the huddle",
    ...     "who": "Sister Okafor and Dr Patel lead it", "involve": "join a test on your next shift",
    ...     "channels": ["huddle", "staff room board"], "how_often": "weekly"}).status
    'form checked'
    """
    if is_blank(plan) or (isinstance(plan, Mapping) and all(_blank(plan.get(k, ...)) for k in _PARTS)):
        return not_answered("Fill in each ... of my_plan, then run the cell again.")
    if not isinstance(plan, Mapping):
        return wrong("Give the plan as the dictionary in the cell, with the keys " + ", ".join(_PARTS) + ".")
    marks = {k: _text_mark(plan.get(k, ...), _PARTS[k]) for k in ("why", "expect", "who", "involve")}
    channels = plan.get("channels", ...)
    if _blank(channels):
        marks["channels"] = Mark(NOT_ANSWERED, "")
    else:
        named = channel_names(channels)
        if len(named) >= 2:
            marks["channels"] = Mark(RIGHT, f"{len(named)} channels ({', '.join(named)}).")
        elif named:
            marks["channels"] = Mark(WRONG, f"Only one channel ({named[0]}): people read different things; add "
                                            "another, e.g. the huddle and the staff-room board.")
        else:
            marks["channels"] = Mark(WRONG, "Name the channels you will use: huddles, staff meetings, email, "
                                            "posters or boards, the intranet, patient information, ...")
    often = plan.get("how_often", ...)
    if is_blank(often):
        marks["how_often"] = Mark(NOT_ANSWERED, "")
    elif isinstance(often, str) and _OFTEN.search(often):
        marks["how_often"] = Mark(RIGHT, "a rhythm people can rely on.")
    else:
        marks["how_often"] = Mark(WRONG, "Say how often: daily at the huddle, weekly on the board, ...")
    if all(m.ok for m in marks.values()):
        return form_checked(
            "Every part is there: why, what to expect, who, how to take part, " +
            marks["channels"].line.rstrip(".") + ", and how often.",
            "whether the why speaks to each group (night staff, doctors, patients) and the plan is one the ward "
            "could keep up.")
    return score(marks, partial=" Early and frequent updates keep momentum; the guide's four questions are why, "
                                "what, who and how.", label="{}: ".format)


# ------------------------------------------------------------------------------------ self-check
#: The self-check's options as the notebook prints them.
SELF_CHECK_OPTIONS = {
    1: {"a": "manage them closely", "b": "keep them satisfied", "c": "monitor them"},
    2: {"a": "no one is ever criticised",
        "b": "people believe they can speak up, ask questions and admit mistakes without being punished or "
             "humiliated",
        "c": "staff are safe from physical harm at work"},
    3: {"a": "answer a survey after staff have designed the change",
        "b": "design the change with staff, as partners",
        "c": "approve the final policy"},
}
_QUESTIONS = {
    1: ("b", {"a": "Managing closely is for high power and high interest.",
              "b": "High power, low interest: keep them satisfied, in their terms, without overloading them.",
              "c": "Monitoring is for low power and low interest: this person can stop the change."}),
    2: ("b", {"a": "Psychological safety is not the absence of challenge: teams still hold high standards.",
              "b": "Edmondson's definition: a shared belief that the team is safe for interpersonal risk-taking.",
              "c": "Physical safety matters, but psychological safety is about speaking up."}),
    3: ("b", {"a": "A survey after the design is consultation, not co-design.",
              "b": "In experience-based co-design patients and staff design the changes together.",
              "c": "Approval is not design: in co-design patients shape the change from the start."}),
}


def self_check(answers) -> Verdict:
    """The closing self-check of notebook 10: three multiple-choice questions."""
    return quiz(answers, {n: (*q, SELF_CHECK_OPTIONS[n]) for n, q in _QUESTIONS.items()})
