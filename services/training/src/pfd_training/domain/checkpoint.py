"""Resumable run state as bytes: weights, optimiser, plugins, RNG states, epoch and history.

Loaded with ``torch.load(weights_only=True)``: a checkpoint holds tensors and plain values only.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
from dataclasses import dataclass, field
from typing import Any

import torch

from pfd_shared.training import TrainingConfig
from pfd_training.domain.data import SPLITS, TrainingData
from pfd_training.domain.hooks import EpochReport

CHECKPOINT_FORMAT = "pfd-checkpoint/1"


class CheckpointMismatch(ValueError):
    """The checkpoint belongs to another config, seed or data set (or is not a checkpoint)."""


def fingerprint(config: TrainingConfig, seed: int, data: TrainingData) -> str:
    """Identity of a run: config, seed and the data's shape and splits."""
    split_sizes = {name: int(data.splits[name].size) for name in SPLITS}
    identity = {
        "config": config.model_dump(mode="json"), "seed": seed, "signals": list(data.signals.shape),
        "classes": list(data.class_names), "splits": split_sizes,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


@dataclass
class RunState:
    """What a checkpoint restores; ``finished`` is set when the run ended (all epochs or early stopping)."""

    epoch: int = 0
    finished: bool = False
    history: list[EpochReport] = field(default_factory=list)
    model: dict[str, Any] = field(default_factory=dict)
    optimiser: dict[str, Any] = field(default_factory=dict)
    plugins: dict[str, Any] = field(default_factory=dict)
    generator: torch.Tensor | None = None
    torch_rng: torch.Tensor | None = None
    scaler: dict[str, Any] | None = None


def pack(state: RunState, run_fingerprint: str) -> bytes:
    payload = {
        "format": CHECKPOINT_FORMAT, "fingerprint": run_fingerprint, "epoch": state.epoch,
        "finished": state.finished, "history": [r.to_dict() for r in state.history], "model": state.model,
        "optimiser": state.optimiser, "plugins": state.plugins, "generator": state.generator,
        "torch_rng": state.torch_rng, "scaler": state.scaler,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def unpack(blob: bytes, run_fingerprint: str) -> RunState:
    """The state in ``blob``; CheckpointMismatch when it is not this run's checkpoint."""
    try:
        payload = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        raise CheckpointMismatch(f"not a training checkpoint: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointMismatch("not a training checkpoint of this version")
    if payload["fingerprint"] != run_fingerprint:
        raise CheckpointMismatch("the checkpoint belongs to another config, seed or data set")
    return RunState(
        epoch=int(payload["epoch"]), finished=bool(payload["finished"]),
        history=[EpochReport(**row) for row in payload["history"]], model=payload["model"],
        optimiser=payload["optimiser"], plugins=payload["plugins"], generator=payload["generator"],
        torch_rng=payload["torch_rng"], scaler=payload["scaler"],
    )
