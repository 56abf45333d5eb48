"""Rolling-element option: BPFO/BPFI/BSF/FTF impulse trains exciting a damped resonance."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import oaconvolve

from .context import Context
from .events import damped_response
from pfd_shared.generation.sections import RollingElementConfig

TWO_PI = 2.0 * np.pi
Signature = Callable[[Context, np.random.Generator], np.ndarray]


def defect_orders(geom: RollingElementConfig) -> dict[str, float]:
    """Characteristic frequencies as multiples of the shaft frequency fr."""
    r = geom.ball_diameter / geom.pitch_diameter * np.cos(np.deg2rad(geom.contact_angle_deg))
    return {
        "bpfo": geom.n_balls / 2.0 * (1.0 - r),
        "bpfi": geom.n_balls / 2.0 * (1.0 + r),
        "bsf": geom.pitch_diameter / (2.0 * geom.ball_diameter) * (1.0 - r**2),
        "ftf": 0.5 * (1.0 - r),
    }


def characteristic_frequencies(geom: RollingElementConfig, shaft_hz: float) -> dict[str, float]:
    """BPFO, BPFI, BSF, FTF in Hz for a shaft frequency."""
    return {k: v * shaft_hz for k, v in defect_orders(geom).items()}


def _modulation(defect: str, ctx: Context, idx: np.ndarray, orders: dict[str, float]) -> np.ndarray | float:
    c, angle = ctx.cfg.rolling, TWO_PI * ctx.op.revolutions[idx]
    if defect == "bpfi":  # inner race turns with the shaft through the load zone: AM at fr
        return 1.0 + c.inner_mod_depth * np.cos(angle)
    if defect == "bsf":  # ball defect is carried by the cage: AM at FTF
        return 1.0 + c.ball_mod_depth * np.cos(orders["ftf"] * angle)
    return 1.0


def impulse_train(ctx: Context, rng: np.random.Generator, defect: str) -> np.ndarray:
    """Impulse response sum for a localized defect, with slip jitter and severity scaling."""
    c = ctx.cfg.rolling
    orders = defect_orders(c)
    rev = ctx.op.revolutions
    cycles = (rev - rev[0]) * orders[defect]  # defect passes; follows speed ramps
    slip = rng.uniform(*c.slip_jitter)
    k = np.arange(int(np.floor(cycles[-1])) + 1, dtype=np.float64) + rng.uniform(0.0, 1.0)
    targets = k + rng.uniform(-slip, slip, size=k.size)
    targets = targets[(targets >= 0.0) & (targets <= cycles[-1])]
    idx = np.minimum(np.searchsorted(cycles, targets), ctx.n - 1)
    sev = np.broadcast_to(ctx.sev.curve, (ctx.n,))[idx]
    train = np.zeros(ctx.n)
    np.add.at(train, idx, c.impulse_amp * sev * _modulation(defect, ctx, idx, orders))
    h = damped_response(ctx.fs, rng.uniform(*c.resonance_hz), c.damping_ratio, c.ringdown_time_constants)
    return oaconvolve(train, h)[: ctx.n]


def _signature(defect: str) -> Signature:
    def signature(ctx: Context, rng: np.random.Generator) -> np.ndarray:
        return impulse_train(ctx, rng, defect)

    signature.__name__ = f"{defect}_defect"
    return signature


ROLLING_SIGNATURES: dict[int, Signature] = {
    1: _signature("bpfo"),
    2: _signature("bpfi"),
    3: _signature("bsf"),
    4: _signature("ftf"),
}
