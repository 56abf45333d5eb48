"""One look for every figure, readable on the light and the dark theme (transparent, neutral greys)."""

from __future__ import annotations

import plotly.graph_objects as go

NEUTRAL = "#8a94a6"
GRID = "rgba(138, 148, 166, 0.25)"
PALETTE = ("#0d6efd", "#20c997", "#fd7e14", "#d63384", "#6f42c1", "#0dcaf0", "#ffc107", "#198754")


def base_figure(title: str = "", height: int = 300) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        title={"text": title, "font": {"size": 14}} if title else None, height=height,
        margin={"l": 48, "r": 16, "t": 56 if title else 32, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)", font={"color": NEUTRAL},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, colorway=list(PALETTE),
    )
    figure.update_xaxes(gridcolor=GRID, zerolinecolor=GRID)
    figure.update_yaxes(gridcolor=GRID, zerolinecolor=GRID)
    return figure


def no_data_figure(message: str, height: int = 300) -> go.Figure:
    figure = base_figure(height=height)
    figure.add_annotation(text=message, showarrow=False, font={"size": 13, "color": NEUTRAL}, x=0.5, y=0.5,
                          xref="paper", yref="paper")
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure
