"""Signal Viewer: one 102,400-sample record read from S3 by ranged GETs and analysed for display.

SeaweedFS S3 holds a data-set file written with h5py (Blosc2, chunked by whole records). The gateway's real
SignalViewer (access check through the data-set read model in a SQLite database, RangedFile, HDF5 decode,
min/max downsampling, Welch PSD, STFT spectrogram, envelope spectrum) builds the view of a different record on
every call, so each call fetches that record's chunk from S3 (what "next"/"random" do). The first call also
opens the file (HDF5 metadata through the block cache) and is reported apart. Target: p95 <= 300 ms.

Run: .venv/bin/python benchmarks/bench_signal_viewer.py [--records 60]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from prometheus_client import CollectorRegistry

from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.localstack.infra import throwaway_s3
from pfd_shared.settings import S3Settings
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, TEST_FEATURE_NAMES, dataset_file_bytes, sample_signals

from pfd_gateway.bootstrap import build_gateway
from pfd_gateway.domain.access import Principal, Role, Scope
from pfd_gateway.settings import GatewaySettings

SAMPLES = 102_400
SAMPLE_RATE_HZ = 51_200.0
TARGET_P95_MS = 300.0
OWNER = "bench-user"
DATASET_ID = "bench-viewer"
MS = 1000.0
PERCENT_95 = 19  # index of the 95th percentile among statistics.quantiles(n=20) cut points


async def run(s3: S3Settings, var_dir: Path, records: int) -> None:
    store = S3ObjectStore(s3)
    key = f"datasets/{DATASET_ID}/dataset.h5"
    content = dataset_file_bytes(sample_signals(records, SAMPLES, SAMPLE_RATE_HZ), SAMPLE_RATE_HZ)
    store.put_bytes(key, content)
    gateway = build_gateway(GatewaySettings(var_dir=var_dir, s3=s3), ServiceMetrics(CollectorRegistry()), store)
    gateway.runtime.migrate()
    event = DatasetReady(dataset_id=DATASET_ID, name="bench", kind="synthetic", object_key=key,
                         size_bytes=len(content), sha256="00", records=records, samples_per_record=SAMPLES,
                         sample_rate_hz=SAMPLE_RATE_HZ, class_names=TEST_CLASSES, class_counts=(records, 0),
                         feature_names=TEST_FEATURE_NAMES, split_counts={"train": records}, seconds=0.1)
    await gateway.datasets.project([(new_envelope(event, producer="bench", owner=OWNER), b"")])
    principal = Principal(OWNER, "bench@pfd.test", Role.MEMBER, frozenset(Scope), "session")
    timings = []
    for index in range(records):
        started = time.perf_counter()
        view = await gateway.signals.record(principal, DATASET_ID, index)
        timings.append((time.perf_counter() - started) * MS)
    handle = gateway.signals.reader._files[key].handle  # noqa: SLF001 - request counts for the report
    first, rest = timings[0], timings[1:]
    p95 = statistics.quantiles(rest, n=20)[PERCENT_95 - 1]
    print(f"object {len(content) / 1e6:.1f} MB, {records} records x {SAMPLES:,} samples at {SAMPLE_RATE_HZ:,.0f} Hz; "
          f"view: time {len(view.time.y):,} points, PSD {len(view.psd.x):,} bins, "
          f"spectrogram {view.spectrogram.power_db.shape[0]}x{view.spectrogram.power_db.shape[1]}, "
          f"envelope {len(view.envelope.x):,} bins")
    print(f"first call (opens the file): {first:.1f} ms")
    print(f"record view, {len(rest)} further records: p50 {statistics.median(rest):.1f} ms, p95 {p95:.1f} ms "
          f"(target p95 <= {TARGET_P95_MS:.0f} ms, ratio {p95 / TARGET_P95_MS:.2f})")
    print(f"S3 ranged GETs: {handle.requests} for {records} different records, "
          f"{handle.bytes_fetched / records / 1e3:.0f} kB fetched per record (object {len(content) / 1e6:.1f} MB)")
    await gateway.runtime.database.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pfd-bench-viewer-"))
    with throwaway_s3(work, "bench") as s3:
        asyncio.run(run(s3, work / "var", args.records))


if __name__ == "__main__":
    main()
