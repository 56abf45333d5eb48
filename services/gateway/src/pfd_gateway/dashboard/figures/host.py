"""Host resource figures."""

from __future__ import annotations

import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import base_figure

WARN_PERCENT = 75.0
CRITICAL_PERCENT = 90.0


def usage_colour(percent: float) -> str:
    if percent >= CRITICAL_PERCENT:
        return "#dc3545"
    return "#fd7e14" if percent >= WARN_PERCENT else "#20c997"


def host_usage_figure(usage: dict[str, float]) -> go.Figure:
    """Horizontal bars of resource use in percent, e.g. {"CPU": 12.5, "Memory": 40, "Disk": 71}."""
    names = list(usage)
    values = [usage[name] for name in names]
    figure = base_figure(height=60 + 40 * max(len(names), 1))
    figure.add_trace(go.Bar(
        x=values, y=names, orientation="h", marker={"color": [usage_colour(v) for v in values]},
        text=[f"{v:.0f} %" for v in values], textposition="auto", hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
    ))
    figure.update_xaxes(range=[0, 100], ticksuffix=" %")
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(margin={"l": 70, "r": 16, "t": 8, "b": 30}, showlegend=False)
    return figure
