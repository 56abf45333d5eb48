"""Data sets through the real broker and S3: a data-gen process generates and imports (CWRU) data sets and
projects their features (stored, answered from the store on repeat, cancelled on request)."""

import asyncio
import io
import sys
from pathlib import Path
from uuid import uuid4

import h5py
import hdf5plugin  # noqa: F401 - Blosc2 filter
import numpy as np
import pytest
from faststream.kafka import KafkaBroker, KafkaMessage

from pfd_shared.events import decode_event, encode_event, new_envelope
from pfd_shared.events.datasets import DatasetGenerationRequested, DatasetImportRequested, ImportFileSpec
from pfd_shared.events.projections import ProjectionCancelRequested, ProjectionRequested
from pfd_shared.exploration.models import ProjectionSpec, RecordFilter, projection_id
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage.keys import projection_key
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared import topics

pytestmark = pytest.mark.integration
CWRU = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "cwru"
CWRU_FILES = {  # file -> (label, variable, sample rate): the normal baseline is 48 kHz (see its MANIFEST)
    "normal_0_97.mat": ("normal", "X097_DE_time", 48_000),
    "12k_Drive_End_IR007_0_105.mat": ("IR007", "X105_DE_time", 12_000),
    "12k_Drive_End_B007_0_118.mat": ("B007", "X118_DE_time", 12_000),
    "12k_Drive_End_OR007@6_0_130.mat": ("OR007", "X130_DE_time", 12_000),
}


@pytest.fixture
def datagen(infra, processes, tmp_path, fresh_database_url):
    port = free_port()
    env = service_env("PFD_DATA_GEN_", infra, port=port, var_dir=str(tmp_path), database_url=fresh_database_url)
    processes.append(start_service("data-gen", [sys.executable, "-m", "pfd_datagen"], env, port, tmp_path / "dg.log"))
    return processes[-1]


async def request_and_wait(bootstrap: str, envelope, timeout_s: float = 120):
    outcomes: asyncio.Queue = asyncio.Queue()
    broker = KafkaBroker(bootstrap)

    @broker.subscriber(topics.DATASET_READY.name, topics.DATASET_FAILED.name, fetch_max_wait_ms=10,
                       auto_offset_reset="latest")
    async def collect(message: KafkaMessage) -> None:
        await outcomes.put(decode_event(message.body))

    await broker.start()
    try:
        await asyncio.sleep(1)
        await broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
        while True:
            outcome = await asyncio.wait_for(outcomes.get(), timeout_s)
            if outcome.payload.dataset_id == envelope.payload.dataset_id:
                return outcome
    finally:
        await broker.stop()


def test_generation_through_the_broker_into_s3(infra, datagen, tmp_path) -> None:
    config = {"record": {"duration_s": 0.5}, "dataset": {"records_per_class": 8}}
    request = DatasetGenerationRequested(dataset_id=uuid4().hex[:12], name="small", config=config)
    outcome = asyncio.run(request_and_wait(infra.kafka_bootstrap, new_envelope(request, producer="it", owner="u1")))
    assert outcome.type == "datasets.ready", outcome.payload
    assert outcome.owner == "u1" and outcome.payload.records > 0
    store = S3ObjectStore(infra.s3)
    assert store.stat(outcome.payload.object_key).sha256 == outcome.payload.sha256


@pytest.mark.skipif(not CWRU.exists(), reason="the CWRU reference recordings (../shared/datasets/cwru) are absent")
def test_cwru_import_end_to_end_with_the_48khz_baseline(infra, datagen, tmp_path, unique) -> None:
    store = S3ObjectStore(infra.s3)
    files = []
    for name, (label, variable, rate) in CWRU_FILES.items():
        key = f"uploads/it-{unique}/{uuid4().hex[:6]}.mat"
        with open(CWRU / name, "rb") as handle:
            store.put_stream(key, handle)
        files.append(ImportFileSpec(object_key=key, file_name=name, variable=variable, label=label,
                                    sample_rate_hz=rate, shaft_speed_hz=1797 / 60))
    request = DatasetImportRequested(dataset_id=uuid4().hex[:12], name="cwru", files=tuple(files),
                                     target_sample_rate_hz=12_000, record_seconds=1.0)
    outcome = asyncio.run(request_and_wait(infra.kafka_bootstrap, new_envelope(request, producer="it")))
    assert outcome.type == "datasets.ready", outcome.payload
    ready = outcome.payload
    assert ready.sample_rate_hz == 12_000 and ready.samples_per_record == 12_000
    counts = dict(zip(ready.class_names, ready.class_counts))
    assert counts["normal"] == 5  # 243,938 samples at 48 kHz = 5.08 s, resampled to 12 kHz: five 1-s records
    assert all(counts[label] == 10 for label in ("IR007", "B007", "OR007"))
    local = tmp_path / "cwru.h5"
    local.write_bytes(store.get_bytes(ready.object_key))
    with h5py.File(local) as h5:
        assert h5["signals"].shape == (ready.records, 12_000)
        assert h5["features"].shape == (ready.records, 36)


