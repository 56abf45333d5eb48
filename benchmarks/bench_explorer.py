"""Data Explorer: projections of the classic set, the explorer's filter-change callback and the gateway's memory.

1. The classic set (1,430 records x 102,400 samples, the real generator and features) is built into a
   throwaway SeaweedFS S3 (like data-gen does; ``--preset quick`` for a fast run).
2. data-gen's projection domain projects its standardised features: PCA, t-SNE (openTSNE, Barnes-Hut, PCA init,
   750 iterations) and UMAP (umap-learn; its first call compiles numba code and is reported apart). Targets:
   t-SNE <= 5 s. The results are stored as data-gen stores them.
3. In a separate process (only the gateway is imported there, as in production), a real gateway (SQLite read
   model, the S3 store) serves the explorer: the overview callback's work for a new random filter each time
   (DataExplorer.overview + the figures and table it renders, serialised to JSON as Dash sends them; target p95
   <= 200 ms), the other tabs (distribution, correlation, mutual-information ranking, a records page), the
   stored projection read once from S3 then repeated from memory (target <= 50 ms) and the process's peak RSS
   while exploring (target <= 600 MB).

Run: .venv/bin/python benchmarks/bench_explorer.py [--preset classic|quick] [--changes 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

TSNE_TARGET_S = 5.0
CACHED_TARGET_MS = 50.0
FILTER_TARGET_P95_MS = 200.0
RSS_TARGET_MB = 600.0
MS = 1000.0
PERCENT_95 = 19  # index + 1 of the 95th percentile among statistics.quantiles(n=20) cut points
DATASET_ID = "bench-explorer"
OWNER = "bench-user"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[PERCENT_95 - 1] if len(values) > 1 else values[0]


def build_dataset(s3: Any, work: Path, preset: str) -> tuple[str, dict[str, Any]]:
    """The preset's data set generated and stored in S3 as data-gen stores it; its DatasetReady fields."""
    from pfd_shared.events.datasets import DatasetGenerationRequested
    from pfd_shared.generation.config import PRESETS
    from pfd_shared.storage.s3 import S3ObjectStore

    from pfd_datagen.artefacts import store_arrays
    from pfd_datagen.building import build_synthetic
    from pfd_datagen.settings import DataGenSettings

    request = DatasetGenerationRequested(dataset_id=DATASET_ID, name=f"bench {preset}",
                                         config=PRESETS[preset]().model_dump(mode="json"), robustness_snr_db=())
    started = time.perf_counter()
    arrays = build_synthetic(request, 0, lambda *_: None)
    key = f"datasets/{DATASET_ID}/dataset.h5"
    info = store_arrays(arrays, key, S3ObjectStore(s3), work, DataGenSettings().compression, lambda *_: None)
    print(f"{preset} set: {len(arrays.labels):,} records x {arrays.signals.shape[1]:,} samples, "
          f"{info.size / 1e6:.0f} MB object, built and stored in {time.perf_counter() - started:.1f} s")
    ready = {"records": len(arrays.labels), "samples_per_record": int(arrays.signals.shape[1]),
             "sample_rate_hz": arrays.sample_rate_hz, "class_names": list(arrays.class_names),
             "class_counts": list(arrays.class_counts()), "feature_names": list(arrays.feature_names),
             "split_counts": {name: len(rows) for name, rows in arrays.splits.items()}, "size_bytes": info.size}
    return key, ready


def run_projections(s3: Any, key: str, repeats: int) -> dict[str, str]:
    """PCA, t-SNE and UMAP of the whole set (data-gen's domain), stored; method -> projection id."""
    from pfd_shared.events.projections import ProjectionRequested
    from pfd_shared.exploration.models import ProjectionSpec, RecordFilter, projection_id
    from pfd_shared.exploration.reading import load_arrays
    from pfd_shared.storage.s3 import S3ObjectStore

    from pfd_datagen.domain.projection import project
    from pfd_datagen.projections import store_result
    from pfd_datagen.settings import DataGenSettings

    store = S3ObjectStore(s3)
    features = load_arrays(store, key).features
    threads = DataGenSettings().projection_threads
    ids = {}
    for method, target in (("pca", None), ("tsne", TSNE_TARGET_S), ("umap", None)):
        spec = ProjectionSpec(method=method)
        times, result = [], None
        for _ in range(repeats + (1 if method == "umap" else 0)):
            started = time.perf_counter()
            result = project(features, spec, workers=threads)
            times.append(time.perf_counter() - started)
        extra = ""
        if method == "umap":
            extra = f" (first call, numba compilation included: {times[0]:.2f} s)"
            times = times[1:]
        median = statistics.median(times)
        ratio = f", target <= {target:.0f} s, ratio {median / target:.2f}" if target else ""
        print(f"{method:>4}: {features.shape[0]:,} x {features.shape[1]} features -> 2-D, median {median:.2f} s over "
              f"{len(times)} runs ({', '.join(f'{t:.2f}' for t in times)}){ratio}{extra}")
        pid = projection_id(key, spec, RecordFilter())
        request = ProjectionRequested(projection_id=pid, dataset_id=DATASET_ID, spec=spec)
        store_result(store, request, key, result, features.shape[0], median)
        ids[method] = pid
    return ids


