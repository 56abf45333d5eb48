"""Imported data sets: recordings -> common rate -> fixed-length records -> features and splits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from pfd_shared.events.datasets import DatasetImportRequested, ImportFileSpec
from pfd_shared.generation import FeatureConfig

from pfd_shared.recordings.readers import ImportFileError, read_signal
from pfd_shared.signals import cut_records, resample

from pfd_datagen.building import windows_of
from pfd_datagen.domain import FEATURE_NAMES, compute_features, recording_split, time_block_split
from pfd_datagen.domain.speed import estimate_shaft_speed
from pfd_datagen.hdf5_store import DatasetArrays

Progress = Callable[[str, int, int], None]
SPEED_SEARCH_HZ = (5.0, 200.0)


def common_rate(files: tuple[ImportFileSpec, ...], target_hz: float | None) -> float:
    rates = sorted({spec.sample_rate_hz for spec in files})
    if target_hz is not None:
        return target_hz
    if len(rates) > 1:
        listed = ", ".join(f"{r:g} Hz" for r in rates)
        raise ImportFileError(files[0].file_name, f"files have different sample rates ({listed}): choose a target rate")
    return rates[0]


def build_import(request: DatasetImportRequested, paths: dict[str, Path], *, record_seconds: float,
                 max_samples: int, workers: int, progress: Progress) -> DatasetArrays:
    """Read, resample and cut every file; one class per distinct label; features and record-level splits."""
    rate = common_rate(request.files, request.target_sample_rate_hz)
    record_len = int(round((request.record_seconds or record_seconds) * rate))
    class_names = tuple(sorted({spec.label for spec in request.files}))
    records, labels, sources, speeds, recordings = [], [], [], [], []
    total_samples = 0
    for done, spec in enumerate(request.files):
        progress("reading", done, len(request.files))
        signal = resample(read_signal(paths[spec.object_key], spec.file_name, spec.variable), spec.sample_rate_hz, rate)
        total_samples += signal.size
        if total_samples > max_samples:
            raise ImportFileError(spec.file_name, f"the import exceeds {max_samples:,} samples in total")
        cut = cut_records(signal, record_len)
        if cut.shape[0] == 0:
            raise ImportFileError(spec.file_name, f"{signal.size / rate:.3f} s is shorter than one record "
                                                  f"({record_len / rate:g} s)")
        speed = spec.shaft_speed_hz or estimate_shaft_speed(signal, rate, *SPEED_SEARCH_HZ)
        records.append(cut.astype(np.float32))
        labels += [class_names.index(spec.label)] * cut.shape[0]
        sources += [spec.file_name] * cut.shape[0]
        speeds += [speed] * cut.shape[0]
        recordings += [done] * cut.shape[0]
    signals = np.concatenate(records)
    label_array = np.asarray(labels, dtype=np.int64)
    progress("features", 0, signals.shape[0])
    speed_array = np.asarray(speeds)
    features = compute_features(signals, rate, speed_array, FeatureConfig(), workers or None)
    windows = windows_of(signals, rate, speed_array, request.window_seconds, request.hop_seconds, workers, progress)
    return DatasetArrays(
        signals=signals, labels=label_array, class_names=class_names, sample_rate_hz=rate, features=features,
        feature_names=FEATURE_NAMES, splits=import_splits(request, label_array, np.asarray(recordings)),
        operating={"speed_hz": speed_array}, sources=np.asarray(sources), windows=windows,
        attrs={"kind": "imported", "name": request.name, "seed": request.seed, "split_policy": request.split_policy,
               "files": [spec.model_dump(mode="json") for spec in request.files]},
    )


def import_splits(request: DatasetImportRequested, labels: np.ndarray, recordings: np.ndarray) -> dict[str, np.ndarray]:
    """Record rows per split under the request's policy; records of one recording never overlap across splits."""
    if request.split_policy == "recordings":
        try:
            splits = recording_split(labels, recordings, request.seed)
        except ValueError as exc:
            raise ImportFileError(request.files[0].file_name if len(request.files) == 1 else "the import", str(exc)) from exc
    else:
        splits = time_block_split(recordings)
    return {"train": splits.train, "val": splits.val, "test": splits.test}
