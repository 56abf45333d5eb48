"""The experiments list query: filters, sort (any column or any metric) and paging, and its SQL."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, func, or_, select

from pfd_gateway.experiments.tables import ExperimentTables

SORT_COLUMNS = ("created_at", "updated_at", "name", "model", "dataset_name", "status", "owner_id", "run_count")
METRIC_PATTERN = r"^[A-Za-z0-9_.:-]{1,80}$"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_FILTER_VALUES = 50


class ExperimentQuery(BaseModel):
    """What the experiments grid asks for. ``sort`` is a column of SORT_COLUMNS or the name of any metric
    (e.g. ``record_accuracy``: sorted by its mean over the seeds; experiments without it come last)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str | None = Field(default=None, max_length=200, description="Text in the name, model or data-set name.")
    models: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    dataset_ids: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    statuses: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    tags: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES, description="All of these tags.")
    owner_ids: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    sort: str = Field(default="created_at", pattern=METRIC_PATTERN)
    order: Literal["asc", "desc"] = "desc"
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)

    @property
    def sorts_by_metric(self) -> bool:
        return self.sort not in SORT_COLUMNS


def filters(tables: ExperimentTables, query: ExperimentQuery) -> list[ColumnElement[bool]]:
    """The WHERE terms of ``query`` (visibility is added by the caller)."""
    e = tables.experiments.c
    terms: list[ColumnElement[bool]] = []
    if query.q and query.q.strip():
        pattern = f"%{_escape(query.q.strip().lower())}%"
        terms.append(or_(*(func.lower(column).like(pattern, escape="\\")
                           for column in (e.name, e.model, e.dataset_name))))
    for column, values in ((e.model, query.models), (e.dataset_id, query.dataset_ids), (e.status, query.statuses),
                           (e.owner_id, query.owner_ids)):
        if values:
            terms.append(column.in_(values))
    t = tables.tags.c
    for tag in dict.fromkeys(query.tags):
        terms.append(e.experiment_id.in_(select(t.experiment_id).where(t.tag == tag)))
    return terms


def _direction(column: ColumnElement[Any], order: str) -> ColumnElement[Any]:
    return column.desc() if order == "desc" else column.asc()


def page_select(tables: ExperimentTables, query: ExperimentQuery,
                where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    """Ids of one page sorted by a column (ties broken by creation time, then id, so paging is stable).

    The columns are NOT NULL, so the (column, created_at) indexes serve the order; only ids travel through it.
    """
    e = tables.experiments.c
    return (select(e.experiment_id).where(*where)
            .order_by(_direction(e[query.sort], query.order), _direction(e.created_at, query.order), e.experiment_id)
            .offset(query.offset).limit(query.limit))


def ranked_select(tables: ExperimentTables, query: ExperimentQuery,
                  where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    """Ids of the experiments that have the sort metric, by its mean (the (metric, mean) index serves it)."""
    e, m = tables.experiments.c, tables.metrics.c
    return (select(e.experiment_id)
            .join_from(tables.metrics, tables.experiments, m.experiment_id == e.experiment_id)
            .where(m.metric == query.sort, *where)
            .order_by(_direction(m.mean, query.order), _direction(e.created_at, query.order), e.experiment_id))


def unranked_select(tables: ExperimentTables, query: ExperimentQuery,
                    where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    """Ids of the experiments without the sort metric (listed after the ranked ones), by creation time."""
    e, m = tables.experiments.c, tables.metrics.c
    has_metric = select(m.experiment_id).where(m.experiment_id == e.experiment_id, m.metric == query.sort).exists()
    return (select(e.experiment_id).where(~has_metric, *where)
            .order_by(_direction(e.created_at, query.order), e.experiment_id))


def count_select(tables: ExperimentTables, where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    return select(func.count()).select_from(tables.experiments).where(*where)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