def random_filter(rng: np.random.Generator, ready: dict[str, Any], description: Any) -> Any:
    from pfd_shared.exploration.models import Range, RecordFilter

    present = [name for name, count in zip(ready["class_names"], ready["class_counts"]) if count]
    classes = tuple(rng.choice(present, size=int(rng.integers(1, len(present) + 1)), replace=False))
    low, high = description.ranges.get("speed_hz", (0.0, 1.0))
    cut = float(rng.uniform(low, high))
    return RecordFilter(classes=classes, ranges={"speed_hz": Range(low=low if rng.random() < 0.5 else cut,
                                                                  high=high if rng.random() < 0.5 else None)})


class PeakRss:
    """Samples this process's RSS in a thread (ru_maxrss would include the parent's, inherited at fork)."""

    def __init__(self, interval_s: float = 0.02) -> None:
        import threading

        import psutil

        self.process, self.interval_s, self.peak = psutil.Process(), interval_s, 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.stopped.wait(self.interval_s):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def stop(self) -> tuple[float, float]:
        self.stopped.set()
        self.thread.join()
        return self.peak / 1e6, self.process.memory_info().rss / 1e6


async def explore(s3_json: str, var_dir: str, key: str, ready: dict[str, Any], changes: int) -> dict[str, Any]:
    rss = PeakRss()
    import plotly.io as pio
    from prometheus_client import CollectorRegistry

    from pfd_shared.events import new_envelope
    from pfd_shared.events.datasets import DatasetReady
    from pfd_shared.exploration.models import ProjectionSpec, RecordFilter
    from pfd_shared.settings import S3Settings
    from pfd_shared.storage.s3 import S3ObjectStore
    from pfd_shared.telemetry.metrics import ServiceMetrics

    from pfd_gateway.bootstrap import build_gateway
    from pfd_gateway.dashboard.components import explorer as parts
    from pfd_gateway.dashboard.figures import explorer as figures
    from pfd_gateway.dashboard.figures.datasets import class_distribution_figure
    from pfd_gateway.domain.access import Principal, Role, Scope
    from pfd_gateway.settings import GatewaySettings

    s3 = S3Settings.model_validate_json(s3_json)
    gateway = build_gateway(GatewaySettings(var_dir=Path(var_dir), s3=s3), ServiceMetrics(CollectorRegistry()),
                            S3ObjectStore(s3))
    gateway.runtime.migrate()
    event = DatasetReady(dataset_id=DATASET_ID, name="bench", kind="synthetic", object_key=key, sha256="00",
                         seconds=1.0, **ready)
    await gateway.datasets.project([(new_envelope(event, producer="bench", owner=OWNER), b"")])
    principal = Principal(OWNER, "bench@pfd.test", Role.MEMBER, frozenset(Scope), "session")
    explorer, rng = gateway.explorer, np.random.default_rng(0)
    started = time.perf_counter()
    described = await explorer.describe(principal, DATASET_ID)
    first_open_ms = (time.perf_counter() - started) * MS
    names = ready["class_names"]
    timings: dict[str, list[float]] = {"overview": [], "distribution": [], "correlation": [], "ranking": [],
                                       "records page": []}
    for change in range(changes):
        chosen = random_filter(rng, ready, described.description)
        started = time.perf_counter()
        overview = await explorer.overview(principal, DATASET_ID, chosen)
        rendered = (class_distribution_figure([c.name for c in overview.classes], [c.records for c in overview.classes]),
                    figures.severity_figure(overview), parts.summary_table(overview), parts.selection_badge(overview))
        pio.to_json(rendered[0]), pio.to_json(rendered[1]), json.dumps(rendered[2].to_plotly_json(), default=str)
        timings["overview"].append((time.perf_counter() - started) * MS)
        feature = described.columns[-(1 + change % 36)].header
        for name, work in (
            ("distribution", lambda: explorer.distribution(principal, DATASET_ID, chosen, feature)),
            ("correlation", lambda: explorer.correlation(principal, DATASET_ID, chosen)),
            ("ranking", lambda: explorer.ranking(principal, DATASET_ID, chosen)),
            ("records page", lambda: explorer.records(principal, DATASET_ID, chosen, {
                "startRow": 0, "endRow": 50, "sortModel": [{"colId": "f:rms", "sort": "desc"}]})),
        ):
            started = time.perf_counter()
            found = await work()
            if name == "distribution":
                pio.to_json(figures.distribution_figure(found, names, "box"))
                pio.to_json(figures.histogram_figure(found, names))
            elif name == "correlation":
                pio.to_json(figures.correlation_figure(found))
            elif name == "ranking":
                pio.to_json(figures.ranking_figure(found))
            timings[name].append((time.perf_counter() - started) * MS)
    cached: dict[str, dict[str, float]] = {}
    for method in ("pca", "tsne", "umap"):
        spec, reads, served = ProjectionSpec(method=method), [], []
        for _ in range(changes):
            started = time.perf_counter()
            view = await explorer.projection(principal, DATASET_ID, spec, RecordFilter(), start=True)
            served.append((time.perf_counter() - started) * MS)
            pio.to_json(figures.projection_figure(view, names))
            reads.append((time.perf_counter() - started) * MS)
            assert view.status == "ready", view
        cached[method] = {"first": reads[0], "median": statistics.median(reads[1:]), "p95": p95(reads[1:]),
                          "service_median": statistics.median(served[1:])}
    await gateway.runtime.database.engine.dispose()
    peak_mb, end_mb = rss.stop()
    return {"first_open_ms": first_open_ms, "timings": timings, "cached": cached, "peak_rss_mb": peak_mb,
            "rss_mb": end_mb, "arrays_cached_bytes": explorer.arrays.bytes}


