"""What models exist, their presets and tunable parameters, and whether they fit a window — without torch.

The torch architectures (``pfd_shared.models``, extra ``torch``) register under the same names; a test keeps the
two in step (every catalogue entry builds, every built model accepts ``min_window`` samples).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Family = Literal["neural", "classical"]
InputKind = Literal["signal", "features"]
ParamKind = Literal["int", "float", "categorical"]
Scalar = int | float | str
PRESET_NAMES: tuple[str, ...] = ("small", "base")


class ModelDoesNotFit(ValueError):
    """The model cannot take windows of the requested length (or the request names no known model)."""


class ParamSpec(BaseModel):
    """One tunable model parameter: its type and admissible range (also the HPO search space bounds)."""

    model_config = ConfigDict(frozen=True)

    kind: ParamKind
    low: float | None = None
    high: float | None = None
    choices: tuple[Scalar, ...] = ()
    log: bool = False
    description: str = ""

    @model_validator(mode="after")
    def _check(self) -> ParamSpec:
        if self.kind == "categorical" and not self.choices:
            raise ValueError("a categorical parameter needs choices")
        if self.kind != "categorical" and (self.low is None or self.high is None or self.low > self.high):
            raise ValueError("a numeric parameter needs low <= high")
        return self

    def check(self, name: str, value: Scalar) -> Scalar:
        """The value, coerced to the parameter's type; ValueError naming the parameter when out of range."""
        if self.kind == "categorical":
            if value not in self.choices:
                raise ValueError(f"{name} must be one of {list(self.choices)}, not {value!r}")
            return value
        if isinstance(value, str) or isinstance(value, bool):
            raise ValueError(f"{name} must be a number, not {value!r}")
        if self.kind == "int" and float(value) != int(value):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
        number = int(value) if self.kind == "int" else float(value)
        assert self.low is not None and self.high is not None
        if not self.low <= number <= self.high:
            raise ValueError(f"{name} must be between {self.low:g} and {self.high:g}, not {number:g}")
        return number


class ModelInfo(BaseModel):
    """A registered model: how it is fed, its presets and parameters, and the shortest window it accepts."""

    model_config = ConfigDict(frozen=True)

    name: str
    family: Family
    input: InputKind
    description: str
    params: dict[str, ParamSpec] = Field(default_factory=dict)
    presets: dict[str, dict[str, Scalar]]
    min_window: int = Field(default=1, ge=1, description="Shortest window (samples) the architecture accepts.")
    has_conv: bool = Field(default=False, description="Has a 1-D convolution (Grad-CAM applies).")
    window_params: dict[str, int] = Field(
        default_factory=dict,
        description="Parameters the window must cover: window >= params[name] * factor (e.g. a patch length).",
    )
    multiple_of: dict[str, str] = Field(
        default_factory=dict, description="params[key] must be a multiple of params[value] (e.g. dim of heads)."
    )

    def resolve(self, preset: str, overrides: dict[str, Scalar] | None = None) -> dict[str, Scalar]:
        """The preset's parameters with validated overrides applied."""
        if preset not in self.presets:
            raise ValueError(f"model {self.name!r} has no preset {preset!r}; choose from {sorted(self.presets)}")
        resolved = dict(self.presets[preset])
        for key, value in (overrides or {}).items():
            if key not in self.params:
                raise ValueError(f"model {self.name!r} has no parameter {key!r}; known: {sorted(self.params)}")
            resolved[key] = self.params[key].check(key, value)
        for key, divisor in self.multiple_of.items():
            if key in resolved and divisor in resolved and int(resolved[key]) % int(resolved[divisor]):
                raise ValueError(f"{key} ({resolved[key]}) must be a multiple of {divisor} ({resolved[divisor]})")
        return resolved

    def min_window_for(self, params: dict[str, Scalar] | None = None) -> int:
        """Shortest window the model accepts with ``params`` (resolved; None: the smallest preset's)."""
        if self.input != "signal":
            return 1
        candidates = [self.resolve(p) for p in self.presets] if params is None else [params]
        return min(
            max([self.min_window] + [int(values[name]) * factor for name, factor in self.window_params.items()
                                     if name in values])
            for values in candidates
        )

    def check_window(self, window: int, params: dict[str, Scalar] | None = None) -> None:
        """ModelDoesNotFit naming the shortest admissible window when ``window`` is shorter."""
        if self.input != "signal":
            return
        needed = self.min_window if params is None else self.min_window_for(params)
        if window < needed:
            detail = "" if params is None else f" with {dict(sorted(params.items()))}"
            raise ModelDoesNotFit(
                f"model {self.name!r} needs windows of at least {needed} samples{detail}, not {window}"
            )


