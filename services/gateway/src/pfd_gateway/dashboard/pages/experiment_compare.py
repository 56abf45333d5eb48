"""Compare: 2-5 experiments side by side — metrics (mean ± std over seeds) as a table and bars, validation curves
overlaid (mean ± std band over seeds), the config settings that differ and McNemar's test on the test records
each pair shares. ``?ids=a,b,c`` opens a comparison (the Experiments grid links here)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.experiments import (
    RECENT_CHOICES,
    config_diff_table,
    experiment_labels,
    experiment_options,
    mcnemar_table,
    metric_label,
    side_by_side_table,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.figures.training import metric_bars_figure, overlaid_curves_figure, run_curves
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.views import ComparisonPublic

BAR_METRICS = ("record_accuracy", "window_accuracy", "macro_f1", "ece")
CURVE_KEYS = (("val_accuracy", "experiment-compare-val-accuracy", "Validation accuracy"),
              ("val_loss", "experiment-compare-val-loss", "Validation loss"))
CHOOSE = "Choose two to five experiments."


def graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=no_data_figure(CHOOSE), config={"displaylogo": False})


def page_layout(ids: list[str], limits: tuple[int, int]) -> html.Div:
    # The URL's ids are options from the start: a dropdown drops values it has no option for.
    chooser = dcc.Dropdown(id="experiment-compare-ids", multi=True, value=ids, className="pfd-exp-filter",
                           options=[{"label": experiment_id, "value": experiment_id} for experiment_id in ids],
                           placeholder=f"Pick {limits[0]} to {limits[1]} experiments")
    return html.Div([
        page_header("Compare", "Experiments side by side: metrics, curves, settings and a significance test."),
        dcc.Store(id="experiment-compare-evaluated"),
        dbc.Row([dbc.Col(chooser, lg=10), dbc.Col(dbc.Button(html.I(className="bi bi-arrow-clockwise"),
                                                              id="experiment-compare-refresh", color="secondary",
                                                              outline=True, title="Reload the list"), lg=2)],
                className="g-2 mb-3"),
        dbc.Row([
            dbc.Col(section_card("Metrics (mean ± std over seeds)", html.Div(id="experiment-compare-table", children=
                                 empty_state("bi-columns-gap", "Nothing to compare yet", CHOOSE))), lg=6,
                    className="mb-3"),
            dbc.Col(section_card("Metrics side by side", graph("experiment-compare-bars")), lg=6, className="mb-3"),
            *[dbc.Col(section_card(title, graph(graph_id)), lg=6, className="mb-3") for _, graph_id, title in CURVE_KEYS],
            dbc.Col(section_card("Settings that differ", html.Div(id="experiment-compare-diff", children=html.P(
                CHOOSE, className="text-body-secondary small mb-0"))), lg=12, className="mb-3"),
            dbc.Col(section_card("McNemar's test (shared test records)", html.Div(
                id="experiment-compare-mcnemar", children=html.P(CHOOSE, className="text-body-secondary small mb-0"))),
                lg=12, className="mb-3"),
        ]),
    ])


def render(comparison: ComparisonPublic) -> tuple[Any, ...]:
    experiments = comparison.experiments
    labels = experiment_labels(experiments)
    bars = {labels[e.experiment_id]: {name: (s.mean, s.std) for name, s in e.metrics.items()} for e in experiments}
    curves = {labels[experiment_id]: [run_curves(run_id, run_id, [epoch.model_dump() for epoch in history])
                                      for run_id, history in runs.items()]
              for experiment_id, runs in comparison.curves.items()}
    return (side_by_side_table(experiments, comparison.metric_names, "experiment-compare-metrics-table"),
            metric_bars_figure(BAR_METRICS, bars, {name: metric_label(name) for name in BAR_METRICS}), *[overlaid_curves_figure(curves, key) for key, _, _ in CURVE_KEYS],
            config_diff_table(experiments, comparison.config_diff, "experiment-compare-diff-table"),
            mcnemar_table(comparison.mcnemar, labels, "experiment-compare-mcnemar-table"))


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    settings = ctx.gateway.settings.experiments
    limits = (settings.compare_min, settings.compare_max)

    @protected
    def layout(ids: str | None = None, **_: Any) -> html.Div:
        return page_layout([part for part in (ids or "").split(",") if part], limits)

    dash.register_page(__name__, path="/experiments/compare", name="Compare", title="Compare · PFD", order=44,
                       sidebar=True, icon="bi-columns-gap", layout=layout)
    service = ctx.gateway.experiments
    app.clientside_callback(ClientsideFunction("pfd", "experimentsTouched"), Output("experiment-compare-evaluated", "data"),
                            Input("live-training", "data"), State("experiment-compare-ids", "value"),
                            prevent_initial_call=True)

    @app.callback(Output("experiment-compare-ids", "options"), Input("experiment-compare-refresh", "n_clicks"),
                  State("experiment-compare-ids", "value"))
    def list_experiments(_: Any, chosen: list[str] | None) -> list[dict[str, str]]:
        options = experiment_options(ctx.call(service.list(signed_in_principal(),
                                                           ExperimentQuery(limit=RECENT_CHOICES))).items)
        listed = {option["value"] for option in options}
        return options + [{"label": i, "value": i} for i in chosen or () if i not in listed]

    @app.callback(Output("experiment-compare-table", "children"), Output("experiment-compare-bars", "figure"),
                  *[Output(graph_id, "figure") for _, graph_id, _ in CURVE_KEYS],
                  Output("experiment-compare-diff", "children"), Output("experiment-compare-mcnemar", "children"),
                  Input("experiment-compare-ids", "value"), Input("experiment-compare-evaluated", "data"))
    def show(ids: list[str] | None, _: Any) -> tuple[Any, ...]:
        if not ids or len(ids) < limits[0]:
            raise PreventUpdate
        try:
            comparison = ctx.call(service.compare(signed_in_principal(), ids))
        except (InvalidInput, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
        return render(comparison)
