"""Penultimate-layer embeddings of many windows: the input of the classifier head, captured by a forward
pre-hook on the head during the one forward pass that also gives the predicted class.

The hook works for any model whose classifier head is a module (every ``SignalClassifier`` of the registry has
``head``; other models fall back to their last ``nn.Linear``). Windows stream in as an iterable of arrays, so a
large sample is never held in memory whole: only ``batch_size`` windows at a time go through the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from pfd_xai.domain.errors import EmbeddingImpossible, MethodDoesNotApply
from pfd_xai.domain.target import model_dtype

BatchProgress = Callable[[int], None]


@dataclass(frozen=True)
class WindowEmbedding:
    """Per window: the penultimate features (n, embed_dim) float32 and the predicted class (n,) int64."""

    features: np.ndarray
    predicted: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.features.shape[1])


def classifier_head(model: nn.Module) -> nn.Module:
    """The layer that maps the embedding to the logits: ``model.head``, else the model's last ``nn.Linear``."""
    head = getattr(model, "head", None)
    if isinstance(head, nn.Module):
        return head
    linears = [module for module in model.modules() if isinstance(module, nn.Linear)]
    if not linears:
        raise MethodDoesNotApply(f"{type(model).__name__} has no classifier head to take the embedding from")
    return linears[-1]


def _batches(windows: Iterable[np.ndarray], batch_size: int, in_channels: int) -> Iterator[np.ndarray]:
    """Re-chunk arrays of windows ((k, samples) or (k, channels, samples)) into batches (b, channels, samples)."""
    pending: list[np.ndarray] = []
    count = 0
    for part in windows:
        block = part[:, None, :] if part.ndim == 2 else part
        if block.ndim != 3 or block.shape[1] != in_channels:
            raise MethodDoesNotApply(f"the model takes {in_channels} channel(s); the windows have shape "
                                     f"{tuple(part.shape[1:])}")
        pending.append(block)
        count += len(block)
        while count >= batch_size:
            joined = np.concatenate(pending)
            yield joined[:batch_size]
            pending, count = [joined[batch_size:]], count - batch_size
    if count:
        yield np.concatenate(pending)


def embed_windows(model: nn.Module, windows: Iterable[np.ndarray], *, in_channels: int = 1, batch_size: int = 32,
                  on_batch: BatchProgress | None = None) -> WindowEmbedding:
    """Embedding and predicted class of every window, in order; ``on_batch(windows_done)`` after each batch."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    head = classifier_head(model)
    dtype = model_dtype(model)
    captured: list[torch.Tensor] = []
    predicted: list[torch.Tensor] = []
    handle = head.register_forward_pre_hook(lambda _module, args: captured.append(args[0].flatten(1).float()))
    model.eval()
    done = 0
    try:
        with torch.inference_mode():
            for batch in _batches(windows, batch_size, in_channels):
                logits = model(torch.from_numpy(np.ascontiguousarray(batch)).to(dtype))
                predicted.append(logits.argmax(dim=1))
                done += len(batch)
                if on_batch is not None:
                    on_batch(done)
    finally:
        handle.remove()
    if not captured:
        raise EmbeddingImpossible("there is no window to embed")
    features = torch.cat(captured).numpy()
    if not np.isfinite(features).all():
        raise EmbeddingImpossible("the model's embedding of some windows is not finite")
    return WindowEmbedding(features=features, predicted=torch.cat(predicted).numpy().astype(np.int64))


@dataclass(frozen=True)
class AlignedClasses:
    """One list of class names for the data set's labels and the model's predictions (data set's first)."""

    names: tuple[str, ...]
    labels: np.ndarray
    predicted: np.ndarray


def align_classes(dataset_names: Sequence[str], model_names: Sequence[str], labels: np.ndarray,
                  predicted: np.ndarray) -> AlignedClasses:
    """Re-index ``labels`` (into ``dataset_names``) and ``predicted`` (into ``model_names``) into one list: the
    data set's classes, then the model's classes the data set does not have."""
    names = tuple(dataset_names) + tuple(name for name in model_names if name not in dataset_names)
    position = {name: index for index, name in enumerate(names)}
    model_to_names = np.asarray([position[name] for name in model_names], dtype=np.int64)
    return AlignedClasses(names=names, labels=np.asarray(labels, dtype=np.int64), predicted=model_to_names[predicted])
