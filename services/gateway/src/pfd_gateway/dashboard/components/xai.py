"""XAI page pieces (pure): the method checklist with its parameters, request parsing, the progress line, the
summary of an explanation, the cached explanations list and the pushed frames the page follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from pfd_shared.xai import METHOD_CATALOGUE, MethodInfo

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.explanations import states
from pfd_gateway.explanations.views import ExplainableExperiment, ExplanationPublic, XaiChoices

XAI_URL = "/xai"
DEFAULT_METHODS = ["integrated_gradients", "band_occlusion"]
PARAM_TYPE, CACHED_TYPE = "xai-param", "xai-cached"
LABELS = {name: info.label for name, info in METHOD_CATALOGUE.items()}
STATUS_COLOURS = {states.REQUESTED: "secondary", states.RUNNING: "primary", states.CANCELLING: "warning",
                  states.READY: "success", states.FAILED: "danger", states.CANCELLED: "secondary"}


def explain_url(experiment_id: str, run_id: str, dataset_id: str, record: int) -> str:
    """The XAI page opened on one record of a run (the Results page's "Explain" links)."""
    query = {"experiment": experiment_id, "run": run_id, "dataset": dataset_id, "record": str(record)}
    return f"{XAI_URL}?{urlencode(query)}"


def method_options(has_conv: bool = True) -> list[dict[str, Any]]:
    """The checklist: every catalogue method; those that need a convolution are disabled without one."""
    return [{"label": info.label, "value": name, "disabled": info.needs_conv and not has_conv}
            for name, info in METHOD_CATALOGUE.items()]


def _param_input(method: MethodInfo, name: str) -> dbc.InputGroup:
    spec = method.params[name]
    step = 1 if spec.kind == "int" else "any"
    return dbc.InputGroup([
        dbc.InputGroupText(html.Span(name, title=spec.description)),
        dbc.Input(id={"type": PARAM_TYPE, "method": method.name, "param": name}, type="number",
                  value=method.defaults.get(name), min=spec.low, max=spec.high, step=step, debounce=True),
    ], size="sm", className="mb-1")


def parameter_panels() -> html.Div:
    """Each method's parameters with their defaults (ranges as the inputs' bounds; checked again server-side)."""
    return html.Div([
        html.Div([html.Div(info.label, className="small fw-semibold mt-2"),
                  *[_param_input(info, name) for name in info.params]], id=f"xai-params-{info.name}")
        for info in METHOD_CATALOGUE.values() if info.params
    ])


def parse_methods(selected: Sequence[str] | None, ids: Sequence[Mapping[str, str]],
                  values: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """The chosen methods with the parameters typed in (blank inputs keep the defaults)."""
    methods: dict[str, dict[str, Any]] = {name: {} for name in selected or ()}
    for input_id, value in zip(ids, values):
        method, param = input_id["method"], input_id["param"]
        if method in methods and value not in (None, ""):
            kind = METHOD_CATALOGUE[method].params[param].kind
            methods[method][param] = int(value) if kind == "int" and float(value).is_integer() else value
    return methods


def number(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def run_options(experiment: ExplainableExperiment | None) -> list[dict[str, str]]:
    return [{"label": f"seed {run.seed}", "value": run.run_id} for run in (experiment.runs if experiment else [])]


def experiment_options(experiments: Sequence[ExplainableExperiment]) -> list[dict[str, str]]:
    return [{"label": f"{item.name} · {item.model}", "value": item.experiment_id} for item in experiments]


def pick(choices: XaiChoices, wanted: str | None) -> str | None:
    """The experiment to show: the wanted one (URL, current choice) if offered, else the newest."""
    ids = [item.experiment_id for item in choices.experiments]
    return wanted if wanted in ids else (ids[0] if ids else None)


def experiment_defaults(choices: XaiChoices, experiment_id: str,
                        defaults: Mapping[str, Any]) -> tuple[list[dict[str, str]], str | None, str | None,
                                                              str | None, list[dict[str, Any]]]:
    """Run options and choice, the data set (URL, else the one it trained on, else the first) for the
    explanation and the embedding, and the method checklist for the experiment's architecture."""
    experiment = next((item for item in choices.experiments if item.experiment_id == experiment_id), None)
    runs = run_options(experiment)
    run_ids = [option["value"] for option in runs]
    run = defaults.get("run") if defaults.get("run") in run_ids else (run_ids[0] if run_ids else None)
    dataset_ids = [item.dataset_id for item in choices.datasets]
    preferred = [defaults.get("dataset"), experiment.dataset_id if experiment else None, *dataset_ids]
    dataset = next((candidate for candidate in preferred if candidate in dataset_ids), None)
    trained_on = experiment.dataset_id if experiment and experiment.dataset_id in dataset_ids else dataset
    return runs, run, dataset, trained_on, method_options(experiment.has_conv if experiment else True)


def progress_line(explanation: ExplanationPublic | None) -> Any:
    """Status badge, stage and a progress bar while it runs; the reason when it failed."""
    if explanation is None:
        return html.Span("Choose a run, a record and methods, then Explain.", className="text-body-secondary small")
    badge = dbc.Badge(explanation.status, color=STATUS_COLOURS.get(explanation.status, "secondary"),
                      id="xai-status-badge", className="me-2")
    if explanation.status in states.ACTIVE:
        stage = LABELS.get((explanation.stage or "").split(":")[-1], explanation.stage or "waiting for the xai service")
        text = f"{stage} · {explanation.done}/{explanation.total}" if explanation.total else stage
        return html.Div([html.Div([badge, html.Small(text, id="xai-stage")], className="mb-1"),
                         dbc.Progress(value=100 * explanation.fraction, id="xai-progress", striped=True, animated=True,
                                      style={"height": "0.5rem"})])
    if explanation.status in (states.FAILED, states.CANCELLED):
        return dbc.Alert([badge, explanation.error or "The explanation stopped."], color="warning",
                         id="xai-failure", className="mb-0 py-2")
    cached = " · from the cache" if explanation.cached else ""
    took = f" · {explanation.seconds:.1f} s" if explanation.seconds is not None else ""
    return html.Div([badge, html.Small(f"ready{took}{cached}", id="xai-stage")])


def summary_panel(explanation: ExplanationPublic | None) -> Any:
    """Predicted (explained) class, class probabilities, IG completeness and the randomisation flags."""
    summary = (explanation.summary if explanation else None) or {}
    if not summary:
        return empty_state("bi-lightbulb", "No explanation shown", "Run one or reopen a cached explanation.")
    probabilities = summary.get("probabilities") or {}
    rows = [html.Tr([html.Td(name), html.Td(f"{float(p):.1%}")],
                    className="table-active fw-semibold" if name == summary.get("target_class") else "")
            for name, p in probabilities.items()]
    checks: list[Any] = []
    completeness = summary.get("completeness")
    if completeness:
        error = float(completeness.get("relative_error", 0.0))
        checks.append(html.Li(f"IG completeness error {error:.2%} (sum {completeness.get('attribution_sum', 0):.4f} "
                              f"vs Δ {completeness.get('output_delta', 0):.4f})", id="xai-completeness"))
    for method, check in (summary.get("randomisation") or {}).items():
        verdict = "FLAGGED: barely changes with random weights" if check.get("flagged") else "passes"
        checks.append(html.Li(f"Randomisation {LABELS.get(method, method)}: {verdict} "
                              f"(ρ = {float(check.get('spearman', 0.0)):.2f})",
                              className="text-danger" if check.get("flagged") else "",
                              id=f"xai-randomisation-{method}"))
    return html.Div([
        html.Div(["Explained class: ", html.Strong(summary.get("target_class", "?"), id="xai-target-class")],
                 className="mb-2"),
        dbc.Table([html.Tbody(rows)], size="sm", className="mb-2", id="xai-probabilities"),
        html.Ul(checks, className="small mb-0 ps-3") if checks else None,
    ], id="xai-summary-body")


def cached_list(explanations: Sequence[ExplanationPublic], current: str | None) -> Any:
    """The caller's explanations, newest first; a click reopens one."""
    if not explanations:
        return empty_state("bi-archive", "No explanation yet", "Explanations you run are kept here.")
    items = [dbc.ListGroupItem([
        html.Div([html.Span(", ".join(LABELS.get(m, m) for m in item.methods), className="fw-semibold small"),
                  dbc.Badge(item.status, color=STATUS_COLOURS.get(item.status, "secondary"), className="ms-2")],
                 className="d-flex justify-content-between"),
        html.Small(f"record {item.input.get('record')} · window {item.input.get('window', 0)} · "
                   f"{item.created_at:%Y-%m-%d %H:%M}", className="text-body-secondary"),
    ], id={"type": CACHED_TYPE, "id": item.explanation_id}, action=True, n_clicks=0,
        active=item.explanation_id == current) for item in explanations]
    return dbc.ListGroup(items, flush=True, id="xai-cached-list")


def pushed_ids(batch: Mapping[str, Any] | None, key: str) -> set[str]:
    """The explanation (``key`` = explanation_id) or embedding ids a ``live-xai`` batch is about."""
    frames = (batch or {}).get("frames") or []
    return {str(payload[key]) for frame in frames
            if key in (payload := ((frame.get("data") or {}).get("payload") or {}))}


def finished_ids(batch: Mapping[str, Any] | None) -> set[str]:
    """Explanations a batch finished (ready or failed): the cached list changes."""
    frames = (batch or {}).get("frames") or []
    return {str(((frame.get("data") or {}).get("payload") or {}).get("explanation_id")) for frame in frames
            if frame.get("type") in ("xai.explanation_ready", "xai.explanation_failed")}


def embedding_status(embedding: Any) -> Any:
    """The embedding's status, point count or failure reason."""
    if embedding is None:
        return html.Span("Project a data set's windows through the run's penultimate layer.",
                         className="text-body-secondary small")
    badge = dbc.Badge(embedding.status, color=STATUS_COLOURS.get(embedding.status, "secondary"),
                      id="xai-embedding-badge", className="me-2")
    if embedding.status == states.FAILED:
        return dbc.Alert([badge, embedding.error or "The projection failed."], color="warning", className="mb-0 py-2")
    detail = (f"{embedding.points:,} windows · {embedding.embedding_dim}-d embedding"
              if embedding.status == states.READY else "computing in the xai service…")
    return html.Div([badge, html.Small(detail)])
