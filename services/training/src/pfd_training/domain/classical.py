"""Classical baselines on the per-record features, fitted in warm-started stages (each stage reported and
checkpointed like an epoch, cancellation polled between stages)."""

from __future__ import annotations

import pickle
import time
from typing import Any

import numpy as np
from sklearn.metrics import log_loss
from threadpoolctl import threadpool_limits

from pfd_shared.models import ModelSpec, build_classical, save_classical_artefact, size_param
from pfd_shared.training import TrainingConfig
from pfd_training.domain.checkpoint import CheckpointMismatch, fingerprint
from pfd_training.domain.data import TrainingData
from pfd_training.domain.hooks import EpochReport, StartInfo, TrainingHooks
from pfd_training.domain.result import TrainingResult

MAX_STAGES = 10
CLASSICAL_CHECKPOINT_MAGIC = b"PFD-SKLEARN-CHECKPOINT/1\n"


def clean_features(features: np.ndarray) -> np.ndarray:
    """float64 features with infinities as NaN (the tree models handle missing values)."""
    out = np.asarray(features, dtype=np.float64).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def stage_sizes(total: int) -> list[int]:
    """Estimator sizes after each stage, growing to ``total`` in at most MAX_STAGES steps."""
    stages = max(1, min(MAX_STAGES, total))
    return sorted({max(1, round(total * (k + 1) / stages)) for k in range(stages)})


def _pack(estimator: Any, stage: int, history: list[EpochReport], run_id: str) -> bytes:
    payload = {"fingerprint": run_id, "stage": stage, "estimator": estimator, "history": [r.to_dict() for r in history]}
    return CLASSICAL_CHECKPOINT_MAGIC + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(blob: bytes, run_id: str) -> tuple[Any, int, list[EpochReport]]:
    """Platform-written checkpoints only (pickle)."""
    if not blob.startswith(CLASSICAL_CHECKPOINT_MAGIC):
        raise CheckpointMismatch("not a classical training checkpoint")
    payload = pickle.loads(blob[len(CLASSICAL_CHECKPOINT_MAGIC):])  # noqa: S301 - platform-written only
    if payload["fingerprint"] != run_id:
        raise CheckpointMismatch("the checkpoint belongs to another config, seed or data set")
    return payload["estimator"], int(payload["stage"]), [EpochReport(**r) for r in payload["history"]]


def _scores(estimator: Any, x: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[float, float]:
    probs = np.zeros((x.shape[0], n_classes))
    probs[:, estimator.classes_] = estimator.predict_proba(x)
    loss = float(log_loss(y, probs, labels=np.arange(n_classes)))
    return loss, float(np.mean(probs.argmax(axis=1) == y))


def train_classical(
    config: TrainingConfig, seed: int, data: TrainingData, hooks: TrainingHooks, *,
    resume_from: bytes | None = None, threads: int = 1,
) -> TrainingResult:
    """See ``run_training``: one record = one sample (its features); record accuracy = window accuracy."""
    params = config.resolved_params()
    grow = size_param(config.model)
    sizes = stage_sizes(int(params[grow]))
    run_id = fingerprint(config, seed, data)
    features = clean_features(data.features)
    train, val = data.rows("train"), data.rows("val")
    x_train, y_train = features[train], data.labels[train]
    x_val, y_val = features[val], data.labels[val]
    estimator = build_classical(config.model, params, seed, threads)
    if config.class_weights:
        estimator.set_params(class_weight="balanced")
    done, history = 0, []
    if resume_from is not None:
        estimator, done, history = _unpack(resume_from, run_id)
    hooks.on_start(StartInfo(epochs=len(sizes), start_epoch=done, train_windows=int(train.size),
                             val_windows=int(val.size), parameters=0))
    hooks.log(f"{config.model}/{config.preset}: {len(sizes)} stages to {grow}={sizes[-1]} on {train.size} records "
              f"x {features.shape[1]} features" + (f", resumed after stage {done}" if done else ""))
    cancelled = False
    with threadpool_limits(limits=max(1, threads)):
        for stage in range(done, len(sizes)):
            if hooks.should_stop():
                cancelled = True
                hooks.log(f"cancelled before stage {stage + 1}; the checkpoint of stage {stage} is kept")
                break
            began = time.perf_counter()
            estimator.set_params(**{grow: sizes[stage]})
            estimator.fit(x_train, y_train)
            fit_seconds = time.perf_counter() - began
            train_loss, train_acc = _scores(estimator, x_train, y_train, data.n_classes)
            val_loss, val_acc = _scores(estimator, x_val, y_val, data.n_classes)
            report = EpochReport(epoch=stage + 1, epochs=len(sizes), train_loss=train_loss, train_accuracy=train_acc,
                                 val_loss=val_loss, val_accuracy=val_acc, val_record_accuracy=val_acc,
                                 learning_rate=0.0, seconds=time.perf_counter() - began,
                                 windows_per_s=train.size / max(fit_seconds, 1e-9))
            history.append(report)
            hooks.save_checkpoint(stage + 1, _pack(estimator, stage + 1, history, run_id))
            hooks.on_epoch(report)
            hooks.log(f"stage {stage + 1}/{len(sizes)} ({grow}={sizes[stage]}): val loss {val_loss:.4f}, "
                      f"val accuracy {val_acc:.4f}")
    epochs_run = len(history)
    metrics: dict[str, float] = {"epochs_run": float(epochs_run), "best_epoch": float(epochs_run)}
    blob = b""
    if history:
        last = history[-1]
        metrics.update(train_loss=last.train_loss, train_accuracy=last.train_accuracy, val_loss=last.val_loss,
                       val_accuracy=last.val_accuracy, val_record_accuracy=last.val_record_accuracy)
        spec = ModelSpec(name=config.model, params=params, class_names=data.class_names,
                         window_length=data.samples_per_record, sample_rate_hz=data.sample_rate_hz,
                         normalisation="none", feature_names=data.feature_names)
        blob = save_classical_artefact(estimator, spec)
    metrics["seconds"] = float(sum(r.seconds for r in history))
    return TrainingResult(cancelled=cancelled, epochs_run=epochs_run, best_epoch=epochs_run, metrics=metrics,
                          history=history, model_blob=blob)

