"""Pieces of the HPO campaigns page: the create form with its typed search-space editor, the campaign list, the
trial table, and the pure conversions between the editor's rows and a campaign request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import html

from pfd_shared.training import MODEL_CATALOGUE

from pfd_gateway.campaigns.space import MODEL_PREFIX, TUNABLE_FIELDS
from pfd_gateway.campaigns.states import STOPPABLE, STOPPED
from pfd_gateway.campaigns.views import CampaignDetail, CampaignPublic
from pfd_gateway.dashboard.components.experiments import MONITOR_URL, experiment_url, status_badge

KINDS = ("int", "float", "categorical")
OBJECTIVES = {"val_accuracy": "Validation accuracy (max)", "val_loss": "Validation loss (min)",
              "accuracy_latency": "Accuracy vs latency (multi-objective)"}
SAMPLERS = {"tpe": "TPE", "random": "Random", "grid": "Grid", "cmaes": "CMA-ES"}
PRUNERS = {"median": "Median", "hyperband": "Hyperband", "none": "None"}
DEFAULT_LEARNING_RATE = {"name": "optimiser.learning_rate", "kind": "float", "low": 1e-4, "high": 1e-2, "log": True}
DEFAULTS = {"budget": 20, "parallelism": 1, "epochs": 5, "window": 1024}
EMPTY = "—"


def default_space(model: str) -> list[dict[str, Any]]:
    """Editor rows proposing every tunable parameter of the model (its catalogue range) and the learning rate."""
    rows = []
    for name, spec in MODEL_CATALOGUE[model].params.items():
        rows.append({"name": f"{MODEL_PREFIX}{name}", "kind": spec.kind, "low": spec.low, "high": spec.high,
                     "log": spec.log, "step": None, "choices": ", ".join(str(c) for c in spec.choices)})
    return rows + [DEFAULT_LEARNING_RATE | {"step": None, "choices": ""}]


def editor_config() -> dict[str, Any]:
    """What assets/campaigns.js needs: each model's proposed rows and a blank row."""
    return {"defaults": {model: default_space(model) for model in MODEL_CATALOGUE},
            "blank": {"name": "", "kind": "float", "low": None, "high": None, "log": False, "step": None,
                      "choices": ""}}


