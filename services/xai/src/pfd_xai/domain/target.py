"""What is explained: the target-class probability of a model as a function of the *normalised* window.

PFD models z-score every window inside the model (``WindowNorm``). Attributing the raw window from a zero
baseline would integrate through the degenerate point where the window's standard deviation vanishes: the
normalised input jumps from 0 to full scale within a tiny fraction of the path, so Integrated Gradients could
not be complete with any practical number of steps. The normalised window has the same time axis and differs
from the raw one only by a per-window offset and gain, so methods attribute ``z = norm(x)`` and a silent window
(z = 0, which is also what the model makes of any constant raw window) is the natural baseline.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from pfd_shared.models import SignalClassifier

from pfd_xai.domain.errors import MethodDoesNotApply


class ProbabilityOfNormalised(nn.Module):
    """``z`` (batch, channels, samples), already normalised -> class probabilities (batch, classes)."""

    def __init__(self, model: SignalClassifier) -> None:
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.model.head(self.model.dropout(self.model.body(z))), dim=1)


def signal_model(model: nn.Module) -> SignalClassifier:
    """The model in eval mode; MethodDoesNotApply for anything that is not a PFD signal model."""
    if not isinstance(model, SignalClassifier):
        raise MethodDoesNotApply(f"{type(model).__name__} is not a neural signal model: only those can be explained")
    return model.eval()


def as_window(window: np.ndarray | torch.Tensor, in_channels: int, dtype: torch.dtype) -> torch.Tensor:
    """One window as a (1, channels, samples) tensor; ValueError for other shapes."""
    tensor = torch.as_tensor(np.asarray(window), dtype=dtype)
    if tensor.ndim == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.ndim != 2 or tensor.shape[0] != in_channels:
        raise ValueError(f"expected one window of shape ({in_channels}, samples), got {tuple(tensor.shape)}")
    if not torch.isfinite(tensor).all():
        raise ValueError("the window contains NaN or infinite values")
    return tensor.unsqueeze(0)


def model_dtype(model: nn.Module) -> torch.dtype:
    return next(model.parameters()).dtype


def normalise(model: SignalClassifier, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model.norm(x)


@torch.inference_mode()
def probabilities(model: SignalClassifier, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities (batch, classes) of raw windows (an inference tensor: read it, never differentiate it)."""
    return torch.softmax(model(x), dim=1)
