"""Predict: upload a signal, choose a model and its alias (or a version), see the predicted class, the class
probabilities, the signal's time plot and spectrum and the latencies; batch predictions of a data set or a CSV of
signals with live progress (pushed Batch* events) and the results CSV to download."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.auth.errors import AuthError
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.datasets import pushed_event
from pfd_gateway.dashboard.components.predictions import batches_table, result_panel
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.predictions import NO_PREDICTION, probability_figure
from pfd_gateway.dashboard.figures.signals import psd_figure, time_figure
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.predictions.batches import with_pushed
from pfd_gateway.predictions.client import Target
from pfd_gateway.settings import PredictSettings
from pfd_gateway.signals.uploads import VIEWABLE_SUFFIXES

T = TypeVar("T")
VERSION_CHOICE = "version"  # the alias select's entry for "a version number"
DATASET, CSV = "dataset", "csv"
LIVE_STORE = "live-batch-predictions"
GRAPH_CONFIG = {"displaylogo": False}
SIGNAL_STATES = (("predict-upload", "filename"), ("predict-upload", "contents"), ("predict-rate", "value"),
                 ("predict-speed", "value"), ("predict-variable", "value"))
TARGET_STATES = (("predict-model", "value"), ("predict-alias", "value"), ("predict-version", "value"))
NUMBER = {"type": "number", "min": 0, "step": "any", "size": "sm"}


def _upload(upload_id: str, text: str) -> dcc.Upload:
    # no ``accept``: the drop zone would drop other files silently; the server names the file and the problem
    return dcc.Upload(id=upload_id, multiple=False, className="pfd-signals-upload", children=html.Div(
        [html.I(className="bi bi-file-earmark-arrow-up me-2"), html.Span(text, id=f"{upload_id}-name")]))


def _labelled(label: str, component: Any, **col: Any) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small mb-1"), component], **col)


def model_controls(settings: PredictSettings) -> dbc.Row:
    aliases = [{"label": alias, "value": alias} for alias in settings.aliases]
    return dbc.Row([
        _labelled("Model", dbc.Input(id="predict-model", placeholder="model name", size="sm", list="predict-models",
                                     maxLength=64), md=4),
        html.Datalist(id="predict-models"),
        _labelled("Alias", dbc.Select(id="predict-alias", value=settings.default_alias, size="sm",
                                      options=[*aliases, {"label": "a version…", "value": VERSION_CHOICE}]), md=3),
        dbc.Col([dbc.Label("Version", html_for="predict-version", className="small mb-1"),
                 dbc.Input(id="predict-version", type="number", min=1, step=1, size="sm")],
                md=2, id="predict-version-col", className="d-none"),
    ], className="g-2 mb-3")


def signal_controls(settings: PredictSettings) -> html.Div:
    return html.Div([
        _upload("predict-upload", f"Drop or choose a {', '.join(VIEWABLE_SUFFIXES)} file "
                                  f"(up to {settings.max_upload_bytes / 2**20:g} MiB)"),
        dbc.Row([
            _labelled("Sample rate (Hz)", dbc.Input(id="predict-rate", placeholder="e.g. 12000", **NUMBER), md=4),
            _labelled("Shaft speed (Hz)", dbc.Input(id="predict-speed", placeholder="optional", **NUMBER), md=4),
            _labelled("Variable", dbc.Input(id="predict-variable", placeholder="when the file has several",
                                            size="sm"), md=4),
        ], className="g-2 mt-2 mb-3"),
        dbc.Button([html.I(className="bi bi-cpu me-2"), "Predict"], id="predict-run", color="primary"),
    ])


def batch_controls(settings: PredictSettings) -> html.Div:
    return html.Div([
        dbc.RadioItems(id="predict-batch-source", value=DATASET, inline=True, className="small mb-2",
                       options=[{"label": "Data set", "value": DATASET}, {"label": "CSV of signals", "value": CSV}]),
        dbc.Row([
            dbc.Col(dbc.InputGroup([
                dbc.Select(id="predict-batch-dataset", size="sm", placeholder="No ready data set"),
                dbc.Button(html.I(className="bi bi-arrow-clockwise"), id="predict-batch-refresh", size="sm",
                           color="secondary", outline=True, title="Reload the list")], size="sm"),
                md=6, id="predict-batch-dataset-col"),
            dbc.Col(dbc.Row([
                dbc.Col(_upload("predict-batch-upload", "Drop or choose a .csv (one signal per row, up to "
                                                        f"{settings.max_upload_bytes / 2**20:g} MiB)"), md=8),
                dbc.Col(dbc.Input(id="predict-batch-rate", placeholder="sample rate (Hz)", **NUMBER), md=4),
            ], className="g-2"), md=9, id="predict-batch-csv-col", className="d-none"),
            dbc.Col(dbc.Button([html.I(className="bi bi-collection-play me-2"), "Start batch"],
                               id="predict-batch-start", color="primary", size="sm"), md="auto"),
        ], className="g-2 align-items-center mb-2"),
        html.Div(id="predict-batch-result"),
        html.Div(id="predict-batch-list", className="mt-2"),
    ])


def page_layout(settings: PredictSettings) -> html.Div:
    return html.Div([
        page_header("Predict", "One signal through a deployed model — or a whole data set or CSV in the background."),
        dcc.Store(id="predict-batch-started"),
        model_controls(settings),
        dbc.Row([
            dbc.Col(section_card("Signal", signal_controls(settings)), lg=5, className="mb-3"),
            dbc.Col(section_card("Prediction", html.Div(result_panel(None), id="predict-result")), lg=3,
                    className="mb-3"),
            dbc.Col(section_card("Class probabilities", dcc.Graph(
                id="predict-probabilities", figure=probability_figure(None), config=GRAPH_CONFIG)), lg=4,
                className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(section_card("Time", dcc.Graph(id="predict-time", figure=no_data_figure(NO_PREDICTION),
                                                   config=GRAPH_CONFIG)), lg=6, className="mb-3"),
            dbc.Col(section_card("Power spectral density (Welch)", dcc.Graph(
                id="predict-psd", figure=no_data_figure(NO_PREDICTION), config=GRAPH_CONFIG)), lg=6, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(section_card("Batch prediction", batch_controls(settings), card_id="predict-batch-card"),
                        className="mb-3")),
    ])


def _call(ctx: DashboardContext, coro: Coroutine[Any, Any, T]) -> T:
    """A service call whose refusals (bad file, unknown data set, not ready) are shown to the user as they are."""
    try:
        return ctx.call(coro)
    except AuthError as exc:
        raise UserFacingError(exc.message) from exc


def target_of(model: str | None, alias: str | None, version: Any) -> Target:
    """The model picker's state as a Target (a version only when "a version…" is chosen)."""
    if not model or not model.strip():
        raise UserFacingError("Enter the name of the model to predict with.")
    if alias == VERSION_CHOICE:
        if not version or int(version) != version or version < 1:
            raise UserFacingError("Enter the version number (1 or more).")
        return Target(model.strip(), None, int(version))
    return Target(model.strip(), alias or None, None)


