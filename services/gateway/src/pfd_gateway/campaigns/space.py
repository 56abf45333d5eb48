"""A campaign's typed search space and settings (pure): validation against the model catalogue's ParamSpec ranges
and TrainingConfig's own field bounds, grid points, and turning sampled values into a training config.

A parameter is named by its path in the TrainingConfig JSON: ``model_params.<name>`` (a parameter of the chosen
model, e.g. ``model_params.width``) or a numeric training field such as ``optimiser.learning_rate`` or
``batch_size``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.training import MODEL_CATALOGUE, TrainingConfig
from pfd_shared.training.catalogue import Scalar

Kind = Literal["int", "float", "categorical"]
Objective = Literal["val_accuracy", "val_loss", "accuracy_latency"]
SamplerName = Literal["tpe", "random", "grid", "cmaes"]
PrunerName = Literal["median", "hyperband", "none"]
MODEL_PREFIX = "model_params."
TUNABLE_FIELDS = ("optimiser.learning_rate", "optimiser.weight_decay", "batch_size", "label_smoothing",
                  "augmentation.scale", "grad_clip_norm", "early_stopping_patience")
MAXIMISE = {"val_accuracy": True, "val_loss": False}
MULTI_OBJECTIVE_REFUSAL = ("multi-objective accuracy vs latency is not supported: the training workers do not "
                           "measure a trial's inference latency; choose val_accuracy or val_loss")


class SearchParam(BaseModel):
    """One dimension of the search: a numeric range (``log``: sampled on a log scale; ``step``: a grid step) or
    categorical choices."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: Kind
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = Field(default=None, gt=0)
    choices: tuple[Scalar, ...] = ()


