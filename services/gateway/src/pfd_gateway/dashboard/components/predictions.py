"""Predict page panels: one prediction's outcome and the batch-prediction list (pure: data in, components out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.dashboard.components.datasets import created_label
from pfd_gateway.predictions import states
from pfd_gateway.predictions.service import PredictionView

STATUS_COLOURS = {states.REQUESTED: "secondary", states.RUNNING: "info", states.COMPLETED: "success",
                  states.FAILED: "danger"}
RESULTS_URL = "/api/v1/batch-predictions/{}/results.csv"
BATCH_HEAD = ("Source", "Model", "Status", "Summary", "Created", "")
PERCENT = 100.0
NO_VALUE = "—"


def _row(name: str, value: Any, value_id: str | None = None) -> html.Tr:
    return html.Tr([html.Th(name, className="fw-normal text-body-secondary"),
                    html.Td(value, **({"id": value_id} if value_id else {}))])


def _ms(value: Any) -> str:
    return NO_VALUE if value is None else f"{float(value):.1f} ms"


def result_panel(view: PredictionView | None) -> html.Div:
    """The predicted class, the version that predicted it and the latencies; the deploy service's refusal when it
    did not predict."""
    if view is None:
        return empty_state("bi-cpu", "No prediction yet", "Upload a signal, choose a model and press Predict.")
    signal = f"{view.file_name} · {view.samples:,} samples at {view.sample_rate_hz:,.0f} Hz"
    if view.prediction is None:
        return html.Div([dbc.Alert([html.I(className="bi bi-exclamation-triangle me-2"), view.error or "No answer."],
                                   color="warning", className="mb-2", id="predict-error"),
                         html.Small(signal, className="text-body-secondary")])
    p = view.prediction
    served = f"{p['model_name']} v{p['version']}" + (f" ({p['alias']})" if p.get("alias") else "")
    rows = [_row("Model", served, "predict-served"), _row("Variant", p.get("variant") or NO_VALUE),
            _row("Windows voted", p.get("windows") or NO_VALUE),
            _row("Inference latency", _ms(p.get("latency_ms")), "predict-latency"),
            _row("Gateway latency", _ms(p.get("gateway_latency_ms")), "predict-gateway-latency")]
    confidence = p["probabilities"].get(p["predicted_class"])
    return html.Div([
        html.Div("Predicted class", className="text-body-secondary small text-uppercase fw-semibold"),
        html.Div(p["predicted_class"], className="fs-3 fw-semibold", id="predict-class"),
        html.Small(f"probability {confidence:.1%}" if confidence is not None else "", className="text-body-secondary"),
        dbc.Table(html.Tbody(rows), size="sm", className="mt-2 mb-1"),
        html.Small(signal, className="text-body-secondary"),
    ], id="predict-outcome")


def _status(row: Mapping[str, Any]) -> html.Div:
    status = row["status"]
    parts: list[Any] = [dbc.Badge(status, color=STATUS_COLOURS.get(status, "secondary"), className="predict-status")]
    if status in states.OPEN:
        total = row.get("total")
        parts.append(dbc.Progress(value=PERCENT * states.fraction(row), striped=True, animated=True,
                                  className="mt-1", style={"height": "6px"}))
        parts.append(html.Small(f"{row.get('done') or 0:,}/{total:,}" if total else "waiting for the deploy service",
                                className="text-body-secondary d-block"))
    if status == states.FAILED and row.get("error"):
        parts.append(html.Small(row["error"], className="text-danger d-block predict-batch-error"))
    return html.Div(parts)


def _summary(row: Mapping[str, Any]) -> str:
    summary = row.get("summary") or {}
    counts = ", ".join(f"{name} {count:,}" for name, count in summary.items()
                       if isinstance(count, int) and name != "accuracy")
    accuracy = summary.get("accuracy")
    return " · ".join(part for part in (counts, f"accuracy {accuracy:.1%}" if accuracy is not None else "") if part) \
        or NO_VALUE


def _model_label(row: Mapping[str, Any]) -> str:
    """The version that predicted (or was asked for), else the alias asked for."""
    version = row.get("served_version") or row.get("version")
    return f"{row['model_name']} v{version}" if version else f"{row['model_name']} ({row.get('alias')})"


def _download(row: Mapping[str, Any]) -> Any:
    if row["status"] != states.COMPLETED:
        return None
    return html.A([html.I(className="bi bi-download me-1"), "results.csv"], href=RESULTS_URL.format(row["batch_id"]),
                  download="", className="btn btn-sm btn-outline-primary",
                  id={"type": "predict-batch-download", "id": row["batch_id"]})


def batches_table(rows: Sequence[Mapping[str, Any]]) -> html.Div | dbc.Table:
    if not rows:
        return empty_state("bi-collection", "No batch predictions yet",
                           "Choose a data set or a CSV of signals (one per row) and start a batch.")
    body = [html.Tr([
        html.Td([html.Strong(row["source_name"]), html.Small(f" {row['source']}", className="text-body-secondary")]),
        html.Td(_model_label(row)),
        html.Td(_status(row)), html.Td(_summary(row), className="small"),
        html.Td(created_label(row["created_at"]), className="text-nowrap"), html.Td(_download(row)),
    ], id={"type": "predict-batch-row", "id": row["batch_id"]}) for row in rows]
    head = html.Thead(html.Tr([html.Th(title) for title in BATCH_HEAD]))
    return dbc.Table([head, html.Tbody(body)], hover=True, responsive=True, className="mb-0 align-middle",
                     id="predict-batch-table")
