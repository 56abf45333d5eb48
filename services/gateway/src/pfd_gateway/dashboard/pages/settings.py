"""Settings: profile, password (with a strength meter), security (2FA, sessions, login history), API keys.

Lists are rendered on the server from the auth service; changes are made from the browser through the auth
REST API (assets/settings.js) with the CSRF header, and each change writes its own ``settings-*-changed``
store so the lists it affects re-render.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.dashboard.components.account import api_keys_table, history_table, profile_panel, sessions_table
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.domain.access import Scope

CHANGE_STORES = ("settings-password-changed", "settings-totp-changed", "settings-key-created",
                 "settings-key-revoked", "settings-session-revoked")


def field(label: str, component: Any, hint: str = "") -> html.Div:
    return html.Div([dbc.Label(label, html_for=component.id), component,
                     dbc.FormText(hint) if hint else None], className="mb-3")


def password_tab() -> html.Div:
    return html.Div([
        field("Current password", dbc.Input(id="settings-password-current", type="password",
                                            autocomplete="current-password")),
        field("New password", dbc.Input(id="settings-password-new", type="password", autocomplete="new-password")),
        dbc.Progress(id="settings-password-meter", value=0, className="mb-1", style={"height": "6px"}),
        html.Small(id="settings-password-strength", className="text-body-secondary d-block mb-3"),
        field("Repeat the new password", dbc.Input(id="settings-password-repeat", type="password",
                                                   autocomplete="new-password")),
        dbc.Button("Change password", id="settings-password-submit", color="primary"),
        html.Div(id="settings-password-result", className="mt-3"),
    ], style={"maxWidth": "32rem"})


def security_tab() -> html.Div:
    totp = html.Div([
        html.P("Two-factor authentication asks for a code from an authenticator app at every sign-in.",
               className="text-body-secondary small"),
        dbc.Button("Set up two-factor authentication", id="settings-totp-enrol", color="primary", outline=True,
                   size="sm"),
        html.Div(id="settings-totp-enrolment", className="mt-3"),
        dbc.InputGroup([dbc.Input(id="settings-totp-code", placeholder="6-digit code", inputMode="numeric"),
                        dbc.Button("Confirm", id="settings-totp-confirm", color="primary")],
                       className="mt-2", style={"maxWidth": "22rem"}),
        html.Hr(),
        html.P("Turn it off (needs your password and a current code):", className="small mb-2"),
        dbc.InputGroup([dbc.Input(id="settings-totp-disable-password", type="password", placeholder="Password"),
                        dbc.Input(id="settings-totp-disable-code", placeholder="Code"),
                        dbc.Button("Turn off", id="settings-totp-disable", color="danger", outline=True)],
                       style={"maxWidth": "32rem"}),
        html.Div(id="settings-totp-result", className="mt-3"),
    ])
    return html.Div([
        dbc.Row(dbc.Col(section_card("Two-factor authentication", totp), className="mb-3")),
        dbc.Row(dbc.Col(section_card("Active sessions", html.Div(id="settings-sessions")), className="mb-3")),
        html.Div(id="settings-session-result"),
        dbc.Row(dbc.Col(section_card("Login history", html.Div(id="settings-history")), className="mb-3")),
    ])


def api_keys_tab() -> html.Div:
    create = dbc.Row([
        dbc.Col(field("Name", dbc.Input(id="settings-key-name", placeholder="e.g. nightly export", maxLength=100)),
                md=4),
        dbc.Col(field("Scopes", dbc.Checklist(id="settings-key-scopes", value=[Scope.READ.value], inline=True,
                                              options=[{"label": s.value, "value": s.value} for s in Scope])), md=3),
        dbc.Col(field("Expires (optional)", dbc.Input(id="settings-key-expires", type="date")), md=3),
        dbc.Col(dbc.Button("Create key", id="settings-key-create", color="primary", className="mt-md-4"), md=2),
    ])
    created = html.Div([
        html.P("Copy the key now: it is shown only once.", className="mb-1 fw-semibold"),
        html.Div([html.Code(id="settings-new-key", className="me-2 text-break"),
                  dcc.Clipboard(target_id="settings-new-key", title="Copy", id="settings-new-key-copy",
                                className="btn btn-sm btn-outline-secondary")], className="d-flex align-items-center"),
    ], id="settings-new-key-panel", className="d-none alert alert-success")
    return html.Div([
        dbc.Row(dbc.Col(section_card("New API key", html.Div([create, html.Div(id="settings-key-result"), created])),
                        className="mb-3")),
        dbc.Row(dbc.Col(section_card("Your API keys", html.Div(id="settings-keys")), className="mb-3")),
    ])


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Settings", "Your account, its security and its API keys."),
        *[dcc.Store(id=store) for store in CHANGE_STORES],
        dbc.Tabs([
            dbc.Tab(section_card("Profile", html.Div(id="settings-profile")), label="Profile", tab_id="profile"),
            dbc.Tab(password_tab(), label="Password", tab_id="password"),
            dbc.Tab(security_tab(), label="Security", tab_id="security"),
            dbc.Tab(api_keys_tab(), label="API keys", tab_id="api-keys"),
        ], id="settings-tabs", active_tab="profile", className="mb-3"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/settings", name="Settings", title="Settings · PFD", order=90,
                       sidebar=True, icon="bi-gear", layout=layout)
    auth = ctx.gateway.auth
    client = [("passwordStrength", [Output("settings-password-meter", "value"),
                                    Output("settings-password-meter", "color"),
                                    Output("settings-password-strength", "children")],
               [Input("settings-password-new", "value")], []),
              ("changePassword", [Output("settings-password-result", "children"),
                                  Output("settings-password-changed", "data")],
               [Input("settings-password-submit", "n_clicks")],
               [State("settings-password-current", "value"), State("settings-password-new", "value"),
                State("settings-password-repeat", "value")]),
              ("totpEnrol", [Output("settings-totp-enrolment", "children")],
               [Input("settings-totp-enrol", "n_clicks")], []),
              ("totpConfirm", [Output("settings-totp-result", "children"), Output("settings-totp-changed", "data")],
               [Input("settings-totp-confirm", "n_clicks"), Input("settings-totp-disable", "n_clicks")],
               [State("settings-totp-code", "value"), State("settings-totp-disable-password", "value"),
                State("settings-totp-disable-code", "value")]),
              ("createKey", [Output("settings-key-result", "children"), Output("settings-new-key", "children"),
                             Output("settings-new-key-panel", "className"), Output("settings-key-created", "data")],
               [Input("settings-key-create", "n_clicks")],
               [State("settings-key-name", "value"), State("settings-key-scopes", "value"),
                State("settings-key-expires", "value")]),
              ("revokeKey", [Output("settings-key-revoked", "data")],
               [Input({"type": "settings-revoke-key", "id": ALL}, "n_clicks")], []),
              ("revokeSession", [Output("settings-session-result", "children"),
                                 Output("settings-session-revoked", "data")],
               [Input({"type": "settings-revoke-session", "id": ALL}, "n_clicks")], [])]
    for function, outputs, inputs, states in client:
        app.clientside_callback(ClientsideFunction("pfd", function), *outputs, *inputs, *states,
                                prevent_initial_call=True)

    @app.callback(Output("settings-profile", "children"), Input("settings-totp-changed", "data"))
    def show_profile(_: Any) -> html.Dl:
        return profile_panel(ctx.call(auth.users.me(signed_in_principal())))

    @app.callback(Output("settings-sessions", "children"), Input("settings-session-revoked", "data"),
                  Input("settings-password-changed", "data"))
    def show_sessions(*_: Any) -> Any:
        return sessions_table(ctx.call(auth.sessions.list_active(signed_in_principal())))

    @app.callback(Output("settings-history", "children"), Input("settings-tabs", "active_tab"))
    def show_history(_: str) -> Any:
        return history_table(ctx.call(auth.throttle.history(signed_in_principal())))

    @app.callback(Output("settings-keys", "children"), Input("settings-key-created", "data"),
                  Input("settings-key-revoked", "data"))
    def show_keys(*_: Any) -> Any:
        return api_keys_table(ctx.call(auth.api_keys.list(signed_in_principal())), datetime.now(UTC))
