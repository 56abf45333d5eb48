"""Deployment and Models pages' building blocks (pure: service views in, components out): status badges, the
deployment summary, the variant comparison table and notes, the registry's models, versions and alias history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from pfd_gateway.dashboard.components.cards import empty_state, format_bytes
from pfd_gateway.deployments import states
from pfd_gateway.deployments.views import (
    AliasChangePublic,
    DeploymentPublic,
    ModelPublic,
    VersionPublic,
)

DEPLOYMENT_URL, MODELS_URL = "/deployment", "/models"
COLOURS = {states.REQUESTED: "secondary", states.RUNNING: "info", states.CANCELLING: "warning",
           states.EXPORTED: "success", states.FAILED: "danger", states.CANCELLED: "warning", states.READY: "success",
           states.BROKEN: "danger", states.DELETING: "dark", states.DELETED: "secondary"}
NO_VALUE = "—"
TIME = "%Y-%m-%d %H:%M"


def epoch_ms(at: datetime) -> float:
    """Milliseconds since the epoch, as the browser's Date.parse gives them (naive times are UTC)."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).timestamp() * 1000


def page_url(base: str, **query: str) -> str:
    return f"{base}?{urlencode(query)}"


def badge(status: str, badge_id: Any = None) -> dbc.Badge:
    extra = {"id": badge_id} if badge_id is not None else {}
    return dbc.Badge(status, color=COLOURS.get(status, "secondary"), className="pfd-deploy-status", **extra)


def _table(head: Sequence[str], rows: list[html.Tr], table_id: str) -> dbc.Table:
    return dbc.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], size="sm", hover=True,
                     responsive=True, className="mb-0 align-middle", id=table_id)


def _percent(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.2%}"


def deployment_options(deployments: Sequence[DeploymentPublic]) -> list[dict[str, str]]:
    return [{"label": f"{d.model_name} · {d.experiment_name} · {d.status} · {d.created_at:{TIME}}",
             "value": d.deployment_id} for d in deployments]


def deployment_summary(deployment: DeploymentPublic, prefix: str) -> html.Div:
    """Which run became which model (version), its status, and why it failed (with the parity figures)."""
    version = f" → version {deployment.version}" if deployment.version else ""
    figures = ", ".join(f"{name} {value:g}" for name, value in sorted(deployment.figures.items()))
    return html.Div([
        html.Div([html.Strong(f"{deployment.model_name}{version}", className="me-2"),
                  badge(deployment.status, f"{prefix}-status")], className="d-flex align-items-center"),
        html.Small(f"{deployment.experiment_name} · run {deployment.run_id} · variants "
                   f"{', '.join(deployment.variants)}", className="text-body-secondary"),
        html.Div(deployment.error, className="text-danger small mt-1", id=f"{prefix}-error")
        if deployment.error else None,
        html.Div(f"Figures: {figures}", className="small text-body-secondary") if figures else None,
        html.Div(html.A([html.I(className="bi bi-box-seam me-1"), "Open in the registry"], id=f"{prefix}-model-link",
                        href=page_url(MODELS_URL, name=deployment.model_name),
                        className="btn btn-sm btn-outline-success"), className="mt-2") if deployment.version else None,
    ])


def variants_table(version: VersionPublic | None, table_id: str) -> Any:
    """The variants side by side: size, accuracy (and its change from FP32), latency, throughput, the note."""
    if version is None or not version.benchmarks:
        text = ("The variants are measured after the export." if version else
                "Export a run to compare its ONNX variants.")
        return empty_state("bi-speedometer", "No benchmark yet", text)
    reference = next((b.throughput_per_s for b in version.benchmarks if b.variant == "fp32"), None)
    rows = [html.Tr([
        html.Td(html.Code(b.variant)), html.Td(format_bytes(b.size_bytes)), html.Td(_percent(b.accuracy)),
        html.Td(f"{b.accuracy_delta * 100:+.2f} pt"), html.Td(f"{b.latency_p50_ms:.2f}"),
        html.Td(f"{b.latency_p99_ms:.2f}"), html.Td(f"{b.throughput_per_s:.0f}"),
        html.Td(f"{b.throughput_per_s / reference:.2f}×" if reference else NO_VALUE),
        html.Td(b.note, className="small text-body-secondary"),
    ]) for b in version.benchmarks]
    head = ("Variant", "Size", "Accuracy", "Δ vs FP32", "p50 ms", "p99 ms", "Windows/s", "vs FP32", "Note")
    return _table(head, rows, table_id)


