"""BatchPredictions: a data set's records or an uploaded CSV (one signal per row) predicted by the deploy service in
the background. The request is a row plus a BatchPredictionRequested in the outbox (one transaction); the deploy
service's Batch* events move the row on (``projection``); the results CSV is streamed from the object store.
Only the owner and admins see a batch (others get 404)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, InvalidEvent, decode_event, new_envelope
from pfd_shared.events.deploy import BatchPredictionRequested
from pfd_shared.storage import ObjectStore

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.datasets import states as dataset_states
from pfd_gateway.datasets.requests import upload_prefix
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.predictions import projection, states, uploads
from pfd_gateway.predictions.client import Target

DATASET, UPLOAD = "dataset", "upload"
RESULTS_NAME = "batch-{batch_id}-results.csv"
CSV_CONTENT_TYPE = "text/csv"
ID_HEX = 16


class BatchPredictions:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], views: Table, outbox: Table, relay: OutboxRelay,
                 catalog: DatasetCatalog, store: ObjectStore, *, producer: str, max_upload_bytes: int,
                 list_limit: int) -> None:
        self.sessions, self.views, self.outbox, self.relay = sessions, views, outbox, relay
        self.catalog, self.store, self.producer = catalog, store, producer
        self.max_upload_bytes, self.list_limit = max_upload_bytes, list_limit

    async def request_dataset(self, principal: Principal, target: Target, dataset_id: str) -> dict[str, Any]:
        """Predict every record of a ready data set the caller may read."""
        dataset = await self.catalog.get(principal, dataset_id)
        if dataset["status"] != dataset_states.READY:
            raise Conflict(f"The data set {dataset['name']!r} is not ready.")
        command = _command(_new_id(), target, dataset_id=dataset_id)
        return await self._create(principal, command, DATASET, dataset["name"], dataset.get("records"))

    async def request_csv(self, principal: Principal, target: Target, file_name: str | None, data: bytes,
                          sample_rate_hz: float | None) -> dict[str, Any]:
        """Predict every row of an uploaded CSV (checked here first), stored under the caller's uploads/."""
        rate = uploads.sample_rate(sample_rate_hz)
        rows = await asyncio.to_thread(uploads.batch_csv_rows, file_name, data, self.max_upload_bytes)
        batch_id = _new_id()
        name = PurePath(file_name or "signals.csv").name
        key = f"{upload_prefix(principal.user_id)}batch-{batch_id}.csv"
        command = _command(batch_id, target, signals_key=key, sample_rate_hz=rate)
        await asyncio.to_thread(self.store.put_bytes, key, data, content_type=CSV_CONTENT_TYPE)
        return await self._create(principal, command, UPLOAD, name, rows)

    async def request_csv_upload(self, principal: Principal, target: Target, file_name: str | None,
                                 contents: str | None, sample_rate_hz: float | None) -> dict[str, Any]:
        """The same for a browser upload (a data URL, as the Predict page's upload control gives it)."""
        data = uploads.data_url_bytes(file_name, contents, self.max_upload_bytes)
        return await self.request_csv(principal, target, file_name, data, sample_rate_hz)

    async def _create(self, principal: Principal, command: BatchPredictionRequested, source: str, source_name: str,
                      total: int | None) -> dict[str, Any]:
        now = datetime.now(UTC)
        envelope = new_envelope(command, producer=self.producer, owner=principal.user_id)
        async with self.sessions() as session, session.begin():
            await session.execute(insert(self.views).values(
                batch_id=command.batch_id, owner_id=principal.user_id, model_name=command.model_name,
                alias=command.alias, version=command.version, source=source, dataset_id=command.dataset_id,
                source_name=source_name[:200], signals_key=command.signals_key, sample_rate_hz=command.sample_rate_hz,
                status=states.REQUESTED, done=0, total=total, created_at=now, updated_at=now))
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()
        return await self.get(principal, command.batch_id)

    async def list(self, principal: Principal) -> list[dict[str, Any]]:
        """The caller's batches (admins: everyone's), newest first."""
        query = select(self.views).order_by(self.views.c.created_at.desc()).limit(self.list_limit)
        if not principal.is_admin:
            query = query.where(self.views.c.owner_id == principal.user_id)
        async with self.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def get(self, principal: Principal, batch_id: str) -> dict[str, Any]:
        async with self.sessions() as session:
            row = (await session.execute(select(self.views).where(self.views.c.batch_id == batch_id))).mappings().first()
        if row is None or not (principal.is_admin or row["owner_id"] == principal.user_id):
            raise NotFound("No such batch prediction.")
        return dict(row)

    async def results(self, principal: Principal, batch_id: str) -> tuple[str, AsyncIterator[bytes]]:
        """File name and a chunk stream of a completed batch's results CSV."""
        row = await self.get(principal, batch_id)
        if row["status"] != states.COMPLETED or not row["results_key"]:
            raise Conflict("The batch prediction has no results yet." if row["status"] in states.OPEN
                           else "The batch prediction failed: it has no results.")
        return RESULTS_NAME.format(batch_id=batch_id), _chunks(self.store, row["results_key"])

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply the deploy service's Batch* events, one transaction per batch of events."""
        async with self.sessions() as session, session.begin():
            for envelope, _ in batch:
                await projection.apply(session, self.views, envelope)


def with_pushed(rows: list[dict[str, Any]], pushed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``rows`` with a pushed Batch* event (its envelope as JSON) applied by the projection's rules: a frame that
    overtakes its own projection shows anyway."""
    event = _event_of(pushed)
    batch_id = getattr(event, "batch_id", None)
    return [row | states.changes(event, row) if batch_id and row["batch_id"] == batch_id else row for row in rows]


def _event_of(pushed: dict[str, Any] | None) -> Any:
    """The payload of a pushed envelope; None for no frame or one that is not an event."""
    try:
        return decode_event(json.dumps(pushed)).payload if pushed else None
    except InvalidEvent:
        return None


def _command(batch_id: str, target: Target, **source: Any) -> BatchPredictionRequested:
    try:
        return BatchPredictionRequested(batch_id=batch_id, model_name=target.model_name, alias=target.alias,
                                        version=target.version, **source)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(".".join(str(part) for part in first["loc"]) or "model_name", first["msg"]) from exc


async def _chunks(store: ObjectStore, key: str) -> AsyncIterator[bytes]:
    """Object chunks read in a worker thread, one at a time."""
    chunks = store.iter_chunks(key)
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk


def _new_id() -> str:
    return uuid.uuid4().hex[:ID_HEX]
