"""Answer bank for the autograded assignment questions.

Each row is one answer to one question, written from the question's text in ``assignments/source`` (not
from its hidden tests), with the points a fair tutor gives for each autograded cell of that question.
``kind`` says which of the six kinds of answer it is: model, right (phrased or formatted differently),
misconception, follow (right given the student's own earlier answer), wrong, blank.

Rows: (assignment, answer cell, kind, what the answer is, code for the answer cell, {test cell: points}).
"""

from __future__ import annotations

BLANK = "raise NotImplementedError()"

A1, A2, A3 = "a1_aims_and_measures", "a2_run_charts", "a3_choosing_control_charts"
A4, A5, A6 = "a4_pdsa_ramp", "a5_making_data_count", "a6_sustain_and_spread"

_Q1 = ("a1_q1_test",)
_AIM = ("a1_q2_target", "a1_q2_date", "a1_q2_population", "a1_q2_coherent")
_KINDS = ("a1_q3_outcome", "a1_q3_process", "a1_q3_balancing")
_AIM_WHAT = ("increase the percentage of adults with red-flag sepsis who receive IV antibiotics within one hour "
             "of arrival")


def _pts(cells, *points):
    return dict(zip(cells, points, strict=True))


def _aim(**changes):
    args = {"what": repr(_AIM_WHAT), "how_much": '"90%"', "by_when": '"2026-03-31"',
            "for_whom": '"adults with red-flag sepsis"', "where": '"the emergency department"',
            "baseline": 'f"{baseline_pct:.0f}%"'}
    args.update(changes)
    return "aim = qikit.AimStatement(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"


BANK = [
    # ---------------------------------------------------------------- a1 question 1: the baseline
    (A1, "a1_q1", "model", "pooled percentage",
     'baseline_pct = 100 * audit["within_1h"].sum() / audit["eligible"].sum()', _pts(_Q1, 1)),
    (A1, "a1_q1", "right", "rounded to one decimal, attribute access",
     "baseline_pct = round(audit.within_1h.sum() / audit.eligible.sum() * 100, 1)", _pts(_Q1, 1)),
    (A1, "a1_q1", "right", "numpy integer arithmetic",
     'baseline_pct = np.float64(audit["within_1h"].to_numpy().sum() * 100) / audit["eligible"].to_numpy().sum()',
     _pts(_Q1, 1)),
    (A1, "a1_q1", "misconception", "mean of the weekly percentages",
     'baseline_pct = (100 * audit["within_1h"] / audit["eligible"]).mean()', _pts(_Q1, 0)),
    (A1, "a1_q1", "misconception", "a proportion, not a percentage",
     'baseline_pct = audit["within_1h"].sum() / audit["eligible"].sum()', _pts(_Q1, 0)),
    (A1, "a1_q1", "wrong", "numerator and denominator swapped",
     'baseline_pct = 100 * audit["eligible"].sum() / audit["within_1h"].sum()', _pts(_Q1, 0)),
    (A1, "a1_q1", "blank", "not answered", BLANK, _pts(_Q1, 0)),
    # ---------------------------------------------------------------- a1 question 2: the aim
    (A1, "a1_q2", "model", "the model aim", _aim(), _pts(_AIM, 1, 1, 1, 1)),
    (A1, "a1_q2", "right", "UK date and 'patients aged 16 or over'",
     _aim(what='"increase the percentage of patients with red-flag sepsis given IV antibiotics within an hour"',
          by_when='"31/03/2026"', for_whom='"patients aged 16 or over with red-flag sepsis"'),
     _pts(_AIM, 1, 1, 1, 1)),
    (A1, "a1_q2", "right", "a datetime.date, '90 %' with a space, adults written 18+, baseline to 1 decimal",
     _aim(how_much='"90 %"', by_when="dt.date(2026, 3, 31)", for_whom='"people aged 18+ with red-flag sepsis"',
          baseline='f"{baseline_pct:.1f}%"', what='"give IV antibiotics within one hour of arrival"'),
     _pts(_AIM, 1, 1, 1, 1)),
    (A1, "a1_q2", "right", "the deadline in words",
     _aim(by_when='"31 March 2026"'), _pts(_AIM, 1, 1, 1, 1)),
    # "increase from 63% to 0.9" also reads backwards, so the coherence point goes too
    (A1, "a1_q2", "misconception", "the target as a fraction",
     _aim(how_much='"0.9"'), _pts(_AIM, 0, 1, 1, 0)),
    (A1, "a1_q2", "wrong", "a deadline already past, everyone in the ED, no baseline",
     _aim(by_when='"31/03/2025"', for_whom='"ED patients"', baseline="None",
          what='"increase the percentage of patients who receive IV antibiotics within one hour of arrival"'),
     _pts(_AIM, 1, 0, 0, 0)),
    (A1, "a1_q2", "blank", "not answered", BLANK, _pts(_AIM, 0, 0, 0, 0)),
    # ---------------------------------------------------------------- a1 question 3: kinds of measure
    (A1, "a1_q3", "model", "the model answer",
     'kinds = {1: "process", 2: "outcome", 3: "process", 4: "outcome", 5: "balancing", 6: "balancing"}',
     _pts(_KINDS, 1, 1, 1)),
    (A1, "a1_q3", "right", "capitals, 'measure', ids as text",
     'kinds = {"1": "Process measure", "2": "Outcome measure", "3": "Process", "4": "OUTCOME", '
     '"5": "Balancing measure", "6": "balancing"}', _pts(_KINDS, 1, 1, 1)),
    (A1, "a1_q3", "right", "plurals, hyphens and 'balance'",
     'kinds = {1: "process-measure", 2: "outcomes", 3: " process ", 4: "outcome", 5: "balance", '
     '6: "Balancing measures"}', _pts(_KINDS, 1, 1, 1)),
    (A1, "a1_q3", "misconception", "the aim's own measure taken for an outcome",
     'kinds = {1: "outcome", 2: "outcome", 3: "process", 4: "outcome", 5: "balancing", 6: "balancing"}',
     _pts(_KINDS, 1, 0, 1)),
    (A1, "a1_q3", "wrong", "everything an outcome",
     "kinds = {i: 'outcome' for i in range(1, 7)}", _pts(_KINDS, 0, 0, 0)),
    (A1, "a1_q3", "blank", "not answered", BLANK, _pts(_KINDS, 0, 0, 0)),
]

