"""The Experiments grid (pure): AG Grid columns, the infinite row model's request -> ExperimentQuery, rows, the
filter choices and saved searches as control values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pfd_gateway.dashboard.components.experiments import (
    METRIC_LABELS,
    RESULTS_URL,
    STATUS_COLOURS,
    experiment_url,
    format_summary,
)
from pfd_gateway.experiments.query import MAX_LIMIT, SORT_COLUMNS, ExperimentQuery
from pfd_gateway.experiments.views import ExperimentPage, ExperimentPublic, SavedSearchPublic

GRID_METRICS = ("record_accuracy", "window_accuracy", "macro_f1", "ece", "val_accuracy")
BLOCK_ROWS = 100  # rows per infinite-model request
METRIC_PREFIX = "metric:"
FILTERS = ("q", "models", "dataset_ids", "statuses", "tags", "owner_ids")  # ExperimentQuery fields of the controls
ME = "me"  # the owner filter's "my experiments" choice


def column_defs() -> list[dict[str, Any]]:
    """Name links to the results; status is a live badge; every metric column sorts on the server."""
    plain = {"sortable": True, "resizable": True}
    metrics = [{"headerName": METRIC_LABELS[name], "field": f"{METRIC_PREFIX}{name}", "colId": name,
                "minWidth": 140, **plain} for name in GRID_METRICS]
    return [
        {"headerName": "Name", "field": "name", "colId": "name", "minWidth": 220, "pinned": "left",
         "cellRenderer": "ExperimentLink", **plain},
        {"headerName": "Status", "field": "status", "colId": "status", "minWidth": 120,
         "cellRenderer": "ExperimentStatus", "cellRendererParams": {"colours": STATUS_COLOURS}, **plain},
        {"headerName": "Model", "field": "model", "colId": "model", "minWidth": 130, **plain},
        {"headerName": "Data set", "field": "dataset_name", "colId": "dataset_name", "minWidth": 160, **plain},
        {"headerName": "Seeds", "field": "run_count", "colId": "run_count", "width": 90, **plain},
        *metrics,
        {"headerName": "Tags", "field": "tags", "colId": "tags", "minWidth": 160, "editable": True,
         "sortable": False, "resizable": True, "headerTooltip": "Double-click to edit (comma separated)"},
        {"headerName": "Owner", "field": "owner", "colId": "owner_id", "minWidth": 110, **plain},
        {"headerName": "Created", "field": "created", "colId": "created_at", "minWidth": 150, "sort": "desc",
         **plain},
    ]


def grid_row(item: ExperimentPublic, me: str) -> dict[str, Any]:
    row = {"experiment_id": item.experiment_id, "name": item.name, "status": item.status, "model": item.model,
           "dataset_name": item.dataset_name, "run_count": item.run_count, "tags": ", ".join(item.tags),
           "owner": "you" if item.owner_id == me else item.owner_id,
           "created": item.created_at.strftime("%Y-%m-%d %H:%M"),
           "href": experiment_url(RESULTS_URL, id=item.experiment_id),
           "updated_ms": item.updated_at.timestamp() * 1000.0}  # to tell a row older than a pushed event
    for name in GRID_METRICS:
        row[f"{METRIC_PREFIX}{name}"] = format_summary(name, item.metrics.get(name))
    return row


def rows_response(page: ExperimentPage, me: str) -> dict[str, Any]:
    return {"rowData": [grid_row(item, me) for item in page.items], "rowCount": page.total}


def filter_values(q: str | None, models: Sequence[str] | None, dataset_ids: Sequence[str] | None,
                  statuses: Sequence[str] | None, tags: Sequence[str] | None, owners: Sequence[str] | None,
                  me: str) -> dict[str, Any]:
    """The controls as ExperimentQuery fields ("me" in the owner filter is the caller)."""
    return {"q": (q or "").strip() or None, "models": list(models or ()), "dataset_ids": list(dataset_ids or ()),
            "statuses": list(statuses or ()), "tags": list(tags or ()),
            "owner_ids": [me if owner == ME else owner for owner in owners or ()]}


def grid_query(request: Mapping[str, Any] | None, filters: Mapping[str, Any]) -> ExperimentQuery:
    """The infinite model's block request (startRow, endRow, sortModel) with the filters, as one query."""
    request = request or {}
    start = int(request.get("startRow") or 0)
    end = int(request.get("endRow") or start + BLOCK_ROWS)
    sort = (request.get("sortModel") or [{}])[0]
    column = sort.get("colId") or "created_at"
    known = column in SORT_COLUMNS or column in GRID_METRICS
    return ExperimentQuery(**filters, sort=column if known else "created_at",
                           order="asc" if sort.get("sort") == "asc" else "desc", offset=start,
                           limit=max(1, min(end - start, MAX_LIMIT)))


def facet_options(facets: Mapping[str, Sequence[str]], dataset_names: Mapping[str, str],
                  me: str) -> dict[str, list[dict[str, str]]]:
    """Dropdown options per filter (data sets by name, owners with the caller as "me")."""
    owners = [{"label": "me", "value": ME}] + [{"label": owner, "value": owner}
                                                 for owner in facets.get("owner_ids", ()) if owner != me]
    return {
        "models": [{"label": value, "value": value} for value in facets.get("models", ())],
        "dataset_ids": [{"label": dataset_names.get(value, value), "value": value}
                        for value in facets.get("dataset_ids", ())],
        "statuses": [{"label": value, "value": value} for value in facets.get("statuses", ())],
        "tags": [{"label": value, "value": value} for value in facets.get("tags", ())],
        "owner_ids": owners,
    }


def saved_options(searches: Sequence[SavedSearchPublic]) -> list[dict[str, str]]:
    return [{"label": search.name, "value": search.search_id} for search in searches]


def search_controls(search: SavedSearchPublic, me: str) -> tuple[Any, ...]:
    """A saved search's values for the filter controls (FILTERS order; the caller shown as "me")."""
    query = search.query
    owners = [ME if owner == me else owner for owner in query.get("owner_ids") or ()]
    return (query.get("q") or "", query.get("models") or [], query.get("dataset_ids") or [],
            query.get("statuses") or [], query.get("tags") or [], owners)


def tag_change(old: str | None, new: str | None) -> tuple[list[str], list[str]]:
    """(added, removed) tags between two comma-separated cell values."""
    before = {tag.strip().lower() for tag in (old or "").split(",") if tag.strip()}
    after = [tag.strip().lower() for tag in (new or "").split(",") if tag.strip()]
    return [tag for tag in dict.fromkeys(after) if tag not in before], sorted(before - set(after))


def compare_ids(selected: Sequence[Mapping[str, Any]] | None) -> list[str]:
    return [row["experiment_id"] for row in selected or () if row.get("experiment_id")]
