"""Severity levels and in-record progression s(t)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pfd_shared.generation.classes import HEALTHY
from pfd_shared.generation.config import NOMINAL, SEVERITY_LEVELS
from pfd_shared.generation.sections import SeverityConfig

Signal = float | np.ndarray


@dataclass(frozen=True)
class SeverityState:
    """Severity of one record: level label, start value and curve s(t) (scalar if constant)."""

    level: str
    initial: float
    curve: Signal

    @property
    def mean(self) -> float:
        return float(np.mean(self.curve))

    @property
    def final(self) -> float:
        return float(np.asarray(self.curve).reshape(-1)[-1])

    @property
    def progressing(self) -> bool:
        return np.ndim(self.curve) > 0


def level_for(class_id: int, position: int, balanced: bool, rng: np.random.Generator) -> str:
    """Level label: nominal for healthy, round-robin when balanced, else uniform draw."""
    if class_id == HEALTHY:
        return NOMINAL
    if balanced:
        return SEVERITY_LEVELS[position % len(SEVERITY_LEVELS)]
    return SEVERITY_LEVELS[int(rng.integers(len(SEVERITY_LEVELS)))]


def draw_severity(
    cfg: SeverityConfig, level: str, t: np.ndarray, duration_s: float, rng: np.random.Generator
) -> SeverityState:
    """Value uniform inside the level band; with probability p it ramps up linearly (capped)."""
    if level == NOMINAL:
        return SeverityState(level, 0.0, 0.0)
    s0 = float(rng.uniform(*cfg.bands[level]))  # type: ignore[index]
    if rng.random() >= cfg.progression_probability:
        return SeverityState(level, s0, s0)
    ramp = rng.uniform(0.0, cfg.progression_max_increase)
    return SeverityState(level, s0, np.minimum(s0 + ramp * t / duration_s, cfg.cap))


def fixed_severity(value: float, level: str = "moderate") -> SeverityState:
    """A constant-severity state (for controlled studies and tests)."""
    return SeverityState(level, float(value), float(value))
