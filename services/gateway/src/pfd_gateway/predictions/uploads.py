"""The signal to predict: an uploaded .npy, .csv or .mat file (at most ``max_upload_bytes``), a browser's data URL
of one, or a JSON array; and a batch's CSV (one signal per row). Files are read by the import's readers
(pfd_shared.recordings), so their errors name the file and the problem; every refusal is an ``InvalidInput``."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import TypeVar

import numpy as np

from pfd_shared.recordings.readers import ImportFileError, read_arrays, read_signal

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.signals.uploads import MIN_SAMPLES, VIEWABLE_SUFFIXES, UploadedSignal, decode

SIGNAL_FIELD, FILE_FIELD, RATE_FIELD, SPEED_FIELD = "signal", "file", "sample_rate_hz", "shaft_speed_hz"
BATCH_SUFFIX = ".csv"
T = TypeVar("T")


def _name(file_name: str | None) -> str:
    return PurePath(file_name or "upload").name


def _checked_file(file_name: str, data: bytes, max_bytes: int, suffixes: Sequence[str]) -> str:
    name = _name(file_name)
    suffix = PurePath(name).suffix.lower()
    if suffix not in suffixes:
        raise InvalidInput(FILE_FIELD, f"{name}: unsupported file type {suffix or '(none)'}; use {', '.join(suffixes)}")
    if not data:
        raise InvalidInput(FILE_FIELD, f"{name}: the file is empty")
    if len(data) > max_bytes:
        raise InvalidInput(FILE_FIELD, f"{name}: {len(data):,} bytes is over the {max_bytes:,}-byte limit")
    return name


def _with_file(name: str, data: bytes, read: Callable[[Path], T]) -> T:
    """``read(path)`` on the bytes written to a temporary file of the same suffix (the readers take paths)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"signal{PurePath(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            return read(path)
        except ImportFileError as exc:
            raise InvalidInput(FILE_FIELD, str(exc)) from exc


def _long_enough(signal: np.ndarray, what: str, field: str) -> np.ndarray:
    if signal.size < MIN_SAMPLES:
        raise InvalidInput(field, f"{what}: {signal.size} samples are too few to predict (at least {MIN_SAMPLES})")
    return signal


def read_file(file_name: str | None, data: bytes, max_bytes: int, variable: str | None = None) -> np.ndarray:
    """One 1-D finite float64 signal out of a .npy, .csv or .mat file's bytes."""
    name = _checked_file(file_name or "upload", data, max_bytes, VIEWABLE_SUFFIXES)
    signal = _with_file(name, data, lambda path: read_signal(path, name, variable or None))
    return _long_enough(signal, name, FILE_FIELD)


def read_data_url(file_name: str | None, contents: str | None, max_bytes: int,
                  variable: str | None = None) -> np.ndarray:
    """The same for a browser upload (``data:<type>;base64,<payload>``, as dcc.Upload gives it)."""
    if not contents:
        raise InvalidInput(FILE_FIELD, "Choose a signal file (.npy, .csv or .mat) first.")
    return read_file(file_name, decode(UploadedSignal(_name(file_name), contents), max_bytes), max_bytes, variable)


def data_url_bytes(file_name: str | None, contents: str | None, max_bytes: int) -> bytes:
    """The bytes of a browser upload (a batch CSV)."""
    if not contents:
        raise InvalidInput(FILE_FIELD, "Choose a CSV of signals (one per row) first.")
    return decode(UploadedSignal(_name(file_name), contents), max_bytes)


def read_values(values: Sequence[object] | None) -> np.ndarray:
    """A JSON array of numbers as a 1-D finite float64 signal (nested lists, strings, NaN and infinities refused)."""
    if not values:
        raise InvalidInput(SIGNAL_FIELD, "The signal is empty.")
    if any(isinstance(value, bool) or not isinstance(value, int | float) for value in values):
        first = next(i for i, v in enumerate(values) if isinstance(v, bool) or not isinstance(v, int | float))
        raise InvalidInput(SIGNAL_FIELD, f"The signal must be a flat array of numbers: item {first} is "
                                         f"{type(values[first]).__name__}.")
    signal = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(signal))
    if bad.size:
        raise InvalidInput(SIGNAL_FIELD, f"The signal contains {bad.size} NaN/infinite value(s), first at sample "
                                         f"{bad[0]}.")
    return _long_enough(signal, "The signal", SIGNAL_FIELD)


def sample_rate(value: float | None) -> float:
    if value is None or not math.isfinite(value) or value <= 0:
        raise InvalidInput(RATE_FIELD, "Give the signal's sample rate in Hz (a positive number).")
    return float(value)


def shaft_speed(value: float | None) -> float | None:
    if value is not None and (not math.isfinite(value) or value <= 0):
        raise InvalidInput(SPEED_FIELD, "The shaft speed (Hz) is a positive number when given.")
    return value


def batch_csv_rows(file_name: str | None, data: bytes, max_bytes: int) -> int:
    """How many signals (rows) a batch CSV holds; refuses other types, oversized, non-numeric, ragged and non-finite
    files and rows shorter than MIN_SAMPLES."""
    name = _checked_file(file_name or "signals.csv", data, max_bytes, (BATCH_SUFFIX,))
    columns = _with_file(name, data, lambda path: read_arrays(path, name))
    if not columns:
        raise InvalidInput(FILE_FIELD, f"{name}: no numeric rows found")
    table = np.column_stack([np.atleast_1d(column) for column in columns.values()])
    bad = np.argwhere(~np.isfinite(table))
    if bad.size:
        raise InvalidInput(FILE_FIELD, f"{name}: row {bad[0][0]} has a missing, NaN or infinite value (column "
                                       f"{bad[0][1]}); every row is one whole signal")
    if table.shape[1] < MIN_SAMPLES:
        raise InvalidInput(FILE_FIELD, f"{name}: rows of {table.shape[1]} samples are too short (at least "
                                       f"{MIN_SAMPLES}; one signal per row)")
    return int(table.shape[0])