# ---------------------------------------------------------------- a2: run charts
_MED, _RUN = ("a2_q1_test",), ("a2_q2_test",)
_SIG = ("a2_q3_shift", "a2_q3_crossings")
_WEEK = ("a2_q4_test",)
BANK += [
    (A2, "a2_q1", "model", "qikit's run chart centre line",
     'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
     'median_minutes = float(run.data["cl"].iloc[0])', _pts(_MED, 1)),
    (A2, "a2_q1", "right", "pandas median",
     'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
     'median_minutes = door_to_abx["minutes"].median()', _pts(_MED, 1)),
    (A2, "a2_q1", "right", "the 50th percentile with numpy",
     'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
     'median_minutes = np.percentile(door_to_abx.minutes.to_numpy(), 50)', _pts(_MED, 1)),
    (A2, "a2_q1", "misconception", "the mean",
     'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
     'median_minutes = door_to_abx["minutes"].mean()', _pts(_MED, 0)),
    (A2, "a2_q1", "wrong", "the first week's value",
     'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
     'median_minutes = float(door_to_abx["minutes"].iloc[0])', _pts(_MED, 0)),
    (A2, "a2_q1", "blank", "not answered", BLANK, _pts(_MED, 0)),
    (A2, "a2_q2", "model", "qikit's longest run", 'longest_run = int(run.data["longest_run"].iloc[0])', _pts(_RUN, 1)),
    (A2, "a2_q2", "right", "typed by hand from the chart, as a float", "longest_run = 11.0", _pts(_RUN, 1)),
    (A2, "a2_q2", "right", "from summary()", 'longest_run = run.summary()["longest_run"].max()', _pts(_RUN, 1)),
    (A2, "a2_q2", "misconception", "points on the median counted as breaking the run",
     "_side = np.sign(door_to_abx.minutes - door_to_abx.minutes.median())\n"
     "longest_run = int(_side.groupby((_side != _side.shift()).cumsum()).size().max())", _pts(_RUN, 0)),
    (A2, "a2_q2", "wrong", "the number of points", "longest_run = 36", _pts(_RUN, 0)),
    (A2, "a2_q2", "blank", "not answered", BLANK, _pts(_RUN, 0)),
    (A2, "a2_q3", "model", "from qikit's limits",
     'shift_signal = bool(run.data["longest_run"].iloc[0] > run.data["longest_run_max"].iloc[0])\n'
     'crossings_signal = bool(run.data["n_crossings"].iloc[0] < run.data["n_crossings_min"].iloc[0])',
     _pts(_SIG, 1, 1)),
    (A2, "a2_q3", "right", "typed", "shift_signal, crossings_signal = True, True", _pts(_SIG, 1, 1)),
    (A2, "a2_q3", "right", "numpy booleans from summary()",
     "_s = run.summary().iloc[0]\nshift_signal = np.bool_(_s.longest_run > _s.longest_run_max)\n"
     "crossings_signal = np.bool_(_s.n_crossings < _s.n_crossings_min)", _pts(_SIG, 1, 1)),
    (A2, "a2_q3", "misconception", "a long run is not a signal unless a point is outside limits",
     "shift_signal, crossings_signal = False, False", _pts(_SIG, 0, 0)),
    (A2, "a2_q3", "wrong", "the rules swapped", "shift_signal, crossings_signal = True, False", _pts(_SIG, 1, 0)),
    (A2, "a2_q3", "blank", "not answered", BLANK, _pts(_SIG, 0, 0)),
    (A2, "a2_q4", "model", "the first point of the first long run",
     'first_shift = run.signals.loc[run.signals["rule"] == "anhoej_shift", "x"].min()', _pts(_WEEK, 1)),
    (A2, "a2_q4", "right", "a UK date in text", 'first_shift = "20/05/2024"', _pts(_WEEK, 1)),
    (A2, "a2_q4", "right", "a datetime.date", "first_shift = dt.date(2024, 5, 20)", _pts(_WEEK, 1)),
    (A2, "a2_q4", "misconception", "the week the run became long enough to signal",
     '_useful, _starts, _lengths = _runs_about(door_to_abx.minutes, door_to_abx.minutes.median())\n'
     '_i = int(np.flatnonzero(_lengths > round(np.log2(len(_useful))) + 3)[0])\n'
     'first_shift = door_to_abx.week.iloc[_useful[_starts[_i] + round(np.log2(len(_useful))) + 3]]', _pts(_WEEK, 0)),
    (A2, "a2_q4", "wrong", "the first week of the data", 'first_shift = "2024-01-01"', _pts(_WEEK, 0)),
    (A2, "a2_q4", "blank", "not answered", BLANK, _pts(_WEEK, 0)),
]

# follow-through: a wrong centre line in question 1, with the later questions worked correctly from it
FOLLOW_THROUGH = [
    (A2, {"a2_q1": 'run = qikit.spc(door_to_abx, x="week", y="minutes", chart="run")\n'
                   'median_minutes = door_to_abx["minutes"].mean()',
          "a2_q2": "_useful, _starts, _lengths = _runs_about(door_to_abx.minutes.to_numpy(), median_minutes)\n"
                   "longest_run = int(_lengths.max())",
          "a2_q3": "shift_signal = bool(longest_run > round(np.log2(36)) + 3)\n"
                   'crossings_signal = bool(run.data["n_crossings"].iloc[0] < run.data["n_crossings_min"].iloc[0])'},
     {"a2_q1_test": 0, "a2_q2_test": 1}),
]

