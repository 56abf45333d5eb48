"""Augmented copies: time shift, amplitude scaling and extra white noise."""

from __future__ import annotations

import numpy as np

from .rng import Stream, stream
from pfd_shared.generation.sections import AugmentationConfig


def augment(cfg: AugmentationConfig, base: np.ndarray, seed: int, index: int) -> np.ndarray:
    """Augmented float32 copy of a float32 base record, drawn from the copy's own stream."""
    rng = stream(seed, index, Stream.AUGMENT)
    n = base.shape[-1]
    shift = int(round(rng.uniform(-cfg.max_shift_fraction, cfg.max_shift_fraction) * n))
    gain = rng.uniform(*cfg.amp_scale)
    sigma = rng.uniform(*cfg.noise_sigma)
    y = np.roll(base.astype(np.float64), shift) * gain + sigma * rng.standard_normal(n)
    return y.astype(np.float32)
