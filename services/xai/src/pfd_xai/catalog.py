"""Reads and writes of xai's tables (one session, the caller commits)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_xai.db import datasets, embeddings, explanations, models


def _now() -> datetime:
    return datetime.now(UTC)


async def record_model(session: AsyncSession, run_id: str, experiment_id: str, model_key: str) -> None:
    values = {"experiment_id": experiment_id, "model_key": model_key, "recorded_at": _now()}
    if await model_key_of(session, run_id) is None:
        await session.execute(insert(models).values(run_id=run_id, **values))
    else:
        await session.execute(update(models).where(models.c.run_id == run_id).values(**values))


async def model_key_of(session: AsyncSession, run_id: str) -> str | None:
    return (await session.execute(select(models.c.model_key).where(models.c.run_id == run_id))).scalar_one_or_none()


async def forget_experiment(session: AsyncSession, experiment_id: str) -> None:
    await session.execute(delete(models).where(models.c.experiment_id == experiment_id))
    await session.execute(delete(explanations).where(explanations.c.experiment_id == experiment_id))
    await session.execute(delete(embeddings).where(embeddings.c.experiment_id == experiment_id))


async def record_dataset(session: AsyncSession, dataset_id: str, object_key: str, records: int,
                         sample_rate_hz: float) -> None:
    values = {"object_key": object_key, "records": records, "sample_rate_hz": sample_rate_hz, "recorded_at": _now()}
    if await dataset_of(session, dataset_id) is None:
        await session.execute(insert(datasets).values(dataset_id=dataset_id, **values))
    else:
        await session.execute(update(datasets).where(datasets.c.dataset_id == dataset_id).values(**values))


async def dataset_of(session: AsyncSession, dataset_id: str) -> dict[str, Any] | None:
    row = (await session.execute(select(datasets).where(datasets.c.dataset_id == dataset_id))).mappings().first()
    return dict(row) if row is not None else None


async def forget_dataset(session: AsyncSession, dataset_id: str) -> None:
    await session.execute(delete(datasets).where(datasets.c.dataset_id == dataset_id))
    await session.execute(delete(embeddings).where(embeddings.c.dataset_id == dataset_id))


async def _cached_row(session: AsyncSession, table: Table, cache_key: str) -> dict[str, Any] | None:
    row = (await session.execute(select(table).where(table.c.cache_key == cache_key))).mappings().first()
    return dict(row) if row is not None else None


async def _store_once(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Insert the row unless its cache key is there already (a redelivered request computed it twice)."""
    if await _cached_row(session, table, values["cache_key"]) is None:
        await session.execute(insert(table).values(created_at=_now(), **values))


async def cached(session: AsyncSession, cache_key: str) -> dict[str, Any] | None:
    return await _cached_row(session, explanations, cache_key)


async def store_explanation(session: AsyncSession, **values: Any) -> None:
    await _store_once(session, explanations, values)


async def cached_embedding(session: AsyncSession, cache_key: str) -> dict[str, Any] | None:
    return await _cached_row(session, embeddings, cache_key)


async def store_embedding(session: AsyncSession, **values: Any) -> None:
    await _store_once(session, embeddings, values)
