"""Notebook 06, "When nearly everyone is outside the funnel": the widened funnel on the trusts' data.

Every number and quantitative claim in the section's prose is checked here against qikit's output, and
qikit's phi, tau2 and widened funnel for the trusts are recomputed independently by the formulas
(Spiegelhalter, Qual Saf Health Care 2005;14:347-351) with numpy in this file. Exercise 4's checker is
marked against those independent values.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import qikit
from qikit.exercises import nb06

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06-control-charts.ipynb"
HEADING = "### When nearly everyone is outside the funnel"
END = "## What this means for your project"


def _section() -> tuple[list[str], list[str]]:
    """The section's markdown and code cells, in order."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    start = next(i for i, c in enumerate(nb.cells) if c.source.startswith(HEADING))
    end = next(i for i, c in enumerate(nb.cells) if c.source.startswith(END))
    cells = nb.cells[start:end]
    return [c.source for c in cells if c.cell_type == "markdown"], [c.source for c in cells if c.cell_type == "code"]


@pytest.fixture(scope="module")
def trusts():
    """The trusts' table, built by the notebook's own code (the documented path)."""
    _, code = _section()
    lines = [line for line in code[0].splitlines() if line.startswith(("year =", "trusts"))]
    scope = {"ae": qikit.datasets.ae_attendances()}
    exec("\n".join(lines), scope)  # noqa: S102 - the notebook's own three lines
    return scope["trusts"]


@pytest.fixture(scope="module")
def funnels(trusts):
    kw = dict(unit="org_code", y="within_4h", n="attendances", multiply=100)
    return qikit.funnel(trusts, **kw), qikit.funnel(trusts, overdispersion="additive", **kw)


def _by_the_formulas(trusts):
    """phi, tau2 and the widened 3-sigma limits, written out with numpy (not qikit)."""
    y = trusts["within_4h"].to_numpy(float)
    n = trusts["attendances"].to_numpy(float)
    p = y.sum() / n.sum()
    t0 = np.arcsin(np.sqrt(p))
    s = 1 / (2 * np.sqrt(n))
    z = (np.arcsin(np.sqrt(y / n)) - t0) / s
    lo, hi = np.percentile(z, [10, 90])  # linear interpolation, as R's default quantile
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    units = len(z)
    w = 1 / s**2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    wide = 3 * np.sqrt(s**2 + tau2)
    lcl = np.sin(np.clip(t0 - wide, 0, np.pi / 2)) ** 2
    ucl = np.sin(np.clip(t0 + wide, 0, np.pi / 2)) ** 2
    outside = (y / n > ucl) | (y / n < lcl)
    return p, phi, tau2, s, outside


def test_the_notebook_builds_the_same_table_as_the_checker(trusts):
    got = nb06.ae_trusts()
    assert got.equals(trusts)
    assert len(trusts) == 137


def test_qikit_matches_the_formulas_on_the_trusts(trusts, funnels):
    plain, wide = funnels
    p, phi, tau2, s, outside = _by_the_formulas(trusts)
    assert wide.phi == pytest.approx(phi, rel=1e-10)
    assert wide.tau2 == pytest.approx(tau2, rel=1e-10)
    assert plain.phi == wide.phi and plain.tau2 == wide.tau2
    assert wide.data["beyond_3s"].notna().tolist() == outside.tolist()


def _numbers(text: str) -> list[str]:
    return [m.rstrip(",") for m in re.findall(r"\d[\d,]*(?:\.\d+)?", text)]


def test_every_number_in_the_prose_is_checked(trusts, funnels):
    plain, wide = funnels
    markdown, _ = _section()
    text = "\n".join(markdown)
    p, phi, tau2, s, outside = _by_the_formulas(trusts)
    checked = {
        "2018": "the data's first month is April 2018",
        "2019": "the data's last month is March 2019",
        "130": "trusts outside the plain funnel",
        "137": "trusts in the funnel",
        "5": "section 5 (Laney's p' chart): a cross-reference",
        "2005": "Spiegelhalter 2005: a citation",
        "1": "'about 1' (the null value of phi) and the numbered questions",
        "7": "the real spread between trusts, in percentage points",
        "95": "the NHS four-hour standard (95%)",
        "4": "Exercise 4",
        "2": "question 2",
        "3": "the 3-sigma funnel",
    }
    found = set(_numbers(text))
    assert found == set(checked), f"numbers without a check: {found - set(checked)}; unused: {set(checked) - found}"
    ae = qikit.datasets.ae_attendances()
    year = ae[(ae["type"] == "1") & (ae["period"] >= "2018-04-01")]
    assert year["period"].min().strftime("%B %Y") == "April 2018" and "April 2018 to March 2019" in text
    assert year["period"].max().strftime("%B %Y") == "March 2019"
    assert (len(plain.outside), len(plain.data)) == (130, 137) and "130 of 137 trusts lie outside it" in text
    assert round(wide.between_sd) == 7 and "about 7 percentage points" in text
    # the widened funnel's spread at the centre, 2 sqrt(p (1 - p)) tau, in percentage points
    assert wide.between_sd == pytest.approx(100 * 2 * math.sqrt(p * (1 - p)) * math.sqrt(tau2))
    assert wide.z == (2, 3) and "widened 3-sigma funnel" in text