class CampaignSpec(BaseModel):
    """Everything that defines a campaign (the API's create body, stored with the campaign)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    dataset_id: str = Field(min_length=1, max_length=64)
    model: str = "cnn1d"
    preset: str = "small"
    base_config: dict[str, Any] = Field(default_factory=dict, description="Fixed TrainingConfig fields (epochs...).")
    space: tuple[SearchParam, ...] = ()
    objective: Objective = "val_accuracy"
    sampler: SamplerName = "tpe"
    pruner: PrunerName = "median"
    budget: int = Field(default=20, description="Trials to run (completed, pruned or failed).")
    parallelism: int = Field(default=1, description="Trials running at once.")
    seed: int | None = Field(default=None, ge=0, description="Seed of the sampler (None: random).")

    @property
    def maximise(self) -> bool:
        return MAXIMISE.get(self.objective, True)


@dataclass(frozen=True)
class Problem:
    """Why a campaign is refused: the field (``space.2.high``...) and a plain reason."""

    field: str
    message: str


@dataclass(frozen=True)
class Bounds:
    kind: Literal["int", "float"]
    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False


def problems(spec: CampaignSpec, *, max_budget: int, max_parallelism: int, max_grid_points: int) -> list[Problem]:
    """Every reason to refuse the campaign (empty: it is valid)."""
    found: list[Problem] = []
    if spec.objective == "accuracy_latency":
        found.append(Problem("objective", MULTI_OBJECTIVE_REFUSAL))
    if not 1 <= spec.budget <= max_budget:
        found.append(Problem("budget", f"the trial budget must be between 1 and {max_budget}, not {spec.budget}"))
    if not 1 <= spec.parallelism <= max_parallelism:
        found.append(Problem("parallelism", f"parallelism must be between 1 and {max_parallelism}, "
                                            f"not {spec.parallelism}"))
    if spec.model not in MODEL_CATALOGUE:
        found.append(Problem("model", f"unknown model {spec.model!r}; choose from {sorted(MODEL_CATALOGUE)}"))
        return found
    if not spec.space:
        found.append(Problem("space", "the search space is empty: add at least one parameter"))
    names = [param.name for param in spec.space]
    for index, param in enumerate(spec.space):
        if param.name in names[:index]:
            found.append(Problem(f"space.{index}.name", f"{param.name} appears more than once"))
        found.extend(Problem(f"space.{index}.{where}", message) for where, message in _param_problems(spec, param))
    for key in ("model", "preset", "model_params", "seeds"):
        if key in spec.base_config:
            found.append(Problem(f"base_config.{key}", f"{key} is set by the campaign, not by base_config"))
    if spec.sampler == "grid" and not found:
        stepless = [i for i, param in enumerate(spec.space) if param.kind == "float" and param.step is None]
        if stepless:
            return [Problem(f"space.{i}.step", f"{spec.space[i].name}: the grid sampler needs a step for a float "
                                               "range") for i in stepless]
        size = grid_size(spec.space)
        if size > max_grid_points:
            found.append(Problem("space", f"the grid has {size} points, more than {max_grid_points}"))
        elif spec.budget > size:
            found.append(Problem("budget", f"the grid has only {size} points; a budget of {spec.budget} exceeds it"))
    return found


def _param_problems(spec: CampaignSpec, param: SearchParam) -> list[tuple[str, str]]:
    if param.name.startswith(MODEL_PREFIX):
        key = param.name.removeprefix(MODEL_PREFIX)
        info = MODEL_CATALOGUE[spec.model]
        if key not in info.params:
            return [("name", f"model {spec.model!r} has no parameter {key!r}; known: {sorted(info.params)}")]
        catalogue = info.params[key]
        if catalogue.kind == "categorical":
            allowed: Bounds | tuple[Scalar, ...] = catalogue.choices
        else:
            allowed = Bounds("int" if catalogue.kind == "int" else "float", catalogue.low, catalogue.high)
    elif param.name in TUNABLE_FIELDS:
        allowed = config_bounds(param.name)
    else:
        return [("name", f"{param.name!r} cannot be tuned; use {MODEL_PREFIX}<parameter> or one of "
                         f"{list(TUNABLE_FIELDS)}")]
    return _shape_problems(param, allowed) or _range_problems(param, allowed)


def _shape_problems(param: SearchParam, allowed: Bounds | tuple[Scalar, ...]) -> list[tuple[str, str]]:
    if param.kind == "categorical":
        if not param.choices:
            return [("choices", f"{param.name}: a categorical parameter needs at least one choice")]
        if len(set(param.choices)) != len(param.choices):
            return [("choices", f"{param.name}: choices have duplicates")]
        return []
    if isinstance(allowed, tuple):
        return [("kind", f"{param.name} is categorical; list its choices (from {list(allowed)})")]
    if param.kind == "float" and allowed.kind == "int":
        return [("kind", f"{param.name} is a whole number: use kind int")]
    if param.low is None or param.high is None:
        return [("low", f"{param.name}: a numeric parameter needs low and high")]
    if param.low > param.high:
        return [("low", f"{param.name}: low ({param.low:g}) is above high ({param.high:g})")]
    if param.kind == "int" and (param.low != int(param.low) or param.high != int(param.high)):
        return [("low", f"{param.name}: an int parameter needs whole-number bounds")]
    if param.log and param.low <= 0:
        return [("log", f"{param.name}: a log-scale range needs low > 0")]
    if param.log and param.step is not None:
        return [("step", f"{param.name}: a log-scale range has no step")]
    return []


def _range_problems(param: SearchParam, allowed: Bounds | tuple[Scalar, ...]) -> list[tuple[str, str]]:
    if isinstance(allowed, tuple):
        outside = [choice for choice in param.choices if choice not in allowed]
        return [("choices", f"{param.name}: {outside} not among {list(allowed)}")] if outside else []
    values = [float(c) for c in param.choices if isinstance(c, int | float) and not isinstance(c, bool)]
    if param.kind == "categorical" and len(values) != len(param.choices):
        return [("choices", f"{param.name} takes numbers only")]
    for where, value in (("low", param.low), ("high", param.high)) if param.kind != "categorical" else (
            ("choices", v) for v in values):
        assert value is not None
        if not _inside(value, allowed):
            return [(where, f"{param.name} must lie in {_describe(allowed)}, not {value:g}")]
    return []


def _inside(value: float, bounds: Bounds) -> bool:
    if bounds.low is not None and (value < bounds.low or (bounds.low_open and value == bounds.low)):
        return False
    return not (bounds.high is not None and (value > bounds.high or (bounds.high_open and value == bounds.high)))


def _describe(bounds: Bounds) -> str:
    low = "-inf" if bounds.low is None else f"{bounds.low:g}"
    high = "inf" if bounds.high is None else f"{bounds.high:g}"
    return f"{'(' if bounds.low_open else '['}{low}, {high}{')' if bounds.high_open else ']'}"


def config_bounds(path: str) -> Bounds:
    """The type and bounds of a numeric TrainingConfig field (read from the model's own constraints)."""
    model: type[BaseModel] = TrainingConfig
    *sections, leaf = path.split(".")
    for section in sections:
        model = model.model_fields[section].annotation  # type: ignore[assignment]
    field = model.model_fields[leaf]
    kind: Literal["int", "float"] = "int" if field.annotation in (int, int | None) else "float"
    low = high = None
    low_open = high_open = False
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = float(rule.ge)  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Gt):
            low, low_open = float(rule.gt), True  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Le):
            high = float(rule.le)  # type: ignore[arg-type]
        elif isinstance(rule, annotated_types.Lt):
            high, high_open = float(rule.lt), True  # type: ignore[arg-type]
    return Bounds(kind, low, high, low_open, high_open)


def grid_values(param: SearchParam) -> list[Scalar]:
    """The grid points of one parameter: its choices, every whole number of an int range (or every ``step``),
    or ``low + k * step`` of a float range (a float range without a step has no grid: ValueError)."""
    if param.kind == "categorical":
        return list(param.choices)
    assert param.low is not None and param.high is not None
    if param.kind == "float" and param.step is None:
        raise ValueError(f"{param.name}: a float range needs a step for the grid sampler")
    step = param.step or 1
    count = int(math.floor((param.high - param.low) / step + 1e-9)) + 1
    points = [param.low + k * step for k in range(count)]
    return [int(round(p)) for p in points] if param.kind == "int" else [round(p, 12) for p in points]


def grid_size(space: tuple[SearchParam, ...]) -> int:
    """Points of the full grid (every float range must have a step)."""
    return math.prod(len(grid_values(param)) for param in space)


def trial_config(spec: CampaignSpec, params: dict[str, Scalar], *, epochs: int | None = None) -> dict[str, Any]:
    """The TrainingConfig JSON of one trial: the base config, the model and preset, the sampled values."""
    config = copy.deepcopy(spec.base_config) | {"model": spec.model, "preset": spec.preset, "seeds": [0]}
    if epochs is not None:
        config["epochs"] = epochs
    for name, value in params.items():
        *sections, leaf = name.split(".")
        target = config
        for section in sections:
            target = target.setdefault(section, {})
        target[leaf] = value
    return config
