"""``choose_chart_quiz()``: the chart-choice decision tree as a guided sequence of questions.

The questions walk the branches of :func:`qikit.choose_chart` (Provost & Murray, *The Health Care Data
Guide*, 2011, ch. 5, Figure 5.1): what kind of data, then the one or two questions that branch needs.
The quiz only gathers the answers; the recommendation and its reason come from ``choose_chart`` itself,
so the quiz and the function can never disagree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets

from ..stats.charts import CHARTS
from ..stats.choose import ChartChoice, choose_chart

__all__ = ["choose_chart_quiz", "ChartQuiz", "QUESTIONS", "next_question"]


@dataclass(frozen=True)
class Question:
    """One step of the quiz: ``options`` are (label, value) pairs; ``number`` asks for a whole number."""

    key: str
    text: str
    hint: str = ""
    options: tuple = ()
    number: tuple | None = None  # (minimum, maximum, default) for a number question


YES_NO = (("Yes", True), ("No", False))

QUESTIONS = {q.key: q for q in [
    Question("data_type", "What do you record for each patient, case or period?",
             "Think of one point on the chart and what goes into it.",
             (("A measurement: a time, a length of stay, a weight, a blood pressure", "measurement"),
              ("Yes or no for each case, giving a proportion (e.g. antibiotics within an hour: yes/no)",
               "classification"),
              ("A count of events: falls, infections, medication errors", "count"))),
    Question("several", "How many measurements make up each point on the chart?",
             "One value per point (each patient, or one value per day), or the average of a small group?",
             (("One: each point is a single value", False),
              ("Several: each point summarises a subgroup (e.g. 5 patients a day)", True))),
    Question("subgroup_size", "About how many measurements are in each subgroup?",
             "Use the usual number; the chart copes with some variation.", number=(2, 100, 5)),
    Question("large_denominators", "Are there more than about 1,000 cases behind each point?",
             "Very large denominators (a whole trust's attendances) make the usual limits too narrow.",
             YES_NO),
    Question("rare_events", "Are the events so rare that most weeks or months have none?",
             "Then a count per month is mostly zeros, and the gaps between events say more.", YES_NO),
    Question("between", "How do you measure the gap between one event and the next?",
             "", (("In cases: the number of patients or procedures between events", "cases"),
                  ("In time: the number of days between events", "days"))),
    Question("equal_opportunity", "Is the area of opportunity the same for every point?",
             "The same number of patients, bed-days or theatre hours each week or month.", YES_NO),
    Question("large_denominators_count", "Are there more than about 1,000 units of opportunity behind each "
             "point (e.g. bed-days)?",
             "Very large denominators make the usual limits too narrow.", YES_NO),
]}


def next_question(answers: dict) -> str | None:
    """The key of the next question to ask given the answers so far, or None when the tree is done.

    Examples
    --------
    >>> next_question({}), next_question({"data_type": "count"})
    ('data_type', 'rare_events')
    >>> next_question({"data_type": "classification", "large_denominators": False}) is None
    True
    """
    kind = answers.get("data_type")
    if kind is None:
        return "data_type"
    if kind == "measurement":
        if "several" not in answers:
            return "several"
        if answers["several"] and "subgroup_size" not in answers:
            return "subgroup_size"
        return None
    if kind == "classification":
        return None if "large_denominators" in answers else "large_denominators"
    if "rare_events" not in answers:
        return "rare_events"
    if answers["rare_events"]:
        return None if "between" in answers else "between"
    if "equal_opportunity" not in answers:
        return "equal_opportunity"
    if not answers["equal_opportunity"] and "large_denominators_count" not in answers:
        return "large_denominators_count"
    return None


def choice_for(answers: dict) -> ChartChoice:
    """Ask :func:`qikit.choose_chart` for the chart these (complete) answers lead to."""
    kind = answers["data_type"]
    if kind == "measurement":
        return choose_chart("measurement", subgroup_size=int(answers.get("subgroup_size", 1))
                            if answers["several"] else 1)
    if kind == "classification":
        return choose_chart("classification", large_denominators=answers["large_denominators"])
    if answers["rare_events"]:
        return choose_chart("count", rare_events=True, between=answers["between"])
    return choose_chart("count", equal_opportunity=answers["equal_opportunity"],
                        large_denominators=answers.get("large_denominators_count", False))


class ChartQuiz(widgets.VBox):
    """The widget :func:`choose_chart_quiz` returns.

    Attributes
    ----------
    answers : dict
        The answers so far, by question key.
    question : str or None
        The key of the question shown, None when the recommendation is shown.
    choice : ChartChoice or None
        The recommendation, once the questions are done.
    option_buttons : list of ipywidgets.Button
        The answers offered for the current question (``.click()`` one to answer from code).
    number, next_button : ipywidgets widgets
        For a number question: the box and the button that submits it.
    back_button, restart_button : ipywidgets.Button
        Go back one question; start again.
    """

    def __init__(self):
        self.answers, self.history, self.choice, self.question = {}, [], None, None
        self.heading = widgets.HTML()
        self.body = widgets.VBox()
        self.path = widgets.HTML()
        self.back_button = widgets.Button(description="Back", icon="arrow-left")
        self.restart_button = widgets.Button(description="Start again", icon="refresh", button_style="warning")
        self.restart_button.add_class("qikit-restart")
        self.back_button.on_click(lambda _: self.back())
        self.restart_button.on_click(lambda _: self.restart())
        self.option_buttons, self.number, self.next_button = [], None, None
        super().__init__([self.heading, self.body, widgets.HBox([self.back_button, self.restart_button]),
                          self.path], layout=widgets.Layout(max_width="760px"))
        self.add_class("qikit-quiz")
        self._show()

    # ------------------------------------------------------------------ steps
    def answer(self, value) -> None:
        """Answer the current question with ``value`` (what the buttons do)."""
        if self.question is None:
            return
        q = QUESTIONS[self.question]
        if q.number is not None:
            lo, hi, _ = q.number
            value = int(value)
            if not lo <= value <= hi:
                return
        self.history.append(self.question)
        self.answers[self.question] = value
        self._show()

    def back(self) -> None:
        """Undo the last answer."""
        if self.history:
            self.answers.pop(self.history.pop(), None)
            self._show()

    def restart(self) -> None:
        """Forget every answer and ask the first question again."""
        self.answers.clear()
        self.history.clear()
        self._show()

    # ------------------------------------------------------------------ display
    def _show(self) -> None:
        self.question = next_question(self.answers)
        self.back_button.disabled = not self.history
        self.option_buttons, self.number, self.next_button = [], None, None
        step = len(self.history) + 1
        if self.question is None:
            self.choice = choice_for(self.answers)
            self.heading.value = "<h3 style='margin:4px 0'>Recommendation</h3>"
            self.body.children = [widgets.HTML(self._recommendation_html(self.choice))]
        else:
            self.choice = None
            q = QUESTIONS[self.question]
            hint = f"<div style='color:#555'>{html.escape(q.hint)}</div>" if q.hint else ""
            self.heading.value = (f"<h3 style='margin:4px 0'>Question {step}</h3>"
                                  f"<div style='font-size:1.1em'><strong>{html.escape(q.text)}</strong></div>{hint}")
            if q.number is not None:
                lo, hi, default = q.number
                self.number = widgets.BoundedIntText(value=default, min=lo, max=hi, description="Number",
                                                     layout=widgets.Layout(width="220px"))
                self.next_button = widgets.Button(description="Next", button_style="primary", icon="arrow-right")
                self.next_button.on_click(lambda _: self.answer(self.number.value))
                self.body.children = [widgets.HBox([self.number, self.next_button])]
            else:
                for label, value in q.options:
                    b = widgets.Button(description=label, tooltip=label,
                                       layout=widgets.Layout(width="auto", min_width="120px"))
                    b.add_class("qikit-answer")
                    b.on_click(lambda _, v=value: self.answer(v))
                    self.option_buttons.append(b)
                self.body.children = self.option_buttons
        self.path.value = self._path_html()

    def _label(self, key: str, value) -> str:
        q = QUESTIONS[key]
        if q.number is not None:
            return str(value)
        return next(label for label, v in q.options if v == value)

    def _path_html(self) -> str:
        if not self.history:
            return ""
        items = "".join(f"<li>{html.escape(QUESTIONS[k].text)} <em>{html.escape(self._label(k, self.answers[k]))}"
                        f"</em></li>" for k in self.history)
        return f"<div style='color:#444;font-size:0.92em'>Your answers:<ol style='margin:2px 0'>{items}</ol></div>"

    @staticmethod
    def _recommendation_html(choice: ChartChoice) -> str:
        spec = CHARTS[choice.chart]
        reason = choice.reason[:1].upper() + choice.reason[1:]
        companion = ""
        if choice.companion:
            companion = (f"<p>Show it with its companion, the {html.escape(CHARTS[choice.companion].title)} "
                         f'(<code>chart="{choice.companion}"</code>).</p>')
        needs_n = spec.denominator == "required"
        n_arg = ', n="denominator"' if needs_n else ""
        call = f'qikit.spc(df, x="date", y="value"{n_arg}, chart="{choice.chart}")'
        return (f"<div class='qikit-recommendation' style='border-left:4px solid #0072B2;background:#EEF4FA;"
                f"padding:6px 12px'><p style='font-size:1.15em;margin:4px 0'><strong>{html.escape(spec.title)}"
                f"</strong></p><p>{html.escape(reason)}</p>{companion}<p>In qikit: <code>{html.escape(call)}</code>"
                "</p></div>")


def choose_chart_quiz() -> ChartQuiz:
    """Which control chart? A guided sequence of questions ending in a recommendation and its reason.

    The questions follow the decision tree of :func:`qikit.choose_chart` (Provost & Murray 2011, ch. 5):
    the kind of data first, then subgroup size, rare events, equal areas of opportunity or very large
    denominators as that branch needs. The last step shows the chart, the reason ``choose_chart`` gives
    and the :func:`qikit.spc` call; "Back" undoes an answer and "Start again" clears them all.

    The result, a :class:`ChartQuiz` (an ``ipywidgets.VBox``), shows itself as a cell's last line.

    Examples
    --------
    >>> from qikit.widgets import choose_chart_quiz
    >>> quiz = choose_chart_quiz()
    >>> quiz.answer("count"); quiz.answer(False); quiz.answer(False); quiz.answer(False)
    >>> quiz.choice.chart
    'u'
    """
    return ChartQuiz()
