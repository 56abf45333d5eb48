"""Signatures of the 11 hydrodynamic journal-bearing classes (already scaled by severity)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .context import Context
from .events import bursts, decaying_impacts
from .noise import band_gain, shaped_noise
from .operating import physics_factor
from pfd_shared.generation.sections import BurstConfig, ImpactConfig
from .waves import sine, tone

Signature = Callable[[Context, np.random.Generator], np.ndarray]


def harmonic(ctx: Context, rng: np.random.Generator, order: float) -> np.ndarray:
    """sin(order x shaft angle + random phase): follows speed ramps through the integrated phase."""
    return sine(ctx.op.revolutions, order, rng.random())


def misalignment_part(ctx: Context, rng: np.random.Generator, amp_2x: float, amp_3x: float) -> np.ndarray:
    return (amp_2x * harmonic(ctx, rng, 2.0) + amp_3x * harmonic(ctx, rng, 3.0)) * ctx.sev.curve


def imbalance_part(ctx: Context, rng: np.random.Generator, amp_1x: float) -> np.ndarray:
    c, op = ctx.cfg.faults.imbalance, ctx.op
    speed_gain = (op.speed_hz / c.speed_ref_hz) ** c.speed_exponent
    return amp_1x * op.load_factor * speed_gain * harmonic(ctx, rng, 1.0) * ctx.sev.curve


def looseness(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    c = ctx.cfg.faults.looseness
    sub = c.amp_sub * ctx.op.temp_factor * harmonic(ctx, rng, rng.uniform(*c.sub_ratio))
    return (sub + c.amp_1x * harmonic(ctx, rng, 1.0) + c.amp_2x * harmonic(ctx, rng, 2.0)) * ctx.sev.curve


def lubrication_part(ctx: Context, rng: np.random.Generator, impacts: ImpactConfig) -> np.ndarray:
    c = ctx.cfg.faults.lubrication
    amp = c.stick_slip_amp * ctx.op.temp_factor * (c.sommerfeld_ref / ctx.op.sommerfeld)
    f = rng.uniform(*c.stick_slip_freq_hz)
    stick_slip = amp * tone(ctx.t, f, rng) * ctx.sev.curve
    return stick_slip + decaying_impacts(ctx, impacts, rng)


def cavitation_part(ctx: Context, rng: np.random.Generator, burst_cfg: BurstConfig) -> np.ndarray:
    c = ctx.cfg.faults.cavitation
    out = bursts(ctx, burst_cfg, rng)
    if c.hiss_sigma > 0:
        gain = band_gain(ctx.n, ctx.fs, *burst_cfg.freq_hz)
        out += shaped_noise(gain, ctx.n, c.hiss_sigma * ctx.sev.mean, rng)
    return out


def wear(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    c, op = ctx.cfg.faults.wear, ctx.op
    phys = physics_factor(ctx.cfg.operating, op.sommerfeld)
    broadband = c.broadband_amp * op.operating_factor * phys * rng.standard_normal(ctx.n)
    tonal = c.amp_1x * (harmonic(ctx, rng, 1.0) + c.rel_2x * harmonic(ctx, rng, 2.0))
    mod = 1.0 + c.mod_depth * tone(ctx.t, rng.uniform(*c.mod_freq_hz), rng)
    return (broadband + tonal) * mod * ctx.sev.curve


def oil_whirl(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    c = ctx.cfg.faults.whirl
    ratio = rng.uniform(*c.ratio)
    carrier = harmonic(ctx, rng, ratio)
    am = 1.0 + c.am_depth * harmonic(ctx, rng, ratio * c.am_ratio)
    return c.amp / np.sqrt(ctx.op.sommerfeld) * carrier * am * ctx.sev.curve


def misalignment(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    c = ctx.cfg.faults.misalignment
    return misalignment_part(ctx, rng, c.amp_2x, c.amp_3x)


def imbalance(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    return imbalance_part(ctx, rng, ctx.cfg.faults.imbalance.amp_1x)


def lubrication(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    return lubrication_part(ctx, rng, ctx.cfg.faults.lubrication.impacts)


def cavitation(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    return cavitation_part(ctx, rng, ctx.cfg.faults.cavitation.bursts)


def misalignment_imbalance(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    c = ctx.cfg.faults.combos
    return misalignment_part(ctx, rng, c.misalign_2x, c.misalign_3x) + imbalance_part(ctx, rng, c.imbalance_1x)


def wear_lubrication(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    return wear(ctx, rng) + lubrication_part(ctx, rng, ctx.cfg.faults.combos.wear_lube_impacts)


def cavitation_looseness(ctx: Context, rng: np.random.Generator) -> np.ndarray:
    return cavitation_part(ctx, rng, ctx.cfg.faults.combos.cav_loose_bursts) + looseness(ctx, rng)


JOURNAL_SIGNATURES: dict[int, Signature] = {
    1: misalignment,
    2: imbalance,
    3: looseness,
    4: lubrication,
    5: cavitation,
    6: wear,
    7: oil_whirl,
    8: misalignment_imbalance,
    9: wear_lubrication,
    10: cavitation_looseness,
}
