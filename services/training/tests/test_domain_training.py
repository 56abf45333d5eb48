"""The training core: a tiny CPU run of every model, determinism, checkpoint -> resume, cancel, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from pfd_shared.models import load_artefact, load_classical_artefact
from pfd_shared.training import MODEL_CATALOGUE, TrainingConfig
from pfd_training.domain import InvalidTrainingData, NullHooks, TrainingData, run_training
from pfd_training.domain.checkpoint import CheckpointMismatch

SAMPLES = 1024
FS = 1000.0
TONES_HZ = (40.0, 110.0, 260.0)
WINDOW = {"length": 128, "hop": 128}
TIMING_FIELDS = ("seconds", "windows_per_s")


def _tiny(records_per_class: int = 8, seed: int = 0) -> TrainingData:
    """Three classes of noisy tones; records interleaved so every split holds every class."""
    rng = np.random.default_rng(seed)
    n = records_per_class * len(TONES_HZ)
    labels = np.arange(n) % len(TONES_HZ)
    t = np.arange(SAMPLES) / FS
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    signals = (np.sin(2 * np.pi * np.asarray(TONES_HZ)[labels][:, None] * t + phase)
               + 0.3 * rng.standard_normal((n, SAMPLES))).astype(np.float32)
    features = (rng.standard_normal((n, 4)) + labels[:, None]).astype(np.float32)
    rows = np.arange(n)
    splits = {"train": rows[: n // 2], "val": rows[n // 2: 3 * n // 4], "test": rows[3 * n // 4:]}
    return TrainingData(signals, labels, features, ("f0", "f1", "f2", "f3"), ("low", "mid", "high"), splits, FS)


def _config(model: str = "cnn1d", **over) -> TrainingConfig:
    base = {"model": model, "window": WINDOW, "epochs": 3, "batch_size": 16, "early_stopping_patience": 0,
            "augmentation": {"shift": True, "scale": 0.2, "noise_snr_db": 20.0}}
    return TrainingConfig.model_validate(base | over)


def _history(result) -> list[dict]:
    return [{k: v for k, v in r.to_dict().items() if k not in TIMING_FIELDS} for r in result.history]


def _weights(blob: bytes) -> dict[str, torch.Tensor]:
    return load_artefact(blob)[0].state_dict()


def _assert_same_weights(a: bytes, b: bytes) -> None:
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        assert torch.equal(wa[key], wb[key]), key


class StopAfter(NullHooks):
    """Asks to stop once ``epochs`` epochs were reported (or after ``polls`` polls)."""

    def __init__(self, epochs: int | None = None, polls: int | None = None) -> None:
        super().__init__()
        self.epochs, self.polls, self.polled = epochs, polls, 0

    def should_stop(self) -> bool:
        self.polled += 1
        if self.polls is not None:
            return self.polled > self.polls
        return self.epochs is not None and len(self.reports) >= self.epochs


@pytest.fixture(scope="module")
def tiny() -> TrainingData:
    return _tiny()


@pytest.mark.parametrize("model", sorted(MODEL_CATALOGUE))
def test_every_registered_model_trains_on_cpu(model: str, tiny: TrainingData) -> None:
    hooks = NullHooks()
    result = run_training(_config(model, epochs=2), 0, tiny, hooks)
    assert not result.cancelled and result.epochs_run == len(result.history) == len(hooks.reports) >= 2
    assert sorted(hooks.checkpoints) == list(range(1, result.epochs_run + 1))
    assert hooks.started[0].start_epoch == 0 and hooks.started[0].train_windows > 0
    assert 1 <= result.best_epoch <= result.epochs_run
    assert result.model_blob and np.isfinite(result.metrics["val_loss"])
    assert all(0.0 <= r.val_accuracy <= 1.0 and r.windows_per_s > 0 for r in result.history)
    if MODEL_CATALOGUE[model].family == "classical":
        assert load_classical_artefact(result.model_blob)[1].feature_names == tiny.feature_names
    else:
        assert load_artefact(result.model_blob)[1].window_length == WINDOW["length"]


def test_the_tones_are_learned(tiny: TrainingData) -> None:
    """The loop really optimises: the easy tones are separated after a few epochs."""
    result = run_training(_config(epochs=6, optimiser={"learning_rate": 0.01}), 0, tiny, NullHooks())
    assert result.metrics["val_record_accuracy"] == 1.0
    assert result.history[-1].train_loss < result.history[0].train_loss


@pytest.mark.parametrize("model", ["cnn1d", "random_forest"])
def test_a_fixed_seed_gives_identical_runs(model: str, tiny: TrainingData) -> None:
    config = _config(model, model_params={"dropout": 0.3} if model == "cnn1d" else {})
    first, second = (run_training(config, 7, tiny, NullHooks()) for _ in range(2))
    assert _history(first) == _history(second)
    if model == "cnn1d":
        _assert_same_weights(first.model_blob, second.model_blob)
        other = run_training(config, 8, tiny, NullHooks())
        assert _history(other) != _history(first)
    else:
        x = tiny.features[tiny.rows("test")]
        a, b = (load_classical_artefact(r.model_blob)[0].predict_proba(x) for r in (first, second))
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("scheduler", ["one_cycle", "cosine", "plateau", "none"])
def test_resume_from_a_checkpoint_continues_the_same_trajectory(scheduler: str, tiny: TrainingData) -> None:
    config = _config(epochs=4, scheduler={"name": scheduler, "plateau_patience": 1}, model_params={"dropout": 0.3},
                     class_weights=True, label_smoothing=0.1, optimiser={"name": "adam"})
    straight = run_training(config, 3, tiny, NullHooks())
    interrupted = StopAfter(epochs=2)
    first = run_training(config, 3, tiny, interrupted)
    assert first.cancelled and first.epochs_run == 2 and sorted(interrupted.checkpoints) == [1, 2]
    resumed_hooks = NullHooks()
    resumed = run_training(config, 3, tiny, resumed_hooks, resume_from=interrupted.checkpoints[2])
    assert resumed_hooks.started[0].start_epoch == 2
    assert [r.epoch for r in resumed_hooks.reports] == [3, 4]
    assert _history(resumed) == _history(straight)
    _assert_same_weights(resumed.model_blob, straight.model_blob)


def test_classical_resume_matches_an_uninterrupted_fit(tiny: TrainingData) -> None:
    config = _config("gradient_boosting", model_params={"max_iter": 30})
    straight = run_training(config, 1, tiny, NullHooks())
    interrupted = StopAfter(epochs=4)
    first = run_training(config, 1, tiny, interrupted)
    assert first.cancelled and first.epochs_run == 4
    resumed = run_training(config, 1, tiny, NullHooks(), resume_from=interrupted.checkpoints[4])
    assert _history(resumed) == _history(straight)


def test_early_stopping_and_a_finished_checkpoint(tiny: TrainingData) -> None:
    config = _config(epochs=30, early_stopping_patience=1, scheduler={"name": "none"},
                     optimiser={"learning_rate": 0.05})
    hooks = NullHooks()
    result = run_training(config, 0, tiny, hooks)
    assert result.epochs_run < 30 and any("early stopping" in line for line in hooks.lines)
    last = max(hooks.checkpoints)
    again = NullHooks()
    resumed = run_training(config, 0, tiny, again, resume_from=hooks.checkpoints[last])
    assert again.reports == [] and resumed.epochs_run == result.epochs_run and resumed.best_epoch == result.best_epoch


def test_cancel_is_polled_between_batches(tiny: TrainingData) -> None:
    hooks = StopAfter(polls=2)
    result = run_training(_config(epochs=5), 0, tiny, hooks)
    assert result.cancelled and result.epochs_run == 0 and hooks.reports == [] and hooks.checkpoints == {}
    assert result.model_blob == b"" and hooks.polled == 3
    assert any("cancelled" in line for line in hooks.lines)


def test_threads_argument_sets_and_restores_torch_threads(tiny: TrainingData) -> None:
    before = torch.get_num_threads()
    seen: list[int] = []

    class Spy(NullHooks):
        def on_epoch(self, report) -> None:
            seen.append(torch.get_num_threads())

    run_training(_config(epochs=1), 0, tiny, Spy(), threads=1)
    assert seen == [1] and torch.get_num_threads() == before


def test_bad_input_is_rejected_with_the_reason(tiny: TrainingData) -> None:
    with pytest.raises(ValueError, match="at least 64"):
        TrainingConfig(model="cnn1d", window={"length": 32})
    with pytest.raises(ValueError, match="longer than the data set's records"):
        run_training(_config(window={"length": 2048}), 0, tiny, NullHooks())
    with pytest.raises(CheckpointMismatch):
        run_training(_config(), 0, tiny, NullHooks(), resume_from=b"garbage")
    hooks = StopAfter(epochs=1)
    run_training(_config(), 0, tiny, hooks)
    with pytest.raises(CheckpointMismatch, match="another config, seed or data set"):
        run_training(_config(), 1, tiny, NullHooks(), resume_from=hooks.checkpoints[1])
    with pytest.raises(InvalidTrainingData, match="labels"):
        dataclasses.replace(tiny, labels=tiny.labels[:-1])
    with pytest.raises(InvalidTrainingData, match="must not be empty"):
        dataclasses.replace(tiny, splits={**tiny.splits, "train": np.array([], dtype=np.int64)})
    with pytest.raises(ValueError, match="unknown model"):
        TrainingConfig(model="no_such_model")
    with pytest.raises(ValueError, match="at least 129 samples"):
        _config("cnn1d", model_params={"first_kernel": 129}, window={"length": 128})
