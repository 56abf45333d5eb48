"""Where the simulator's windows come from: the records of a PFD data-set HDF5 file (docs/dataset-format.md) or the
CWRU .mat files, grouped by class; each class cycles through its windows (consecutive, non-overlapping cuts of its
records) for as long as the schedule asks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter data-set signals are compressed with
import numpy as np

from pfd_shared.events.monitoring import MAX_WINDOW_SAMPLES, MIN_WINDOW_SAMPLES
from pfd_shared.recordings.readers import ImportFileError, read_arrays

CWRU_RATE_HZ = 12_000.0  # the drive-end fault files
CWRU_NORMAL_RATE_HZ = 48_000.0  # the normal baseline is a 48 kHz record (see the data set's MANIFEST.md)
CWRU_SHAFT_HZ = 1797 / 60  # 0 HP load
CWRU_CLASSES = {"IR": "inner_race", "OR": "outer_race", "B": "ball"}
CWRU_HEALTHY = "healthy"
_CWRU_FAULT = re.compile(r"_(IR|OR|B)\d{3}")
_CWRU_DE = re.compile(r"^X\d+_DE_time$")


class SourceError(ValueError):
    """The simulator's input cannot be used; the message says which file and why."""


@dataclass(frozen=True)
class Recording:
    signal: np.ndarray
    sample_rate_hz: float
    shaft_speed_hz: float | None


@dataclass(frozen=True)
class Window:
    samples: np.ndarray
    sample_rate_hz: float
    shaft_speed_hz: float | None


class WindowSource:
    """Recordings by class; ``windows(cls)`` cuts ``window_seconds`` windows from them, endlessly."""

    def __init__(self, recordings: dict[str, list[Recording]], window_seconds: float) -> None:
        self.recordings = {name: found for name, found in recordings.items() if found}
        self.window_seconds = window_seconds
        self._iterators: dict[str, Iterator[Window]] = {}

    @property
    def classes(self) -> list[str]:
        return sorted(self.recordings)

    def next_window(self, cls: str) -> Window:
        if cls not in self.recordings:
            raise SourceError(f"the source has no recordings of class {cls!r} (it has: {', '.join(self.classes)})")
        if cls not in self._iterators:
            cuts = [w for r in self.recordings[cls] for w in self._cuts(r)]
            if not cuts:
                raise SourceError(f"the recordings of class {cls!r} are shorter than {MIN_WINDOW_SAMPLES} samples")
            self._iterators[cls] = cycle(cuts)
        return next(self._iterators[cls])

    def _cuts(self, recording: Recording) -> list[Window]:
        length = min(MAX_WINDOW_SAMPLES, max(1, round(self.window_seconds * recording.sample_rate_hz)))
        signal = recording.signal
        if signal.size < length:  # a short record is one (shorter) window
            return [Window(signal, recording.sample_rate_hz, recording.shaft_speed_hz)] \
                if signal.size >= MIN_WINDOW_SAMPLES else []
        return [Window(signal[start:start + length], recording.sample_rate_hz, recording.shaft_speed_hz)
                for start in range(0, signal.size - length + 1, length)]


def dataset_source(path: Path, window_seconds: float, *, max_records_per_class: int) -> WindowSource:
    """The records of a PFD data-set file by class name (at most ``max_records_per_class`` each)."""
    try:
        with h5py.File(path, "r") as h5:
            rate = float(h5.attrs["sample_rate_hz"])
            names = json.loads(h5.attrs["class_names"])
            labels = h5["labels"][()].astype(np.int64)
            speeds = h5["operating/speed_hz"][()] if "operating/speed_hz" in h5 else None
            recordings: dict[str, list[Recording]] = {name: [] for name in names}
            for label, name in enumerate(names):
                for row in np.flatnonzero(labels == label)[:max_records_per_class].tolist():
                    speed = float(speeds[row]) if speeds is not None and speeds[row] > 0 else None
                    recordings[name].append(Recording(np.asarray(h5["signals"][row], dtype=np.float64), rate, speed))
    except (OSError, KeyError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable PFD data-set file ({exc})") from exc
    return WindowSource(recordings, window_seconds)


def cwru_class(file_name: str) -> str | None:
    """healthy / inner_race / outer_race / ball from a CWRU file name, None for other files."""
    if file_name.startswith("normal_"):
        return CWRU_HEALTHY
    match = _CWRU_FAULT.search(file_name)
    return CWRU_CLASSES[match.group(1)] if match else None


def cwru_source(folder: Path, window_seconds: float) -> WindowSource:
    """The drive-end signal of every CWRU .mat file of ``folder`` by class."""
    recordings: dict[str, list[Recording]] = {}
    for path in sorted(folder.glob("*.mat")):
        cls = cwru_class(path.name)
        if cls is None:
            continue
        try:
            arrays = read_arrays(path, path.name)
        except ImportFileError as exc:
            raise SourceError(str(exc)) from exc
        drive_end = [name for name in arrays if _CWRU_DE.match(name)]
        if not drive_end:
            raise SourceError(f"{path.name}: no drive-end signal (X<nnn>_DE_time)")
        rate = CWRU_NORMAL_RATE_HZ if cls == CWRU_HEALTHY else CWRU_RATE_HZ
        signal = np.asarray(arrays[drive_end[0]], dtype=np.float64).ravel()
        recordings.setdefault(cls, []).append(Recording(signal, rate, CWRU_SHAFT_HZ))
    if not recordings:
        raise SourceError(f"{folder}: no CWRU .mat files (normal_*.mat, *_IR007_*.mat...)")
    return WindowSource(recordings, window_seconds)
