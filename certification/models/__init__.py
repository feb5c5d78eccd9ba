"""The certification app's models: the QMS profile and decisions, version transitions,
quality objectives and indicators, and annual scoring."""

from certification.models.objectives import MEASUREMENT_GRACE_DAYS, Indicator, Measurement, Objective
from certification.models.profile import (
    QMS_UNIT_KINDS,
    Decision,
    QmsProfile,
    StandardVersion,
    VersionTransition,
)
from certification.models.scoring import Criterion, ScoreLine, ScoreSheet, ScoringRound

__all__ = [
    "MEASUREMENT_GRACE_DAYS",
    "QMS_UNIT_KINDS",
    "Criterion",
    "Decision",
    "Indicator",
    "Measurement",
    "Objective",
    "QmsProfile",
    "ScoreLine",
    "ScoreSheet",
    "ScoringRound",
    "StandardVersion",
    "VersionTransition",
]
