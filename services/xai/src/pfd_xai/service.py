"""ExplanationService: explains a trained run's model on one window, answers repeats from the cache, records
which models and data sets exist (from training's and data-gen's events).

The CPU work runs in a worker thread, reports progress per stage and stops at the next stage when an
ExplanationCancelRequested for it arrives (every instance listens; the one running it stops). A redelivered
request finds its cache entry and is answered again without a second computation.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import numpy as np

from pfd_shared.db.idempotency import handle_once
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.datasets import DatasetDeleted, DatasetReady
from pfd_shared.events.training import ExperimentDeleted, TrainingCompleted
from pfd_shared.events.xai import (
    ExplanationCancelRequested,
    ExplanationFailed,
    ExplanationProgress,
    ExplanationReady,
    ExplanationRequested,
)
from pfd_shared.models import InvalidArtefact
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.xai import resolve_params

from pfd_xai import catalog
from pfd_xai.domain import (
    ExplainOptions,
    ExplanationCancelled,
    MethodDoesNotApply,
    ParameterOutOfRange,
    UnknownMethod,
    explain_window,
)
from pfd_xai.inputs import InputUnavailable, dataset_window, uploaded_window
from pfd_xai.models import LoadedModel, ModelCache
from pfd_xai.progress import ThrottledProgress
from pfd_xai.results import cache_key, store_explanation
from pfd_xai.settings import XaiSettings
from pfd_xai.sources import UnknownInput, check_sample_rate, known_dataset, known_model

log = logging.getLogger(__name__)
CONSUMER_GROUP = "xai"
REJECTED = (MethodDoesNotApply, ParameterOutOfRange, UnknownMethod, InputUnavailable, InvalidArtefact, StorageError)


class ExplanationService:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, settings: XaiSettings, models: ModelCache) -> None:
        if runtime.database is None:
            raise ValueError("xai needs its database")
        self.runtime, self.store, self.settings, self.models = runtime, store, settings, models
        self.sessions = runtime.database.sessions
        self.processed = runtime.database.tables.processed_events
        self._cancelled: dict[str, float] = {}

    async def explain(self, envelope: Envelope[ExplanationRequested]) -> None:
        await self._publish(envelope, await self._outcome(envelope))

    def cancel(self, envelope: Envelope[ExplanationCancelRequested]) -> None:
        """Remember the cancel: a running explanation stops before its next stage, a queued one at its start."""
        now = time.monotonic()
        self._cancelled = {key: at for key, at in self._cancelled.items() if now - at < self.settings.cancel_memory_s}
        self._cancelled[envelope.payload.explanation_id] = now

    async def _outcome(self, envelope: Envelope[ExplanationRequested]) -> EventPayload:
        request = envelope.payload
        ids = {"explanation_id": request.explanation_id}
        try:
            methods = {name: resolve_params(name, params) for name, params in request.methods.items()}
            loaded, window = await self._inputs(request)
            key = cache_key(loaded.sha256, window, methods, request.target, request.randomisation_check)
            async with self.sessions() as session:
                hit = await catalog.cached(session, key)
            if hit is not None:
                return _ready(request, hit, cached=True)
            progress = ThrottledProgress(self.runtime.bus, asyncio.get_running_loop(), envelope,
                                         self.settings.progress_interval_s,
                                         lambda stage, done, total: ExplanationProgress(**ids, stage=stage, done=done,
                                                                                        total=total))
            row = await asyncio.to_thread(self._compute, request, loaded, window, methods, key, progress)
            async with self.sessions() as session, session.begin():
                await catalog.store_explanation(session, **row)
            return _ready(request, row, cached=False)
        except ExplanationCancelled:
            return ExplanationFailed(**ids, reason="The explanation was cancelled.", cancelled=True)
        except (UnknownInput, *REJECTED) as exc:
            log.info("explanation %s rejected: %s", request.explanation_id, exc)
            return ExplanationFailed(**ids, reason=str(exc))
        finally:
            self._cancelled.pop(request.explanation_id, None)

    async def _inputs(self, request: ExplanationRequested) -> tuple[LoadedModel, np.ndarray]:
        source = request.input
        loaded = await known_model(self.sessions, self.models, request.run_id)
        length = loaded.spec.window_length
        if source.signal_key is not None:
            window = await asyncio.to_thread(uploaded_window, self.store, source.signal_key, source.window, length)
            return loaded, window
        async with self.sessions() as session:
            dataset = await known_dataset(session, str(source.dataset_id))
        check_sample_rate(dataset, loaded.spec)
        window = await asyncio.to_thread(dataset_window, self.store, dataset["object_key"], int(source.record or 0),
                                         source.window, length, self.settings.block_bytes)
        return loaded, window

    def _compute(self, request: ExplanationRequested, loaded: LoadedModel, window: np.ndarray,
                 methods: dict[str, dict[str, Any]], key: str, progress: ThrottledProgress) -> dict[str, Any]:
        """Blocking: explain, store arrays then summary; returns the cache row."""
        started = time.perf_counter()
        result = explain_window(
            loaded.model, loaded.spec, window, methods,
            ExplainOptions(target=request.target, randomisation_check=request.randomisation_check),
            on_progress=progress, should_stop=lambda: request.explanation_id in self._cancelled)
        summary = result.summary(loaded.spec.class_names)
        arrays_key, summary_key = store_explanation(self.store, request.explanation_id, window, result, summary)
        return {"cache_key": key, "explanation_id": request.explanation_id, "experiment_id": request.experiment_id,
                "run_id": request.run_id, "attributions_key": arrays_key, "summary_key": summary_key,
                "summary": summary, "seconds": time.perf_counter() - started}

    async def record_model(self, envelope: Envelope[TrainingCompleted]) -> None:
        event = envelope.payload
        model_key = event.artefacts.get("model")
        if model_key is None:
            log.warning("run %s completed without a model artefact", event.run_id)
            return

        async def work(session: Any) -> None:
            await catalog.record_model(session, event.run_id, event.experiment_id, model_key)

        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)

    async def forget_experiment(self, envelope: Envelope[ExperimentDeleted]) -> None:
        async def work(session: Any) -> None:
            await catalog.forget_experiment(session, envelope.payload.experiment_id)

        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)

    async def record_dataset(self, envelope: Envelope[DatasetReady]) -> None:
        event = envelope.payload

        async def work(session: Any) -> None:
            await catalog.record_dataset(session, event.dataset_id, event.object_key, event.records,
                                         event.sample_rate_hz)

        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)

    async def forget_dataset(self, envelope: Envelope[DatasetDeleted]) -> None:
        async def work(session: Any) -> None:
            await catalog.forget_dataset(session, envelope.payload.dataset_id)

        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)

    async def _publish(self, cause: Envelope[Any], payload: EventPayload) -> None:
        await self.runtime.bus.publish(new_envelope(payload, producer=self.runtime.service, cause=cause))


def _ready(request: ExplanationRequested, row: dict[str, Any], *, cached: bool) -> ExplanationReady:
    return ExplanationReady(explanation_id=request.explanation_id, experiment_id=request.experiment_id,
                            run_id=request.run_id, cache_key=row["cache_key"], attributions_key=row["attributions_key"],
                            summary_key=row["summary_key"], summary=row["summary"],
                            seconds=0.0 if cached else row["seconds"], cached=cached)
