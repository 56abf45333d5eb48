"""Login page: email, password and an optional TOTP code, posted from the browser to /api/v1/auth/login."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.session import current_user


def safe_next(next_path: str | None) -> str:
    """Only same-site paths: an absolute or protocol-relative URL falls back to the home page."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"


def layout(next: str | None = None, **_: Any) -> Any:  # noqa: A002 - the query parameter's name
    if current_user() is not None:
        return dcc.Location(id="login-signed-in", href=safe_next(next), refresh=True)
    return dbc.Card(dbc.CardBody([
        html.Div([html.I(className="bi bi-activity text-primary fs-1"), html.H1("Sign in to PFD", className="h4 mt-2")],
                 className="text-center mb-4"),
        dbc.Form([
            dbc.Label("Email", html_for="login-email"),
            dbc.Input(id="login-email", type="email", autocomplete="username", required=True, className="mb-3",
                      autoFocus=True),
            dbc.Label("Password", html_for="login-password"),
            dbc.Input(id="login-password", type="password", autocomplete="current-password", required=True,
                      className="mb-3"),
            dbc.Label(["Authentication code ", html.Small("(only with two-factor authentication)",
                                                          className="text-body-secondary")], html_for="login-totp"),
            dbc.Input(id="login-totp", type="text", inputMode="numeric", autocomplete="one-time-code",
                      maxLength=8, className="mb-3", placeholder="123456"),
            html.Div(id="login-error", role="alert"),
            dbc.Button("Sign in", id="login-submit", type="submit", color="primary", className="w-100"),
        ], id="login-form"),
        dcc.Store(id="login-next", data=safe_next(next)),
    ]), className="shadow-sm")


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/login", name="Sign in", title="Sign in · PFD", layout=layout)
    app.clientside_callback(ClientsideFunction("pfd", "login"), Output("login-error", "children"),
                            Input("login-form", "n_submit"),
                            State("login-email", "value"), State("login-password", "value"),
                            State("login-totp", "value"), State("login-next", "data"), prevent_initial_call=True)
