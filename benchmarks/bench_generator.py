"""Benchmark the data-gen domain core: classic set generation and its 36 features.

Run: python benchmarks/bench_generator.py [--repeats 3] [--workers N] [--executor thread|process]
Prints medians and ratios against the targets (20 s generation, 10 s features); never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from pfd_shared.generation import classic
from pfd_datagen.domain.dataset import generate_dataset
from pfd_datagen.domain.features import compute_features

GENERATION_TARGET_S = 20.0
FEATURES_TARGET_S = 10.0


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--executor", choices=("thread", "process"), default="thread")
    args = ap.parse_args()
    cfg = classic()
    print(f"classic set: {cfg.n_records} records x {cfg.n_samples} samples, {args.workers} workers ({args.executor})")
    gen_times, ds = [], None
    for _ in range(args.repeats):
        ds = None  # release the previous set before the next run
        t, ds = _timed(lambda: generate_dataset(cfg, seed=0, workers=args.workers, executor=args.executor))
        gen_times.append(t)
    gen = statistics.median(gen_times)
    print(
        f"generation: runs {[round(t, 2) for t in gen_times]} s, median {gen:.2f} s, "
        f"{cfg.n_records / gen:.0f} records/s, ratio to {GENERATION_TARGET_S:.0f} s target {gen / GENERATION_TARGET_S:.2f}"
    )
    feat_times = []
    for _ in range(args.repeats):
        t, feats = _timed(lambda: compute_features(ds.signals, ds.sample_rate_hz, ds.speed_hz, workers=args.workers))
        feat_times.append(t)
    feat = statistics.median(feat_times)
    print(
        f"features: shape {feats.shape}, runs {[round(t, 2) for t in feat_times]} s, median {feat:.2f} s, "
        f"ratio to {FEATURES_TARGET_S:.0f} s target {feat / FEATURES_TARGET_S:.2f}"
    )
    print(f"features / generation time ratio: {feat / gen:.2f}")


if __name__ == "__main__":
    main()
