"""Data Explorer figures (pure: explorer results in, plotly figures out). A class keeps its colour in every
figure: its position in the data set's class list picks it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import PALETTE, base_figure, no_data_figure
from pfd_gateway.explorer.analysis import Correlation, Distribution, Overview, Ranking
from pfd_gateway.explorer.service import ProjectionView

EXTRA_COLOURS = ("#6c757d", "#a52a2a", "#2f4f4f", "#b8860b", "#4682b4", "#9acd32", "#ff69b4", "#8b4513")
CLASS_COLOURS = (*PALETTE, *EXTRA_COLOURS)
LEVEL_COLOURS = {"nominal": "#20c997", "incipient": "#0dcaf0", "mild": "#ffc107", "moderate": "#fd7e14",
                 "severe": "#dc3545"}
GROUP_COLOURS = {"time": PALETTE[0], "frequency": PALETTE[1], "envelope": PALETTE[2], "wavelet": PALETTE[3],
                 "bispectrum": PALETTE[4]}
HEIGHT = 340
CORRELATION_HEIGHT = 620
RANK_BAR_PX = 18
RANK_FRAME_PX = 80
HISTOGRAM_OPACITY = 0.55
MARKER_PX = 6
NO_SELECTION = "No record matches the filters."


def class_colour(class_names: Sequence[str], name: str) -> str:
    position = list(class_names).index(name) if name in class_names else len(class_names)
    return CLASS_COLOURS[position % len(CLASS_COLOURS)]


def severity_figure(overview: Overview) -> go.Figure:
    """Records per class, stacked by severity level."""
    if not overview.selected:
        return no_data_figure(NO_SELECTION, HEIGHT)
    if not overview.severity_levels:
        return no_data_figure("This data set has no severity levels (imported recordings).", HEIGHT)
    figure = base_figure(height=HEIGHT)
    names = [summary.name for summary in overview.classes]
    for position, level in enumerate(overview.severity_levels):
        counts = [overview.severity_counts.get(name, {}).get(level, 0) for name in names]
        figure.add_trace(go.Bar(x=names, y=counts, name=level, hovertemplate=f"%{{x}} · {level}: %{{y:,}}<extra></extra>",
                                marker={"color": LEVEL_COLOURS.get(level, CLASS_COLOURS[position % len(CLASS_COLOURS)])}))
    figure.update_layout(barmode="stack")
    figure.update_yaxes(title={"text": "records"}, rangemode="tozero")
    return figure


def distribution_figure(distribution: Distribution, class_names: Sequence[str], kind: str) -> go.Figure:
    """The feature per class as box plots or violins (a deterministic sample of each class's values)."""
    if not any(values.count for values in distribution.classes):
        return no_data_figure(NO_SELECTION, HEIGHT)
    figure = base_figure(height=HEIGHT)
    for values in distribution.classes:
        colour = class_colour(class_names, values.name)
        common = {"y": values.values, "name": values.name, "marker": {"color": colour}, "line": {"color": colour}}
        if kind == "violin":
            figure.add_trace(go.Violin(**common, box={"visible": True}, meanline={"visible": True}, points=False,
                                       spanmode="hard"))
        else:
            figure.add_trace(go.Box(**common, boxpoints="outliers"))
    figure.update_layout(showlegend=False)
    figure.update_yaxes(title={"text": distribution.feature})
    return figure


def histogram_figure(distribution: Distribution, class_names: Sequence[str]) -> go.Figure:
    """Overlaid per-class histograms on shared bins (counts computed by the server)."""
    if not any(counts.sum() for counts in distribution.counts.values()):
        return no_data_figure(NO_SELECTION, HEIGHT)
    edges = distribution.edges
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.diff(edges)
    figure = base_figure(height=HEIGHT)
    for name, counts in distribution.counts.items():
        figure.add_trace(go.Bar(x=centres, y=counts, width=widths, name=name, opacity=HISTOGRAM_OPACITY,
                                marker={"color": class_colour(class_names, name)},
                                hovertemplate=f"{name}: %{{y:,}} records near %{{x:.4g}}<extra></extra>"))
    figure.update_layout(barmode="overlay", bargap=0)
    figure.update_xaxes(title={"text": distribution.feature})
    figure.update_yaxes(title={"text": "records"})
    return figure


def correlation_figure(correlation: Correlation) -> go.Figure:
    """Pearson r of every feature pair (features in their groups' order); grey where a feature is constant."""
    if not correlation.names:
        return no_data_figure(NO_SELECTION, CORRELATION_HEIGHT)
    figure = base_figure(height=CORRELATION_HEIGHT)
    matrix = np.where(np.isfinite(correlation.matrix), correlation.matrix, None)
    figure.add_trace(go.Heatmap(z=matrix.tolist(), x=correlation.names, y=correlation.names, zmin=-1, zmax=1, zmid=0,
                                colorscale="RdBu", reversescale=True, colorbar={"title": {"text": "r"}},
                                hovertemplate="%{y} × %{x}: r = %{z:.2f}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", tickfont={"size": 9})
    figure.update_xaxes(tickangle=-60, tickfont={"size": 9})
    figure.update_layout(margin={"l": 150, "r": 16, "t": 24, "b": 150})
    return figure


def ranking_figure(ranking: Ranking) -> go.Figure:
    """Features by mutual information with the class, most informative on top, coloured by feature group."""
    if not ranking.names:
        return no_data_figure(ranking.note or NO_SELECTION, HEIGHT)
    figure = base_figure(height=RANK_FRAME_PX + RANK_BAR_PX * len(ranking.names))
    colours = [GROUP_COLOURS.get(ranking.groups.get(name, ""), CLASS_COLOURS[-1]) for name in ranking.names]
    figure.add_trace(go.Bar(x=ranking.scores, y=ranking.names, orientation="h", marker={"color": colours},
                            customdata=[ranking.groups.get(name, "other") for name in ranking.names],
                            hovertemplate="%{y} (%{customdata}): %{x:.3f} nats<extra></extra>"))
    figure.update_yaxes(autorange="reversed", tickfont={"size": 10})
    figure.update_xaxes(title={"text": "mutual information with the class (nats)"}, rangemode="tozero")
    figure.update_layout(showlegend=False, margin={"l": 160, "r": 16, "t": 24, "b": 40})
    return figure


def projection_figure(view: ProjectionView, class_names: Sequence[str]) -> go.Figure:
    """The 2-D projection, one trace per class; each point carries its record number (click: open it)."""
    if view.coordinates is None or view.rows is None or view.classes is None:
        return no_data_figure("Press Run to compute the projection.", CORRELATION_HEIGHT)
    if not view.rows.size:
        return no_data_figure(NO_SELECTION, CORRELATION_HEIGHT)
    figure = base_figure(height=CORRELATION_HEIGHT)
    for name in [name for name in class_names if name in set(view.classes)] + sorted(set(view.classes) - set(class_names)):
        members = view.classes == name
        figure.add_trace(go.Scattergl(
            x=view.coordinates[members, 0], y=view.coordinates[members, 1], mode="markers", name=name,
            customdata=view.rows[members], marker={"size": MARKER_PX, "color": class_colour(class_names, name)},
            hovertemplate=f"record %{{customdata}} · {name}<extra></extra>"))
    axes = _axis_titles(view)
    figure.update_xaxes(title={"text": axes[0]}, zeroline=False)
    figure.update_yaxes(title={"text": axes[1]}, zeroline=False)
    figure.update_layout(uirevision=view.projection_id, legend={"itemclick": "toggle"})
    return figure


def _axis_titles(view: ProjectionView) -> tuple[str, str]:
    labels = {"pca": "PC", "tsne": "t-SNE ", "umap": "UMAP "}
    prefix = labels.get(view.method, view.method)
    if view.method == "pca" and view.explained_variance:
        shares = [*view.explained_variance, 0.0][:2]
        return f"PC1 ({shares[0]:.0%} of variance)", f"PC2 ({shares[1]:.0%} of variance)"
    return f"{prefix}1", f"{prefix}2"
