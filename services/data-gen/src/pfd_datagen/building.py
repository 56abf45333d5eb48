"""Synthetic data sets: config -> signals, features, splits and robustness copies (CPU work, run in a thread)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import numpy as np

from pfd_shared.events.datasets import DatasetGenerationRequested
from pfd_shared.generation import FeatureConfig, GenerationConfig

from pfd_datagen.domain import (
    FEATURE_NAMES,
    add_noise_snr,
    compute_features,
    generate_dataset,
    stratified_split,
    window_features,
    window_samples,
)
from pfd_datagen.file_writer import NoSink, SignalSink
from pfd_datagen.domain.windows import Windows
from pfd_datagen.hdf5_store import DatasetArrays

Progress = Callable[[str, int, int], None]


def cache_key(request: DatasetGenerationRequested) -> str:
    """Identical config, seed, robustness copies (and windows, when asked for) give the identical data set."""
    config = GenerationConfig.model_validate(request.config)
    options: dict[str, object] = {"seed": request.seed, "snr": list(request.robustness_snr_db)}
    if request.window_seconds is not None:
        options["windows"] = [request.window_seconds, request.hop_seconds or request.window_seconds]
    extra = json.dumps(options, sort_keys=True)
    return hashlib.sha256(f"{config.config_hash()}|{extra}".encode()).hexdigest()


def split_rows(labels: np.ndarray, strata: np.ndarray, seed: int, groups: np.ndarray | None) -> dict[str, np.ndarray]:
    splits = stratified_split(labels, strata, seed, groups)
    return {"train": splits.train, "val": splits.val, "test": splits.test}


def robustness_copies(signals: np.ndarray, test_rows: np.ndarray, snr_db: tuple[float, ...], seed: int,
                      progress: Progress, workers: int | None = 1, sink: SignalSink | None = None) -> dict[float, np.ndarray]:
    """The test split at each SNR, each copy handed to ``sink`` as soon as it is made."""
    copies = {}
    test = signals[test_rows]
    for done, snr in enumerate(snr_db):
        progress("robustness copies", done, len(snr_db))
        copies[snr] = add_noise_snr(test, snr, seed, indices=test_rows, workers=workers)
        (sink or NoSink()).robustness(snr, copies[snr])
    return copies


def windows_of(signals: np.ndarray, fs: float, speed_hz: np.ndarray, window_s: float | None, hop_s: float | None,
               workers: int, progress: Progress) -> Windows | None:
    """The per-window features, when windows are asked for."""
    if window_s is None:
        return None
    length, hop = window_samples(fs, window_s, hop_s, signals.shape[1])
    progress("window features", 0, signals.shape[0])
    return window_features(signals, fs, speed_hz, length, hop, FeatureConfig(), workers or None)


def build_synthetic(request: DatasetGenerationRequested, workers: int, progress: Progress,
                    sink: SignalSink | None = None) -> DatasetArrays:
    """Generate every record, then the 36 features, the splits and the noisy test copies.

    The signals go to ``sink`` (the file writer) as soon as they exist, so their compression overlaps the
    features and the noisy copies; the outputs do not depend on it.
    """
    config = GenerationConfig.model_validate(request.config)
    generated = generate_dataset(config, request.seed, workers or None,
                                 on_progress=lambda done, total: progress("generating", done, total))
    (sink or NoSink()).signals(generated.signals)
    progress("features", 0, len(generated))
    features = compute_features(generated.signals, generated.sample_rate_hz, generated.speed_hz, FeatureConfig(),
                                workers or None)
    splits = split_rows(generated.labels, generated.severity_levels, request.seed, generated.source_indices)
    windows = windows_of(generated.signals, generated.sample_rate_hz, generated.speed_hz, request.window_seconds,
                         request.hop_seconds, workers, progress)
    return DatasetArrays(
        signals=generated.signals,
        labels=generated.labels,
        class_names=generated.class_names,
        sample_rate_hz=generated.sample_rate_hz,
        features=features,
        feature_names=FEATURE_NAMES,
        splits=splits,
        severities=generated.severities,
        severity_levels=generated.severity_levels,
        operating=generated.operating_conditions,
        sources=np.char.add("record-", generated.source_indices.astype(str)),
        robustness=robustness_copies(generated.signals, splits["test"], request.robustness_snr_db, request.seed,
                                     progress, workers or None, sink),
        attrs={"kind": "synthetic", "config": config.canonical_json(), "config_hash": config.config_hash(),
               "seed": request.seed, "name": request.name},
        windows=windows,
    )
