"""DatasetService with fakes: in-memory object store, TestKafkaBroker, SQLite — generation, cache, import, errors."""

import io
from pathlib import Path
from uuid import uuid4

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter for reading
import numpy as np
import pytest
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.datasets import (
    DatasetDeleteRequested,
    DatasetGenerationRequested,
    DatasetImportRequested,
    ImportFileSpec,
)
from pfd_shared.generation import GenerationConfig
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_datagen.bootstrap import build_datagen
from pfd_datagen.settings import DataGenSettings

TINY = {"record": {"duration_s": 0.25}, "dataset": {"classes": [0, 1, 2], "records_per_class": 8}}


@pytest.fixture
async def datagen(tmp_path):
    store = InMemoryObjectStore()
    app = build_datagen(DataGenSettings(var_dir=tmp_path, workers=1), store=store,
                        metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    async with TestKafkaBroker(app.runtime.broker):
        yield app, store


async def outbox_events(app):
    async with app.runtime.database.sessions() as session:
        rows = (await session.execute(select(app.runtime.database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


def generation(config=TINY, dataset_id=None):
    payload = DatasetGenerationRequested(dataset_id=dataset_id or uuid4().hex[:12], name="tiny", config=config,
                                         robustness_snr_db=(10.0,))
    return new_envelope(payload, producer="test", owner="user-1")


def read_h5(store, key: str, tmp_path: Path):
    path = tmp_path / "read.h5"
    path.write_bytes(store.get_bytes(key))
    return h5py.File(path, "r")


async def test_generation_stores_one_complete_hdf5(datagen, tmp_path) -> None:
    app, store = datagen
    await app.service.generate(generation(dataset_id="ds-one"))
    ready = (await outbox_events(app))[-1]
    assert ready.type == "datasets.ready" and ready.owner == "user-1"
    event = ready.payload
    n = GenerationConfig.model_validate(TINY).n_records
    assert event.records == n and len(event.class_counts) == len(event.class_names)
    assert event.class_counts[:3] == (n // 3,) * 3 and not any(event.class_counts[3:])
    assert len(event.feature_names) == 36 and sum(event.split_counts.values()) == n
    with read_h5(store, event.object_key, tmp_path) as h5:
        assert h5["signals"].shape == (n, event.samples_per_record) and h5["signals"].dtype == np.float32
        assert h5["signals"].compression is not None or h5["signals"].chunks
        assert h5["features"].shape == (n, 36)
        assert h5["robustness/snr_10db/signals"].shape[0] == event.split_counts["test"]
        assert set(h5["splits"]) == {"train", "val", "test"}


async def test_identical_config_is_served_from_the_cache(datagen) -> None:
    app, store = datagen
    await app.service.generate(generation(dataset_id="first"))
    await app.service.generate(generation(dataset_id="second"))
    first, second = [e.payload for e in await outbox_events(app)][-2:]
    assert second.cached and not first.cached
    assert second.object_key == first.object_key and second.sha256 == first.sha256
    assert len(list(store.list("datasets/"))) == 1


async def test_redelivered_request_is_not_built_twice(datagen) -> None:
    app, _ = datagen
    envelope = generation(dataset_id="once")
    await app.service.generate(envelope)
    await app.service.generate(envelope)
    assert [e.type for e in await outbox_events(app)] == ["datasets.ready"]


async def test_invalid_config_fails_naming_the_field(datagen) -> None:
    app, store = datagen
    await app.service.generate(generation({"dataset": {"records_per_class": -3}}))
    failed = (await outbox_events(app))[-1]
    assert failed.type == "datasets.failed"
    assert "records_per_class" in failed.payload.reason
    assert list(store.list("datasets/")) == []


def _upload(store, name: str, data: bytes) -> str:
    key = f"uploads/user-1/{uuid4().hex[:8]}-{name}"
    store.put_stream(key, io.BytesIO(data))
    return key


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


async def test_import_resamples_cuts_and_labels(datagen, tmp_path) -> None:
    app, store = datagen
    rng = np.random.default_rng(0)
    t48 = np.arange(48_000 * 2) / 48_000
    healthy = _upload(store, "healthy.npy", _npy(np.sin(2 * np.pi * 30 * t48) + 0.1 * rng.standard_normal(t48.size)))
    csv_rows = "\n".join(["accel,rpm"] + [f"{v:.6f},1797" for v in rng.standard_normal(12_000 * 3)])
    faulty = _upload(store, "fault.csv", csv_rows.encode())
    files = (ImportFileSpec(object_key=healthy, file_name="healthy.npy", label="normal", sample_rate_hz=48_000),
             ImportFileSpec(object_key=faulty, file_name="fault.csv", variable="accel", label="fault",
                            sample_rate_hz=12_000, shaft_speed_hz=29.95))
    request = DatasetImportRequested(dataset_id="imp", name="mixed", files=files, target_sample_rate_hz=12_000,
                                     record_seconds=0.5)
    await app.service.import_recordings(new_envelope(request, producer="test", owner="user-1"))
    ready = (await outbox_events(app))[-1].payload
    assert ready.kind == "imported" and ready.sample_rate_hz == 12_000
    assert ready.class_names == ("fault", "normal") and ready.class_counts == (6, 4)
    assert ready.samples_per_record == 6_000


@pytest.mark.parametrize("name, data, problem", [
    ("empty.csv", b"", "empty"),
    ("bad.npy", b"not numpy", "not a readable NumPy file"),
    ("nan.npy", _npy(np.array([1.0, np.nan, 2.0] * 5000)), "NaN"),
    ("notes.txt", b"hello", "unsupported file type"),
])
async def test_bad_uploads_fail_naming_the_file_and_leave_nothing(datagen, name, data, problem) -> None:
    app, store = datagen
    good = _upload(store, "good.npy", _npy(np.random.default_rng(1).standard_normal(24_000)))
    bad = _upload(store, name, data)
    files = (ImportFileSpec(object_key=good, file_name="good.npy", label="a", sample_rate_hz=12_000),
             ImportFileSpec(object_key=bad, file_name=name, label="b", sample_rate_hz=12_000))
    request = DatasetImportRequested(dataset_id="broken", name="broken", files=files)
    await app.service.import_recordings(new_envelope(request, producer="test"))
    failed = (await outbox_events(app))[-1]
    assert failed.type == "datasets.failed"
    assert name in failed.payload.reason and problem in failed.payload.reason
    assert list(store.list("datasets/")) == []


async def test_delete_keeps_objects_a_cached_copy_still_uses(datagen) -> None:
    app, store = datagen
    await app.service.generate(generation(dataset_id="orig"))
    await app.service.generate(generation(dataset_id="copy"))
    await app.service.delete(new_envelope(DatasetDeleteRequested(dataset_id="copy"), producer="test"))
    assert len(list(store.list("datasets/"))) == 1
    await app.service.delete(new_envelope(DatasetDeleteRequested(dataset_id="orig"), producer="test"))
    assert list(store.list("datasets/")) == []
    assert [e.type for e in await outbox_events(app)][-2:] == ["datasets.deleted", "datasets.deleted"]


def test_matlab_v73_files_are_read_through_hdf5(tmp_path) -> None:
    from pfd_shared.recordings.inspection import inspect_stream
    from pfd_shared.recordings.readers import read_signal

    path = tmp_path / "rec.mat"
    with h5py.File(path, "w") as h5:  # v7.3 layout: HDF5, column vectors stored transposed
        h5.create_dataset("X001_DE_time", data=np.arange(12.0).reshape(1, 12))
        h5.create_dataset("X001RPM", data=np.array([[1797.0]]))
    with open(path, "rb") as handle:
        inspection = inspect_stream(handle, "rec.mat")
    assert [(v.name, v.length) for v in inspection.variables] == [("X001RPM", 1), ("X001_DE_time", 12)]
    assert inspection.suggested_variable == "X001_DE_time" and inspection.shaft_speed_hz == 1797 / 60
    assert read_signal(path, "rec.mat", "X001_DE_time").tolist() == list(np.arange(12.0))
