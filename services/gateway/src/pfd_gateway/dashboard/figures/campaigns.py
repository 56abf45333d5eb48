"""Figures of a campaign's study (pure: frozen trials in, plotly figures out), drawn by Optuna's own
``optuna.visualization`` functions on an in-memory copy of the study, in the dashboard's look."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import optuna
import plotly.graph_objects as go
from optuna.trial import FrozenTrial, TrialState

from pfd_gateway.dashboard.figures.style import NEUTRAL, PALETTE, no_data_figure

FIGURES = ("history", "parallel", "importance", "intermediate")
HEIGHT = 320
NEEDS_COMPLETED = {"history": 1, "parallel": 1, "importance": 2, "intermediate": 0}
MESSAGES = {"history": "No trial has completed yet.", "parallel": "No trial has completed yet.",
            "importance": "Parameter importance needs two completed trials with different values.",
            "intermediate": "No trial has reported an epoch yet."}


def _study(trials: Sequence[FrozenTrial], maximise: bool) -> optuna.Study:
    study = optuna.create_study(direction="maximize" if maximise else "minimize")
    study.add_trials(trials)
    return study


def _styled(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(title={"text": title, "font": {"size": 14}}, height=HEIGHT, template=None,
                         margin={"l": 56, "r": 16, "t": 48, "b": 40}, paper_bgcolor="rgba(0,0,0,0)",
                         plot_bgcolor="rgba(0,0,0,0)", font={"color": NEUTRAL}, colorway=list(PALETTE),
                         legend={"orientation": "h", "x": 0, "y": -0.2})
    return figure


def _draw(kind: str, study: optuna.Study) -> go.Figure:
    plots: dict[str, tuple[Callable[..., go.Figure], str]] = {
        "history": (optuna.visualization.plot_optimization_history, "Optimisation history"),
        "parallel": (optuna.visualization.plot_parallel_coordinate, "Parallel coordinates"),
        "importance": (optuna.visualization.plot_param_importances, "Parameter importance"),
        "intermediate": (optuna.visualization.plot_intermediate_values, "Intermediate values (per epoch)"),
    }
    plot, title = plots[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Optuna's experimental-feature warnings
        return _styled(plot(study), title)


def campaign_figure(kind: str, trials: Sequence[FrozenTrial], maximise: bool) -> go.Figure:
    """One of FIGURES for the trials so far (a "no data" figure when there is not enough to draw)."""
    completed = [t for t in trials if t.state == TrialState.COMPLETE]
    reported = any(t.intermediate_values for t in trials)
    if len(completed) < NEEDS_COMPLETED[kind] or (kind == "intermediate" and not reported):
        return no_data_figure(MESSAGES[kind], HEIGHT)
    try:
        return _draw(kind, _study(trials, maximise))
    except (ValueError, RuntimeError, ZeroDivisionError):  # e.g. importance when every value is equal
        return no_data_figure(MESSAGES[kind], HEIGHT)


def campaign_figures(trials: Sequence[FrozenTrial], maximise: bool) -> list[go.Figure]:
    """Every figure of FIGURES, in that order."""
    return [campaign_figure(kind, trials, maximise) for kind in FIGURES]
