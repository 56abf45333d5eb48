"""Moving data-set files between local temp space and the object store (blocking; run in a thread)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pfd_shared.events.datasets import ImportFileSpec
from pfd_shared.storage import ObjectInfo, ObjectStore

from pfd_datagen.file_writer import BackgroundFileWriter, SignalSink
from pfd_datagen.hdf5_store import Compression, DatasetArrays
from pfd_shared.recordings.readers import ImportFileError

DATASET_FILE = "dataset.h5"
HDF5_CONTENT_TYPE = "application/x-hdf5"


Build = Callable[[SignalSink], DatasetArrays]


def build_and_store(build: Build, object_key: str, store: ObjectStore, work_dir: Path, compression: Compression,
                    progress: Callable[[str, int, int], None]) -> tuple[DatasetArrays, ObjectInfo]:
    """Run ``build`` while a writer thread fills the HDF5 file in local temp space with the signals it hands over,
    write the rest, stream the file to the object store and remove it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        path = Path(tmp) / DATASET_FILE
        with BackgroundFileWriter(path, compression) as writer:
            arrays = build(writer)
            progress("writing", 0, 1)
            writer.finish(arrays)
        progress("uploading", 0, 1)
        with open(path, "rb") as handle:
            info = store.put_stream(object_key, handle, content_type=HDF5_CONTENT_TYPE, length=path.stat().st_size)
    return arrays, info


def store_arrays(arrays: DatasetArrays, object_key: str, store: ObjectStore, work_dir: Path,
                 compression: Compression, progress: Callable[[str, int, int], None]) -> ObjectInfo:
    """Write finished arrays as the HDF5 file, stream it to the object store, remove the temp file."""
    return build_and_store(lambda _: arrays, object_key, store, work_dir, compression, progress)[1]


def summary_of(arrays: DatasetArrays) -> dict[str, Any]:
    """What the catalogue and the DatasetReady event say about a data set."""
    return {
        "records": int(arrays.signals.shape[0]),
        "samples_per_record": int(arrays.signals.shape[1]),
        "sample_rate_hz": float(arrays.sample_rate_hz),
        "class_names": list(arrays.class_names),
        "class_counts": list(arrays.class_counts()),
        "feature_names": list(arrays.feature_names),
        "split_counts": {name: int(rows.size) for name, rows in arrays.splits.items()},
    }


def download_uploads(files: tuple[ImportFileSpec, ...], store: ObjectStore, directory: Path,
                     max_bytes: int) -> dict[str, Path]:
    """Stream every uploaded file to ``directory``; refuses missing and oversized ones by name."""
    paths = {}
    for index, spec in enumerate(files):
        if not store.exists(spec.object_key):
            raise ImportFileError(spec.file_name, "the upload is missing from the object store")
        size = store.stat(spec.object_key).size
        if size > max_bytes:
            raise ImportFileError(spec.file_name, f"{size:,} bytes is over the {max_bytes:,}-byte limit")
        path = directory / f"{index}{Path(spec.file_name).suffix.lower()}"
        with open(path, "wb") as handle:
            for chunk in store.iter_chunks(spec.object_key):
                handle.write(chunk)
        paths[spec.object_key] = path
    return paths


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
