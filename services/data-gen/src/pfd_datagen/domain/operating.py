"""Operating conditions (speed, load, temperature), bearing factors and shaft phase."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import transients as tr
from pfd_shared.generation.sections import OperatingConfig, RecordConfig, TransientConfig

Signal = float | np.ndarray


@lru_cache(maxsize=8)
def time_vector(n: int, fs: float) -> np.ndarray:
    """Read-only time axis (s) of a record."""
    t = np.arange(n, dtype=np.float64) / fs
    t.setflags(write=False)
    return t


@dataclass(frozen=True)
class OperatingState:
    """Operating point of one record; factors are scalars or per-sample arrays under transients."""

    t: np.ndarray
    fs: float
    speed_hz: Signal
    revolutions: np.ndarray
    load: float
    temperature_c: Signal
    load_factor: Signal
    temp_factor: Signal
    sommerfeld: Signal
    transient: str

    @property
    def operating_factor(self) -> Signal:
        return self.load_factor * self.temp_factor

    @property
    def mean_speed_hz(self) -> float:
        return float(np.mean(self.speed_hz))

    @property
    def mean_temperature_c(self) -> float:
        return float(np.mean(self.temperature_c))


def factors(
    cfg: OperatingConfig, speed_hz: Signal, load: Signal, temp_c: Signal, load_mult: Signal = 1.0
) -> tuple[Signal, Signal, Signal]:
    """(load_factor, temp_factor, Sommerfeld number) of the spec; load_mult applies a load step."""
    load_factor = (cfg.load_factor_offset + cfg.load_factor_slope * load) * load_mult
    temp_factor = cfg.temp_factor_base + cfg.temp_factor_span * (temp_c - cfg.temp_ref_c) / cfg.temp_span_c
    s = (
        cfg.sommerfeld_ref
        * np.exp(-cfg.sommerfeld_temp_coef * (temp_c - cfg.sommerfeld_temp_ref_c))
        * (speed_hz / cfg.sommerfeld_speed_ref_hz)
        / load_factor
    )
    return load_factor, temp_factor, np.clip(s, *cfg.sommerfeld_clip)


def physics_factor(cfg: OperatingConfig, sommerfeld: Signal) -> Signal:
    """sqrt(S / S_ref)."""
    return np.sqrt(sommerfeld / cfg.sommerfeld_ref)


def draw_state(
    op: OperatingConfig,
    rec: RecordConfig,
    trc: TransientConfig,
    rng_op: np.random.Generator,
    rng_tr: np.random.Generator,
) -> OperatingState:
    """Draw speed/load/temperature and an optional transient; integrate the shaft phase."""
    n, fs, dur = rec.n_samples, rec.sample_rate_hz, rec.duration_s
    t = time_vector(n, fs)
    speed = op.nominal_speed_hz * rng_op.uniform(1.0 - op.speed_tolerance, 1.0 + op.speed_tolerance)
    load = rng_op.uniform(*op.load_range)
    temp = rng_op.uniform(*op.temperature_range_c)
    rev0 = rng_op.random()
    kind = tr.draw_kind(trc, rng_tr)
    speed_sig: Signal = speed
    temp_sig: Signal = temp
    load_mult: Signal = 1.0
    if kind == "speed_ramp":
        speed_sig = speed * tr.speed_multiplier(trc, t, dur)
        # Instantaneous frequency drives the phase: integrate it, do not just scale amplitudes.
        revolutions = rev0 + (np.cumsum(speed_sig) - speed_sig[0]) / fs
    else:
        revolutions = rev0 + speed * t
    if kind == "load_step":
        load_mult = tr.load_multiplier(trc, t, dur, rng_tr)
    elif kind == "thermal_expansion":
        temp_sig = temp + tr.temperature_rise(trc, t)
    load_factor, temp_factor, s = factors(op, speed_sig, load, temp_sig, load_mult)
    return OperatingState(
        t=t,
        fs=fs,
        speed_hz=speed_sig,
        revolutions=revolutions,
        load=float(load),
        temperature_c=temp_sig,
        load_factor=load_factor,
        temp_factor=temp_factor,
        sommerfeld=s,
        transient=kind,
    )
