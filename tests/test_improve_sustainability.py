"""Sustainability assessment: the model's data file, team ratings, per-factor summaries."""

import json
import math
from importlib import resources

import pandas as pd
import pytest

from qikit.errors import QIDataError
from qikit.improve import SustainabilityAssessment, sustainability_factors

KEYS = ["benefits", "credibility", "adaptability", "monitoring", "involvement", "behaviours", "senior_leadership",
        "clinical_leadership", "fit", "infrastructure"]


def ratings(**changes):
    base = dict(benefits=3, credibility=4, adaptability=3, monitoring=4, involvement=3, behaviours=3,
                senior_leadership=3, clinical_leadership=4, fit=3, infrastructure=1)
    base.update(changes)
    return base


def sepsis_team():
    sa = SustainabilityAssessment("Sepsis screening in ED")
    sa.add("Charge nurse", ratings())
    sa.add("ED consultant", ratings(infrastructure=2, monitoring=1))
    sa.add("Matron", ratings())
    return sa


def test_model_has_ten_factors_in_three_domains():
    factors = sustainability_factors()
    assert factors["key"].tolist() == KEYS
    assert factors.groupby("domain", sort=False).size().to_dict() == {"process": 4, "staff": 4, "organisation": 2}


def test_only_verified_weights_are_given():
    maxima = sustainability_factors().set_index("key")["max_score"]
    verified = {"benefits": 8.5, "credibility": 9.1, "adaptability": 7.0, "monitoring": 6.5, "involvement": 11.4,
                "behaviours": 11.0, "senior_leadership": 15.0, "infrastructure": 9.5}
    assert maxima.dropna().to_dict() == verified
    assert maxima[maxima.isna()].index.tolist() == ["clinical_leadership", "fit"]


def test_weights_file_cites_its_source():
    data = json.loads(resources.files("qikit.improve").joinpath("sustainability_model.json").read_text())
    assert "Maher L, Gustafson D, Evans A" in data["source"]
    assert "NHS Institute for Innovation and Improvement" in data["source"]


def test_summary_per_factor_hand_computed():
    table = sepsis_team().summary().set_index("key")
    # infrastructure rated 1, 2, 1: mean 4/3; normalised (4/3 - 1) / (4 - 1) = 1/9;
    # sd = sqrt(((1/3)^2 + (2/3)^2 + (1/3)^2) / 2) = sqrt(1/3) = 0.57735.
    infra = table.loc["infrastructure"]
    assert math.isclose(infra["mean"], 4 / 3)
    assert math.isclose(infra["normalised"], 1 / 9)
    assert math.isclose(infra["sd"], math.sqrt(1 / 3))
    assert (infra["min"], infra["max"], infra["spread"], infra["raters"]) == (1, 2, 1, 3)
    assert not infra["divided"]
    # monitoring rated 4, 1, 4: mean 3, normalised 2/3, spread 3 >= half the scale (1.5): divided.
    monitoring = table.loc["monitoring"]
    assert math.isclose(monitoring["mean"], 3.0) and math.isclose(monitoring["normalised"], 2 / 3)
    assert monitoring["divided"]
    assert table["divided"].sum() == 1


def test_weakest_factors_come_first():
    keys = sepsis_team().summary()["key"].tolist()
    assert keys[0] == "infrastructure"  # normalised 1/9
    # Ties at mean 3 (normalised 2/3) are ordered by the larger published maximum; unverified weights last.
    assert keys[1:8] == ["senior_leadership", "involvement", "behaviours", "benefits", "adaptability",
                         "monitoring", "fit"]
    assert keys[8:] == ["credibility", "clinical_leadership"]


def test_explanation_names_weakest_divided_and_the_weighting():
    text = sepsis_team().explain()
    assert text.startswith("3 team member(s) rated the ten factors of the NHS Sustainability Model for Sepsis "
                           "screening in ED on a scale from 1 to 4.")
    assert "Weakest first: infrastructure for sustainability (mean 1.3)" in text
    assert "Opinion is divided on effectiveness of the system to monitor progress (1 to 4)" in text
    assert "normalised per factor" in text
    assert "clinical leadership engagement" in text and "fit with the organisation's strategic aims" in text


@pytest.mark.parametrize("bad", [0, 5, 4.5, "high", None, float("nan"), True])
def test_ratings_outside_the_scale_are_refused(bad):
    sa = SustainabilityAssessment()
    with pytest.raises(QIDataError, match="outside the scale: ratings run from 1 \\(weakest\\) to 4") as info:
        sa.add("Matron", ratings(fit=bad))
    assert info.value.column == "fit"


def test_other_bad_ratings_are_refused():
    sa = SustainabilityAssessment()
    partial = ratings()
    del partial["fit"]
    with pytest.raises(QIDataError, match="'Matron' did not rate fit"):
        sa.add("Matron", partial)
    with pytest.raises(QIDataError, match="'morale' .* is not a factor"):
        sa.add("Matron", ratings(morale=3))
    sa.add("Matron", ratings())
    with pytest.raises(QIDataError, match="'matron' has already rated|'Matron' has already rated"):
        sa.add("matron", ratings())
    with pytest.raises(QIDataError, match="no ratings yet"):
        SustainabilityAssessment().summary()
    for scale in [(4, 1), (1,), "1-4"]:
        with pytest.raises(QIDataError, match="lowest then highest"):
            SustainabilityAssessment(scale=scale)


def test_full_factor_names_and_another_scale_are_accepted():
    sa = SustainabilityAssessment(scale=(1, 5))
    named = {name: 5 for name in sustainability_factors()["name"]}
    named["Infrastructure for sustainability"] = 1
    sa.add("Lead nurse", named)
    table = sa.summary()
    assert table["key"].iloc[0] == "infrastructure" and table["normalised"].iloc[0] == 0.0
    assert table["normalised"].iloc[-1] == 1.0
    assert pd.isna(table["sd"]).all()  # one rater: no spread to estimate


def test_from_frame_builds_the_same_assessment():
    frame = pd.DataFrame([ratings(), ratings(infrastructure=2, monitoring=1), ratings()],
                         index=["Charge nurse", "ED consultant", "Matron"])
    built = SustainabilityAssessment.from_frame(frame, project="Sepsis screening in ED")
    pd.testing.assert_frame_equal(built.summary(), sepsis_team().summary())
    with_column = SustainabilityAssessment.from_frame(frame.reset_index(names="who"), rater="who")
    assert with_column.ratings.index.tolist() == ["Charge nurse", "ED consultant", "Matron"]
