"""New experiment: a four-step wizard (model → data and hyperparameters → training options → review and launch).

Step navigation, validation and the review are clientside (assets/experiment_wizard.js) against the bounds the
server checks (TrainingConfig's schema, the catalogue's param specs, the data set's record length); only a valid
form writes ``experiment-new-request``, which ONE ``ExperimentService.create`` call turns into the experiment.
The server's 422 reasons come back in ``experiment-new-server-errors`` and show next to their fields.
``?clone=<experiment id>`` pre-fills the form from that experiment.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_shared.training import ModelInfo

from pfd_gateway.auth.errors import InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.experiment_form import (
    FIELDS,
    OPTIMISERS,
    PARAM_TYPE,
    SCHEDULERS,
    STEP_ICONS,
    STEPS,
    Field,
    dataset_options,
    default_request,
    field_value,
    model_choices,
    param_inputs,
    param_values,
    preset_options,
    ready_datasets,
    server_errors,
    wizard_config,
)
from pfd_gateway.dashboard.components.experiments import MONITOR_URL, experiment_url
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal

ERROR_FIELDS = tuple(f for f in FIELDS if f.kind not in ("bool", "radio"))
SELECT_OPTIONS = {"preset": preset_options(), "optimiser.name": [{"label": o, "value": o} for o in OPTIMISERS],
                  "scheduler.name": [{"label": label, "value": value} for value, label in SCHEDULERS]}


def control(field: Field, value: Any, models: list[ModelInfo]) -> Any:
    if field.kind == "radio":
        return dbc.RadioItems(id=field.id, options=model_choices(models), value=value,
                              className="pfd-exp-models", input_class_name="me-2")
    if field.kind == "bool":
        return dbc.Switch(id=field.id, value=bool(value), label=field.label, className="mb-3")
    if field.kind == "select":
        return dbc.Select(id=field.id, value=value, options=SELECT_OPTIONS.get(field.path, []),
                          placeholder="No ready data set" if field.path == "dataset_id" else None)
    if field.kind in ("int", "int?", "float", "float?"):
        return dbc.Input(id=field.id, type="number", value=value, step=1 if field.kind.startswith("int") else "any")
    return dbc.Input(id=field.id, type="text", value=value or "", maxLength=200)


def labelled(field: Field, value: Any, models: list[ModelInfo]) -> Any:
    if field.kind == "bool":
        return html.Div([control(field, value, models), dbc.FormText(field.hint) if field.hint else None], className="mb-2")
    feedback = None if field.kind == "radio" else dbc.FormFeedback(id=f"{field.id}-feedback", type="invalid")
    return html.Div([dbc.Label(field.label, html_for=field.id), control(field, value, models), feedback,
                     dbc.FormText(field.hint) if field.hint else None], className="mb-3")


def step_fields(step: int, request: dict[str, Any], width: int, models: list[ModelInfo]) -> dbc.Row:
    return dbc.Row([dbc.Col(labelled(f, field_value(f.path, request), models), md=12 if f.kind == "radio" else width)
                    for f in FIELDS if f.step == step], className="g-3")


def stepper() -> dbc.Nav:
    return dbc.Nav([dbc.NavItem(dbc.NavLink([html.Span(f"{index + 1}", className="pfd-step-number me-2"),
                                             html.I(className=f"bi {STEP_ICONS[index]} me-1"), title],
                                            id=f"experiment-new-step-{index}", active=index == 0, class_name="pfd-step-link"))
                    for index, title in enumerate(STEPS)], pills=True, className="pfd-stepper mb-3 flex-wrap")


def panels(request: dict[str, Any], models: list[ModelInfo]) -> list[html.Div]:
    refresh = dbc.Button([html.I(className="bi bi-arrow-clockwise me-1"), "Reload data sets"],
                         id="experiment-new-refresh", size="sm", color="secondary", outline=True)
    bodies = [
        step_fields(0, request, 6, models),
        html.Div([step_fields(1, request, 4, models), refresh, html.Hr(),
                  html.H3("Model parameters", className="h6"), html.Div(id="experiment-new-params")]),
        step_fields(2, request, 4, models),
        html.Div([step_fields(3, request, 6, models),
                  html.H3("What will be launched", className="h6 mt-2"),
                  html.Pre(id="experiment-new-review", className="pfd-exp-review small p-3 rounded border")]),
    ]
    return [html.Div(body, id=f"experiment-new-panel-{index}", style=None if index == 0 else {"display": "none"})
            for index, body in enumerate(bodies)]


def navigation() -> html.Div:
    return html.Div([
        dbc.Button([html.I(className="bi bi-arrow-left me-1"), "Back"], id="experiment-new-back", color="secondary",
                   outline=True, disabled=True),
        html.Div(id="experiment-new-form-error", className="text-danger small flex-grow-1 px-3"),
        dbc.Button(["Next", html.I(className="bi bi-arrow-right ms-1")], id="experiment-new-next", color="primary"),
        dbc.Button([html.I(className="bi bi-rocket-takeoff me-2"), "Launch"], id="experiment-new-launch",
                   color="success", style={"display": "none"}),
    ], className="d-flex align-items-center gap-2 mt-3")


def page_layout(ctx: DashboardContext, clone: str | None) -> html.Div:
    request, models = default_request(), ctx.gateway.experiments.catalogue()
    return html.Div([
        page_header("New experiment", "Train a model on a data set: one run per seed, followed live.",
                    html.A([html.I(className="bi bi-table me-1"), "All experiments"], href="/experiments",
                           className="btn btn-sm btn-outline-secondary")),
        dcc.Store(id="experiment-new-config", data=wizard_config(models)),
        dcc.Store(id="experiment-new-clone-id", data=clone), dcc.Store(id="experiment-new-clone"),
        dcc.Store(id="experiment-new-datasets", data=[]), dcc.Store(id="experiment-new-draft"),
        dcc.Store(id="experiment-new-request"), dcc.Store(id="experiment-new-server-errors", data={}),
        dcc.Store(id="experiment-new-step", data=0), dcc.Location(id="experiment-new-go", refresh="callback-nav"),
        html.Div(id="experiment-new-clone-note"),
        section_card("Experiment", html.Div([stepper(), *panels(request, models), navigation(),
                                             html.Div(id="experiment-new-result", className="mt-3")]),
                     card_id="experiment-new-card"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(clone: str | None = None, **_: Any) -> html.Div:
        return page_layout(ctx, clone)

    dash.register_page(__name__, path="/experiments/new", name="New experiment", title="New experiment · PFD",
                       order=41, sidebar=True, icon="bi-plus-circle", layout=layout)
    service = ctx.gateway.experiments
    catalogue = {info.name: info for info in service.catalogue()}
    values = [Input(f.id, "value") for f in FIELDS]
    params = Input({"type": PARAM_TYPE, "name": ALL}, "value")
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentWizardCollect"),
        Output("experiment-new-draft", "data"), Output("experiment-new-review", "children"),
        Output("experiment-new-request", "data"),
        Input("experiment-new-launch", "n_clicks"), Input("experiment-new-datasets", "data"), params, *values,
        State("experiment-new-config", "data"))
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentWizardErrors"),
        *[Output(f.id, "invalid") for f in ERROR_FIELDS], *[Output(f"{f.id}-feedback", "children") for f in ERROR_FIELDS],
        Output({"type": PARAM_TYPE, "name": ALL}, "invalid"),
        Output({"type": f"{PARAM_TYPE}-feedback", "name": ALL}, "children"),
        Output("experiment-new-form-error", "children"),
        Input("experiment-new-draft", "data"), Input("experiment-new-server-errors", "data"),
        State("experiment-new-launch", "n_clicks"), State({"type": PARAM_TYPE, "name": ALL}, "id"),
        State("experiment-new-config", "data"))
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentWizardStep"), Output("experiment-new-step", "data"),
        Input("experiment-new-back", "n_clicks"), Input("experiment-new-next", "n_clicks"),
        Input("experiment-new-launch", "n_clicks"), Input("experiment-new-server-errors", "data"),
        *[Input(f"experiment-new-step-{i}", "n_clicks") for i in range(len(STEPS))],
        State("experiment-new-step", "data"), State("experiment-new-draft", "data"),
        State("experiment-new-config", "data"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("pfd", "experimentWizardShowStep"),
        *[Output(f"experiment-new-panel-{i}", "style") for i in range(len(STEPS))],
        *[Output(f"experiment-new-step-{i}", "active") for i in range(len(STEPS))],
        Output("experiment-new-back", "disabled"), Output("experiment-new-next", "style"),
        Output("experiment-new-launch", "style"), Input("experiment-new-step", "data"),
        State("experiment-new-config", "data"))

    @app.callback(Output("experiment-new-dataset-id", "options"), Output("experiment-new-datasets", "data"),
                  Input("experiment-new-refresh", "n_clicks"))
    def list_datasets(_: Any) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        ready = ready_datasets(ctx.call(ctx.gateway.datasets.list(signed_in_principal())))
        return dataset_options(ready), ready

    @app.callback(*[Output(f.id, "value") for f in FIELDS], Output("experiment-new-clone", "data"),
                  Output("experiment-new-clone-note", "children"), Input("experiment-new-clone-id", "data"))
    def clone(experiment_id: str | None) -> tuple[Any, ...]:
        if not experiment_id:
            raise PreventUpdate
        try:
            request = ctx.call(service.clone_config(signed_in_principal(), experiment_id))
        except NotFound as exc:
            raise UserFacingError(f"Cannot clone: {exc.message}") from exc
        note = dbc.Alert([html.I(className="bi bi-copy me-2"), f"Cloned from “{request['name']}”: change what you "
                          "want and launch."], color="info", className="mb-3", id="experiment-new-clone-alert")
        return (*[field_value(f.path, request) for f in FIELDS], request["config"], note)

    @app.callback(Output("experiment-new-params", "children"), Input("experiment-new-model", "value"),
                  Input("experiment-new-preset", "value"), Input("experiment-new-clone", "data"))
    def show_params(model: str | None, preset: str | None, cloned: dict[str, Any] | None) -> Any:
        info = catalogue.get(model or "")
        if info is None:
            return param_inputs(None, {})
        same = bool(cloned) and cloned.get("model") == model and cloned.get("preset") == preset
        return param_inputs(info, param_values(info, preset or "", cloned.get("model_params") if same else None))

    @app.callback(Output("experiment-new-server-errors", "data"), Output("experiment-new-result", "children"),
                  Output("experiment-new-go", "href"), Input("experiment-new-request", "data"),
                  running=[(Output("experiment-new-launch", "disabled"), True, False)], prevent_initial_call=True)
    def launch(request: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if not request:
            raise PreventUpdate
        try:
            created = ctx.call(service.create(signed_in_principal(), request["name"], request["dataset_id"],
                                              request["config"], request["tags"]))
        except InvalidInput as exc:
            return server_errors(exc.field, exc.message), None, dash.no_update
        except NotFound as exc:
            return server_errors("dataset_id", exc.message), None, dash.no_update
        alert = dbc.Alert(f"Launched “{created.name}” ({created.run_count} run(s)).", color="success",
                          id="experiment-new-launched")
        return {}, alert, experiment_url(MONITOR_URL, id=created.experiment_id)
