"""Record filters and projection specs: what the explorer asks for, hashed into stable cache keys."""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

OPERATING_NAMES = ("speed_hz", "load", "temperature_c")  # the operating arrays a filter may bound
SPLIT_NAMES = ("train", "val", "test")
ProjectionMethod = Literal["pca", "tsne", "umap"]
METHOD_LABELS: dict[str, str] = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
METHOD_PARAMS: dict[str, tuple[str, ...]] = {"pca": (), "tsne": ("perplexity", "seed"),
                                             "umap": ("n_neighbors", "min_dist", "seed")}
PROJECTION_VERSION = 1  # bump when an algorithm's settings change: old cached results are then not reused
ID_HEX = 24


class Range(BaseModel):
    """A closed interval ``[low, high]``; either end may be open (None)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"the range starts at {self.low} after it ends at {self.high}")
        return self


class RecordFilter(BaseModel):
    """Which records to look at. None (or an absent range) means no restriction on that field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    classes: tuple[str, ...] | None = Field(default=None, description="Class names kept.")
    severities: tuple[str, ...] | None = Field(default=None, description="Severity levels kept (synthetic sets).")
    splits: tuple[str, ...] | None = Field(default=None, description="Splits kept (train, val, test).")
    ranges: dict[str, Range] = Field(default_factory=dict, description="Operating-condition bounds by name.")

    @model_validator(mode="after")
    def _known(self) -> RecordFilter:
        unknown = set(self.ranges) - set(OPERATING_NAMES)
        if unknown:
            raise ValueError(f"no operating condition named {sorted(unknown)[0]!r}; use {', '.join(OPERATING_NAMES)}")
        if self.splits is not None and set(self.splits) - set(SPLIT_NAMES):
            raise ValueError(f"splits are {', '.join(SPLIT_NAMES)}")
        return self

    def canonical(self) -> str:
        """Order-free JSON: equal filters give equal text (and equal cache keys)."""
        data = {"classes": sorted(self.classes) if self.classes is not None else None,
                "severities": sorted(self.severities) if self.severities is not None else None,
                "splits": sorted(self.splits) if self.splits is not None else None,
                "ranges": {name: [r.low, r.high] for name, r in sorted(self.ranges.items())
                           if r.low is not None or r.high is not None}}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def digest(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:ID_HEX]


class ProjectionSpec(BaseModel):
    """A 2-D projection of the standardised features; only the method's own parameters enter its key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: ProjectionMethod = "pca"
    perplexity: float = Field(default=30.0, ge=2.0, le=100.0, description="t-SNE neighbourhood size.")
    n_neighbors: int = Field(default=15, ge=2, le=200, description="UMAP neighbourhood size.")
    min_dist: float = Field(default=0.1, ge=0.0, le=1.0, description="UMAP minimum distance in the embedding.")
    seed: int = Field(default=0, ge=0, description="Random state (t-SNE, UMAP).")

    def parameters(self) -> dict[str, float | int]:
        """The parameters the method uses."""
        return {name: getattr(self, name) for name in METHOD_PARAMS[self.method]}


def projection_id(object_key: str, spec: ProjectionSpec, record_filter: RecordFilter) -> str:
    """The cache key of a projection: the data-set object, method, its parameters and the filter."""
    text = json.dumps({"object": object_key, "method": spec.method, "params": spec.parameters(),
                       "filter": record_filter.canonical(), "version": PROJECTION_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:ID_HEX]
