"""Data Explorer: filters (class, severity, split, operating ranges) over one ready data set; overview, feature
distributions, correlation, mutual-information ranking, PCA / t-SNE / UMAP projections computed in the
background by data-gen (progress pushed live, cancellable, cached), and the records table (AG Grid, server-side
paging, sort and filter) whose rows open the Signal Viewer. Only the data set's small arrays are read.

The filter controls are turned into ``explorer-filter`` in the browser (assets/explorer.js); each server
callback calls ONE ``DataExplorer`` function with it, and only while its tab is shown.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from dash import ctx as callback_ctx
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import AuthError
from pfd_gateway.dashboard.components import explorer as parts
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures import explorer as figures
from pfd_gateway.dashboard.figures.datasets import class_distribution_figure
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal

T = TypeVar("T")
PICK_FIRST = "Pick a ready data set."
TABS = {"overview": "Overview", "distributions": "Distributions", "correlation": "Correlation",
        "ranking": "Feature ranking", "projection": "Projection", "records": "Records"}
STORES = ("explorer-filter", "explorer-bounds", "explorer-classes-order", "explorer-projection-current",
          "explorer-projection-cancelled", "explorer-grid-purged")
METHODS = [{"label": "PCA", "value": "pca"}, {"label": "t-SNE", "value": "tsne"}, {"label": "UMAP", "value": "umap"}]
SIGNALS_URL = "/signals"


def _graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=no_data_figure(PICK_FIRST), config={"displaylogo": False})


def projection_controls() -> html.Div:
    number = {"type": "number", "size": "sm", "debounce": True}
    return html.Div([
        dbc.Row([
            dbc.Col([dbc.Label("Method", html_for="explorer-method", className="small mb-1"),
                     dbc.Select(id="explorer-method", options=METHODS, value="pca", size="sm")], md=2),
            dbc.Col([dbc.Label("Perplexity", html_for="explorer-perplexity", className="small mb-1"),
                     dbc.Input(id="explorer-perplexity", value=30, min=2, max=100, step=1, **number)], md=2,
                    id="explorer-tsne-params"),
            dbc.Col([dbc.Label("Neighbours", html_for="explorer-neighbours", className="small mb-1"),
                     dbc.Input(id="explorer-neighbours", value=15, min=2, max=200, step=1, **number)], md=2,
                    id="explorer-umap-neighbours"),
            dbc.Col([dbc.Label("Min. distance", html_for="explorer-min-dist", className="small mb-1"),
                     dbc.Input(id="explorer-min-dist", value=0.1, min=0, max=1, step=0.05, **number)], md=2,
                    id="explorer-umap-min-dist"),
            dbc.Col(html.Div([
                dbc.Button([html.I(className="bi bi-play-fill me-1"), "Run"], id="explorer-projection-run",
                           color="primary", size="sm"),
                dbc.Button([html.I(className="bi bi-stop-fill me-1"), "Cancel"], id="explorer-projection-cancel",
                           color="danger", outline=True, size="sm", disabled=True),
            ], className="d-flex gap-2"), md="auto", className="d-flex align-items-end"),
        ], className="g-2 mb-2 align-items-end"),
        html.Div(id="explorer-projection-status", className="mb-2"),
    ])


def tab_panes() -> list[dbc.Tab]:
    overview = html.Div([
        dbc.Row([
            dbc.Col(section_card("Class distribution", dcc.Graph(id="explorer-classes-graph",
                                                                 config={"displayModeBar": False})), lg=6,
                    className="mb-3"),
            dbc.Col(section_card("Severity by class", _graph("explorer-severity-graph")), lg=6, className="mb-3"),
        ]),
        section_card("Per-class summary", html.Div(id="explorer-summary")),
    ])
    distributions = html.Div([
        dbc.Row([
            dbc.Col([dbc.Label("Feature", html_for="explorer-feature", className="small mb-1"),
                     dcc.Dropdown(id="explorer-feature", clearable=False, className="pfd-explorer-dropdown")], md=5),
            dbc.Col([dbc.Label("Plot", className="small mb-1"),
                     dbc.RadioItems(id="explorer-plot-kind", options=[{"label": "Box", "value": "box"},
                                                                      {"label": "Violin", "value": "violin"}],
                                    value="box", inline=True)], md="auto"),
        ], className="g-2 mb-3 align-items-end"),
        dbc.Row([
            dbc.Col(section_card("Per class", _graph("explorer-distribution-graph")), lg=6, className="mb-3"),
            dbc.Col(section_card("Histogram", _graph("explorer-histogram-graph")), lg=6, className="mb-3"),
        ]),
    ])
    return [
        dbc.Tab(overview, label=TABS["overview"], tab_id="overview"),
        dbc.Tab(distributions, label=TABS["distributions"], tab_id="distributions"),
        dbc.Tab(_graph("explorer-correlation-graph"), label=TABS["correlation"], tab_id="correlation"),
        dbc.Tab(html.Div([html.Div(id="explorer-ranking-note", className="small text-body-secondary mb-2"),
                          _graph("explorer-ranking-graph")]), label=TABS["ranking"], tab_id="ranking"),
        dbc.Tab(html.Div([projection_controls(), _graph("explorer-projection-graph")]), label=TABS["projection"],
                tab_id="projection"),
        dbc.Tab(html.Div([html.Div(id="explorer-records-count", className="small text-body-secondary mb-2"),
                          parts.records_grid(50)]), label=TABS["records"], tab_id="records"),
    ]


def page_layout(dataset_id: str | None) -> html.Div:
    picker = dbc.InputGroup([
        dbc.Select(id="explorer-dataset", size="sm", placeholder="No ready data set", value=dataset_id),
        dbc.Button(html.I(className="bi bi-arrow-clockwise"), id="explorer-refresh", size="sm", color="secondary",
                   outline=True, title="Reload the list"),
    ], size="sm", style={"minWidth": "22rem"})
    return html.Div([
        page_header("Data explorer", "Filter a data set's records and look at their features — never their signals.",
                    picker),
        *[dcc.Store(id=store) for store in STORES],
        dcc.Location(id="explorer-go", refresh="callback-nav"),
        dbc.Row([
            dbc.Col(section_card("Filters", html.Div(id="explorer-filters"),
                                 actions=html.Span(id="explorer-selected-badge")), lg=3, className="mb-3"),
            dbc.Col(dbc.Tabs(tab_panes(), id="explorer-tabs", active_tab="overview", className="mb-3"), lg=9),
        ]),
    ])


def _call(ctx: DashboardContext, coro: Coroutine[Any, Any, T]) -> T:
    """A service call whose refusals (not found, not ready, bad input) are shown to the user as they are."""
    try:
        return ctx.call(coro)
    except AuthError as exc:
        raise UserFacingError(exc.message) from exc


def _shown(active_tab: str, tab: str, dataset_id: str | None, record_filter: Any) -> None:
    """Work only for the tab on screen (a tab computes when it is opened), once the data set's controls have
    reported their filter."""
    if active_tab != tab or not dataset_id or record_filter is None:
        raise PreventUpdate


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(dataset: str | None = None, **_: Any) -> html.Div:
        return page_layout(dataset)

    dash.register_page(__name__, path="/explorer", name="Data explorer", title="Data explorer · PFD", order=25,
                       sidebar=True, icon="bi-search", layout=layout)
    explorer, viewer = ctx.gateway.explorer, ctx.gateway.signals
    filter_input = Input("explorer-filter", "data")
    client = [
        ("explorerFilter", [Output("explorer-filter", "data")],
         [Input("explorer-classes", "value"), Input("explorer-severities", "value"), Input("explorer-splits", "value"),
          Input({"type": "explorer-range", "name": ALL}, "value")],
         [State({"type": "explorer-range", "name": ALL}, "id"), State("explorer-bounds", "data")]),
        ("explorerRangeText", [Output({"type": "explorer-range-text", "name": ALL}, "children")],
         [Input({"type": "explorer-range", "name": ALL}, "value")], []),
        ("explorerPurge", [Output("explorer-grid-purged", "data")], [filter_input], [State(parts.GRID_ID, "id")]),
        ("explorerOpen", [Output("explorer-go", "href")],
         [Input(parts.GRID_ID, "selectedRows"), Input("explorer-projection-graph", "clickData")],
         [State("explorer-dataset", "value")]),
        ("explorerMethod", [Output("explorer-tsne-params", "style"), Output("explorer-umap-neighbours", "style"),
                            Output("explorer-umap-min-dist", "style")], [Input("explorer-method", "value")], []),
    ]
    initial = ("explorerFilter", "explorerMethod")  # these also run when their controls are rendered
    for function, outputs, inputs, states in client:
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, *states,
                                prevent_initial_call=function not in initial)

    @app.callback(Output("explorer-dataset", "options"), Output("explorer-dataset", "value"),
                  Input("explorer-refresh", "n_clicks"), State("explorer-dataset", "value"))
    def list_datasets(_: Any, selected: str | None) -> tuple[list[dict[str, str]], str | None]:
        rows = _call(ctx, viewer.ready_datasets(signed_in_principal()))
        options = [{"label": f"{row['name']} ({row['records']} records)", "value": row["dataset_id"]} for row in rows]
        ids = [row["dataset_id"] for row in rows]
        return options, selected if selected in ids else (ids[0] if ids else None)

    @app.callback(Output("explorer-filters", "children"), Output("explorer-bounds", "data"),
                  Output("explorer-classes-order", "data"), Output("explorer-feature", "options"),
                  Output("explorer-feature", "value"), Output(parts.GRID_ID, "columnDefs"),
                  Input("explorer-dataset", "value"))
    def open_dataset(dataset_id: str | None) -> tuple[Any, ...]:
        """New controls for the data set: rendering them makes the browser report the (unrestricted) filter."""
        if not dataset_id:
            raise PreventUpdate
        described = _call(ctx, explorer.describe(signed_in_principal(), dataset_id))
        return (parts.filter_controls(described), parts.bounds(described), list(described.description.class_names),
                parts.feature_options(described), parts.first_feature(described),
                parts.column_defs(described.columns))

    @app.callback(Output("explorer-classes-graph", "figure"), Output("explorer-severity-graph", "figure"),
                  Output("explorer-summary", "children"), Output("explorer-selected-badge", "children"),
                  filter_input, Input("explorer-tabs", "active_tab"), State("explorer-dataset", "value"))
    def show_overview(record_filter: Any, tab: str, dataset_id: str | None) -> tuple[Any, ...]:
        _shown(tab, "overview", dataset_id, record_filter)
        found = _call(ctx, explorer.overview(signed_in_principal(), dataset_id, parts.parse_filter(record_filter)))
        names, counts = [c.name for c in found.classes], [c.records for c in found.classes]
        return (class_distribution_figure(names, counts) if found.selected else no_data_figure(figures.NO_SELECTION),
                figures.severity_figure(found), parts.summary_table(found), parts.selection_badge(found))

    @app.callback(Output("explorer-distribution-graph", "figure"), Output("explorer-histogram-graph", "figure"),
                  filter_input, Input("explorer-feature", "value"), Input("explorer-plot-kind", "value"),
                  Input("explorer-tabs", "active_tab"), State("explorer-dataset", "value"),
                  State("explorer-classes-order", "data"))
    def show_distribution(record_filter: Any, feature: str | None, kind: str, tab: str, dataset_id: str | None,
                          order: list[str] | None) -> tuple[Any, Any]:
        _shown(tab, "distributions", dataset_id if feature else None, record_filter)
        found = _call(ctx, explorer.distribution(signed_in_principal(), dataset_id, parts.parse_filter(record_filter),
                                                 feature))
        return figures.distribution_figure(found, order or [], kind), figures.histogram_figure(found, order or [])

    @app.callback(Output("explorer-correlation-graph", "figure"), filter_input, Input("explorer-tabs", "active_tab"),
                  State("explorer-dataset", "value"))
    def show_correlation(record_filter: Any, tab: str, dataset_id: str | None) -> Any:
        _shown(tab, "correlation", dataset_id, record_filter)
        return figures.correlation_figure(_call(ctx, explorer.correlation(
            signed_in_principal(), dataset_id, parts.parse_filter(record_filter))))

    @app.callback(Output("explorer-ranking-graph", "figure"), Output("explorer-ranking-note", "children"),
                  filter_input, Input("explorer-tabs", "active_tab"), State("explorer-dataset", "value"))
    def show_ranking(record_filter: Any, tab: str, dataset_id: str | None) -> tuple[Any, str]:
        _shown(tab, "ranking", dataset_id, record_filter)
        found = _call(ctx, explorer.ranking(signed_in_principal(), dataset_id, parts.parse_filter(record_filter)))
        return figures.ranking_figure(found), found.note or f"Mutual information on {found.records:,} records."

    @app.callback(Output(parts.GRID_ID, "getRowsResponse"), Output("explorer-records-count", "children"),
                  Input(parts.GRID_ID, "getRowsRequest"), State("explorer-filter", "data"),
                  State("explorer-dataset", "value"))
    def show_records(request: dict[str, Any] | None, record_filter: Any, dataset_id: str | None) -> tuple[Any, str]:
        if not request or not dataset_id or record_filter is None:
            raise PreventUpdate
        page = _call(ctx, explorer.records(signed_in_principal(), dataset_id, parts.parse_filter(record_filter),
                                           request))
        return parts.grid_response(page), f"{page.row_count:,} record(s) · click a row to open it in the Signal Viewer"

    projection_inputs = [Input("explorer-projection-run", "n_clicks"), Input("live-projections", "data"), filter_input,
                         Input("explorer-method", "value"), Input("explorer-perplexity", "value"),
                         Input("explorer-neighbours", "value"), Input("explorer-min-dist", "value"),
                         Input("explorer-tabs", "active_tab")]

    @app.callback(Output("explorer-projection-graph", "figure"), Output("explorer-projection-status", "children"),
                  Output("explorer-projection-cancel", "disabled"), Output("explorer-projection-current", "data"),
                  *projection_inputs, State("explorer-dataset", "value"), State("explorer-projection-current", "data"),
                  State("explorer-classes-order", "data"))
    def show_projection(_: Any, frame: dict[str, Any] | None, record_filter: Any, method: str, perplexity: Any,
                        neighbours: Any, min_dist: Any, tab: str, dataset_id: str | None, current: str | None,
                        order: list[str] | None) -> tuple[Any, ...]:
        _shown(tab, "projection", dataset_id, record_filter)
        if callback_ctx.triggered_id == "live-projections" and pushed_projection(frame) != current:
            raise PreventUpdate
        view = _call(ctx, explorer.projection(
            signed_in_principal(), dataset_id, parts.parse_spec(method, perplexity, neighbours, min_dist),
            parts.parse_filter(record_filter), start=callback_ctx.triggered_id == "explorer-projection-run"))
        return (figures.projection_figure(view, order or []), parts.projection_status(view),
                view.status not in ("requested", "running"), view.projection_id)

    @app.callback(Output("explorer-projection-cancelled", "data"), Input("explorer-projection-cancel", "n_clicks"),
                  State("explorer-dataset", "value"), State("explorer-filter", "data"), State("explorer-method", "value"),
                  State("explorer-perplexity", "value"), State("explorer-neighbours", "value"),
                  State("explorer-min-dist", "value"), prevent_initial_call=True)
    def cancel_projection(_: int, dataset_id: str | None, record_filter: Any, method: str, perplexity: Any,
                          neighbours: Any, min_dist: Any) -> bool:
        if not dataset_id:
            raise PreventUpdate
        _call(ctx, explorer.cancel_projection(signed_in_principal(), dataset_id,
                                              parts.parse_spec(method, perplexity, neighbours, min_dist),
                                              parts.parse_filter(record_filter)))
        return True


def pushed_projection(frame: dict[str, Any] | None) -> str | None:
    """The projection id of a ``live-projections`` frame (its data is the event envelope)."""
    payload = ((frame or {}).get("data") or {}).get("payload") or {}
    return payload.get("projection_id")
