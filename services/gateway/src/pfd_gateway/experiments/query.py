"""The experiments list query: filters, sort (any column or any metric) and paging, and its SQL."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

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


def page_select(tables: ExperimentTables, query: ExperimentQuery, where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    """Ids of one page in order (ties broken by creation time, then id, so paging is stable)."""
    e, m = tables.experiments.c, tables.metrics.c
    statement = select(e.experiment_id)
    if query.sorts_by_metric:
        statement = statement.select_from(tables.experiments.outerjoin(
            tables.metrics, and_(m.experiment_id == e.experiment_id, m.metric == query.sort)))
        key: ColumnElement = m.mean  # type: ignore[type-arg]
    else:
        key = e[query.sort]
    ordered = key.desc().nulls_last() if query.order == "desc" else key.asc().nulls_last()
    tie = e.created_at.desc() if query.order == "desc" else e.created_at.asc()
    return (statement.where(*where).order_by(ordered, tie, e.experiment_id)
            .offset(query.offset).limit(query.limit))


def count_select(tables: ExperimentTables, where: list[ColumnElement[bool]]) -> Select:  # type: ignore[type-arg]
    return select(func.count()).select_from(tables.experiments).where(*where)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
