"""Experiment pages' building blocks (pure: service views in, components out): status badges, metric cards,
run, per-class, misclassified, side-by-side, config-diff and McNemar tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from pfd_gateway.dashboard.components.cards import empty_state, format_duration
from pfd_gateway.dashboard.components.xai import explain_url
from pfd_gateway.experiments import states
from pfd_gateway.experiments.views import ExperimentPublic, McNemarPublic, MetricSummary, RunPublic

STATUS_COLOURS = {states.REQUESTED: "secondary", states.QUEUED: "secondary", states.RUNNING: "info",
                  states.RESUMING: "info", states.CANCELLING: "warning", states.COMPLETED: "primary",
                  states.EVALUATED: "success", states.FAILED: "danger", states.CANCELLED: "warning",
                  states.PARTIAL: "warning", states.DELETING: "dark"}
# Shown first and labelled; any other metric keeps its own name.
METRIC_LABELS = {"record_accuracy": "Record accuracy", "window_accuracy": "Window accuracy",
                 "macro_f1": "Macro F1", "ece": "Calibration error (ECE)", "val_accuracy": "Best val. accuracy",
                 "val_loss": "Val. loss"}
PERCENT_WORD = "accuracy"  # every accuracy (record, window, val., by SNR) shows as a percentage
LOWER_IS_BETTER = frozenset({"ece", "val_loss", "train_loss"})
SIGNALS_URL = "/signals"
RESULTS_URL, MONITOR_URL, COMPARE_URL, NEW_URL = ("/experiments/results", "/experiments/monitor",
                                                  "/experiments/compare", "/experiments/new")
SIGNIFICANCE = 0.05
RECENT_CHOICES = 100  # experiments offered by the monitor, results and compare choosers (newest first)
NO_VALUE = "—"


def experiment_url(base: str, **query: str) -> str:
    return f"{base}?{urlencode(query)}"


def signal_viewer_url(dataset_id: str, record: int) -> str:
    """The Signal Viewer opened at one record of a data set (it reads ``dataset`` and ``record`` from the URL)."""
    return experiment_url(SIGNALS_URL, dataset=dataset_id, record=str(record))


def status_badge(status: str, badge_id: Any = None) -> dbc.Badge:
    extra = {"id": badge_id} if badge_id is not None else {}
    return dbc.Badge(status, color=STATUS_COLOURS.get(status, "secondary"), className="pfd-exp-status", **extra)


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name.replace("_", " "))


def is_percent(name: str) -> bool:
    return PERCENT_WORD in name


def format_value(name: str, value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:.1%}" if is_percent(name) else f"{value:.3f}"


def format_summary(name: str, summary: MetricSummary | None) -> str:
    """``mean ± std`` (std only with more than one run), percent for accuracies."""
    if summary is None:
        return NO_VALUE
    if summary.count < 2:
        return format_value(name, summary.mean)
    if is_percent(name):
        return f"{summary.mean:.1%} ± {summary.std * 100:.1f}"
    return f"{summary.mean:.3f} ± {summary.std:.3f}"


def ordered_metrics(names: Sequence[str] | Mapping[str, Any]) -> list[str]:
    """Labelled metrics first (in METRIC_LABELS order), then the rest alphabetically."""
    present = list(names)
    known = [name for name in METRIC_LABELS if name in present]
    return known + sorted(name for name in present if name not in METRIC_LABELS)


def metric_cards(metrics: Mapping[str, MetricSummary], limit: int = 4) -> list[dbc.Col] | html.Div:
    if not metrics:
        return empty_state("bi-clipboard-data", "No results yet",
                           "Metrics appear when the first run of this experiment has been evaluated.")
    cards = []
    for name in ordered_metrics(metrics)[:limit]:
        summary = metrics[name]
        hint = f"mean ± std over {summary.count} seeds" if summary.count > 1 else "one seed"
        cards.append(dbc.Col(dbc.Card(dbc.CardBody([
            html.Div(metric_label(name), className="text-body-secondary small text-uppercase fw-semibold"),
            html.Div(format_summary(name, summary), className="fs-3 fw-semibold mt-1 pfd-stat-value"),
            html.Small(hint, className="text-body-secondary"),
        ]), className="h-100 shadow-sm pfd-stat", id={"type": "experiment-metric", "name": name}),
            md=6, xl=3, className="mb-3"))
    return cards


def run_progress(run: RunPublic) -> str:
    if not run.epochs:
        return NO_VALUE
    return f"{run.epoch}/{run.epochs}"


def runs_table(runs: Sequence[RunPublic], table_id: str) -> dbc.Table | html.Div:
    if not runs:
        return empty_state("bi-list-task", "No runs", "This experiment has no runs.")
    body = [html.Tr([
        html.Td(run.seed), html.Td(status_badge(run.status)), html.Td(run_progress(run)),
        html.Td(NO_VALUE if run.windows_per_s is None else f"{run.windows_per_s:,.0f}"),
        html.Td(NO_VALUE if run.eta_s is None else format_duration(run.eta_s)),
        html.Td(run.worker or NO_VALUE, className="text-body-secondary small"),
        html.Td(run.error or "", className="text-danger small pfd-exp-error"),
    ], id={"type": f"{table_id}-row", "id": run.run_id}) for run in runs]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Seed", "Status", "Epoch", "Windows/s", "ETA", "Worker", "")]))
    return dbc.Table([head, html.Tbody(body)], size="sm", hover=True, responsive=True,
                     className="mb-0 align-middle", id=table_id)


def per_class_table(per_class: Sequence[Mapping[str, Any]], table_id: str) -> dbc.Table | html.Div:
    if not per_class:
        return empty_state("bi-table", "No per-class figures", "The run has not been evaluated yet.")
    body = [html.Tr([
        html.Td(html.Strong(row["name"])), *[html.Td(f"{row[key]:.3f}") for key in ("precision", "recall", "f1")],
        html.Td(NO_VALUE if row.get("auc") is None else f"{row['auc']:.3f}"), html.Td(f"{row['support']:,}"),
    ]) for row in per_class]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Class", "Precision", "Recall", "F1", "AUC", "Windows")]))
    return dbc.Table([head, html.Tbody(body)], size="sm", hover=True, responsive=True, className="mb-0",
                     id=table_id)


def misclassified_table(dataset_id: str, records: Sequence[Mapping[str, Any]], table_id: str,
                        limit: int, explain: tuple[str, str] | None = None) -> dbc.Table | html.Div:
    """The test records the run got wrong; each row opens the record in the Signal Viewer and, with ``explain``
    (experiment id, run id), links to the XAI page on that record."""
    if not records:
        return empty_state("bi-check2-all", "No misclassified test record", "Every test record was classified right.")
    ordered = sorted(records, key=lambda row: -float(row.get("confidence", 0.0)))[:limit]
    body = [html.Tr([
        html.Td(dcc.Link([html.I(className="bi bi-soundwave me-1"), f"#{row['record']}"],
                         href=signal_viewer_url(dataset_id, int(row["record"])), className="pfd-exp-record-link")),
        html.Td(row["true_class"]), html.Td(row["predicted_class"], className="text-danger"),
        html.Td(f"{float(row['confidence']):.0%}"),
        html.Td(dcc.Link([html.I(className="bi bi-lightbulb me-1"), "Explain"], className="pfd-exp-explain-link",
                         href=explain_url(*explain, dataset_id, int(row["record"])))) if explain else None,
    ], id={"type": f"{table_id}-row", "record": int(row["record"])}) for row in ordered]
    headers = ("Record", "True class", "Predicted", "Confidence", *(("",) if explain else ()))
    head = html.Thead(html.Tr([html.Th(h) for h in headers]))
    note = (html.Small(f"The {limit} most confident of {len(records)} mistakes.", className="text-body-secondary")
            if len(records) > limit else None)
    return html.Div([dbc.Table([head, html.Tbody(body)], size="sm", hover=True, responsive=True, className="mb-1",
                               id=table_id), note])


def best_of(name: str, values: Sequence[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    return min(present) if name in LOWER_IS_BETTER else max(present)


def side_by_side_table(experiments: Sequence[ExperimentPublic], metric_names: Sequence[str],
                       table_id: str) -> dbc.Table | html.Div:
    """One column per experiment, one row per metric (mean ± std), the best value of each row in bold."""
    if not experiments:
        return empty_state("bi-columns-gap", "Nothing to compare", "Pick two to five experiments.")
    rows = []
    for name in ordered_metrics(metric_names):
        summaries = [experiment.metrics.get(name) for experiment in experiments]
        best = best_of(name, [summary.mean if summary else None for summary in summaries])
        rows.append(html.Tr([html.Th(metric_label(name), className="fw-normal text-body-secondary"), *[
            html.Td(format_summary(name, summary),
                    className="fw-bold" if summary is not None and summary.mean == best and len(experiments) > 1
                    else "") for summary in summaries]]))
    head = html.Thead(html.Tr([html.Th("Metric"), *[html.Th([
        dcc.Link(experiment.name, href=experiment_url(RESULTS_URL, id=experiment.experiment_id)),
        html.Small(f" {experiment.model} · {experiment.run_count} seed(s)", className="text-body-secondary"),
    ]) for experiment in experiments]]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0",
                     id=table_id)


def config_diff_table(experiments: Sequence[ExperimentPublic], diff: Mapping[str, Sequence[Any]],
                      table_id: str) -> dbc.Table | html.Div:
    if not diff:
        return empty_state("bi-sliders", "Same configuration",
                           "The compared experiments differ only in data set or seeds, if at all.")
    rows = [html.Tr([html.Td(html.Code(key)), *[html.Td(NO_VALUE if value is None else str(value))
                                                 for value in values]]) for key, values in sorted(diff.items())]
    head = html.Thead(html.Tr([html.Th("Setting"), *[html.Th(e.name) for e in experiments]]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0",
                     id=table_id)


def mcnemar_verdict(result: McNemarPublic) -> str:
    if result.p_value is None:
        return result.note or "not tested"
    if result.p_value < SIGNIFICANCE:
        better = "A" if result.a_only_correct > result.b_only_correct else "B"
        return f"significant (p < {SIGNIFICANCE:g}): {better} is better"
    return f"no significant difference (p ≥ {SIGNIFICANCE:g})"


def mcnemar_table(results: Sequence[McNemarPublic], names: Mapping[str, str], table_id: str) -> dbc.Table | html.Div:
    if not results:
        return empty_state("bi-intersect", "No McNemar test",
                           "It needs two evaluated experiments on the same data set's test records.")
    rows = [html.Tr([
        html.Td(names.get(r.a, r.a)), html.Td(names.get(r.b, r.b)), html.Td(f"{r.shared_records:,}"),
        html.Td(r.a_only_correct), html.Td(r.b_only_correct),
        html.Td(NO_VALUE if r.statistic is None else f"{r.statistic:.3f}"),
        html.Td(NO_VALUE if r.p_value is None else f"{r.p_value:.4f}"), html.Td(mcnemar_verdict(r)),
    ]) for r in results]
    head = html.Thead(html.Tr([html.Th(h) for h in ("A", "B", "Shared records", "Only A right", "Only B right",
                                                     "χ²", "p", "Verdict")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0",
                     id=table_id)


def experiment_options(experiments: Sequence[ExperimentPublic]) -> list[dict[str, str]]:
    return [{"label": f"{e.name} · {e.model} · {e.created_at:%Y-%m-%d %H:%M}", "value": e.experiment_id}
            for e in experiments]


def worker_warning(message: str | None, alert_id: str) -> dbc.Alert | None:
    """The 'queued, but no training worker is running' warning (None when there is nothing to say)."""
    if not message:
        return None
    return dbc.Alert([html.I(className="bi bi-exclamation-triangle-fill me-2"), message], color="warning",
                     className="mb-3", id=alert_id)


def experiment_choice(items: Sequence[ExperimentPublic], selected: str | None) -> tuple[list[dict[str, str]], str | None]:
    """Options of an experiment chooser and its value: the selected one (e.g. from the URL) or the newest."""
    return experiment_options(items), selected or (items[0].experiment_id if items else None)


def experiment_labels(experiments: Sequence[ExperimentPublic]) -> dict[str, str]:
    """experiment_id -> a label, unique even when two experiments share a name."""
    counts: dict[str, int] = {}
    for experiment in experiments:
        counts[experiment.name] = counts.get(experiment.name, 0) + 1
    return {e.experiment_id: e.name if counts[e.name] == 1 else f"{e.name} · {e.experiment_id[:6]}"
            for e in experiments}


def experiment_chooser(prefix: str, experiment_id: str | None) -> dbc.InputGroup:
    """The experiment select of the monitor and results pages (``{prefix}-experiment``, ``{prefix}-refresh``)."""
    return dbc.InputGroup([
        dbc.InputGroupText("Experiment"),
        dbc.Select(id=f"{prefix}-experiment", value=experiment_id, placeholder="No experiment yet"),
        dbc.Button(html.I(className="bi bi-arrow-clockwise"), id=f"{prefix}-refresh", color="secondary",
                   outline=True, title="Reload the list"),
    ])
