"""Batch predictions: every record of a data-set HDF5 (true class, split, accuracy) or every row of an uploaded
CSV; progress; rows that cannot be predicted carry their reason; unusable inputs or models fail the batch; a
redelivered request is answered from the stored summary."""

from __future__ import annotations

import csv
import io
import uuid

import numpy as np
import pytest

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import batch_options, build_predictor
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.serving.batch import BatchPredictions, batch_key, dataset_object_key, envelope_publisher
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared.events import new_envelope
from pfd_shared.events.deploy import (
    BatchPredictionCompleted,
    BatchPredictionFailed,
    BatchPredictionProgress,
    BatchPredictionRequested,
)
from pfd_shared.models import build_model
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, training_dataset_bytes
from pfd_shared.training.spec import ModelSpec
from prometheus_client import CollectorRegistry

MODEL = "bearing"
PER_CLASS = 4
SAMPLES = 1024
DATASET_RATE = 2000.0  # twice the model's: records are resampled to 512 samples, two windows of 256


@pytest.fixture(scope="module")
def two_class_model(trained_cnn) -> bytes:
    spec = ModelSpec(name="cnn1d", params=trained_cnn.spec.params, class_names=TEST_CLASSES, window_length=256,
                     sample_rate_hz=1000.0)
    model = build_model("cnn1d", spec.params, spec.n_classes, spec.window_length).eval()
    return export_onnx(model, spec, np.random.default_rng(0).normal(size=(16, 1, 256)).astype(np.float32)).model


class World:
    def __init__(self, model: bytes, **settings) -> None:
        self.store, self.registry = InMemoryObjectStore(), InMemoryRegistry()
        publish_model(self.store, self.registry, model, MODEL, 1, "production")
        http = InferenceHttpSettings(threads=1, batch_chunk_records=3, **settings)
        self.predictor = build_predictor(self.registry, self.store, http, CollectorRegistry())
        self.batch = BatchPredictions(self.predictor, self.store, batch_options(http))
        self.events: list = []

    async def publish(self, payload) -> None:
        self.events.append(payload)

    async def run(self, **request) -> object:
        await self.batch.handle(BatchPredictionRequested(model_name=MODEL, **request), self.publish)
        return self.events[-1]

    def results(self, key: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.store.get_bytes(key).decode())))


@pytest.fixture
def world(two_class_model):
    world = World(two_class_model, batch_progress_interval_s=1e-9)
    yield world
    world.predictor.close()


@pytest.fixture
def dataset(world) -> str:
    world.store.put_bytes(dataset_object_key("ds1"), training_dataset_bytes(PER_CLASS, SAMPLES, DATASET_RATE))
    return "ds1"


@pytest.mark.asyncio
async def test_every_record_of_a_data_set_is_predicted_with_its_true_class(world, dataset) -> None:
    done = await world.run(batch_id="b1", alias="production", dataset_id=dataset)
    assert isinstance(done, BatchPredictionCompleted), done
    total = 2 * PER_CLASS
    assert (done.rows, done.version, done.results_key) == (total, 1, batch_key("b1", "results.csv"))
    rows = world.results(done.results_key)
    assert list(rows[0]) == ["record", "split", "true_class", "predicted_class", "windows", "p_healthy",
                             "p_outer_race", "error"]
    assert [row["record"] for row in rows] == [str(i) for i in range(total)]
    assert {row["true_class"] for row in rows} == set(TEST_CLASSES) and {row["windows"] for row in rows} == {"2"}
    assert {row["split"] for row in rows} <= {"train", "val", "test"} and all(row["split"] for row in rows)
    correct = [row["predicted_class"] == row["true_class"] for row in rows]
    assert done.summary["accuracy"] == pytest.approx(np.mean(correct))
    assert sum(done.summary["counts"].values()) == total and done.summary["failed"] == 0
    assert set(done.summary["accuracy_by_split"]) == {row["split"] for row in rows}
    assert (done.summary["alias"], done.summary["variant"]) == ("production", "fp32")
    progress = [(e.done, e.total) for e in world.events if isinstance(e, BatchPredictionProgress)]
    assert progress == [(0, total), (3, total), (6, total), (total, total)]


@pytest.mark.asyncio
async def test_a_redelivered_request_is_answered_from_the_stored_summary(world, dataset) -> None:
    first = await world.run(batch_id="b2", version=1, dataset_id=dataset)
    resolves, events = world.registry.resolves, len(world.events)
    again = await world.run(batch_id="b2", version=1, dataset_id=dataset)
    assert again == first and world.registry.resolves == resolves and len(world.events) == events + 1


