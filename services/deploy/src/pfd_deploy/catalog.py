"""The trained runs deploy can export, learnt from training's events (one session, the caller commits): which
data set a run trained on, where its model artefact is and its figures."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_deploy.db import runs


async def run_of(session: AsyncSession, run_id: str) -> Mapping[str, Any] | None:
    return (await session.execute(select(runs).where(runs.c.run_id == run_id))).mappings().first()


async def record_run(session: AsyncSession, run_id: str, experiment_id: str, *,
                     metrics: Mapping[str, float] | None = None, **values: Any) -> None:
    """Insert or complete the run's row: given values replace, ``metrics`` merge into the known ones."""
    existing = await run_of(session, run_id)
    known = {key: value for key, value in values.items() if value is not None}
    merged = {**(existing["metrics"] if existing else {}), **(metrics or {})}
    at = datetime.now(UTC)
    if existing is None:
        try:
            async with session.begin_nested():  # another of the run's events may insert it at the same time
                await session.execute(insert(runs).values(run_id=run_id, experiment_id=experiment_id,
                                                          metrics=merged, recorded_at=at, **known))
            return
        except IntegrityError:
            existing = await run_of(session, run_id)
            merged = {**(existing["metrics"] if existing else {}), **(metrics or {})}
    await session.execute(update(runs).where(runs.c.run_id == run_id).values(metrics=merged, recorded_at=at, **known))


async def forget_experiment(session: AsyncSession, experiment_id: str) -> None:
    await session.execute(delete(runs).where(runs.c.experiment_id == experiment_id))
