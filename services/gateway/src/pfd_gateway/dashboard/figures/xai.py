"""XAI page figures (pure: an explanation's arrays or an embedding's points in, plotly figures out).

The attribution figure is one row per time-domain method, the methods stacked on a shared time axis so they
compare at a glance: a heatmap strip of the attribution (normalised per method to [-1, 1], red = pushes towards
the explained class) behind the explained window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from pfd_gateway.dashboard.figures.explorer import class_colour
from pfd_gateway.dashboard.figures.style import GRID, NEUTRAL, PALETTE, base_figure, no_data_figure
from pfd_gateway.explanations.views import AttributionsPublic, Bands, EmbeddingPointsPublic

ROW_PX = 170
FRAME_PX = 60
BAND_HEIGHT = 320
EMBEDDING_HEIGHT = 460
SIGNAL_WIDTH = 1.0
MARKER_PX = 6
MISTAKE_PX = 11
ATTRIBUTION_SCALE = "RdBu_r"
POSITIVE, NEGATIVE = "#dc3545", PALETTE[0]
NO_TIME_METHOD = "No time-domain method in this explanation."
NO_BANDS = "Add “Frequency bands” to see which bands drove the decision."


def normalised(values: Sequence[float]) -> np.ndarray:
    """Attributions scaled to [-1, 1] by their largest magnitude (zeros stay zeros)."""
    array = np.asarray(values, dtype=np.float64)
    peak = float(np.max(np.abs(array))) if array.size else 0.0
    return array / peak if peak > 0 else array


def time_axis(samples: int, sample_rate_hz: float | None) -> tuple[np.ndarray, str]:
    """Milliseconds when the rate is known, sample numbers otherwise."""
    if sample_rate_hz:
        return np.arange(samples) * 1000.0 / sample_rate_hz, "time (ms)"
    return np.arange(samples, dtype=np.float64), "sample"


def attribution_figure(arrays: AttributionsPublic, labels: Mapping[str, str]) -> go.Figure:
    """One row per time-domain method: its attribution heatmap over the window (channels summed)."""
    methods = [name for name in arrays.attributions if arrays.attributions[name]]
    if not methods or not arrays.signal:
        return no_data_figure(NO_TIME_METHOD)
    signal = np.asarray(arrays.signal, dtype=np.float64)[0]
    t, x_title = time_axis(signal.size, arrays.sample_rate_hz)
    low, high = float(signal.min()), float(signal.max())
    middle, span = (low + high) / 2, max(high - low, 1e-12)
    figure = make_subplots(rows=len(methods), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                           subplot_titles=[labels.get(name, name) for name in methods])
    for row, name in enumerate(methods, start=1):
        strip = normalised(np.asarray(arrays.attributions[name], dtype=np.float64).sum(axis=0))
        figure.add_trace(go.Heatmap(
            z=[strip.tolist()], x=t.tolist(), y0=middle, dy=span, zmin=-1, zmax=1, zmid=0,
            colorscale=ATTRIBUTION_SCALE, showscale=row == 1, name=labels.get(name, name),
            colorbar={"title": {"text": "attribution"}, "len": 0.6, "thickness": 12},
            hovertemplate="%{x:.2f} · %{z:.2f}<extra>" + labels.get(name, name) + "</extra>"), row=row, col=1)
        figure.add_trace(go.Scatter(x=t.tolist(), y=signal.tolist(), mode="lines", showlegend=False, name="signal",
                                    line={"color": NEUTRAL, "width": SIGNAL_WIDTH}, hoverinfo="skip"),
                         row=row, col=1)
    figure.update_layout(base_figure().layout, height=FRAME_PX + ROW_PX * len(methods), showlegend=False)
    figure.update_xaxes(gridcolor=GRID)
    figure.update_xaxes(title={"text": x_title}, row=len(methods), col=1)
    figure.update_yaxes(gridcolor=GRID, showticklabels=False)
    return figure


def band_labels(bands: Bands) -> list[str]:
    return [f"{low:,.0f}–{high:,.0f} Hz" for low, high in zip(bands.low_hz, bands.high_hz)]


def band_figure(bands: Bands | None, target_class: str = "") -> go.Figure:
    """The target-probability drop when each frequency band is removed (red: the band supports the class)."""
    if bands is None or not bands.drop:
        return no_data_figure(NO_BANDS, BAND_HEIGHT)
    figure = base_figure(height=BAND_HEIGHT)
    colours = [POSITIVE if drop >= 0 else NEGATIVE for drop in bands.drop]
    figure.add_trace(go.Bar(x=band_labels(bands), y=list(bands.drop), marker={"color": colours}, name="drop",
                            hovertemplate="%{x}: %{y:+.3f}<extra></extra>"))
    what = f"P({target_class})" if target_class else "probability"
    figure.update_yaxes(title={"text": f"drop of {what}"}, zeroline=True)
    figure.update_xaxes(tickangle=-45)
    return figure


def embedding_figure(points: EmbeddingPointsPublic, method: str = "") -> go.Figure:
    """One trace per true class; windows the model got wrong are marked (an open circle around them)."""
    if not points.x:
        return no_data_figure("The projection has no point.", EMBEDDING_HEIGHT)
    figure = base_figure(height=EMBEDDING_HEIGHT)
    x, y = np.asarray(points.x), np.asarray(points.y)
    labels, predicted = np.asarray(points.labels), np.asarray(points.predicted)
    names = list(points.class_names)
    for index, name in enumerate(names):
        rows = np.flatnonzero(labels == index)
        if rows.size:
            figure.add_trace(go.Scattergl(
                x=x[rows].tolist(), y=y[rows].tolist(), mode="markers", name=name,
                marker={"size": MARKER_PX, "color": class_colour(names, name)},
                customdata=np.stack([np.asarray(points.records)[rows], np.asarray(points.windows)[rows]], -1).tolist(),
                hovertemplate=f"{name} · record %{{customdata[0]}} window %{{customdata[1]}}<extra></extra>"))
    wrong = np.flatnonzero(labels != predicted)
    if wrong.size:
        figure.add_trace(go.Scattergl(
            x=x[wrong].tolist(), y=y[wrong].tolist(), mode="markers", name=f"misclassified ({wrong.size})",
            marker={"size": MISTAKE_PX, "symbol": "circle-open", "color": POSITIVE, "line": {"width": 2}},
            hoverinfo="skip"))
    figure.update_xaxes(title={"text": f"{method} 1".strip()})
    figure.update_yaxes(title={"text": f"{method} 2".strip()})
    return figure
