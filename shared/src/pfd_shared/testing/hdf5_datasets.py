"""Small data-set HDF5 files in the documented format (docs/dataset-format.md), for tests and benchmarks.

Signals are chunked by whole records and Blosc2-compressed like data-gen writes them (h5py and hdf5plugin are
imported here only, so services that never read HDF5 do not need them).
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

TEST_FEATURE_NAMES = (
    "rms", "kurtosis", "skewness", "crest_factor", "shape_factor", "impulse_factor", "clearance_factor",
    "dominant_freq", "spectral_centroid", "spectral_entropy", "band_energy_0_500", "band_energy_500_2k",
    "band_energy_2k_5k", "band_energy_5k_10k", "total_spectral_power", "spectral_std", "harmonic_2x_1x",
    "harmonic_3x_1x", "spectral_peakiness", "envelope_rms", "envelope_kurtosis", "envelope_peak",
    "modulation_freq", "wavelet_energy_ratio", "wavelet_kurtosis", "d1_energy", "d3_energy", "d5_energy",
    "cepstral_peak_ratio", "quefrency_centroid", "bispectrum_peak", "bispectrum_mean", "bispectrum_entropy",
    "phase_coupling", "nonlinearity_index", "bispectrum_peak_ratio",
)  # fmt: skip
TEST_CLASSES = ("healthy", "outer_race")
SHAFT_HZ = 29.95
ROLLING_GEOMETRY = {"n_balls": 9, "ball_diameter": 0.3126, "pitch_diameter": 1.537, "contact_angle_deg": 0.0}
RECORDS_PER_CHUNK = 1


def sample_signals(records: int, samples: int, sample_rate_hz: float, seed: int = 0) -> np.ndarray:
    """Shaft tone plus noise, record ``i`` scaled by ``1 + i`` (so records are told apart)."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / sample_rate_hz
    tone = np.sin(2 * np.pi * SHAFT_HZ * t)
    return np.stack([(1 + i) * tone + 0.1 * rng.standard_normal(samples) for i in range(records)]).astype(np.float32)


def dataset_file_bytes(signals: np.ndarray, sample_rate_hz: float, *, rolling: bool = True,
                       name: str = "test set") -> bytes:
    """The bytes of one data-set file holding ``signals`` (labels alternate, features are row numbers)."""
    import h5py
    import hdf5plugin

    records = signals.shape[0]
    config: dict[str, Any] = {"bearing": "rolling", "rolling": ROLLING_GEOMETRY} if rolling else {"bearing": "journal"}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.attrs.update({"pfd_format_version": 1, "sample_rate_hz": sample_rate_hz, "kind": "synthetic",
                         "class_names": json.dumps(list(TEST_CLASSES)), "name": name, "config": json.dumps(config)})
        h5.create_dataset("signals", data=signals.astype(np.float32), chunks=(RECORDS_PER_CHUNK, signals.shape[1]),
                          **hdf5plugin.Blosc2(cname="zstd", clevel=1, filters=hdf5plugin.Blosc2.SHUFFLE))
        h5.create_dataset("labels", data=(np.arange(records) % len(TEST_CLASSES)).astype(np.int16))
        features = np.repeat(np.arange(records, dtype=np.float32)[:, None], len(TEST_FEATURE_NAMES), axis=1)
        h5.create_dataset("features", data=features)
        h5["features"].attrs["names"] = json.dumps(list(TEST_FEATURE_NAMES))
        h5.create_group("operating").create_dataset("speed_hz", data=np.full(records, SHAFT_HZ, dtype=np.float32))
    return buffer.getvalue()


TRAINING_SPLITS = {"train": 0.7, "val": 0.15}
IMPULSE_EVERY = 97  # samples between the fault class's impulses


