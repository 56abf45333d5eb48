"""Turning API input into data-gen commands: presets, config validation, upload ownership (pure)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pfd_shared.generation import GenerationConfig, preset
from pfd_shared.generation.config import PRESETS

from pfd_gateway.auth.errors import InvalidInput


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` onto ``base`` (dicts merge, everything else replaces)."""
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def resolve_config(preset_name: str | None, overrides: dict[str, Any]) -> GenerationConfig:
    """The preset (or the defaults) with the overrides applied; errors name the field."""
    if preset_name is not None and preset_name not in PRESETS:
        raise InvalidInput("preset", f"unknown preset {preset_name!r}; choose one of {', '.join(PRESETS)}")
    base = (preset(preset_name) if preset_name else GenerationConfig()).model_dump(mode="json")
    try:
        return GenerationConfig.model_validate(merge(base, overrides))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in ("config", *first["loc"]))
        raise InvalidInput(field, first["msg"]) from exc


def upload_prefix(user_id: str) -> str:
    return f"uploads/{user_id}/"


def check_upload_owner(user_id: str, object_keys: list[str]) -> None:
    """An import may only read the caller's own uploads."""
    for index, key in enumerate(object_keys):
        if not key.startswith(upload_prefix(user_id)) or ".." in key:
            raise InvalidInput(f"files.{index}.object_key", "not one of your uploads")
