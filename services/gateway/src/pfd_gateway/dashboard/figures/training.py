"""Training and evaluation figures: live curves, confusion heatmap, ROC, calibration, robustness, comparisons.

Curve traces carry ``uid = "{run_id}|{series}"`` so the Training monitor can extend them in the browser from
pushed EpochCompleted frames (assets/experiments.js) without rebuilding the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from pfd_gateway.dashboard.figures.style import NEUTRAL, PALETTE, base_figure, no_data_figure

HEIGHT = 300
HEATMAP_SCALE = "Blues"
UID_SEPARATOR = "|"
BAND_OPACITY = 0.18
SQUARE_PX_PER_CLASS = 46
SQUARE_MIN_PX = 320
# metric -> (the curve figure it belongs to, dash style): train solid, validation dashed.
CURVES: dict[str, tuple[tuple[str, str], ...]] = {
    "loss": (("train_loss", "solid"), ("val_loss", "dash")),
    "accuracy": (("train_accuracy", "solid"), ("val_accuracy", "dash")),
    "learning_rate": (("learning_rate", "solid"),),
}
SERIES_LABELS = {"train_loss": "train", "val_loss": "val", "train_accuracy": "train", "val_accuracy": "val",
                 "learning_rate": "lr"}
CURVE_TITLES = {"loss": "loss", "accuracy": "accuracy", "learning_rate": "learning rate"}


@dataclass(frozen=True)
class RunCurves:
    """One run's epoch history as columns (``epochs[i]`` is the 1-based epoch of ``series[key][i]``)."""

    run_id: str
    label: str
    epochs: Sequence[int]
    series: Mapping[str, Sequence[float]]


def run_curves(run_id: str, label: str, history: Sequence[Mapping[str, Any]]) -> RunCurves:
    """Columns of a run's epoch rows (each with ``epoch`` and the CURVES keys), in epoch order, one per epoch."""
    by_epoch = {int(row["epoch"]): row for row in history}
    ordered = [by_epoch[epoch] for epoch in sorted(by_epoch)]
    keys = [key for pairs in CURVES.values() for key, _ in pairs]
    return RunCurves(run_id, label, [int(row["epoch"]) for row in ordered],
                     {key: [float(row[key]) for row in ordered if row.get(key) is not None] for key in keys})


def trace_uid(run_id: str, key: str) -> str:
    return f"{run_id}{UID_SEPARATOR}{key}"


def curves_figure(runs: Sequence[RunCurves], metric: str, *, uirevision: str = "") -> go.Figure:
    """Train/validation ``metric`` (loss, accuracy or learning_rate) per epoch, one colour per run.

    Every run gets its traces even before its first epoch, so pushed epochs can be appended to them.
    """
    if not runs:
        return no_data_figure("No run yet.", height=HEIGHT)
    figure = base_figure(height=HEIGHT)
    for index, run in enumerate(runs):
        colour = PALETTE[index % len(PALETTE)]
        for key, dash in CURVES[metric]:
            values = list(run.series.get(key, ()))
            figure.add_trace(go.Scatter(
                x=list(run.epochs[:len(values)]), y=values, mode="lines+markers", uid=trace_uid(run.run_id, key),
                name=f"{run.label} {SERIES_LABELS[key]}", line={"color": colour, "dash": dash, "width": 2},
                marker={"size": 5}, hovertemplate="epoch %{x}: %{y:.4g}<extra>%{fullData.name}</extra>"))
    figure.update_xaxes(title_text="epoch", rangemode="tozero")
    figure.update_yaxes(title_text=CURVE_TITLES[metric], type="log" if metric == "learning_rate" else None,
                        range=[0, 1.02] if metric == "accuracy" else None)
    figure.update_layout(uirevision=uirevision or None)
    return figure


def confusion_figure(class_names: Sequence[str], confusion: Sequence[Sequence[int]], title: str = "") -> go.Figure:
    """Record-level confusion matrix: counts as text, colour by the share of the true class (row)."""
    matrix = np.asarray(confusion, dtype=float)
    if not class_names or matrix.shape != (len(class_names), len(class_names)):
        return no_data_figure("No confusion matrix yet: the run has not been evaluated.", height=HEIGHT)
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    names = list(class_names)
    size = max(SQUARE_MIN_PX, SQUARE_PX_PER_CLASS * len(names) + 160)
    figure = base_figure(title, height=size)
    figure.add_trace(go.Heatmap(
        z=share, x=names, y=names, zmin=0, zmax=1, colorscale=HEATMAP_SCALE, text=matrix.astype(int),
        texttemplate="%{text}", colorbar={"title": {"text": "share"}, "thickness": 12},
        hovertemplate="true %{y}<br>predicted %{x}<br>%{text} records (%{z:.0%})<extra></extra>"))
    figure.update_xaxes(title_text="predicted", tickangle=-30, showgrid=False)
    figure.update_yaxes(title_text="true", autorange="reversed", showgrid=False)
    figure.update_layout(margin={"l": 110, "r": 16, "t": 40 if title else 16, "b": 100})
    return figure


def roc_figure(curves: Mapping[str, Mapping[str, Sequence[float]]], auc: Mapping[str, float | None]) -> go.Figure:
    """One-vs-rest ROC per class (``{class: {"fpr": [...], "tpr": [...]}}``) with its AUC, and the chance line."""
    shown = {name: points for name, points in curves.items() if points.get("fpr") and points.get("tpr")}
    if not shown:
        return no_data_figure("No ROC curves in this run's report.", height=HEIGHT)
    figure = base_figure(height=HEIGHT + 60)
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", hoverinfo="skip",
                                line={"color": NEUTRAL, "dash": "dot", "width": 1}))
    for name, points in shown.items():
        area = auc.get(name)
        label = name if area is None else f"{name} (AUC {area:.3f})"
        figure.add_trace(go.Scatter(x=list(points["fpr"]), y=list(points["tpr"]), mode="lines", name=label,
                                    hovertemplate="FPR %{x:.3f}<br>TPR %{y:.3f}<extra>" + name + "</extra>"))
    figure.update_xaxes(title_text="false positive rate", range=[0, 1])
    figure.update_yaxes(title_text="true positive rate", range=[0, 1.02])
    return figure


def calibration_figure(confidence: Sequence[float], accuracy: Sequence[float], counts: Sequence[int],
                       ece: float | None = None) -> go.Figure:
    """Reliability diagram: accuracy per confidence bin against the diagonal (marker size: windows in the bin)."""
    filled = [(c, a, n) for c, a, n in zip(confidence, accuracy, counts, strict=True) if n > 0]
    if not filled:
        return no_data_figure("No calibration bins in this run's report.", height=HEIGHT)
    figure = base_figure(f"ECE {ece:.3f}" if ece is not None else "", height=HEIGHT)
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated", hoverinfo="skip",
                                line={"color": NEUTRAL, "dash": "dot", "width": 1}))
    largest = max(n for _, _, n in filled)
    figure.add_trace(go.Scatter(
        x=[c for c, _, _ in filled], y=[a for _, a, _ in filled], mode="lines+markers", name="model",
        customdata=[n for _, _, n in filled], line={"color": PALETTE[0]},
        marker={"size": [8 + 14 * n / largest for _, _, n in filled]},
        hovertemplate="confidence %{x:.2f}<br>accuracy %{y:.2f}<br>%{customdata} windows<extra></extra>"))
    figure.update_xaxes(title_text="confidence", range=[0, 1])
    figure.update_yaxes(title_text="accuracy", range=[0, 1.02])
    return figure


def snr_order(label: str) -> float:
    """Sort key of a robustness label: "clean" first, then by decreasing SNR ("20dB", "10dB", "5dB")."""
    digits = label.lower().removesuffix("db").strip()
    try:
        return -float(digits)
    except ValueError:
        return float("-inf")


def _grouped_bars(categories: Sequence[str], keys: Sequence[str],
                  series: Mapping[str, Mapping[str, tuple[float, float]]], value_format: str) -> go.Figure:
    """One bar per (series, category) with ± std error bars; ``keys[i]`` is the series key of ``categories[i]``."""
    figure = base_figure(height=HEIGHT)
    for name, values in series.items():
        figure.add_trace(go.Bar(
            x=list(categories), y=[values[key][0] if key in values else None for key in keys], name=name,
            error_y={"type": "data", "array": [values[key][1] if key in values else 0 for key in keys]},
            hovertemplate="%{x}: %{y:" + value_format + "}<extra>" + name + "</extra>"))
    figure.update_layout(barmode="group")
    return figure


def robustness_figure(series: Mapping[str, Mapping[str, tuple[float, float]]]) -> go.Figure:
    """Record accuracy by SNR (``{experiment: {"20dB": (mean, std)}}``) as grouped bars with ± std."""
    labels = sorted({label for values in series.values() for label in values}, key=snr_order)
    if not labels:
        return no_data_figure("The data set has no noisy test copies (robustness by SNR).", height=HEIGHT)
    figure = _grouped_bars(labels, labels, series, ".1%")
    figure.update_yaxes(title_text="record accuracy", range=[0, 1.05], tickformat=".0%")
    figure.update_layout(showlegend=len(series) > 1)
    return figure


def metric_bars_figure(metrics: Sequence[str], series: Mapping[str, Mapping[str, tuple[float, float]]],
                       labels: Mapping[str, str] | None = None) -> go.Figure:
    """Metrics side by side (``{experiment: {metric: (mean, std)}}``), one bar group per metric, ± std."""
    shown = [metric for metric in metrics if any(metric in values for values in series.values())]
    if not shown:
        return no_data_figure("No evaluated run to compare yet.", height=HEIGHT)
    figure = _grouped_bars([(labels or {}).get(metric, metric) for metric in shown], shown, series, ".4f")
    figure.update_yaxes(rangemode="tozero")
    return figure


def mean_curve(runs: Sequence[RunCurves], key: str) -> tuple[list[int], list[float], list[float]]:
    """Epochs every run reached and the mean and std of ``key`` across those runs (seeds) at each epoch."""
    columns = [dict(zip(run.epochs, run.series.get(key, ()), strict=False)) for run in runs]
    columns = [column for column in columns if column]
    if not columns:
        return [], [], []
    shared = sorted(set.intersection(*(set(column) for column in columns)))
    if not shared:
        return [], [], []
    values = np.asarray([[column[epoch] for column in columns] for epoch in shared], dtype=float)
    return shared, values.mean(axis=1).tolist(), values.std(axis=1).tolist()


def overlaid_curves_figure(experiments: Mapping[str, Sequence[RunCurves]], key: str) -> go.Figure:
    """``key`` per epoch of several experiments, each the mean across its seeds with a ± std band."""
    figure = base_figure(height=HEIGHT)
    drawn = 0
    for index, (name, runs) in enumerate(experiments.items()):
        epochs, mean, std = mean_curve(runs, key)
        if not epochs:
            continue
        colour = PALETTE[index % len(PALETTE)]
        upper = [m + s for m, s in zip(mean, std, strict=True)]
        lower = [m - s for m, s in zip(mean, std, strict=True)]
        figure.add_trace(go.Scatter(x=epochs + epochs[::-1], y=upper + lower[::-1], fill="toself", mode="lines",
                                    line={"width": 0}, fillcolor=colour, opacity=BAND_OPACITY, hoverinfo="skip",
                                    showlegend=False, name=f"{name} ± std"))
        figure.add_trace(go.Scatter(x=epochs, y=mean, mode="lines", name=name, line={"color": colour, "width": 2},
                                    hovertemplate="epoch %{x}: %{y:.4g}<extra>" + name + "</extra>"))
        drawn += 1
    if not drawn:
        return no_data_figure("No epochs recorded for these experiments.", height=HEIGHT)
    figure.update_xaxes(title_text="epoch")
    figure.update_yaxes(title_text=key.replace("_", " "))
    return figure