def test_the_words_in_the_prose_are_true(trusts, funnels):
    plain, wide = funnels
    markdown, _ = _section()
    text = " ".join(" ".join(markdown).split())
    p, phi, tau2, s, outside = _by_the_formulas(trusts)
    # "with tens of thousands of attendances a year"
    assert trusts["attendances"].min() >= 10_000 and "tens of thousands of attendances a year" in text
    # "φ is in the thousands"
    assert 1_000 <= wide.phi < 10_000 and "φ is in the thousands" in text
    # "for a big trust chance is now the smaller part": chance variance s^2 below tau2 for every trust
    assert (s**2 < tau2).all() and "chance is now the smaller part" in text
    # "the funnel is almost flat": the widened outer limits move by under 0.05 percentage points across trusts
    assert wide.data["ucl"].max() - wide.data["ucl"].min() < 0.05 and "almost flat" in text
    # "Only a handful of trusts lie outside it"
    assert 1 <= len(wide.outside) <= 5 and "Only a handful of trusts lie outside it" in text
    # "most trusts missed the 95% standard"
    rate = trusts["within_4h"] / trusts["attendances"]
    assert (rate < 0.95).mean() > 0.5 and "most trusts missed the 95% standard" in text
    # the exercise's feedback says phi is "in the thousands" too
    assert "In the thousands" in nb06._PHI_READING["a"]


def test_the_cells_print_the_numbers_they_compute(funnels):
    plain, wide = funnels
    nb = nbformat.read(NOTEBOOK, as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert f"{len(plain.outside)} of {len(plain.data)} trusts lie outside the 3-sigma funnel." in printed
    assert f"phi = {wide.phi:,.0f}, tau² = {wide.tau2:.4f}" in printed
    assert f"{len(wide.outside)} trusts lie outside the widened 3-sigma funnel." in printed
    assert wide.describe() in printed


def test_exercise_4_is_marked_against_the_formulas(trusts, funnels):
    plain, wide = funnels
    *_, outside = _by_the_formulas(trusts)
    truth = int(outside.sum())
    verdict = nb06.check_widened({1: truth, 2: "a"})
    assert verdict.correct
    assert "RA4, RC9, RCU" in str(verdict) and "above" in str(verdict)
    assert nb06.check_widened({"1": float(truth), "2": "A"}).correct
    # misconceptions: the plain funnel's count, the inner funnel's count, "the data are wrong", "outside = bad"
    v = nb06.check_widened({1: 130, 2: "a"})
    assert v.status == "partly right" and "plain funnel" in str(v)
    v = nb06.check_widened({1: len(wide.outside_2s), 2: "a"})
    assert not v.correct and "2-sigma" in str(v)
    v = nb06.check_widened({1: truth, 2: "b"})
    assert not v.correct and "Nothing here says the data are wrong" in str(v)
    v = nb06.check_widened({1: truth, 2: "c"})
    assert not v.correct and "not a verdict" in str(v)
    # The right count typed in quotes is still the right count (a tutor would accept it); words are not.
    assert nb06.check_widened({1: str(truth), 2: "a"}).correct
    assert not nb06.check_widened({1: "three-ish", 2: "a"}).correct
    assert nb06.check_widened({1: ..., 2: ...}).status == "not answered"
    assert nb06.check_widened(...).status == "not answered"
    assert not nb06.check_widened([truth, "a"]).correct
    assert nb06.check_widened({1: truth, 2: ...}).status == "partly right"


def test_the_exercise_cell_is_as_documented():
    markdown, code = _section()
    assert any(c.startswith("# Your turn") and "nb06.check_widened(my_answers)" in c for c in code)
    assert any("### Exercise 4" in m for m in markdown)
