"""The xai service with fakes (in-memory store, TestKafkaBroker, SQLite): explained once, stored, answered from
the cache on repeat; cancel; bad requests fail with the reason."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest
import torch
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry

from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.training import TrainingCompleted
from pfd_shared.events.xai import ExplanationCancelRequested, ExplanationInput, ExplanationRequested
from pfd_shared.models import ModelSpec, build_model, save_artefact
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.hdf5_datasets import dataset_file_bytes, sample_signals
from pfd_shared.training.catalogue import model_info

from pfd_xai.bootstrap import build_xai
from pfd_xai.settings import XaiSettings

RATE_HZ, WINDOW, RECORD_SAMPLES = 12_000.0, 256, 1024
MODEL_KEY, DATASET_KEY = "results/exp-1/run-1/model.pt", "datasets/ds-1/dataset.h5"


def _model_blob() -> bytes:
    torch.manual_seed(0)
    params = model_info("cnn1d").resolve("small")
    model = build_model("cnn1d", params, 3, WINDOW).eval()
    spec = ModelSpec(name="cnn1d", params=params, class_names=("healthy", "inner", "outer"), window_length=WINDOW,
                     sample_rate_hz=RATE_HZ)
    return save_artefact(model, spec)


@pytest.fixture
async def xai(tmp_path: Any) -> Any:
    store = InMemoryObjectStore()
    store.put_bytes(MODEL_KEY, _model_blob())
    store.put_bytes(DATASET_KEY, dataset_file_bytes(sample_signals(4, RECORD_SAMPLES, RATE_HZ), RATE_HZ))
    app = build_xai(XaiSettings(var_dir=tmp_path), store=store, metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    published: list[Any] = []

    async def capture(envelope: Any) -> None:
        published.append(envelope)

    async with TestKafkaBroker(app.runtime.broker):
        await app.service.record_model(new_envelope(TrainingCompleted(
            experiment_id="exp-1", run_id="run-1", metrics={}, epochs_run=1, best_epoch=1,
            artefacts={"model": MODEL_KEY}, seconds=1.0), producer="test"))
        await app.service.record_dataset(new_envelope(DatasetReady(
            dataset_id="ds-1", name="tiny", kind="synthetic", object_key=DATASET_KEY, size_bytes=1, sha256="0" * 64,
            records=4, samples_per_record=RECORD_SAMPLES, sample_rate_hz=RATE_HZ, class_names=("a", "b"),
            class_counts=(2, 2), feature_names=(), split_counts={}, seconds=0.0), producer="test"))
        app.runtime.bus.publish = capture
        yield app, store, published


def request(explanation_id: str = "ex-1", run_id: str = "run-1", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "explanation_id": explanation_id, "experiment_id": "exp-1", "run_id": run_id,
        "input": ExplanationInput(dataset_id="ds-1", record=2, window=1),
        "methods": {"integrated_gradients": {"n_steps": 32}, "grad_cam": {}, "band_occlusion": {"n_bands": 8}},
    }
    return new_envelope(ExplanationRequested(**{**fields, **changes}), producer="test", owner="u1")


def outcomes(published: list[Any]) -> list[Any]:
    return [e for e in published if e.type != "xai.explanation_progress"]


async def test_an_explanation_is_computed_once_then_answered_from_the_cache(xai: Any) -> None:
    app, store, published = xai
    await app.service.explain(request())
    ready = outcomes(published)[-1]
    assert ready.type == "xai.explanation_ready" and not ready.payload.cached, ready.payload
    assert any(e.type == "xai.explanation_progress" for e in published)
    arrays = np.load(io.BytesIO(store.get_bytes(ready.payload.attributions_key)))
    assert arrays["attr_integrated_gradients"].shape == (1, WINDOW) and arrays["band_drop"].shape == (8,)
    signals = sample_signals(4, RECORD_SAMPLES, RATE_HZ)
    assert np.allclose(arrays["signal"], signals[2, WINDOW:2 * WINDOW])
    summary = json.loads(store.get_bytes(ready.payload.summary_key))
    assert summary["completeness"]["relative_error"] < 0.05 and len(summary["top_bands"]) == 3
    assert ready.payload.attributions_key.startswith("explanations/ex-1/")
    objects = sorted(info.key for info in store.list("explanations/"))
    await app.service.explain(request("ex-2"))  # the same question under another id
    again = outcomes(published)[-1]
    assert again.payload.cached and again.payload.attributions_key == ready.payload.attributions_key
    assert again.payload.explanation_id == "ex-2" and again.payload.summary == ready.payload.summary
    assert sorted(info.key for info in store.list("explanations/")) == objects


async def test_a_cancelled_explanation_stores_nothing(xai: Any) -> None:
    app, store, published = xai
    app.service.cancel(new_envelope(ExplanationCancelRequested(explanation_id="ex-c"), producer="test"))
    await app.service.explain(request("ex-c"))
    failed = outcomes(published)[-1]
    assert failed.type == "xai.explanation_failed" and failed.payload.cancelled
    assert not list(store.list("explanations/"))


@pytest.mark.parametrize("changes, reason", [
    ({"run_id": "run-404"}, "unknown model"),
    ({"input": ExplanationInput(dataset_id="ds-404", record=0)}, "unknown data set"),
    ({"input": ExplanationInput(dataset_id="ds-1", record=9)}, "record 9 does not exist"),
    ({"input": ExplanationInput(dataset_id="ds-1", record=0, window=4)}, "window 4 does not exist"),
    ({"methods": {"integrated_gradients": {"n_steps": 1}}}, "n_steps must be between"),
    ({"methods": {"lime": {}}}, "unknown explanation method"),
    ({"target": 5}, "target class"),
    ({"input": ExplanationInput(signal_key="uploads/u1/missing.npy")}, "cannot be read"),
])
async def test_bad_requests_fail_with_the_reason(xai: Any, changes: dict[str, Any], reason: str) -> None:
    app, _, published = xai
    await app.service.explain(request(**changes))
    failed = outcomes(published)[-1]
    assert failed.type == "xai.explanation_failed" and reason in failed.payload.reason, failed.payload.reason


async def test_an_uploaded_signal_is_explained(xai: Any) -> None:
    app, store, published = xai
    buffer = io.BytesIO()
    np.save(buffer, sample_signals(1, 600, RATE_HZ)[0])
    store.put_bytes("uploads/u1/signal.npy", buffer.getvalue())
    await app.service.explain(request(input=ExplanationInput(signal_key="uploads/u1/signal.npy", window=1),
                                      methods={"saliency": {}}))
    ready = outcomes(published)[-1]
    assert ready.type == "xai.explanation_ready" and ready.payload.summary["methods"] == ["saliency"]
