"""data-gen settings (env prefix PFD_DATA_GEN_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import ServiceSettings


class DataGenSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_DATA_GEN_", env_nested_delimiter="__", extra="ignore")

    service_name: str = "data-gen"
    workers: int = Field(default=0, ge=0, description="Threads for generation and features; 0: every core.")
    compression: Literal["blosc2-zstd", "lzf", "gzip", "none"] = Field(default="blosc2-zstd",
                                                                      description="HDF5 filter for signals.")
    gzip_level: int = Field(default=1, ge=1, le=9)
    progress_interval_s: float = Field(default=1.0, gt=0, description="Least time between progress events.")
    import_record_seconds: float = Field(default=1.0, gt=0, description="Record length when an import sets none.")
    max_import_file_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    max_import_samples: int = Field(default=200_000_000, ge=1, description="All files of one import together.")
    projection_threads: int = Field(default=1, ge=1, description="Threads of one t-SNE projection.")
    projection_max_records: int = Field(default=50_000, ge=4,
                                        description="Most records a t-SNE or UMAP projection takes (PCA: any).")
    projection_cancel_memory_s: float = Field(default=600.0, gt=0,
                                              description="A cancel request for a queued projection is kept this long.")