def number(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(**_: Any) -> html.Div:
        return page_layout(ctx.gateway.settings.predict)

    dash.register_page(__name__, path="/predict", name="Predict", title="Predict · PFD", order=62, sidebar=True,
                       icon="bi-cpu", layout=layout)
    predictions = ctx.gateway.predictions
    for function, outputs, inputs in (
        ("predictVersion", [Output("predict-version-col", "className")], [Input("predict-alias", "value")]),
        ("predictBatchSource", [Output("predict-batch-dataset-col", "className"),
                                Output("predict-batch-csv-col", "className")], [Input("predict-batch-source", "value")]),
        ("predictFileName", [Output("predict-upload-name", "children")], [Input("predict-upload", "filename")]),
        ("predictFileName", [Output("predict-batch-upload-name", "children")],
         [Input("predict-batch-upload", "filename")]),
    ):
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, prevent_initial_call=True)

    @app.callback(Output("predict-models", "children"), Input("predict-model", "id"))
    def list_models(_: str) -> list[html.Option]:
        """Names from the model registry, when the gateway has one (the input takes any name otherwise)."""
        registry = getattr(getattr(ctx.gateway, "deployments", None), "registry", None)
        if registry is None:
            return []
        return [html.Option(value=model.model_name) for model in _call(ctx, registry.list(signed_in_principal()))]

    @app.callback(Output("predict-batch-dataset", "options"), Output("predict-batch-dataset", "value"),
                  Input("predict-batch-refresh", "n_clicks"), State("predict-batch-dataset", "value"))
    def list_datasets(_: Any, selected: str | None) -> tuple[list[dict[str, str]], str | None]:
        rows = _call(ctx, ctx.gateway.signals.ready_datasets(signed_in_principal()))
        ids = [row["dataset_id"] for row in rows]
        return ([{"label": f"{row['name']} ({row['records']} records)", "value": row["dataset_id"]} for row in rows],
                selected if selected in ids else (ids[0] if ids else None))

    @app.callback(Output("predict-result", "children"), Output("predict-probabilities", "figure"),
                  Output("predict-time", "figure"), Output("predict-psd", "figure"), Input("predict-run", "n_clicks"),
                  *[State(c, p) for c, p in TARGET_STATES], *[State(c, p) for c, p in SIGNAL_STATES],
                  running=[(Output("predict-run", "disabled"), True, False)], prevent_initial_call=True)
    def predict(_: int, model: str | None, alias: str | None, version: Any, file_name: str | None,
                contents: str | None, rate: Any, speed: Any, variable: str | None) -> tuple[Any, ...]:
        view = _call(ctx, predictions.single.predict_upload(target_of(model, alias, version), file_name, contents,
                                                            number(rate), number(speed), variable or None))
        p = view.prediction or {}
        return (result_panel(view), probability_figure(p.get("probabilities"), p.get("predicted_class")),
                time_figure(view.time, uirevision=view.file_name), psd_figure(view.psd, view.markers))

    @app.callback(Output("predict-batch-started", "data"), Output("predict-batch-result", "children"),
                  Input("predict-batch-start", "n_clicks"), *[State(c, p) for c, p in TARGET_STATES],
                  State("predict-batch-source", "value"), State("predict-batch-dataset", "value"),
                  State("predict-batch-upload", "filename"), State("predict-batch-upload", "contents"),
                  State("predict-batch-rate", "value"), running=[(Output("predict-batch-start", "disabled"), True,
                                                                  False)], prevent_initial_call=True)
    def start_batch(_: int, model: str | None, alias: str | None, version: Any, source: str, dataset_id: str | None,
                    file_name: str | None, contents: str | None, rate: Any) -> tuple[Any, Any]:
        target, principal, batches = target_of(model, alias, version), signed_in_principal(), predictions.batches
        if source == DATASET:
            if not dataset_id:
                raise UserFacingError("Choose a ready data set first.")
            row = _call(ctx, batches.request_dataset(principal, target, dataset_id))
        else:
            row = _call(ctx, batches.request_csv_upload(principal, target, file_name, contents, number(rate)))
        text = f"Started a batch prediction of “{row['source_name']}” with {row['model_name']}: its progress shows below."
        return row["batch_id"], dbc.Alert(text, color="success", dismissable=True, className="mb-0 py-2",
                                          id="predict-batch-alert")

    @app.callback(Output("predict-batch-list", "children"), Input(LIVE_STORE, "data"),
                  Input("predict-batch-started", "data"))
    def show_batches(frame: dict[str, Any] | None, _: Any) -> Any:
        return batches_table(with_pushed(_call(ctx, predictions.batches.list(signed_in_principal())),
                                         pushed_event(frame)))
