"""The model registry: architectures register under their catalogue name; ``build_model`` checks the fit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from torch import nn

from pfd_shared.training.catalogue import ModelDoesNotFit, Scalar, model_info

M = TypeVar("M", bound=type[nn.Module])
_REGISTRY: dict[str, type[nn.Module]] = {}


class DuplicateModel(ValueError):
    """Two architectures registered under one name."""


def register_model(name: str) -> Callable[[M], M]:
    """Class decorator: ``@register_model("cnn1d")``; the class takes ``(n_classes, in_channels, **params)``."""

    def decorate(cls: M) -> M:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise DuplicateModel(f"model {name!r} is already registered by {_REGISTRY[name].__qualname__}")
        _REGISTRY[name] = cls
        return cls

    return decorate


def registered_models() -> tuple[str, ...]:
    """Names of the registered torch architectures, sorted."""
    return tuple(sorted(_REGISTRY))


def build_model(
    name: str, params: dict[str, Scalar], n_classes: int, window_length: int, *, in_channels: int = 1
) -> nn.Module:
    """A fresh (randomly initialised — seed torch first) model for windows of ``window_length`` samples.

    ``params`` are the resolved model parameters (preset + overrides). ModelDoesNotFit when the model is
    unknown, not a torch model, or cannot take windows that short.
    """
    info = model_info(name)
    if name not in _REGISTRY:
        raise ModelDoesNotFit(f"model {name!r} ({info.family}) has no torch architecture")
    if n_classes < 2:
        raise ModelDoesNotFit(f"a classifier needs at least 2 classes, not {n_classes}")
    info.check_window(window_length, params)
    kwargs: dict[str, Any] = {key: params[key] for key in info.params if key in params}
    return _REGISTRY[name](n_classes=n_classes, in_channels=in_channels, **kwargs)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
