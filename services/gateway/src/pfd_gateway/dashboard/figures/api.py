"""API monitoring figures: request rate over time and latency percentiles per endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go

from pfd_gateway.api_monitor import EndpointStats, endpoint_label
from pfd_gateway.dashboard.figures.style import base_figure, no_data_figure

TOP_ENDPOINTS = 8


def request_rate_figure(series: list[tuple[float, dict[str, float]]], top: int = TOP_ENDPOINTS) -> go.Figure:
    """Requests/s of the busiest endpoints over time, one line each (samples as (epoch s, {endpoint: rate}))."""
    totals: dict[str, float] = {}
    for _, rates in series:
        for name, rate in rates.items():
            totals[name] = totals.get(name, 0.0) + rate
    busiest = [name for name, total in sorted(totals.items(), key=lambda kv: -kv[1]) if total > 0][:top]
    if not busiest:
        return no_data_figure("No requests in this time range yet.")
    times = [datetime.fromtimestamp(at, UTC) for at, _ in series]
    figure = base_figure()
    for name in busiest:
        figure.add_trace(go.Scatter(x=times, y=[rates.get(name, 0.0) for _, rates in series], name=name,
                                    mode="lines", hovertemplate="%{y:.2f} req/s<extra>%{fullData.name}</extra>"))
    figure.update_yaxes(title_text="requests / s", rangemode="tozero")
    return figure


def latency_figure(stats: list[EndpointStats], top: int = TOP_ENDPOINTS) -> go.Figure:
    """p50/p95/p99 latency (ms) of the busiest endpoints as grouped bars."""
    measured = [s for s in stats if s.p50_s is not None][:top]
    if not measured:
        return no_data_figure("No latency observations in this time range yet.")
    labels = [endpoint_label(s.method, s.handler) for s in measured]
    figure = base_figure()
    for name, values in (("p50", [s.p50_s for s in measured]), ("p95", [s.p95_s for s in measured]),
                         ("p99", [s.p99_s for s in measured])):
        figure.add_trace(go.Bar(x=labels, y=[(v or 0.0) * 1000 for v in values], name=name,
                                hovertemplate="%{x}<br>" + name + ": %{y:.1f} ms<extra></extra>"))
    figure.update_layout(barmode="group")
    figure.update_yaxes(title_text="latency (ms)", rangemode="tozero")
    return figure
