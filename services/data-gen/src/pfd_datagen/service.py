"""DatasetService: the use cases behind data-gen's subscribers (generate, import, delete)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pfd_shared.db.outbox import add_to_outbox
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.datasets import (
    DatasetDeleted,
    DatasetDeleteRequested,
    DatasetFailed,
    DatasetGenerationRequested,
    DatasetImportRequested,
    DatasetReady,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import dataset_key

from pfd_datagen import catalog
from pfd_datagen.artefacts import DATASET_FILE, build_and_store, download_uploads, remove_tree, summary_of
from pfd_datagen.building import build_synthetic, cache_key
from pfd_datagen.file_writer import SignalSink
from pfd_datagen.hdf5_store import DatasetArrays
from pfd_datagen.importing.pipeline import build_import
from pfd_shared.recordings.readers import ImportFileError
from pfd_datagen.progress import ProgressReporter
from pfd_datagen.settings import DataGenSettings

log = logging.getLogger(__name__)
Work = Callable[[ProgressReporter, SignalSink], DatasetArrays]
USER_ERRORS = (ImportFileError, ValidationError, ValueError)


def describe(error: Exception) -> str:
    """A user-facing reason: validation errors name the field."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"invalid config: {'.'.join(str(p) for p in first['loc']) or 'config'}: {first['msg']}"
    return str(error)