# ---------------------------------------------------------------- a3: choosing control charts
_A = ("a3_a_chart", "a3_a_cl", "a3_a_limits")
_B = ("a3_b_chart", "a3_b_cl", "a3_b_limits")
_C = ("a3_c_chart", "a3_c_cl", "a3_c_limits")
_P = 'vte["assessed"].sum() / vte["admissions"].sum()'
BANK += [
    (A3, "a3_a", "model", "qikit's p chart",
     'chart_a = qikit.choose_chart("classification").chart\n'
     'res_a = qikit.spc(vte, x="week", y="assessed", n="admissions", chart=chart_a)\n'
     'cl_a = res_a.data["cl"].iloc[0]\nlcl_a, ucl_a = res_a.data["lcl"], res_a.data["ucl"]', _pts(_A, 1, 1, 1)),
    (A3, "a3_a", "right", "by hand, as percentages rounded to two decimals, 'P chart'",
     f'chart_a = "P chart"\n_p = {_P}\n_s = np.sqrt(_p * (1 - _p) / vte["admissions"])\n'
     "cl_a = round(100 * _p, 2)\nlcl_a = (100 * (_p - 3 * _s)).round(2)\nucl_a = (100 * (_p + 3 * _s)).round(2)",
     _pts(_A, 1, 1, 1)),
    (A3, "a3_a", "right", "fractions to two decimals as the question allows, limits clipped to 0-1",
     f'chart_a = "p"\n_p = {_P}\n_s = np.sqrt(_p * (1 - _p) / vte["admissions"].to_numpy())\n'
     "cl_a = round(_p, 2)\nlcl_a = np.clip(_p - 3 * _s, 0, 1).round(2)\nucl_a = np.clip(_p + 3 * _s, 0, 1).round(2)",
     _pts(_A, 1, 1, 1)),
    (A3, "a3_a", "misconception", "the mean of the weekly proportions, an I chart of percentages",
     '_pct = 100 * vte["assessed"] / vte["admissions"]\nchart_a = "i"\ncl_a = _pct.mean()\n'
     "_mr = _pct.diff().abs().mean()\nlcl_a, ucl_a = cl_a - 2.66 * _mr, cl_a + 2.66 * _mr", _pts(_A, 0, 0, 0)),
    (A3, "a3_a", "wrong", "a c chart of the counts",
     'chart_a = "c"\ncl_a = vte["assessed"].mean()\nlcl_a, ucl_a = cl_a - 3 * np.sqrt(cl_a), cl_a + 3 * np.sqrt(cl_a)',
     _pts(_A, 0, 0, 0)),
    (A3, "a3_a", "blank", "not answered", BLANK, _pts(_A, 0, 0, 0)),
    (A3, "a3_b", "model", "qikit's I chart",
     'chart_b = qikit.choose_chart("measurement", subgroup_size=1).chart\n'
     'res_b = qikit.spc(los, x="patient", y="los_days", chart=chart_b)\n'
     'cl_b, lcl_b, ucl_b = res_b.summary().loc[0, ["cl", "lcl", "ucl"]]', _pts(_B, 1, 1, 1)),
    (A3, "a3_b", "right", "'XmR', by hand with 2.66, negative lower limit as 0, two decimals",
     '_y = los["los_days"]\nchart_b = "XmR"\ncl_b = round(_y.mean(), 2)\n_mr = _y.diff().abs().mean()\n'
     "ucl_b = round(_y.mean() + 2.66 * _mr, 2)\nlcl_b = max(0, round(_y.mean() - 2.66 * _mr, 2))", _pts(_B, 1, 1, 1)),
    (A3, "a3_b", "right", "'individuals chart', sigma as MR-bar / 1.128",
     '_y = los["los_days"].to_numpy()\nchart_b = "Individuals chart"\ncl_b = _y.mean()\n'
     "_sigma = np.abs(np.diff(_y)).mean() / 1.128\nlcl_b, ucl_b = cl_b - 3 * _sigma, cl_b + 3 * _sigma",
     _pts(_B, 1, 1, 1)),
    (A3, "a3_b", "misconception", "limits from the overall standard deviation",
     '_y = los["los_days"]\nchart_b = "i"\ncl_b = _y.mean()\nlcl_b, ucl_b = cl_b - 3 * _y.std(), cl_b + 3 * _y.std()',
     _pts(_B, 1, 1, 0)),
    (A3, "a3_b", "wrong", "a run chart with the median",
     '_y = los["los_days"]\nchart_b = "run"\ncl_b = _y.median()\nlcl_b, ucl_b = _y.min(), _y.max()',
     _pts(_B, 0, 0, 0)),
    (A3, "a3_b", "blank", "not answered", BLANK, _pts(_B, 0, 0, 0)),
    (A3, "a3_c", "model", "qikit's t chart",
     'chart_c = qikit.choose_chart("rare", between="days").chart\n'
     'res_c = qikit.spc(ulcers, x="found", y="days_since_previous", chart=chart_c)\n'
     'cl_c, lcl_c, ucl_c = res_c.summary().loc[0, ["cl", "lcl", "ucl"]]', _pts(_C, 1, 1, 1)),
    (A3, "a3_c", "right", "'T-chart' by hand on the 1/3.6 power scale",
     '_t = ulcers["days_since_previous"].to_numpy() ** (1 / 3.6)\nchart_c = "T-chart"\n'
     "_s = np.abs(np.diff(_t)).mean() / 1.128\ncl_c = _t.mean() ** 3.6\n"
     "lcl_c, ucl_c = max(_t.mean() - 3 * _s, 0) ** 3.6, (_t.mean() + 3 * _s) ** 3.6", _pts(_C, 1, 1, 1)),
    (A3, "a3_c", "right", "a g chart of the days between ulcers (notebook 06), with its own limits",
     '_g = qikit.spc(ulcers, x="found", y="days_since_previous", chart="g")\nchart_c = "g chart"\n'
     'cl_c, lcl_c, ucl_c = _g.summary().loc[0, ["cl", "lcl", "ucl"]]', _pts(_C, 1, 1, 1)),
    (A3, "a3_c", "misconception", "an I chart on the raw gaps",
     '_d = ulcers["days_since_previous"]\nchart_c = "i"\ncl_c = _d.mean()\n_mr = _d.diff().abs().mean()\n'
     "lcl_c, ucl_c = cl_c - 2.66 * _mr, cl_c + 2.66 * _mr", _pts(_C, 0, 0, 0)),
    (A3, "a3_c", "wrong", "a p chart with made-up numbers",
     'chart_c = "p"\ncl_c, lcl_c, ucl_c = 0.5, 0.0, 1.0', _pts(_C, 0, 0, 0)),
    (A3, "a3_c", "blank", "not answered", BLANK, _pts(_C, 0, 0, 0)),
]

