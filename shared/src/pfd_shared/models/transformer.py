"""Patch transformer: a strided convolution cuts the window into patch embeddings, a class token reads them."""

from __future__ import annotations

import math

import torch
from torch import nn

from pfd_shared.models.layers import SignalClassifier
from pfd_shared.models.registry import register_model

FEEDFORWARD_FACTOR = 2
POSITION_BASE = 10_000.0


def sinusoidal_positions(length: int, dim: int, device: torch.device) -> torch.Tensor:
    """(length, dim) fixed sine/cosine positions, so any window length (any patch count) works."""
    position = torch.arange(length, device=device, dtype=torch.float32).unsqueeze(1)
    rate = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(POSITION_BASE) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate[: dim // 2])
    return table


class _PatchEncoder(nn.Module):
    def __init__(self, in_channels: int, patch: int, dim: int, depth: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Conv1d(in_channels, dim, patch, stride=patch)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, FEEDFORWARD_FACTOR * dim, dropout, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.out_norm = nn.LayerNorm(dim)
        nn.init.trunc_normal_(self.cls, std=0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.embed(x).transpose(1, 2)
        tokens = tokens + sinusoidal_positions(tokens.shape[1], tokens.shape[2], tokens.device)
        tokens = torch.cat([self.cls.expand(tokens.shape[0], -1, -1), tokens], dim=1)
        return self.out_norm(self.encoder(tokens)[:, 0])


@register_model("patch_transformer")
class PatchTransformer(SignalClassifier):
    """Non-overlapping patches -> linear embedding (conv) + sine positions -> pre-norm encoder -> class token."""

    def __init__(self, n_classes: int, in_channels: int = 1, patch: int = 64, dim: int = 32, depth: int = 2,
                 heads: int = 2, dropout: float = 0.1) -> None:
        super().__init__(n_classes, int(dim), dropout)
        if int(dim) % int(heads):
            raise ValueError(f"dim {dim} must be a multiple of heads {heads}")
        self.body = _PatchEncoder(in_channels, int(patch), int(dim), int(depth), int(heads), float(dropout))
