"""What an uploaded recording holds, read from headers only: variables with shape, length and dtype, and the
sample rate and shaft speed where the file carries them (an ``fs``-like variable, a time column, an ``...RPM``
variable, a rate in the file name such as ``12k`` or ``48kHz``)."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

import h5py
import numpy as np
import scipy.io

from pfd_shared.recordings.readers import CSV_SNIFF_BYTES, SUPPORTED_SUFFIXES, ImportFileError, is_number

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
MAT73_HEADER_BYTES = 512  # MATLAB v7.3 files are HDF5 with a 512-byte user block
SCALAR_MAX_ELEMENTS = 4  # variables this small are read to find a sample rate or speed
SECONDS_PER_MINUTE = 60.0
RATE_NAMES = re.compile(r"^(fs|fsamp|sr|srate|sample_?rate|sampling_?rate|sampling_?freq(uency)?|sample_?freq(uency)?)"
                        r"(_?hz)?$", re.IGNORECASE)
SPEED_RPM_NAMES = re.compile(r"(^|_)?rpm$", re.IGNORECASE)
TIME_NAMES = re.compile(r"^(t|time|times|time_?s|seconds|timestamp)$", re.IGNORECASE)
RATE_IN_NAME = re.compile(r"(?<![0-9.])(\d+(?:\.\d+)?)\s*(k|khz|hz)(?![a-z])", re.IGNORECASE)
CSV_ROWS_PROBED = 5
COUNT_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class VariableInfo:
    """One numeric variable (MAT variable, NPZ array, CSV column)."""

    name: str
    shape: tuple[int, ...]
    length: int
    dtype: str
    value: float | None = None  # the number of a scalar (a stored rate or speed)


@dataclass(frozen=True)
class FileInspection:
    """The variables of one file and what was detected; ``suggested_variable`` is the single longest signal."""

    file_name: str
    variables: tuple[VariableInfo, ...]
    suggested_variable: str | None = None
    sample_rate_hz: float | None = None
    sample_rate_source: str | None = None
    shaft_speed_hz: float | None = None
    shaft_speed_source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _info(name: str, shape: tuple[int, ...], dtype: Any, value: float | None = None) -> VariableInfo:
    shape = tuple(int(d) for d in shape)
    return VariableInfo(name, shape, int(np.prod(shape)) if shape else 1, np.dtype(dtype).name, value)


def _scalar(array: Any) -> float | None:
    values = np.asarray(array).ravel()
    return float(values[0]) if values.size == 1 and values.dtype.kind in "fiu" else None


def _is_hdf5(handle: BinaryIO) -> bool:
    for offset in (0, MAT73_HEADER_BYTES):
        handle.seek(offset)
        if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
            return True
    return False


def _mat73(handle: BinaryIO) -> list[VariableInfo]:
    found: list[VariableInfo] = []
    with h5py.File(handle, "r") as h5:
        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" and obj.size > 0:
                shape = tuple(reversed(obj.shape))  # MATLAB stores column-major
                value = _scalar(obj[()]) if obj.size <= SCALAR_MAX_ELEMENTS else None
                found.append(_info(name, shape, obj.dtype, value))
        h5.visititems(visit)
    return found


MAT_DTYPES = {"double": "float64", "single": "float32", "int8": "int8", "uint8": "uint8", "int16": "int16",
              "uint16": "uint16", "int32": "int32", "uint32": "uint32", "int64": "int64", "uint64": "uint64"}


def _mat(handle: BinaryIO, file_name: str) -> list[VariableInfo]:
    if _is_hdf5(handle):
        handle.seek(0)
        return _mat73(handle)
    handle.seek(0)
    try:
        listed = [(name, shape, kind) for name, shape, kind in scipy.io.whosmat(handle) if kind in MAT_DTYPES]
        small = [name for name, shape, _ in listed if 0 < int(np.prod(shape)) <= SCALAR_MAX_ELEMENTS]
        handle.seek(0)
        values = scipy.io.loadmat(handle, variable_names=small) if small else {}
    except (ValueError, OSError, TypeError, NotImplementedError) as exc:
        raise ImportFileError(file_name, f"not a readable MATLAB file ({exc})") from exc
    return [_info(name, shape, MAT_DTYPES[kind], _scalar(values[name]) if name in values else None)
            for name, shape, kind in listed if int(np.prod(shape)) > 0]


def _npy_header(handle: BinaryIO) -> tuple[tuple[int, ...], np.dtype[Any]]:
    version = np.lib.format.read_magic(handle)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = reader(handle)
    return shape, dtype


def _numpy(handle: BinaryIO, file_name: str, suffix: str) -> list[VariableInfo]:
    try:
        if suffix == ".npy":
            shape, dtype = _npy_header(handle)
            return [_info("array", shape, dtype)] if dtype.kind in "fiu" else []
        found = []
        with zipfile.ZipFile(handle) as archive:
            for member in archive.namelist():
                with archive.open(member) as entry:
                    shape, dtype = _npy_header(entry)  # type: ignore[arg-type]
                    value = _scalar(np.load(archive.open(member))) if 0 < np.prod(shape) <= SCALAR_MAX_ELEMENTS else None
                if dtype.kind in "fiu":
                    found.append(_info(member.removesuffix(".npy"), shape, dtype, value))
        return found
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ImportFileError(file_name, f"not a readable NumPy file ({exc})") from exc


def _csv(handle: BinaryIO, file_name: str) -> tuple[list[VariableInfo], float | None]:
    """Columns with their row count (lines counted, not parsed) and the spacing of a time column, if any."""
    sample = handle.read(CSV_SNIFF_BYTES).decode("utf-8", errors="replace")
    if not sample.strip():
        raise ImportFileError(file_name, "the file is empty")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t ").delimiter
    except csv.Error:
        delimiter = ","
    lines = [line for line in sample.splitlines() if line.strip()]
    first = [cell.strip() for cell in lines[0].split(delimiter)]
    has_header = not all(is_number(cell) for cell in first)
    names = first if has_header else [f"column_{i}" for i in range(len(first))]
    probe = [line.split(delimiter) for line in lines[1 if has_header else 0:][:CSV_ROWS_PROBED]]
    if not probe or not all(is_number(cell) for row in probe for cell in row):
        raise ImportFileError(file_name, "not a numeric CSV (the first rows hold text)")
    handle.seek(0)
    newlines, last = 0, b""
    while chunk := handle.read(COUNT_CHUNK_BYTES):
        newlines, last = newlines + chunk.count(b"\n"), chunk[-1:]
    rows = newlines + (1 if last not in (b"\n", b"") else 0) - (1 if has_header else 0)
    variables = [_info(name, (rows,), np.float64) for name in names]
    spacing = None
    for index, name in enumerate(names):
        if TIME_NAMES.match(name) and len(probe) > 1:
            steps = np.diff([float(row[index]) for row in probe])
            if np.all(steps > 0) and np.allclose(steps, steps[0], rtol=1e-3):
                spacing = float(steps[0])
    return variables, spacing


def inspect_stream(handle: BinaryIO, file_name: str) -> FileInspection:
    """Inspect an uploaded file (seekable binary stream) by its headers; errors name the file."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(file_name, f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    handle.seek(0)
    if not handle.read(1):
        raise ImportFileError(file_name, "the file is empty")
    handle.seek(0)
    spacing = None
    if suffix == ".mat":
        variables = _mat(handle, file_name)
    elif suffix == ".csv":
        variables, spacing = _csv(handle, file_name)
    else:
        variables = _numpy(handle, file_name, suffix)
    if not variables:
        raise ImportFileError(file_name, "no numeric variable found")
    return detect(file_name, variables, spacing)


