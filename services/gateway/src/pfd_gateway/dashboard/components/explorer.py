"""Data Explorer pieces (pure: explorer results in, components out) and the parsing of the page's stores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from pydantic import ValidationError

from pfd_shared.exploration.models import METHOD_LABELS, SPLIT_NAMES, ProjectionSpec, RecordFilter

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.explorer.analysis import Overview
from pfd_gateway.explorer.grid import RECORD, Column, Page
from pfd_gateway.explorer.service import Described, ProjectionView

OPERATING_LABELS = {"speed_hz": "Shaft speed (Hz)", "load": "Load", "temperature_c": "Temperature (°C)"}
SLIDER_STEPS = 100
GRID_ID = "explorer-grid"
GRID_HEIGHT = "520px"
BLOCKS_CACHED = 10
FULL_PERCENT = 100.0
STATUS_TEXT = {"not_computed": "Not computed yet: press Run.", "requested": "Waiting for the data-generation service…",
               "running": "Computing…", "ready": "Ready.", "failed": "Failed.", "cancelled": "Cancelled."}
STATUS_COLOURS = {"requested": "secondary", "running": "info", "ready": "success", "failed": "danger",
                  "cancelled": "warning", "not_computed": "secondary"}
NO_VALUE = "—"


def _dropdown(control_id: str, options: list[str], placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=control_id, options=[{"label": name, "value": name} for name in options], multi=True,
                        placeholder=placeholder, className="pfd-explorer-dropdown")


def _range(name: str, low: float, high: float) -> html.Div:
    step = (high - low) / SLIDER_STEPS if high > low else 1.0
    return html.Div([
        html.Label(OPERATING_LABELS.get(name, name), className="small mb-1"),
        dcc.RangeSlider(id={"type": "explorer-range", "name": name}, min=low, max=high, step=step, value=[low, high],
                        marks=None, allowCross=False, tooltip={"placement": "bottom", "always_visible": False}),
        html.Div(f"{low:.4g} – {high:.4g}", className="small text-body-secondary",
                 id={"type": "explorer-range-text", "name": name}),
    ], className="mb-3")


def filter_controls(described: Described) -> html.Div:
    """Class, severity and split pickers and one range slider per operating condition of this data set."""
    info = described.description
    severity = html.Div([dbc.Label("Severity", html_for="explorer-severities", className="small mb-1"),
                         _dropdown("explorer-severities", list(info.severity_levels), "every level")],
                        className="mb-3", hidden=not info.severity_levels)
    return html.Div([
        html.Div([dbc.Label("Classes", html_for="explorer-classes", className="small mb-1"),
                  _dropdown("explorer-classes", list(info.class_names), "every class")], className="mb-3"),
        severity,
        html.Div([dbc.Label("Splits", className="small mb-1"),
                  dbc.Checklist(id="explorer-splits", options=[{"label": s, "value": s} for s in info.splits],
                                value=list(info.splits), inline=True)], className="mb-3"),
        *[_range(name, low, high) for name, (low, high) in info.ranges.items()],
    ], id="explorer-filter-controls")


def bounds(described: Described) -> dict[str, Any]:
    """What the browser needs to turn the controls into a filter (a full range or every split: no restriction)."""
    return {"ranges": {name: list(span) for name, span in described.description.ranges.items()},
            "splits": list(described.description.splits)}


def feature_options(described: Described) -> list[dict[str, Any]]:
    """Features by group (the group headings are disabled entries)."""
    options: list[dict[str, Any]] = []
    for group, names in described.description.feature_groups.items():
        options.append({"label": html.Strong(group.capitalize(), className="small text-uppercase"),
                        "value": f"group:{group}", "disabled": True})
        options += [{"label": name, "value": name} for name in names]
    return options


def first_feature(described: Described) -> str | None:
    groups = described.description.feature_groups
    return next((names[0] for names in groups.values() if names), None)


def column_defs(columns: list[Column]) -> list[dict[str, Any]]:
    defs = []
    for column in columns:
        number = column.kind == "number"
        definition: dict[str, Any] = {"field": column.col_id, "headerName": column.header, "sortable": True,
                                      "filter": "agNumberColumnFilter" if number else "agTextColumnFilter",
                                      "minWidth": 110 if number else 130}
        if number and column.col_id != RECORD:
            definition["valueFormatter"] = {"function": "params.value == null ? '' : d3.format('.4~g')(params.value)"}
        if column.col_id == RECORD:
            definition |= {"pinned": "left", "minWidth": 100, "cellClass": "pfd-explorer-record-link"}
        defs.append(definition)
    return defs


def records_grid(page_size: int) -> dag.AgGrid:
    return dag.AgGrid(
        id=GRID_ID, rowModelType="infinite", columnDefs=[], getRowId="String(params.data.record)",
        defaultColDef={"resizable": True, "filterParams": {"maxNumConditions": 2}},
        dashGridOptions={"pagination": True, "paginationPageSize": page_size, "cacheBlockSize": page_size,
                         "maxBlocksInCache": BLOCKS_CACHED, "infiniteInitialRowCount": 1, "animateRows": False,
                         "paginationPageSizeSelector": False,
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}},
        style={"height": GRID_HEIGHT}, className="pfd-explorer-grid")


def grid_response(page: Page) -> dict[str, Any]:
    return {"rowData": page.rows, "rowCount": page.row_count}


def _number(value: float | None, digits: str = ".3g") -> str:
    return NO_VALUE if value is None else format(value, digits)


def summary_table(overview: Overview) -> Any:
    """One row per class: records, share, split sizes, mean operating conditions and severity."""
    if not overview.selected:
        return empty_state("bi-funnel", "No record matches the filters", "Widen a range or add a class.")
    operating = [name for name in OPERATING_LABELS if any(name in c.operating_means for c in overview.classes)]
    severity = any(c.mean_severity is not None for c in overview.classes)
    head = ["Class", "Records", "Share", *[name.capitalize() for name in SPLIT_NAMES],
            *[f"Mean {OPERATING_LABELS[name][0].lower()}{OPERATING_LABELS[name][1:]}" for name in operating],
            *(["Mean severity"] if severity else [])]
    body = [html.Tr([
        html.Td(summary.name, className="fw-semibold"), html.Td(f"{summary.records:,}"), html.Td(f"{summary.share:.1%}"),
        *[html.Td(f"{summary.splits.get(name, 0):,}") for name in SPLIT_NAMES],
        *[html.Td(_number(summary.operating_means.get(name))) for name in operating],
        *([html.Td(_number(summary.mean_severity, ".2f"))] if severity else []),
    ]) for summary in overview.classes]
    return dbc.Table([html.Thead(html.Tr([html.Th(title) for title in head])), html.Tbody(body)], size="sm",
                     hover=True, responsive=True, className="mb-0 align-middle", id="explorer-summary-table")


def selection_badge(overview: Overview) -> html.Span:
    return html.Span(f"{overview.selected:,} of {overview.total:,} records", id="explorer-selected",
                     className="badge text-bg-primary")


def projection_status(view: ProjectionView) -> html.Div:
    """Badge, a progress bar while it runs, the reason when it failed."""
    parts: list[Any] = [dbc.Badge(view.status.replace("_", " "), color=STATUS_COLOURS.get(view.status, "secondary"),
                                  className="me-2", id="explorer-projection-badge"),
                        html.Span(f"{METHOD_LABELS.get(view.method, view.method)} of {view.selected:,} records. "
                                  f"{STATUS_TEXT.get(view.status, '')}", className="small")]
    if view.status in ("requested", "running"):
        fraction = view.fraction
        parts.append(dbc.Progress(value=FULL_PERCENT * (fraction if fraction is not None else 1.0),
                                  striped=True, animated=True, className="mt-2", id="explorer-projection-progress",
                                  label=f"{view.stage} {fraction:.0%}" if fraction is not None else view.stage))
    if view.message and view.status in ("failed", "cancelled"):
        parts.append(html.Div(view.message, className="small text-danger mt-1", id="explorer-projection-error"))
    return html.Div(parts)


def parse_filter(data: Mapping[str, Any] | None) -> RecordFilter:
    try:
        return RecordFilter.model_validate(data or {})
    except ValidationError as exc:
        raise UserFacingError(f"The filter is not valid: {exc.errors()[0]['msg']}") from exc


def parse_spec(method: str | None, perplexity: Any, neighbours: Any, min_dist: Any) -> ProjectionSpec:
    values = {"method": method or "pca", "perplexity": perplexity, "n_neighbors": neighbours, "min_dist": min_dist}
    try:
        return ProjectionSpec.model_validate({key: value for key, value in values.items() if value is not None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserFacingError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc
