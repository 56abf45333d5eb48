"""Fast tones: the cycle count is wrapped in float64, the sine taken in SIMD float32."""

from __future__ import annotations

import numpy as np

TWO_PI32 = np.float32(2.0 * np.pi)


def sine(cycles: np.ndarray, order: float = 1.0, phase_cycles: float = 0.0) -> np.ndarray:
    """sin(2 pi (order * cycles + phase_cycles)) as float32 (phase error < 1e-6 rad)."""
    y = cycles * order
    if phase_cycles:
        y += phase_cycles
    np.subtract(y, np.floor(y), out=y)
    y32 = y.astype(np.float32)
    y32 *= TWO_PI32
    return np.sin(y32, out=y32)


def tone(t: np.ndarray, freq_hz: float, rng: np.random.Generator) -> np.ndarray:
    """Constant-frequency sine with a random phase."""
    return sine(t, freq_hz, rng.random())