# ---------------------------------------------------------------- a4: a ramp of PDSA cycles (one answer cell)
_R = ("a4_ramp", "a4_predictions", "a4_scale", "a4_measures", "a4_study", "a4_act")
_RAMP = '''RAMP = "Criteria-led discharge"
log = qikit.PDSALog("Discharge before noon, ward 7")
log.add_ramp(RAMP, change_idea=CHANGE_IDEA)
before_noon = qikit.Measure("Discharges before noon (%)", "process",
    "Patients discharged from ward 7 before 12:00 as a percentage of all discharges, from the bed system",
    numerator="discharges before 12:00", denominator="all discharges", direction="increase", frequency="daily")
cycle_measures = {{}}
for number, (scale, predicted, start) in enumerate({plan}, start=1):
    title = f"Cycle {{number}}"
    seen = observe(number, scale)
    met = seen >= predicted
    act = ({act})
    log.add(qikit.PDSACycle(title, objective="Can nurses discharge against criteria?",
        prediction={prediction}, plan="Criteria on the morning round", do={do},
        study={study}, act=act, start=start, scale=scale), ramp=RAMP)
    cycle_measures[title] = before_noon
'''
_PLAN = '[(1, 1, "2025-10-06"), (5, 4, "2025-10-07"), (15, 12, "2025-10-13"), (15, 12, "2025-10-20")]'
_ACT = ('"adapt: test again at the same scale" if not met else '
        '("adopt: standard work" if number == 4 else "adapt: test on more patients")')


def _ramp(plan=_PLAN, act=_ACT, prediction='f"{predicted} of {scale} patients discharged before noon"',
          do='f"{seen} of {scale} patients discharged before noon"',
          study='("Prediction met" if met else "Prediction not met") + f": {seen} of {scale}"'):
    return _RAMP.format(plan=plan, act=act, prediction=prediction, do=do, study=study)


_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen").split()
BANK += [
    (A4, "a4_answer", "model", "the model ramp", None, _pts(_R, 1, 1, 1, 1, 1, 1)),
    (A4, "a4_answer", "right", "natural wording: 'we expect 4 out of the 5 ...', 'met the prediction'",
     _ramp(prediction='f"We expect {predicted} out of the {scale} patients to go home before midday"',
           study='("We met the prediction" if met else "We fell short of the prediction") + f" ({seen}/{scale})"'),
     _pts(_R, 1, 1, 1, 1, 1, 1)),
    (A4, "a4_answer", "right", "numbers in words and 'K/N'",
     "_W = " + repr(_WORDS) + "\n" +
     _ramp(prediction='f"{_W[predicted]} of {_W[scale]} patients will leave before noon"',
           do='f"{seen}/{scale} patients left before noon"',
           study='"Prediction met" if met else "Prediction not met"'),
     _pts(_R, 1, 1, 1, 1, 1, 1)),
    (A4, "a4_answer", "misconception", "a prediction with no number ('it will work')",
     _ramp(prediction='"It will work"'), _pts(_R, 1, 0, 1, 1, 0, 1)),
    (A4, "a4_answer", "wrong", "predictions left as 'x'", _ramp(prediction='"x"'), _pts(_R, 1, 0, 1, 1, 0, 1)),
    (A4, "a4_answer", "misconception", "starts with the whole ward",
     _ramp(plan='[(30, 25, "2025-10-06"), (30, 25, "2025-10-13"), (30, 25, "2025-10-20")]',
           act='"adapt: test again" if not met else "adopt: standard work"'), _pts(_R, 1, 1, 0, 1, 1, 1)),
    (A4, "a4_answer", "blank", "not answered", BLANK, _pts(_R, 0, 0, 0, 0, 0, 0)),
]

# ---------------------------------------------------------------- a5: a Making Data Count board
_M = ("a5_q1_measure", "a5_q1_settings")
_Q2 = ("a5_q2_rebase",)
_V = ("a5_q3_variation", "a5_q3_assurance")
_PERF = 'perf = ae[(ae["org_code"] == TRUST) & (ae["type"] == "1")].sort_values("period").copy()\n'
_BOARD = 'board = qikit.mdc(perf, x="period", y="pct_4h", improvement="increase", target=TARGET, rebase={r})'
BANK += [
    (A5, "a5_q1", "model", "the model board", None, _pts(_M, 1, 1)),
    (A5, "a5_q1", "right", "within four hours from breaches, target typed as 95",
     _PERF + 'perf["pct_4h"] = 100 - 100 * perf.breaches / perf.attendances\n'
     'board_before = qikit.mdc(perf, x="period", y="pct_4h", improvement="increase", target=95)', _pts(_M, 1, 1)),
    (A5, "a5_q1", "right", "another column name, with a query",
     'perf = ae.query("org_code == @TRUST and type == \'1\'").sort_values("period").copy()\n'
     'perf["within_4h"] = 100 * (perf.attendances - perf.breaches) / perf.attendances\n'
     'perf["pct_4h"] = perf["within_4h"]\n'
     'board_before = qikit.mdc(perf, x="period", y="within_4h", improvement="increase", target=95.0)',
     _pts(_M, 1, 1)),
    (A5, "a5_q1", "misconception", "the percentage that breached",
     _PERF + 'perf["pct_4h"] = 100 * perf.breaches / perf.attendances\n'
     'board_before = qikit.mdc(perf, x="period", y="pct_4h", improvement="decrease", target=TARGET)',
     _pts(_M, 0, 0)),
    (A5, "a5_q1", "wrong", "all departments, no target",
     'perf = ae[ae["org_code"] == TRUST].groupby("period", as_index=False)[["attendances", "breaches"]].sum()\n'
     'perf["pct_4h"] = 100 * (1 - perf.breaches / perf.attendances)\n'
     'board_before = qikit.mdc(perf, x="period", y="pct_4h", improvement="increase")', _pts(_M, 0, 0)),
    (A5, "a5_q1", "blank", "not answered", BLANK, _pts(_M, 0, 0)),
    (A5, "a5_q2", "model", "the model re-baseline", None, _pts(_Q2, 1)),
    (A5, "a5_q2", "right", "a UK date, day first", 'rebase_at = "01/06/2017"\n' + _BOARD.format(r="[rebase_at]"),
     _pts(_Q2, 1)),
    (A5, "a5_q2", "right", "the month in words", 'rebase_at = "June 2017"\n' + _BOARD.format(r='["2017-06-01"]'),
     _pts(_Q2, 1)),
    (A5, "a5_q2", "misconception", "re-baselining at the worst month (norovirus)",
     'rebase_at = "2017-01-01"\n' + _BOARD.format(r="[rebase_at]"), _pts(_Q2, 0)),
    (A5, "a5_q2", "wrong", "no re-baselining", "rebase_at = None\nboard = board_before", _pts(_Q2, 0)),
    (A5, "a5_q2", "blank", "not answered", BLANK, _pts(_Q2, 0)),
    (A5, "a5_q3", "model", "qikit's words", None, _pts(_V, 1, 1)),
    (A5, "a5_q3", "right", "Making Data Count's words",
     'variation, assurance = "Common cause variation", "Hit and miss: the target lies within the limits"',
     _pts(_V, 1, 1)),
    (A5, "a5_q3", "right", "short forms", 'variation, assurance = "common", "inconsistent"', _pts(_V, 1, 1)),
    (A5, "a5_q3", "misconception", "read from the chart before re-baselining",
     'variation, assurance = "common cause", "consistently fail"', _pts(_V, 1, 0)),
    (A5, "a5_q3", "wrong", "improvement and pass", 'variation, assurance = "special cause improvement", "pass"',
     _pts(_V, 0, 0)),
    (A5, "a5_q3", "blank", "not answered", BLANK, _pts(_V, 0, 0)),
]

