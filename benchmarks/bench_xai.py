"""xai: Integrated Gradients (50 steps) on one 1 s window, and a repeated request answered from the cache.

1. For every registered neural architecture (preset ``base``, untrained weights: the cost does not depend on
   them), IG with 50 Gauss-Legendre steps on one window of 1 s at ``--rate`` Hz, as the service computes it
   (normalised window, target probability, the 50 path points in one batch of the default internal batch 64, the
   output difference for the completeness check in one more forward pass). Target <= 2 s.
2. The xai service (SQLite, in-memory object store, TestKafkaBroker) explains a data-set record's window with IG
   once, then the same request again: the repeat is answered from the cache (model from its LRU, the window read
   and hashed, one table lookup). Target <= 50 ms.

Run: .venv/bin/python benchmarks/bench_xai.py [--rate 12000] [--repeats 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

IG_TARGET_S = 2.0
CACHED_TARGET_MS = 50.0
MS = 1000.0
IG_STEPS = 50
N_CLASSES = 4
RECORDS = 4
WINDOWS_PER_RECORD = 2


def bench_ig(rate: float, repeats: int) -> None:
    from pfd_shared.models import build_model, registered_models
    from pfd_shared.training.catalogue import model_info

    from pfd_xai.domain import attribute

    samples = int(rate)
    for name in registered_models():
        torch.manual_seed(0)
        model = build_model(name, model_info(name).resolve("base"), N_CLASSES, samples).eval()
        x = torch.randn(1, 1, samples)
        attribute(model, x, "integrated_gradients", 0, rate, {"n_steps": IG_STEPS})  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            attribute(model, x, "integrated_gradients", 0, rate, {"n_steps": IG_STEPS})
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"IG {IG_STEPS} steps, {samples} samples, {name:18s}: median {median:.3f} s "
              f"(target {IG_TARGET_S} s, ratio {median / IG_TARGET_S:.2f})")


async def bench_cache(rate: float, repeats: int, work: Path) -> None:
    from faststream.kafka import TestKafkaBroker
    from prometheus_client import CollectorRegistry

    from pfd_shared.events import new_envelope
    from pfd_shared.events.datasets import DatasetReady
    from pfd_shared.events.training import TrainingCompleted
    from pfd_shared.events.xai import ExplanationInput, ExplanationRequested
    from pfd_shared.models import ModelSpec, build_model, save_artefact
    from pfd_shared.storage import InMemoryObjectStore
    from pfd_shared.telemetry.metrics import ServiceMetrics
    from pfd_shared.testing.hdf5_datasets import dataset_file_bytes, sample_signals
    from pfd_shared.training.catalogue import model_info

    from pfd_xai.bootstrap import build_xai
    from pfd_xai.settings import XaiSettings

    samples = int(rate)
    params = model_info("cnn1d").resolve("base")
    spec = ModelSpec(name="cnn1d", params=params, class_names=tuple(f"c{i}" for i in range(N_CLASSES)),
                     window_length=samples, sample_rate_hz=rate)
    store = InMemoryObjectStore()
    store.put_bytes("results/e/r/model.pt", save_artefact(build_model("cnn1d", params, N_CLASSES, samples), spec))
    store.put_bytes("datasets/d/dataset.h5",
                    dataset_file_bytes(sample_signals(RECORDS, WINDOWS_PER_RECORD * samples, rate), rate))
    app = build_xai(XaiSettings(var_dir=work), store=store, metrics=ServiceMetrics(CollectorRegistry()))
    app.runtime.migrate()
    outcomes: list[Any] = []

    async def capture(envelope: Any) -> None:
        outcomes.append(envelope)

    async with TestKafkaBroker(app.runtime.broker):
        await app.service.record_model(new_envelope(TrainingCompleted(
            experiment_id="e", run_id="r", metrics={}, epochs_run=1, best_epoch=1,
            artefacts={"model": "results/e/r/model.pt"}, seconds=0.0), producer="bench"))
        await app.service.record_dataset(new_envelope(DatasetReady(
            dataset_id="d", name="bench", kind="synthetic", object_key="datasets/d/dataset.h5", size_bytes=1,
            sha256="0" * 64, records=RECORDS, samples_per_record=WINDOWS_PER_RECORD * samples, sample_rate_hz=rate,
            class_names=("a", "b"), class_counts=(2, 2), feature_names=(), split_counts={}, seconds=0.0),
            producer="bench"))
        app.runtime.bus.publish = capture

        def request(index: int) -> Any:
            return new_envelope(ExplanationRequested(
                explanation_id=f"ex-{index}", experiment_id="e", run_id="r",
                input=ExplanationInput(dataset_id="d", record=1, window=1),
                methods={"integrated_gradients": {"n_steps": IG_STEPS}}), producer="bench")

        started = time.perf_counter()
        await app.service.explain(request(0))
        first = time.perf_counter() - started
        times = []
        for index in range(1, repeats + 1):
            started = time.perf_counter()
            await app.service.explain(request(index))
            times.append(time.perf_counter() - started)
        assert all(e.payload.cached for e in outcomes[-repeats:]), "the repeats were not answered from the cache"
        median = statistics.median(times) * MS
        print(f"service, IG {IG_STEPS} steps on a {samples}-sample window: first {first:.3f} s; cached repeat "
              f"median {median:.1f} ms (target {CACHED_TARGET_MS} ms, ratio {median / CACHED_TARGET_MS:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=12_000.0, help="sample rate (Hz): the window is 1 s")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, "
          f"load average {_load()}")
    bench_ig(args.rate, args.repeats)
    with tempfile.TemporaryDirectory() as work:
        asyncio.run(bench_cache(args.rate, args.repeats * 4, Path(work)))
    print(f"load average at the end {_load()} (the figures only mean something on a machine that is not loaded)")


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
