"""What serving needs of the registry: resolve (model, alias or version) to the artefact to load, and mark a version
broken when it fails to load. The registry's store implements this; serving and its tests depend only on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

READY, BROKEN = "ready", "broken"
SERVED_VARIANT_ORDER = ("int8_static", "int8_dynamic", "fp32", "fp16")  # preferred when they pass the checks


class RegistryLookupError(LookupError):
    """Base of the registry's 404s: the message names what is unknown."""


class UnknownModel(RegistryLookupError):
    """No model of that name."""


class UnknownAlias(RegistryLookupError):
    """The model has no such alias (or it points at nothing)."""


class UnknownVersion(RegistryLookupError):
    """The model has no such version (or it was deleted)."""


class BrokenVersion(RuntimeError):
    """The version failed to load earlier and is not served; the message says why."""


@dataclass(frozen=True)
class ServedVersion:
    """The artefact to serve for one resolved request; ``alias`` is the alias asked for (None for a version)."""

    model_name: str
    version: int
    alias: str | None
    owner_id: str
    variant: str
    object_key: str
    sha256: str
    class_names: tuple[str, ...]
    window_length: int
    sample_rate_hz: float
    status: str = READY


class RegistryReader(Protocol):
    async def resolve(self, model_name: str, *, alias: str | None = None,
                      version: int | None = None) -> ServedVersion:
        """The served artefact; UnknownModel / UnknownAlias / UnknownVersion, BrokenVersion for a broken one."""
        ...

    async def mark_broken(self, model_name: str, version: int, reason: str) -> None:
        """Record that the version failed to load (and publish ModelVersionBroken); later resolves raise
        BrokenVersion."""
        ...
