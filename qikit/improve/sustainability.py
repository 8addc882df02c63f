"""Will the change stick? A team's assessment with the NHS Sustainability Model.

The NHS Sustainability Model (Maher, Gustafson and Evans, NHS Institute for Innovation and
Improvement, 2007/2010) names ten factors in three domains that predict whether an improvement
lasts:

- **process**: benefits beyond helping patients; credibility of the benefits; adaptability of the
  improved process; effectiveness of the system to monitor progress;
- **staff**: staff involvement and training; staff behaviours toward sustaining the change;
  senior leadership engagement; clinical leadership engagement;
- **organisation**: fit with the organisation's strategic aims and culture; infrastructure for
  sustainability.

The Guide recommends that several members of the team score the model separately and then compare:
differences of opinion are themselves a finding to discuss. This module collects those ratings,
reports each factor's mean and the spread of opinion, and lists the weakest factors first.

Weights
-------
The published model weights each factor (the weights add up to 100). The factor list and the
maxima qikit could verify live in ``sustainability_model.json`` beside this module, with the source;
two maxima (clinical leadership engagement; fit with the organisation's strategic aims and culture)
could not be verified and are left empty rather than guessed. qikit therefore compares factors on
ratings **normalised per factor** (0 = the lowest rating on the scale, 1 = the highest) and gives
no weighted total; the published maxima are shown alongside for reference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from ..errors import QIDataError
from ._util import is_number, text

__all__ = ["SustainabilityAssessment", "sustainability_factors"]


@cache
def _model() -> dict:
    return json.loads(resources.files("qikit.improve").joinpath("sustainability_model.json")
                      .read_text(encoding="utf-8"))


def sustainability_factors() -> pd.DataFrame:
    """The ten factors of the NHS Sustainability Model: key, domain, name and published maximum score.

    ``max_score`` is NaN where the published weight could not be verified (see the module notes).
    Source: Maher L, Gustafson D, Evans A. *Sustainability Model and Guide*. NHS Institute for
    Innovation and Improvement, 2007 (reissued 2010).

    Examples
    --------
    >>> factors = sustainability_factors()
    >>> len(factors), factors["domain"].unique().tolist()
    (10, ['process', 'staff', 'organisation'])
    """
    frame = pd.DataFrame(_model()["factors"], columns=["key", "domain", "name", "max_score"])
    frame["max_score"] = frame["max_score"].astype(float)
    return frame


class SustainabilityAssessment:
    """Team ratings of the ten sustainability factors, summarised per factor.

    Parameters
    ----------
    project : str, optional
        What is being assessed, for the explanation.
    scale : (int, int)
        The lowest and highest rating allowed (default 1 to 4; 1 = weakest, 4 = strongest).

    Examples
    --------
    >>> sa = SustainabilityAssessment("Sepsis screening in ED", scale=(1, 4))
    >>> base = dict(benefits=3, credibility=4, adaptability=3, monitoring=2, involvement=3, behaviours=3,
    ...             senior_leadership=2, clinical_leadership=4, fit=3, infrastructure=1)
    >>> sa.add("Charge nurse", base)
    >>> sa.add("ED consultant", {**base, "infrastructure": 2, "monitoring": 4})
    >>> sa.summary()["key"].head(2).tolist()
    ['infrastructure', 'senior_leadership']
    """

    def __init__(self, project: str | None = None, scale: tuple[int, int] = (1, 4)):
        self.project = None if project is None else text(project, "project")
        if (not isinstance(scale, (tuple, list)) or len(scale) != 2 or not all(is_number(s) for s in scale)
                or not scale[0] < scale[1]):
            raise QIDataError(f"scale={scale!r} must be two numbers, lowest then highest, e.g. (1, 4).",
                              column="scale")
        self.scale = (scale[0], scale[1])
        self._ratings: dict[str, dict[str, float]] = {}

    def _key(self, label) -> str | None:
        folded = str(label).strip().casefold().replace(" ", "_")
        for factor in _model()["factors"]:
            if folded in (factor["key"], factor["name"].casefold().replace(" ", "_")):
                return factor["key"]
        return None

    def add(self, rater: str, ratings: Mapping) -> None:
        """Add one team member's ratings: a dict from factor (key or full name) to a rating on the scale.

        Every factor must be rated once; ratings must be numbers within the scale.
        """
        rater = text(rater, "rater", "Name or label the person rating, e.g. 'Ward sister'.")
        if rater.casefold() in (r.casefold() for r in self._ratings):
            raise QIDataError(f"{rater!r} has already rated: give each rater a different label.", column="rater")
        if not isinstance(ratings, Mapping):
            raise QIDataError(f"the ratings of {rater!r} must be a dict such as {{'benefits': 3, ...}}.",
                              column="ratings")
        keys = [f["key"] for f in _model()["factors"]]
        clean: dict[str, float] = {}
        for label, value in ratings.items():
            key = self._key(label)
            if key is None:
                raise QIDataError(f"{label!r} (rated by {rater!r}) is not a factor of the NHS Sustainability "
                                  f"Model. Use one of: {', '.join(keys)}.", column=str(label))
            if key in clean:
                raise QIDataError(f"{rater!r} rated {key!r} twice.", column=key)
            low, high = self.scale
            if not is_number(value) or not low <= value <= high:
                raise QIDataError(f"{rater!r} gave {key!r} the rating {value!r}, outside the scale: ratings "
                                  f"run from {low:g} (weakest) to {high:g} (strongest).", column=key)
            clean[key] = float(value)
        unrated = [k for k in keys if k not in clean]
        if unrated:
            raise QIDataError(f"{rater!r} did not rate {', '.join(unrated)}: every factor needs a rating.",
                              column=unrated[0])
        self._ratings[rater] = clean

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, rater: str | None = None, project: str | None = None,
                   scale: tuple[int, int] = (1, 4)) -> SustainabilityAssessment:
        """Build an assessment from a table with one row per rater and one column per factor.

        ``rater`` names the column holding the raters' labels; by default the index is used.
        """
        assessment = cls(project, scale=scale)
        if not isinstance(frame, pd.DataFrame):
            raise QIDataError("from_frame needs a pandas DataFrame with one row per rater.", column="frame")
        labels = frame[rater] if rater is not None else frame.index.to_series()
        factors = frame.drop(columns=[rater]) if rater is not None else frame
        for label, (_, row) in zip(labels, factors.iterrows(), strict=True):  # one loop per rater
            assessment.add(str(label), {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})
        return assessment

    @property
    def ratings(self) -> pd.DataFrame:
        """The ratings: one row per rater, one column per factor key."""
        keys = [f["key"] for f in _model()["factors"]]
        return pd.DataFrame.from_dict(self._ratings, orient="index", columns=keys)

    def summary(self) -> pd.DataFrame:
        """Per factor: raters, mean, normalised mean, sd, min, max, spread, divided; weakest first.

        ``normalised`` = (mean - lowest rating) / (highest - lowest), so 0 is the weakest possible and
        1 the strongest. ``spread`` = max - min; ``divided`` is True when the spread is at least half the
        scale's range (qikit's teaching convention for "views differ: discuss", not a published
        threshold). Rows are sorted by normalised mean, ties broken by the larger published maximum.
        """
        if not self._ratings:
            raise QIDataError("no ratings yet: add each team member's ratings with add(rater, ratings).",
                              column="ratings")
        values = self.ratings.to_numpy(dtype=float)
        low, high = self.scale
        factors = sustainability_factors()
        factors.insert(0, "order", np.arange(len(factors)))
        mean = values.mean(axis=0)
        spread = values.max(axis=0) - values.min(axis=0)
        table = factors.assign(
            raters=values.shape[0], mean=mean, normalised=(mean - low) / (high - low),
            sd=values.std(axis=0, ddof=1) if values.shape[0] > 1 else np.nan,
            min=values.min(axis=0), max=values.max(axis=0), spread=spread,
            divided=spread >= (high - low) / 2)
        table = table.sort_values(["normalised", "max_score", "order"], ascending=[True, False, True],
                                  na_position="last")
        columns = ["domain", "key", "name", "raters", "mean", "normalised", "sd", "min", "max", "spread",
                   "divided", "max_score"]
        return table[columns].rename(columns={"name": "factor"}).reset_index(drop=True)

    def explain(self, weakest: int = 3) -> str:
        """A few plain sentences: the weakest factors, where opinion is divided, and how scores were compared."""
        table = self.summary()
        low, high = self.scale
        who = f" for {self.project}" if self.project else ""
        lines = [f"{int(table['raters'].iloc[0])} team member(s) rated the ten factors of the NHS "
                 f"Sustainability Model{who} on a scale from {low:g} to {high:g}."]
        worst = [f"{r.factor.lower()} (mean {r.mean:.1f})" for r in table.head(weakest).itertuples()]
        lines.append("Weakest first: " + "; ".join(worst) + ". Start with these when planning how to sustain "
                     "the change.")
        divided = table[table["divided"]]
        if len(divided):
            parts = [f"{r.factor.lower()} ({r.min:g} to {r.max:g})" for r in divided.itertuples()]
            lines.append("Opinion is divided on " + "; ".join(parts) + ": talk about why views differ, "
                         "since a team that disagrees about a factor has found something to work on.")
        unverified = table.loc[table["max_score"].isna(), "factor"].str.lower().tolist()
        lines.append("Factors are compared on ratings normalised per factor (0 = weakest, 1 = strongest), "
                     "with no weighted total, because the published weights of "
                     + " and ".join(unverified) + " could not be verified.")
        return " ".join(lines)
