"""Settings of the inference API and of the prediction work behind it (nested into DeploySettings as ``http``)."""

from __future__ import annotations

from pydantic import Field

from pfd_shared.settings import HttpSettings

MEGABYTE = 1024 * 1024


class InferenceHttpSettings(HttpSettings):
    """Where the inference API listens (host, port, graceful shutdown from HttpSettings) and how predictions run.

    The same thread pool runs single predictions and batch chunks, so the event loop stays free for both."""

    max_body_bytes: int = Field(default=10 * MEGABYTE, ge=1024, description="Largest accepted request body.")
    session_cache_size: int = Field(default=8, ge=1, le=256,
                                    description="ONNX Runtime sessions kept loaded (one per model version variant).")
    threads: int = Field(default=2, ge=1, le=64, description="Worker threads running predictions.")
    intra_op_threads: int = Field(default=1, ge=1, le=64, description="ONNX Runtime threads of one prediction.")
    batch_chunk_records: int = Field(default=32, ge=1, le=4096,
                                     description="Signals a batch prediction reads and predicts per step.")
    batch_progress_interval_s: float = Field(default=0.5, gt=0,
                                             description="Least time between two BatchPredictionProgress events.")
    dataset_block_bytes: int = Field(default=MEGABYTE, ge=4096, description="Ranged-read block of data-set objects.")
    spool_memory_bytes: int = Field(default=8 * MEGABYTE, ge=0,
                                    description="A batch's CSV input/output stays in memory up to this size.")
