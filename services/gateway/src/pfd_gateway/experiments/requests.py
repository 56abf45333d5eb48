"""Turning API input into training commands (pure): config validation naming the field, data-set fit, tags."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pfd_shared.training import ModelDoesNotFit, TrainingConfig, validate_for_dataset

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.datasets import states as dataset_states

MAX_TAG_LENGTH = 60

# Which config field a model-level refusal (raised by TrainingConfig's own validator) is about.
_MESSAGE_FIELDS = (("no preset", "config.preset"), ("no parameter", "config.model_params"),
                   ("unknown model", "config.model"), ("windows of at least", "config.window.length"),
                   ("seeds", "config.seeds"))


def resolve_config(config: dict[str, Any]) -> TrainingConfig:
    """The validated TrainingConfig; InvalidInput naming the field (``config.<path>``) otherwise."""
    try:
        return TrainingConfig.model_validate(config)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = [str(part) for part in first["loc"]]
        message = str(first["msg"]).removeprefix("Value error, ")
        field = ".".join(("config", *location)) if location else _field_of(message)
        raise InvalidInput(field, message) from exc
    except ModelDoesNotFit as exc:  # raised outside pydantic's wrapping (e.g. by resolved_params)
        raise InvalidInput(_field_of(str(exc)), str(exc)) from exc


def _field_of(message: str) -> str:
    """The field a refusal of TrainingConfig's model-level validator is about (it names the parameter first)."""
    if " must be " in message:  # a model parameter out of range: "<param> must be between ..."
        return f"config.model_params.{message.split(' ', 1)[0]}"
    return next((field for needle, field in _MESSAGE_FIELDS if needle in message), "config")


def check_dataset(dataset: dict[str, Any], config: TrainingConfig) -> None:
    """A data set the run can train on: ready, and its records long enough for one window."""
    if dataset["status"] != dataset_states.READY:
        raise InvalidInput("dataset_id", f"the data set {dataset['name']!r} is not ready (it is {dataset['status']})")
    samples = dataset.get("samples_per_record")
    if not samples:
        raise InvalidInput("dataset_id", f"the data set {dataset['name']!r} has no record length")
    try:
        validate_for_dataset(config, samples_per_record=int(samples))
    except ValueError as exc:
        raise InvalidInput("config.window.length", str(exc)) from exc


def clean_tags(tags: list[str], *, field: str = "tags") -> list[str]:
    """Trimmed, lower-cased, unique tags in order; InvalidInput for empty or too long ones."""
    cleaned: list[str] = []
    for index, tag in enumerate(tags):
        value = tag.strip().lower()
        if not value or len(value) > MAX_TAG_LENGTH:
            raise InvalidInput(f"{field}.{index}", f"a tag has 1 to {MAX_TAG_LENGTH} characters")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned
