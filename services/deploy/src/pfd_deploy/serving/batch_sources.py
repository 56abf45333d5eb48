"""The signals of a batch prediction: every record of a data-set HDF5 object (ranged reads, a chunk of records at
a time, with its true class and split) or every row of an uploaded CSV (one signal per row; the delimiter is the
first of , ; tab space in the first line; as pfd_shared.recordings reads a CSV, a first row whose first field is
not a number is a header; on later rows such a first field names the record)."""

from __future__ import annotations

import codecs
import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Protocol

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_deploy.serving.errors import BatchInputError
from pfd_shared.exploration.arrays import NO_SPLIT
from pfd_shared.exploration.models import SPLIT_NAMES
from pfd_shared.exploration.reading import read_arrays
from pfd_shared.recordings.readers import CSV_SNIFF_BYTES, is_number
from pfd_shared.storage import ObjectNotFound, ObjectStore, StorageError
from pfd_shared.storage.ranged import RangedFile

SIGNALS_PATH = "signals"
TEXT_ENCODING = "utf-8"
DELIMITERS = ",;\t "
DEFAULT_DELIMITER = ","


@dataclass(frozen=True)
class SignalRow:
    """One signal to predict; ``error`` instead of a signal when its row could not be read."""

    record: str
    signal: np.ndarray | None
    true_class: str | None = None
    split: str | None = None
    error: str | None = None


class BatchSource(Protocol):
    total: int
    sample_rate_hz: float
    labelled: bool

    def chunks(self, size: int) -> Iterator[list[SignalRow]]:
        """Blocking: the rows, ``size`` at a time."""
        ...

    def close(self) -> None:
        ...


class DatasetSource:
    """The records of one data-set object (docs/dataset-format.md); opened by ranged GETs, never downloaded."""

    labelled = True

    def __init__(self, store: ObjectStore, key: str, *, block_bytes: int) -> None:
        try:
            self._handle = RangedFile(store, key, block_bytes=block_bytes)
            self._h5 = h5py.File(self._handle, "r")
            arrays = read_arrays(self._h5)
            self.sample_rate_hz = float(self._h5.attrs["sample_rate_hz"])
            self._signals = self._h5[SIGNALS_PATH]
        except ObjectNotFound as exc:
            raise BatchInputError(f"the data set's file {key} does not exist (deleted?)") from exc
        except (StorageError, OSError, KeyError, ValueError) as exc:
            raise BatchInputError(f"the data set's file {key} cannot be read: {exc}") from exc
        names = arrays.class_names
        self._classes = [names[label] if 0 <= label < len(names) else str(label) for label in arrays.labels.tolist()]
        self._splits = [None if s == NO_SPLIT else SPLIT_NAMES[s] for s in arrays.split.tolist()]
        self.total = int(self._signals.shape[0])
        self._key = key

    def chunks(self, size: int) -> Iterator[list[SignalRow]]:
        for start in range(0, self.total, size):
            stop = min(start + size, self.total)
            try:
                block = np.asarray(self._signals[start:stop], dtype=np.float64)
            except (StorageError, OSError) as exc:
                raise BatchInputError(f"records {start}-{stop - 1} of {self._key} cannot be read: {exc}") from exc
            yield [SignalRow(str(start + i), signal, self._classes[start + i], self._splits[start + i])
                   for i, signal in enumerate(block)]

    def close(self) -> None:
        self._h5.close()
        self._handle.close()


def _spool(store: ObjectStore, key: str, memory_bytes: int) -> IO[str]:
    """The object as text in a spooled temporary file (memory up to ``memory_bytes``, then disk)."""
    text = tempfile.SpooledTemporaryFile(max_size=memory_bytes, mode="w+", newline="", encoding=TEXT_ENCODING)
    decoder = codecs.getincrementaldecoder(TEXT_ENCODING)()
    try:
        for chunk in store.iter_chunks(key):
            text.write(decoder.decode(chunk))
        text.write(decoder.decode(b"", final=True))
    except ObjectNotFound as exc:
        text.close()
        raise BatchInputError(f"the uploaded CSV {key} does not exist (deleted?)") from exc
    except StorageError as exc:
        text.close()
        raise BatchInputError(f"the uploaded CSV {key} cannot be read: {exc}") from exc
    except UnicodeDecodeError as exc:
        text.close()
        raise BatchInputError(f"the uploaded CSV {key} is not UTF-8 text: {exc}") from exc
    text.seek(0)
    return text


def _delimiter(sample: str) -> str:
    """The first of DELIMITERS in the first line (numbers never contain one), else a comma."""
    line = sample.lstrip("\r\n").splitlines()[0] if sample.strip() else ""
    return next((d for d in DELIMITERS if d in line.strip()), DEFAULT_DELIMITER)


def _fields(row: list[str]) -> list[str]:
    fields = [field.strip() for field in row]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def parse_row(fields: list[str], number: int) -> SignalRow:
    """Row ``number`` (1-based, after any header) as a signal; a non-numeric first field is its record name."""
    name, values = (fields[0], fields[1:]) if fields and not is_number(fields[0]) else (str(number), fields)
    try:
        signal = np.asarray([float(value) for value in values], dtype=np.float64)
    except ValueError:
        bad = next(i for i, value in enumerate(values) if not is_number(value))
        return SignalRow(name, None, error=f"value {bad + 1} of the row ({values[bad]!r}) is not a number")
    return SignalRow(name, signal)


class CsvSource:
    """The rows of an uploaded CSV, one signal per row at ``sample_rate_hz``."""

    labelled = False

    def __init__(self, store: ObjectStore, key: str, *, sample_rate_hz: float, memory_bytes: int) -> None:
        self.sample_rate_hz = sample_rate_hz
        self._text = _spool(store, key, memory_bytes)
        self._delimiter = _delimiter(self._text.read(CSV_SNIFF_BYTES))
        first, count = None, 0
        try:
            for fields in self._nonblank():
                first = fields if first is None else first
                count += 1
        except csv.Error as exc:
            self._text.close()
            raise BatchInputError(f"the uploaded CSV {key} is not valid CSV: {exc}") from exc
        self._header = first is not None and not is_number(first[0])
        self.total = count - int(self._header)
        if self.total == 0:
            self._text.close()
            raise BatchInputError(f"the uploaded CSV {key} holds no signal (one signal per row)")

    def _nonblank(self) -> Iterator[list[str]]:
        self._text.seek(0)
        return (fields for fields in map(_fields, csv.reader(self._text, delimiter=self._delimiter)) if fields)

    def _rows(self) -> Iterator[SignalRow]:
        rows = self._nonblank()
        if self._header:
            next(rows)
        for number, fields in enumerate(rows, start=1):
            yield parse_row(fields, number)

    def chunks(self, size: int) -> Iterator[list[SignalRow]]:
        chunk: list[SignalRow] = []
        for row in self._rows():
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def close(self) -> None:
        self._text.close()
