"""Results page pieces (pure): the full evaluation report's ROC and calibration inputs, robustness across seeds,
the per-seed table and the run chooser."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import numpy as np
from dash import html

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.experiments.views import RunEvaluation

CLEAN = "clean"  # the robustness chart's noise-free reference: the record accuracy on the test split
SEED_COLUMNS = (("record_accuracy", "Record acc."), ("window_accuracy", "Window acc."), ("macro_f1", "Macro F1"),
                ("ece", "ECE"))


def roc_inputs(report: Mapping[str, Any] | None) -> tuple[dict[str, dict[str, list[float]]], dict[str, float | None]]:
    """``report["roc"]`` ({class: {"fpr", "tpr", "auc"}}) as the ROC figure's curves and AUCs."""
    roc = (report or {}).get("roc") or {}
    curves = {name: {"fpr": list(points.get("fpr") or ()), "tpr": list(points.get("tpr") or ())}
              for name, points in roc.items() if isinstance(points, Mapping)}
    return curves, {name: points.get("auc") for name, points in roc.items() if isinstance(points, Mapping)}


def calibration_inputs(report: Mapping[str, Any] | None) -> tuple[list[float], list[float], list[int], float | None]:
    """``report["calibration"]`` ({"ece", "bins": [{confidence, accuracy, count, ...}]}) as figure columns."""
    calibration = (report or {}).get("calibration") or {}
    bins = [b for b in calibration.get("bins") or () if isinstance(b, Mapping)]
    return ([float(b.get("confidence", 0.0)) for b in bins], [float(b.get("accuracy", 0.0)) for b in bins],
            [int(b.get("count", 0)) for b in bins], calibration.get("ece"))


def robustness_series(runs: Sequence[RunEvaluation]) -> dict[str, tuple[float, float]]:
    """Record accuracy by SNR as (mean, std) over the seeds, with the clean test accuracy as the reference;
    empty when no run has noisy copies."""
    labels = sorted({label for run in runs for label in run.robustness})
    if not labels:
        return {}
    series = {CLEAN: [run.record_accuracy for run in runs]}
    for label in labels:
        series[label] = [run.robustness[label] for run in runs if label in run.robustness]
    return {label: (float(np.mean(values)), float(np.std(values, ddof=1)) if len(values) > 1 else 0.0)
            for label, values in series.items()}


def run_options(runs: Sequence[RunEvaluation]) -> list[dict[str, str]]:
    return [{"label": f"seed {run.seed}", "value": run.run_id} for run in runs]


def seeds_table(runs: Sequence[RunEvaluation], chosen: str | None, table_id: str) -> dbc.Table | html.Div:
    if not runs:
        return empty_state("bi-hourglass-split", "No evaluated run yet",
                           "Results appear when a run has trained and been evaluated on the test split.")
    body = [html.Tr([html.Td(f"seed {run.seed}", className="text-nowrap"),
                     *[html.Td(f"{getattr(run, key):.1%}" if key != "ece" else f"{run.ece:.3f}")
                       for key, _ in SEED_COLUMNS]],
                    className="table-active" if run.run_id == chosen else "") for run in runs]
    head = html.Thead(html.Tr([html.Th("Run"), *[html.Th(label) for _, label in SEED_COLUMNS]]))
    return dbc.Table([head, html.Tbody(body)], size="sm", hover=True, responsive=True, className="mb-0",
                     id=table_id)


def chosen_run(runs: Sequence[RunEvaluation], run_id: str | None) -> RunEvaluation | None:
    return next((run for run in runs if run.run_id == run_id), runs[0] if runs else None)