def _int(low: int, high: int, description: str, log: bool = False) -> ParamSpec:
    return ParamSpec(kind="int", low=low, high=high, log=log, description=description)


def _float(low: float, high: float, description: str, log: bool = False) -> ParamSpec:
    return ParamSpec(kind="float", low=low, high=high, log=log, description=description)


_DROPOUT = _float(0.0, 0.8, "dropout before the classifier")
_WIDTH = _int(4, 256, "channels of the first convolution", log=True)

MODEL_CATALOGUE: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo(
            name="cnn1d", family="neural", input="signal", has_conv=True, min_window=64,
            window_params={"first_kernel": 1},
            description="Wide first-layer 1-D CNN (WDCNN style): strided wide kernel, stacked conv blocks, "
                        "global pooling.",
            params={"width": _WIDTH, "dropout": _DROPOUT, "first_kernel": _int(3, 129, "first kernel size")},
            presets={"small": {"width": 16, "dropout": 0.2, "first_kernel": 64},
                     "base": {"width": 32, "dropout": 0.3, "first_kernel": 64}},
        ),
        ModelInfo(
            name="resnet1d", family="neural", input="signal", has_conv=True, min_window=128,
            description="18-layer 1-D ResNet (basic blocks 2-2-2-2, 3-tap convolutions) with a wide strided stem.",
            params={"width": _WIDTH, "dropout": _DROPOUT},
            presets={"small": {"width": 8, "dropout": 0.1}, "base": {"width": 16, "dropout": 0.2}},
        ),
        ModelInfo(
            name="cnn_lstm", family="neural", input="signal", has_conv=True, min_window=64,
            description="Conv feature extractor followed by a bidirectional LSTM over time.",
            params={"width": _WIDTH, "hidden": _int(8, 256, "LSTM hidden size", log=True), "dropout": _DROPOUT},
            presets={"small": {"width": 16, "hidden": 32, "dropout": 0.2},
                     "base": {"width": 32, "hidden": 64, "dropout": 0.3}},
        ),
        ModelInfo(
            name="patch_transformer", family="neural", input="signal", has_conv=True, min_window=64,
            window_params={"patch": 2}, multiple_of={"dim": "heads"},
            description="Patch-embedding (strided conv) transformer encoder with a class token.",
            params={"patch": _int(8, 512, "patch length (samples)", log=True),
                    "dim": _int(16, 256, "embedding dimension", log=True),
                    "depth": _int(1, 8, "encoder layers"), "heads": ParamSpec(kind="categorical", choices=(1, 2, 4, 8)),
                    "dropout": _DROPOUT},
            presets={"small": {"patch": 64, "dim": 32, "depth": 2, "heads": 2, "dropout": 0.1},
                     "base": {"patch": 64, "dim": 64, "depth": 4, "heads": 4, "dropout": 0.1}},
        ),
        ModelInfo(
            name="random_forest", family="classical", input="features",
            description="Random forest on the 36 features (scikit-learn).",
            params={"n_estimators": _int(10, 2000, "trees", log=True), "max_depth": _int(1, 64, "max tree depth")},
            presets={"small": {"n_estimators": 100, "max_depth": 16}, "base": {"n_estimators": 300, "max_depth": 32}},
        ),
        ModelInfo(
            name="gradient_boosting", family="classical", input="features",
            description="Histogram gradient boosting on the 36 features (scikit-learn).",
            params={"max_iter": _int(10, 2000, "boosting iterations", log=True),
                    "learning_rate": _float(0.001, 1.0, "shrinkage", log=True),
                    "max_depth": _int(1, 32, "max tree depth")},
            presets={"small": {"max_iter": 100, "learning_rate": 0.1, "max_depth": 6},
                     "base": {"max_iter": 300, "learning_rate": 0.05, "max_depth": 8}},
        ),
    )
}


def model_info(name: str) -> ModelInfo:
    """The catalogue entry of ``name``; ModelDoesNotFit naming the known models otherwise."""
    try:
        return MODEL_CATALOGUE[name]
    except KeyError:
        raise ModelDoesNotFit(f"unknown model {name!r}; choose from {sorted(MODEL_CATALOGUE)}") from None
