"""Data-set events: generation and import requests (commands) and their outcomes (facts)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveFloat

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

DatasetKind = Literal["synthetic", "imported"]
SplitPolicy = Literal["time_blocks", "recordings"]


class _DatasetEvent(EventPayload):
    dataset_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

    def key(self) -> str:
        """dataset_id"""
        return self.dataset_id


class DatasetGenerationRequested(_DatasetEvent):
    """Generate a synthetic data set. ``config`` is a ``pfd_shared.generation.GenerationConfig`` as JSON."""

    event_type = "datasets.generation_requested"
    topic = topics.DATASET_GENERATION_REQUESTED

    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any]
    seed: int = Field(default=0, ge=0)
    robustness_snr_db: tuple[float, ...] = (20.0, 10.0, 5.0)
    window_seconds: PositiveFloat | None = Field(default=None, description="Also store the 36 features of windows "
                                                 "this long inside every record (None: per record only).")
    hop_seconds: PositiveFloat | None = Field(default=None, description="Between window starts (None: window_seconds).")


class ImportFileSpec(BaseModel):
    """One uploaded file and how to read it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    object_key: str = Field(min_length=1, description="Where the upload lies in the object store.")
    file_name: str = Field(min_length=1)
    variable: str | None = Field(default=None, description="MAT variable, NPZ array or CSV column; None: the only one.")
    label: str = Field(min_length=1, max_length=100)
    sample_rate_hz: PositiveFloat
    shaft_speed_hz: PositiveFloat | None = Field(default=None, description="Known shaft speed (harmonic features).")


class DatasetImportRequested(_DatasetEvent):
    """Import uploaded recordings: per file a variable, label and sample rate; optional resampling and windowing."""

    event_type = "datasets.import_requested"
    topic = topics.DATASET_IMPORT_REQUESTED

    name: str = Field(min_length=1, max_length=200)
    files: tuple[ImportFileSpec, ...] = Field(min_length=1)
    target_sample_rate_hz: PositiveFloat | None = None
    record_seconds: PositiveFloat | None = Field(default=None, description="Cut recordings into records this long.")
    seed: int = Field(default=0, ge=0)
    window_seconds: PositiveFloat | None = Field(default=None, description="Also store the 36 features of windows "
                                                 "this long inside every record (None: per record only).")
    hop_seconds: PositiveFloat | None = Field(default=None, description="Between window starts (None: window_seconds).")
    split_policy: SplitPolicy = Field(default="time_blocks", description=(
        "time_blocks: each recording's records go to train/val/test as consecutive time blocks; recordings: "
        "every recording lies whole in one split. Either way no window of a split overlaps another split."))


class DatasetDeleteRequested(_DatasetEvent):
    """Delete a data set and every object it owns."""

    event_type = "datasets.delete_requested"
    topic = topics.DATASET_DELETE_REQUESTED


class DatasetProgress(_DatasetEvent):
    """How far a data set build has come."""

    event_type = "datasets.progress"
    topic = topics.DATASET_PROGRESS

    stage: str
    done: int = Field(ge=0)
    total: int = Field(ge=0)
    message: str = ""


class DatasetReady(_DatasetEvent):
    """A data set is stored: one HDF5 object with signals, labels, features, splits and metadata."""

    event_type = "datasets.ready"
    topic = topics.DATASET_READY

    name: str
    kind: DatasetKind
    object_key: str
    size_bytes: int = Field(ge=0)
    sha256: str
    records: int = Field(ge=0)
    samples_per_record: int = Field(ge=0)
    sample_rate_hz: PositiveFloat
    class_names: tuple[str, ...]
    class_counts: tuple[int, ...]
    feature_names: tuple[str, ...]
    split_counts: dict[str, int]
    config_hash: str | None = None
    cached: bool = Field(default=False, description="Served from an identical earlier build.")
    seconds: float = Field(ge=0)


class DatasetFailed(_DatasetEvent):
    """A data set could not be built; the reason says what and where."""

    event_type = "datasets.failed"
    topic = topics.DATASET_FAILED

    reason: str


class DatasetDeleted(_DatasetEvent):
    """A data set and its objects are gone."""

    event_type = "datasets.deleted"
    topic = topics.DATASET_DELETED
