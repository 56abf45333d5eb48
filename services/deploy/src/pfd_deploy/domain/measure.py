"""Per-variant figures on fixed threads: size, test accuracy, latency p50/p99 at batch 1, throughput at 32."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pfd_deploy.domain.runtime import make_session, run_logits

LATENCY_BATCH = 1
THROUGHPUT_BATCH = 32
LATENCY_RUNS = 200
THROUGHPUT_RUNS = 20
WARMUP_RUNS = 5
SECONDS_PER_MS = 1e3


@dataclass(frozen=True)
class VariantMetrics:
    name: str
    size_bytes: int
    accuracy: float
    latency_p50_ms: float
    latency_p99_ms: float
    throughput_per_s: float
    threads: int


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(logits.argmax(1) == labels)) if labels.size else float("nan")


def _timed(run, x: np.ndarray, runs: int) -> np.ndarray:  # noqa: ANN001 - a session.run-like callable
    for _ in range(WARMUP_RUNS):
        run(x)
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        run(x)
        times[i] = time.perf_counter() - start
    return times


def measure(name: str, model: bytes, windows: np.ndarray, labels: np.ndarray, *, threads: int,
            latency_runs: int = LATENCY_RUNS, throughput_runs: int = THROUGHPUT_RUNS) -> VariantMetrics:
    """Figures of one variant on test ``windows`` (n, channels, samples) with their ``labels``."""
    session = make_session(model, threads)
    name_in = session.get_inputs()[0].name
    windows = np.ascontiguousarray(windows, dtype=np.float32)

    def run(x: np.ndarray) -> None:
        session.run(None, {name_in: x})

    single = _timed(run, windows[:LATENCY_BATCH], latency_runs) * SECONDS_PER_MS
    batch = np.resize(windows, (THROUGHPUT_BATCH, *windows.shape[1:]))
    per_batch = _timed(run, batch, throughput_runs)
    return VariantMetrics(
        name=name, size_bytes=len(model), accuracy=accuracy(run_logits(session, windows), labels),
        latency_p50_ms=float(np.percentile(single, 50)), latency_p99_ms=float(np.percentile(single, 99)),
        throughput_per_s=float(THROUGHPUT_BATCH / np.median(per_batch)), threads=threads,
    )
