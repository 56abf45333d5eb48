"""Small building blocks: page header, stat card, empty state, formatted numbers."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html


def page_header(title: str, subtitle: str, *actions: Any) -> html.Div:
    return html.Div([
        html.Div([html.H2(title, className="h4 mb-1"), html.P(subtitle, className="text-body-secondary mb-0")]),
        html.Div(list(actions), className="d-flex gap-2 align-items-center"),
    ], className="d-flex justify-content-between align-items-start flex-wrap gap-2 mb-4")


def stat_card(title: str, value: str, icon: str, hint: str = "", card_id: str | None = None) -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.Div([html.Span(title, className="text-body-secondary small text-uppercase fw-semibold"),
                  html.I(className=f"bi {icon} fs-5 text-primary")], className="d-flex justify-content-between"),
        html.Div(value, className="fs-3 fw-semibold mt-1 pfd-stat-value"),
        html.Small(hint, className="text-body-secondary") if hint else None,
    ]), className="h-100 shadow-sm pfd-stat", id=card_id or f"stat-{title.lower().replace(' ', '-')}")


def empty_stat_card(title: str, icon: str, filled_by: str) -> dbc.Card:
    """A stat whose source does not exist yet: says what will fill it instead of showing a number."""
    return dbc.Card(dbc.CardBody([
        html.Div([html.Span(title, className="text-body-secondary small text-uppercase fw-semibold"),
                  html.I(className=f"bi {icon} fs-5 text-body-tertiary")], className="d-flex justify-content-between"),
        html.Div("—", className="fs-3 fw-semibold mt-1 text-body-tertiary"),
        html.Small(filled_by, className="text-body-secondary"),
    ]), className="h-100 pfd-stat pfd-stat-empty")


def empty_state(icon: str, title: str, text: str, *children: Any) -> html.Div:
    return html.Div([
        html.I(className=f"bi {icon} display-6 text-body-tertiary"),
        html.H3(title, className="h6 mt-2 mb-1"), html.P(text, className="text-body-secondary small mb-2"),
        *children,
    ], className="text-center py-4 pfd-empty")


def section_card(title: str, body: Any, *, actions: Any = None, card_id: str | None = None) -> dbc.Card:
    header = html.Div([html.H3(title, className="h6 mb-0"), actions],
                      className="d-flex justify-content-between align-items-center gap-2")
    extra = {"id": card_id} if card_id else {}
    return dbc.Card([dbc.CardHeader(header), dbc.CardBody(body)], className="shadow-sm h-100", **extra)


def format_bytes(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def format_ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms" if seconds >= 0.001 else "< 1 ms"
