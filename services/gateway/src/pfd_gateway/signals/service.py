"""SignalViewer: one record of a ready data set, its analysis for display, a zoom window and exports.

Every call checks access through ``DatasetCatalog.get`` (owner, shared, admin; 404 otherwise) and reads the
record by ranged GETs; decoding and analysis run in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.datasets import states
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.settings import SignalViewerSettings
from pfd_shared.recordings.inspection import FileInspection

from pfd_gateway.signals import analysis, uploads
from pfd_gateway.signals.reader import DatasetInfo, DatasetReader, DatasetUnreadable, Record
from pfd_gateway.signals.uploads import UploadedSignal

ExportFormat = Literal["npy", "csv"]
Transform = Literal["stft", "cwt"]
TRANSFORMS: tuple[str, ...] = ("stft", "cwt")
UPLOAD_CLASS = "uploaded file"
MEDIA_TYPES: dict[str, str] = {"npy": "application/octet-stream", "csv": "text/csv"}
CSV_HEADER = "time_s,amplitude"
CSV_FORMAT = "%.9g"


@dataclass(frozen=True)
class RecordView:
    dataset_id: str
    dataset_name: str
    index: int
    records: int
    label: int
    class_name: str
    speed_hz: float | None
    sample_rate_hz: float
    duration_s: float
    time: analysis.Series
    psd: analysis.Series
    spectrogram: analysis.Spectrogram
    envelope: analysis.Series
    markers: analysis.Markers
    features: dict[str, dict[str, float]]
    uploaded: bool = False  # a single file the user uploaded, not a data-set record


@dataclass(frozen=True)
class Export:
    file_name: str
    media_type: str
    content: bytes


class SignalViewer:
    def __init__(self, catalog: DatasetCatalog, reader: DatasetReader, settings: SignalViewerSettings) -> None:
        self.catalog, self.reader, self.settings = catalog, reader, settings

    async def ready_datasets(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's ready data sets (own, shared and, for admins, all)."""
        return [row for row in await self.catalog.list(principal)
                if row["status"] == states.READY and row["object_key"]]

    async def record(self, principal: Principal, dataset_id: str, index: int,
                     window: int | None = None, transform: Transform = "stft") -> RecordView:
        """Time plot (downsampled), PSD, spectrogram (STFT or CWT), envelope spectrum, markers, metadata and grouped
        features."""
        window = self._checked(window, transform)
        row, key = await self._locate(principal, dataset_id)
        return await asyncio.to_thread(self._view, row, key, index, window, transform)

    async def inspect_upload(self, upload: UploadedSignal) -> FileInspection:
        """The variables of a single uploaded file and its detected sample rate / speed."""
        return await asyncio.to_thread(uploads.inspect, upload, self.settings.upload_max_bytes)

    async def uploaded(self, upload: UploadedSignal, window: int | None = None,
                       transform: Transform = "stft") -> RecordView:
        """The same views of one uploaded signal (no data-set features: those are computed by data-gen)."""
        window = self._checked(window, transform)
        return await asyncio.to_thread(self._uploaded_view, upload, window, transform)

    async def uploaded_window(self, upload: UploadedSignal, t0: float | None, t1: float | None) -> analysis.Series:
        def cut() -> analysis.Series:
            signal, fs = uploads.read(upload, self.settings.upload_max_bytes)
            return self._span(signal, fs, t0, t1)
        return await asyncio.to_thread(cut)

    def _checked(self, window: int | None, transform: str) -> int:
        window = self.settings.spectrogram_window if window is None else window
        if window not in self.settings.spectrogram_windows and window != self.settings.spectrogram_window:
            raise InvalidInput("window", f"Window size {window} is not offered.")
        if transform not in TRANSFORMS:
            raise InvalidInput("transform", f"Unknown transform {transform!r}: use {' or '.join(TRANSFORMS)}.")
        return window

    async def window(self, principal: Principal, dataset_id: str, index: int, t0: float | None,
                     t1: float | None) -> analysis.Series:
        """Samples between t0 and t1 (s): full resolution once the span fits the display, min/max otherwise."""
        _, key = await self._locate(principal, dataset_id)
        return await asyncio.to_thread(self._window, key, index, t0, t1)

    async def export(self, principal: Principal, dataset_id: str, index: int, fmt: ExportFormat) -> Export:
        """One record as .npy (float32) or .csv (time_s, amplitude)."""
        row, key = await self._locate(principal, dataset_id)
        info, record = await asyncio.to_thread(self._read, key, index)
        if fmt == "npy":
            buffer = io.BytesIO()
            np.save(buffer, record.signal)
            content = buffer.getvalue()
        else:
            text = io.StringIO()
            times = np.arange(len(record.signal)) / info.sample_rate_hz
            np.savetxt(text, np.column_stack([times, record.signal]), delimiter=",", header=CSV_HEADER,
                       comments="", fmt=CSV_FORMAT)
            content = text.getvalue().encode()
        return Export(f"{dataset_id}-record-{index}.{fmt}", MEDIA_TYPES[fmt], content)

    async def _locate(self, principal: Principal, dataset_id: str) -> tuple[dict[str, Any], str]:
        row = await self.catalog.get(principal, dataset_id)
        if row["status"] != states.READY or not row["object_key"]:
            raise Conflict("The data set is not ready.")
        return row, row["object_key"]

    def _read(self, key: str, index: int) -> tuple[DatasetInfo, Record]:
        info = self._info(key)
        _check_index(index, info.records)
        return info, self._unreadable_as_conflict(self.reader.record, key, index)

    def _info(self, key: str) -> DatasetInfo:
        return self._unreadable_as_conflict(self.reader.info, key)

    @staticmethod
    def _unreadable_as_conflict(read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except DatasetUnreadable as exc:
            raise Conflict("The data set's file cannot be read right now.") from exc

    def _view(self, row: dict[str, Any], key: str, index: int, window: int, transform: str) -> RecordView:
        info, record = self._read(key, index)
        fs, y, cfg = info.sample_rate_hz, record.signal, self.settings
        return RecordView(
            dataset_id=row["dataset_id"], dataset_name=row["name"], index=index, records=info.records,
            label=record.label, class_name=record.class_name, speed_hz=record.speed_hz, sample_rate_hz=fs,
            duration_s=len(y) / fs, **self._analyses(y, fs, window, transform),
            markers=analysis.markers(record.speed_hz, cfg.harmonic_orders, cfg.subsync_orders, info.geometry,
                                     info.geometry_note),
            features=analysis.group_features(record.features),
        )

    def _uploaded_view(self, upload: UploadedSignal, window: int, transform: str) -> RecordView:
        y, fs = uploads.read(upload, self.settings.upload_max_bytes)
        cfg = self.settings
        return RecordView(
            dataset_id="", dataset_name=upload.file_name, index=0, records=1, label=-1, class_name=UPLOAD_CLASS,
            speed_hz=upload.speed_hz, sample_rate_hz=fs, duration_s=len(y) / fs,
            **self._analyses(y, fs, window, transform),
            markers=analysis.markers(upload.speed_hz, cfg.harmonic_orders, cfg.subsync_orders, None,
                                     "An uploaded file carries no bearing geometry: BPFO/BPFI/BSF/FTF are not marked."),
            features={}, uploaded=True,
        )

    def _analyses(self, y: np.ndarray, fs: float, window: int, transform: str) -> dict[str, Any]:
        cfg = self.settings
        if transform == "cwt":
            spectrogram = analysis.cwt_scalogram(y, fs, cfg.cwt_frequencies, cfg.cwt_min_hz, cfg.cwt_cycles,
                                                 cfg.spectrogram_max_frames, cfg.cwt_max_samples)
        else:
            spectrogram = analysis.spectrogram(y, fs, window, cfg.spectrogram_overlap, cfg.spectrogram_max_frames)
        return {"time": analysis.minmax_downsample(y, cfg.display_buckets, fs),
                "psd": analysis.welch_psd(y, fs, cfg.welch_segment), "spectrogram": spectrogram,
                "envelope": analysis.envelope_spectrum(y, fs, cfg.envelope_band_hz, cfg.envelope_max_hz,
                                                       cfg.envelope_filter_order)}

    def _span(self, y: np.ndarray, fs: float, t0: float | None, t1: float | None) -> analysis.Series:
        start = 0 if t0 is None else int(np.clip(np.floor(t0 * fs), 0, len(y)))
        stop = len(y) if t1 is None else int(np.clip(np.ceil(t1 * fs) + 1, start, len(y)))
        if stop <= start:
            raise InvalidInput("t1", "The time window is empty.")
        return analysis.minmax_downsample(y[start:stop], self.settings.display_buckets, fs, start)

    def _window(self, key: str, index: int, t0: float | None, t1: float | None) -> analysis.Series:
        info = self._info(key)
        _check_index(index, info.records)
        fs = info.sample_rate_hz
        start = 0 if t0 is None else int(np.clip(np.floor(t0 * fs), 0, info.samples))
        stop = info.samples if t1 is None else int(np.clip(np.ceil(t1 * fs) + 1, start, info.samples))
        if stop <= start:
            raise InvalidInput("t1", "The time window is empty.")
        samples = self._unreadable_as_conflict(self.reader.window, key, index, start, stop)
        return analysis.minmax_downsample(samples, self.settings.display_buckets, fs, start)


def _check_index(index: int, records: int) -> None:
    """An unknown record is a 404 whose message says which records exist."""
    if not 0 <= index < records:
        raise NotFound(f"Record {index} does not exist: this data set has records 0 to {records - 1}.")
