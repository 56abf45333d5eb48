"""Projection of the deploy service's events into the deployment and model-registry read model.

Idempotent and order-tolerant: a deployment's status only moves forward (``states``), a version is inserted once per
(model, version), benchmarks are facts written whenever they arrive, an alias change is recorded once per event and
moves the alias only when it is the newest change of that alias.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.deploy import (
    BenchmarkCompleted,
    DeploymentFailed,
    DeploymentProgress,
    ModelAliasChanged,
    ModelExported,
    ModelVersionBroken,
    ModelVersionDeleted,
)

from pfd_gateway.deployments import states
from pfd_gateway.deployments.tables import ACTOR_LENGTH, DeploymentTables

FACTS = (DeploymentProgress, ModelExported, BenchmarkCompleted, DeploymentFailed, ModelAliasChanged,
         ModelVersionDeleted, ModelVersionBroken)


async def apply(session: AsyncSession, tables: DeploymentTables, envelope: Envelope[Any]) -> None:
    event, at = envelope.payload, envelope.occurred_at
    if isinstance(event, DeploymentProgress):
        await _move(session, tables, event.deployment_id, states.RUNNING, at, stage=event.stage, done=event.done,
                    total=event.total, message=event.message or None)
    elif isinstance(event, DeploymentFailed):
        await _move(session, tables, event.deployment_id, states.failure_status(event.cancelled), at,
                    error=event.reason, figures=dict(event.figures))
    elif isinstance(event, ModelExported):
        await _exported(session, tables, envelope)
    elif isinstance(event, BenchmarkCompleted):
        await _benchmarked(session, tables, event, at)
    elif isinstance(event, ModelAliasChanged):
        await _alias_changed(session, tables, envelope)
    elif isinstance(event, ModelVersionDeleted):
        await _deleted(session, tables, event, at)
    elif isinstance(event, ModelVersionBroken):
        await _version_facts(session, tables, event.model_name, event.version, at, status=states.BROKEN,
                             error=event.reason, unless=states.GONE)


async def _move(session: AsyncSession, tables: DeploymentTables, deployment_id: str, target: str, at: datetime,
                **values: Any) -> None:
    """Move a known deployment forward; an event that may not move it changes nothing."""
    d = tables.deployments
    status = (await session.execute(select(d.c.status).where(d.c.deployment_id == deployment_id)
                                    .with_for_update())).scalar()
    if status is None or not states.may_move(status, target):
        return
    await session.execute(update(d).where(d.c.deployment_id == deployment_id).values(
        status=target, updated_at=datetime.now(UTC), last_event_at=_newest(d, at), **values))


async def _exported(session: AsyncSession, tables: DeploymentTables, envelope: Envelope[ModelExported]) -> None:
    event, at, now = envelope.payload, envelope.occurred_at, datetime.now(UTC)
    d, v = tables.deployments, tables.versions
    owner = (await session.execute(select(d.c.owner_id).where(d.c.deployment_id == event.deployment_id))).scalar()
    await _ensure_model(session, tables, event.model_name, owner or envelope.owner or "", at)
    await _move(session, tables, event.deployment_id, states.EXPORTED, at, version=event.version, error=None,
                stage=None, message=None)
    known = (await session.execute(select(v.c.version).where(
        v.c.model_name == event.model_name, v.c.version == event.version))).first()
    if known is not None:
        return
    await session.execute(insert(v).values(
        model_name=event.model_name, version=event.version, deployment_id=event.deployment_id,
        experiment_id=event.experiment_id, run_id=event.run_id, architecture=event.model, dataset_id=event.dataset_id,
        class_names=list(event.class_names), window_length=event.window_length, sample_rate_hz=event.sample_rate_hz,
        artefacts=[artefact.model_dump(mode="json") for artefact in event.variants], parity=dict(event.parity),
        metrics=dict(event.metrics), description=event.description, status=states.READY, created_at=at,
        updated_at=now))
    await _touch_model(session, tables, event.model_name, at)


async def _ensure_model(session: AsyncSession, tables: DeploymentTables, model_name: str, owner: str,
                        at: datetime) -> None:
    """The model row (normally reserved by the request; created here for a model registered elsewhere)."""
    m = tables.models
    if (await session.execute(select(m.c.model_name).where(m.c.model_name == model_name))).first() is None:
        await session.execute(insert(m).values(model_name=model_name, owner_id=owner, created_at=at,
                                               updated_at=datetime.now(UTC), last_event_at=at))


async def _touch_model(session: AsyncSession, tables: DeploymentTables, model_name: str, at: datetime) -> None:
    m = tables.models
    await session.execute(update(m).where(m.c.model_name == model_name).values(
        updated_at=datetime.now(UTC), last_event_at=_newest(m, at)))


async def _benchmarked(session: AsyncSession, tables: DeploymentTables, event: BenchmarkCompleted,
                       at: datetime) -> None:
    """The newest measurement of a version (a fact: kept even before the version itself is projected)."""
    b = tables.benchmarks
    known = (await session.execute(select(b.c.at).where(b.c.model_name == event.model_name,
                                                        b.c.version == event.version).with_for_update())).scalar()
    values = {"results": [result.model_dump(mode="json") for result in event.results], "notes": list(event.notes),
              "torch_throughput_per_s": event.torch_throughput_per_s, "at": at}
    if known is None:
        await session.execute(insert(b).values(model_name=event.model_name, version=event.version, **values))
    elif _aware(known) <= at:
        await session.execute(update(b).where(b.c.model_name == event.model_name, b.c.version == event.version)
                              .values(**values))
    await _touch_model(session, tables, event.model_name, at)


async def _version_facts(session: AsyncSession, tables: DeploymentTables, model_name: str, version: int,
                         at: datetime, *, unless: frozenset[str] = frozenset(), **values: Any) -> None:
    v = tables.versions
    where = [v.c.model_name == model_name, v.c.version == version]
    if unless:
        where.append(v.c.status.not_in(unless))
    result = await session.execute(update(v).where(*where).values(updated_at=datetime.now(UTC), **values))
    if result.rowcount:  # type: ignore[attr-defined]
        await _touch_model(session, tables, model_name, at)


async def _deleted(session: AsyncSession, tables: DeploymentTables, event: ModelVersionDeleted, at: datetime) -> None:
    """Gone (its artefacts with it), or back to where it was with the reason the deploy service refused."""
    if event.refused_reason is None:
        await _version_facts(session, tables, event.model_name, event.version, at, status=states.DELETED,
                             error=None, artefacts=[])
        return
    await _version_facts(session, tables, event.model_name, event.version, at, status=states.READY,
                         error=f"Not deleted: {event.refused_reason}", unless=frozenset({states.DELETED,
                                                                                         states.BROKEN}))


async def _alias_changed(session: AsyncSession, tables: DeploymentTables,
                         envelope: Envelope[ModelAliasChanged]) -> None:
    event, at, h = envelope.payload, envelope.occurred_at, tables.history
    event_id = str(envelope.event_id)
    if (await session.execute(select(h.c.id).where(h.c.event_id == event_id))).first() is not None:
        return
    await _ensure_model(session, tables, event.model_name, envelope.owner or "", at)
    await session.execute(insert(h).values(
        event_id=event_id, model_name=event.model_name, alias=event.alias, from_version=event.previous_version,
        to_version=event.version, actor=event.actor[:ACTOR_LENGTH], reason=event.reason, at=at))
    newest = (await session.execute(select(func.max(h.c.at)).where(
        h.c.model_name == event.model_name, h.c.alias == event.alias))).scalar()
    if newest is not None and _aware(newest) > at:
        await _touch_model(session, tables, event.model_name, at)
        return  # an older change arriving late: history only
    a = tables.aliases
    await session.execute(delete(a).where(a.c.model_name == event.model_name, a.c.alias == event.alias))
    if event.version is not None:
        await session.execute(insert(a).values(model_name=event.model_name, alias=event.alias, version=event.version,
                                               updated_at=at))
    await _touch_model(session, tables, event.model_name, at)


def _newest(table: Table, at: datetime) -> Any:
    """SQL: the later of the row's ``last_event_at`` and ``at``."""
    column = table.c.last_event_at
    return case((column.is_(None), at), (column < at, at), else_=column)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def lock_order(item: tuple[Envelope[Any], bytes]) -> tuple[str, str]:
    """Sort key of a batch: by deployment, then model (a stable sort keeps each aggregate's own order), so two
    gateway workers projecting overlapping batches lock rows in one global order."""
    payload = item[0].payload
    return getattr(payload, "deployment_id", ""), getattr(payload, "model_name", "")