async def project_and_watch(bootstrap: str, envelope, cancel_on: str | None = None, timeout_s: float = 180):
    """Publish a projection request and collect its events until the outcome; optionally cancel when a progress
    event of stage ``cancel_on`` arrives."""
    seen: asyncio.Queue = asyncio.Queue()
    broker = KafkaBroker(bootstrap)
    watched = (topics.PROJECTION_PROGRESS, topics.PROJECTION_READY, topics.PROJECTION_FAILED,
               topics.PROJECTION_CANCELLED)

    @broker.subscriber(*[t.name for t in watched], fetch_max_wait_ms=10, auto_offset_reset="latest")
    async def collect(message: KafkaMessage) -> None:
        await seen.put(decode_event(message.body))

    await broker.start()
    events = []
    try:
        await asyncio.sleep(1)
        await broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
        while True:
            event = await asyncio.wait_for(seen.get(), timeout_s)
            if event.payload.projection_id != envelope.payload.projection_id:
                continue
            events.append(event)
            if cancel_on and event.type == "projections.progress" and event.payload.stage == cancel_on:
                cancel = ProjectionCancelRequested(projection_id=event.payload.projection_id,
                                                   dataset_id=event.payload.dataset_id)
                await broker.publish(encode_event(new_envelope(cancel, producer="it")),
                                     topic=cancel.topic.name, key=cancel.key().encode())
                cancel_on = None
            if event.type != "projections.progress":
                return events
    finally:
        await broker.stop()


def test_projections_are_computed_stored_cached_and_cancelled(infra, datagen) -> None:
    dataset_id = uuid4().hex[:12]
    config = {"record": {"duration_s": 0.25}, "dataset": {"classes": [0, 1, 2], "records_per_class": 8}}
    generated = asyncio.run(request_and_wait(infra.kafka_bootstrap, new_envelope(
        DatasetGenerationRequested(dataset_id=dataset_id, name="to project", config=config), producer="it",
        owner="u1")))
    assert generated.type == "datasets.ready", generated.payload
    object_key, store = generated.payload.object_key, S3ObjectStore(infra.s3)
    spec, kept = ProjectionSpec(method="tsne", perplexity=5), RecordFilter(classes=("healthy", "imbalance"))
    request = ProjectionRequested(projection_id=projection_id(object_key, spec, kept), dataset_id=dataset_id,
                                  spec=spec, record_filter=kept)
    events = asyncio.run(project_and_watch(infra.kafka_bootstrap, new_envelope(request, producer="it", owner="u1")))
    ready = events[-1]
    assert ready.type == "projections.ready", ready.payload
    counts = dict(zip(generated.payload.class_names, generated.payload.class_counts))
    assert ready.owner == "u1" and not ready.payload.cached
    assert ready.payload.records == counts["healthy"] + counts["imbalance"]
    assert any(event.type == "projections.progress" for event in events)
    coordinates = np.load(io.BytesIO(store.get_bytes(ready.payload.object_key)))
    assert coordinates.shape == (ready.payload.records, 2) and ready.payload.object_key.startswith(f"datasets/{dataset_id}/projections/")

    again = asyncio.run(project_and_watch(infra.kafka_bootstrap, new_envelope(request, producer="it")))[-1]
    assert again.type == "projections.ready" and again.payload.cached

    umap = ProjectionSpec(method="umap")
    stopped = ProjectionRequested(projection_id=projection_id(object_key, umap, RecordFilter()), dataset_id=dataset_id,
                                  spec=umap)
    outcome = asyncio.run(project_and_watch(infra.kafka_bootstrap, new_envelope(stopped, producer="it"),
                                            cancel_on="loading UMAP"))[-1]
    assert outcome.type == "projections.cancelled"
    assert not store.exists(projection_key(object_key, stopped.projection_id, "json"))
