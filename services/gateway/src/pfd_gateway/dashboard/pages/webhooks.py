"""Webhooks: the caller's webhooks (live), a create/edit form with an event filter, test and delete buttons, the
signing secret shown once, and the delivery log of the selected webhook (status code, latency, retries).

The form is checked in the browser first (assets/notifications.js: name, an http(s) URL); a valid form becomes
``webhooks-request``, which ONE server callback turns into ``WebhookService.create`` or ``update``. The
notifier's facts (saved, delivered, failed, disabled) arrive pushed and refresh the table and the log.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, ctx as dash_ctx, dcc, html

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.forms import form_field
from pfd_gateway.dashboard.components.notification_admin import deliveries_table, webhooks_table
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.notifications.preferences import EVENT_CHOICES

FIELDS = ("name", "url", "event_types")  # in the order notifications.js renders their errors
LABELS = dict(EVENT_CHOICES)
STORES = ("webhooks-request", "webhooks-client-errors", "webhooks-server-errors", "webhooks-saved",
          "webhooks-changed", "webhooks-selected", "webhooks-delete-target", "webhooks-editing")


def webhook_form() -> html.Div:
    return html.Div([
        form_field("Name", dbc.Input(id="webhooks-name", placeholder="e.g. ops channel", maxLength=100), feedback=True),
        form_field("URL", dbc.Input(id="webhooks-url", placeholder="https://hooks.example.com/pfd"),
                   "PFD POSTs signed JSON here (see docs/webhooks.md to verify it).", feedback=True),
        form_field("Events", dbc.Checklist(id="webhooks-event_types", value=[], options=[
            {"label": label, "value": value} for value, label in EVENT_CHOICES]),
                   "None ticked: every event your preferences send to webhooks.", feedback=True),
        dbc.Switch(id="webhooks-enabled", label="Enabled", value=True, className="mb-2"),
        dbc.Checkbox(id="webhooks-rotate", label="Rotate the signing secret", value=False, className="mb-3"),
        html.Div([
            dbc.Button([html.I(className="bi bi-save me-2"), "Save"], id="webhooks-save", color="primary"),
            dbc.Button("Cancel edit", id="webhooks-cancel", color="secondary", outline=True),
        ], className="d-flex gap-2"),
        html.Div(id="webhooks-result", className="mt-3"),
    ])


def delete_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Delete webhook?")), dbc.ModalBody(id="webhooks-delete-body"),
        dbc.ModalFooter([
            dbc.Button("Cancel", id="webhooks-delete-cancel", color="secondary", outline=True),
            dbc.Button([html.I(className="bi bi-trash me-2"), "Delete"], id="webhooks-delete-confirm", color="danger"),
        ]),
    ], id="webhooks-delete-modal", is_open=False, centered=True)


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Webhooks", "Signed HTTP callbacks for your events, retried with backoff when they fail."),
        *[dcc.Store(id=store) for store in STORES],
        dbc.Row([
            dbc.Col(section_card("Add or edit a webhook", webhook_form(), card_id="webhooks-form-card"), lg=4,
                    className="mb-3"),
            dbc.Col([section_card("Your webhooks", html.Div(id="webhooks-list"), card_id="webhooks-list-card"),
                     html.Div(id="webhooks-action-result", className="mt-2")], lg=8, className="mb-3"),
        ]),
        section_card("Delivery log", html.Div(id="webhooks-log"), card_id="webhooks-log-card"),
        delete_modal(),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/webhooks", name="Webhooks", title="Webhooks · PFD", order=72, sidebar=True,
                       icon="bi-link-45deg", layout=layout)
    service, shown = ctx.gateway.notifications.webhooks, ctx.gateway.settings.notifications.deliveries_shown
    client = [
        ("webhooksValidate", [Output("webhooks-request", "data"), Output("webhooks-client-errors", "data")],
         [Input("webhooks-save", "n_clicks")],
         [State(f"webhooks-{f}", "value") for f in FIELDS] + [State("webhooks-enabled", "value"),
                                                              State("webhooks-rotate", "value"),
                                                              State("webhooks-editing", "data")]),
        ("webhooksShowErrors", [*[Output(f"webhooks-{f}", "invalid") for f in FIELDS if f != "event_types"],
                                *[Output(f"webhooks-{f}-feedback", "children") for f in FIELDS]],
         [Input("webhooks-client-errors", "data"), Input("webhooks-server-errors", "data")], []),
        ("webhooksSelect", [Output("webhooks-selected", "data")],
         [Input({"type": "webhooks-log", "id": ALL}, "n_clicks"),
          Input({"type": "webhooks-test", "id": ALL}, "n_clicks")],
         []),
        ("webhooksDeleteModal", [Output("webhooks-delete-modal", "is_open"), Output("webhooks-delete-target", "data"),
                                 Output("webhooks-delete-body", "children")],
         [Input({"type": "webhooks-delete", "id": ALL, "name": ALL}, "n_clicks"),
          Input("webhooks-delete-cancel", "n_clicks"), Input("webhooks-delete-confirm", "n_clicks")], []),
    ]
    for function, outputs, inputs, states in client:
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, *states,
                                prevent_initial_call=True)

    @app.callback(Output("webhooks-list", "children"), Input("live-notifications", "data"),
                  Input("webhooks-saved", "data"), Input("webhooks-changed", "data"))
    def show_webhooks(*_: Any) -> Any:
        return webhooks_table(ctx.call(service.list(signed_in_principal())), LABELS)

    @app.callback(Output("webhooks-log", "children"), Input("webhooks-selected", "data"),
                  Input("live-notifications", "data"))
    def show_log(selected: str | None, _: Any) -> Any:
        if not selected:
            return html.P("Press the log button of a webhook to see its deliveries.", className="text-body-secondary")
        try:
            return deliveries_table(ctx.call(service.deliveries(signed_in_principal(), selected, shown)))
        except NotFound:
            return html.P("The selected webhook is gone.", className="text-body-secondary")

    @app.callback(Output("webhooks-name", "value"), Output("webhooks-url", "value"),
                  Output("webhooks-event_types", "value"), Output("webhooks-enabled", "value"),
                  Output("webhooks-rotate", "value"), Output("webhooks-editing", "data"),
                  Input({"type": "webhooks-edit", "id": ALL}, "n_clicks"), Input("webhooks-saved", "data"),
                  Input("webhooks-cancel", "n_clicks"), prevent_initial_call=True)
    def fill_form(*_: Any) -> tuple[Any, ...]:
        target = dash_ctx.triggered_id
        if isinstance(target, dict) and dash_ctx.triggered[0]["value"]:
            row = ctx.call(service.get(signed_in_principal(), target["id"]))
            return row["name"], row["url"], row["event_types"], row["enabled"], False, row["webhook_id"]
        if isinstance(target, dict):
            raise dash.exceptions.PreventUpdate
        return "", "", [], True, False, None

    @app.callback(Output("webhooks-server-errors", "data"), Output("webhooks-saved", "data"),
                  Output("webhooks-result", "children"), Input("webhooks-request", "data"),
                  running=[(Output("webhooks-save", "disabled"), True, False)], prevent_initial_call=True)
    def save(request: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if not request:  # the store is (re)created with the page: no request yet
            raise dash.exceptions.PreventUpdate
        principal = signed_in_principal()
        try:
            if request.get("webhook_id"):
                row, secret = ctx.call(service.update(principal, request["webhook_id"], request["name"],
                                                      request["url"], request["event_types"], request["enabled"],
                                                      request["rotate"]))
            else:
                row, secret = ctx.call(service.create(principal, request["name"], request["url"],
                                                      request["event_types"], request["enabled"]))
        except InvalidInput as exc:
            return {exc.field: exc.message}, dash.no_update, None
        except (Conflict, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
        text = [f"Saved “{row['name']}”."]
        if secret:
            text += [" Its signing secret (shown only now — store it where your receiver can read it): ",
                     html.Code(secret, id="webhooks-secret", className="user-select-all")]
        return {}, row["updated_at"].isoformat(), dbc.Alert(text, color="success", dismissable=True,
                                                             className="mb-0 py-2", id="webhooks-alert")

    @app.callback(Output("webhooks-changed", "data"), Output("webhooks-action-result", "children"),
                  Input({"type": "webhooks-test", "id": ALL}, "n_clicks"), Input("webhooks-delete-confirm", "n_clicks"),
                  State("webhooks-delete-target", "data"), prevent_initial_call=True)
    def act(_tests: list[int | None], _confirm: int | None, target: dict[str, str] | None) -> tuple[Any, Any]:
        trigger = dash_ctx.triggered_id
        if not dash_ctx.triggered or not dash_ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        principal = signed_in_principal()
        try:
            if trigger == "webhooks-delete-confirm":
                if not target:
                    raise UserFacingError("Choose a webhook to delete first.")
                ctx.call(service.delete(principal, target["id"]))
                message = f"Deleting “{target['name']}”."
            else:
                ctx.call(service.test(principal, trigger["id"]))
                message = "Test delivery requested: its outcome appears in the delivery log."
        except (Conflict, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
        return dash_ctx.triggered[0]["prop_id"] + str(dash_ctx.triggered[0]["value"]), dbc.Alert(
            message, color="info", dismissable=True, className="mb-0 py-2", id="webhooks-action-alert")
