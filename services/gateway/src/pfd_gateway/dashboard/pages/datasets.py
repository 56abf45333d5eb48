"""Data sets: the caller's data sets (live from pushed datasets.* frames), a generation form, class
distribution of the selected set, download and delete (with a confirmation modal).

The generation form is validated in the browser first (assets/datasets.js: name, seed, overrides as JSON);
only a valid form writes ``datasets-generate-request``, which the server callback turns into ONE
``DatasetCatalog.request_generation`` call. The service's field errors come back in ``datasets-server-errors``
and are shown next to their field by the same clientside renderer as the browser's own errors.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from pydantic import ValidationError

from pfd_shared.generation.config import PRESETS

from pfd_gateway.api.dataset_models import DatasetGenerateCreate
from pfd_gateway.auth.errors import Conflict, Forbidden, InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.datasets import datasets_table, form_errors, pushed_event
from pfd_gateway.dashboard.components.forms import form_field
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.datasets import class_distribution_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.datasets.service import with_pushed

FIELDS = ("name", "preset", "seed", "config")  # form fields, in the order datasets.js renders their errors
FIELD_IDS = {"name": "datasets-name", "preset": "datasets-preset", "seed": "datasets-seed",
             "config": "datasets-config"}
DEFAULT_PRESET = "quick"
STORES = ("datasets-generate-request", "datasets-client-errors", "datasets-server-errors", "datasets-generated",
          "datasets-deleted", "datasets-selected", "datasets-delete-target")


def checked(label: str, component: Any, hint: str = "") -> html.Div:
    return form_field(label, component, hint, feedback=True)


def generate_form() -> html.Div:
    presets = [{"label": name, "value": name} for name in PRESETS]
    return html.Div([
        checked("Name", dbc.Input(id=FIELD_IDS["name"], placeholder="e.g. quick baseline", maxLength=200)),
        dbc.Row([
            dbc.Col(checked("Preset", dbc.Select(id=FIELD_IDS["preset"], value=DEFAULT_PRESET, options=presets)), md=7),
            dbc.Col(checked("Seed", dbc.Input(id=FIELD_IDS["seed"], type="number", min=0, step=1, value=0)), md=5),
        ]),
        checked("Overrides (optional JSON)",
                dbc.Textarea(id=FIELD_IDS["config"], rows=4, className="font-monospace small",
                             placeholder='{"dataset": {"records_per_class": 8}}'),
                "Changes to the preset's generation config, e.g. record length or classes."),
        dbc.Button([html.I(className="bi bi-magic me-2"), "Generate"], id="datasets-generate", color="primary"),
        html.Div(id="datasets-generate-result", className="mt-3"),
    ])


def delete_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Delete data set?")),
        dbc.ModalBody(id="datasets-delete-body"),
        dbc.ModalFooter([
            dbc.Button("Cancel", id="datasets-delete-cancel", color="secondary", outline=True),
            dbc.Button([html.I(className="bi bi-trash me-2"), "Delete"], id="datasets-delete-confirm", color="danger"),
        ]),
    ], id="datasets-delete-modal", is_open=False, centered=True)


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Data sets", "Your synthetic and imported data sets, updated live while they are built."),
        *[dcc.Store(id=store) for store in STORES],
        dbc.Row([
            dbc.Col(section_card("Generate a synthetic data set", generate_form()), lg=5, className="mb-3"),
            dbc.Col(section_card("Class distribution", html.Div(id="datasets-classes")), lg=7, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(section_card("Data sets", html.Div(id="datasets-list"), card_id="datasets-list-card"),
                        className="mb-3")),
        delete_modal(),
    ])


def classes_panel(row: dict[str, Any] | None) -> Any:
    if row is None:
        return empty_state("bi-bar-chart", "No data set selected",
                           "Press the chart button of a data set to see how many records each class has.")
    return dcc.Graph(figure=class_distribution_figure(row.get("class_names"), row.get("class_counts"), row["name"]),
                     config={"displayModeBar": False}, id="datasets-classes-graph")


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/datasets", name="Data sets", title="Data sets · PFD", order=20,
                       sidebar=True, icon="bi-database", layout=layout)
    catalog = ctx.gateway.datasets
    form_states = [State(FIELD_IDS[field], "value") for field in FIELDS]
    client = [
        ("datasetsValidate", [Output("datasets-generate-request", "data"), Output("datasets-client-errors", "data")],
         [Input("datasets-generate", "n_clicks")], form_states),
        ("datasetsShowErrors", [*[Output(FIELD_IDS[f], "invalid") for f in FIELDS],
                                *[Output(f"{FIELD_IDS[f]}-feedback", "children") for f in FIELDS]],
         [Input("datasets-client-errors", "data"), Input("datasets-server-errors", "data")], []),
        ("datasetsSelect", [Output("datasets-selected", "data")],
         [Input({"type": "datasets-select", "id": ALL}, "n_clicks")], []),
        ("datasetsDeleteModal", [Output("datasets-delete-modal", "is_open"), Output("datasets-delete-target", "data"),
                                 Output("datasets-delete-body", "children")],
         [Input({"type": "datasets-delete", "id": ALL, "name": ALL}, "n_clicks"),
          Input("datasets-delete-cancel", "n_clicks"), Input("datasets-delete-confirm", "n_clicks")], []),
    ]
    for function, outputs, inputs, states in client:
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, *states,
                                prevent_initial_call=True)

    @app.callback(Output("datasets-list", "children"), Input("live-datasets", "data"),
                  Input("datasets-generated", "data"), Input("datasets-deleted", "data"))
    def show_datasets(frame: dict[str, Any] | None, *_: Any) -> Any:
        principal = signed_in_principal()
        rows = with_pushed(ctx.call(catalog.list(principal)), pushed_event(frame))
        return datasets_table(rows, principal.user_id)

    @app.callback(Output("datasets-server-errors", "data"), Output("datasets-generated", "data"),
                  Output("datasets-generate-result", "children"), Input("datasets-generate-request", "data"),
                  running=[(Output("datasets-generate", "disabled"), True, False)], prevent_initial_call=True)
    def generate(request: dict[str, Any]) -> tuple[Any, Any, Any]:
        try:
            body = DatasetGenerateCreate.model_validate(request)
            row = ctx.call(catalog.request_generation(signed_in_principal(), body.name, body.preset, body.config,
                                                      body.seed, body.robustness_snr_db))
        except (ValidationError, InvalidInput) as exc:
            return form_errors(exc, FIELDS), dash.no_update, None
        text = f"Requested “{row['name']}”: the data-generation service builds it; its progress shows below."
        return {}, row["dataset_id"], dbc.Alert(text, color="success", dismissable=True, className="mb-0 py-2",
                                               id="datasets-generate-alert")

    @app.callback(Output("datasets-deleted", "data"), Input("datasets-delete-confirm", "n_clicks"),
                  State("datasets-delete-target", "data"), prevent_initial_call=True)
    def delete(_: int, target: dict[str, str] | None) -> str:
        if not target:
            raise UserFacingError("Choose a data set to delete first.")
        try:
            ctx.call(catalog.delete(signed_in_principal(), target["id"]))
        except (Conflict, Forbidden, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
        return target["id"]

    @app.callback(Output("datasets-classes", "children"), Input("datasets-selected", "data"),
                  Input("live-datasets", "data"))
    def show_classes(selected: str | None, frame: dict[str, Any] | None) -> Any:
        if not selected:
            return classes_panel(None)
        try:
            shown = with_pushed([ctx.call(catalog.get(signed_in_principal(), selected))], pushed_event(frame))
        except NotFound:
            shown = []
        if not shown:
            return empty_state("bi-bar-chart", "The selected data set is gone", "Choose another data set.")
        return classes_panel(shown[0])
