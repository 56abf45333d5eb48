"""Queries of the experiment read model, turned into views (access is checked by the service before)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.experiments import states
from pfd_gateway.experiments.query import ExperimentQuery, count_select, page_select, ranked_select, unranked_select
from pfd_gateway.experiments.tables import ExperimentTables
from pfd_gateway.experiments.views import (
    EpochPublic,
    ExperimentPublic,
    LogLinePublic,
    MetricSummary,
    RunEvaluation,
    RunPublic,
)


async def summaries(session: AsyncSession, tables: ExperimentTables,
                    experiment_ids: Sequence[str]) -> list[ExperimentPublic]:
    """The experiments with their tags and mean ± std metrics, in the order of ``experiment_ids``."""
    if not experiment_ids:
        return []
    e = tables.experiments
    rows = {row["experiment_id"]: dict(row) for row in (await session.execute(
        select(e).where(e.c.experiment_id.in_(list(experiment_ids))))).mappings()}
    return await decorate(session, tables, [rows[i] for i in experiment_ids if i in rows])


async def page(session: AsyncSession, tables: ExperimentTables, query: ExperimentQuery,
               where: list[ColumnElement[bool]]) -> tuple[int, list[ExperimentPublic]]:
    """The number of matching experiments and one page of them (five small queries in one session)."""
    total = int((await session.execute(count_select(tables, where))).scalar_one())
    return total, await summaries(session, tables, await page_ids(session, tables, query, where))


async def page_ids(session: AsyncSession, tables: ExperimentTables, query: ExperimentQuery,
                   where: list[ColumnElement[bool]]) -> list[str]:
    """The ids of one page. Sorted by a metric, the experiments that have it come first (index order), then
    those without it; the second part is only read when the page reaches past the first."""
    if not query.sorts_by_metric:
        return list((await session.execute(page_select(tables, query, where))).scalars())
    ranked = ranked_select(tables, query, where)
    ids = list((await session.execute(ranked.offset(query.offset).limit(query.limit))).scalars())
    if len(ids) == query.limit:
        return ids
    if ids:
        ranked_total = query.offset + len(ids)
    else:
        ranked_total = int((await session.execute(select(func.count()).select_from(ranked.subquery()))).scalar_one())
    rest = unranked_select(tables, query, where).offset(max(0, query.offset - ranked_total))
    return ids + list((await session.execute(rest.limit(query.limit - len(ids)))).scalars())


async def decorate(session: AsyncSession, tables: ExperimentTables,
                   rows: list[dict[str, Any]]) -> list[ExperimentPublic]:
    """Experiment rows as views, with their tags and metrics (two queries for all of them)."""
    if not rows:
        return []
    t, m = tables.tags, tables.metrics
    ids = [row["experiment_id"] for row in rows]
    tags: dict[str, list[str]] = defaultdict(list)
    for experiment_id, tag in await session.execute(
            select(t.c.experiment_id, t.c.tag).where(t.c.experiment_id.in_(ids)).order_by(t.c.tag)):
        tags[experiment_id].append(tag)
    metrics: dict[str, dict[str, MetricSummary]] = defaultdict(dict)
    for row in (await session.execute(select(m).where(m.c.experiment_id.in_(ids)).order_by(m.c.metric))).mappings():
        metrics[row["experiment_id"]][row["metric"]] = MetricSummary(
            mean=row["mean"], std=row["std"], count=row["count"], values=list(row["run_values"]))
    return [ExperimentPublic.model_validate(row | {"tags": tags[row["experiment_id"]],
                                                   "metrics": metrics[row["experiment_id"]]}) for row in rows]


async def facets(session: AsyncSession, tables: ExperimentTables,
                 visible: ColumnElement[bool]) -> dict[str, list[str]]:
    """Distinct filter values over the visible experiments."""
    e, t = tables.experiments.c, tables.tags.c
    result: dict[str, list[str]] = {}
    for name, column in (("models", e.model), ("dataset_ids", e.dataset_id), ("statuses", e.status),
                         ("owner_ids", e.owner_id)):
        query = select(column).where(visible).distinct().order_by(column)
        result[name] = list((await session.execute(query)).scalars())
    result["tags"] = list((await session.execute(
        select(t.tag).join(tables.experiments, e.experiment_id == t.experiment_id).where(visible)
        .distinct().order_by(t.tag))).scalars())
    return result


async def runs(session: AsyncSession, tables: ExperimentTables, experiment_id: str, now: datetime) -> list[RunPublic]:
    r = tables.runs.c
    rows = (await session.execute(select(tables.runs).where(r.experiment_id == experiment_id)
                                  .order_by(r.run_index))).mappings().all()
    return [run_view(dict(row), now) for row in rows]


def run_view(row: dict[str, Any], now: datetime) -> RunPublic:
    """A run row as a view, with the ETA of a running run (epochs left x last epoch's duration)."""
    eta = None
    if row["status"] == states.RUNNING and row["epochs"] and row["epoch_seconds"] is not None:
        eta = max(0.0, (row["epochs"] - row["epoch"]) * row["epoch_seconds"])
    values = {key: value for key, value in row.items() if key in RunPublic.model_fields}
    return RunPublic.model_validate(values | {"metrics": row["metrics"] or {}, "artefacts": row["artefacts"] or {},
                                              "eta_s": eta})


async def run_ids(session: AsyncSession, tables: ExperimentTables,
                  experiment_ids: Sequence[str]) -> dict[str, list[str]]:
    r = tables.runs.c
    found: dict[str, list[str]] = defaultdict(list)
    for experiment_id, run_id in await session.execute(
            select(r.experiment_id, r.run_id).where(r.experiment_id.in_(list(experiment_ids)))
            .order_by(r.experiment_id, r.run_index)):
        found[experiment_id].append(run_id)
    return dict(found)


async def epochs(session: AsyncSession, tables: ExperimentTables,
                 run_ids_: Sequence[str]) -> dict[str, list[EpochPublic]]:
    """Epoch history per run, in epoch order."""
    if not run_ids_:
        return {}
    p = tables.epochs.c
    history: dict[str, list[EpochPublic]] = defaultdict(list)
    for row in (await session.execute(select(tables.epochs).where(p.run_id.in_(list(run_ids_)))
                                      .order_by(p.run_id, p.epoch))).mappings():
        history[row["run_id"]].append(EpochPublic.model_validate(dict(row)))
    return dict(history)


async def logs(session: AsyncSession, tables: ExperimentTables, run_id: str, after_id: int | None,
               limit: int) -> list[LogLinePublic]:
    """The newest ``limit`` lines (after ``after_id``), oldest first."""
    g = tables.logs.c
    query = select(g.id, g.at, g.level, g.line).where(g.run_id == run_id)
    if after_id is not None:
        query = query.where(g.id > after_id)
    rows = (await session.execute(query.order_by(g.id.desc()).limit(limit))).mappings().all()
    return [LogLinePublic.model_validate(dict(row)) for row in reversed(rows)]


async def evaluations(session: AsyncSession, tables: ExperimentTables,
                      experiment_ids: Sequence[str]) -> dict[str, list[RunEvaluation]]:
    """The projected evaluations of the evaluated runs of each experiment, in run order."""
    r = tables.runs.c
    found: dict[str, list[RunEvaluation]] = defaultdict(list)
    for row in (await session.execute(
            select(r.experiment_id, r.run_id, r.seed, r.evaluation)
            .where(r.experiment_id.in_(list(experiment_ids)), r.evaluation.is_not(None))
            .order_by(r.experiment_id, r.run_index))).mappings():
        if row["evaluation"]:
            found[row["experiment_id"]].append(RunEvaluation.model_validate(
                row["evaluation"] | {"run_id": row["run_id"], "seed": row["seed"]}))
    return dict(found)


def finite_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The numeric, finite entries of a metrics mapping."""
    return {key: float(value) for key, value in metrics.items()
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)}