def _choice(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _number(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def space_from_rows(rows: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The editor's rows as SearchParam dicts (blank rows dropped; choices split on commas and typed)."""
    space = []
    for row in rows or ():
        name = str(row.get("name") or "").strip()
        if not name:
            continue
        choices = [_choice(part.strip()) for part in str(row.get("choices") or "").split(",") if part.strip()]
        space.append({"name": name, "kind": row.get("kind") or "float", "low": _number(row.get("low")),
                      "high": _number(row.get("high")), "log": bool(row.get("log")),
                      "step": _number(row.get("step")), "choices": choices if row.get("kind") == "categorical" else []})
    return space


def campaign_request(form: dict[str, Any], rows: Sequence[dict[str, Any]] | None) -> dict[str, Any]:
    """The create request of the form's values (validated by CampaignSpec and the service)."""
    base = {"epochs": int(form.get("epochs") or DEFAULTS["epochs"]),
            "window": {"length": int(form.get("window") or DEFAULTS["window"])}}
    return {"name": (form.get("name") or "").strip() or "campaign", "dataset_id": form.get("dataset") or "",
            "model": form.get("model") or "cnn1d", "objective": form.get("objective") or "val_accuracy",
            "sampler": form.get("sampler") or "tpe", "pruner": form.get("pruner") or "median",
            "budget": int(form.get("budget") or 0), "parallelism": int(form.get("parallelism") or 0),
            "base_config": base, "space": space_from_rows(rows)}


def _select(field: str, options: dict[str, str], value: str) -> dbc.Select:
    return dbc.Select(id=f"campaigns-{field}", options=[{"label": v, "value": k} for k, v in options.items()],
                      value=value, size="sm")


def _labelled(label: str, control: Any, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, className="small mb-0"), control], md=width, className="mb-2")


def space_editor() -> html.Div:
    columns = [
        {"field": "name", "editable": True, "flex": 2, "minWidth": 210, "headerTooltip": "model_params.<name> or "
                                                                         + ", ".join(TUNABLE_FIELDS)},
        {"field": "kind", "editable": True, "cellEditor": "agSelectCellEditor",
         "cellEditorParams": {"values": list(KINDS)}, "width": 120},
        {"field": "low", "editable": True, "width": 90}, {"field": "high", "editable": True, "width": 90},
        {"field": "log", "editable": True, "cellDataType": "boolean", "width": 70},
        {"field": "step", "editable": True, "width": 80}, {"field": "choices", "editable": True, "flex": 1},
    ]
    return html.Div([
        dag.AgGrid(id="campaigns-space", columnDefs=columns, rowData=default_space("cnn1d"),
                   dashGridOptions={"rowSelection": {"mode": "singleRow"}, "stopEditingWhenCellsLoseFocus": True,
                                    "domLayout": "autoHeight"}, className="ag-theme-alpine pfd-grid"),
        html.Div([
            dbc.Button([html.I(className="bi bi-plus me-1"), "Parameter"], id="campaigns-space-add", size="sm",
                       color="secondary", outline=True),
            dbc.Button([html.I(className="bi bi-trash me-1"), "Remove selected"], id="campaigns-space-remove",
                       size="sm", color="secondary", outline=True),
        ], className="d-flex gap-2 mt-2"),
    ])


def create_form() -> html.Div:
    number = {"type": "number", "size": "sm", "min": 1}
    fields = dbc.Row([
        _labelled("Name", dbc.Input(id="campaigns-name", placeholder="my search", size="sm")),
        _labelled("Data set", dbc.Select(id="campaigns-dataset", size="sm", placeholder="No ready data set")),
        _labelled("Model", _select("model", {m: m for m in MODEL_CATALOGUE}, "cnn1d"), 4),
        _labelled("Objective", _select("objective", OBJECTIVES, "val_accuracy"), 8),
        _labelled("Sampler", _select("sampler", SAMPLERS, "tpe"), 4),
        _labelled("Pruner", _select("pruner", PRUNERS, "median"), 4),
        _labelled("Trial budget", dbc.Input(id="campaigns-budget", value=DEFAULTS["budget"], **number), 4),
        _labelled("Parallel trials", dbc.Input(id="campaigns-parallelism", value=DEFAULTS["parallelism"], **number),
                  4),
        _labelled("Epochs per trial", dbc.Input(id="campaigns-epochs", value=DEFAULTS["epochs"], **number), 4),
        _labelled("Window (samples)", dbc.Input(id="campaigns-window", value=DEFAULTS["window"], **number), 4),
    ], className="g-2")
    return html.Div([fields, dbc.Label("Search space", className="small mb-1"), space_editor(),
                     html.Div(id="campaigns-form-message", className="mt-2"),
                     dbc.Button([html.I(className="bi bi-rocket-takeoff me-1"), "Start campaign"],
                                id="campaigns-create", color="primary", className="mt-2")])


def _value(value: float | None) -> str:
    return EMPTY if value is None else f"{value:.4f}"


def _param(value: Any) -> str:
    """A sampled value, short: floats to 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def campaign_list(campaigns: Sequence[CampaignPublic]) -> Any:
    if not campaigns:
        return html.P("No campaign yet: start one with the form.", className="text-body-secondary small mb-0",
                      id="campaigns-list-empty")
    head = html.Thead(html.Tr([html.Th(h) for h in ("Name", "Model", "Status", "Trials", "Best")]))
    body = html.Tbody([html.Tr([
        html.Td(c.name), html.Td(c.model), html.Td(status_badge(c.status)),
        html.Td(f"{c.spent}/{c.budget}"), html.Td(_value(c.best_value), className="font-monospace"),
    ], id={"type": "campaigns-row", "id": c.campaign_id}) for c in campaigns])
    return dbc.Table([head, body], size="sm", hover=True, className="mb-0", id="campaigns-list-table")


def campaign_options(campaigns: Sequence[CampaignPublic]) -> list[dict[str, str]]:
    return [{"label": f"{c.name} · {c.status}", "value": c.campaign_id} for c in campaigns]


def summary(detail: CampaignDetail) -> html.Div:
    best = (f"best {detail.objective} {_value(detail.best_value)} (trial {detail.best_trial})"
            if detail.best_value is not None else "no completed trial yet")
    return html.Div([
        html.Div([html.Strong(detail.name, className="me-2"), status_badge(detail.status, "campaigns-status")],
                 className="d-flex align-items-center"),
        html.Small(f"{detail.model} · {detail.sampler} sampler · {detail.pruner} pruner · {detail.spent}/"
                   f"{detail.budget} trials · {detail.active} running · {best}", className="text-body-secondary",
                   id="campaigns-best"),
    ])


def trial_table(detail: CampaignDetail) -> Any:
    if not detail.trials:
        return html.P("No trial yet.", className="text-body-secondary small mb-0")
    names = list(dict.fromkeys(name for trial in detail.trials for name in trial.params))
    head = html.Thead(html.Tr([html.Th(h) for h in ("#", "Status", "Value", "Epoch", *names, "Experiment")]))
    rows = [html.Tr([
        html.Td(t.trial_number), html.Td(status_badge(t.status)), html.Td(_value(t.value), className="font-monospace"),
        html.Td(t.epoch), *[html.Td(_param(t.params.get(n, EMPTY))) for n in names],
        html.Td(html.A("monitor", href=experiment_url(MONITOR_URL, id=t.experiment_id)) if t.experiment_id
                else (t.reason or EMPTY)),
    ]) for t in detail.trials]
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True, id="campaigns-trials-table")


def control_states(detail: CampaignDetail, api: str) -> tuple[Any, ...]:
    """Stop / Resume / Promote disabled flags and the export links' href and class (disabled before a best trial)."""
    has_best = detail.best_params is not None
    hrefs = [f"{api}/{detail.campaign_id}/export?format={fmt}" if has_best else "#" for fmt in ("json", "yaml")]
    css = "btn btn-outline-secondary" + ("" if has_best else " disabled")
    return (detail.status not in STOPPABLE, detail.status != STOPPED, not has_best, *hrefs, css, css)
