"""What xai and deploy need from any registered model: the last convolution, embeddings, probabilities."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from pfd_shared.models.layers import SignalClassifier

DEFAULT_BATCH = 512


class NoConvolution(ValueError):
    """The model has no 1-D convolution (Grad-CAM does not apply)."""


def last_conv(model: nn.Module) -> nn.Conv1d:
    """The last ``nn.Conv1d`` in module order (the Grad-CAM target layer)."""
    convs = [module for module in model.modules() if isinstance(module, nn.Conv1d)]
    if not convs:
        raise NoConvolution(f"{type(model).__name__} has no Conv1d layer")
    return convs[-1]


def _as_batch(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    tensor = torch.as_tensor(x, dtype=torch.float32)
    if tensor.ndim == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim == 2:
        tensor = tensor.unsqueeze(1)
    return tensor


def embed(model: nn.Module, x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Penultimate features (batch, embed_dim) of raw windows (samples), (batch, samples) or (batch, ch, samples)."""
    if not isinstance(model, SignalClassifier):
        raise TypeError(f"{type(model).__name__} is not a PFD signal model")
    return model.features(_as_batch(x))


@torch.inference_mode()
def predict_proba(model: nn.Module, windows: torch.Tensor | np.ndarray, batch_size: int = DEFAULT_BATCH) -> np.ndarray:
    """Softmax probabilities (n, classes) as float64, computed in batches in eval mode."""
    was_training = model.training
    model.eval()
    batch = _as_batch(windows)
    out = [torch.softmax(model(batch[i:i + batch_size]).float(), dim=1) for i in range(0, batch.shape[0], batch_size)]
    model.train(was_training)
    return torch.cat(out).double().numpy() if out else np.zeros((0, 0))
