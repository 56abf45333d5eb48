"""Data-set figures."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import PALETTE, base_figure, no_data_figure

BAR_HEIGHT_PX = 28
FRAME_HEIGHT_PX = 70


def class_distribution_figure(class_names: Sequence[str] | None, class_counts: Sequence[int] | None,
                              title: str = "") -> go.Figure:
    """Records per class as horizontal bars (the read model's ``class_names``/``class_counts``)."""
    if not class_names or not class_counts or len(class_names) != len(class_counts):
        return no_data_figure("No class counts yet: the data set is not built.", height=FRAME_HEIGHT_PX * 2)
    figure = base_figure(title, height=FRAME_HEIGHT_PX + BAR_HEIGHT_PX * len(class_names))
    figure.add_trace(go.Bar(
        x=list(class_counts), y=list(class_names), orientation="h", marker={"color": PALETTE[0]},
        text=[f"{count:,}" for count in class_counts], textposition="inside", insidetextanchor="end", textangle=0,
        textfont={"color": "#fff"},
        hovertemplate="%{y}: %{x:,} records<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title={"text": "records"}, rangemode="tozero")
    figure.update_layout(margin={"l": 120, "r": 16, "t": 40 if title else 8, "b": 40}, showlegend=False)
    return figure
