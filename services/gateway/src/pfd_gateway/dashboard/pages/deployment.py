"""Deployment: export an evaluated neural experiment's run to ONNX and quantise it — choose the experiment, the run
(best by default), the model name and the variants; follow the export's progress (pushed) and cancel it; compare the
registered version's variants (size, accuracy, latency p50/p99, throughput) with the deploy service's notes.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_shared.events.deploy import VARIANTS

from pfd_gateway.auth.errors import Conflict, Forbidden, InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.deployments import (
    deployment_options,
    epoch_ms,
    deployment_summary,
    notes_list,
    variants_table,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.deploy import CHARTS, NOT_YET, benchmark_figure
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.deployments import states
from pfd_gateway.deployments.service import EvaluatedRun
from pfd_gateway.deployments.views import DeploymentView
from pfd_gateway.experiments.views import ExperimentPublic

P = "deployment"
GRAPHS = {chart: f"{P}-{chart}" for chart in CHARTS}
VARIANT_LABELS = {"fp32": "FP32 (graph-optimised, the reference)", "int8_dynamic": "INT8 dynamic",
                  "int8_static": "INT8 static (calibrated)", "fp16": "FP16"}
BEST_RUN = "best"  # the run select's value for "the best evaluated run" (chosen by the service)


def form(experiment_id: str | None) -> html.Div:
    variants = [{"label": VARIANT_LABELS[v], "value": v, "disabled": v == "fp32"} for v in VARIANTS]
    return html.Div([
        dbc.InputGroup([dbc.InputGroupText("Experiment"),
                        dbc.Select(id=f"{P}-experiment", value=experiment_id, placeholder="No evaluated experiment"),
                        dbc.Button(html.I(className="bi bi-arrow-clockwise"), id=f"{P}-experiment-refresh",
                                   color="secondary", outline=True, title="Reload the list")], className="mb-2"),
        dbc.InputGroup([dbc.InputGroupText("Run"), dbc.Select(id=f"{P}-run")], className="mb-2"),
        dbc.InputGroup([dbc.InputGroupText("Model name"),
                        dbc.Input(id=f"{P}-model-name", placeholder="e.g. bearing-cnn", maxLength=64)],
                       className="mb-2"),
        dbc.Label("Variants", className="small text-body-secondary mb-1"),
        dbc.Checklist(id=f"{P}-variants", options=variants, value=list(VARIANTS), inline=True, className="mb-2"),
        dbc.Textarea(id=f"{P}-description", placeholder="Description (optional)", rows=2, className="mb-2"),
        html.Div(id=f"{P}-form-alert"),
        dbc.Button([html.I(className="bi bi-box-arrow-up me-1"), "Export"], id=f"{P}-export", color="primary"),
    ])


def progress_panel() -> html.Div:
    return html.Div([
        dbc.InputGroup([dbc.InputGroupText("Deployment"), dbc.Select(id=f"{P}-chooser", placeholder="None yet"),
                        dbc.Button(html.I(className="bi bi-arrow-clockwise"), id=f"{P}-list-refresh",
                                   color="secondary", outline=True, title="Reload the list")], className="mb-3"),
        html.Div(id=f"{P}-summary", children=empty_state("bi-box-arrow-up", "No deployment chosen",
                                                          "Export a run, or pick an earlier deployment above.")),
        dbc.Progress(id=f"{P}-progress", value=0, label="", className="mt-2", style={"height": "1.25rem"}),
        html.Small(id=f"{P}-stage", className="text-body-secondary d-block mt-1"),
        dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Cancel"], id=f"{P}-cancel", color="danger",
                   outline=True, disabled=True, className="mt-2"),
    ])


def page_layout(experiment_id: str | None, deployment_id: str | None) -> html.Div:
    graphs = [dbc.Col(dcc.Graph(id=GRAPHS[chart], figure=no_data_figure(NOT_YET), config={"displaylogo": False}),
                      lg=6, className="mb-3") for chart in CHARTS]
    return html.Div([
        page_header("Deployment", "Export a trained run to ONNX, quantise it and compare the variants."),
        *[dcc.Store(id=f"{P}-{name}") for name in ("requested", "cancelled", "snapshot", "touched")],
        dbc.Row([dbc.Col(section_card("Export", form(experiment_id)), lg=5, className="mb-3"),
                 dbc.Col(section_card("Progress", progress_panel()), lg=7, className="mb-3")]),
        dbc.Row(dbc.Col(section_card("Variants", html.Div([html.Div(id=f"{P}-variants-table"),
                                                           html.Div(id=f"{P}-notes", className="mt-3")])),
                        className="mb-3")),
        dbc.Row(graphs),
        dcc.Store(id=f"{P}-initial", data=deployment_id),
    ])


def experiment_options(items: list[ExperimentPublic], chosen: str | None) -> tuple[list[dict[str, str]], Any]:
    options = [{"label": f"{e.name} · {e.model} · {e.dataset_name}", "value": e.experiment_id} for e in items]
    ids = [option["value"] for option in options]
    return options, chosen if chosen in ids else (ids[0] if ids else None)


def run_options(runs: list[EvaluatedRun]) -> list[dict[str, str]]:
    """The best run first (the service picks it: best record accuracy), then every evaluated run."""
    if not runs:
        return []
    best = [{"label": f"Best run (seed {runs[0].seed}, {runs[0].record_accuracy:.1%})", "value": BEST_RUN}]
    return best + [{"label": f"seed {run.seed} · record accuracy {run.record_accuracy:.1%}", "value": run.run_id}
                   for run in runs]


def export_options(run_id: str | None, variants: list[str] | None, description: str | None) -> dict[str, Any]:
    """The form's choices as DeploymentService.request's options (fp32, the reference, is always exported)."""
    return {"run_id": None if run_id in (None, BEST_RUN) else run_id, "variants": ["fp32", *(variants or [])],
            "description": description or ""}


def refusal(exc: InvalidInput | NotFound | Forbidden) -> dbc.Alert:
    """Why the service refused the export, naming the field."""
    field = f"{exc.field.replace('_', ' ')}: " if isinstance(exc, InvalidInput) else ""
    return dbc.Alert(f"{field}{exc.message}", color="danger", id=f"{P}-refused")


def snapshot(view: DeploymentView, seen: Any = None) -> dict[str, Any]:
    """What assets/deploy.js follows: which deployment and model, whether it runs, its newest projected event
    (``seen``: the push that asked for this render, so every render is a new snapshot)."""
    d = view.deployment
    stamps = [epoch_ms(at) for at in (d.last_event_at, view.model_last_event_at) if at is not None]
    return {"deployment_id": d.deployment_id, "model_name": d.model_name, "status": d.status,
            "active": d.status in states.ACTIVE, "stage": d.stage, "done": d.done, "total": d.total,
            "message": d.message, "last_event_ms": max(stamps, default=0), "touched": f"{P}-touched",
            "seen": seen}


def render(view: DeploymentView, seen: Any = None) -> tuple[Any, ...]:
    results = view.version.benchmarks if view.version else []
    torch = view.version.torch_throughput_per_s if view.version else None
    return (deployment_summary(view.deployment, P), snapshot(view, seen),
            not states.can_cancel(view.deployment.status),
            variants_table(view.version, f"{P}-variants-comparison"), notes_list(view.version, f"{P}-notes-list"),
            *[benchmark_figure(results, chart, torch) for chart in CHARTS])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(experiment: str | None = None, id: str | None = None, **_: Any) -> html.Div:  # noqa: A002
        return page_layout(experiment, id)

    dash.register_page(__name__, path="/deployment", name="Deployment", title="Deployment · PFD", order=60,
                       sidebar=True, icon="bi-box-arrow-up", layout=layout)
    service = ctx.gateway.deployments.service
    app.clientside_callback(ClientsideFunction("pfd", "deployTouched"), Output(f"{P}-touched", "data"),
                            Input("live-deploy", "data"), Input(f"{P}-snapshot", "data"), prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pfd", "deploymentProgress"), Output(f"{P}-progress", "value"),
                            Output(f"{P}-progress", "label"), Output(f"{P}-stage", "children"),
                            Input("live-deploy", "data"), Input(f"{P}-snapshot", "data"))

    @app.callback(Output(f"{P}-experiment", "options"), Output(f"{P}-experiment", "value"),
                  Input(f"{P}-experiment-refresh", "n_clicks"), State(f"{P}-experiment", "value"))
    def list_experiments(_: Any, chosen: str | None) -> tuple[Any, ...]:
        return experiment_options(ctx.call(service.deployable(signed_in_principal())), chosen)

    @app.callback(Output(f"{P}-run", "options"), Output(f"{P}-run", "value"), Input(f"{P}-experiment", "value"))
    def list_runs(experiment_id: str | None) -> tuple[Any, ...]:
        if not experiment_id:
            return [], None
        return run_options(ctx.call(service.evaluated_runs(signed_in_principal(), experiment_id))), BEST_RUN

    @app.callback(Output(f"{P}-requested", "data"), Output(f"{P}-form-alert", "children"),
                  Input(f"{P}-export", "n_clicks"), State(f"{P}-experiment", "value"), State(f"{P}-run", "value"),
                  State(f"{P}-model-name", "value"), State(f"{P}-variants", "value"),
                  State(f"{P}-description", "value"), prevent_initial_call=True)
    def export(_: int, experiment_id: str | None, run_id: str | None, name: str | None, variants: list[str] | None,
               description: str | None) -> tuple[Any, ...]:
        try:
            deployment = ctx.call(service.request(signed_in_principal(), experiment_id or "", (name or "").strip(),
                                                  **export_options(run_id, variants, description)))
        except (InvalidInput, NotFound, Forbidden) as exc:
            return dash.no_update, refusal(exc)
        return deployment.deployment_id, None

    @app.callback(Output(f"{P}-chooser", "options"), Output(f"{P}-chooser", "value"),
                  Input(f"{P}-requested", "data"), Input(f"{P}-list-refresh", "n_clicks"),
                  State(f"{P}-chooser", "value"), State(f"{P}-initial", "data"))
    def list_deployments(requested: str | None, _: Any, chosen: str | None, initial: str | None) -> tuple[Any, ...]:
        options = deployment_options(ctx.call(service.list(signed_in_principal())))
        if dash.ctx.triggered_id == f"{P}-requested" and requested:
            return options, requested
        return options, chosen or initial

    @app.callback(Output(f"{P}-summary", "children"), Output(f"{P}-snapshot", "data"),
                  Output(f"{P}-cancel", "disabled"), Output(f"{P}-variants-table", "children"),
                  Output(f"{P}-notes", "children"), *[Output(GRAPHS[chart], "figure") for chart in CHARTS],
                  Input(f"{P}-chooser", "value"), Input(f"{P}-touched", "data"), Input(f"{P}-cancelled", "data"))
    def show(deployment_id: str | None, touched: Any, _: Any) -> tuple[Any, ...]:
        if not deployment_id:
            raise PreventUpdate
        try:
            return render(ctx.call(service.view(signed_in_principal(), deployment_id)), touched)
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc

    @app.callback(Output(f"{P}-cancelled", "data"), Input(f"{P}-cancel", "n_clicks"), State(f"{P}-chooser", "value"),
                  prevent_initial_call=True)
    def cancel(clicks: int, deployment_id: str | None) -> str:
        try:
            return f"{ctx.call(service.cancel(signed_in_principal(), deployment_id or '')).status}:{clicks}"
        except (Conflict, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
