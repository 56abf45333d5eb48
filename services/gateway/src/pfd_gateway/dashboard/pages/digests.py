"""Digests (admins): who has events waiting for their digest, "send now" (one user or all), and the history of
sent digests with their email outcome — live from pushed notifications.* frames."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, ctx as dash_ctx, dcc, html

from pfd_gateway.auth.errors import Forbidden
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.notification_admin import digest_history_table, digest_queue_table
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import current_user, signed_in_principal


@protected
def layout(**_: Any) -> html.Div:
    user = current_user()
    if user is None or not user.principal.is_admin:
        return empty_state("bi-shield-lock", "Admins only", "Digests are managed by admins.")
    return html.Div([
        page_header("Digests", "Events waiting for their users' daily or weekly digest, and the digests sent.",
                    dbc.Button([html.I(className="bi bi-send me-2"), "Send all now"], id="digests-send-all",
                               color="primary")),
        dcc.Store(id="digests-sent"),
        html.Div(id="digests-result", className="mb-3"),
        section_card("Queue", html.Div(id="digests-queue"), card_id="digests-queue-card"),
        html.Div(className="mb-3"),
        section_card("History", html.Div(id="digests-history"), card_id="digests-history-card"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/admin/digests", name="Digests", title="Digests · PFD", order=81,
                       sidebar=True, admin=True, icon="bi-inboxes", layout=layout)
    digests, shown = ctx.gateway.notifications.digests, ctx.gateway.settings.notifications.digests_shown

    @app.callback(Output("digests-queue", "children"), Output("digests-history", "children"),
                  Input("live-notifications", "data"), Input("digests-sent", "data"))
    def show(*_: Any) -> tuple[Any, Any]:
        principal = signed_in_principal()
        return (digest_queue_table(ctx.call(digests.queue(principal))),
                digest_history_table(ctx.call(digests.history(principal, shown))))

    @app.callback(Output("digests-sent", "data"), Output("digests-result", "children"),
                  Input({"type": "digests-send", "id": ALL}, "n_clicks"), Input("digests-send-all", "n_clicks"),
                  prevent_initial_call=True)
    def send(*_: Any) -> tuple[Any, Any]:
        if not dash_ctx.triggered or not dash_ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        target = dash_ctx.triggered_id
        user_id = target["id"] if isinstance(target, dict) else None
        try:
            ctx.call(digests.send_now(signed_in_principal(), user_id))
        except Forbidden as exc:
            raise UserFacingError(exc.message) from exc
        who = "this user's digest" if user_id else "every waiting digest"
        return dash_ctx.triggered[0]["prop_id"], dbc.Alert(
            f"Asked the notifier to send {who} now.", color="info", dismissable=True, className="mb-0 py-2",
            id="digests-alert")