def notes_list(version: VersionPublic | None, list_id: str) -> Any:
    if version is None:
        return None
    notes = list(version.notes)
    if version.torch_throughput_per_s is not None:
        notes.append(f"PyTorch eager at batch 32: {version.torch_throughput_per_s:.0f} windows/s.")
    parity = ", ".join(f"{name} {value:g}" for name, value in sorted(version.parity.items()))
    notes.append(f"Parity with PyTorch: {parity}.")
    return html.Ul([html.Li(note) for note in notes], className="small mb-0", id=list_id)


def models_table(models: Sequence[ModelPublic], table_id: str) -> Any:
    if not models:
        return empty_state("bi-box-seam", "No model yet", "Export an evaluated experiment on the Deployment page.",
                           html.A("Deployment", href=DEPLOYMENT_URL, className="btn btn-sm btn-outline-primary"))
    rows = [html.Tr([
        html.Td(html.A(m.model_name, href=page_url(MODELS_URL, name=m.model_name), className="fw-semibold")),
        html.Td(m.versions), html.Td(m.latest_version or NO_VALUE),
        html.Td([dbc.Badge(f"{alias} → v{version}", color="primary", className="me-1")
                 for alias, version in sorted(m.aliases.items())] or NO_VALUE),
        html.Td(f"{m.updated_at:{TIME}}"),
    ]) for m in models]
    return _table(("Model", "Versions", "Latest", "Aliases", "Updated (UTC)"), rows, table_id)


def versions_table(versions: Sequence[VersionPublic], prefix: str) -> Any:
    """The versions, newest first: source run, accuracy, parity, variants, aliases, status; a delete button each."""
    if not versions:
        return empty_state("bi-stack", "No version yet", "A version appears when its export is verified.")
    rows = [html.Tr([
        html.Td(html.Strong(f"v{v.version}")),
        html.Td([html.Div(v.experiment_id, className="small"), html.Small(f"run {v.run_id}",
                                                                          className="text-body-secondary")]),
        html.Td(_percent(v.metrics.get("record_accuracy"))), html.Td(_percent(v.parity.get("argmax_agreement"))),
        html.Td(", ".join(a.variant for a in v.artefacts) or NO_VALUE),
        html.Td([dbc.Badge(alias, color="primary", className="me-1") for alias in v.aliases]),
        html.Td([badge(v.status), html.Div(v.error, className="small text-danger") if v.error else None]),
        html.Td(dbc.Button(html.I(className="bi bi-trash"), id={"type": f"{prefix}-delete", "version": v.version},
                           color="danger", outline=True, size="sm", title=f"Delete version {v.version}",
                           disabled=v.status in (states.DELETING, states.DELETED) or bool(v.aliases))),
    ], id={"type": f"{prefix}-version-row", "version": v.version}) for v in versions]
    head = ("Version", "Source", "Record acc.", "Parity", "Variants", "Aliases", "Status", "")
    return _table(head, rows, f"{prefix}-versions-table")


def history_table(history: Sequence[AliasChangePublic], table_id: str) -> Any:
    if not history:
        return empty_state("bi-clock-history", "No alias yet", "Promote a version to give it an alias.")

    def shown(version: int | None) -> str:
        return NO_VALUE if version is None else f"v{version}"

    rows = [html.Tr([html.Td(f"{h.at:{TIME}}"), html.Td(html.Code(h.alias)), html.Td(shown(h.from_version)),
                     html.Td(shown(h.to_version)), html.Td(h.actor), html.Td(h.reason or NO_VALUE)]) for h in history]
    return _table(("When (UTC)", "Alias", "From", "To", "Who", "Why"), rows, table_id)


def version_options(versions: Sequence[VersionPublic]) -> list[dict[str, Any]]:
    """The versions an alias may point at (ready ones), newest first."""
    return [{"label": f"v{v.version} ({_percent(v.metrics.get('record_accuracy'))})", "value": v.version}
            for v in versions if v.status in states.SERVABLE]
