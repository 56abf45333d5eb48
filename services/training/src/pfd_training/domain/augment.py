"""Batch augmentation of training windows, vectorised and driven by the run's seeded generator."""

from __future__ import annotations

import torch

from pfd_shared.training.config import AugmentationConfig

DB_PER_AMPLITUDE_DECADE = 20.0


class Augmenter:
    """Random window shift (start jitter inside the record), random gain and additive white noise at an SNR."""

    def __init__(self, config: AugmentationConfig, hop: int, generator: torch.Generator) -> None:
        self.config = config
        self.hop = hop
        self.generator = generator

    def jitter(self, size: int) -> torch.Tensor | None:
        """Start offsets 0..hop-1 per window when shifting is on."""
        if not self.config.shift or self.hop <= 1:
            return None
        return torch.randint(0, self.hop, (size,), generator=self.generator)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Gain and noise on a (batch, channels, samples) batch (a new tensor when anything applies)."""
        batch = x.shape[0]
        if self.config.scale > 0:
            gain = 1.0 + self.config.scale * (2.0 * torch.rand(batch, 1, 1, generator=self.generator) - 1.0)
            x = x * gain
        if self.config.noise_snr_db is not None:
            rms = x.pow(2).mean(dim=-1, keepdim=True).sqrt()
            sigma = rms / 10.0 ** (self.config.noise_snr_db / DB_PER_AMPLITUDE_DECADE)
            x = x + sigma * torch.randn(x.shape, generator=self.generator)
        return x
