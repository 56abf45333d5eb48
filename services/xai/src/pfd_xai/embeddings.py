"""EmbeddingService: the penultimate-layer embedding of a run's model over a data set's windows, projected to
2-D, stored as points and answered from the cache when the same (model artefact, data-set object, method,
sample size, seed) was projected before.

The CPU work (reading the sampled windows, the forward passes, the projection) runs in a worker thread. A
redelivered request finds its cache entry and is answered again without a second computation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.xai import EmbeddingFailed, EmbeddingReady, EmbeddingRequested
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore

from pfd_xai import catalog
from pfd_xai.domain import (
    EmbeddingImpossible,
    align_classes,
    embed_windows,
    project_2d,
    sample_windows,
    windows_per_record,
)
from pfd_xai.inputs import DatasetFile
from pfd_xai.models import LoadedModel, ModelCache
from pfd_xai.results import embedding_cache_key, store_points
from pfd_xai.service import REJECTED
from pfd_xai.settings import XaiSettings
from pfd_xai.sources import UnknownInput, check_sample_rate, known_dataset, known_model

log = logging.getLogger(__name__)


class EmbeddingService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, settings: XaiSettings, models: ModelCache) -> None:
        if runtime.database is None:
            raise ValueError("xai needs its database")
        self.runtime, self.store, self.settings, self.models = runtime, store, settings, models
        self.sessions = runtime.database.sessions

    async def embed(self, envelope: Envelope[EmbeddingRequested]) -> None:
        outcome = await self._outcome(envelope.payload)
        await self.runtime.bus.publish(new_envelope(outcome, producer=self.runtime.service, cause=envelope))

    async def _outcome(self, request: EmbeddingRequested) -> EventPayload:
        try:
            loaded = await known_model(self.sessions, self.models, request.run_id)
            async with self.sessions() as session:
                dataset = await known_dataset(session, request.dataset_id)
            check_sample_rate(dataset, loaded.spec)
            info = await asyncio.to_thread(self.store.stat, dataset["object_key"])
            key = embedding_cache_key(loaded.sha256, request.dataset_id,
                                      {"key": info.key, "size": info.size, "sha256": info.sha256}, request.method,
                                      request.max_windows, request.seed)
            async with self.sessions() as session:
                hit = await catalog.cached_embedding(session, key)
            if hit is not None:
                return _ready(request, hit, cached=True)
            row = await asyncio.to_thread(self._compute, request, loaded, dataset["object_key"], key)
            async with self.sessions() as session, session.begin():
                await catalog.store_embedding(session, **row)
            return _ready(request, row, cached=False)
        except (UnknownInput, EmbeddingImpossible, *REJECTED) as exc:
            log.info("embedding %s rejected: %s", request.embedding_id, exc)
            return EmbeddingFailed(embedding_id=request.embedding_id, reason=str(exc))

    def _compute(self, request: EmbeddingRequested, loaded: LoadedModel, object_key: str,
                 key: str) -> dict[str, Any]:
        """Blocking: sample, embed, project, store the points; returns the cache row."""
        started = time.perf_counter()
        spec = loaded.spec
        with DatasetFile(self.store, object_key, self.settings.block_bytes) as data:
            labels, dataset_classes = data.labels_and_classes()
            per_record = windows_per_record(data.samples_per_record, spec.window_length)
            sample = sample_windows(labels, per_record, request.max_windows, request.seed)
            embedding = embed_windows(loaded.model, data.windows(sample.records, sample.windows, spec.window_length),
                                      in_channels=spec.in_channels, batch_size=self.settings.embedding_batch)
        projection = project_2d(embedding.features, request.method, request.seed)
        classes = align_classes(dataset_classes, spec.class_names, sample.labels, embedding.predicted)
        points_key = store_points(self.store, request.embedding_id, projection, sample, classes.labels,
                                  classes.predicted)
        return {"cache_key": key, "embedding_id": request.embedding_id, "experiment_id": request.experiment_id,
                "run_id": request.run_id, "dataset_id": request.dataset_id, "method": request.method,
                "points_key": points_key, "points": len(sample), "embedding_dim": embedding.dim,
                "class_names": list(classes.names), "seconds": time.perf_counter() - started}


def _ready(request: EmbeddingRequested, row: dict[str, Any], *, cached: bool) -> EmbeddingReady:
    return EmbeddingReady(embedding_id=request.embedding_id, experiment_id=request.experiment_id,
                          run_id=request.run_id, dataset_id=request.dataset_id, method=row["method"],
                          points_key=row["points_key"], points=row["points"], embedding_dim=row["embedding_dim"],
                          class_names=list(row["class_names"]), seconds=0.0 if cached else row["seconds"],
                          cached=cached)
