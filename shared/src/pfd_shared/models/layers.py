"""Building blocks shared by the architectures: in-model per-window normalisation and the classifier base."""

from __future__ import annotations

import torch
from torch import nn

NORM_EPS = 1e-6


class WindowNorm(nn.Module):
    """Each window (and channel) minus its mean, divided by its standard deviation: identical preprocessing
    wherever the model runs, whatever the recording's gain."""

    def __init__(self, eps: float = NORM_EPS) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        std = x.std(dim=-1, keepdim=True, unbiased=False)
        return (x - mean) / (std + self.eps)


class SignalClassifier(nn.Module):
    """Base of every signal model: ``x`` (batch, channels, samples) -> logits (batch, classes).

    Subclasses set ``self.body`` (normalised windows -> (batch, embed_dim) features) and ``embed_dim``; the
    base adds the normalisation in front and dropout + a linear head behind, so ``embed`` is uniform.
    """

    embed_dim: int

    def __init__(self, n_classes: int, embed_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm = WindowNorm()
        self.embed_dim = embed_dim
        self.dropout = nn.Dropout(float(dropout))
        self.head = nn.Linear(embed_dim, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features (batch, embed_dim) of raw windows."""
        return self.body(self.norm(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.dropout(self.features(x)))


def conv_bn_relu(c_in: int, c_out: int, kernel: int, stride: int = 1, padding: int | None = None) -> nn.Sequential:
    """Conv1d (no bias) -> BatchNorm1d -> ReLU; 'same'-style padding by default."""
    pad = kernel // 2 if padding is None else padding
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=pad, bias=False),
        nn.BatchNorm1d(c_out),
        nn.ReLU(inplace=True),
    )


class GlobalAvgPool(nn.Module):
    """(batch, channels, time) -> (batch, channels)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=-1)
