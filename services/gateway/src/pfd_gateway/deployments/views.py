"""What the deployment service and the model registry return (the API's XPublic models and the pages' data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared.events.deploy import VariantArtefact, VariantBenchmark


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class DeploymentPublic(_View):
    """One export of a trained run: requested → running (stages) → exported (version registered) or failed."""

    deployment_id: str
    owner_id: str
    experiment_id: str
    experiment_name: str
    run_id: str
    model_name: str
    variants: list[str]
    description: str = ""
    status: str
    stage: str | None = None
    done: int = 0
    total: int = 0
    message: str | None = None
    error: str | None = None
    figures: dict[str, float] = Field(default_factory=dict, description="Parity figures of a failed check.")
    version: int | None = Field(default=None, description="The registered version, once exported.")
    created_at: datetime
    updated_at: datetime
    last_event_at: datetime | None = None


class VersionPublic(_View):
    """A registered version: its source, parity, metrics, ONNX variants and what each variant measured."""

    model_name: str
    version: int
    deployment_id: str
    experiment_id: str
    run_id: str
    architecture: str
    dataset_id: str
    class_names: list[str]
    window_length: int
    sample_rate_hz: float
    artefacts: list[VariantArtefact]
    parity: dict[str, float]
    metrics: dict[str, float]
    description: str = ""
    benchmarks: list[VariantBenchmark] = Field(default_factory=list)
    torch_throughput_per_s: float | None = None
    notes: list[str] = Field(default_factory=list)
    status: str
    error: str | None = Field(default=None, description="Why it is broken, or why its deletion was refused.")
    aliases: list[str] = Field(default_factory=list)
    created_at: datetime
    updated_at: datetime


class AliasPublic(_View):
    alias: str
    version: int
    updated_at: datetime


class AliasChangePublic(_View):
    """One line of an alias's history: who moved it, when, from which version to which, and why."""

    alias: str
    from_version: int | None
    to_version: int | None
    actor: str
    reason: str
    at: datetime


class ModelPublic(_View):
    model_name: str
    owner_id: str
    versions: int = Field(ge=0, description="Versions not deleted.")
    latest_version: int | None = None
    aliases: dict[str, int] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime
    last_event_at: datetime | None = None


class ModelDetail(ModelPublic):
    version_list: list[VersionPublic] = Field(default_factory=list, description="Newest first.")
    history: list[AliasChangePublic] = Field(default_factory=list, description="Newest first.")


class DeploymentView(_View):
    """What the Deployment page shows of one deployment: it and, once exported, its version."""

    deployment: DeploymentPublic
    version: VersionPublic | None = None
    model_last_event_at: datetime | None = None


class RegistryAccepted(_View):
    """A registry command sent to the deploy service; the model shows the outcome when it answers."""

    model_name: str
    status: str = "requested"
    detail: dict[str, Any] = Field(default_factory=dict)
