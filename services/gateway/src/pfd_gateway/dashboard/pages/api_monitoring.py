"""API monitoring: per-endpoint rate, latency percentiles and errors from the gateway's own HTTP metrics."""

from __future__ import annotations

from functools import partial
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from pfd_gateway.api_monitor import ApiOverview
from pfd_gateway.dashboard.components.cards import format_duration, format_ms, page_header, section_card, stat_card
from pfd_gateway.dashboard.components.tables import endpoints_table, keys_panel
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.figures.api import latency_figure, request_rate_figure
from pfd_gateway.dashboard.pages import protected

GRAPH_CONFIG = {"displayModeBar": False}


def summary_cards(overview: ApiOverview) -> list[dbc.Col]:
    requests = sum(s.requests for s in overview.endpoints)
    errors = sum(s.error_rate * s.requests for s in overview.endpoints)
    slowest = max((s.p95_s for s in overview.endpoints if s.p95_s is not None), default=None)
    cards = [
        stat_card("Requests", str(requests), "bi-arrow-left-right",
                  f"{requests / max(overview.covered_s, 1):.2f} req/s", card_id="api-monitoring-stat-requests"),
        stat_card("Server errors", f"{errors / requests:.1%}" if requests else "0 %", "bi-bug", "5xx responses",
                  card_id="api-monitoring-stat-errors"),
        stat_card("Slowest p95", format_ms(slowest), "bi-stopwatch", "over all endpoints",
                  card_id="api-monitoring-stat-p95"),
        stat_card("Endpoints", str(len(overview.endpoints)), "bi-signpost-split", "with traffic in range",
                  card_id="api-monitoring-stat-endpoints"),
    ]
    return [dbc.Col(card, md=6, xl=3, className="mb-3") for card in cards]


def coverage_note(overview: ApiOverview) -> str:
    if overview.covered_s + 1 < overview.window_s:
        return (f"Samples cover the last {format_duration(overview.covered_s)} of the chosen "
                f"{format_duration(overview.window_s)} (sampling started when the gateway did).")
    return f"Last {format_duration(overview.window_s)}, {overview.samples} samples."


def layout(ranges: list[int], **_: Any) -> html.Div:
    selector = dbc.RadioItems(id="api-monitoring-range", value=ranges[0], inline=True, className="pfd-range",
                              inputClassName="btn-check", labelClassName="btn btn-outline-primary btn-sm",
                              labelCheckedClassName="active",
                              options=[{"label": f"{m} min", "value": m} for m in ranges])
    return html.Div([
        page_header("API monitoring", "Traffic of this gateway, from its own Prometheus metrics.", selector),
        html.P(id="api-monitoring-coverage", className="small text-body-secondary"),
        dbc.Row(id="api-monitoring-stats"),
        dbc.Row([
            dbc.Col(section_card("Request rate", dcc.Graph(id="api-monitoring-rate", config=GRAPH_CONFIG)), lg=6,
                    className="mb-3"),
            dbc.Col(section_card("Latency percentiles", dcc.Graph(id="api-monitoring-latency", config=GRAPH_CONFIG)),
                    lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(section_card("Endpoints", html.Div(id="api-monitoring-endpoints")), lg=8, className="mb-3"),
            dbc.Col(section_card("Top API keys", html.Div(id="api-monitoring-keys")), lg=4, className="mb-3"),
        ]),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/api", name="API monitoring", title="API monitoring · PFD", order=20,
                       sidebar=True, icon="bi-speedometer2",
                       layout=protected(partial(layout, ctx.settings.time_ranges_min)))

    @app.callback(Output("api-monitoring-coverage", "children"), Output("api-monitoring-stats", "children"),
                  Output("api-monitoring-rate", "figure"), Output("api-monitoring-latency", "figure"),
                  Output("api-monitoring-endpoints", "children"), Output("api-monitoring-keys", "children"),
                  Input("api-monitoring-range", "value"), Input("live-monitoring", "data"))
    def show(minutes: int, _: Any) -> tuple[Any, ...]:
        overview = ctx.call(ctx.gateway.monitoring.api_overview(float(minutes) * 60))
        return (coverage_note(overview), summary_cards(overview), request_rate_figure(overview.rate_series),
                latency_figure(overview.endpoints), endpoints_table(overview.endpoints), keys_panel(overview.keys))
