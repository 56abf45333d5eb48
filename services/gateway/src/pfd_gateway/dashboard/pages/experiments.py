"""Experiments: every experiment the caller may see in an AG Grid with server-side paging, sorting (any column or
metric) and filtering (search, model, data set, status, tags, owner), saved searches, tags edited in the grid,
status cells refreshed by pushed training events, and 2-5 selected experiments opened in Compare.

The grid uses AG Grid's infinite row model: each block it needs is ONE ``ExperimentService.list`` call, so ten
thousand experiments cost no more than ten. Changing a filter purges the grid's cache in the browser
(assets/experiment_grid.js), which asks for its first block again.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import Forbidden, InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.experiment_grid import (
    BLOCK_ROWS,
    FILTERS,
    column_defs,
    filter_values,
    grid_query,
    rows_response,
    saved_options,
    search_controls,
    tag_change,
)
from pfd_gateway.dashboard.components.experiments import COMPARE_URL, NEW_URL
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.experiment_facets import grid_facets
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.dashboard.training_monitor import MAX_RESYNCS
from pfd_gateway.experiments.query import ExperimentQuery

FILTER_IDS = {"q": "experiments-search", "models": "experiments-models", "dataset_ids": "experiments-datasets",
              "statuses": "experiments-statuses", "tags": "experiments-tags", "owner_ids": "experiments-owners"}
FILTER_LABELS = {"models": "Model", "dataset_ids": "Data set", "statuses": "Status", "tags": "Tags",
                 "owner_ids": "Owner"}
GRID_ID = "experiments-grid"
GRID_HEIGHT = "34rem"
BLOCKS_CACHED = 10  # blocks of BLOCK_ROWS the browser keeps while scrolling
STORES = ("experiments-init", "experiments-purged", "experiments-live-refreshed", "experiments-search-saved",
          "experiments-search-deleted", "experiments-tags-saved", "experiments-rechecked")


def filters_row() -> dbc.Row:
    return dbc.Row([dbc.Col(dcc.Dropdown(id=FILTER_IDS[name], multi=True, placeholder=label,
                                         className="pfd-exp-filter"), md=4, lg=True)
                    for name, label in FILTER_LABELS.items()], className="g-2 mb-3")


def search_row() -> dbc.Row:
    search = dbc.Input(id=FILTER_IDS["q"], type="search", placeholder="Search name, model or data set…",
                       debounce=True)
    return dbc.Row([
        dbc.Col(search, lg=4),
        dbc.Col(dcc.Dropdown(id="experiments-saved", placeholder="Saved searches", className="pfd-exp-filter"),
                md=5, lg=3),
        dbc.Col(dbc.InputGroup([
            dbc.Input(id="experiments-save-name", placeholder="Name this search", maxLength=100),
            dbc.Button([html.I(className="bi bi-bookmark-plus me-1"), "Save"], id="experiments-save",
                       color="secondary", outline=True),
            dbc.Button(html.I(className="bi bi-bookmark-x"), id="experiments-delete-search", color="danger",
                       outline=True, title="Delete the chosen saved search"),
        ]), md=7, lg=5),
    ], className="g-2 mb-2 align-items-center")


def grid() -> dag.AgGrid:
    return dag.AgGrid(
        id=GRID_ID, rowModelType="infinite", columnDefs=column_defs(), getRowId="params.data.experiment_id",
        defaultColDef={"filter": False, "suppressHeaderMenuButton": True},
        dashGridOptions={"rowSelection": {"mode": "multiRow", "checkboxes": True, "headerCheckbox": False},
                         "cacheBlockSize": BLOCK_ROWS, "maxBlocksInCache": BLOCKS_CACHED, "infiniteInitialRowCount": 1,
                         "tooltipShowDelay": 300, "animateRows": False, "suppressColumnVirtualisation": True},
        style={"height": GRID_HEIGHT}, className="pfd-exp-grid")


def compare_button() -> html.A:
    return html.A([html.I(className="bi bi-columns-gap me-1"), "Compare selected"], id="experiments-compare",
                  href=COMPARE_URL, className="btn btn-sm btn-outline-primary disabled")


def page_layout(compare_limits: dict[str, Any]) -> html.Div:
    return html.Div([
        page_header("Experiments", "Every experiment you can see: filter, sort by any metric, tag and compare.",
                    compare_button(),
                    html.A([html.I(className="bi bi-plus-circle me-1"), "New experiment"], href=NEW_URL,
                           className="btn btn-sm btn-primary", id="experiments-new")),
        *[dcc.Store(id=store, data=True if store == "experiments-init" else None) for store in STORES],
        dcc.Store(id="experiments-compare-limits", data=compare_limits),
        section_card("Experiments", html.Div([search_row(), filters_row(), html.Div(id="experiments-empty"),
                                              html.Div(id="experiments-tag-result", className="mb-2"), grid()]),
                     actions=html.Small(id="experiments-count", className="text-body-secondary"),
                     card_id="experiments-card"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    settings = ctx.gateway.settings.experiments
    limits = {"min": settings.compare_min, "max": settings.compare_max, "url": COMPARE_URL,
              "maxRefreshes": MAX_RESYNCS}

    @protected
    def layout(**_: Any) -> html.Div:
        return page_layout(limits)

    dash.register_page(__name__, path="/experiments", name="Experiments", title="Experiments · PFD", order=40,
                       sidebar=True, icon="bi-diagram-3", layout=layout)
    service = ctx.gateway.experiments
    controls = [State(FILTER_IDS[name], "value") for name in FILTERS]
    app.clientside_callback(ClientsideFunction("pfd", "experimentsPurge"), Output("experiments-purged", "data"),
                            *[Input(FILTER_IDS[name], "value") for name in FILTERS], State(GRID_ID, "id"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pfd", "experimentsLive"), Output("experiments-live-refreshed", "data"),
                            Input("live-training", "data"), State(GRID_ID, "id"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pfd", "experimentsRecheck"), Output("experiments-rechecked", "data"),
                            Input(GRID_ID, "getRowsResponse"), State(GRID_ID, "id"),
                            State("experiments-compare-limits", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pfd", "experimentsCompare"), Output("experiments-compare", "href"),
                            Output("experiments-compare", "className"), Output("experiments-compare", "children"),
                            Input(GRID_ID, "selectedRows"), State("experiments-compare-limits", "data"),
                            prevent_initial_call=True)

    @app.callback(Output(GRID_ID, "getRowsResponse"), Output("experiments-count", "children"),
                  Output("experiments-empty", "children"), Input(GRID_ID, "getRowsRequest"), *controls)
    def rows(request: dict[str, Any] | None, *values: Any) -> tuple[Any, Any, Any]:
        if request is None:
            raise PreventUpdate
        principal = signed_in_principal()
        filters = filter_values(*values, principal.user_id)
        page = ctx.call(service.list(principal, grid_query(request, filters)))
        return rows_response(page, principal.user_id), f"{page.total:,} experiment(s)", empty_notice(page.total, filters)

    @app.callback(*[Output(FILTER_IDS[name], "options") for name in FILTERS if name != "q"],
                  Input("experiments-init", "data"), Input("experiments-tags-saved", "data"))
    def show_facets(*_: Any) -> tuple[Any, ...]:
        options = ctx.call(grid_facets(service, ctx.gateway.datasets, signed_in_principal()))
        return tuple(options[name] for name in FILTERS if name != "q")

    @app.callback(Output("experiments-saved", "options"), Output("experiments-saved", "value"),
                  Input("experiments-init", "data"), Input("experiments-search-saved", "data"),
                  Input("experiments-search-deleted", "data"), State("experiments-saved", "value"))
    def show_searches(_: Any, __: Any, ___: Any, current: str | None) -> tuple[Any, Any]:
        """Saving lists the search (the filters already are its); a deleted one is no longer chosen."""
        options = saved_options(ctx.call(service.searches(signed_in_principal())))
        return options, current if current in {o["value"] for o in options} else None

    @app.callback(*[Output(FILTER_IDS[name], "value") for name in FILTERS], Input("experiments-saved", "value"),
                  prevent_initial_call=True)
    def apply_search(search_id: str | None) -> tuple[Any, ...]:
        principal = signed_in_principal()
        found = [s for s in ctx.call(service.searches(principal)) if s.search_id == search_id]
        if not found:
            raise PreventUpdate
        return search_controls(found[0], principal.user_id)

    @app.callback(Output("experiments-search-saved", "data"), Input("experiments-save", "n_clicks"),
                  State("experiments-save-name", "value"), *controls, prevent_initial_call=True)
    def save_search(_: int, name: str | None, *values: Any) -> str:
        principal = signed_in_principal()
        if not (name or "").strip():
            raise UserFacingError("Give the search a name to save it.")
        query = ExperimentQuery(**filter_values(*values, principal.user_id))
        return ctx.call(service.save_search(principal, name.strip(), query)).search_id

    @app.callback(Output("experiments-search-deleted", "data"), Input("experiments-delete-search", "n_clicks"),
                  State("experiments-saved", "value"), prevent_initial_call=True)
    def delete_search(_: int, search_id: str | None) -> str:
        if not search_id:
            raise UserFacingError("Choose a saved search to delete.")
        try:
            ctx.call(service.delete_search(signed_in_principal(), search_id))
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc
        return search_id

    @app.callback(Output("experiments-tags-saved", "data"), Output("experiments-tag-result", "children"),
                  Input(GRID_ID, "cellValueChanged"), prevent_initial_call=True)
    def edit_tags(changes: list[dict[str, Any]] | None) -> tuple[Any, Any]:
        change = (changes or [None])[-1]
        if not change or change.get("colId") != "tags":
            raise PreventUpdate
        added, removed = tag_change(change.get("oldValue"), change.get("value"))
        try:
            saved = ctx.call(service.set_tags(signed_in_principal(), change["data"]["experiment_id"], added, removed))
        except (InvalidInput, Forbidden, NotFound) as exc:
            raise UserFacingError(f"Tags not saved: {exc.message}") from exc
        return saved.tags, dbc.Alert(f"Tags of “{saved.name}”: {', '.join(saved.tags) or 'none'}.", color="success",
                                     dismissable=True, className="py-2 mb-0", id="experiments-tag-alert")


def empty_notice(total: int, filters: dict[str, Any]) -> Any:
    if total:
        return None
    if any(filters[name] for name in FILTERS):
        return empty_state("bi-funnel", "No experiment matches these filters", "Clear a filter or the search.")
    return empty_state("bi-diagram-3", "No experiments yet", "Train a model on a ready data set to see it here.",
                       html.A("New experiment", href=NEW_URL, className="btn btn-sm btn-outline-primary"))
