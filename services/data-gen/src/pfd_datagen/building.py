"""Synthetic data sets: config -> signals, features, splits and robustness copies (CPU work, run in a thread)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import numpy as np

from pfd_shared.events.datasets import DatasetGenerationRequested
from pfd_shared.generation import FeatureConfig, GenerationConfig

from pfd_datagen.domain import FEATURE_NAMES, add_noise_snr, compute_features, generate_dataset, stratified_split
from pfd_datagen.hdf5_store import DatasetArrays

Progress = Callable[[str, int, int], None]


def cache_key(request: DatasetGenerationRequested) -> str:
    """Identical config, seed and robustness copies give the identical data set."""
    config = GenerationConfig.model_validate(request.config)
    extra = json.dumps({"seed": request.seed, "snr": list(request.robustness_snr_db)}, sort_keys=True)
    return hashlib.sha256(f"{config.config_hash()}|{extra}".encode()).hexdigest()


def split_rows(labels: np.ndarray, strata: np.ndarray, seed: int, groups: np.ndarray | None) -> dict[str, np.ndarray]:
    splits = stratified_split(labels, strata, seed, groups)
    return {"train": splits.train, "val": splits.val, "test": splits.test}


def robustness_copies(signals: np.ndarray, test_rows: np.ndarray, snr_db: tuple[float, ...], seed: int,
                      progress: Progress) -> dict[float, np.ndarray]:
    copies = {}
    for done, snr in enumerate(snr_db):
        progress("robustness copies", done, len(snr_db))
        copies[snr] = add_noise_snr(signals[test_rows], snr, seed, indices=test_rows)
    return copies


def build_synthetic(request: DatasetGenerationRequested, workers: int, progress: Progress) -> DatasetArrays:
    """Generate every record, then the 36 features, the splits and the noisy test copies."""
    config = GenerationConfig.model_validate(request.config)
    generated = generate_dataset(config, request.seed, workers or None,
                                 on_progress=lambda done, total: progress("generating", done, total))
    progress("features", 0, len(generated))
    features = compute_features(generated.signals, generated.sample_rate_hz, generated.speed_hz, FeatureConfig(),
                                workers or None)
    splits = split_rows(generated.labels, generated.severity_levels, request.seed, generated.source_indices)
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
                                     progress),
        attrs={"kind": "synthetic", "config": config.canonical_json(), "config_hash": config.config_hash(),
               "seed": request.seed, "name": request.name},
    )
