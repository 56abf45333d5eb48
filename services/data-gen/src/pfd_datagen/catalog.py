"""The data-set catalogue (data-gen's own table): every SQL statement of the service lives here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_datagen.db import datasets

BUILDING, READY, FAILED, DELETED = "building", "ready", "failed", "deleted"


@dataclass(frozen=True)
class DatasetRow:
    dataset_id: str
    owner: str | None
    name: str
    kind: str
    status: str
    cache_key: str | None
    object_key: str | None
    summary: dict[str, Any] | None


def _row(mapping: Any) -> DatasetRow:
    return DatasetRow(mapping.dataset_id, mapping.owner, mapping.name, mapping.kind, mapping.status,
                      mapping.cache_key, mapping.object_key, mapping.summary)


async def get(session: AsyncSession, dataset_id: str) -> DatasetRow | None:
    found = (await session.execute(select(datasets).where(datasets.c.dataset_id == dataset_id))).first()
    return _row(found) if found else None


async def find_ready_by_cache_key(session: AsyncSession, key: str) -> DatasetRow | None:
    query = select(datasets).where(datasets.c.cache_key == key, datasets.c.status == READY).limit(1)
    found = (await session.execute(query)).first()
    return _row(found) if found else None


async def start(session: AsyncSession, *, dataset_id: str, owner: str | None, name: str, kind: str,
                cache_key: str | None) -> None:
    now = datetime.now(UTC)
    existing = await get(session, dataset_id)
    values = {"owner": owner, "name": name, "kind": kind, "status": BUILDING, "cache_key": cache_key,
              "error": None, "updated_at": now}
    if existing is None:
        await session.execute(insert(datasets).values(dataset_id=dataset_id, created_at=now, **values))
    else:
        await session.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(**values))


async def finish(session: AsyncSession, dataset_id: str, *, object_key: str, size_bytes: int, sha256: str,
                 summary: dict[str, Any]) -> None:
    await session.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(
        status=READY, object_key=object_key, size_bytes=size_bytes, sha256=sha256, summary=summary,
        updated_at=datetime.now(UTC)))


async def fail(session: AsyncSession, dataset_id: str, reason: str) -> None:
    await session.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(
        status=FAILED, error=reason, updated_at=datetime.now(UTC)))


async def mark_deleted(session: AsyncSession, dataset_id: str) -> None:
    await session.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(
        status=DELETED, updated_at=datetime.now(UTC)))


async def object_users(session: AsyncSession, object_key: str) -> int:
    """How many live data sets share this object (cached builds point at one file)."""
    query = select(func.count()).select_from(datasets).where(datasets.c.object_key == object_key,
                                                             datasets.c.status != DELETED)
    return int((await session.execute(query)).scalar_one())
