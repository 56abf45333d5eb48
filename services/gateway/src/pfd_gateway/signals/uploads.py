"""A single signal file uploaded to the Signal Viewer (.npy, .csv, .mat; at most ``upload_max_bytes``): decoded
from the browser's data URL and read with the import's readers, so the errors name the file and the problem."""

from __future__ import annotations

import base64
import binascii
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import numpy as np

from pfd_shared.recordings.inspection import FileInspection, inspect_stream
from pfd_shared.recordings.readers import ImportFileError, read_signal

from pfd_gateway.auth.errors import InvalidInput

VIEWABLE_SUFFIXES = (".npy", ".csv", ".mat")
MIN_SAMPLES = 16


@dataclass(frozen=True)
class UploadedSignal:
    """What the viewer's upload control holds and how to read it."""

    file_name: str
    contents: str  # data URL: "data:<type>;base64,<payload>"
    variable: str | None = None
    sample_rate_hz: float | None = None
    speed_hz: float | None = None


def decode(upload: UploadedSignal, max_bytes: int) -> bytes:
    """The file's bytes; refuses other types, oversized, empty and undecodable uploads by name."""
    name = PurePath(upload.file_name or "upload").name
    suffix = PurePath(name).suffix.lower()
    if suffix not in VIEWABLE_SUFFIXES:
        raise InvalidInput("file", f"{name}: unsupported file type {suffix or '(none)'}; "
                                   f"use {', '.join(VIEWABLE_SUFFIXES)}")
    payload = upload.contents.partition("base64,")[2]
    if len(payload) * 3 // 4 > max_bytes + 2:
        raise InvalidInput("file", f"{name}: about {len(payload) * 3 // 4:,} bytes is over the {max_bytes:,}-byte limit")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("file", f"{name}: the upload could not be decoded") from exc
    if not data:
        raise InvalidInput("file", f"{name}: the file is empty")
    if len(data) > max_bytes:
        raise InvalidInput("file", f"{name}: {len(data):,} bytes is over the {max_bytes:,}-byte limit")
    return data


def inspect(upload: UploadedSignal, max_bytes: int) -> FileInspection:
    try:
        return inspect_stream(io.BytesIO(decode(upload, max_bytes)), PurePath(upload.file_name).name)
    except ImportFileError as exc:
        raise InvalidInput("file", str(exc)) from exc


def read(upload: UploadedSignal, max_bytes: int) -> tuple[np.ndarray, float]:
    """The chosen signal (float64) and its sample rate; NaN/infinite values and missing rates are refused."""
    name = PurePath(upload.file_name).name
    if not upload.sample_rate_hz or upload.sample_rate_hz <= 0:
        raise InvalidInput("sample_rate_hz", f"{name}: enter the sample rate (Hz) of the signal")
    data = decode(upload, max_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"signal{PurePath(name).suffix.lower()}"
        path.write_bytes(data)
        try:
            signal = read_signal(path, name, upload.variable or None)
        except ImportFileError as exc:
            raise InvalidInput("file", str(exc)) from exc
    if signal.size < MIN_SAMPLES:
        raise InvalidInput("file", f"{name}: {signal.size} samples are too few to analyse (at least {MIN_SAMPLES})")
    return signal, float(upload.sample_rate_hz)
