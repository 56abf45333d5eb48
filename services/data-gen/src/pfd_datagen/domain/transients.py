"""Transient profiles (25 % of records): speed ramp, load step, thermal expansion."""

from __future__ import annotations

import numpy as np

from pfd_shared.generation.sections import TransientConfig

NONE = "none"


def draw_kind(cfg: TransientConfig, rng: np.random.Generator) -> str:
    """Transient kind of a record, or "none"."""
    if rng.random() >= cfg.probability:
        return NONE
    return str(cfg.kinds[int(rng.integers(len(cfg.kinds)))])


def speed_multiplier(cfg: TransientConfig, t: np.ndarray, duration_s: float) -> np.ndarray:
    """Linear speed ramp, e.g. 0.85 -> 1.15 of nominal over the record."""
    lo, hi = cfg.speed_ramp
    return lo + (hi - lo) * (t / duration_s)


def load_multiplier(cfg: TransientConfig, t: np.ndarray, duration_s: float, rng: np.random.Generator) -> np.ndarray:
    """Load step from load_step[0] to load_step[1] at a random instant."""
    lo, hi = cfg.load_step
    t_step = rng.uniform(*cfg.load_step_time_fraction) * duration_s
    return np.where(t < t_step, lo, hi)


def temperature_rise(cfg: TransientConfig, t: np.ndarray) -> np.ndarray:
    """Thermal expansion: first-order oil temperature rise over the record (degC)."""
    return cfg.thermal_rise_c * (1.0 - np.exp(-t / cfg.thermal_tau_s))
