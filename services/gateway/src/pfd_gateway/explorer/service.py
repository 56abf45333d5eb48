"""DataExplorer: the explorer's use cases over the small arrays of a ready data set.

Every call checks access through ``DatasetCatalog.get`` (owner, shared, admin; 404 otherwise). The arrays are
read once per data-set object by ranged GETs (never the signals) and kept in a memory-bounded LRU; analysis
runs in worker threads. Projections are computed by data-gen: a request goes out through the outbox, progress
and outcome come back as events (``project_events``) and are pushed to everyone who asked; a stored result is
read once from the object store and then answered from memory.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.projections import ProjectionCancelRequested, ProjectionRequested
from pfd_shared.exploration.arrays import ExplorerArrays
from pfd_shared.exploration.reading import ArraysUnreadable, load_arrays
from pfd_shared.exploration.models import ProjectionSpec, RecordFilter, projection_id
from pfd_shared.exploration.selection import select_rows
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import projection_key

from pfd_gateway.auth.errors import Conflict, InvalidInput
from pfd_gateway.datasets import states
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.explorer import analysis, grid
from pfd_gateway.explorer.board import READY, ProjectionBoard, ProjectionState
from pfd_gateway.explorer.cache import BoundedCache
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.settings import ExplorerSettings

T = TypeVar("T")
NOT_COMPUTED = "not_computed"
COORDINATES, PARAMETERS = "npy", "json"
RESULT_BYTES_PER_NAME = 64  # a rough size of one feature's entry of a ranking (name, score, group)
RESULT_OVERHEAD_BYTES = 1024


@dataclass(frozen=True)
class Described:
    dataset_id: str
    name: str
    description: analysis.Description
    columns: list[grid.Column]


@dataclass(frozen=True)
class ProjectionView:
    projection_id: str
    method: str
    status: str  # not_computed, requested, running, ready, failed, cancelled
    selected: int
    fraction: float | None = None
    stage: str = ""
    message: str = ""
    coordinates: np.ndarray | None = None  # (n, 2) float32, rows in ``rows`` order
    rows: np.ndarray | None = None
    classes: np.ndarray | None = None
    explained_variance: tuple[float, ...] = ()


@dataclass(frozen=True)
class _Stored:
    coordinates: np.ndarray
    parameters: dict[str, Any]


class DataExplorer:
    def __init__(self, catalog: DatasetCatalog, store: ObjectStore, hub: LiveHub, sessions: async_sessionmaker[AsyncSession],
                 outbox: Table, relay: OutboxRelay, settings: ExplorerSettings, *, producer: str) -> None:
        self.catalog, self.store, self.hub, self.settings, self.producer = catalog, store, hub, settings, producer
        self.sessions, self.outbox, self.relay = sessions, outbox, relay
        self.arrays = BoundedCache[ExplorerArrays](settings.cached_datasets, settings.cache_bytes,
                                                   lambda found: found.nbytes)
        self.results = BoundedCache[Any](settings.cached_results, settings.results_cache_bytes, _result_bytes)
        self.board = ProjectionBoard(settings.projections_tracked, settings.projection_request_ttl_s)

    # reads --------------------------------------------------------------------------------------------------
    async def describe(self, principal: Principal, dataset_id: str) -> Described:
        """What the data set offers: classes, levels, splits, operating ranges, feature groups, table columns."""
        row, _, arrays = await self._open(principal, dataset_id)
        return Described(dataset_id, row["name"], analysis.describe(arrays), grid.columns(arrays))

    async def overview(self, principal: Principal, dataset_id: str, record_filter: RecordFilter) -> analysis.Overview:
        """Per-class summary, class distribution and severity counts of the filtered records."""
        return await self._analyse(principal, dataset_id, record_filter, analysis.overview)

    async def distribution(self, principal: Principal, dataset_id: str, record_filter: RecordFilter,
                           feature: str) -> analysis.Distribution:
        """One feature per class (box/violin samples and shared-bin histogram counts)."""
        cfg = self.settings
        _, _, arrays = await self._open(principal, dataset_id)
        if feature not in arrays.feature_names:
            raise InvalidInput("feature", f"The data set has no feature {feature!r}.")
        return await self._analyse(principal, dataset_id, record_filter, lambda found, rows: analysis.distribution(
            found, rows, feature, bins=cfg.histogram_bins, max_points=cfg.max_points_per_class, seed=cfg.seed))

    async def correlation(self, principal: Principal, dataset_id: str,
                          record_filter: RecordFilter) -> analysis.Correlation:
        """Pearson correlation of every feature pair over the filtered records."""
        return await self._analyse(principal, dataset_id, record_filter, analysis.correlation)

    async def ranking(self, principal: Principal, dataset_id: str, record_filter: RecordFilter) -> analysis.Ranking:
        """Features by mutual information with the class on the filtered records (cached per filter)."""
        _, key, arrays = await self._open(principal, dataset_id)
        cfg = self.settings
        cache_key = ("ranking", key, record_filter.digest())
        found = self.results.get(cache_key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        result = await asyncio.to_thread(lambda: analysis.ranking(
            arrays, select_rows(arrays, record_filter), neighbours=cfg.mi_neighbours,
            max_records=cfg.mi_max_records, seed=cfg.seed))
        return self.results.put(cache_key, result)  # type: ignore[no-any-return]

    async def records(self, principal: Principal, dataset_id: str, record_filter: RecordFilter,
                      request: dict[str, Any]) -> grid.Page:
        """One block of the records table (the grid's own sort and column filters applied)."""
        def page(arrays: ExplorerArrays, rows: np.ndarray) -> grid.Page:
            try:
                return grid.records_page(arrays, rows, request, self.settings.page_max_rows)
            except (grid.BadGridRequest, TypeError, ValueError) as exc:
                raise InvalidInput("records", str(exc)) from exc

        return await self._analyse(principal, dataset_id, record_filter, page)

    # projections --------------------------------------------------------------------------------------------
    async def projection(self, principal: Principal, dataset_id: str, spec: ProjectionSpec,
                         record_filter: RecordFilter, *, start: bool) -> ProjectionView:
        """The projection if it is stored; else where its computation stands. ``start`` requests it from
        data-gen when no request is in flight (a repeat is answered from memory)."""
        _, key, arrays = await self._open(principal, dataset_id)
        pid = projection_id(key, spec, record_filter)
        rows = select_rows(arrays, record_filter)
        stored = await self._stored(key, pid)
        if stored is not None and stored.parameters.get("records") == rows.size:
            return ProjectionView(pid, spec.method, READY, int(rows.size), 1.0, coordinates=stored.coordinates,
                                  rows=rows, classes=arrays.class_of(rows),
                                  explained_variance=tuple(stored.parameters.get("explained_variance") or ()))
        if start and self.board.needs_request(pid):
            request = ProjectionRequested(projection_id=pid, dataset_id=dataset_id, spec=spec,
                                          record_filter=record_filter)
            await self._send(new_envelope(request, producer=self.producer, owner=principal.user_id))
            self.board.requested(pid, dataset_id, principal.user_id)
        else:
            self.board.watch(pid, principal.user_id)
        return _view(pid, spec.method, int(rows.size), self.board.get(pid))

    async def cancel_projection(self, principal: Principal, dataset_id: str, spec: ProjectionSpec,
                                record_filter: RecordFilter) -> None:
        """Ask data-gen to stop the projection (its ProjectionCancelled then reaches the page)."""
        row, key, _ = await self._open(principal, dataset_id)
        pid = projection_id(key, spec, record_filter)
        cancel = ProjectionCancelRequested(projection_id=pid, dataset_id=dataset_id)
        await self._send(new_envelope(cancel, producer=self.producer, owner=row["owner_id"]))

    async def project_events(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """data-gen's projection events: update the board, push each to everyone who asked for it."""
        for envelope, raw in batch:
            state = self.board.apply(envelope.payload)
            watchers = set(state.watchers if state else ()) | ({envelope.owner} if envelope.owner else set())
            for user_id in watchers:
                self.hub.publish_raw(envelope.type, raw, owner=user_id)

    # helpers ------------------------------------------------------------------------------------------------
    async def _open(self, principal: Principal, dataset_id: str) -> tuple[dict[str, Any], str, ExplorerArrays]:
        row = await self.catalog.get(principal, dataset_id)
        if row["status"] != states.READY or not row["object_key"]:
            raise Conflict("The data set is not ready.")
        key = row["object_key"]
        arrays = self.arrays.get(key)
        if arrays is None:
            arrays = self.arrays.put(key, await asyncio.to_thread(self._load, key))
        return row, key, arrays

    def _load(self, key: str) -> ExplorerArrays:
        try:
            return load_arrays(self.store, key, block_bytes=self.settings.block_bytes,
                               cache_blocks=self.settings.cache_blocks)
        except ArraysUnreadable as exc:
            raise Conflict("The data set's file cannot be read right now.") from exc

    async def _analyse(self, principal: Principal, dataset_id: str, record_filter: RecordFilter,
                       compute: Callable[[ExplorerArrays, np.ndarray], T]) -> T:
        _, _, arrays = await self._open(principal, dataset_id)
        return await asyncio.to_thread(lambda: compute(arrays, select_rows(arrays, record_filter)))

    async def _stored(self, key: str, pid: str) -> _Stored | None:
        cache_key = ("projection", pid)
        found = self.results.get(cache_key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        state = self.board.get(pid)
        if state is not None and state.status != READY:
            return None  # known to be computing, failed or cancelled: no need to look in the store
        loaded = await asyncio.to_thread(self._read_stored, key, pid)
        return self.results.put(cache_key, loaded) if loaded is not None else None

    def _read_stored(self, key: str, pid: str) -> _Stored | None:
        parameters_key = projection_key(key, pid, PARAMETERS)
        try:
            if not self.store.exists(parameters_key):
                return None
            parameters = json.loads(self.store.get_bytes(parameters_key))
            coordinates = np.load(io.BytesIO(self.store.get_bytes(projection_key(key, pid, COORDINATES))))
        except (StorageError, ValueError, OSError) as exc:
            raise Conflict("The stored projection cannot be read right now.") from exc
        return _Stored(np.asarray(coordinates, dtype=np.float32), parameters)

    async def _send(self, envelope: Envelope[Any]) -> None:
        async with self.sessions() as session, session.begin():
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()


def _view(pid: str, method: str, selected: int, state: ProjectionState | None) -> ProjectionView:
    if state is None:
        return ProjectionView(pid, method, NOT_COMPUTED, selected)
    return ProjectionView(pid, method, state.status, selected, state.fraction, state.stage, state.message)


def _result_bytes(value: Any) -> int:
    if isinstance(value, _Stored):
        return int(value.coordinates.nbytes) + len(json.dumps(value.parameters))
    return RESULT_BYTES_PER_NAME * len(getattr(value, "names", ())) + RESULT_OVERHEAD_BYTES
