"""Per-variant figures on fixed threads: size, test accuracy, latency p50/p99 at batch 1, throughput at 32."""

from __future__ import annotations

import time
from collections.abc import Callable
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
    cpu_throughput_per_s: float
    """Windows per second of calling-thread CPU time at batch 32 (meaningful with one intra-op thread)."""


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(logits.argmax(1) == labels)) if labels.size else float("nan")


def timed(run: Callable[[np.ndarray], object], x: np.ndarray, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """(wall seconds, calling-thread CPU seconds) of each of ``runs`` calls of ``run(x)`` after a warm-up.

    With one intra-op thread ORT and torch compute on the calling thread, so its CPU time is the cost of the
    call even on a loaded machine, where wall time also counts the time the thread waited for a core.
    """
    for _ in range(WARMUP_RUNS):
        run(x)
    wall, cpu = np.empty(runs), np.empty(runs)
    for i in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        run(x)
        wall[i], cpu[i] = time.perf_counter() - start, time.thread_time() - start_cpu
    return wall, cpu


def measure(name: str, model: bytes, windows: np.ndarray, labels: np.ndarray, *, threads: int,
            latency_runs: int = LATENCY_RUNS, throughput_runs: int = THROUGHPUT_RUNS) -> VariantMetrics:
    """Figures of one variant on test ``windows`` (n, channels, samples) with their ``labels``."""
    session = make_session(model, threads)
    name_in = session.get_inputs()[0].name
    windows = np.ascontiguousarray(windows, dtype=np.float32)

    def run(x: np.ndarray) -> None:
        session.run(None, {name_in: x})

    single = timed(run, windows[:LATENCY_BATCH], latency_runs)[0] * SECONDS_PER_MS
    batch = np.resize(windows, (THROUGHPUT_BATCH, *windows.shape[1:]))
    per_batch, per_batch_cpu = timed(run, batch, throughput_runs)
    return VariantMetrics(
        name=name, size_bytes=len(model), accuracy=accuracy(run_logits(session, windows), labels),
        latency_p50_ms=float(np.percentile(single, 50)), latency_p99_ms=float(np.percentile(single, 99)),
        throughput_per_s=float(THROUGHPUT_BATCH / np.median(per_batch)), threads=threads,
        cpu_throughput_per_s=float(THROUGHPUT_BATCH / np.median(per_batch_cpu)),
    )
