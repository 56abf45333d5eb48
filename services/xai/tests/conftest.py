"""Fixtures of the xai tests: tiny signal models with known behaviour, and the xai service on fakes
(in-memory store, TestKafkaBroker, SQLite) that knows one trained run, one classical run and one data set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import torch
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry
from torch import nn

from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.training import TrainingCompleted
from pfd_shared.models import ModelSpec, SignalClassifier, build_model, save_artefact, save_classical_artefact
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, dataset_file_bytes, sample_signals
from pfd_shared.training.catalogue import model_info

from pfd_xai.bootstrap import build_xai
from pfd_xai.settings import XaiSettings


class BandPower(nn.Module):
    """(batch, 1, samples) -> (batch, 1): log power of the normalised window between two frequencies."""

    def __init__(self, low_hz: float, high_hz: float, sample_rate_hz: float) -> None:
        super().__init__()
        self.low, self.high, self.rate = low_hz, high_hz, sample_rate_hz

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        spectrum = torch.fft.rfft(z, dim=-1).abs() ** 2
        freqs = torch.fft.rfftfreq(z.shape[-1], d=1.0 / self.rate)
        inside = (freqs >= self.low) & (freqs < self.high)
        return torch.log1p(spectrum[..., inside].sum(dim=-1) / z.shape[-1])


class BandToy(SignalClassifier):
    """Class 1 grows with the power in one band; no convolution (Grad-CAM does not apply)."""

    def __init__(self, low_hz: float, high_hz: float, sample_rate_hz: float) -> None:
        super().__init__(n_classes=2, embed_dim=1, dropout=0.0)
        self.body = BandPower(low_hz, high_hz, sample_rate_hz)
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor([[-1.0], [1.0]]))
            self.head.bias.zero_()


class PositiveScale(nn.Module):
    """Logits [s, -s] * |w|: re-initialising w changes the scale only, never the ranking of attributions."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1))

    def reset_parameters(self) -> None:
        nn.init.uniform_(self.weight, 0.1, 3.0)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.cat([features, -features], dim=1) * self.weight.abs()


class WeightBlindToy(SignalClassifier):
    """An explanation of this model cannot depend on its weights: the randomisation check must flag it."""

    def __init__(self) -> None:
        super().__init__(n_classes=2, embed_dim=1, dropout=0.0)
        self.body = _Energy()
        self.head = PositiveScale()


class _Energy(nn.Module):
    def forward(self, z: torch.Tensor) -> torch.Tensor:
        weights = torch.linspace(0.0, 1.0, z.shape[-1], dtype=z.dtype)
        return (z[:, 0] ** 2 * weights).mean(dim=-1, keepdim=True)


TOY_RATE_HZ = 8_000.0
TOY_BAND_HZ = (1_000.0, 1_500.0)


@pytest.fixture(autouse=True)
def _few_threads() -> None:
    torch.set_num_threads(1)


@pytest.fixture
def band_toy() -> BandToy:
    return BandToy(*TOY_BAND_HZ, TOY_RATE_HZ).eval()


@pytest.fixture
def weight_blind_toy() -> WeightBlindToy:
    return WeightBlindToy().eval()


@dataclass(frozen=True)
class World:
    """What the fake xai service knows: run-1 (cnn1d), run-classical (random forest), data set ds-1."""

    rate_hz: float = 12_000.0
    window: int = 256
    record_samples: int = 1024
    records: int = 4
    model_classes: tuple[str, ...] = ("healthy", "inner", "outer")
    model_key: str = "results/exp-1/run-1/model.pt"
    classical_key: str = "results/exp-1/run-classical/model.pkl"
    dataset_key: str = "datasets/ds-1/dataset.h5"
    dataset_classes: tuple[str, ...] = TEST_CLASSES

    def model_blob(self) -> bytes:
        torch.manual_seed(0)
        params = model_info("cnn1d").resolve("small")
        model = build_model("cnn1d", params, len(self.model_classes), self.window).eval()
        spec = ModelSpec(name="cnn1d", params=params, class_names=self.model_classes, window_length=self.window,
                         sample_rate_hz=self.rate_hz)
        return save_artefact(model, spec)

    def classical_blob(self) -> bytes:
        spec = ModelSpec(name="random_forest", params={}, class_names=self.model_classes, window_length=self.window,
                         sample_rate_hz=self.rate_hz, feature_names=("rms",))
        return save_classical_artefact(None, spec)


@pytest.fixture
def world() -> World:
    return World()


def _completed(run_id: str, model_key: str) -> Any:
    return new_envelope(TrainingCompleted(experiment_id="exp-1", run_id=run_id, metrics={}, epochs_run=1,
                                          best_epoch=1, artefacts={"model": model_key}, seconds=1.0), producer="test")


@pytest.fixture
async def xai(tmp_path: Any, world: World) -> Any:
    """(app, store, published): every event the service publishes lands in ``published``."""
    store = InMemoryObjectStore()
    store.put_bytes(world.model_key, world.model_blob())
    store.put_bytes(world.classical_key, world.classical_blob())
    store.put_bytes(world.dataset_key, dataset_file_bytes(
        sample_signals(world.records, world.record_samples, world.rate_hz), world.rate_hz))
    app = build_xai(XaiSettings(var_dir=tmp_path), store=store, metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    published: list[Any] = []

    async def capture(envelope: Any) -> None:
        published.append(envelope)

    async with TestKafkaBroker(app.runtime.broker):
        await app.service.record_model(_completed("run-1", world.model_key))
        await app.service.record_model(_completed("run-classical", world.classical_key))
        await app.service.record_dataset(new_envelope(DatasetReady(
            dataset_id="ds-1", name="tiny", kind="synthetic", object_key=world.dataset_key, size_bytes=1,
            sha256="0" * 64, records=world.records, samples_per_record=world.record_samples,
            sample_rate_hz=world.rate_hz, class_names=world.dataset_classes, class_counts=(2, 2), feature_names=(),
            split_counts={}, seconds=0.0), producer="test"))
        app.runtime.bus.publish = capture
        yield app, store, published
