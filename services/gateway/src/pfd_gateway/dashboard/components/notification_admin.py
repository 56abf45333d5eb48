"""Tables of the Webhooks, Email configuration and Digests pages (pure: data in, components out)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.dashboard.components.notifications import status_badge, when


def _table(headers: tuple[str, ...], rows: list[Any], table_id: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(rows)], size="sm", hover=True,
                     responsive=True, className="mb-0 align-middle", id=table_id)


def _outcome(ok: bool, retry: Any = None) -> dbc.Badge:
    if ok:
        return dbc.Badge("delivered", color="success")
    return dbc.Badge("retrying" if retry else "failed", color="warning" if retry else "danger")


def webhooks_table(rows: list[Mapping[str, Any]], labels: Mapping[str, str]) -> Any:
    if not rows:
        return empty_state("bi-link-45deg", "No webhooks yet",
                           "Add a URL on the left: PFD posts a signed JSON body there when your events happen.")
    body = []
    for row in rows:
        wid = row["webhook_id"]
        state = dbc.Badge("enabled", color="success") if row["enabled"] else dbc.Badge("disabled", color="secondary")
        events = ", ".join(labels.get(t, t) for t in row["event_types"]) or "all events"
        buttons = [
            dbc.Button(html.I(className="bi bi-pencil"), id={"type": "webhooks-edit", "id": wid}, size="sm",
                       color="secondary", outline=True, title="Edit"),
            dbc.Button(html.I(className="bi bi-send"), id={"type": "webhooks-test", "id": wid}, size="sm",
                       color="primary", outline=True, title="Send a test delivery"),
            dbc.Button(html.I(className="bi bi-list-columns"), id={"type": "webhooks-log", "id": wid}, size="sm",
                       color="secondary", outline=True, title="Delivery log"),
            dbc.Button(html.I(className="bi bi-trash"), id={"type": "webhooks-delete", "id": wid, "name": row["name"]},
                       size="sm", color="danger", outline=True, title="Delete"),
        ] if row["status"] != "deleting" else []
        body.append(html.Tr([
            html.Td([html.Strong(row["name"]), html.Div(html.Code(row["url"]), className="small")]),
            html.Td(events, className="small"),
            html.Td([state, " ", status_badge(row["status"]) if row["status"] != "saved" else None,
                     html.Div(row.get("disabled_reason") or "", className="small text-danger")]),
            html.Td(html.Code(f"{row['secret_prefix']}…") if row.get("secret_prefix") else "—"),
            html.Td(html.Div(buttons, className="d-flex gap-1")),
        ], id={"type": "webhooks-row", "id": wid}))
    return _table(("Webhook", "Events", "State", "Secret", ""), body, "webhooks-table")


def deliveries_table(rows: list[Mapping[str, Any]]) -> Any:
    if not rows:
        return empty_state("bi-list-columns", "No deliveries yet",
                           "Each attempt appears here with its status code and latency; press test to try one.")
    body = [html.Tr([
        html.Td(when(row["at"])), html.Td(row["source_event_type"] + (" (test)" if row["test"] else "")),
        html.Td(row["attempt"]), html.Td(_outcome(row["ok"], row.get("next_attempt_at"))),
        html.Td(row["status_code"] if row.get("status_code") is not None else "—"),
        html.Td(f"{row['latency_ms']:.0f} ms" if row.get("latency_ms") is not None else "—"),
        html.Td([row.get("error") or "", html.Div(f"next try {when(row['next_attempt_at'])}", className="small")
                 if row.get("next_attempt_at") else None], className="small"),
    ]) for row in rows]
    return _table(("Time", "Event", "Attempt", "Outcome", "Status", "Latency", "Error"), body, "webhooks-log-table")


def emails_table(rows: list[Mapping[str, Any]]) -> Any:
    if not rows:
        return empty_state("bi-envelope", "No emails sent yet", "Send a test email to check the configuration.")
    body = [html.Tr([
        html.Td(when(row["at"])), html.Td(row["kind"]), html.Td(row["to"]), html.Td(row["subject"]),
        html.Td(_outcome(row["ok"], row.get("next_attempt_at"))), html.Td(row.get("error") or "", className="small"),
    ]) for row in rows]
    return _table(("Time", "Kind", "To", "Subject", "Outcome", "Error"), body, "email-settings-log-table")


def smtp_summary(config: Mapping[str, Any] | None) -> Any:
    if config is None:
        return html.P("No configuration saved here: the notifier uses its PFD_NOTIFIER_SMTP__* settings (email is "
                      "off while those are unset).", className="text-body-secondary mb-0", id="email-settings-current")
    password = "a password is set" if config["password_set"] else "no password"
    return html.Div([
        status_badge(config["status"]), " ",
        html.Span(f"{config['host']}:{config['port']} · {config['tls_mode']} · "
                  f"{config.get('username') or 'no login'} · {password} · from {config['from_address']}"),
    ], id="email-settings-current")


def digest_queue_table(rows: list[Mapping[str, Any]]) -> Any:
    if not rows:
        return empty_state("bi-inbox", "The digest queue is empty",
                           "Events a user chose to receive “in the digest” wait here until their digest is due.")
    body = [html.Tr([
        html.Td(row.get("account") or row["user_id"]), html.Td(row.get("email") or "no address"),
        html.Td(row.get("digest_frequency") or "off"), html.Td(row["items"]), html.Td(when(row["oldest"])),
        html.Td(dbc.Button("Send now", id={"type": "digests-send", "id": row["user_id"]}, size="sm",
                           color="primary", outline=True)),
    ]) for row in rows]
    return _table(("User", "Address", "Frequency", "Waiting", "Oldest", ""), body, "digests-queue-table")


def digest_history_table(rows: list[Mapping[str, Any]]) -> Any:
    if not rows:
        return empty_state("bi-clock-history", "No digests sent yet", "Sent digests are listed here.")
    colours = {"sent": "success", "pending": "warning", "failed": "danger"}
    body = [html.Tr([
        html.Td(when(row["sent_at"])), html.Td(row["to"]), html.Td(row["frequency"]), html.Td(row["item_count"]),
        html.Td(dbc.Badge(row["email_status"], color=colours.get(row["email_status"], "secondary"))),
        html.Td(row.get("email_error") or "", className="small"),
    ]) for row in rows]
    return _table(("Sent", "To", "Frequency", "Items", "Email", "Error"), body, "digests-history-table")
