"""DatasetCatalog: the gateway's data-set use cases (request, import, upload, list, show, delete)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import PurePath
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, InvalidEvent, decode_event, new_envelope
from pfd_shared.events.datasets import (
    DatasetDeleteRequested,
    DatasetGenerationRequested,
    DatasetImportRequested,
    ImportFileSpec,
)
from pfd_shared.recordings.inspection import FileInspection, inspect_stream
from pfd_shared.recordings.readers import ImportFileError
from pfd_shared.storage import ObjectInfo, ObjectStore
from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.auth.shares import ShareService
from pfd_gateway.datasets import projection, states
from pfd_gateway.datasets.requests import check_upload_owner, resolve_config, upload_prefix
from pfd_gateway.datasets.tables import RESOURCE_TYPE
from pfd_gateway.domain.access import Principal

UPLOAD_SUFFIXES = (".mat", ".csv", ".npy", ".npz")


class UploadTooLarge(InvalidInput):
    pass


class _LimitedReader:
    """Refuses to read past ``limit`` bytes, so an oversized upload stops early."""

    def __init__(self, stream: BinaryIO, limit: int, file_name: str) -> None:
        self.stream, self.limit, self.read_bytes, self.file_name = stream, limit, 0, file_name

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise UploadTooLarge("file", f"{self.file_name} is larger than {self.limit:,} bytes")
        return data


class DatasetCatalog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], views: Table, outbox: Table, relay: OutboxRelay,
                 shares: ShareService, store: ObjectStore, *, producer: str, max_upload_bytes: int) -> None:
        self.sessions, self.views, self.outbox, self.relay = sessions, views, outbox, relay
        self.shares, self.store, self.producer, self.max_upload_bytes = shares, store, producer, max_upload_bytes

    async def _create(self, principal: Principal, command: Any, kind: str, request: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC)
        correlation = correlation_id_var.get()
        envelope = new_envelope(command, producer=self.producer, owner=principal.user_id,
                                correlation_id=uuid.UUID(correlation) if correlation else None)
        async with self.sessions() as session, session.begin():
            await session.execute(insert(self.views).values(
                dataset_id=command.dataset_id, owner_id=principal.user_id, name=command.name, kind=kind,
                status=states.REQUESTED, request=request, cached=False, created_at=now, updated_at=now))
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()
        return await self.get(principal, command.dataset_id)

    async def request_generation(self, principal: Principal, name: str, preset: str | None,
                                 overrides: dict[str, Any], seed: int, snr_db: tuple[float, ...]) -> dict[str, Any]:
        config = resolve_config(preset, overrides)
        command = DatasetGenerationRequested(dataset_id=_new_id(), name=name, config=config.model_dump(mode="json"),
                                             seed=seed, robustness_snr_db=snr_db)
        return await self._create(principal, command, "synthetic",
                                  {"preset": preset, "config": overrides, "seed": seed, "records": config.n_records})

    async def request_import(self, principal: Principal, name: str, files: list[ImportFileSpec],
                             **options: Any) -> dict[str, Any]:
        """``options``: the other fields of DatasetImportRequested (rate, record length, windows, split policy, seed)."""
        check_upload_owner(principal.user_id, [spec.object_key for spec in files])
        for index, spec in enumerate(files):
            if not await asyncio.to_thread(self.store.exists, spec.object_key):
                raise InvalidInput(f"files.{index}.object_key", f"{spec.file_name}: upload not found")
        command = DatasetImportRequested(dataset_id=_new_id(), name=name, files=tuple(files), **options)
        return await self._create(principal, command, "imported", command.model_dump(mode="json", exclude={"dataset_id"}))

    async def upload(self, principal: Principal, file_name: str, stream: BinaryIO) -> tuple[ObjectInfo, FileInspection]:
        """Store the file, then list its variables from its headers (the local spool of the upload, not the
        object store); a file that cannot be read is refused and removed, the message naming it."""
        info = await self._store_upload(principal, file_name, stream)
        try:
            stream.seek(0)
            inspection = await asyncio.to_thread(inspect_stream, stream, PurePath(file_name).name)
        except ImportFileError as exc:
            await asyncio.to_thread(self.store.delete, info.key)
            raise InvalidInput("file", str(exc)) from exc
        return info, inspection

    async def _store_upload(self, principal: Principal, file_name: str, stream: BinaryIO) -> ObjectInfo:
        name = PurePath(file_name).name
        if PurePath(name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise InvalidInput("file", f"{name}: unsupported file type; use {', '.join(UPLOAD_SUFFIXES)}")
        key = f"{upload_prefix(principal.user_id)}{uuid.uuid4().hex[:12]}-{_safe(name)}"
        reader = _LimitedReader(stream, self.max_upload_bytes, name)
        try:
            info = await asyncio.to_thread(self.store.put_stream, key, reader)  # type: ignore[arg-type]
        except UploadTooLarge:
            await asyncio.to_thread(self.store.delete, key)
            raise
        if info.size == 0:
            await asyncio.to_thread(self.store.delete, key)
            raise InvalidInput("file", f"{name}: the file is empty")
        return info

    async def list(self, principal: Principal) -> list[dict[str, Any]]:
        clause = ShareService.visible_clause(principal, RESOURCE_TYPE, self.views.c.dataset_id, self.views.c.owner_id)
        query = select(self.views).where(clause, self.views.c.status != states.DELETED)
        async with self.sessions() as session:
            rows = (await session.execute(query.order_by(self.views.c.created_at.desc()))).mappings().all()
        return [dict(row) for row in rows]

    async def get(self, principal: Principal, dataset_id: str, *, write: bool = False) -> dict[str, Any]:
        async with self.sessions() as session:
            row = (await session.execute(select(self.views).where(self.views.c.dataset_id == dataset_id))).mappings().first()
        if row is None or row["status"] == states.DELETED:
            raise NotFound("No such data set.")
        await self.shares.ensure_access(principal, RESOURCE_TYPE, dataset_id, row["owner_id"], write=write)
        return dict(row)

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply data-gen's events to the read model, one transaction per batch."""
        async with self.sessions() as session, session.begin():
            for envelope, _ in batch:
                await projection.apply(session, self.views, envelope)

    async def download(self, principal: Principal, dataset_id: str) -> tuple[str, AsyncIterator[bytes]]:
        """File name and a chunk stream of a ready data set's HDF5 object."""
        row = await self.get(principal, dataset_id)
        if row["status"] != states.READY or not row["object_key"]:
            raise Conflict("The data set is not ready.")
        return f"{_safe(row['name'])}.h5", _stream(self.store, row["object_key"])

    async def delete(self, principal: Principal, dataset_id: str) -> None:
        row = await self.get(principal, dataset_id, write=True)
        if not states.can_delete(row["status"]):
            raise Conflict("The data set is already being deleted.")
        envelope = new_envelope(DatasetDeleteRequested(dataset_id=dataset_id), producer=self.producer,
                                owner=row["owner_id"])
        async with self.sessions() as session, session.begin():
            await session.execute(update(self.views).where(self.views.c.dataset_id == dataset_id).values(
                status=states.DELETING, updated_at=datetime.now(UTC)))
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()


def with_pushed(rows: list[dict[str, Any]], pushed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``rows`` of ``list`` with a pushed data-set event (its envelope as JSON) applied to its row.

    The push to browsers and the read-model projection consume the same events independently, so a frame can
    overtake its own projection; a view refreshed by that frame shows it anyway (same rules: state, not deltas).
    """
    if not pushed:
        return rows
    try:
        event = decode_event(json.dumps(pushed)).payload
    except InvalidEvent:
        return rows
    target = getattr(event, "dataset_id", None)
    applied = [row | projection.changes(event, row["status"]) if row["dataset_id"] == target else row
               for row in rows]
    return [row for row in applied if row["status"] != states.DELETED]


async def _stream(store: ObjectStore, key: str) -> AsyncIterator[bytes]:
    """Object chunks read in a worker thread, one at a time (never the whole file in memory)."""
    chunks = store.iter_chunks(key)
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _safe(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).lstrip("._-")
    return cleaned[:120] or "upload"
