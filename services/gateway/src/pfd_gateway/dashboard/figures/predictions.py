"""Predict page figures: the class probabilities of one prediction."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import NEUTRAL, PALETTE, base_figure, no_data_figure

BAR_HEIGHT_PX = 30
FRAME_HEIGHT_PX = 70
PREDICTED_COLOUR, OTHER_COLOUR = PALETTE[0], NEUTRAL
NO_PREDICTION = "Upload a signal, choose a model and press Predict."


def probability_figure(probabilities: Mapping[str, float] | None, predicted: str | None = None) -> go.Figure:
    """Class probabilities as horizontal bars, most likely on top, the predicted class highlighted."""
    if not probabilities:
        return no_data_figure(NO_PREDICTION, height=FRAME_HEIGHT_PX * 3)
    ranked = sorted(probabilities.items(), key=lambda item: item[1], reverse=True)
    names, values = [name for name, _ in ranked], [float(p) for _, p in ranked]
    figure = base_figure(height=FRAME_HEIGHT_PX + BAR_HEIGHT_PX * len(names))
    figure.add_trace(go.Bar(
        x=values, y=names, orientation="h", text=[f"{p:.1%}" for p in values], textposition="auto",
        marker={"color": [PREDICTED_COLOUR if name == predicted else OTHER_COLOUR for name in names]},
        hovertemplate="%{y}: %{x:.2%}<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title={"text": "probability"}, range=[0, 1], tickformat=".0%")
    figure.update_layout(margin={"l": 120, "r": 16, "t": 8, "b": 40}, showlegend=False)
    return figure
