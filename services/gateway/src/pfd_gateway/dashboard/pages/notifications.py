"""Notifications: the caller's history (live from pushed notifications.* frames), mark one or all read; and the
header's bell (unread count, latest items), whose callback this page owns.

Marking read changes the read model at once and asks the notifier to record it; the notifier's confirmation
arrives as a pushed frame like every new notification.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx as dash_ctx, dcc, html

from pfd_gateway.auth.errors import NotFound
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.datasets import pushed_event
from pfd_gateway.dashboard.components.notifications import (
    BELL_COUNT, BELL_ITEMS, BELL_REFRESH, badge_text, bell_items, inbox_list,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import current_user, signed_in_principal
from pfd_gateway.notifications.inbox import unread_with_pushed, with_pushed


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Notifications", "What happened to your data sets, training runs and webhooks.",
                    dbc.Button([html.I(className="bi bi-sliders me-2"), "Preferences"],
                               href="/notifications/preferences", color="secondary", outline=True),
                    dbc.Button([html.I(className="bi bi-check2-all me-2"), "Mark all read"],
                               id="notifications-read-all", color="primary")),
        dcc.Store(id="notifications-marked"),
        section_card("History", html.Div(id="notifications-list"),
                     actions=dbc.Switch(id="notifications-unread-only", label="Unread only", value=False,
                                        className="mb-0"), card_id="notifications-card"),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/notifications", name="Notifications", title="Notifications · PFD",
                       order=70, sidebar=True, icon="bi-bell", layout=layout)
    inbox, limits = ctx.gateway.notifications.inbox, ctx.gateway.settings.notifications

    @app.callback(Output(BELL_COUNT, "children"), Output(BELL_COUNT, "className"), Output(BELL_ITEMS, "children"),
                  Input("live-notifications", "data"), Input(BELL_REFRESH, "data"))
    def show_bell(frame: dict[str, Any] | None, _: Any) -> tuple[str, str, list[Any]]:
        if current_user() is None:
            raise dash.exceptions.PreventUpdate
        count, latest = ctx.call(inbox.bell(signed_in_principal(), limits.bell_items))
        pushed = pushed_event(frame) if dash_ctx.triggered_id == "live-notifications" else None
        text, class_name = badge_text(unread_with_pushed(count, latest, pushed))
        return text, class_name, bell_items(with_pushed(latest, pushed)[: limits.bell_items])

    @app.callback(Output("notifications-list", "children"), Input("live-notifications", "data"),
                  Input("notifications-unread-only", "value"), Input("notifications-marked", "data"))
    def show_history(frame: dict[str, Any] | None, unread_only: bool, _: Any) -> Any:
        rows = ctx.call(inbox.list(signed_in_principal(), limits.history_limit, unread_only=bool(unread_only)))
        pushed = pushed_event(frame) if dash_ctx.triggered_id == "live-notifications" else None
        return inbox_list(with_pushed(rows, pushed))

    @app.callback(Output("notifications-marked", "data"), Output(BELL_REFRESH, "data"),
                  Input({"type": "notifications-read", "id": ALL}, "n_clicks"),
                  Input("notifications-read-all", "n_clicks"), State("notifications-marked", "data"),
                  prevent_initial_call=True)
    def mark(_one: list[int | None], _all: int | None, marked: int | None) -> tuple[int, int]:
        target = dash_ctx.triggered_id
        if not dash_ctx.triggered or not dash_ctx.triggered[0]["value"]:
            raise dash.exceptions.PreventUpdate
        principal = signed_in_principal()
        try:
            if target == "notifications-read-all":
                ctx.call(inbox.mark_all_read(principal))
            else:
                ctx.call(inbox.mark_read(principal, target["id"]))
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc
        return (marked or 0) + 1, (marked or 0) + 1
