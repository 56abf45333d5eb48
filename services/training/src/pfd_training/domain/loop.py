"""The one training loop for every torch model; optimisation details live in plugins (plugins.py)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from pfd_shared.models import ModelSpec, build_model, count_parameters, save_artefact
from pfd_shared.training import TrainingConfig, validate_for_dataset
from pfd_training.domain.augment import Augmenter
from pfd_training.domain.checkpoint import RunState, fingerprint, pack, unpack
from pfd_training.domain.data import InvalidTrainingData, TrainingData
from pfd_training.domain.device import Precision, pick_device, torch_threads
from pfd_training.domain.hooks import EpochReport, StartInfo, TrainingHooks
from pfd_training.domain.plugins import BestModel, Plugin, plugins_for
from pfd_training.domain.result import TrainingResult
from pfd_training.domain.windows import WindowSet, as_record_tensor, vote

EVAL_BATCH_FACTOR = 4
"""Validation batches are this many times the training batch (no gradients kept)."""
MIN_TRAIN_WINDOWS = 2


@dataclass
class _Setup:
    model: nn.Module
    optimiser: torch.optim.Optimizer
    plugins: list[Plugin]
    precision: Precision
    criterion: nn.Module
    train: WindowSet
    val: WindowSet
    augment: Augmenter
    generator: torch.Generator
    device: torch.device
    steps_per_epoch: int
    spec: ModelSpec


def _optimiser(config: TrainingConfig, model: nn.Module) -> torch.optim.Optimizer:
    cls = torch.optim.AdamW if config.optimiser.name == "adamw" else torch.optim.Adam
    return cls(model.parameters(), lr=config.optimiser.learning_rate, weight_decay=config.optimiser.weight_decay)


def _class_weights(config: TrainingConfig, train: WindowSet, n_classes: int) -> torch.Tensor | None:
    """Inverse-frequency weights (mean 1 over present classes) when asked for."""
    if not config.class_weights:
        return None
    counts = train.class_counts(n_classes).double()
    weights = torch.where(counts > 0, counts.sum() / (n_classes * counts.clamp(min=1)), torch.zeros_like(counts))
    return weights.float()


def _setup(config: TrainingConfig, seed: int, data: TrainingData) -> _Setup:
    validate_for_dataset(config, samples_per_record=data.samples_per_record)
    length, hop = config.window.length, config.window.step
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    device = pick_device()
    params = config.resolved_params()
    model = build_model(config.model, params, data.n_classes, length).to(device)
    signals = as_record_tensor(data.signals)
    labels = torch.from_numpy(np.asarray(data.labels, dtype=np.int64))
    train = WindowSet.of(signals, labels, data.rows("train"), length, hop)
    val = WindowSet.of(signals, labels, data.rows("val"), length, hop)
    if len(train) < MIN_TRAIN_WINDOWS:
        raise InvalidTrainingData(f"the train split gives {len(train)} window(s); at least {MIN_TRAIN_WINDOWS} needed")
    optimiser = _optimiser(config, model)
    steps = max(1, len(train) // config.batch_size)
    weights = _class_weights(config, train, data.n_classes)
    criterion = nn.CrossEntropyLoss(
        weight=None if weights is None else weights.to(device), label_smoothing=config.label_smoothing
    )
    spec = ModelSpec(name=config.model, params=params, class_names=data.class_names, window_length=length,
                     sample_rate_hz=data.sample_rate_hz)
    return _Setup(model, optimiser, plugins_for(config, optimiser, steps), Precision(device, config.mixed_precision),
                  criterion, train, val, Augmenter(config.augmentation, hop, generator), generator, device, steps,
                  spec)


def _snapshot(s: _Setup, epoch: int, finished: bool, history: list[EpochReport]) -> RunState:
    return RunState(
        epoch=epoch, finished=finished, history=list(history),
        model={k: v.detach().cpu().clone() for k, v in s.model.state_dict().items()},
        optimiser=s.optimiser.state_dict(), plugins={p.name: p.state_dict() for p in s.plugins},
        generator=s.generator.get_state(), torch_rng=torch.get_rng_state(), scaler=s.precision.state_dict(),
    )


def _restore(s: _Setup, state: RunState) -> None:
    s.model.load_state_dict(state.model)
    s.optimiser.load_state_dict(state.optimiser)
    for plugin in s.plugins:
        plugin.load_state_dict(state.plugins.get(plugin.name, {}))
    if state.generator is not None:
        s.generator.set_state(state.generator)
    if state.torch_rng is not None:
        torch.set_rng_state(state.torch_rng)
    s.precision.load_state_dict(state.scaler)


def _train_epoch(s: _Setup, batch_size: int, hooks: TrainingHooks) -> tuple[float, float, int] | None:
    """Mean loss, accuracy and windows seen; None when the host asked to stop."""
    s.model.train()
    n = len(s.train)
    order = torch.randperm(n, generator=s.generator)
    jitter = s.augment.jitter(n)
    loss_sum, correct, seen = 0.0, 0, 0
    size = min(batch_size, n)
    for step in range(s.steps_per_epoch):
        if hooks.should_stop():
            return None
        part = slice(step * size, (step + 1) * size)
        x, y = s.train.batch(order[part], None if jitter is None else jitter[part])
        x, y = s.augment(x).to(s.device, non_blocking=True), y.to(s.device, non_blocking=True)
        with s.precision.autocast():
            logits = s.model(x)
            loss = s.criterion(logits, y)
        s.optimiser.zero_grad(set_to_none=True)
        s.precision.backward(loss, s.optimiser)
        for plugin in s.plugins:
            plugin.after_backward(s.model)
        s.precision.step(s.optimiser)
        for plugin in s.plugins:
            plugin.after_step()
        loss_sum += float(loss.detach()) * y.shape[0]
        correct += int((logits.detach().argmax(dim=1) == y).sum())
        seen += int(y.shape[0])
    return loss_sum / seen, correct / seen, seen


@torch.inference_mode()
def _validate(s: _Setup, batch_size: int, hooks: TrainingHooks) -> tuple[float, float, float] | None:
    """Validation loss, window accuracy and record accuracy (vote); None when the host asked to stop."""
    s.model.eval()
    n = len(s.val)
    probs = np.empty((n, s.spec.n_classes), dtype=np.float64)
    labels = np.empty(n, dtype=np.int64)
    loss_sum = 0.0
    size = batch_size * EVAL_BATCH_FACTOR
    for start in range(0, n, size):
        if hooks.should_stop():
            return None
        index = torch.arange(start, min(start + size, n))
        x, y = s.val.batch(index)
        with s.precision.autocast():
            logits = s.model(x.to(s.device)).float()
        loss_sum += float(nn.functional.cross_entropy(logits, y.to(s.device), reduction="sum"))
        probs[start:start + index.numel()] = torch.softmax(logits, dim=1).cpu().double().numpy()
        labels[start:start + index.numel()] = y.numpy()
    position = s.val.record_of(torch.arange(n)).numpy()
    record_probs = vote(probs, position, s.val.n_records)
    record_labels = s.val.labels[s.val.rows].numpy()
    record_accuracy = float(np.mean(record_probs.argmax(axis=1) == record_labels))
    return loss_sum / n, float(np.mean(probs.argmax(axis=1) == labels)), record_accuracy


def _finite(value: float) -> float:
    return value if math.isfinite(value) else float("nan")


def train_neural(
    config: TrainingConfig, seed: int, data: TrainingData, hooks: TrainingHooks, *,
    resume_from: bytes | None = None, threads: int = 1,
) -> TrainingResult:
    """See ``run_training``."""
    with torch_threads(threads):
        s = _setup(config, seed, data)
        run_id = fingerprint(config, seed, data)
        state = RunState()
        if resume_from is not None:
            state = unpack(resume_from, run_id)
            _restore(s, state)
        history = list(state.history)
        epoch, finished, cancelled = state.epoch, state.finished, False
        parameters = count_parameters(s.model)
        hooks.on_start(StartInfo(epochs=config.epochs, start_epoch=epoch, train_windows=len(s.train),
                                 val_windows=len(s.val), parameters=parameters, device=s.device.type))
        hooks.log(f"{config.model}/{config.preset}: {parameters:,} parameters, {len(s.train):,} train and "
                  f"{len(s.val):,} val windows of {config.window.length}, {s.steps_per_epoch} batches/epoch on "
                  f"{s.device.type} x{threads}" + (f", resumed after epoch {epoch}" if epoch else ""))
        while epoch < config.epochs and not finished:
            began = time.perf_counter()
            trained = _train_epoch(s, config.batch_size, hooks)
            train_seconds = time.perf_counter() - began
            validated = None if trained is None else _validate(s, config.batch_size, hooks)
            if trained is None or validated is None:
                cancelled = True
                hooks.log(f"cancelled during epoch {epoch + 1}; the checkpoint of epoch {epoch} is kept")
                break
            epoch += 1
            report = EpochReport(
                epoch=epoch, epochs=config.epochs, train_loss=_finite(trained[0]), train_accuracy=trained[1],
                val_loss=_finite(validated[0]), val_accuracy=validated[1], val_record_accuracy=validated[2],
                learning_rate=float(s.optimiser.param_groups[0]["lr"]), seconds=time.perf_counter() - began,
                windows_per_s=trained[2] / max(train_seconds, 1e-9),
            )
            for plugin in s.plugins:
                plugin.on_epoch_end(report, s.model)
            history.append(report)
            finished = epoch >= config.epochs or any(plugin.should_stop() for plugin in s.plugins)
            hooks.save_checkpoint(epoch, pack(_snapshot(s, epoch, finished, history), run_id))
            hooks.on_epoch(report)
            hooks.log(f"epoch {epoch}/{config.epochs}: loss {report.train_loss:.4f}/{report.val_loss:.4f}, "
                      f"acc {report.train_accuracy:.4f}/{report.val_accuracy:.4f}, val records "
                      f"{report.val_record_accuracy:.4f}, lr {report.learning_rate:.2e}, "
                      f"{report.windows_per_s:,.0f} windows/s")
            if finished and epoch < config.epochs:
                hooks.log(f"early stopping after epoch {epoch}")
        return _result(s, history, epoch, cancelled, parameters)


def _result(s: _Setup, history: list[EpochReport], epoch: int, cancelled: bool, parameters: int) -> TrainingResult:
    best = next(p for p in s.plugins if isinstance(p, BestModel))
    if best.weights is not None:
        s.model.load_state_dict(best.weights)
    metrics: dict[str, float] = {"epochs_run": float(epoch), "best_epoch": float(best.best_epoch)}
    if best.best_epoch:
        chosen = history[best.best_epoch - 1]
        metrics.update(train_loss=chosen.train_loss, train_accuracy=chosen.train_accuracy, val_loss=chosen.val_loss,
                       val_accuracy=chosen.val_accuracy, val_record_accuracy=chosen.val_record_accuracy)
    metrics["seconds"] = float(sum(r.seconds for r in history))
    return TrainingResult(cancelled=cancelled, epochs_run=epoch, best_epoch=best.best_epoch, metrics=metrics,
                          history=history, model_blob=save_artefact(s.model.cpu(), s.spec) if best.best_epoch else b"",
                          parameters=parameters)
