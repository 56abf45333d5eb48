"""The experiment wizard's form (pure): its fields, their bounds (from TrainingConfig's JSON schema and the model
catalogue's param specs, so the browser checks exactly what the server checks), the step panels and the
mapping of the server's 422 field names to the wizard's inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from pfd_shared.training import ModelInfo, TrainingConfig
from pfd_shared.training.catalogue import PRESET_NAMES

from pfd_gateway.dashboard.components.cards import empty_state
from pfd_gateway.datasets import states as dataset_states

PREFIX = "experiment-new"
PARAM_TYPE = f"{PREFIX}-param"
STEPS = ("Model", "Data and hyperparameters", "Training options", "Review and launch")
STEP_ICONS = ("bi-cpu", "bi-database-gear", "bi-sliders", "bi-rocket-takeoff")
OPTIMISERS = ("adam", "adamw")
SCHEDULERS = (("one_cycle", "One-cycle"), ("cosine", "Cosine"), ("plateau", "Reduce on plateau"), ("none", "None"))
DEFAULT_PRESET = "small"


@dataclass(frozen=True)
class Field:
    path: str  # the TrainingConfig path ("window.length") or a request field ("name", "dataset_id", "tags")
    label: str
    step: int  # 0-based index into STEPS
    kind: str  # int, float, optional int/float ("int?"), bool, select, radio, seeds, text, tags
    hint: str = ""

    @property
    def id(self) -> str:
        return field_id(self.path)


def field_id(path: str) -> str:
    return f"{PREFIX}-{path.replace('.', '-').replace('_', '-')}"


FIELDS = (
    Field("model", "Model", 0, "radio"),
    Field("preset", "Preset", 0, "select", "Fills the model's parameters; change them on the next step."),
    Field("dataset_id", "Data set", 1, "select", "Ready data sets; training uses their record-level splits."),
    Field("window.length", "Window length (samples)", 1, "int"),
    Field("window.hop", "Hop (samples)", 1, "int?", "Blank: windows do not overlap."),
    Field("epochs", "Epochs", 1, "int"),
    Field("batch_size", "Batch size", 1, "int"),
    Field("seeds", "Seeds", 1, "seeds", "One run per seed, comma separated; results show mean ± std."),
    Field("optimiser.name", "Optimiser", 2, "select"),
    Field("optimiser.learning_rate", "Learning rate", 2, "float"),
    Field("optimiser.weight_decay", "Weight decay", 2, "float"),
    Field("scheduler.name", "Learning-rate schedule", 2, "select"),
    Field("scheduler.plateau_patience", "Plateau patience (epochs)", 2, "int"),
    Field("scheduler.plateau_factor", "Plateau factor", 2, "float"),
    Field("early_stopping_patience", "Early-stopping patience (epochs)", 2, "int", "0: train every epoch."),
    Field("grad_clip_norm", "Gradient clipping (norm)", 2, "float?", "Blank: no clipping."),
    Field("label_smoothing", "Label smoothing", 2, "float"),
    Field("augmentation.scale", "Random gain (±)", 2, "float", "0: off."),
    Field("augmentation.noise_snr_db", "Noise augmentation (SNR dB)", 2, "float?", "Blank: off."),
    Field("augmentation.shift", "Random shift", 2, "bool"),
    Field("class_weights", "Class weights", 2, "bool", "Weigh the loss by inverse class frequency."),
    Field("mixed_precision", "Mixed precision (GPU only)", 2, "bool"),
    Field("name", "Experiment name", 3, "text"),
    Field("tags", "Tags", 3, "tags", "Comma separated, e.g. baseline, cwru."),
)
FIELD_BY_PATH = {f.path: f for f in FIELDS}
CONFIG_FIELDS = tuple(f for f in FIELDS if f.path not in ("dataset_id", "name", "tags"))


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else node


def config_bounds() -> dict[str, dict[str, Any]]:
    """path -> {type, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minItems, maxItems, nullable, enum}
    of every leaf of TrainingConfig's JSON schema."""
    schema = TrainingConfig.model_json_schema()
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for name, prop in _resolve(schema, node).get("properties", {}).items():
            prop = _resolve(schema, prop)
            if prop.get("type") == "object" and "properties" in prop:
                walk(prop, f"{prefix}{name}.")
                continue
            variants = prop.get("anyOf", [prop])
            concrete = [v for v in variants if v.get("type") != "null"]
            bound = dict(concrete[0]) if len(concrete) == 1 else {"type": "any"}
            bound["nullable"] = len(concrete) < len(variants)
            found[f"{prefix}{name}"] = {key: bound[key] for key in (
                "type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                "enum", "nullable") if key in bound}

    walk(schema, "")
    return found


def ready_datasets(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The data sets a run can train on, with what the browser needs to check the window against them."""
    return [{"id": row["dataset_id"], "name": row["name"], "samples": row.get("samples_per_record"),
             "records": row.get("records"), "classes": len(row.get("class_names") or ())}
            for row in rows if row["status"] == dataset_states.READY]


def dataset_options(ready: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{"label": f"{row['name']} · {row['records']} records × {row['samples']} samples", "value": row["id"]}
            for row in ready]


def wizard_config(catalogue: Sequence[ModelInfo]) -> dict[str, Any]:
    """What assets/experiment_wizard.js validates with: fields, bounds, the catalogue's param specs."""
    return {
        "fields": [{"path": f.path, "id": f.id, "step": f.step, "kind": f.kind} for f in FIELDS],
        "bounds": config_bounds(), "models": {info.name: info.model_dump(mode="json") for info in catalogue},
        "paramType": PARAM_TYPE, "steps": len(STEPS),
    }


def param_values(info: ModelInfo, preset: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The preset's parameters with the (clone's) overrides that the model knows."""
    base = dict(info.presets.get(preset) or next(iter(info.presets.values())))
    return base | {key: value for key, value in (overrides or {}).items() if key in info.params}


def param_inputs(info: ModelInfo | None, values: Mapping[str, Any]) -> Any:
    """One input per tunable parameter of the model (pattern ids), with the range in its hint."""
    if info is None:
        return empty_state("bi-cpu", "Choose a model first", "Its parameters appear here.")
    fields = []
    for name, spec in info.params.items():
        component_id = {"type": PARAM_TYPE, "name": name}
        if spec.kind == "categorical":
            control: Any = dbc.Select(id=component_id, value=str(values.get(name)),
                                      options=[{"label": str(c), "value": str(c)} for c in spec.choices])
            hint = spec.description or "one of " + ", ".join(str(c) for c in spec.choices)
        else:
            step = 1 if spec.kind == "int" else "any"
            # No min/max on the input: out of range it would report no number at all; the range is checked
            # (and explained) by assets/experiment_wizard.js instead.
            control = dbc.Input(id=component_id, type="number", value=values.get(name), step=step)
            hint = f"{spec.description + ' · ' if spec.description else ''}{spec.low:g} to {spec.high:g}"
        fields.append(dbc.Col(html.Div([
            dbc.Label(name.replace("_", " "), className="small mb-1"), control,
            dbc.FormFeedback(id={"type": f"{PARAM_TYPE}-feedback", "name": name}, type="invalid"),
            dbc.FormText(hint)], className="mb-3"), md=4))
    if not fields:
        return html.P("This model has no tunable parameters.", className="text-body-secondary small")
    return dbc.Row(fields, className="g-3")


def model_choices(catalogue: Sequence[ModelInfo]) -> list[dict[str, Any]]:
    return [{"label": html.Span([html.Strong(info.name), html.Span(f" · {info.family} · {info.input}",
                                                                   className="text-body-secondary"),
                                 html.Div(info.description, className="small text-body-secondary")]),
             "value": info.name} for info in catalogue]


def preset_options() -> list[dict[str, str]]:
    return [{"label": name, "value": name} for name in PRESET_NAMES]


def server_errors(field: str, message: str) -> dict[str, str]:
    """A 422's field (``config.window.length``, ``config.model_params.width``, ``dataset_id``, ``tags.2``) as the
    wizard's key: a FIELDS path, ``param:<name>`` or ``form`` (shown above the Launch button)."""
    path = field.removeprefix("config.") if field.startswith("config.") else field
    if path.startswith("model_params."):
        return {f"param:{path.split('.', 1)[1]}": message}
    if path in FIELD_BY_PATH:
        return {path: message}
    head = path.split(".", 1)[0]
    if head in FIELD_BY_PATH:
        return {head: message}
    if path.startswith("seeds"):
        return {"seeds": message}
    return {"form": message}


def field_value(path: str, request: Mapping[str, Any]) -> Any:
    """The value of a FIELDS path in a clone request ({name, dataset_id, tags, config})."""
    if path in ("name", "dataset_id"):
        return request.get(path)
    if path == "tags":
        return ", ".join(request.get("tags") or ())
    node: Any = request.get("config") or {}
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if path == "seeds":
        return ", ".join(str(seed) for seed in node or ())
    return node


def default_request() -> dict[str, Any]:
    return {"name": "", "dataset_id": None, "tags": [], "config": TrainingConfig().model_dump(mode="json")}
