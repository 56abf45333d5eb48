"""Penultimate-layer embedding of many windows projected to 2-D by PCA (exact, deterministic, cheap; t-SNE is
left to the data-gen projection worker, which already runs it on features)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from pfd_shared.models import SignalClassifier, embed

EMBED_BATCH = 256
COMPONENTS = 2


@dataclass(frozen=True)
class Embedding2d:
    """(n, 2) coordinates and the share of the embedding's variance each axis explains."""

    coordinates: np.ndarray
    explained_variance: np.ndarray


def pca_2d(features: np.ndarray) -> Embedding2d:
    """Project (n, d) rows onto their first two principal components (sign fixed: largest loading positive)."""
    if features.ndim != 2 or features.shape[0] < COMPONENTS:
        raise ValueError(f"need at least {COMPONENTS} embedded windows, got {features.shape[0]}")
    centred = features - features.mean(axis=0, keepdims=True)
    _u, singular, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:COMPONENTS]
    if axes.shape[0] < COMPONENTS:
        axes = np.vstack([axes, np.zeros((COMPONENTS - axes.shape[0], features.shape[1]))])
    signs = np.sign(axes[np.arange(COMPONENTS), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1.0, signs)[:, None]
    variance = singular ** 2
    share = variance[:COMPONENTS] / variance.sum() if variance.sum() > 0 else np.zeros(COMPONENTS)
    return Embedding2d(coordinates=centred @ axes.T, explained_variance=np.pad(share, (0, COMPONENTS - share.size)))


@torch.inference_mode()
def embed_windows(model: SignalClassifier, windows: np.ndarray,
                  on_batch: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Penultimate features (n, embed_dim) of raw windows (n, samples) or (n, channels, samples)."""
    model.eval()
    parts = []
    for start in range(0, len(windows), EMBED_BATCH):
        parts.append(embed(model, windows[start:start + EMBED_BATCH]).double().numpy())
        if on_batch is not None:
            on_batch(min(start + EMBED_BATCH, len(windows)), len(windows))
    return np.concatenate(parts) if parts else np.zeros((0, model.embed_dim))