def explore_in_child(s3_json: str, var_dir: str, key: str, ready: dict[str, Any], changes: int, out: Any) -> None:
    out.put(asyncio.run(explore(s3_json, var_dir, key, ready, changes)))


def report(found: dict[str, Any], changes: int) -> None:
    print(f"gateway process (separate, gateway imports only): first open of the data set (arrays by ranged GETs) "
          f"{found['first_open_ms']:.0f} ms, arrays cached {found['arrays_cached_bytes'] / 1e6:.2f} MB")
    for name, values in found["timings"].items():
        line = f"{name:>13}, {changes} filter changes: p50 {statistics.median(values):.1f} ms, p95 {p95(values):.1f} ms"
        if name == "overview":
            line += f" (target p95 <= {FILTER_TARGET_P95_MS:.0f} ms, ratio {p95(values) / FILTER_TARGET_P95_MS:.2f})"
        print(line)
    for method, numbers in found["cached"].items():
        print(f"stored {method} projection: first read from S3 {numbers['first']:.1f} ms; cached repeat (service + "
              f"figure as JSON) median {numbers['median']:.2f} ms, p95 {numbers['p95']:.2f} ms (target <= "
              f"{CACHED_TARGET_MS:.0f} ms, ratio {numbers['p95'] / CACHED_TARGET_MS:.2f}); service alone median "
              f"{numbers['service_median']:.2f} ms")
    print(f"gateway RSS while exploring (sampled every 20 ms): peak {found['peak_rss_mb']:.0f} MB, at the end {found['rss_mb']:.0f} MB "
          f"(target <= {RSS_TARGET_MB:.0f} MB, ratio {found['peak_rss_mb'] / RSS_TARGET_MB:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="classic", choices=["classic", "balanced_v2", "quick"])
    parser.add_argument("--changes", type=int, default=60, help="filter changes (and cached reads) measured")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each projection method")
    args = parser.parse_args()
    from pfd_shared.localstack.infra import throwaway_s3

    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores; python {sys.version.split()[0]}")
    work = Path(tempfile.mkdtemp(prefix="pfd-bench-explorer-"))
    (work / "gateway").mkdir()
    with throwaway_s3(work, "bench") as s3:
        key, ready = build_dataset(s3, work, args.preset)
        run_projections(s3, key, args.repeats)
        results: Any = multiprocessing.get_context("spawn").Queue()
        child = multiprocessing.get_context("spawn").Process(
            target=explore_in_child, args=(json.dumps(s3.model_dump(mode="json") | {
                "secret_key": s3.secret_key.get_secret_value()}), str(work / "gateway"), key, ready, args.changes,
                results))
        child.start()
        found = results.get()
        child.join()
        report(found, args.changes)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
