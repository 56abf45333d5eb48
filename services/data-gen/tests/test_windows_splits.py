"""Windows inside records (length, hop) with their features; import splits that keep recordings apart in time."""

import io
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401 - Blosc2 filter
import numpy as np
import pytest

from pfd_shared.events.datasets import DatasetGenerationRequested, DatasetImportRequested, ImportFileSpec

from pfd_datagen.artefacts import build_and_store, store_arrays
from pfd_datagen.building import build_synthetic, cache_key
from pfd_datagen.domain import compute_features, recording_split, time_block_split, window_features
from pfd_datagen.importing.pipeline import build_import
from pfd_shared.storage import InMemoryObjectStore

FS = 2048.0
TINY = {"record": {"duration_s": 0.5}, "dataset": {"classes": [0, 3], "records_per_class": 6},
        "augmentation": {"fraction": 0.5}}


def test_windows_follow_length_and_hop_and_match_direct_features() -> None:
    x = np.random.default_rng(0).standard_normal((3, 4096))
    table = window_features(x, FS, 30.0, length=1024, hop=512)
    assert table.features.shape == (3 * 7, 36)
    assert table.record.tolist() == [0] * 7 + [1] * 7 + [2] * 7 and table.start[:7].tolist() == list(range(0, 3584, 512))
    direct = compute_features(x[1:2, 1536:2560], FS, 30.0)
    np.testing.assert_allclose(table.features[7 + 3], direct[0], rtol=1e-4)  # float32 bispectrum


def test_time_blocks_keep_each_recording_in_time_order_and_never_interleave() -> None:
    recordings = np.repeat([0, 1, 2], [20, 10, 3])
    splits = time_block_split(recordings)
    for recording in range(3):
        rows = np.flatnonzero(recordings == recording)
        train, val, test = (np.intersect1d(rows, part) for part in (splits.train, splits.val, splits.test))
        assert train.size and val.size and test.size
        assert train.max() < val.min() <= val.max() < test.min()  # consecutive blocks
    assert np.array_equal(np.sort(np.concatenate([splits.train, splits.val, splits.test])), np.arange(33))


def test_whole_recordings_per_split_and_a_clear_refusal_when_too_few() -> None:
    labels = np.repeat([0, 0, 0, 1, 1, 1], 4)
    recordings = np.repeat(np.arange(6), 4)
    splits = recording_split(labels, recordings, seed=1)
    for a, b in ((splits.train, splits.val), (splits.train, splits.test), (splits.val, splits.test)):
        assert not set(recordings[a]) & set(recordings[b])
    with pytest.raises(ValueError, match="at least 3 recordings of label"):
        recording_split(np.repeat([0, 1], 4), np.repeat([0, 1], 4), seed=1)


def _npy_file(tmp_path: Path, name: str, array: np.ndarray) -> Path:
    path = tmp_path / name
    np.save(path, array)
    return path


@pytest.mark.parametrize("policy", ["time_blocks", "recordings"])
def test_import_with_windows_stores_window_features_and_separates_recordings(tmp_path, policy) -> None:
    rng = np.random.default_rng(2)
    files, paths = [], {}
    for index in range(6):
        key = f"k{index}"
        paths[key] = _npy_file(tmp_path, f"{index}.npy", rng.standard_normal(int(FS * 4)))
        files.append(ImportFileSpec(object_key=key, file_name=f"rec{index}.npy", label="ab"[index % 2],
                                    sample_rate_hz=FS, shaft_speed_hz=25.0))
    request = DatasetImportRequested(dataset_id="w", name="w", files=tuple(files), record_seconds=1.0,
                                     window_seconds=0.5, hop_seconds=0.25, split_policy=policy)
    arrays = build_import(request, paths, record_seconds=1.0, max_samples=10**8, workers=1,
                          progress=lambda *a: None)
    assert arrays.windows is not None and arrays.windows.features.shape == (24 * 3, 36)
    sources = np.asarray(arrays.sources)
    split_of = {}
    for name, rows in arrays.splits.items():
        for row in rows:
            split_of[row] = name
    assert len(split_of) == 24
    if policy == "recordings":
        for source in set(sources):
            assert len({split_of[row] for row in np.flatnonzero(sources == source)}) == 1
    else:
        for source in set(sources):  # train, val, test follow each other in time inside every recording
            order = [split_of[row] for row in np.flatnonzero(sources == source)]
            assert order == sorted(order, key=["train", "val", "test"].index)
    info = store_arrays(arrays, "d.h5", store := InMemoryObjectStore(), tmp_path, "blosc2-zstd", lambda *a: None)
    (tmp_path / "d.h5").write_bytes(store.get_bytes(info.key))
    with h5py.File(tmp_path / "d.h5") as h5:
        assert h5["windows"].attrs["length_samples"] == 1024 and h5["windows"].attrs["hop_samples"] == 512
        assert h5["windows/features"].shape == (72, 36) and h5["windows/record"][:3].tolist() == [0, 0, 0]
        assert h5.attrs["split_policy"] == policy


def _file_contents(path: Path) -> dict[str, bytes]:
    out = {}
    with h5py.File(path) as h5:
        h5.visititems(lambda name, obj: out.__setitem__(name, obj[()].tobytes())
                      if isinstance(obj, h5py.Dataset) else None)
        out |= {f"@{key}": str(value).encode() for key, value in h5.attrs.items()}
    return out


def test_pipelined_writing_stores_exactly_what_the_plain_writer_stores(tmp_path) -> None:
    request = DatasetGenerationRequested(dataset_id="p", name="p", config=TINY, seed=4, robustness_snr_db=(20.0, 5.0))
    store = InMemoryObjectStore()
    arrays, streamed = build_and_store(lambda sink: build_synthetic(request, 2, lambda *a: None, sink), "a.h5",
                                       store, tmp_path, "blosc2-zstd", lambda *a: None)
    plain = store_arrays(build_synthetic(request, 1, lambda *a: None), "b.h5", store, tmp_path, "blosc2-zstd",
                         lambda *a: None)
    for info, name in ((streamed, "a.h5"), (plain, "b.h5")):
        (tmp_path / name).write_bytes(store.get_bytes(info.key))
    first, second = _file_contents(tmp_path / "a.h5"), _file_contents(tmp_path / "b.h5")
    assert first == second and "robustness/snr_5db/signals" in first and "windows/features" not in first


def test_window_features_of_generated_sets_are_optional_and_part_of_the_cache_key() -> None:
    plain = DatasetGenerationRequested(dataset_id="a", name="a", config=TINY)
    windowed = DatasetGenerationRequested(dataset_id="a", name="a", config=TINY, window_seconds=0.25)
    assert cache_key(plain) != cache_key(windowed)
    arrays = build_synthetic(windowed, 1, lambda *a: None)
    per_record = int(0.5 / 0.25)
    assert arrays.windows.features.shape == (arrays.signals.shape[0] * per_record, 36)
