"""Fixtures of the xai tests: tiny signal models with known behaviour."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from pfd_shared.models import SignalClassifier


class BandPower(nn.Module):
    """(batch, 1, samples) -> (batch, 1): log power of the normalised window between two frequencies."""

    def __init__(self, low_hz: float, high_hz: float, sample_rate_hz: float) -> None:
        super().__init__()
        self.low, self.high, self.rate = low_hz, high_hz, sample_rate_hz

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        spectrum = torch.fft.rfft(z, dim=-1).abs() ** 2
        freqs = torch.fft.rfftfreq(z.shape[-1], d=1.0 / self.rate)
        inside = (freqs >= self.low) & (freqs < self.high)
        return torch.log1p(spectrum[..., inside].sum(dim=-1) / z.shape[-1])


class BandToy(SignalClassifier):
    """Class 1 grows with the power in one band; no convolution (Grad-CAM does not apply)."""

    def __init__(self, low_hz: float, high_hz: float, sample_rate_hz: float) -> None:
        super().__init__(n_classes=2, embed_dim=1, dropout=0.0)
        self.body = BandPower(low_hz, high_hz, sample_rate_hz)
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor([[-1.0], [1.0]]))
            self.head.bias.zero_()


class PositiveScale(nn.Module):
    """Logits [s, -s] * |w|: re-initialising w changes the scale only, never the ranking of attributions."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1))

    def reset_parameters(self) -> None:
        nn.init.uniform_(self.weight, 0.1, 3.0)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.cat([features, -features], dim=1) * self.weight.abs()


class WeightBlindToy(SignalClassifier):
    """An explanation of this model cannot depend on its weights: the randomisation check must flag it."""

    def __init__(self) -> None:
        super().__init__(n_classes=2, embed_dim=1, dropout=0.0)
        self.body = _Energy()
        self.head = PositiveScale()


class _Energy(nn.Module):
    def forward(self, z: torch.Tensor) -> torch.Tensor:
        weights = torch.linspace(0.0, 1.0, z.shape[-1], dtype=z.dtype)
        return (z[:, 0] ** 2 * weights).mean(dim=-1, keepdim=True)


TOY_RATE_HZ = 8_000.0
TOY_BAND_HZ = (1_000.0, 1_500.0)


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(1)


@pytest.fixture
def band_toy() -> BandToy:
    return BandToy(*TOY_BAND_HZ, TOY_RATE_HZ).eval()


@pytest.fixture
def weight_blind_toy() -> WeightBlindToy:
    return WeightBlindToy().eval()
