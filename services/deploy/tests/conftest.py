"""Tiny models for the deploy core: a synthetic separable problem (one tone per class in noise), so accuracy
after export and quantisation means something, and a spec for any registered architecture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from pfd_shared.models import build_model
from pfd_shared.training.catalogue import model_info
from pfd_shared.training.spec import ModelSpec

SAMPLE_RATE_HZ = 1000.0
WINDOW = 256
CLASS_TONES_HZ = (40.0, 110.0, 230.0)
CLASS_NAMES = ("tone_40", "tone_110", "tone_230")
NOISE = 0.5
TRAIN_STEPS = 40
TEST_THREADS = 1


def tones(n: int, seed: int, length: int = WINDOW) -> tuple[np.ndarray, np.ndarray]:
    """(n, 1, length) windows: class k is a sine at CLASS_TONES_HZ[k] (random phase, gain) in white noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASS_TONES_HZ), n)
    t = np.arange(length) / SAMPLE_RATE_HZ
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    gain = rng.uniform(0.5, 3.0, (n, 1))
    freq = np.asarray(CLASS_TONES_HZ)[labels][:, None]
    x = gain * (np.sin(2 * np.pi * freq * t + phase) + NOISE * rng.normal(size=(n, length)))
    return x[:, None, :].astype(np.float32), labels


def spec_for(name: str, params: dict, window: int = WINDOW) -> ModelSpec:
    return ModelSpec(name=name, params=params, class_names=CLASS_NAMES, window_length=window,
                     sample_rate_hz=SAMPLE_RATE_HZ)


def tiny_params(name: str) -> dict:
    """The small preset, narrowed so export and quantisation take a fraction of a second."""
    params = dict(model_info(name).resolve("small"))
    for key, value in (("width", 4), ("hidden", 8), ("dim", 16), ("depth", 1), ("patch", 32)):
        if key in params:
            params[key] = value
    return params


@dataclass(frozen=True)
class Trained:
    model: nn.Module
    spec: ModelSpec
    train_x: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def train_tiny(name: str = "cnn1d", seed: int = 0) -> Trained:
    torch.manual_seed(seed)
    spec = spec_for(name, tiny_params(name))
    model = build_model(name, spec.params, spec.n_classes, spec.window_length)
    x, y = tones(512, seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for step in range(TRAIN_STEPS):
        batch = slice((step * 64) % 512, (step * 64) % 512 + 64)
        optimiser.zero_grad()
        nn.functional.cross_entropy(model(xt[batch]), yt[batch]).backward()
        optimiser.step()
    test_x, test_y = tones(600, seed + 1)
    return Trained(model.eval(), spec, x, test_x, test_y)


@pytest.fixture(autouse=True)
def _modest_torch_threads() -> None:
    torch.set_num_threads(TEST_THREADS)


@pytest.fixture(scope="session")
def trained_cnn() -> Trained:
    torch.set_num_threads(TEST_THREADS)
    return train_tiny("cnn1d")


@pytest.fixture
def make_tones():
    """``make_tones(n, seed, length=WINDOW)`` -> (windows (n, 1, length), labels)."""
    return tones


@pytest.fixture
def tiny_model():
    """``tiny_model(name)`` -> (randomly initialised model in eval mode, its spec) with tiny parameters."""

    def build(name: str, seed: int = 0) -> tuple[nn.Module, ModelSpec]:
        torch.manual_seed(seed)
        spec = spec_for(name, tiny_params(name))
        return build_model(name, spec.params, spec.n_classes, spec.window_length).eval(), spec

    return build


# --- the deploy service with fakes (in-memory store, TestKafkaBroker, SQLite) ---------------------------------
SERVICE_RATE_HZ, SERVICE_WINDOW, SERVICE_RECORD_SAMPLES = 1000.0, 256, 1024
MODEL_KEY, EXPERIMENT, RUN, DATASET = "results/exp-1/run-1/model.pt", "exp-1", "run-1", "ds-1"


@dataclass
class DeployHarness:
    """The service, its store, what it published directly (progress) and through its outbox (``outcomes()``)."""

    app: Any
    store: Any
    published: list[Any]
    relayed: list[bytes]

    async def outcomes(self) -> list:
        """Every outbox event so far (relayed now), oldest first."""
        from pfd_shared.events.serializer import decode_event

        relay = self.app.runtime.outbox_relay
        while await relay.relay_once():
            pass
        return [decode_event(body) for body in self.relayed]


def service_model_blob(class_names: tuple[str, ...]) -> bytes:
    from pfd_shared.models import save_artefact

    torch.manual_seed(0)
    spec = ModelSpec(name="cnn1d", params=tiny_params("cnn1d"), class_names=class_names,
                     window_length=SERVICE_WINDOW, sample_rate_hz=SERVICE_RATE_HZ)
    return save_artefact(build_model("cnn1d", spec.params, spec.n_classes, SERVICE_WINDOW).eval(), spec)


@pytest.fixture
async def deploy(tmp_path):
    from faststream.kafka import TestKafkaBroker
    from prometheus_client import CollectorRegistry

    from pfd_deploy.bootstrap import build_deploy
    from pfd_deploy.settings import DeploySettings
    from pfd_shared.events import new_envelope
    from pfd_shared.events.training import TrainingCompleted
    from pfd_shared.storage import InMemoryObjectStore
    from pfd_shared.telemetry.metrics import ServiceMetrics
    from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, training_dataset_bytes
    from pfd_shared.testing.training_events import evaluation

    store = InMemoryObjectStore()
    store.put_bytes(MODEL_KEY, service_model_blob(TEST_CLASSES))
    store.put_bytes(f"datasets/{DATASET}/dataset.h5", training_dataset_bytes(6, SERVICE_RECORD_SAMPLES, SERVICE_RATE_HZ))
    settings = DeploySettings(var_dir=tmp_path, latency_runs=10, throughput_runs=3, max_check_windows=64,
                              max_calibration_windows=32)
    app = build_deploy(settings, store=store, metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    harness = DeployHarness(app, store, [], [])

    async def capture(envelope) -> None:
        harness.published.append(envelope)

    async def relayed(body, topic, key, headers) -> None:
        harness.relayed.append(body)

    async with TestKafkaBroker(app.runtime.broker):
        await app.service.record_completed(new_envelope(TrainingCompleted(
            experiment_id=EXPERIMENT, run_id=RUN, metrics={"val_accuracy": 0.9}, epochs_run=1, best_epoch=1,
            artefacts={"model": MODEL_KEY}, seconds=1.0), producer="test"))
        await app.service.record_evaluation(new_envelope(evaluation(
            EXPERIMENT, RUN, DATASET, record_accuracy=0.9, report_key="r.json", class_names=TEST_CLASSES),
            producer="test"))
        app.runtime.bus.publish = capture
        app.runtime.outbox_relay.publish = relayed
        await harness.outcomes()
        harness.relayed.clear()
        yield harness