# ---------------------------------------------------------------- a6: sustain and spread
_F = ("a6_q1_planning", "a6_q1_control", "a6_q1_assurance", "a6_q1_improvement")
_S = ("a6_q2_weakest", "a6_q2_divided")
BANK += [
    (A6, "a6_q1", "model", "the model answer", None, _pts(_F, 1, 1, 1, 1)),
    (A6, "a6_q1", "right", "full names with capitals and hyphens, ids as text",
     'functions = {"1": "Quality planning", "2": "Quality-control", "3": "Quality Assurance", '
     '"4": "quality improvement", "5": "Planning", "6": "quality_control", "7": "assurance", "8": "QI"}',
     _pts(_F, 1, 1, 1, 1)),
    (A6, "a6_q1", "right", "abbreviations",
     'functions = {1: "QP", 2: "QC", 3: "QA", 4: "QI", 5: "qp", 6: "qc", 7: "qa", 8: "qi"}', _pts(_F, 1, 1, 1, 1)),
    (A6, "a6_q1", "misconception", "a re-audit taken for improvement",
     'functions = {1: "planning", 2: "control", 3: "assurance", 4: "improvement", 5: "planning", 6: "control", '
     '7: "improvement", 8: "improvement"}', _pts(_F, 1, 1, 0, 1)),
    (A6, "a6_q1", "wrong", "everything is improvement", "functions = {i: 'improvement' for i in range(1, 9)}",
     _pts(_F, 0, 0, 0, 0)),
    (A6, "a6_q1", "blank", "not answered", BLANK, _pts(_F, 0, 0, 0, 0)),
    (A6, "a6_q2", "model", "the model answer", None, _pts(_S, 1, 1)),
    (A6, "a6_q2", "right", "full factor names in another order",
     'sa = qikit.SustainabilityAssessment.from_frame(ratings)\ntable = sa.summary()\n'
     'weakest = list(table["factor"].head(3))[::-1]\ndivided = list(table.loc[table["divided"], "factor"])',
     _pts(_S, 1, 1)),
    (A6, "a6_q2", "right", "worked out with pandas, keys in capitals",
     "weakest = [k.upper() for k in ratings.mean().sort_values(kind='stable').index[:3]]\n"
     "_spread = ratings.max() - ratings.min()\ndivided = list(_spread.index[_spread >= 2])\n"
     "weakest = [w.lower() for w in weakest]", _pts(_S, 1, 1)),
    (A6, "a6_q2", "misconception", "the strongest factors, and every factor with any disagreement",
     "weakest = list(ratings.mean().sort_values().index[-3:])\n"
     "divided = list(ratings.columns[(ratings.max() - ratings.min()) >= 1])", _pts(_S, 0, 0)),
    (A6, "a6_q2", "wrong", "made up", 'weakest = ["fit", "fit", "fit"]\ndivided = ["senior_leadership"]',
     _pts(_S, 0, 0)),
    (A6, "a6_q2", "blank", "not answered", BLANK, _pts(_S, 0, 0)),
]

# ---------------------------------------------------------------- a8: a project write-up from a Project file
A8 = "a8_project_writeup"
_A8_DATA = ("a8_q1_data", "a8_q1_spec")
_A8_AIM = ("a8_q2_baseline", "a8_q2_smart")
_A8_MEASURES = ("a8_q3_balancing", "a8_q3_definitions")
_A8_LOG = ("a8_q4_pdsa", "a8_q4_stakeholders")
_A8_WRITE = ("a8_q5_sections", "a8_q5_saved")
_A8_FIX = 'p.data.loc[p.data["month"] == "01/02/2025", "bed_days"] = 744\n'
_A8_U = ('p.data_spec = {"x": "month", "y": "falls", "n": "bed_days", "chart": "u", "multiply": 1000, '
         '"freeze": 12, "title": "Falls per 1,000 bed-days"}')


def _a8_aim(baseline='f"{baseline_rate:.1f} falls per 1,000 bed-days"', by_when='"31/03/2026"',
            how_much='"5 falls per 1,000 bed-days"', for_whom='"patients on ward 7"', rate="head(12)"):
    return (f'_b = p.data.{rate}\nbaseline_rate = 1000 * _b["falls"].sum() / _b["bed_days"].sum()\n'
            f'p.aim = qikit.AimStatement("reduce inpatient falls on ward 7", {how_much}, {by_when}, {for_whom}, '
            f"baseline={baseline})")


_A8_PROCESS = ('qikit.Measure("Lying and standing BP within 24 h (%)", "process", "Admissions with both readings '
               'within 24 hours, weekly audit of ten records", numerator="admissions with both readings", '
               'denominator="admissions audited", direction="increase", frequency="weekly")')


def _a8_measures(balancing, process=_A8_PROCESS):
    return f"p.measures = [p.measures[0], {process}, {balancing}]"


_A8_OBS = ('qikit.Measure("Enhanced observation hours", "balancing", "Hours of one-to-one observation booked from '
           'the bank for ward 7 each week", frequency="weekly")')
