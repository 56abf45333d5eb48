"""The 8 switchable noise layers, including true 1/f pink noise."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import fft as sfft

from .context import Context
from .rng import Stream, stream
from .waves import tone

Layer = Callable[[np.ndarray, Context, np.random.Generator, dict[str, Any]], "np.ndarray | None"]


def shaped_noise(gain: np.ndarray, n: int, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of n samples with amplitude spectrum `gain` (rfft bins), scaled to std sigma."""
    spec = np.empty(gain.size, dtype=np.complex64)
    spec.real = rng.standard_normal(gain.size, dtype=np.float32)
    spec.imag = rng.standard_normal(gain.size, dtype=np.float32)
    spec *= gain
    x = sfft.irfft(spec, n).astype(np.float64)
    std = x.std()
    return x * (sigma / std) if std > 0 else x


@lru_cache(maxsize=16)
def pink_gain(n: int, fs: float, exponent: float) -> np.ndarray:
    """Amplitude gain f^(-exponent/2) per rfft bin: PSD ~ 1/f^exponent, zero at DC."""
    f = sfft.rfftfreq(n, 1.0 / fs)
    g = np.zeros(f.size, dtype=np.float32)
    g[1:] = f[1:] ** (-exponent / 2.0)
    return g


@lru_cache(maxsize=16)
def band_gain(n: int, fs: float, lo: float, hi: float) -> np.ndarray:
    """Flat amplitude gain inside [lo, hi] Hz per rfft bin."""
    f = sfft.rfftfreq(n, 1.0 / fs)
    return ((f >= lo) & (f <= hi)).astype(np.float32)


def measurement(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    return ctx.cfg.noise.measurement.sigma * rng.standard_normal(ctx.n)


def mains(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    c = ctx.cfg.noise.mains
    f = float(c.freqs_hz[int(rng.integers(len(c.freqs_hz)))])
    info["mains_hz"] = f
    return rng.uniform(*c.amplitude) * tone(ctx.t, f, rng)


def pink(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    c = ctx.cfg.noise.pink
    return shaped_noise(pink_gain(ctx.n, ctx.fs, c.exponent), ctx.n, c.sigma, rng)


def slow_drift(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    c = ctx.cfg.noise.slow_drift
    return c.amplitude * tone(ctx.t, 1.0 / c.period_s, rng)


def sensor_drift(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    sign = 1.0 if rng.random() < 0.5 else -1.0
    return sign * ctx.cfg.noise.sensor_drift.rate_per_s * ctx.t


def aliasing(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray | None:
    c = ctx.cfg.noise.aliasing
    if rng.random() >= c.probability:
        return None
    f_src = rng.uniform(*c.source_fraction_of_fs) * ctx.fs
    f_alias = abs(f_src - ctx.fs)  # folded image of a tone above Nyquist
    info["alias_hz"] = f_alias
    return c.amplitude * tone(ctx.t, f_alias, rng)


def impulse(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    c = ctx.cfg.noise.impulse
    k = int(rng.poisson(c.rate_hz * ctx.cfg.record.duration_s))
    out = np.zeros(ctx.n)
    idx = rng.integers(ctx.n, size=k)
    amp = rng.uniform(*c.amplitude, size=k) * rng.choice((-1.0, 1.0), size=k)
    np.add.at(out, idx, amp)
    return out


def quantisation(x: np.ndarray, ctx: Context, rng: np.random.Generator, info: dict[str, Any]) -> np.ndarray:
    step = ctx.cfg.noise.quantisation.step
    return np.round(x / step) * step - x


# Additive layers in application order; quantisation runs last on the summed signal.
LAYERS: dict[str, tuple[Stream, Layer]] = {
    "measurement": (Stream.MEASUREMENT, measurement),
    "mains": (Stream.MAINS, mains),
    "pink": (Stream.PINK, pink),
    "slow_drift": (Stream.SLOW_DRIFT, slow_drift),
    "sensor_drift": (Stream.SENSOR_DRIFT, sensor_drift),
    "aliasing": (Stream.ALIASING, aliasing),
    "impulse": (Stream.IMPULSE, impulse),
    "quantisation": (Stream.QUANTISATION, quantisation),
}


def apply_noise(
    x: np.ndarray, ctx: Context, seed: int, index: int, components: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, dict[str, Any]]:
    """Add every enabled layer to x (in place); returns x and per-record info (mains, alias)."""
    info: dict[str, Any] = {"mains_hz": 0.0, "alias_hz": 0.0}
    for name, (sid, layer) in LAYERS.items():
        if not getattr(ctx.cfg.noise, name).enabled:
            continue
        contrib = layer(x, ctx, stream(seed, index, sid), info)
        if contrib is None:
            continue
        x += contrib
        if components is not None:
            components[name] = contrib
    return x, info
