"""Account tables and panels of the Settings page (pure: auth records in, components out)."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.auth.records import ApiKeyRecord, LoginAttemptRecord, SessionRecord, UserRecord
from pfd_gateway.dashboard.components.cards import empty_state


def when(value: datetime | None, never: str = "never") -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else never


def profile_panel(user: UserRecord) -> html.Dl:
    rows = (("Email", user.email), ("Role", str(user.role)), ("Member since", when(user.created_at)),
            ("Two-factor authentication", "on" if user.totp_enabled else "off"))
    return html.Dl([part for label, value in rows for part in (html.Dt(label, className="col-sm-4"),
                                                                html.Dd(value, className="col-sm-8"))],
                   className="row mb-0", id="settings-profile-list")


def sessions_table(records: list[SessionRecord]) -> dbc.Table | html.Div:
    if not records:
        return empty_state("bi-laptop", "No active session", "Sessions appear here when you sign in.")
    rows = [html.Tr([
        html.Td([r.user_agent or "unknown client", dbc.Badge("this session", color="primary", className="ms-2")
                 if r.current else None], className="text-break"),
        html.Td(r.ip or "—"), html.Td(when(r.created_at)), html.Td(when(r.last_seen_at)),
        html.Td(None if r.current else dbc.Button("Revoke", id={"type": "settings-revoke-session", "id": r.id},
                                                  size="sm", color="danger", outline=True)),
    ]) for r in records]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Client", "Address", "Signed in", "Last seen", "")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0",
                     id="settings-sessions-table")


def history_table(records: list[LoginAttemptRecord]) -> dbc.Table | html.Div:
    if not records:
        return empty_state("bi-clock-history", "No login recorded yet", "Every sign-in attempt is listed here.")
    rows = [html.Tr([
        html.Td(when(r.at)), html.Td(dbc.Badge("success" if r.succeeded else "failed",
                                               color="success" if r.succeeded else "danger")),
        html.Td(r.reason), html.Td(r.ip or "—"), html.Td(r.user_agent or "—", className="text-break small"),
    ]) for r in records]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Time", "Outcome", "Reason", "Address", "Client")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0",
                     id="settings-history-table")


def key_state(record: ApiKeyRecord, now: datetime) -> tuple[str, str]:
    if record.revoked_at:
        return "revoked", "secondary"
    if record.expires_at and record.expires_at <= now:
        return "expired", "warning"
    return "active", "success"


def api_keys_table(records: list[ApiKeyRecord], now: datetime) -> dbc.Table | html.Div:
    if not records:
        return empty_state("bi-key", "No API key yet", "Create one above to call the API from scripts.")
    rows = []
    for r in records:
        state, colour = key_state(r, now)
        revoke = (dbc.Button("Revoke", id={"type": "settings-revoke-key", "id": r.id}, size="sm", color="danger",
                             outline=True) if state == "active" else None)
        rows.append(html.Tr([
            html.Td(html.Strong(r.name)), html.Td(html.Code(f"pfd_{r.prefix}_…")),
            html.Td(", ".join(sorted(str(s) for s in r.scopes))), html.Td(dbc.Badge(state, color=colour)),
            html.Td(when(r.created_at)), html.Td(when(r.expires_at)), html.Td(when(r.last_used_at)), html.Td(revoke),
        ], id={"type": "settings-key-row", "name": r.name}))
    head = html.Thead(html.Tr([html.Th(h) for h in ("Name", "Key", "Scopes", "State", "Created", "Expires",
                                                     "Last used", "")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", responsive=True, className="mb-0",
                     id="settings-keys-table")