def detect(file_name: str, variables: list[VariableInfo], time_step_s: float | None = None) -> FileInspection:
    """Suggested signal, sample rate and shaft speed from the variables (and the file name, least trusted)."""
    signals = sorted((v for v in variables if v.length > SCALAR_MAX_ELEMENTS and not TIME_NAMES.match(v.name)),
                     key=lambda v: -v.length)
    suggested = signals[0].name if len(signals) == 1 or (signals and signals[0].length > signals[1].length) else None
    rate = source = None
    for variable in variables:
        if variable.value and variable.value > 0 and RATE_NAMES.match(PurePath(variable.name).name):
            rate, source = variable.value, f"variable {variable.name}"
            break
    if rate is None and time_step_s:
        rate, source = 1.0 / time_step_s, "the time column"
    if rate is None and (match := RATE_IN_NAME.search(PurePath(file_name).stem.replace("_", " "))):
        scale = 1.0 if match.group(2).lower() == "hz" else 1000.0
        rate, source = float(match.group(1)) * scale, "the file name (check it)"
    speed = speed_source = None
    for variable in variables:
        if variable.value and variable.value > 0 and SPEED_RPM_NAMES.search(PurePath(variable.name).name):
            speed, speed_source = variable.value / SECONDS_PER_MINUTE, f"variable {variable.name} (rpm)"
            break
    notes = () if suggested or not signals else (f"{len(signals)} signals of similar length: choose one",)
    return FileInspection(file_name, tuple(variables), suggested, rate, source, speed, speed_source, notes)
