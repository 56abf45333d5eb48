"""The data-set file written on its own thread while the build keeps computing (compression overlaps work)."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import h5py
import numpy as np

from pfd_datagen.hdf5_store import (
    Compression,
    DatasetArrays,
    robustness_attrs,
    robustness_name,
    write_signals,
    write_tables,
)

Job = Callable[[h5py.File], None]
QUEUED_ARRAYS = 4  # signal arrays waiting for the writer at most (bounds the memory held twice)


class SignalSink(Protocol):
    """Where a build hands signal arrays as soon as they are final."""

    def signals(self, data: np.ndarray) -> None: ...

    def robustness(self, snr_db: float, data: np.ndarray) -> None: ...


class NoSink:
    """A build without early writing (the whole file is written from the finished arrays)."""

    def signals(self, data: np.ndarray) -> None:
        return None

    def robustness(self, snr_db: float, data: np.ndarray) -> None:
        return None


class BackgroundFileWriter:
    """One HDF5 file filled by a writer thread: ``signals``/``robustness`` queue arrays, ``finish`` the rest.

    h5py releases the GIL while HDF5 compresses, so the Blosc2 work runs beside the caller's numpy work.
    The first error of the writer thread is raised by the next call; the file is closed either way.
    """

    def __init__(self, path: Path, compression: Compression, gzip_level: int = 1) -> None:
        self.path, self.compression, self.gzip_level = path, compression, gzip_level
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=QUEUED_ARRAYS)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pfd-h5-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with h5py.File(self.path, "w") as h5:
                while (job := self._jobs.get()) is not None:
                    if self._error is None:
                        job(h5)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller thread by _check
            self._error = exc
            while self._jobs.get() is not None:  # drain, so a producer never blocks on a dead writer
                pass

    def _submit(self, job: Job) -> None:
        self._check()
        self._jobs.put(job)

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def signals(self, data: np.ndarray) -> None:
        self._submit(lambda h5: write_signals(h5, "signals", data, self.compression, self.gzip_level))

    def robustness(self, snr_db: float, data: np.ndarray) -> None:
        self._submit(lambda h5: write_signals(h5, robustness_name(snr_db), data, self.compression, self.gzip_level,
                                              robustness_attrs(snr_db)))

    def finish(self, arrays: DatasetArrays) -> None:
        """Write everything not written yet, close the file and wait for the thread."""
        self._submit(lambda h5: write_tables(h5, arrays, self.compression, self.gzip_level))
        self.close()
        self._check()

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()

    def __enter__(self) -> BackgroundFileWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> Any:
        self.close()
        return None
