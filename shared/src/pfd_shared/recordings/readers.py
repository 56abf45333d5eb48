"""Read one recording (a 1-D signal) out of .mat (v4/v5 and v7.3), .csv, .npy or .npz files (whole arrays; the
header-only listing of a file is ``inspection``)."""

from __future__ import annotations

import csv
from pathlib import Path

import h5py
import numpy as np
import scipy.io

SUPPORTED_SUFFIXES = (".mat", ".csv", ".npy", ".npz")
CSV_SNIFF_BYTES = 8192


class ImportFileError(ValueError):
    """A file cannot be imported; the message names the file and the problem."""

    def __init__(self, file_name: str, problem: str) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem


def _numeric(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size > 0


def _mat_arrays(path: Path, file_name: str) -> dict[str, np.ndarray]:
    if h5py.is_hdf5(path):  # MATLAB v7.3 files are HDF5
        with h5py.File(path, "r") as h5:
            found: dict[str, np.ndarray] = {}
            h5.visititems(lambda name, obj: found.__setitem__(name, np.asarray(obj).T)
                          if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "fiu" else None)
            return found
    try:
        content = scipy.io.loadmat(path)
    except (ValueError, OSError, TypeError) as exc:
        raise ImportFileError(file_name, f"not a readable MATLAB file ({exc})") from exc
    return {k: v for k, v in content.items() if not k.startswith("__") and _numeric(v)}


def _csv_arrays(path: Path, file_name: str) -> dict[str, np.ndarray]:
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        sample = handle.read(CSV_SNIFF_BYTES)
        if not sample.strip():
            raise ImportFileError(file_name, "the file is empty")
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        has_header = not is_number(sample.splitlines()[0].split(delimiter)[0])
    try:
        data = np.genfromtxt(path, delimiter=delimiter, names=True if has_header else None, dtype=np.float64,
                             invalid_raise=True)
    except ValueError as exc:
        raise ImportFileError(file_name, f"not a numeric CSV ({exc})") from exc
    if has_header and data.dtype.names:
        return {name: np.asarray(data[name]) for name in data.dtype.names}
    data = np.atleast_2d(data.T if data.ndim == 2 else data[np.newaxis])
    return {f"column_{i}": column for i, column in enumerate(data)}


def is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _numpy_arrays(path: Path, file_name: str) -> dict[str, np.ndarray]:
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise ImportFileError(file_name, f"not a readable NumPy file ({exc})") from exc
    if isinstance(loaded, np.ndarray):
        return {"array": loaded} if _numeric(loaded) else {}
    with loaded:
        return {name: loaded[name] for name in loaded.files if _numeric(loaded[name])}


def read_arrays(path: Path, file_name: str) -> dict[str, np.ndarray]:
    """Every numeric array of the file by name."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(file_name, f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    if path.stat().st_size == 0:
        raise ImportFileError(file_name, "the file is empty")
    if suffix == ".mat":
        return _mat_arrays(path, file_name)
    if suffix == ".csv":
        return _csv_arrays(path, file_name)
    return _numpy_arrays(path, file_name)


def read_signal(path: Path, file_name: str, variable: str | None) -> np.ndarray:
    """The chosen (or the only) signal as 1-D float64; refuses empty, multi-channel and non-finite data."""
    arrays = {name: a for name, a in read_arrays(path, file_name).items() if a.size > 1}
    if not arrays:
        raise ImportFileError(file_name, "no numeric signal found")
    if variable is None:
        if len(arrays) > 1:
            raise ImportFileError(file_name, f"several signals ({', '.join(sorted(arrays))}): choose one")
        variable = next(iter(arrays))
    if variable not in arrays:
        raise ImportFileError(file_name, f"no signal named {variable!r} (found: {', '.join(sorted(arrays))})")
    signal = np.asarray(arrays[variable], dtype=np.float64)
    if signal.ndim > 1 and sum(d > 1 for d in signal.shape) > 1:
        raise ImportFileError(file_name, f"{variable!r} has shape {signal.shape}: one channel expected")
    signal = signal.ravel()
    bad = np.flatnonzero(~np.isfinite(signal))
    if bad.size:
        raise ImportFileError(file_name, f"{variable!r} contains {bad.size} NaN/infinite value(s), first at sample {bad[0]}")
    return signal
