"""Sustained monitoring throughput of one deploy process: 1 s windows at 20,480 Hz, each decoded from its JSON
envelope (as the subscriber receives it) and scored by MachineScorer (registry lookup, cached ONNX Runtime session,
resampling, windows, vote, alert rule) with a small exported cnn1d (random weights: speed does not depend on them)
and the in-memory registry and stores. One window at a time, as one consumer handles them.

Printed: windows/s, p50/p95 of the decode + score latency, and the score-only p95.

Run: .venv/bin/python benchmarks/bench_monitoring.py [--windows 200] [--machines 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import torch
from prometheus_client import CollectorRegistry

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import build_predictor
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.scoring import MachineScorer
from pfd_deploy.monitoring.stores import InMemoryAssignments, InMemoryStateStore
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared.events import decode_event, encode_event, new_envelope
from pfd_shared.events.monitoring import SignalWindowReceived
from pfd_shared.models import build_model
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.training.catalogue import model_info
from pfd_shared.training.spec import ModelSpec

SAMPLE_RATE_HZ = 20_480.0
WINDOW_SECONDS = 1.0
MODEL_WINDOW = 2048
CLASSES = ("healthy", "inner_race", "outer_race", "ball")
MODEL = "bench-monitor"
WARMUP = 5
MS = 1000.0


def exported_model() -> bytes:
    torch.manual_seed(0)
    params = model_info("cnn1d").resolve("small")
    spec = ModelSpec(name="cnn1d", params=params, class_names=CLASSES, window_length=MODEL_WINDOW,
                     sample_rate_hz=SAMPLE_RATE_HZ)
    model = build_model("cnn1d", params, spec.n_classes, MODEL_WINDOW).eval()
    check = np.random.default_rng(0).normal(size=(8, 1, MODEL_WINDOW)).astype(np.float32)
    return export_onnx(model, spec, check).model


def encoded_windows(count: int, machines: int) -> list[bytes]:
    rng = np.random.default_rng(1)
    samples = int(SAMPLE_RATE_HZ * WINDOW_SECONDS)
    start = datetime.now(UTC)
    return [encode_event(new_envelope(SignalWindowReceived(
        machine_id=f"machine-{i % machines}", sensor_id="de", timestamp=start + timedelta(seconds=i),
        sample_rate_hz=SAMPLE_RATE_HZ, samples=rng.normal(size=samples).tolist()), producer="bench"))
        for i in range(count)]


async def run(args: argparse.Namespace) -> None:
    store, registry = InMemoryObjectStore(), InMemoryRegistry()
    publish_model(store, registry, exported_model(), MODEL, 1, "production")
    predictor = build_predictor(registry, store, InferenceHttpSettings(threads=1, intra_op_threads=args.threads),
                                CollectorRegistry())
    scorer = MachineScorer.from_settings(predictor, MonitoringSettings(model_name=MODEL), InMemoryAssignments(),
                                         InMemoryStateStore())
    bodies = encoded_windows(args.windows + WARMUP, args.machines)
    for body in bodies[:WARMUP]:
        await scorer.score(decode_event(body).payload)
    totals, scores = [], []
    started = time.perf_counter()
    for body in bodies[WARMUP:]:
        t0 = time.perf_counter()
        window = decode_event(body).payload
        t1 = time.perf_counter()
        outcome = await scorer.score(window)
        t2 = time.perf_counter()
        if outcome.prediction is None:
            raise RuntimeError(f"a window was not scored: {outcome}")
        totals.append(t2 - t0)
        scores.append(t2 - t1)
    elapsed = time.perf_counter() - started
    predictor.close()
    print(f"{args.windows} windows of {WINDOW_SECONDS:g} s at {SAMPLE_RATE_HZ:,.0f} Hz, cnn1d small, "
          f"{args.machines} machines, {args.threads} intra-op thread(s)")
    print(f"  sustained: {args.windows / elapsed:,.1f} windows/s")
    print(f"  decode+score latency: p50 {np.percentile(totals, 50) * MS:.2f} ms, "
          f"p95 {np.percentile(totals, 95) * MS:.2f} ms")
    print(f"  score-only latency p95: {np.percentile(scores, 95) * MS:.2f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--windows", type=int, default=200)
    p.add_argument("--machines", type=int, default=4)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
