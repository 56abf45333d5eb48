"""Training monitor: one experiment's runs followed live — loss, accuracy and learning-rate curves extended in the
browser from pushed EpochCompleted frames (no re-render per epoch), log lines from pushed TrainingLog frames,
progress and ETA, cancel and resume, and a warning while runs wait with no live training worker.

The server renders the experiment (ONE ``monitor_view`` call) when it is chosen and again on its lifecycle events
(queued, started, completed, failed, cancelled, evaluated) or when the browser saw a gap in the epochs.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import Conflict, Forbidden, NotFound
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.experiments import (
    NEW_URL,
    RESULTS_URL,
    experiment_chooser,
    experiment_url,
    runs_table,
    status_badge,
    worker_warning,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.experiment_facets import register_chooser
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.figures.training import CURVES as SERIES_OF
from pfd_gateway.dashboard.figures.training import curves_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.dashboard.training_monitor import (
    browser_snapshot,
    can_cancel,
    can_resume,
    monitor_view,
    run_label,
    waiting,
)
from pfd_gateway.experiments.views import ExperimentDetail

CURVES = (("loss", "Loss"), ("accuracy", "Accuracy"), ("learning_rate", "Learning rate"))
GRAPHS = {metric: f"experiment-monitor-{metric.replace('_', '-')}" for metric, _ in CURVES}
SERIES = {GRAPHS[metric]: [key for key, _ in SERIES_OF[metric]] for metric, _ in CURVES}  # what each graph extends
STORES = ("experiment-monitor-snapshot", "experiment-monitor-lifecycle", "experiment-monitor-resync",
          "experiment-monitor-stale", "experiment-monitor-retry",
          "experiment-monitor-cancelled", "experiment-monitor-resumed", "experiment-monitor-log-initial")
CHOOSE = "Choose an experiment."


def controls(experiment_id: str | None) -> dbc.Row:
    return dbc.Row([
        dbc.Col(experiment_chooser("experiment-monitor", experiment_id), lg=6),
        dbc.Col(html.Div([
            dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Cancel"], id="experiment-monitor-cancel",
                       color="danger", outline=True, disabled=True),
            dbc.Button([html.I(className="bi bi-play-circle me-1"), "Resume"], id="experiment-monitor-resume",
                       color="primary", outline=True, disabled=True),
            html.Div(id="experiment-monitor-links", className="d-flex gap-2"),
        ], className="d-flex gap-2 justify-content-lg-end"), lg=6),
    ], className="g-2 mb-3 align-items-center")


def progress_card() -> html.Div:
    return html.Div([
        html.Div(id="experiment-monitor-summary", children=empty_state(
            "bi-activity", "No experiment chosen", "Pick one above or start a new experiment.",
            html.A("New experiment", href=NEW_URL, className="btn btn-sm btn-outline-primary"))),
        dbc.Progress(id="experiment-monitor-progress", value=0, label="", className="mt-2 pfd-exp-progress",
                     style={"height": "1.25rem"}),
        html.Small(id="experiment-monitor-eta", className="text-body-secondary d-block mt-1"),
    ])


def graph(metric: str) -> dcc.Graph:
    return dcc.Graph(id=GRAPHS[metric], figure=no_data_figure(CHOOSE), config={"displaylogo": False})


def page_layout(experiment_id: str | None) -> html.Div:
    log_run = dbc.Select(id="experiment-monitor-log-run", size="sm", style={"width": "9rem"})
    return html.Div([
        page_header("Training monitor", "Live curves, progress and logs of an experiment's runs."),
        *[dcc.Store(id=store) for store in STORES],
        controls(experiment_id), html.Div(id="experiment-monitor-warning"),
        dbc.Row(dbc.Col(section_card("Progress", progress_card()), className="mb-3")),
        dbc.Row([dbc.Col(section_card(title, graph(metric)), lg=4, className="mb-3") for metric, title in CURVES]),
        dbc.Row([
            dbc.Col(section_card("Runs", html.Div(id="experiment-monitor-runs")), lg=6, className="mb-3"),
            dbc.Col(section_card("Log", html.Pre(id="experiment-monitor-log", className="pfd-exp-log small mb-0"),
                                 actions=log_run), lg=6, className="mb-3"),
        ]),
    ])


def summary(detail: ExperimentDetail) -> html.Div:
    return html.Div([
        html.Div([html.Strong(detail.name, className="me-2"), status_badge(detail.status, "experiment-monitor-status")],
                 className="d-flex align-items-center"),
        html.Small(f"{detail.model} ({detail.preset}) on {detail.dataset_name} · {detail.run_count} run(s) · "
                   f"{detail.runs_done} done", className="text-body-secondary"),
        html.Div(detail.error, className="text-danger small mt-1") if detail.error else None,
    ])


def links(detail: ExperimentDetail) -> list[Any]:
    return [html.A([html.I(className="bi bi-clipboard-data me-1"), "Results"], id="experiment-monitor-results-link",
                   href=experiment_url(RESULTS_URL, id=detail.experiment_id), className="btn btn-outline-success"),
            html.A([html.I(className="bi bi-copy me-1"), "Clone"], href=experiment_url(NEW_URL, clone=detail.experiment_id),
                   className="btn btn-outline-secondary")]


def log_run_choice(detail: ExperimentDetail, current: str | None) -> tuple[list[dict[str, str]], str | None]:
    options = [{"label": run_label(run), "value": run.run_id} for run in detail.runs]
    ids = [run.run_id for run in detail.runs]
    return options, current if current in ids else (ids[0] if ids else None)


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(id: str | None = None, **_: Any) -> html.Div:  # noqa: A002 - the URL's ?id=
        return page_layout(id)

    dash.register_page(__name__, path="/experiments/monitor", name="Training monitor",
                       title="Training monitor · PFD", order=42, sidebar=True, icon="bi-graph-up", layout=layout)
    service = ctx.gateway.experiments
    log_limit = ctx.gateway.settings.experiments.log_lines_shown
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentMonitorLive"),
        *[Output(GRAPHS[metric], "extendData") for metric, _ in CURVES],
        Output("experiment-monitor-lifecycle", "data"), Output("experiment-monitor-resync", "data"),
        Output("experiment-monitor-stale", "data"), Output("experiment-monitor-progress", "value"), Output("experiment-monitor-progress", "label"),
        Output("experiment-monitor-eta", "children"),
        Input("live-training", "data"), Input("experiment-monitor-snapshot", "data"),
        State("experiment-monitor-experiment", "value"))
    app.clientside_callback(ClientsideFunction("pfd", "experimentMonitorRetry"),
                            Output("experiment-monitor-retry", "data"), Input("experiment-monitor-stale", "data"),
                            State("experiment-monitor-snapshot", "data"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentMonitorLog"), Output("experiment-monitor-log", "children"),
        Input("experiment-monitor-log-initial", "data"), Input("live-training", "data"),
        State("experiment-monitor-log-run", "value"), State("experiment-monitor-snapshot", "data"))

    register_chooser(app, ctx, "experiment-monitor")

    @app.callback(Output("experiment-monitor-summary", "children"), Output("experiment-monitor-runs", "children"),
                  *[Output(GRAPHS[metric], "figure") for metric, _ in CURVES],
                  Output("experiment-monitor-snapshot", "data"), Output("experiment-monitor-cancel", "disabled"),
                  Output("experiment-monitor-resume", "disabled"), Output("experiment-monitor-links", "children"),
                  Output("experiment-monitor-log-run", "options"), Output("experiment-monitor-log-run", "value"),
                  Input("experiment-monitor-experiment", "value"), Input("experiment-monitor-lifecycle", "data"),
                  Input("experiment-monitor-resync", "data"), Input("experiment-monitor-retry", "data"),
                  Input("experiment-monitor-cancelled", "data"),
                  Input("experiment-monitor-resumed", "data"), State("experiment-monitor-log-run", "value"))
    def show(experiment_id: str | None, *rest: Any) -> tuple[Any, ...]:
        if not experiment_id:
            raise PreventUpdate
        try:
            view = ctx.call(monitor_view(service, signed_in_principal(), experiment_id))
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc
        detail = view.detail
        figures = [curves_figure(view.curves, metric, uirevision=experiment_id) for metric, _ in CURVES]
        return (summary(detail), runs_table(detail.runs, "experiment-monitor-runs-table"), *figures,
                browser_snapshot(detail, log_limit, SERIES), not can_cancel(detail), not can_resume(detail), links(detail),
                *log_run_choice(detail, rest[-1]))

    @app.callback(Output("experiment-monitor-log-initial", "data"), Input("experiment-monitor-log-run", "value"),
                  State("experiment-monitor-experiment", "value"))
    def show_logs(run_id: str | None, experiment_id: str | None) -> dict[str, Any]:
        if not run_id or not experiment_id:
            raise PreventUpdate
        lines = ctx.call(service.logs(signed_in_principal(), experiment_id, run_id))
        shown = [f"{line.at:%H:%M:%S} {line.line}" for line in lines]
        return {"run_id": run_id, "render_id": uuid4().hex, "lines": shown}

    @app.callback(Output("experiment-monitor-warning", "children"), Input("live-system", "data"),
                  Input("experiment-monitor-snapshot", "data"))
    def show_warning(_: Any, snapshot: dict[str, Any] | None) -> Any:
        if not waiting(snapshot):
            return None
        return worker_warning(service.workers().message, "experiment-monitor-no-worker")

    for action, store in (("cancel", "experiment-monitor-cancelled"), ("resume", "experiment-monitor-resumed")):
        register_action(app, ctx, action, store)


def register_action(app: dash.Dash, ctx: DashboardContext, action: str, store: str) -> None:
    """The Cancel / Resume button: ONE ExperimentService.cancel / .resume call; its store re-renders the page."""
    run_action = getattr(ctx.gateway.experiments, action)

    @app.callback(Output(store, "data"), Input(f"experiment-monitor-{action}", "n_clicks"),
                  State("experiment-monitor-experiment", "value"), prevent_initial_call=True)
    def act(clicks: int, experiment_id: str | None) -> str:
        try:
            return f"{ctx.call(run_action(signed_in_principal(), experiment_id or '')).status}:{clicks}"
        except (Conflict, Forbidden, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
