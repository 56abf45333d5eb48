"""Fault-class catalogues for the two bearing models."""

from __future__ import annotations

from typing import Literal

BearingType = Literal["journal", "rolling"]

JOURNAL_CLASSES: tuple[str, ...] = (
    "healthy",
    "misalignment",
    "imbalance",
    "looseness",
    "lubrication",
    "cavitation",
    "wear",
    "oil_whirl",
    "misalignment_imbalance",
    "wear_lubrication",
    "cavitation_looseness",
)

ROLLING_CLASSES: tuple[str, ...] = ("healthy", "outer_race", "inner_race", "ball", "cage")

HEALTHY = 0


def class_names(bearing: BearingType) -> tuple[str, ...]:
    """Class names indexed by class id for a bearing model."""
    return JOURNAL_CLASSES if bearing == "journal" else ROLLING_CLASSES
