"""The registry's rules (pure): which variant a version serves, when an alias may move, when a version may go."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pfd_deploy.registry.reader import BROKEN, READY, SERVED_VARIANT_ORDER

DELETED = "deleted"
REFERENCE_VARIANT = "fp32"


def served_variant(benchmarks: Mapping[str, Mapping[str, Any]], max_accuracy_loss: float) -> str:
    """The first variant of SERVED_VARIANT_ORDER that loses at most ``max_accuracy_loss`` accuracy against FP32
    and is not slower than FP32 (throughput at batch 32); FP32 otherwise."""
    reference = benchmarks[REFERENCE_VARIANT]
    for name in SERVED_VARIANT_ORDER:
        figures = benchmarks.get(name)
        if figures is None:
            continue
        if (reference["accuracy"] - figures["accuracy"] <= max_accuracy_loss
                and figures["throughput_per_s"] >= reference["throughput_per_s"]):
            return name
    return REFERENCE_VARIANT


def alias_refusal(model: str, alias: str, requested: int | None, current: int | None,
                  version: Mapping[str, Any] | None) -> str | None:
    """Why ``alias`` of ``model`` may not point at ``requested`` (None: remove it), or None when it may."""
    if requested is None:
        return None if current is not None else f"model {model!r} has no alias {alias!r} to remove"
    if version is None:
        return f"model {model!r} has no version {requested}"
    if version["status"] == DELETED:
        return f"version {requested} of {model!r} was deleted"
    if version["status"] == BROKEN:
        return f"version {requested} of {model!r} is broken ({version['status_reason']}): it cannot be served"
    if version["status"] != READY:
        return f"version {requested} of {model!r} is {version['status']}"
    if current == requested:
        return f"alias {alias!r} of {model!r} already points at version {requested}"
    return None


def delete_refusal(model: str, number: int, version: Mapping[str, Any] | None, aliases: Mapping[str, int]) -> str | None:
    """Why version ``number`` may not be deleted (unknown, already deleted, an alias points at it), or None."""
    if version is None:
        return f"model {model!r} has no version {number}"
    if version["status"] == DELETED:
        return f"version {number} of {model!r} is already deleted"
    pointing = sorted(alias for alias, target in aliases.items() if target == number)
    if pointing:
        names = ", ".join(repr(alias) for alias in pointing)
        return (f"version {number} of {model!r} is still served under {names}: move or remove the alias "
                "before deleting it")
    return None