_A8_STUDY = '"5 of 10 against 8 predicted: only one manual cuff on the ward"'
_A8_ENGAGE = ('p.stakeholders[1]["engage"] = "Meet him before governance with the falls chart"\n'
              'p.stakeholders[3]["engage"] = "Monthly email of the chart and an invitation to the review"')


def _a8_cycle(**fields):
    args = {"study": _A8_STUDY, "act": '"adapt: a cuff on every trolley, then test again"', **fields}
    return "p.pdsa[1] = dataclasses.replace(p.pdsa[1], " + ", ".join(f"{k}={v}" for k, v in args.items()) + ")\n"


_A8_NOTES = {
    "abstract": ("Ward 7 cares for 28 frail older patients and had around eight falls a month. We aimed to cut falls "
                 "from 9.4 to 5 per 1,000 occupied bed-days by the end of March 2026. We tested bay tagging and "
                 "lying and standing blood pressure in PDSA cycles and plotted a u chart of the monthly rate. Twelve "
                 "months in a row fell below the baseline mean from April 2025, a shift, and the rate since then is "
                 "about 4.5, so the aim was met."),
    "ethical_considerations": ("Service improvement, not research, according to the HRA decision tool; registered "
                               "with the trust QI team, using only anonymous monthly counts."),
    "results": ("From April 2025 all twelve months sit below the baseline centre line of 9.4 per 1,000 bed-days, a "
                "shift by the runs rules, with no point beyond the limits; cycle 2 reached 5 of 10 admissions "
                "against a prediction of 8."),
    "summary": "Falls dropped from 9.4 to about 4.5 per 1,000 bed-days once bay tagging started.",
    "interpretation": ("The timing points to bay tagging, which began the month the shift started and spread to "
                       "nights; lying and standing blood pressure was not yet reliable enough to be the reason, and "
                       "the balancing measure is too new to judge any cost."),
    "limitations": ("Datix relies on staff reporting, the case mix varied over the winter, and one ward cannot "
                    "exclude other causes."),
    "conclusions": ("Bay tagging is now written into the ward's procedures and the chart goes to the monthly "
                    "governance meeting; the blood pressure change will be adapted and bay tagging tested on ward 8."),
}


def _a8_write(notes=None, before="", after='p.save()\nreport_path = p.report()'):
    notes = _A8_NOTES if notes is None else notes
    return before + "p.notes.update(" + repr(notes) + ")\n" + after


