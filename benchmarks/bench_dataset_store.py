"""The classic 1,430 x 102,400 set generated INTO the object store, against the HDF5 floor.

Times the data-gen pipeline (generation, 36 features, splits, 20/10/5 dB test copies, HDF5 with
Blosc2 compression, streaming upload to SeaweedFS S3), then the floor: writing the same number of
random float32 bytes to an uncompressed HDF5 file. Prints medians and the ratio (target <= 20 s), and the CPU
seconds of this process and of the S3 server per run (on a shared machine the wall time depends on the load; the
CPU seconds say what the pipeline itself costs).

Run: .venv/bin/python benchmarks/bench_dataset_store.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
import psutil

from pfd_shared.events.datasets import DatasetGenerationRequested
from pfd_shared.generation import classic
from pfd_shared.localstack.infra import throwaway_s3
from pfd_shared.storage.s3 import S3ObjectStore

from pfd_datagen.artefacts import build_and_store
from pfd_datagen.bootstrap import configure_threads
from pfd_datagen.building import build_synthetic
from pfd_datagen.settings import DataGenSettings

TARGET_S = 20.0


def stage_clock() -> tuple[dict[str, float], callable]:
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    return marks, progress


def floor_seconds(shape: tuple[int, int], directory: Path) -> float:
    data = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    started = time.perf_counter()
    with h5py.File(directory / "floor.h5", "w") as h5:
        h5.create_dataset("signals", data=data)
    return time.perf_counter() - started


def _cpu(processes: list[psutil.Process]) -> float:
    return sum(sum(p.cpu_times()[:2]) for p in processes if p.is_running())


def one_run(run: int, work: Path, request: DatasetGenerationRequested) -> tuple[float, tuple[int, int]]:
    """One build into a SeaweedFS of its own (the local server's volumes hold about two classic sets)."""
    with throwaway_s3(work / f"run-{run}", "bench") as s3:
        store = S3ObjectStore(s3)
        server = psutil.Process().children(recursive=True)  # the SeaweedFS process of throwaway_s3
        marks, progress = stage_clock()
        cpu_before, server_before = time.process_time(), _cpu(server)
        started = time.perf_counter()
        arrays, info = build_and_store(lambda sink: build_synthetic(request, 0, progress, sink),
                                       "datasets/bench/dataset.h5", store, work, "blosc2-zstd", progress)
        total = time.perf_counter() - started
        stages = sorted(marks.items(), key=lambda item: item[1]) + [("end", started + total)]
        split = ", ".join(f"{a} {b_t - a_t:.1f} s" for (a, a_t), (_, b_t) in zip(stages, stages[1:]))
        print(f"run {run + 1}: {total:.2f} s ({split}); object {info.size / 1e6:.0f} MB; "
              f"cpu {time.process_time() - cpu_before:.1f} s here + {_cpu(server) - server_before:.1f} s S3 server")
    shutil.rmtree(work / f"run-{run}", ignore_errors=True)
    return total, arrays.signals.shape


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    configure_threads(DataGenSettings())  # as the service's process start does
    work = Path(tempfile.mkdtemp(prefix="pfd-bench-store-"))
    request = DatasetGenerationRequested(dataset_id="bench", name="classic", config=classic().model_dump(mode="json"))
    runs = [one_run(run, work, request) for run in range(args.repeats)]
    totals, shape = [total for total, _ in runs], runs[0][1]
    floor = statistics.median(floor_seconds(shape, work) for _ in range(args.repeats))
    shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(totals)
    print(f"classic set {shape[0]} x {shape[1]} into the object store: median {median:.2f} s "
          f"(target <= {TARGET_S:.0f} s, ratio {median / TARGET_S:.2f})")
    print(f"floor: {shape[0] * shape[1] * 4 / 1e6:.0f} MB of random float32 to HDF5: median {floor:.2f} s; "
          f"pipeline / floor = {median / floor:.1f}x")


if __name__ == "__main__":
    main()
