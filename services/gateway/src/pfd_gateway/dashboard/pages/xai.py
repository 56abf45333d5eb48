"""Explain: why did a trained run's model decide what it did on one window? Pick an experiment's evaluated run and
a record (or jump in from a misclassified record on the Results page), choose methods and their parameters, run
with live progress (pushed) and cancel; see the attribution heatmaps over the signal (methods stacked), the
frequency bands that drove the decision, the sanity checks, reopen cached explanations, and project a data set's
embedding in 2-D coloured by class."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from dash import ctx as callback_ctx
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from pfd_shared.events.xai import EMBEDDING_PROJECTION_METHODS, ExplanationInput

from pfd_gateway.auth.errors import AuthError, InvalidInput
from pfd_gateway.dashboard.components import xai as parts
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures import xai as figures
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.explanations.views import XaiChoices

T = TypeVar("T")
NOTHING_YET = "Run an explanation or reopen a cached one."
STORES = ("xai-choices", "xai-defaults", "xai-current", "xai-cancelled", "xai-embedding-current")


def _select(select_id: str, label: str, placeholder: str) -> dbc.InputGroup:
    return dbc.InputGroup([dbc.InputGroupText(label), dbc.Select(id=select_id, placeholder=placeholder)], size="sm",
                          className="mb-2")


def _number(input_id: str, label: str, value: int) -> dbc.InputGroup:
    return dbc.InputGroup([dbc.InputGroupText(label), dbc.Input(id=input_id, type="number", min=0, step=1,
                                                                value=value, debounce=True)], size="sm",
                          className="mb-2")


def request_card(record: int) -> dbc.Card:
    return section_card("Model, signal and methods", html.Div([
        _select("xai-experiment", "Experiment", "No evaluated neural run"), _select("xai-run", "Run", "No run"),
        _select("xai-dataset", "Data set", "No ready data set"),
        dbc.Row([dbc.Col(_number("xai-record", "Record", record)), dbc.Col(_number("xai-window", "Window", 0))],
                className="g-2"),
        dbc.Checklist(id="xai-methods", options=parts.method_options(), value=parts.DEFAULT_METHODS,
                      className="small mb-1"),
        dbc.Switch(id="xai-randomisation", label="Model-randomisation check", value=False, className="small"),
        dbc.Accordion([dbc.AccordionItem(parts.parameter_panels(), title="Parameters")], start_collapsed=True,
                      flush=True, className="mb-2"),
        html.Div([dbc.Button([html.I(className="bi bi-lightbulb me-1"), "Explain"], id="xai-run-button",
                             color="primary", size="sm"),
                  dbc.Button([html.I(className="bi bi-stop-fill me-1"), "Cancel"], id="xai-cancel", color="danger",
                             outline=True, size="sm", disabled=True)], className="d-flex gap-2 mb-2"),
        html.Div(id="xai-status", children=parts.progress_line(None)),
    ]), actions=dbc.Button(html.I(className="bi bi-arrow-clockwise"), id="xai-refresh", size="sm",
                           color="secondary", outline=True, title="Reload the lists"))


def embedding_card() -> dbc.Card:
    methods = [{"label": name.upper() if name == "pca" else name, "value": name}
               for name in EMBEDDING_PROJECTION_METHODS]
    return section_card("Embedding of a data set (penultimate layer)", html.Div([
        dbc.Row([
            dbc.Col(_select("xai-embedding-dataset", "Data set", "No ready data set"), md=6),
            dbc.Col(dbc.Select(id="xai-embedding-method", options=methods, value="pca", size="sm"), md=3),
            dbc.Col(dbc.Button([html.I(className="bi bi-diagram-3 me-1"), "Project"], id="xai-embedding-run",
                               color="primary", size="sm"), md=3),
        ], className="g-2 align-items-start"),
        html.Div(id="xai-embedding-status", children=parts.embedding_status(None), className="mb-2"),
        dcc.Graph(id="xai-embedding-graph", figure=no_data_figure("No projection yet."), config={"displaylogo": False}),
    ]))


def page_layout(defaults: dict[str, Any]) -> html.Div:
    graph = {"config": {"displaylogo": False}}
    return html.Div([
        page_header("Explain", "Which samples and frequency bands drove a trained model's decision on one window."),
        *[dcc.Store(id=store, data=defaults if store == "xai-defaults" else None) for store in STORES],
        dbc.Row([  # one card per column: cards fill their column's height
            dbc.Col(request_card(parts.number(defaults.get("record"))), lg=4, className="mb-3"),
            dbc.Col(section_card("Attributions over the signal", dcc.Graph(
                id="xai-heatmap", figure=no_data_figure(NOTHING_YET), **graph)), lg=8, className="mb-3"),
            dbc.Col(section_card("Frequency bands", dcc.Graph(
                id="xai-bands", figure=no_data_figure(NOTHING_YET), **graph)), lg=5, className="mb-3"),
            dbc.Col(section_card("Summary", html.Div(id="xai-summary", children=parts.summary_panel(None))), lg=3,
                    className="mb-3"),
            dbc.Col(section_card("Cached explanations", html.Div(id="xai-cached", className="pfd-xai-cached",
                                                                 style={"maxHeight": "22rem", "overflowY": "auto"})),
                    lg=4, className="mb-3"),
        ]),
        embedding_card(),
    ])


def _call(ctx: DashboardContext, coro: Coroutine[Any, Any, T]) -> T:
    """A service call whose refusals (unknown run, bad method, window out of range) are shown as they are."""
    try:
        return ctx.call(coro)
    except InvalidInput as exc:
        raise UserFacingError(f"{exc.field}: {exc.message}") from exc
    except AuthError as exc:
        raise UserFacingError(exc.message) from exc


def _source(dataset_id: str, record: Any, window: Any) -> ExplanationInput:
    try:
        return ExplanationInput(dataset_id=dataset_id, record=parts.number(record), window=parts.number(window))
    except ValidationError as exc:
        raise UserFacingError("Record and window are whole numbers from 0.") from exc


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(experiment: str | None = None, run: str | None = None, dataset: str | None = None,
               record: str | None = None, **_: Any) -> html.Div:
        return page_layout({"experiment": experiment, "run": run, "dataset": dataset, "record": record})

    dash.register_page(__name__, path="/xai", name="Explain", title="Explain · PFD", order=45, sidebar=True,
                       icon="bi-lightbulb", layout=layout)
    explanations, embeddings = ctx.gateway.explanations.explanations, ctx.gateway.explanations.embeddings

    @app.callback(Output("xai-choices", "data"), Output("xai-experiment", "options"),
                  Output("xai-experiment", "value"), Output("xai-dataset", "options"),
                  Output("xai-embedding-dataset", "options"), Input("xai-refresh", "n_clicks"),
                  State("xai-experiment", "value"), State("xai-defaults", "data"))
    def load_choices(_: Any, chosen: str | None, defaults: dict[str, Any] | None) -> tuple[Any, ...]:
        choices = _call(ctx, explanations.choices(signed_in_principal()))
        datasets = [{"label": f"{d.name} ({d.records} records)", "value": d.dataset_id} for d in choices.datasets]
        return (choices.model_dump(mode="json"), parts.experiment_options(choices.experiments),
                parts.pick(choices, chosen or (defaults or {}).get("experiment")), datasets, datasets)

    @app.callback(Output("xai-run", "options"), Output("xai-run", "value"), Output("xai-dataset", "value"),
                  Output("xai-embedding-dataset", "value"), Output("xai-methods", "options"),
                  Input("xai-experiment", "value"), State("xai-choices", "data"), State("xai-defaults", "data"))
    def pick_experiment(experiment_id: str | None, choices: dict[str, Any] | None,
                        defaults: dict[str, Any] | None) -> tuple[Any, ...]:
        if not experiment_id or not choices:
            raise PreventUpdate
        return parts.experiment_defaults(XaiChoices.model_validate(choices), experiment_id, defaults or {})

    @app.callback(Output("xai-current", "data"), Input("xai-run-button", "n_clicks"),
                  Input({"type": parts.CACHED_TYPE, "id": ALL}, "n_clicks"),
                  State("xai-experiment", "value"), State("xai-run", "value"), State("xai-dataset", "value"),
                  State("xai-record", "value"), State("xai-window", "value"), State("xai-methods", "value"),
                  State({"type": parts.PARAM_TYPE, "method": ALL, "param": ALL}, "id"),
                  State({"type": parts.PARAM_TYPE, "method": ALL, "param": ALL}, "value"),
                  State("xai-randomisation", "value"), prevent_initial_call=True)
    def choose(_: Any, reopened: list[int | None], experiment_id: str | None, run_id: str | None,
               dataset_id: str | None, record: Any, window: Any, methods: list[str] | None, param_ids: list[Any],
               param_values: list[Any], randomisation: bool) -> str:
        trigger = callback_ctx.triggered_id
        if isinstance(trigger, dict):  # a cached explanation clicked (a re-render of the list fires with 0 clicks)
            return trigger["id"] if any(reopened) and callback_ctx.triggered[0]["value"] else dash.no_update
        if not experiment_id or not run_id or not dataset_id:
            raise UserFacingError("Choose an experiment, a run and a data set first.")
        source = _source(dataset_id, record, window)
        chosen = parts.parse_methods(methods, param_ids, param_values)
        return _call(ctx, explanations.request(signed_in_principal(), experiment_id, run_id, source, chosen,
                                               randomisation_check=bool(randomisation))).explanation_id

    @app.callback(Output("xai-status", "children"), Output("xai-cancel", "disabled"), Output("xai-summary", "children"),
                  Output("xai-heatmap", "figure"), Output("xai-bands", "figure"), Input("xai-current", "data"),
                  Input("live-xai", "data"), prevent_initial_call=True)
    def show(explanation_id: str | None, pushed: dict[str, Any] | None) -> tuple[Any, ...]:
        if not explanation_id or (callback_ctx.triggered_id == "live-xai"
                                  and explanation_id not in parts.pushed_ids(pushed, "explanation_id")):
            raise PreventUpdate
        return render_explanation(_call(ctx, explanations.view(signed_in_principal(), explanation_id)))

    @app.callback(Output("xai-cached", "children"), Input("xai-refresh", "n_clicks"), Input("xai-current", "data"),
                  Input("live-xai", "data"))
    def show_cached(_: Any, current: str | None, pushed: dict[str, Any] | None) -> Any:
        if callback_ctx.triggered_id == "live-xai" and not parts.finished_ids(pushed):
            raise PreventUpdate
        return parts.cached_list(_call(ctx, explanations.list(signed_in_principal())), current)

    @app.callback(Output("xai-cancelled", "data"), Input("xai-cancel", "n_clicks"), State("xai-current", "data"),
                  prevent_initial_call=True)
    def cancel(_: int, explanation_id: str | None) -> str:
        if not explanation_id:
            raise PreventUpdate
        return _call(ctx, explanations.cancel(signed_in_principal(), explanation_id)).status

    @app.callback(Output("xai-embedding-current", "data"), Input("xai-embedding-run", "n_clicks"),
                  State("xai-experiment", "value"), State("xai-run", "value"), State("xai-embedding-dataset", "value"),
                  State("xai-embedding-method", "value"), prevent_initial_call=True)
    def request_embedding(_: int, experiment_id: str | None, run_id: str | None, dataset_id: str | None,
                          method: str) -> str:
        if not experiment_id or not run_id or not dataset_id:
            raise UserFacingError("Choose an experiment, a run and a data set first.")
        return _call(ctx, embeddings.request(signed_in_principal(), experiment_id, run_id, dataset_id,
                                             method)).embedding_id

    @app.callback(Output("xai-embedding-status", "children"), Output("xai-embedding-graph", "figure"),
                  Input("xai-embedding-current", "data"), Input("live-xai", "data"), prevent_initial_call=True)
    def show_embedding(embedding_id: str | None, pushed: dict[str, Any] | None) -> tuple[Any, Any]:
        if not embedding_id or (callback_ctx.triggered_id == "live-xai"
                                and embedding_id not in parts.pushed_ids(pushed, "embedding_id")):
            raise PreventUpdate
        found = _call(ctx, embeddings.view(signed_in_principal(), embedding_id))
        figure = (figures.embedding_figure(found.points, found.embedding.method) if found.points
                  else no_data_figure("The projection appears when the xai service has computed it."))
        return parts.embedding_status(found.embedding), figure


def render_explanation(found: Any) -> tuple[Any, ...]:
    """Every output of the explanation panel for one ExplanationView."""
    explanation, arrays = found.explanation, found.arrays
    target = (explanation.summary or {}).get("target_class", "")
    waiting = no_data_figure("The figures appear when the explanation is ready.")
    return (parts.progress_line(explanation), explanation.status not in ("requested", "running"),
            parts.summary_panel(explanation),
            figures.attribution_figure(arrays, parts.LABELS) if arrays else waiting,
            figures.band_figure(arrays.bands, target) if arrays else waiting)
