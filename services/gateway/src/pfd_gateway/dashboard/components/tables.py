"""Tables and lists rendered from service results (pure: data in, components out)."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.api.models import ServicePublic
from pfd_gateway.api_monitor import EndpointStats, KeyUsage, handler_name
from pfd_gateway.connectivity import CheckResult
from pfd_gateway.dashboard.components.cards import empty_state, format_duration, format_ms
from pfd_gateway.logbuffer import LogEntry

LEVEL_COLOURS = {"DEBUG": "secondary", "INFO": "info", "WARNING": "warning", "ERROR": "danger", "CRITICAL": "danger"}
CHECK_ICONS = {True: "bi-check-circle-fill text-success", False: "bi-x-circle-fill text-danger"}
ACTIVITY_ICONS = {"success": "bi-arrow-up-circle text-success", "warning": "bi-arrow-down-circle text-warning",
                  "info": "bi-info-circle text-info"}


def _ready_badge(ready: bool) -> dbc.Badge:
    return dbc.Badge("ready" if ready else "not ready", color="success" if ready else "warning")


def services_table(services: list[ServicePublic], table_id: str) -> html.Div | dbc.Table:
    if not services:
        return empty_state("bi-hdd-network", "No service has answered yet",
                           "Services appear here as soon as they answer a status round (every few seconds).")
    rows = [html.Tr([
        html.Td(html.Strong(s.name)), html.Td(len(s.instances)),
        html.Td(", ".join(sorted({i.version for i in s.instances}))),
        html.Td(format_duration(min(i.uptime_s for i in s.instances))),
        html.Td(_ready_badge(s.ready)), html.Td(s.total_lag), html.Td(s.dlq_count),
    ], id={"type": "service-row", "name": s.name}) for s in services]
    head = html.Thead(html.Tr([html.Th(h) for h in
                               ("Service", "Instances", "Version", "Uptime", "Ready", "Consumer lag", "DLQ")]))
    return dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, className="mb-0 align-middle",
                     id=table_id)


def checks_list(results: list[CheckResult]) -> dbc.ListGroup:
    items = [dbc.ListGroupItem([
        html.Div([
            html.I(className=f"bi {CHECK_ICONS[r.ok]} me-2"),
            html.Strong(r.name.capitalize()), html.Small(f" {r.target}", className="text-body-secondary ms-1"),
        ]),
        html.Small(f"{r.detail} · {r.latency_ms:.0f} ms", className="text-body-secondary"),
    ], className="d-flex justify-content-between flex-wrap gap-1", id={"type": "check", "name": r.name})
        for r in results]
    return dbc.ListGroup(items, flush=True)


def logs_table(entries: list[LogEntry]) -> html.Div:
    if not entries:
        return empty_state("bi-journal-text", "No log records at this level",
                           "Records of the gateway process appear here as they are written.")
    rows = [html.Tr([
        html.Td(e.at.strftime("%H:%M:%S")), html.Td(dbc.Badge(e.level, color=LEVEL_COLOURS.get(e.level, "secondary"))),
        html.Td(e.logger, className="text-body-secondary"), html.Td(e.message, className="pfd-log-msg"),
        html.Td(html.Code(e.correlation_id[:8]) if e.correlation_id else ""),
    ]) for e in entries]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Time (UTC)", "Level", "Logger", "Message", "Correlation")]))
    return html.Div(dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="mb-0"),
                    className="pfd-logs")


def endpoints_table(stats: list[EndpointStats]) -> html.Div | dbc.Table:
    if not stats:
        return empty_state("bi-speedometer2", "No API traffic in this time range",
                           "Requests to the gateway appear here within one sampling interval.")
    rows = [html.Tr([
        html.Td(html.Code(s.method)), html.Td(handler_name(s.handler)), html.Td(s.requests),
        html.Td(f"{s.rate_per_s:.2f}"), html.Td(format_ms(s.p50_s)), html.Td(format_ms(s.p95_s)),
        html.Td(format_ms(s.p99_s)),
        html.Td(f"{s.error_rate:.1%}", className="text-danger" if s.error_rate else ""),
        html.Td(f"{s.client_error_rate:.1%}"),
    ]) for s in stats]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Method", "Endpoint", "Requests", "req/s", "p50", "p95", "p99",
                                                     "5xx", "4xx")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0",
                     id="api-monitoring-table")


def keys_panel(keys: list[KeyUsage] | None) -> html.Div | dbc.Table:
    if keys is None:
        return empty_state("bi-key", "No API-key traffic recorded",
                           "Per-key usage appears once requests authenticated with API keys are counted.")
    if not keys:
        return empty_state("bi-key", "No API-key traffic in this time range",
                           "Requests made with API keys appear here.")
    rows = [html.Tr([html.Td(html.Code(k.key)), html.Td(k.requests), html.Td(f"{k.rate_per_s:.2f}")]) for k in keys]
    return dbc.Table([html.Thead(html.Tr([html.Th("API key"), html.Th("Requests"), html.Th("req/s")])),
                      html.Tbody(rows)], size="sm", className="mb-0")


def activity_list(items: list[dict[str, str]] | None) -> html.Div | dbc.ListGroup:
    if not items:
        return empty_state("bi-broadcast", "No activity yet",
                           "Services starting and stopping, and later jobs finishing, are listed here as they happen.")
    return dbc.ListGroup([dbc.ListGroupItem([
        html.I(className=f"bi {ACTIVITY_ICONS.get(item.get('level', 'info'), ACTIVITY_ICONS['info'])} me-2"),
        html.Span(item.get("text", item.get("type", ""))),
        html.Small(_clock(item.get("at")), className="text-body-secondary ms-auto ps-2"),
    ], className="d-flex align-items-center") for item in items], flush=True, className="pfd-activity",
        id="home-activity-list")


def _clock(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime("%H:%M:%S")
    except ValueError:
        return ""