class DatasetService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, settings: DataGenSettings) -> None:
        if runtime.database is None or runtime.outbox_relay is None:
            raise ValueError("data-gen needs its database and outbox relay")
        self.runtime, self.store, self.settings = runtime, store, settings
        self.sessions = runtime.database.sessions
        self.outbox = runtime.database.outbox
        self.relay = runtime.outbox_relay

    async def _record(self, events: list[Envelope[Any]], change: Callable[[Any], Any]) -> None:
        async with self.sessions() as session, session.begin():
            await change(session)
            for event in events:
                await add_to_outbox(session, self.outbox, event)
        self.relay.notify()

    async def generate(self, envelope: Envelope[DatasetGenerationRequested]) -> None:
        request = envelope.payload
        try:
            key = cache_key(request)
        except ValidationError as exc:
            await self._fail(envelope, request.dataset_id, describe(exc))
            return
        async with self.sessions() as session, session.begin():
            existing = await catalog.get(session, request.dataset_id)
            if existing is not None and existing.status != catalog.BUILDING:
                return  # redelivered after its outcome was recorded
            cached = await catalog.find_ready_by_cache_key(session, key)
        if cached is not None and cached.object_key and cached.summary:
            await self._reuse(envelope, cached, key)
            return
        await self._start(envelope, request.name, "synthetic", key)
        workers = self.settings.workers
        await self._build(envelope, request.name, "synthetic", key, lambda p, sink: build_synthetic(request, workers, p, sink))

    async def import_recordings(self, envelope: Envelope[DatasetImportRequested]) -> None:
        request = envelope.payload
        async with self.sessions() as session:
            existing = await catalog.get(session, request.dataset_id)
        if existing is not None and existing.status != catalog.BUILDING:
            return
        await self._start(envelope, request.name, "imported", None)
        tmp = Path(tempfile.mkdtemp(dir=self._work_dir()))
        settings = self.settings

        def work(progress: ProgressReporter, _: SignalSink) -> DatasetArrays:
            paths = download_uploads(request.files, self.store, tmp, settings.max_import_file_bytes)
            return build_import(request, paths, record_seconds=settings.import_record_seconds,
                                max_samples=settings.max_import_samples, workers=settings.workers, progress=progress)

        try:
            await self._build(envelope, request.name, "imported", None, work)
        finally:
            remove_tree(tmp)

    async def delete(self, envelope: Envelope[DatasetDeleteRequested]) -> None:
        dataset_id = envelope.payload.dataset_id
        async with self.sessions() as session, session.begin():
            row = await catalog.get(session, dataset_id)
            if row is None or row.status == catalog.DELETED:
                return
            await catalog.mark_deleted(session, dataset_id)
            orphan = row.object_key is not None and await catalog.object_users(session, row.object_key) == 0
            await add_to_outbox(session, self.outbox, new_envelope(
                DatasetDeleted(dataset_id=dataset_id), producer=self.runtime.service, cause=envelope))
        if orphan:
            await asyncio.to_thread(self.store.delete_prefix, f"datasets/{dataset_id}/")
        self.relay.notify()

    def _work_dir(self) -> Path:
        path = self.settings.var_dir / "tmp" / self.runtime.service
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def _start(self, envelope: Envelope[Any], name: str, kind: str, key: str | None) -> None:
        async with self.sessions() as session, session.begin():
            await catalog.start(session, dataset_id=envelope.payload.dataset_id, owner=envelope.owner, name=name,
                                kind=kind, cache_key=key)

    async def _build(self, envelope: Envelope[Any], name: str, kind: str, key: str | None, work: Work) -> None:
        dataset_id = envelope.payload.dataset_id
        progress = ProgressReporter(self.runtime.bus, asyncio.get_running_loop(), envelope, dataset_id,
                                    self.settings.progress_interval_s)
        object_key = dataset_key(dataset_id, DATASET_FILE)
        started = time.perf_counter()
        try:
            arrays, info = await asyncio.to_thread(build_and_store, lambda sink: work(progress, sink), object_key,
                                                   self.store, self._work_dir(), self.settings.compression, progress)
        except (*USER_ERRORS, StorageError, OSError) as exc:
            log.warning("data set %s failed: %s", dataset_id, exc)
            await asyncio.to_thread(self.store.delete_prefix, f"datasets/{dataset_id}/")
            await self._fail(envelope, dataset_id, describe(exc))
            return
        summary = summary_of(arrays) | {"config_hash": arrays.attrs.get("config_hash"), "size_bytes": info.size,
                                        "sha256": info.sha256 or ""}
        ready = DatasetReady(dataset_id=dataset_id, name=name, kind=kind, object_key=info.key,
                             size_bytes=info.size, sha256=info.sha256 or "", seconds=time.perf_counter() - started,
                             **_ready_fields(summary))
        await self._record([new_envelope(ready, producer=self.runtime.service, cause=envelope)],
                           lambda s: catalog.finish(s, dataset_id, object_key=info.key, size_bytes=info.size,
                                                    sha256=info.sha256 or "", summary=summary))

    async def _reuse(self, envelope: Envelope[DatasetGenerationRequested], cached: catalog.DatasetRow, key: str) -> None:
        request = envelope.payload
        summary = cached.summary or {}
        ready = DatasetReady(dataset_id=request.dataset_id, name=request.name, kind="synthetic",
                             object_key=cached.object_key or "", size_bytes=summary.get("size_bytes", 0),
                             sha256=summary.get("sha256", ""), cached=True, seconds=0.0, **_ready_fields(summary))

        async def change(session: Any) -> None:
            await catalog.start(session, dataset_id=request.dataset_id, owner=envelope.owner, name=request.name,
                                kind="synthetic", cache_key=key)
            await catalog.finish(session, request.dataset_id, object_key=cached.object_key or "",
                                 size_bytes=ready.size_bytes, sha256=ready.sha256, summary=summary)

        await self._record([new_envelope(ready, producer=self.runtime.service, cause=envelope)], change)

    async def _fail(self, envelope: Envelope[Any], dataset_id: str, reason: str) -> None:
        failed = DatasetFailed(dataset_id=dataset_id, reason=reason)

        async def change(session: Any) -> None:
            if await catalog.get(session, dataset_id) is not None:
                await catalog.fail(session, dataset_id, reason)

        await self._record([new_envelope(failed, producer=self.runtime.service, cause=envelope)], change)


def _ready_fields(summary: dict[str, Any]) -> dict[str, Any]:
    keys = ("records", "samples_per_record", "sample_rate_hz", "class_names", "class_counts", "feature_names",
            "split_counts", "config_hash")
    return {key: summary.get(key) for key in keys}