def training_dataset_bytes(records_per_class: int, samples: int, sample_rate_hz: float, *, seed: int = 0,
                           snr_db: tuple[float, ...] = ()) -> bytes:
    """A small trainable data-set file: ``healthy`` (shaft tone plus noise) and ``outer_race`` (the same with
    periodic impulses), record-level splits (70/15/15 per class) and optional noisy test copies."""
    import h5py
    import hdf5plugin

    rng = np.random.default_rng(seed)
    t = np.arange(samples) / sample_rate_hz
    impulses = np.zeros(samples)
    impulses[::IMPULSE_EVERY] = 4.0
    rows = []
    for label in range(len(TEST_CLASSES)):
        for _ in range(records_per_class):
            base = np.sin(2 * np.pi * SHAFT_HZ * t + rng.uniform(0, 2 * np.pi)) + 0.3 * rng.standard_normal(samples)
            rows.append((base + label * np.roll(impulses, int(rng.integers(IMPULSE_EVERY)))).astype(np.float32))
    signals = np.stack(rows)
    labels = np.repeat(np.arange(len(TEST_CLASSES)), records_per_class).astype(np.int16)
    n_train = max(1, round(records_per_class * TRAINING_SPLITS["train"]))
    n_val = max(1, round(records_per_class * TRAINING_SPLITS["val"]))
    splits: dict[str, list[int]] = {"train": [], "val": [], "test": []}
    for label in range(len(TEST_CLASSES)):
        order = label * records_per_class + rng.permutation(records_per_class)
        splits["train"] += order[:n_train].tolist()
        splits["val"] += order[n_train:n_train + n_val].tolist()
        splits["test"] += order[n_train + n_val:].tolist()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.attrs.update({"pfd_format_version": 1, "sample_rate_hz": sample_rate_hz, "kind": "synthetic",
                         "class_names": json.dumps(list(TEST_CLASSES)), "name": "trainable test set", "seed": seed})
        blosc = hdf5plugin.Blosc2(cname="zstd", clevel=1, filters=hdf5plugin.Blosc2.SHUFFLE)
        h5.create_dataset("signals", data=signals, chunks=(RECORDS_PER_CHUNK, samples), **blosc)
        h5.create_dataset("labels", data=labels)
        features = np.stack([signals.std(axis=1), np.abs(signals).max(axis=1)] + [signals.mean(axis=1)] * (
            len(TEST_FEATURE_NAMES) - 2), axis=1).astype(np.float32)
        h5.create_dataset("features", data=features)
        h5["features"].attrs["names"] = json.dumps(list(TEST_FEATURE_NAMES))
        group = h5.create_group("splits")
        for name, members in splits.items():
            group.create_dataset(name, data=np.asarray(sorted(members), dtype=np.int32))
        robustness = h5.create_group("robustness")
        test = signals[np.asarray(sorted(splits["test"]), dtype=np.int64)]
        for snr in snr_db:
            noise = rng.standard_normal(test.shape) * np.sqrt((test**2).mean(axis=1, keepdims=True) / 10 ** (snr / 10))
            copy = robustness.create_group(f"snr_{snr:g}db")
            copy.attrs["snr_db"] = snr
            copy.create_dataset("signals", data=(test + noise).astype(np.float32), chunks=(RECORDS_PER_CHUNK, samples),
                                **blosc)
    return buffer.getvalue()


EXPLORER_CLASSES = ("healthy", "unbalance", "misalignment")
EXPLORER_LEVELS = ("nominal", "mild", "severe")


def explorer_file_bytes(records: int, *, samples: int = 64, seed: int = 0, imported: bool = False) -> bytes:
    """A data-set file with every small array the explorer reads: labels cycling over ``EXPLORER_CLASSES``,
    severities and levels (not for imports), speed/load/temperature, 70/15/15 splits, sources; feature ``rms``
    grows with the class (so it ranks first), the other features are noise."""
    import h5py
    import hdf5plugin

    rng = np.random.default_rng(seed)
    labels = (np.arange(records) % len(EXPLORER_CLASSES)).astype(np.int16)
    features = rng.standard_normal((records, len(TEST_FEATURE_NAMES))).astype(np.float32)
    features[:, 0] = labels * 3.0 + 0.1 * rng.standard_normal(records)
    order = rng.permutation(records)
    cut_train, cut_val = int(0.7 * records), int(0.85 * records)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        h5.attrs.update({"pfd_format_version": 1, "sample_rate_hz": 1000.0,
                         "kind": "imported" if imported else "synthetic", "name": "explorer set",
                         "class_names": json.dumps(list(EXPLORER_CLASSES))})
        h5.create_dataset("signals", data=rng.standard_normal((records, samples)).astype(np.float32),
                          chunks=(RECORDS_PER_CHUNK, samples),
                          **hdf5plugin.Blosc2(cname="zstd", clevel=1, filters=hdf5plugin.Blosc2.SHUFFLE))
        h5.create_dataset("labels", data=labels)
        h5.create_dataset("features", data=features)
        h5["features"].attrs["names"] = json.dumps(list(TEST_FEATURE_NAMES))
        if not imported:
            levels = np.asarray([EXPLORER_LEVELS[0] if label == 0 else EXPLORER_LEVELS[1 + i % 2]
                                 for i, label in enumerate(labels)])
            h5.create_dataset("severities", data=np.where(labels == 0, 0.0, 0.3 + 0.1 * (np.arange(records) % 5))
                              .astype(np.float32))
            h5.create_dataset("severity_levels", data=levels.astype("S16"))
        operating = h5.create_group("operating")
        operating.create_dataset("speed_hz", data=(20.0 + np.arange(records) % 10).astype(np.float32))
        operating.create_dataset("load", data=(np.arange(records) % 4 / 4).astype(np.float32))
        operating.create_dataset("temperature_c", data=(40.0 + np.arange(records) % 7).astype(np.float32))
        h5.create_dataset("sources", data=np.asarray([f"file{i % 4}.mat" for i in range(records)]).astype("S200"))
        splits = h5.create_group("splits")
        for name, rows in (("train", order[:cut_train]), ("val", order[cut_train:cut_val]), ("test", order[cut_val:])):
            splits.create_dataset(name, data=np.sort(rows).astype(np.int32))
    return buffer.getvalue()
