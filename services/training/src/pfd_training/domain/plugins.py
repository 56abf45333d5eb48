"""Plugins of the one training loop: each hooks into batch / epoch events and keeps resumable state."""

from __future__ import annotations

import copy
import math
from typing import Any

import torch
from torch import nn

from pfd_shared.training import TrainingConfig
from pfd_training.domain.hooks import EpochReport


class Plugin:
    """Base plugin: every method is optional; ``state_dict`` must hold plain values and tensors only."""

    name = "plugin"

    def after_backward(self, model: nn.Module) -> None: ...

    def after_step(self) -> None: ...

    def on_epoch_end(self, report: EpochReport, model: nn.Module) -> None: ...

    def should_stop(self) -> bool:
        return False

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class GradClip(Plugin):
    """Clip the global gradient norm after each backward pass."""

    name = "grad_clip"

    def __init__(self, max_norm: float) -> None:
        self.max_norm = max_norm

    def after_backward(self, model: nn.Module) -> None:
        nn.utils.clip_grad_norm_(model.parameters(), self.max_norm)


class LrSchedule(Plugin):
    """cosine / one-cycle step per batch; plateau steps per epoch on the validation loss."""

    name = "lr_schedule"

    def __init__(self, config: TrainingConfig, optimiser: torch.optim.Optimizer, steps_per_epoch: int) -> None:
        cfg = config.scheduler
        total = max(1, config.epochs * steps_per_epoch)
        self.per_batch = cfg.name in ("cosine", "one_cycle")
        self.scheduler: Any = None
        if cfg.name == "cosine":
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=total)
        elif cfg.name == "one_cycle":
            self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
                optimiser, max_lr=config.optimiser.learning_rate, total_steps=total
            )
        elif cfg.name == "plateau":
            self.scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
                optimiser, factor=cfg.plateau_factor, patience=cfg.plateau_patience
            )

    def after_step(self) -> None:
        if self.per_batch and self.scheduler is not None:
            self.scheduler.step()

    def on_epoch_end(self, report: EpochReport, model: nn.Module) -> None:
        if not self.per_batch and self.scheduler is not None:
            self.scheduler.step(report.val_loss)

    def state_dict(self) -> dict[str, Any]:
        return {} if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state)


class BestModel(Plugin):
    """Keeps the weights of the epoch with the lowest validation loss (the run's final model)."""

    name = "best_model"

    def __init__(self) -> None:
        self.best_loss = math.inf
        self.best_epoch = 0
        self.weights: dict[str, torch.Tensor] | None = None

    def on_epoch_end(self, report: EpochReport, model: nn.Module) -> None:
        if report.val_loss < self.best_loss:
            self.best_loss = report.val_loss
            self.best_epoch = report.epoch
            self.weights = copy.deepcopy({k: v.detach().cpu() for k, v in model.state_dict().items()})

    def state_dict(self) -> dict[str, Any]:
        return {"best_loss": self.best_loss, "best_epoch": self.best_epoch, "weights": self.weights}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_loss = float(state["best_loss"])
        self.best_epoch = int(state["best_epoch"])
        self.weights = state["weights"]


class EarlyStopping(Plugin):
    """Stop after ``patience`` epochs without a lower validation loss (``min_delta`` counts as lower)."""

    name = "early_stopping"

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best = math.inf
        self.bad_epochs = 0

    def on_epoch_end(self, report: EpochReport, model: nn.Module) -> None:
        if report.val_loss < self.best - self.min_delta:
            self.best = report.val_loss
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1

    def should_stop(self) -> bool:
        return self.bad_epochs >= self.patience

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = float(state["best"])
        self.bad_epochs = int(state["bad_epochs"])


def plugins_for(config: TrainingConfig, optimiser: torch.optim.Optimizer, steps_per_epoch: int) -> list[Plugin]:
    """The plugins the config asks for, in call order (clip before the step, schedule after it)."""
    plugins: list[Plugin] = []
    if config.grad_clip_norm is not None:
        plugins.append(GradClip(config.grad_clip_norm))
    plugins.append(LrSchedule(config, optimiser, steps_per_epoch))
    plugins.append(BestModel())
    if config.early_stopping_patience > 0:
        plugins.append(EarlyStopping(config.early_stopping_patience))
    return plugins
