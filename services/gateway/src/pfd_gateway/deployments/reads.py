"""Queries of the deployment read model, turned into views (access is checked by the caller)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.deployments import states
from pfd_gateway.deployments.tables import DeploymentTables
from pfd_gateway.deployments.views import (
    AliasChangePublic,
    DeploymentPublic,
    ModelDetail,
    ModelPublic,
    VersionPublic,
)
from pfd_gateway.domain.access import Principal


def owned(principal: Principal, owner_column: Any) -> ColumnElement[bool]:
    """Deployments and models are their owner's (and admins'): nobody else sees them."""
    return true() if principal.is_admin else owner_column == principal.user_id


def deployment_view(row: dict[str, Any]) -> DeploymentPublic:
    return DeploymentPublic.model_validate(row | {"figures": row.get("figures") or {}})


async def deployments(session: AsyncSession, tables: DeploymentTables, where: Sequence[ColumnElement[bool]],
                      limit: int) -> list[DeploymentPublic]:
    d = tables.deployments
    rows = (await session.execute(select(d).where(*where).order_by(d.c.created_at.desc(), d.c.deployment_id)
                                  .limit(limit))).mappings().all()
    return [deployment_view(dict(row)) for row in rows]


async def aliases(session: AsyncSession, tables: DeploymentTables, names: Sequence[str]) -> dict[str, dict[str, int]]:
    a = tables.aliases.c
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for name, alias, version in await session.execute(
            select(a.model_name, a.alias, a.version).where(a.model_name.in_(list(names))).order_by(a.alias)):
        found[name][alias] = version
    return dict(found)


async def models(session: AsyncSession, tables: DeploymentTables,
                 where: Sequence[ColumnElement[bool]]) -> list[ModelPublic]:
    """The models with their live version counts, newest version and aliases, by name."""
    m, v = tables.models, tables.versions.c
    rows = [dict(row) for row in (await session.execute(select(m).where(*where).order_by(m.c.model_name))).mappings()]
    names = [row["model_name"] for row in rows]
    counts = {name: (count, latest) for name, count, latest in await session.execute(
        select(v.model_name, func.count(), func.max(v.version))
        .where(v.model_name.in_(names), v.status != states.DELETED).group_by(v.model_name))}
    pointers = await aliases(session, tables, names)
    return [ModelPublic.model_validate(row | {"versions": counts.get(row["model_name"], (0, None))[0],
                                              "latest_version": counts.get(row["model_name"], (0, None))[1],
                                              "aliases": pointers.get(row["model_name"], {})}) for row in rows]


def version_view(row: dict[str, Any], pointers: dict[str, int],
                 benchmark: dict[str, Any] | None = None) -> VersionPublic:
    names = sorted(alias for alias, version in pointers.items() if version == row["version"])
    measured = {"benchmarks": benchmark["results"], "notes": benchmark["notes"],
                "torch_throughput_per_s": benchmark["torch_throughput_per_s"]} if benchmark else {}
    return VersionPublic.model_validate(row | measured | {"aliases": names})


async def versions(session: AsyncSession, tables: DeploymentTables, model_name: str,
                   pointers: dict[str, int]) -> list[VersionPublic]:
    """The model's versions, newest first, with their benchmarks."""
    v, b = tables.versions, tables.benchmarks
    rows = (await session.execute(select(v).where(v.c.model_name == model_name)
                                  .order_by(v.c.version.desc()))).mappings().all()
    measured = {row["version"]: dict(row) for row in (await session.execute(
        select(b).where(b.c.model_name == model_name))).mappings()}
    return [version_view(dict(row), pointers, measured.get(row["version"])) for row in rows]


async def history(session: AsyncSession, tables: DeploymentTables, model_name: str,
                  limit: int) -> list[AliasChangePublic]:
    h = tables.history
    rows = (await session.execute(select(h).where(h.c.model_name == model_name)
                                  .order_by(h.c.at.desc(), h.c.id.desc()).limit(limit))).mappings().all()
    return [AliasChangePublic.model_validate(dict(row)) for row in rows]


async def model_detail(session: AsyncSession, tables: DeploymentTables, summary: ModelPublic,
                       history_limit: int) -> ModelDetail:
    return ModelDetail(**summary.model_dump(),
                       version_list=await versions(session, tables, summary.model_name, summary.aliases),
                       history=await history(session, tables, summary.model_name, history_limit))
