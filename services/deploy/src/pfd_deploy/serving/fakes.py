"""An in-memory RegistryReader for tests and benchmarks of serving (no database, no broker)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from pfd_deploy.domain.inference import spec_of
from pfd_deploy.registry import reader
from pfd_deploy.registry.reader import ServedVersion
from pfd_shared.storage import ObjectStore

FAKE_OWNER = "owner-1"


class InMemoryRegistry:
    """Versions and aliases in dicts; ``broken`` holds the reasons mark_broken was given."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], ServedVersion] = {}
        self.aliases: dict[tuple[str, str], int] = {}
        self.broken: dict[tuple[str, int], str] = {}
        self.resolves = 0

    def add(self, served: ServedVersion, *aliases: str) -> ServedVersion:
        self.versions[(served.model_name, served.version)] = served
        for alias in aliases:
            self.aliases[(served.model_name, alias)] = served.version
        return served

    async def resolve(self, model_name: str, *, alias: str | None = None,
                      version: int | None = None) -> ServedVersion:
        self.resolves += 1
        if not any(name == model_name for name, _ in self.versions):
            raise reader.UnknownModel(f"no model named {model_name!r}")
        if alias is not None:
            if (model_name, alias) not in self.aliases:
                raise reader.UnknownAlias(f"model {model_name!r} has no alias {alias!r}")
            version = self.aliases[(model_name, alias)]
        served = self.versions.get((model_name, int(version or 0)))
        if served is None:
            raise reader.UnknownVersion(f"model {model_name!r} has no version {version}")
        if (model_name, served.version) in self.broken:
            raise reader.BrokenVersion(f"{model_name} version {served.version} is broken: "
                                f"{self.broken[(model_name, served.version)]}")
        return replace(served, alias=alias)

    async def mark_broken(self, model_name: str, version: int, reason: str) -> None:
        self.broken[(model_name, version)] = reason
        self.versions[(model_name, version)] = replace(self.versions[(model_name, version)], status=reader.BROKEN)


def publish_model(store: ObjectStore, registry: InMemoryRegistry, model: bytes, name: str, version: int, *aliases: str,
                  variant: str = "fp32") -> ServedVersion:
    """Store ONNX ``model`` bytes (exported by pfd_deploy) and register them as ``name`` ``version``."""
    spec = spec_of(model)
    key = f"models/{name}/{version}/{variant}.onnx"
    store.put_bytes(key, model)
    served = ServedVersion(model_name=name, version=version, alias=None, owner_id=FAKE_OWNER, variant=variant,
                           object_key=key, sha256=hashlib.sha256(model).hexdigest(),
                           class_names=tuple(spec.class_names), window_length=spec.window_length,
                           sample_rate_hz=spec.sample_rate_hz)
    return registry.add(served, *aliases)
