"""Results: an experiment's test results — metric cards (mean ± std over its seeds), per-seed figures, the chosen
run's record confusion matrix, per-class table, ROC curves, calibration, robustness by SNR and its misclassified
records, each opening the Signal Viewer at that record. Re-rendered when a run of it is evaluated (pushed)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import NotFound
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.deployments import DEPLOYMENT_URL
from pfd_gateway.dashboard.components.experiment_results import (
    calibration_inputs,
    chosen_run,
    roc_inputs,
    robustness_series,
    run_options,
    seeds_table,
)
from pfd_gateway.dashboard.components.experiments import (
    MONITOR_URL,
    experiment_chooser,
    experiment_url,
    metric_cards,
    misclassified_table,
    per_class_table,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.experiment_facets import register_chooser
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.figures.training import (
    calibration_figure,
    confusion_figure,
    robustness_figure,
    roc_figure,
)
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.experiments.views import ResultsPublic, RunEvaluation

GRAPHS = ("experiment-results-confusion", "experiment-results-roc", "experiment-results-calibration",
          "experiment-results-robustness")
MISCLASSIFIED_SHOWN = 50
CHOOSE = "Choose an experiment."


def graph(graph_id: str) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=no_data_figure(CHOOSE), config={"displaylogo": False})


def controls(experiment_id: str | None) -> dbc.Row:
    return dbc.Row([
        dbc.Col(experiment_chooser("experiment-results", experiment_id), lg=6),
        dbc.Col(dbc.InputGroup([dbc.InputGroupText("Run"),
                                dbc.Select(id="experiment-results-run", placeholder="No evaluated run")]), lg=3),
        dbc.Col(html.Div(id="experiment-results-links", className="d-flex gap-2 justify-content-lg-end"), lg=3),
    ], className="g-2 mb-3 align-items-center")


def page_layout(experiment_id: str | None) -> html.Div:
    card = section_card
    return html.Div([
        page_header("Results", "Test-split results of an experiment: mean ± std over its seeds, one run in detail."),
        dcc.Store(id="experiment-results-evaluated"), controls(experiment_id),
        html.Div(id="experiment-results-report-error"),
        dbc.Row(id="experiment-results-cards"),
        dbc.Row([
            dbc.Col(card("Seeds", html.Div(id="experiment-results-seeds")), lg=5, className="mb-3"),
            dbc.Col(card("Robustness by SNR (record accuracy)", graph(GRAPHS[3])), lg=7, className="mb-3"),
            dbc.Col(card("Record confusion matrix", graph(GRAPHS[0])), lg=6, className="mb-3"),
            dbc.Col(card("Per class (test windows)", html.Div(id="experiment-results-per-class")), lg=6,
                    className="mb-3"),
            dbc.Col(card("ROC curves (one vs rest)", graph(GRAPHS[1])), lg=6, className="mb-3"),
            dbc.Col(card("Calibration", graph(GRAPHS[2])), lg=6, className="mb-3"),
            dbc.Col(card("Misclassified test records", html.Div(id="experiment-results-misclassified")),
                    className="mb-3"),
        ]),
    ])


def links(experiment_id: str) -> list[Any]:
    return [html.A([html.I(className="bi bi-graph-up me-1"), "Monitor"], className="btn btn-outline-secondary",
                   href=experiment_url(MONITOR_URL, id=experiment_id), id="experiment-results-monitor-link"),
            html.A([html.I(className="bi bi-box-arrow-up me-1"), "Deploy"], className="btn btn-outline-primary",
                   href=experiment_url(DEPLOYMENT_URL, experiment=experiment_id), id="experiment-results-deploy-link")]


def report_alert(error: str | None) -> dbc.Alert | None:
    return dbc.Alert(error, color="warning", id="experiment-results-report-alert") if error else None


def render(results: ResultsPublic, run: RunEvaluation | None) -> tuple[Any, ...]:
    """Every output of the page for these results (``run``: the run shown in detail)."""
    curves, aucs = roc_inputs(results.report)
    missing = "No evaluated run yet."
    return (
        metric_cards(results.metrics), seeds_table(results.runs, results.run_id, "experiment-results-seeds-table"),
        confusion_figure(run.class_names, run.confusion) if run else no_data_figure(missing),
        per_class_table(run.per_class if run else [], "experiment-results-per-class-table"),
        roc_figure(curves, aucs) if run else no_data_figure(missing),
        calibration_figure(*calibration_inputs(results.report)) if run else no_data_figure(missing),
        robustness_figure({"record accuracy": robustness_series(results.runs)}),
        misclassified_table(results.dataset_id, run.misclassified if run else [],
                            "experiment-results-misclassified-table", MISCLASSIFIED_SHOWN,
                            explain=(results.experiment_id, run.run_id) if run else None),
        report_alert(results.report_error), run_options(results.runs), results.run_id,
        links(results.experiment_id),
    )


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(id: str | None = None, **_: Any) -> html.Div:  # noqa: A002 - the URL's ?id=
        return page_layout(id)

    dash.register_page(__name__, path="/experiments/results", name="Results", title="Results · PFD", order=43,
                       sidebar=True, icon="bi-clipboard-data", layout=layout)
    service = ctx.gateway.experiments
    app.clientside_callback(ClientsideFunction("pfd", "experimentsTouched"), Output("experiment-results-evaluated", "data"),
                            Input("live-training", "data"), State("experiment-results-experiment", "value"),
                            prevent_initial_call=True)

    register_chooser(app, ctx, "experiment-results")

    @app.callback(Output("experiment-results-cards", "children"), Output("experiment-results-seeds", "children"),
                  Output(GRAPHS[0], "figure"), Output("experiment-results-per-class", "children"),
                  Output(GRAPHS[1], "figure"), Output(GRAPHS[2], "figure"), Output(GRAPHS[3], "figure"),
                  Output("experiment-results-misclassified", "children"),
                  Output("experiment-results-report-error", "children"), Output("experiment-results-run", "options"),
                  Output("experiment-results-run", "value"), Output("experiment-results-links", "children"),
                  Input("experiment-results-experiment", "value"), Input("experiment-results-run", "value"),
                  Input("experiment-results-evaluated", "data"))
    def show(experiment_id: str | None, run_id: str | None, _: Any) -> tuple[Any, ...]:
        if not experiment_id:
            raise PreventUpdate
        keep_run = dash.ctx.triggered_id == "experiment-results-run"
        try:
            results = ctx.call(service.results(signed_in_principal(), experiment_id, run_id if keep_run else None))
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc
        return render(results, chosen_run(results.runs, results.run_id))
