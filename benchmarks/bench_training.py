"""Time to accuracy and training throughput of every model on the classic 1,430-record synthetic set.

The set is generated in memory with data-gen's domain generator (seed 0), split 70/15/15 by record
(augmented copies stay with their source), with 20/10/5 dB copies of the test records. Each model trains
with its benchmark config (below) for every seed; the test split is then evaluated by record vote.

Run: .venv/bin/python benchmarks/bench_training.py [--models cnn1d,resnet1d] [--seeds 0 1 2] [--threads 2]
Prints per run and per model medians: test record accuracy, wall seconds (train + evaluate), the ratio to
the 180 s budget, seconds until the validation records first reached the target, and windows/s; never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from pfd_datagen.domain import ROBUSTNESS_SNR_DB, FEATURE_NAMES, add_noise_snr, classic, compute_features
from pfd_datagen.domain import generate_dataset, stratified_split
from pfd_shared.training import MODEL_CATALOGUE, TrainingConfig
from pfd_training.domain import EpochReport, NullHooks, TrainingData, evaluate, run_training

TARGET_ACCURACY = 0.98
BUDGET_S = 180.0
DATA_SEED = 0
_AUG = {"shift": True, "scale": 0.1}
_NEURAL = {"early_stopping_patience": 0}

# One config per model: windows of 2048 samples (0.1 s at 20.48 kHz), hop 2048 or 4096 (training shifts each
# window randomly within its hop, so every epoch sees new cuts), one-cycle schedule, no early stopping.
BENCH_CONFIGS: dict[str, dict] = {
    "cnn1d": {"preset": "small", "window": {"length": 2048}, "epochs": 5, "batch_size": 256,
              "optimiser": {"learning_rate": 0.003}, "augmentation": _AUG},
    "resnet1d": {"preset": "small", "window": {"length": 2048, "hop": 4096}, "epochs": 5, "batch_size": 128,
                 "optimiser": {"learning_rate": 0.003}, "augmentation": _AUG},
    "cnn_lstm": {"preset": "small", "window": {"length": 2048, "hop": 4096}, "epochs": 6, "batch_size": 256,
                 "optimiser": {"learning_rate": 0.004}, "augmentation": _AUG},
    "patch_transformer": {"preset": "small", "window": {"length": 2048, "hop": 4096}, "epochs": 8, "batch_size": 256,
                          "optimiser": {"learning_rate": 0.002}, "augmentation": _AUG},
    "random_forest": {"preset": "base", "window": {"length": 2048}},
    "gradient_boosting": {"preset": "small", "window": {"length": 2048}},
}


@dataclass
class RunFigures:
    seed: int
    seconds: float
    record_accuracy: float
    window_accuracy: float
    robustness: dict[str, float]
    epochs: int
    windows_per_s: float
    seconds_to_target: float | None
    history: list[EpochReport] = field(default_factory=list)


def build_data(threads: int, with_features: bool) -> TrainingData:
    cfg = classic()
    began = time.perf_counter()
    ds = generate_dataset(cfg, seed=DATA_SEED, workers=threads)
    splits = stratified_split(ds.labels, ds.severity_levels, seed=DATA_SEED, groups=ds.source_indices)
    features = (compute_features(ds.signals, ds.sample_rate_hz, ds.speed_hz, workers=threads) if with_features
                else np.zeros((len(ds), len(FEATURE_NAMES)), dtype=np.float32))
    test_rows = ds.indices[splits.test]
    robustness = {f"{snr:g}dB": add_noise_snr(ds.signals[splits.test], snr, seed=DATA_SEED, indices=test_rows,
                                                 workers=threads)
                  for snr in ROBUSTNESS_SNR_DB}
    print(f"classic set: {len(ds)} records x {cfg.n_samples} samples at {ds.sample_rate_hz:g} Hz, "
          f"{len(ds.class_names)} classes, splits {splits.train.size}/{splits.val.size}/{splits.test.size}, "
          f"built in {time.perf_counter() - began:.1f} s (features {'computed' if with_features else 'skipped'})")
    return TrainingData(ds.signals, ds.labels, features, FEATURE_NAMES, ds.class_names,
                        {"train": splits.train, "val": splits.val, "test": splits.test}, ds.sample_rate_hz,
                        robustness)


def run_one(config: TrainingConfig, seed: int, data: TrainingData, threads: int) -> RunFigures:
    began = time.perf_counter()
    result = run_training(config, seed, data, NullHooks(), threads=threads)
    report = evaluate(result.model_blob, config, data, threads=threads)
    seconds = time.perf_counter() - began
    elapsed, to_target = 0.0, None
    for epoch in result.history:
        elapsed += epoch.seconds
        if to_target is None and epoch.val_record_accuracy >= TARGET_ACCURACY:
            to_target = elapsed
    return RunFigures(seed, seconds, report.record_accuracy, report.window_accuracy, report.robustness,
                      result.epochs_run, statistics.median(r.windows_per_s for r in result.history), to_target,
                      result.history)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} cores"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summarise(model: str, runs: list[RunFigures]) -> dict[str, float]:
    acc = [r.record_accuracy for r in runs]
    secs = [r.seconds for r in runs]
    reached = [r for r in runs if r.record_accuracy >= TARGET_ACCURACY and r.seconds <= BUDGET_S]
    to_target = [r.seconds_to_target for r in runs if r.seconds_to_target is not None]
    summary = {
        "record_accuracy": _median(acc), "record_accuracy_min": min(acc), "seconds": _median(secs),
        "windows_per_s": _median([r.windows_per_s for r in runs]), "reached": len(reached) / len(runs),
    }
    robust = {label: _median([r.robustness[label] for r in runs if label in r.robustness])
              for label in sorted({k for r in runs for k in r.robustness})}
    print(f"  {model}: test record accuracy median {summary['record_accuracy']:.4f} (min {min(acc):.4f}, "
          f"mean {statistics.fmean(acc):.4f} ± {statistics.pstdev(acc):.4f}), wall median {summary['seconds']:.1f} s "
          f"(ratio to {BUDGET_S:.0f} s budget {summary['seconds'] / BUDGET_S:.2f}), val records >= "
          f"{TARGET_ACCURACY:.0%} after median {_median(to_target):.1f} s of training "
          f"({len(to_target)}/{len(runs)} runs), {summary['windows_per_s']:,.0f} windows/s, target met in "
          f"{len(reached)}/{len(runs)} runs; robustness {', '.join(f'{k} {v:.4f}' for k, v in robust.items()) or '-'}")
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(BENCH_CONFIGS), help="comma-separated model names")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--epochs", type=int, default=None, help="override every neural config's epochs")
    args = ap.parse_args()
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in BENCH_CONFIGS]
    if unknown:
        ap.error(f"unknown models {unknown}; choose from {sorted(BENCH_CONFIGS)}")
    print(f"start: {_load()}, torch threads {args.threads}, seeds {args.seeds}")
    data = build_data(args.threads, any(MODEL_CATALOGUE[m].family == "classical" for m in models))
    summaries: dict[str, dict[str, float]] = {}
    for model in models:
        raw = {"model": model, **_NEURAL, **BENCH_CONFIGS[model]}
        if args.epochs and MODEL_CATALOGUE[model].family == "neural":
            raw["epochs"] = args.epochs
        config = TrainingConfig.model_validate(raw)
        runs = []
        for seed in args.seeds:
            figures = run_one(config, seed, data, args.threads)
            runs.append(figures)
            curve = " ".join(f"{r.val_record_accuracy:.3f}" for r in figures.history)
            print(f"{model} seed {seed}: {figures.seconds:.1f} s, {figures.epochs} epochs, test records "
                  f"{figures.record_accuracy:.4f}, windows {figures.window_accuracy:.4f}, "
                  f"{figures.windows_per_s:,.0f} windows/s; val record curve {curve}; {_load()}", flush=True)
        summaries[model] = summarise(model, runs)
    best = max(summaries, key=lambda m: (summaries[m]["reached"], summaries[m]["record_accuracy"],
                                         -summaries[m]["seconds"]))
    b = summaries[best]
    print(f"best: {best}: median test record accuracy {b['record_accuracy']:.4f} (target {TARGET_ACCURACY:.2f}, "
          f"ratio {b['record_accuracy'] / TARGET_ACCURACY:.3f}) in median {b['seconds']:.1f} s (budget "
          f"{BUDGET_S:.0f} s, ratio {b['seconds'] / BUDGET_S:.2f}); throughput ratios to {best}: "
          + ", ".join(f"{m} {summaries[m]['windows_per_s'] / b['windows_per_s']:.2f}" for m in summaries))
    print(f"end: {_load()}")


if __name__ == "__main__":
    main()