BANK += [
    # ---------------------------------------------------------------- a8 question 1: data and chart
    (A8, "a8_q1", "model", "the model answer", None, _pts(_A8_DATA, 1, 1)),
    (A8, "a8_q1", "right", "by position, 'U chart', no freeze",
     'p.data.iloc[10, p.data.columns.get_loc("bed_days")] = 744\n'
     'p.data_spec = dict(x="month", y="falls", n="bed_days", chart="U chart", multiply=1000, title="Falls")',
     _pts(_A8_DATA, 1, 1)),
    (A8, "a8_q1", "right", "the impossible value found by the ward's capacity and divided by ten",
     'too_many = p.data["bed_days"] > 28 * 31\n'
     'p.data.loc[too_many, "bed_days"] = p.data.loc[too_many, "bed_days"] // 10\n' + _A8_U.replace('"u"', '"u-chart"'),
     _pts(_A8_DATA, 1, 1)),
    (A8, "a8_q1", "misconception", "the p chart kept for a rate",
     _A8_FIX + _A8_U.replace('"u"', '"p"'), _pts(_A8_DATA, 1, 0)),
    (A8, "a8_q1", "misconception", "the month with the wrong bed-days deleted",
     'p.data = p.data[p.data["bed_days"] < 1000].reset_index(drop=True)\n' + _A8_U, _pts(_A8_DATA, 0, 1)),
    (A8, "a8_q1", "misconception", "a u chart read per bed-day (no multiply)",
     _A8_FIX + 'p.data_spec = {"x": "month", "y": "falls", "n": "bed_days", "chart": "u", "title": "Falls"}',
     _pts(_A8_DATA, 1, 0)),
    (A8, "a8_q1", "wrong", "every month divided by ten, falls charted without bed-days",
     'p.data["bed_days"] = p.data["bed_days"] / 10\n'
     'p.data_spec = {"x": "month", "y": "falls", "chart": "c", "title": "Falls"}', _pts(_A8_DATA, 0, 0)),
    (A8, "a8_q1", "blank", "not answered", BLANK, _pts(_A8_DATA, 0, 0)),
    # ---------------------------------------------------------------- a8 question 2: the aim
    (A8, "a8_q2", "model", "the model answer", None, _pts(_A8_AIM, 1, 1)),
    (A8, "a8_q2", "right", "the baseline as a number to two decimals, ISO deadline",
     _a8_aim(baseline="round(baseline_rate, 2)", by_when='"2026-03-31"'), _pts(_A8_AIM, 1, 1)),
    (A8, "a8_q2", "right", "deadline in words, 'occupied bed-days'",
     _a8_aim(baseline='f"{baseline_rate:.1f} per 1,000 occupied bed-days"', by_when='"31 March 2026"',
             how_much='"5 per 1,000 occupied bed-days"', for_whom='"older inpatients"'), _pts(_A8_AIM, 1, 1)),
    (A8, "a8_q2", "misconception", "the baseline over all 24 months, after the changes too",
     _a8_aim(rate="copy()"), _pts(_A8_AIM, 0, 1)),
    (A8, "a8_q2", "misconception", "falls a month (a count) as the baseline",
     '_b = p.data.head(12)\nbaseline_rate = _b["falls"].mean()\n'
     'p.aim = qikit.AimStatement("reduce inpatient falls on ward 7", "5 falls per 1,000 bed-days", "31/03/2026", '
     '"patients on ward 7", baseline=f"{baseline_rate:.1f} falls per 1,000 bed-days")', _pts(_A8_AIM, 0, 1)),
    (A8, "a8_q2", "wrong", "the deadline left a year early", _a8_aim(by_when='"31/03/2025"'), _pts(_A8_AIM, 1, 0)),
    (A8, "a8_q2", "wrong", "a bare target and no population",
     _a8_aim(how_much="5", for_whom="None"), _pts(_A8_AIM, 1, 0)),
    (A8, "a8_q2", "blank", "not answered", BLANK, _pts(_A8_AIM, 0, 0)),
    # ---------------------------------------------------------------- a8 question 3: the family of measures
    (A8, "a8_q3", "model", "the model answer", None, _pts(_A8_MEASURES, 1, 1)),
    (A8, "a8_q3", "right", "bed rails as the balancing measure, the process measure completed in place",
     'p.measures[1] = qikit.Measure.from_dict({**p.measures[1].to_dict(), "numerator": "admissions with both '
     'readings", "denominator": "admissions"})\np.measures.append(qikit.Measure("Bed rails raised", "balancing", '
     '"Patients with bed rails raised at the midday safety check, counted weekly", frequency="weekly"))',
     _pts(_A8_MEASURES, 1, 1)),
    (A8, "a8_q3", "right", "staff overtime, capital letters in the kind",
     _a8_measures('qikit.Measure("Nursing overtime hours", "Balancing", "Overtime hours claimed by ward 7 nurses '
                  'each week, from the e-rostering system", frequency="weekly")'), _pts(_A8_MEASURES, 1, 1)),
    (A8, "a8_q3", "misconception", "falls with harm taken for a balancing measure",
     _a8_measures('qikit.Measure("Falls with harm", "balancing", "Falls on Datix graded moderate harm or worse '
                  'each month")'), _pts(_A8_MEASURES, 0, 1)),
    (A8, "a8_q3", "misconception", "the incomplete process measure dropped instead of completed",
     f"p.measures = [p.measures[0], {_A8_OBS}]", _pts(_A8_MEASURES, 1, 0)),
    (A8, "a8_q3", "wrong", "another outcome measure added, the process measure left as it was",
     'p.measures.append(qikit.Measure("Falls per month", "outcome", "Falls on Datix each month"))',
     _pts(_A8_MEASURES, 0, 0)),
    (A8, "a8_q3", "blank", "not answered", BLANK, _pts(_A8_MEASURES, 0, 0)),
    # ---------------------------------------------------------------- a8 question 4: PDSA log and stakeholders
    (A8, "a8_q4", "model", "the model answer", None, _pts(_A8_LOG, 1, 1)),
    (A8, "a8_q4", "right", "abandoned, rebuilt from to_dict, engagement by position",
     'p.pdsa[1] = qikit.PDSACycle.from_dict({**p.pdsa[1].to_dict(), "study": "Half the admissions, well short of '
     'the 8 predicted", "act": "Abandon: move the check to the frailty team"})\n' + _A8_ENGAGE,
     _pts(_A8_LOG, 1, 1)),
    (A8, "a8_q4", "right", "'Adapt -' with a capital and a dash, new stakeholder dicts",
     _a8_cycle(act='"Adapt - buy two more manual cuffs and repeat"')
     + 'p.stakeholders = [{**s, "engage": s["engage"] or "Fortnightly update with the run chart, in person"} '
       "for s in p.stakeholders]", _pts(_A8_LOG, 1, 1)),
    (A8, "a8_q4", "misconception", "the prediction rewritten to match what happened",
     _a8_cycle(prediction='"5 of 10 admissions have lying and standing BP within 24 hours"',
               study='"As predicted"') + _A8_ENGAGE, _pts(_A8_LOG, 0, 1)),
    (A8, "a8_q4", "misconception", "adopted although the test fell well short",
     _a8_cycle(act='"adopt: lying and standing BP for every admission"') + _A8_ENGAGE, _pts(_A8_LOG, 0, 1)),
    (A8, "a8_q4", "wrong", "a one-word engagement plan",
     _a8_cycle() + 'p.stakeholders[1]["engage"] = "Email"\np.stakeholders[3]["engage"] = "Email"',
     _pts(_A8_LOG, 1, 0)),
    (A8, "a8_q4", "wrong", "a new cycle added instead of completing cycle 2",
     'p.pdsa.append(qikit.PDSACycle("Cycle 2b", "BP again", "8 of 10", "One week", start="2025-06-09"))\n'
     + _A8_ENGAGE, _pts(_A8_LOG, 0, 1)),
    (A8, "a8_q4", "blank", "not answered", BLANK, _pts(_A8_LOG, 0, 0)),
    # ---------------------------------------------------------------- a8 question 5: write, save, report
    (A8, "a8_q5", "model", "the model answer", None, _pts(_A8_WRITE, 1, 1)),
    (A8, "a8_q5", "right", "shorter sections in other words, the report under its own name",
     _a8_write(after='p.save()\nreport_path = p.report(WORK / "falls-report.html")'), _pts(_A8_WRITE, 1, 1)),
    (A8, "a8_q5", "right", "sections one at a time, saved as a copy, report beside it",
     "".join(f"p.notes[{k!r}] = {v!r}\n" for k, v in _A8_NOTES.items())
     + 'p.save_as(WORK / "my_copy.qiproject.json")\nreport_path = p.report()', _pts(_A8_WRITE, 1, 1)),
    (A8, "a8_q5", "misconception", "saved and reported before writing the sections",
     _a8_write(before='p.save()\nreport_path = p.report()\n', after=""), _pts(_A8_WRITE, 1, 0)),
    (A8, "a8_q5", "misconception", "one paragraph pasted into every section",
     _a8_write(notes={k: _A8_NOTES["abstract"] for k in _A8_NOTES}), _pts(_A8_WRITE, 0, 1)),
    (A8, "a8_q5", "wrong", "a one-line abstract and no limitations",
     _a8_write(notes={**{k: v for k, v in _A8_NOTES.items() if k != "limitations"}, "abstract": "Falls went down."}),
     _pts(_A8_WRITE, 0, 1)),
    (A8, "a8_q5", "wrong", "written but never saved, no report",
     _a8_write(after="report_path = None"), _pts(_A8_WRITE, 1, 0)),
    (A8, "a8_q5", "blank", "not answered", BLANK, _pts(_A8_WRITE, 0, 0)),
]

# a8 follow-through: the bed-days typo left in question 1, the baseline worked correctly from those data
FOLLOW_THROUGH += [
    (A8, {"a8_q1": _A8_U, "a8_q2": _a8_aim()},
     {"a8_q1_data": 0, "a8_q1_spec": 1, "a8_q2_baseline": 1, "a8_q2_smart": 1}),
]

