"""Short events: decaying impacts, windowed bursts, damped resonance responses."""

from __future__ import annotations

import numpy as np

from .context import Context
from pfd_shared.generation.sections import BurstConfig, ImpactConfig
from .waves import sine

TWO_PI = 2.0 * np.pi


def event_count(base: int, per_severity: float, mean_severity: float) -> int:
    """Number of events: base + per_severity * mean(s), floored."""
    return int(base + per_severity * mean_severity)


def decaying_impacts(ctx: Context, cfg: ImpactConfig, rng: np.random.Generator) -> np.ndarray:
    """Impacts at random instants, each a sinusoid decaying with time constant tau."""
    n, t = ctx.n, ctx.t
    out = np.zeros(n)
    amp = cfg.amplitude * ctx.sev.mean
    for _ in range(event_count(cfg.base_count, cfg.count_per_severity, ctx.sev.mean)):
        i0 = int(rng.integers(n))
        f = rng.uniform(*cfg.freq_hz)
        tr = t[: n - i0]
        decay = np.exp((-tr / cfg.tau_s).astype(np.float32))
        out[i0:] += amp * decay * sine(tr, f)
    return out


def bursts(ctx: Context, cfg: BurstConfig, rng: np.random.Generator) -> np.ndarray:
    """Cavitation bursts: Hann x exp(-decay t) windowed tones at random instants."""
    n, fs = ctx.n, ctx.fs
    length = max(1, min(n, int(round(cfg.duration_s * fs))))
    tl = ctx.t[:length]
    window = np.hanning(length) * np.exp(-cfg.decay_per_s * tl)
    amp = cfg.amp_per_severity * ctx.sev.mean
    out = np.zeros(n)
    for _ in range(event_count(cfg.base_count, cfg.count_per_severity, ctx.sev.mean)):
        i0 = int(rng.integers(n - length + 1))
        f = rng.uniform(*cfg.freq_hz)
        out[i0 : i0 + length] += amp * window * np.sin(TWO_PI * f * tl + rng.uniform(0.0, TWO_PI))
    return out


def damped_response(fs: float, freq_hz: float, damping: float, time_constants: float) -> np.ndarray:
    """Unit impulse response of a damped structural mode, truncated after N time constants."""
    wn = TWO_PI * freq_hz
    decay = damping * wn
    length = max(2, int(np.ceil(time_constants / decay * fs)))
    tt = np.arange(length) / fs
    return np.exp(-decay * tt) * np.sin(wn * np.sqrt(1.0 - damping**2) * tt)
