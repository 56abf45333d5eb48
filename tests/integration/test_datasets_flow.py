"""Data sets through the real broker and S3: a data-gen process generates and imports (CWRU) data sets and
projects their features (stored, answered from the store on repeat, cancelled on request)."""

import asyncio
import io
import sys
from pathlib import Path
from uuid import uuid4

import h5py
import numpy as np
import hdf5plugin  # noqa: F401 - Blosc2 filter
import numpy as np
import pytest
from faststream.kafka import KafkaBroker, KafkaMessage

from pfd_shared.events import decode_event, encode_event, new_envelope
from pfd_shared.events.datasets import DatasetGenerationRequested, DatasetImportRequested, ImportFileSpec
from pfd_shared.events.projections import ProjectionCancelRequested, ProjectionRequested
from pfd_shared.exploration.models import ProjectionSpec, RecordFilter, projection_id
from pfd_shared.localstack.processes import free_port
from pfd_shared.recordings.inspection import inspect_stream
from pfd_shared.storage.keys import projection_key
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared import topics

pytestmark = pytest.mark.integration
CWRU = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "cwru"
CWRU_LABELS = {"97": "Normal", "105": "IR007", "118": "B007", "130": "OR007", "169": "IR014", "185": "B014",
               "197": "OR014", "209": "IR021", "222": "B021", "234": "OR021"}  # the manifest's 10-class convention
BASELINE_RATE_HZ = 48_000  # the normal baseline is 48 kHz (see the MANIFEST); its name carries no rate


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


def cwru_spec(store: S3ObjectStore, path: Path, owner: str) -> ImportFileSpec:
    """Upload one file and map it as a user would from its inspection: the drive-end channel from the variable
    list, the rate detected in the file name (12k) or typed for the baseline, the speed from its XnnnRPM."""
    key = f"uploads/{owner}/{uuid4().hex[:6]}.mat"
    with open(path, "rb") as handle:
        store.put_stream(key, handle)
        inspection = inspect_stream(handle, path.name)
    variable = next(v.name for v in inspection.variables if v.name.endswith("_DE_time"))
    number = path.stem.rsplit("_", 1)[-1]
    return ImportFileSpec(object_key=key, file_name=path.name, variable=variable, label=CWRU_LABELS[number],
                          sample_rate_hz=inspection.sample_rate_hz or BASELINE_RATE_HZ,
                          shaft_speed_hz=inspection.shaft_speed_hz)


@pytest.mark.skipif(not CWRU.exists(), reason="the CWRU reference recordings (../shared/datasets/cwru) are absent")
def test_cwru_import_end_to_end_with_the_48khz_baseline(infra, datagen, tmp_path, unique) -> None:
    store = S3ObjectStore(infra.s3)
    files = [cwru_spec(store, path, f"it-{unique}") for path in sorted(CWRU.glob("*.mat"))]
    assert len(files) == 10 and {f.sample_rate_hz for f in files} == {12_000, BASELINE_RATE_HZ}
    request = DatasetImportRequested(dataset_id=uuid4().hex[:12], name="cwru", files=tuple(files),
                                     target_sample_rate_hz=12_000, record_seconds=1.0, window_seconds=0.25,
                                     hop_seconds=0.125, split_policy="time_blocks")
    outcome = asyncio.run(request_and_wait(infra.kafka_bootstrap, new_envelope(request, producer="it")))
    assert outcome.type == "datasets.ready", outcome.payload
    ready = outcome.payload
    assert ready.sample_rate_hz == 12_000 and ready.samples_per_record == 12_000
    counts = dict(zip(ready.class_names, ready.class_counts))
    assert counts["Normal"] == 5  # 243,938 samples at 48 kHz = 5.08 s, resampled to 12 kHz: five 1-s records
    assert all(counts[label] == 10 for label in CWRU_LABELS.values() if label != "Normal")
    local = tmp_path / "cwru.h5"
    local.write_bytes(store.get_bytes(ready.object_key))
    with h5py.File(local) as h5:
        assert h5["signals"].shape == (ready.records, 12_000)
        assert h5["features"].shape == (ready.records, 36)
        assert h5["windows/features"].shape == (ready.records * 7, 36)  # 0.25 s windows every 0.125 s
        sources = h5["sources"][()]
        split_of = {int(row): name for name, rows in h5["splits"].items() for row in rows[()]}
        for source in set(sources):  # every recording: train, then val, then test, in time order
            order = [split_of[row] for row in np.flatnonzero(sources == source)]
            assert order == sorted(order, key=["train", "val", "test"].index) and set(order) == {"train", "val", "test"}
