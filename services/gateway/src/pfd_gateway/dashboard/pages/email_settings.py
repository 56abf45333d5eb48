"""Email configuration (admins): the SMTP server, port, TLS mode and login, a test email, and the email log.

The password is write-only: it is sealed and sent to the notifier, never stored by the gateway nor shown
back (the page only says whether one is set). Saved values apply once the notifier confirms (pushed).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.auth.errors import Forbidden, InvalidInput
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.forms import form_field
from pfd_gateway.dashboard.components.notification_admin import emails_table, smtp_summary
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import current_user, signed_in_principal

FIELDS = ("host", "port", "username", "from_address", "to")  # in the order notifications.js renders their errors
TLS_MODES = (("starttls", "STARTTLS (usually port 587)"), ("tls", "TLS from the start (usually 465)"),
             ("none", "None (local relays only)"))
STORES = ("email-settings-load", "email-settings-request", "email-settings-client-errors",
          "email-settings-server-errors", "email-settings-saved", "email-settings-test-request")


def _input(field: str, label: str, hint: str = "", **props: Any) -> html.Div:
    return form_field(label, dbc.Input(id=f"email-settings-{field}", **props), hint, feedback=True)


def smtp_form() -> html.Div:
    return html.Div([
        dbc.Row([dbc.Col(_input("host", "SMTP server", placeholder="smtp.example.com"), md=8),
                 dbc.Col(_input("port", "Port", type="number", min=1, max=65535, value=587), md=4)]),
        form_field("TLS", dbc.Select(id="email-settings-tls_mode", value="starttls",
                                     options=[{"label": label, "value": value} for value, label in TLS_MODES])),
        dbc.Row([dbc.Col(_input("username", "Login (optional)", autoComplete="off"), md=6),
                 dbc.Col(form_field("Password", dbc.Input(id="email-settings-password", type="password",
                                                          autoComplete="new-password"),
                                    "Leave empty to keep the stored one; it is never shown."), md=6)]),
        dbc.Checkbox(id="email-settings-clear_password", label="Remove the stored password", value=False,
                     className="mb-3"),
        _input("from_address", "From address", placeholder="pfd@example.com", type="email"),
        dbc.Button([html.I(className="bi bi-save me-2"), "Save"], id="email-settings-save", color="primary"),
        html.Div(id="email-settings-result", className="mt-3"),
    ])


def test_form() -> html.Div:
    return html.Div([
        _input("to", "Send a test email to", placeholder="you@example.com", type="email"),
        dbc.Button([html.I(className="bi bi-envelope-check me-2"), "Send test email"], id="email-settings-test",
                   color="secondary"),
        html.Div(id="email-settings-test-result", className="mt-3"),
    ])


@protected
def layout(**_: Any) -> html.Div:
    user = current_user()
    if user is None or not user.principal.is_admin:
        return empty_state("bi-shield-lock", "Admins only", "Ask an admin to configure email.")
    return html.Div([
        page_header("Email configuration", "How the notifier sends email.", html.Div(id="email-settings-status")),
        *[dcc.Store(id=store, data=True if store.endswith("load") else None) for store in STORES],
        dbc.Row([
            dbc.Col(section_card("SMTP server", smtp_form(), card_id="email-settings-form-card"), lg=7,
                    className="mb-3"),
            dbc.Col(section_card("Test", test_form()), lg=5, className="mb-3"),
        ]),
        section_card("Recent emails", html.Div(id="email-settings-log"), card_id="email-settings-log-card"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/admin/email", name="Email", title="Email configuration · PFD", order=80,
                       sidebar=True, admin=True, icon="bi-envelope-at", layout=layout)
    email, shown = ctx.gateway.notifications.email, ctx.gateway.settings.notifications.emails_shown
    form = ["host", "port", "tls_mode", "username", "password", "clear_password", "from_address"]
    client = [
        ("emailValidate", [Output("email-settings-request", "data"), Output("email-settings-test-request", "data"),
                           Output("email-settings-client-errors", "data")],
         [Input("email-settings-save", "n_clicks"), Input("email-settings-test", "n_clicks")],
         [State(f"email-settings-{f}", "value") for f in form] + [State("email-settings-to", "value")]),
        ("emailShowErrors", [*[Output(f"email-settings-{f}", "invalid") for f in FIELDS],
                             *[Output(f"email-settings-{f}-feedback", "children") for f in FIELDS]],
         [Input("email-settings-client-errors", "data"), Input("email-settings-server-errors", "data")], []),
    ]
    for function, outputs, inputs, states in client:
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, *states,
                                prevent_initial_call=True)

    @app.callback(Output("email-settings-host", "value"), Output("email-settings-port", "value"),
                  Output("email-settings-tls_mode", "value"), Output("email-settings-username", "value"),
                  Output("email-settings-from_address", "value"), Input("email-settings-load", "data"))
    def fill_form(_: Any) -> tuple[Any, ...]:
        config = ctx.call(email.config(signed_in_principal()))
        if config is None:
            raise dash.exceptions.PreventUpdate
        return config["host"], config["port"], config["tls_mode"], config["username"], config["from_address"]

    @app.callback(Output("email-settings-status", "children"), Output("email-settings-log", "children"),
                  Input("live-notifications", "data"), Input("email-settings-saved", "data"))
    def show_state(*_: Any) -> tuple[Any, Any]:
        principal = signed_in_principal()
        return smtp_summary(ctx.call(email.config(principal))), emails_table(ctx.call(email.emails(principal, shown)))

    @app.callback(Output("email-settings-server-errors", "data"), Output("email-settings-saved", "data"),
                  Output("email-settings-result", "children"), Output("email-settings-password", "value"),
                  Input("email-settings-request", "data"), prevent_initial_call=True,
                  running=[(Output("email-settings-save", "disabled"), True, False)])
    def save(request: dict[str, Any] | None) -> tuple[Any, ...]:
        if not request:  # the store is (re)created with the page: no request yet
            raise dash.exceptions.PreventUpdate
        try:
            saved = ctx.call(email.save(signed_in_principal(), **request))
        except InvalidInput as exc:
            return {exc.field: exc.message}, dash.no_update, None, dash.no_update
        except Forbidden as exc:
            raise UserFacingError(exc.message) from exc
        alert = dbc.Alert("Saved: sent to the notifier.", color="success", dismissable=True, className="mb-0 py-2",
                          id="email-settings-alert")
        return {}, saved["updated_at"].isoformat() if saved else None, alert, ""

    @app.callback(Output("email-settings-test-result", "children"), Input("email-settings-test-request", "data"),
                  prevent_initial_call=True)
    def send_test(request: dict[str, Any] | None) -> Any:
        if not request:
            raise dash.exceptions.PreventUpdate
        try:
            ctx.call(email.send_test(signed_in_principal(), request["to"]))
        except (InvalidInput, Forbidden) as exc:
            raise UserFacingError(exc.message) from exc
        return dbc.Alert(f"Test email to {request['to']} requested: the outcome appears under Recent emails.",
                         color="info", dismissable=True, className="mb-0 py-2", id="email-settings-test-alert")
