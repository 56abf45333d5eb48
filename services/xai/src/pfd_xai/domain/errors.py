"""What can go wrong in an explanation, as specific exceptions with a message a user can read."""

from __future__ import annotations

from pfd_shared.xai import ParameterOutOfRange, UnknownMethod


class MethodDoesNotApply(ValueError):
    """The method cannot explain this model (e.g. Grad-CAM without a convolution, any method on a classical
    model, an occlusion patch longer than the window)."""


class EmbeddingImpossible(ValueError):
    """The data set's windows cannot be embedded or projected (no window fits, too few windows, non-finite
    embeddings)."""


class ExplanationCancelled(Exception):
    """The explanation was stopped on request between two stages."""


__all__ = ["EmbeddingImpossible", "ExplanationCancelled", "MethodDoesNotApply", "ParameterOutOfRange", "UnknownMethod"]
