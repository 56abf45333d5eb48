"""The bell in the header, the inbox list and the preferences form (pure: data in, components out)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from pfd_gateway.dashboard.components.cards import empty_state

BELL_COUNT, BELL_ITEMS, BELL_REFRESH = "shell-bell-count", "shell-bell-items", "shell-bell-refresh"
LEVEL_ICONS = {"success": "bi-check-circle-fill text-success", "danger": "bi-x-octagon-fill text-danger",
               "warning": "bi-exclamation-triangle-fill text-warning", "info": "bi-info-circle-fill text-info"}
CHANNELS = (("in_app", "In-app"), ("email", "Email"), ("webhook", "Webhooks"))
MODES = (("immediate", "At once"), ("digest", "In the digest"))
FREQUENCIES = (("off", "No digest"), ("daily", "Daily"), ("weekly", "Weekly"))
MAX_BADGE = 99


def notification_bell() -> html.Div:
    """The header's bell: unread count badge and the latest notifications (filled by the Notifications page)."""
    label = html.Span([html.I(className="bi bi-bell fs-5"),
                       dbc.Badge("", id=BELL_COUNT, color="danger", pill=True, className="pfd-bell-count d-none")],
                      className="position-relative")
    return html.Div([
        dcc.Store(id=BELL_REFRESH),
        dbc.DropdownMenu(html.Div(id=BELL_ITEMS, className="pfd-bell-items"), label=label, align_end=True,
                         color="link", id="shell-bell", toggle_class_name="text-decoration-none px-2"),
    ])


def badge_text(count: int) -> tuple[str, str]:
    """The badge's text and class: hidden at zero, capped at 99+."""
    if count <= 0:
        return "", "pfd-bell-count d-none"
    return (f"{MAX_BADGE}+" if count > MAX_BADGE else str(count)), "pfd-bell-count"


def when(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime) else ""


def bell_items(rows: list[Mapping[str, Any]]) -> list[Any]:
    items: list[Any] = [dbc.DropdownMenuItem("Notifications", header=True)]
    if not rows:
        items.append(dbc.DropdownMenuItem("Nothing new.", disabled=True, className="small"))
    for row in rows:
        items.append(dbc.DropdownMenuItem([
            html.I(className=f"bi {LEVEL_ICONS.get(row['level'], LEVEL_ICONS['info'])} me-2"),
            html.Span(row["title"], className="fw-semibold" if row.get("read_at") is None else ""),
        ], href=row.get("link") or "/notifications", className="pfd-bell-item small"))
    items += [dbc.DropdownMenuItem(divider=True),
              dbc.DropdownMenuItem("All notifications", href="/notifications", id="shell-bell-all"),
              dbc.DropdownMenuItem("Preferences", href="/notifications/preferences")]
    return items


def inbox_list(rows: list[Mapping[str, Any]]) -> Any:
    if not rows:
        return empty_state("bi-bell", "No notifications",
                           "Finished data sets, training runs and evaluations are announced here as they happen.")
    items = []
    for row in rows:
        unread = row.get("read_at") is None
        actions = [dbc.Button("Mark read", id={"type": "notifications-read", "id": row["notification_id"]},
                              size="sm", color="secondary", outline=True)] if unread else []
        if row.get("link"):
            actions.insert(0, dbc.Button("Open", href=row["link"], size="sm", color="link"))
        items.append(dbc.ListGroupItem([
            html.Div([
                html.I(className=f"bi {LEVEL_ICONS.get(row['level'], LEVEL_ICONS['info'])} me-2"),
                html.Span(row["title"], className="fw-semibold" if unread else ""),
                dbc.Badge("new", color="primary", className="ms-2") if unread else None,
                html.Small(when(row["created_at"]), className="text-body-secondary ms-auto"),
            ], className="d-flex align-items-center"),
            html.Div(row["body"], className="small text-body-secondary mt-1"),
            html.Div(actions, className="d-flex gap-2 mt-2") if actions else None,
        ], className="pfd-notification" + (" pfd-unread" if unread else ""),
            id={"type": "notifications-item", "id": row["notification_id"]}))
    return dbc.ListGroup(items, id="notifications-list-group")


def preferences_form(prefs: Mapping[str, Any]) -> html.Div:
    """Address, digest frequency and one row per notifiable event (channels and delivery mode)."""
    head = html.Thead(html.Tr([html.Th("Event"), html.Th("Channels"), html.Th("Email delivery")]))
    rows = [html.Tr([
        html.Td(rule["label"]),
        html.Td(dbc.Checklist(options=[{"label": label, "value": value} for value, label in CHANNELS],
                              value=rule["channels"], inline=True,
                              id={"type": "notification-preferences-channels", "event": rule["event_type"]})),
        html.Td(dbc.Select(options=[{"label": label, "value": value} for value, label in MODES], value=rule["mode"],
                           size="sm", id={"type": "notification-preferences-mode", "event": rule["event_type"]})),
    ]) for rule in prefs["rules"]]
    return html.Div([
        dbc.Row([
            dbc.Col([dbc.Label("Email address", html_for="notification-preferences-email"),
                     dbc.Input(id="notification-preferences-email", type="email", value=prefs.get("email") or "",
                               placeholder="you@example.com"),
                     dbc.FormFeedback(id="notification-preferences-email-feedback", type="invalid")], md=6),
            dbc.Col([dbc.Label("Digest", html_for="notification-preferences-frequency"),
                     dbc.Select(id="notification-preferences-frequency", value=prefs["digest_frequency"],
                                options=[{"label": label, "value": value} for value, label in FREQUENCIES]),
                     dbc.FormText("Events sent “in the digest” are mailed together at this pace.")], md=6),
        ], className="mb-3"),
        dbc.Table([head, html.Tbody(rows)], className="align-middle", id="notification-preferences-table"),
    ])


def status_badge(status: str) -> dbc.Badge:
    colours = {"saved": "success", "saving": "warning", "default": "secondary", "deleting": "warning"}
    texts = {"saved": "saved", "saving": "saving… (waiting for the notifier)", "default": "defaults",
             "deleting": "deleting…"}
    return dbc.Badge(texts.get(status, status), color=colours.get(status, "secondary"), className="pfd-status")
