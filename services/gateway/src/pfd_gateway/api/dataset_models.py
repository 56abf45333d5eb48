"""Data-set API models (XCreate / XPublic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, PositiveFloat

from pfd_shared.events.datasets import ImportFileSpec, SplitPolicy


class DatasetGenerateCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    preset: str | None = Field(default=None, description="classic, balanced_v2 or quick; None: the defaults.")
    config: dict[str, Any] = Field(default_factory=dict, description="Overrides of the preset's generation config.")
    seed: int = Field(default=0, ge=0)
    robustness_snr_db: tuple[float, ...] = (20.0, 10.0, 5.0)


class ImportFileCreate(ImportFileSpec):
    """One uploaded file (object_key from POST /api/v1/uploads) and how to read it."""


class DatasetImportCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    files: list[ImportFileCreate] = Field(min_length=1)
    target_sample_rate_hz: PositiveFloat | None = None
    record_seconds: PositiveFloat | None = None
    seed: int = Field(default=0, ge=0)
    window_seconds: PositiveFloat | None = Field(default=None, description="Also store per-window features.")
    hop_seconds: PositiveFloat | None = None
    split_policy: SplitPolicy = "time_blocks"

    def options(self) -> dict[str, Any]:
        """Everything but the name and files, as DatasetImportRequested fields."""
        return self.model_dump(exclude={"name", "files"})


class DatasetPublic(BaseModel):
    dataset_id: str
    owner_id: str
    name: str
    kind: str
    status: str
    stage: str | None = None
    done: int | None = None
    total: int | None = None
    records: int | None = None
    samples_per_record: int | None = None
    sample_rate_hz: float | None = None
    class_names: list[str] | None = None
    class_counts: list[int] | None = None
    split_counts: dict[str, int] | None = None
    feature_names: list[str] | None = None
    size_bytes: int | None = None
    cached: bool = False
    error: str | None = None
    request: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime


class VariablePublic(BaseModel):
    name: str
    shape: list[int]
    length: int
    dtype: str
    value: float | None = Field(default=None, description="The number of a scalar variable.")


class InspectionPublic(BaseModel):
    """What the uploaded file holds (from its headers) and what was detected in it."""

    variables: list[VariablePublic]
    suggested_variable: str | None = None
    sample_rate_hz: float | None = None
    sample_rate_source: str | None = None
    shaft_speed_hz: float | None = None
    shaft_speed_source: str | None = None
    notes: list[str] = Field(default_factory=list)


class UploadPublic(BaseModel):
    object_key: str
    file_name: str
    size_bytes: int
    sha256: str | None
    inspection: InspectionPublic | None = None
