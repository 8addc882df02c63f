"""The improvement toolkit: aims, measures, driver diagrams, PDSA logs, projects, sustainability, spread, QMS.

Each object is small, validates what it is given, and says what to fix in plain words::

    from qikit.improve import AimStatement, DriverDiagram, PDSACycle, PDSALog
    aim = AimStatement("increase the percentage of patients with red-flag sepsis who receive "
                       "antibiotics within one hour", "90%", "2026-03-31", "adults in the ED",
                       baseline="62%")
    aim.check(today="2025-04-01")          # [] when the aim is SMART

Sources are cited in each module: Langley et al., *The Improvement Guide* (2009); Provost & Murray,
*The Health Care Data Guide* (2011); the Health Foundation, *Quality improvement made simple*
(2021); Maher, Gustafson & Evans, *NHS Sustainability Model and Guide* (2007/2010); Rogers,
*Diffusion of Innovations* (2003); Bass (1969); Greenhalgh & Papoutsi (*BMJ* 2019); Juran (1986);
Shah (*BMJ* 2020).
"""

from __future__ import annotations

from .aims import AimStatement, ParsedAim
from .drivers import DriverDiagram
from .measures import FREQUENCIES, MEASURE_KINDS, Measure, MeasureSet
from .pdsa import ACT_DECISIONS, PDSACycle, PDSALog, Ramp
from .project import SQUIRE_SECTIONS, Project
from .qms import QUALITY_FUNCTIONS, QMSClassification, classify_activity
from .spread import (
    ADOPTER_CATEGORIES,
    SPREAD_FACTORS,
    SpreadReadiness,
    adopter_categories,
    bass,
    classify_adopters,
)
from .stakeholders import QUADRANTS, STANCES, StakeholderMap, quadrant_of, role_group
from .sustainability import SustainabilityAssessment, sustainability_factors

__all__ = [
    "AimStatement", "ParsedAim",
    "Measure", "MeasureSet", "MEASURE_KINDS", "FREQUENCIES",
    "DriverDiagram",
    "PDSACycle", "PDSALog", "Ramp", "ACT_DECISIONS",
    "Project", "SQUIRE_SECTIONS",
    "StakeholderMap", "QUADRANTS", "STANCES", "quadrant_of", "role_group",
    "SustainabilityAssessment", "sustainability_factors",
    "ADOPTER_CATEGORIES", "adopter_categories", "classify_adopters", "bass", "SPREAD_FACTORS", "SpreadReadiness",
    "QUALITY_FUNCTIONS", "QMSClassification", "classify_activity",
]
