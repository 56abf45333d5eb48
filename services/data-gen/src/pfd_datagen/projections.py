"""ProjectionService: computes feature projections on request and stores them beside the data set.

The result (``records`` x 2 float32 as .npy, parameters as .json) is the cache: a request whose result is
stored is answered at once (``cached``), so a redelivered request has no second effect. Only the small arrays
of the data-set file are read (ranged GETs), never its signals. The CPU work runs in a worker thread and stops
when a ``ProjectionCancelRequested`` for it arrives (every instance listens; the one running it stops).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from typing import Any

import numpy as np

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.projections import (
    ProjectionCancelled,
    ProjectionCancelRequested,
    ProjectionFailed,
    ProjectionProgress,
    ProjectionReady,
    ProjectionRequested,
)
from pfd_shared.exploration.reading import ArraysUnreadable, load_arrays
from pfd_shared.exploration.models import PROJECTION_VERSION, projection_id
from pfd_shared.exploration.selection import select_rows
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import projection_key

from pfd_datagen import catalog
from pfd_datagen.domain.projection import ProjectionCancelled as Cancelled
from pfd_datagen.domain.projection import Projection, ProjectionImpossible, project
from pfd_datagen.progress import ProgressReporter
from pfd_datagen.settings import DataGenSettings

log = logging.getLogger(__name__)
COORDINATES, PARAMETERS = "npy", "json"


class ProjectionService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, settings: DataGenSettings) -> None:
        if runtime.database is None:
            raise ValueError("data-gen needs its database")
        self.runtime, self.store, self.settings = runtime, store, settings
        self.sessions = runtime.database.sessions
        self._cancelled: dict[str, float] = {}  # projection id -> when its cancel arrived

    async def project(self, envelope: Envelope[ProjectionRequested]) -> None:
        request = envelope.payload
        object_key = await self._object_of(request.dataset_id)
        if object_key is None:
            await self._publish(envelope, ProjectionFailed(projection_id=request.projection_id,
                                                           dataset_id=request.dataset_id,
                                                           reason="The data set does not exist or is not ready."))
            return
        if projection_id(object_key, request.spec, request.record_filter) != request.projection_id:
            await self._publish(envelope, ProjectionFailed(
                projection_id=request.projection_id, dataset_id=request.dataset_id,
                reason="The projection id does not match the data set, method, parameters and filter."))
            return
        outcome = await self._outcome(envelope, object_key)
        self._cancelled.pop(request.projection_id, None)
        await self._publish(envelope, outcome)

    def cancel(self, envelope: Envelope[ProjectionCancelRequested]) -> None:
        """Remember the cancel: a running projection stops at its next check, a queued one when it starts."""
        now = time.monotonic()
        self._cancelled = {key: at for key, at in self._cancelled.items()
                           if now - at < self.settings.projection_cancel_memory_s}
        self._cancelled[envelope.payload.projection_id] = now

    async def _object_of(self, dataset_id: str) -> str | None:
        async with self.sessions() as session:
            row = await catalog.get(session, dataset_id)
        return row.object_key if row is not None and row.status == catalog.READY and row.object_key else None

    async def _outcome(self, envelope: Envelope[ProjectionRequested], object_key: str) -> EventPayload:
        request = envelope.payload
        ids = {"projection_id": request.projection_id, "dataset_id": request.dataset_id}
        coordinates_key = projection_key(object_key, request.projection_id, COORDINATES)
        parameters_key = projection_key(object_key, request.projection_id, PARAMETERS)
        try:
            if await asyncio.to_thread(self.store.exists, parameters_key):
                stored = json.loads(await asyncio.to_thread(self.store.get_bytes, parameters_key))
                return ProjectionReady(**ids, method=request.spec.method, records=stored["records"],
                                       object_key=coordinates_key, seconds=0.0, cached=True)
            progress = ProgressReporter(
                self.runtime.bus, asyncio.get_running_loop(), envelope, request.dataset_id,
                self.settings.progress_interval_s,
                payload=lambda stage, done, total: ProjectionProgress(**ids, stage=stage, done=done, total=total))
            started = time.perf_counter()
            records = await asyncio.to_thread(self._compute, request, object_key, progress, started)
        except Cancelled:
            return ProjectionCancelled(**ids)
        except (ProjectionImpossible, ArraysUnreadable, StorageError) as exc:
            log.warning("projection %s failed: %s", request.projection_id, exc)
            return ProjectionFailed(**ids, reason=str(exc))
        return ProjectionReady(**ids, method=request.spec.method, records=records, object_key=coordinates_key,
                               seconds=time.perf_counter() - started)

    def _compute(self, request: ProjectionRequested, object_key: str, progress: ProgressReporter,
                 started: float) -> int:
        """Blocking: read the features, project the selected rows, store coordinates then parameters."""
        stop = lambda: request.projection_id in self._cancelled  # noqa: E731 - read from the worker thread
        if stop():
            raise Cancelled("cancelled before it started")
        progress("reading features", 0, 1)
        arrays = load_arrays(self.store, object_key)
        rows = select_rows(arrays, request.record_filter)
        limit = self.settings.projection_max_records
        if request.spec.method != "pca" and len(rows) > limit:
            raise ProjectionImpossible(f"{len(rows):,} records are selected; t-SNE and UMAP take at most "
                                       f"{limit:,}: narrow the filter or use PCA")
        result = project(arrays.features[rows], request.spec, workers=self.settings.projection_threads,
                         progress=progress, should_stop=stop)
        store_result(self.store, request, object_key, result, int(len(rows)), time.perf_counter() - started)
        return int(len(rows))

    async def _publish(self, cause: Envelope[Any], payload: EventPayload) -> None:
        await self.runtime.bus.publish(new_envelope(payload, producer=self.runtime.service, cause=cause))


def store_result(store: ObjectStore, request: ProjectionRequested, object_key: str, result: Projection, records: int,
                 seconds: float) -> None:
    """Coordinates first, then the parameters: a parameters object means a complete result (the cache entry)."""
    buffer = io.BytesIO()
    np.save(buffer, result.coordinates.astype(np.float32))
    store.put_bytes(projection_key(object_key, request.projection_id, COORDINATES), buffer.getvalue())
    parameters: dict[str, Any] = {
        "projection_id": request.projection_id, "dataset_id": request.dataset_id, "object_key": object_key,
        "method": request.spec.method, "parameters": request.spec.parameters(),
        "record_filter": json.loads(request.record_filter.canonical()), "records": records,
        "features_used": result.features_used, "explained_variance": list(result.explained_variance),
        "seconds": seconds, "version": PROJECTION_VERSION,
    }
    store.put_bytes(projection_key(object_key, request.projection_id, PARAMETERS), json.dumps(parameters).encode(),
                    content_type="application/json")
