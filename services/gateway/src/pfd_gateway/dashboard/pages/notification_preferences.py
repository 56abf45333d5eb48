"""Notification preferences: the address, the digest frequency, and per notifiable event (the rule table) which
channels it reaches and whether email goes at once or into the digest.

The form is checked in the browser first (assets/notifications.js: an address when email is chosen); a valid
form becomes ``notification-preferences-request``, which ONE server callback sends to the notifier
(``PreferencesService.save``). The notifier's confirmation arrives pushed and turns "saving" into "saved".
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.notifications import preferences_form, status_badge
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal

PREFIX = "notification-preferences"


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Notification preferences", "Which events reach you, where, and when.",
                    html.Span(id=f"{PREFIX}-status")),
        dcc.Store(id=f"{PREFIX}-load", data=True), dcc.Store(id=f"{PREFIX}-request"),
        dcc.Store(id=f"{PREFIX}-client-errors"), dcc.Store(id=f"{PREFIX}-server-errors"),
        dcc.Store(id=f"{PREFIX}-saved"),
        section_card("Preferences", html.Div([
            html.Div(id=f"{PREFIX}-form"),
            dbc.Button([html.I(className="bi bi-save me-2"), "Save"], id=f"{PREFIX}-save", color="primary"),
            html.Div(id=f"{PREFIX}-result", className="mt-3"),
        ]), card_id=f"{PREFIX}-card"),
        html.P(["Webhooks have their own event filter: see ", html.A("Webhooks", href="/webhooks"), "."],
               className="text-body-secondary small mt-3"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/notifications/preferences", name="Notification preferences",
                       title="Notification preferences · PFD", order=71, layout=layout)
    service = ctx.gateway.notifications.preferences
    app.clientside_callback(
        ClientsideFunction("pfd", "preferencesValidate"),
        Output(f"{PREFIX}-request", "data"), Output(f"{PREFIX}-client-errors", "data"),
        Input(f"{PREFIX}-save", "n_clicks"), State(f"{PREFIX}-email", "value"), State(f"{PREFIX}-frequency", "value"),
        State({"type": f"{PREFIX}-channels", "event": ALL}, "value"),
        State({"type": f"{PREFIX}-channels", "event": ALL}, "id"),
        State({"type": f"{PREFIX}-mode", "event": ALL}, "value"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("pfd", "preferencesShowErrors"),
        Output(f"{PREFIX}-email", "invalid"), Output(f"{PREFIX}-email-feedback", "children"),
        Input(f"{PREFIX}-client-errors", "data"), Input(f"{PREFIX}-server-errors", "data"), prevent_initial_call=True)

    @app.callback(Output(f"{PREFIX}-form", "children"), Input(f"{PREFIX}-load", "data"))
    def show_form(_: Any) -> Any:
        return preferences_form(ctx.call(service.get(signed_in_principal())))

    @app.callback(Output(f"{PREFIX}-status", "children"), Input("live-notifications", "data"),
                  Input(f"{PREFIX}-saved", "data"))
    def show_status(*_: Any) -> Any:
        return status_badge(ctx.call(service.get(signed_in_principal()))["status"])

    @app.callback(Output(f"{PREFIX}-server-errors", "data"), Output(f"{PREFIX}-saved", "data"),
                  Output(f"{PREFIX}-result", "children"), Input(f"{PREFIX}-request", "data"),
                  running=[(Output(f"{PREFIX}-save", "disabled"), True, False)], prevent_initial_call=True)
    def save(request: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if not request:  # the store is (re)created with the page: no request yet
            raise dash.exceptions.PreventUpdate
        try:
            saved = ctx.call(service.save(signed_in_principal(), request.get("email"), request["digest_frequency"],
                                          request["rules"]))
        except InvalidInput as exc:
            return {exc.field: exc.message}, dash.no_update, dbc.Alert(exc.message, color="danger", className="mb-0")
        return {}, saved["updated_at"].isoformat(), dbc.Alert(
            "Saved: the notifier applies your preferences to the next events.", color="success", dismissable=True,
            className="mb-0 py-2", id=f"{PREFIX}-alert")