# ---------------------------------------------------------------- a7: people and change
A7 = "a7_people_and_change"
_G = ("a7_q1_manage", "a7_q1_satisfied", "a7_q1_informed", "a7_q1_monitor")
_V = ("a7_q2_patients", "a7_q2_frontline", "a7_q2_sceptic")
_PLANNED_REID = '{**draft[0], "engage": "a short meeting with her own unit\'s data; ask one thing of her"}'
BANK += [
    (A7, "a7_q1", "model", "the model answer", None, _pts(_G, 1, 1, 1, 1)),
    (A7, "a7_q1", "right", "capitals, hyphens, short forms, ids as text",
     'quadrants = {"1": "Manage closely", "2": "manage-closely", "3": "Keep Satisfied", "4": "satisfy", '
     '"5": "keep_informed", "6": "inform", "7": "Monitor", "8": "monitoring"}', _pts(_G, 1, 1, 1, 1)),
    (A7, "a7_q1", "right", "built from the grid with qikit",
     "from qikit.improve.stakeholders import quadrant_of\n"
     "_levels = {1: ('high', 'high'), 2: ('high', 'high'), 3: ('high', 'low'), 4: ('high', 'low'),\n"
     "           5: ('low', 'high'), 6: ('low', 'high'), 7: ('low', 'low'), 8: ('low', 'low')}\n"
     "quadrants = {i: quadrant_of(*pi) for i, pi in _levels.items()}", _pts(_G, 1, 1, 1, 1)),
    (A7, "a7_q1", "misconception", "power and interest swapped",
     'quadrants = {1: "manage closely", 2: "manage closely", 3: "keep informed", 4: "keep informed", '
     '5: "keep satisfied", 6: "keep satisfied", 7: "monitor", 8: "monitor"}', _pts(_G, 1, 0, 0, 1)),
    (A7, "a7_q1", "misconception", "the sceptic's low interest read as low power",
     'quadrants = {1: "manage closely", 2: "manage closely", 3: "keep satisfied", 4: "monitor", '
     '5: "keep informed", 6: "keep informed", 7: "monitor", 8: "monitor"}', _pts(_G, 1, 0, 1, 1)),
    (A7, "a7_q1", "misconception", "everyone who matters managed closely",
     'quadrants = {1: "manage closely", 2: "manage closely", 3: "manage closely", 4: "manage closely", '
     '5: "manage closely", 6: "manage closely", 7: "monitor", 8: "monitor"}', _pts(_G, 0, 0, 0, 1)),
    (A7, "a7_q1", "wrong", "every stakeholder monitored", "quadrants = {i: 'monitor' for i in range(1, 9)}",
     _pts(_G, 0, 0, 0, 0)),
    (A7, "a7_q1", "blank", "not answered", BLANK, _pts(_G, 0, 0, 0, 0)),
    (A7, "a7_q2", "model", "the model answer", None, _pts(_V, 1, 1, 1)),
    (A7, "a7_q2", "right", "built with StakeholderMap.add, capitals and US spelling",
     "_m = StakeholderMap.from_records(draft)\n"
     "_m.add('Dr Reid', 'clinical director for acute medicine', 'HIGH', 'Low', 'skeptic',\n"
     "       'meet her with the AMU data; ask for one registrar at the first test')\n"
     "_m.add('Night nurses', 'Staff nurse (nights)', 'low', 'high', 'neutral', 'design the prompt at the huddle')\n"
     "_m.add('Mrs Khan', 'Daughter of a patient admitted last month', 'low', 'high', 'supporter', 'interview')\n"
     "improved = _m.to_records()", _pts(_V, 1, 1, 1)),
    (A7, "a7_q2", "right", "Dr Reid won over: a supporter with a plan; a healthcare assistant; a carer",
     "improved = [{**draft[0], 'stance': 'supporter', 'engage': 'monthly briefing'}] + draft[1:] + [\n"
     "    {'name': 'Jo', 'role': 'Healthcare assistant', 'power': 'low', 'interest': 'high', 'stance': 'champion',\n"
     "     'engage': 'shift champion'},\n"
     "    {'name': 'Carers group', 'role': 'carers of older patients', 'power': 'low', 'interest': 'high',\n"
     "     'stance': 'neutral', 'engage': 'ask at the carers group'}]", _pts(_V, 1, 1, 1)),
    (A7, "a7_q2", "misconception", "only staff added (no patient voice)",
     f"improved = [{_PLANNED_REID}] + draft[1:] + [\n"
     "    {'name': 'AMU nurses', 'role': 'staff nurses, all shifts', 'power': 'low', 'interest': 'high',\n"
     "     'stance': 'neutral', 'engage': 'huddles'}]", _pts(_V, 0, 1, 1)),
    (A7, "a7_q2", "misconception", "the sceptic removed instead of engaged",
     "improved = draft[1:] + [\n"
     "    {'name': 'AMU nurses', 'role': 'staff nurses', 'power': 'low', 'interest': 'high', 'stance': 'neutral',\n"
     "     'engage': 'huddles'},\n"
     "    {'name': 'Patients', 'role': 'patients and families', 'power': 'low', 'interest': 'high',\n"
     "     'stance': 'neutral', 'engage': 'leaflet'}]", _pts(_V, 1, 1, 0)),
    (A7, "a7_q2", "misconception", "more managers: leaders are not the staff who do the work",
     f"improved = [{_PLANNED_REID}] + draft[1:] + [\n"
     "    {'name': 'Matron', 'role': 'matron for acute medicine', 'power': 'high', 'interest': 'high',\n"
     "     'stance': 'supporter', 'engage': 'weekly'},\n"
     "    {'name': 'Patient panel', 'role': 'patient panel', 'power': 'low', 'interest': 'high',\n"
     "     'stance': 'supporter', 'engage': 'joins the group'}]", _pts(_V, 1, 0, 1)),
    (A7, "a7_q2", "wrong", "the draft unchanged", "improved = list(draft)", _pts(_V, 0, 0, 0)),
    (A7, "a7_q2", "wrong", "names only, not records", "improved = ['Dr Reid', 'nurses', 'patients']",
     _pts(_V, 0, 0, 0)),
    (A7, "a7_q2", "blank", "not answered", BLANK, _pts(_V, 0, 0, 0)),
]