@pytest.mark.asyncio
async def test_csv_rows_are_predicted_and_bad_rows_carry_their_reason(world) -> None:
    rng = np.random.default_rng(1)
    lines = ["name,samples...", "a," + ",".join(f"{v:.4f}" for v in rng.normal(size=600)),
             ",".join(f"{v:.4f}" for v in rng.normal(size=300)), "nan_row," + ",".join(["nan"] * 600),
             "short,1,2,3", "text,1,x,3", ""]
    world.store.put_bytes("uploads/u1/signals.csv", "\n".join(lines).encode())
    done = await world.run(batch_id="b3", alias="production", signals_key="uploads/u1/signals.csv",
                           sample_rate_hz=1000.0)
    assert isinstance(done, BatchPredictionCompleted), done
    rows = {row["record"]: row for row in world.results(done.results_key)}
    assert list(rows) == ["a", "2", "nan_row", "short", "text"] and "true_class" not in rows["a"]
    assert rows["a"]["predicted_class"] in TEST_CLASSES and rows["a"]["windows"] == "2" and not rows["a"]["error"]
    assert rows["2"]["windows"] == "1"
    assert "NaN or infinite" in rows["nan_row"]["error"] and "at least one window" in rows["short"]["error"]
    assert "value 2 of the row ('x') is not a number" in rows["text"]["error"]
    assert (done.rows, done.summary["predicted"], done.summary["failed"]) == (5, 2, 3)
    assert "accuracy" not in done.summary


@pytest.mark.asyncio
@pytest.mark.parametrize("delimiter", [";", "\t", " "])
async def test_csv_delimiters_are_sniffed_and_headerless_rows_numbered(world, delimiter: str) -> None:
    rng = np.random.default_rng(2)
    lines = [delimiter.join(f"{v:.4f}" for v in rng.normal(size=600)) for _ in range(3)]
    world.store.put_bytes("uploads/u1/plain.csv", "\n".join(lines).encode())
    done = await world.run(batch_id="b7", version=1, signals_key="uploads/u1/plain.csv", sample_rate_hz=1000.0)
    rows = world.results(done.results_key)
    assert [row["record"] for row in rows] == ["1", "2", "3"] and {row["windows"] for row in rows} == {"2"}
    assert done.summary["failed"] == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("request_fields, content, reason", [
    ({"model_name": "nosuch", "alias": "production"}, None, "no model named 'nosuch'"),
    ({"alias": "staging"}, None, "no alias 'staging'"),
    ({"version": 1, "dataset_id": "gone"}, None, "does not exist"),
    ({"version": 1}, b"", "holds no signal"),
    ({"version": 1}, b"\xff\xfe\x00bad", "not UTF-8"),
])
async def test_unusable_inputs_fail_the_batch_with_the_reason(world, request_fields, content, reason) -> None:
    fields = {"batch_id": "b4", **request_fields}
    if "dataset_id" not in fields:
        key = f"uploads/u1/{uuid.uuid4().hex}.csv"
        world.store.put_bytes(key, content if content is not None else b"1,2,3")
        fields.update(signals_key=key, sample_rate_hz=1000.0)
    fields.setdefault("model_name", MODEL)
    world.events.clear()
    await world.batch.handle(BatchPredictionRequested(**fields), world.publish)
    failed = world.events[-1]
    assert isinstance(failed, BatchPredictionFailed) and reason in failed.reason, failed


@pytest.mark.asyncio
async def test_a_broken_version_fails_the_batch(world, dataset) -> None:
    world.store.put_bytes(world.registry.versions[(MODEL, 1)].object_key, b"corrupt")
    failed = await world.run(batch_id="b5", version=1, dataset_id=dataset)
    assert isinstance(failed, BatchPredictionFailed) and "corrupt" in failed.reason
    assert (MODEL, 1) in world.registry.broken


class CapturingBus:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def publish(self, envelope) -> None:
        self.envelopes.append(envelope)


@pytest.mark.asyncio
async def test_events_are_published_as_caused_by_the_request() -> None:
    cause = new_envelope(BatchPredictionRequested(batch_id="b6", model_name=MODEL, version=1, dataset_id="d"),
                         producer="gateway", owner="user-1")
    bus = CapturingBus()
    await envelope_publisher(bus, "deploy", cause)(BatchPredictionProgress(batch_id="b6", done=0, total=1))
    (envelope,) = bus.envelopes
    assert (envelope.correlation_id, envelope.causation_id, envelope.owner) == (cause.correlation_id,
                                                                               cause.event_id, "user-1")
    assert envelope.producer == "deploy"
