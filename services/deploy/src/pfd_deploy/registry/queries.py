"""Reads and writes of the registry's tables inside the caller's session (the caller commits)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_deploy.registry.tables import alias_history, aliases, deployments, models, variants, versions

Row = Mapping[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


async def get_model(session: AsyncSession, name: str) -> Row | None:
    return (await session.execute(select(models).where(models.c.name == name))).mappings().first()


async def ensure_model(session: AsyncSession, name: str, owner_id: str) -> Row:
    """The model row, created with ``owner_id`` when the name is new."""
    existing = await get_model(session, name)
    if existing is not None:
        return existing
    await session.execute(insert(models).values(name=name, owner_id=owner_id, created_at=now()))
    return {"name": name, "owner_id": owner_id}


async def get_version(session: AsyncSession, name: str, version: int) -> Row | None:
    query = select(versions).where(versions.c.model_name == name, versions.c.version == version)
    return (await session.execute(query)).mappings().first()


async def list_versions(session: AsyncSession, name: str) -> list[Row]:
    query = select(versions).where(versions.c.model_name == name).order_by(versions.c.version)
    return list((await session.execute(query)).mappings())


async def next_version(session: AsyncSession, name: str) -> int:
    """One more than any version registered or reserved by a deployment (numbers are never reused)."""
    registered = (await session.execute(
        select(func.max(versions.c.version)).where(versions.c.model_name == name))).scalar_one_or_none()
    reserved = (await session.execute(
        select(func.max(deployments.c.version)).where(deployments.c.model_name == name))).scalar_one_or_none()
    return max(registered or 0, reserved or 0) + 1


async def insert_version(session: AsyncSession, row: dict[str, Any], files: list[dict[str, Any]]) -> None:
    at = now()
    await session.execute(insert(versions).values(**row, created_at=at, changed_at=at))
    for file in files:
        await session.execute(insert(variants).values(model_name=row["model_name"], version=row["version"], **file))


async def set_status(session: AsyncSession, name: str, version: int, status: str, reason: str | None) -> None:
    await session.execute(update(versions).where(versions.c.model_name == name, versions.c.version == version)
                          .values(status=status, status_reason=reason, changed_at=now()))


async def variants_of(session: AsyncSession, name: str, version: int) -> list[Row]:
    query = select(variants).where(variants.c.model_name == name, variants.c.version == version)
    return list((await session.execute(query.order_by(variants.c.variant))).mappings())


async def alias_version(session: AsyncSession, name: str, alias: str) -> int | None:
    query = select(aliases.c.version).where(aliases.c.model_name == name, aliases.c.alias == alias)
    return (await session.execute(query)).scalar_one_or_none()


async def aliases_of(session: AsyncSession, name: str) -> dict[str, int]:
    rows = await session.execute(select(aliases.c.alias, aliases.c.version).where(aliases.c.model_name == name))
    return {alias: version for alias, version in rows}


async def move_alias(session: AsyncSession, name: str, alias: str, to_version: int | None, *, actor: str,
                     reason: str, event_id: str) -> int | None:
    """Point ``alias`` at ``to_version`` (None removes it) and append the history line; returns the previous."""
    previous = await alias_version(session, name, alias)
    where = (aliases.c.model_name == name, aliases.c.alias == alias)
    at = now()
    if to_version is None:
        await session.execute(delete(aliases).where(*where))
    elif previous is None:
        await session.execute(insert(aliases).values(model_name=name, alias=alias, version=to_version,
                                                     changed_by=actor, changed_at=at))
    else:
        await session.execute(update(aliases).where(*where).values(version=to_version, changed_by=actor,
                                                                   changed_at=at))
    await session.execute(insert(alias_history).values(
        model_name=name, alias=alias, from_version=previous, to_version=to_version, actor=actor, reason=reason,
        event_id=event_id, changed_at=at))
    return previous


async def history(session: AsyncSession, name: str, alias: str | None = None) -> list[Row]:
    """The alias moves of a model (one alias or all), oldest first."""
    query = select(alias_history).where(alias_history.c.model_name == name)
    if alias is not None:
        query = query.where(alias_history.c.alias == alias)
    return list((await session.execute(query.order_by(alias_history.c.id))).mappings())


async def get_deployment(session: AsyncSession, deployment_id: str) -> Row | None:
    query = select(deployments).where(deployments.c.deployment_id == deployment_id)
    return (await session.execute(query)).mappings().first()


async def insert_deployment(session: AsyncSession, **values: Any) -> None:
    at = now()
    await session.execute(insert(deployments).values(**values, created_at=at, changed_at=at))


async def update_deployment(session: AsyncSession, deployment_id: str, **values: Any) -> None:
    await session.execute(update(deployments).where(deployments.c.deployment_id == deployment_id)
                          .values(**values, changed_at=now()))
