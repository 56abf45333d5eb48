"""Batch prediction (BatchPredictionRequested): every record of a data set or every row of an uploaded CSV,
predicted with one resolved model version; the results CSV goes to ``batch-predictions/{batch_id}/results.csv``.

Progress is published at most every ``progress_interval_s``; a row that cannot be predicted (NaN, too short)
gets its reason in the CSV's ``error`` column, an input or model that cannot be used fails the whole batch.
A redelivered request whose batch finished earlier is answered from the stored summary without recomputation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from pfd_deploy.registry.reader import BrokenVersion, RegistryLookupError
from pfd_deploy.serving.batch_results import ResultsWriter
from pfd_deploy.serving.batch_sources import BatchSource, CsvSource, DatasetSource, SignalRow
from pfd_deploy.serving.errors import BatchInputError, InferenceFailed, StoreUnavailable
from pfd_deploy.serving.predictor import Predictor, Target
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.deploy import (
    BatchPredictionCompleted,
    BatchPredictionFailed,
    BatchPredictionProgress,
    BatchPredictionRequested,
)
from pfd_shared.messaging.bus import EventBus
from pfd_shared.storage import ObjectNotFound, ObjectStore, StorageError
from pfd_shared.storage.keys import dataset_key

BATCH_PREFIX = "batch-predictions"
RESULTS_FILE = "results.csv"
SUMMARY_FILE = "summary.json"
DATASET_FILE = "dataset.h5"
CSV_CONTENT_TYPE = "text/csv"
JSON_CONTENT_TYPE = "application/json"
FAILURES = (RegistryLookupError, BrokenVersion, BatchInputError, StoreUnavailable, InferenceFailed, StorageError)

Publish = Callable[[EventPayload], Awaitable[None]]
DatasetKeyOf = Callable[[str], Awaitable[str]]


def batch_key(batch_id: str, name: str) -> str:
    return f"{BATCH_PREFIX}/{batch_id}/{name}"


def dataset_object_key(dataset_id: str) -> str:
    """Where data-gen stores a data set (docs/dataset-format.md)."""
    return dataset_key(dataset_id, DATASET_FILE)


async def default_dataset_key(dataset_id: str) -> str:
    return dataset_object_key(dataset_id)


def envelope_publisher(bus: EventBus, producer: str, cause: Envelope[Any]) -> Publish:
    """``publish(payload)`` on the bus, as an event caused by ``cause`` (same correlation id and owner)."""

    async def publish(payload: EventPayload) -> None:
        await bus.publish(new_envelope(payload, producer=producer, cause=cause))

    return publish


@dataclass(frozen=True)
class BatchOptions:
    chunk_records: int
    progress_interval_s: float
    block_bytes: int
    spool_bytes: int


class BatchPredictions:
    def __init__(self, predictor: Predictor, store: ObjectStore, options: BatchOptions, *,
                 dataset_key_of: DatasetKeyOf = default_dataset_key) -> None:
        self.predictor, self.store, self.options = predictor, store, options
        self.dataset_key_of = dataset_key_of

    async def handle(self, request: BatchPredictionRequested, publish: Publish) -> None:
        """Predict the batch and publish progress, then BatchPredictionCompleted or BatchPredictionFailed."""
        try:
            outcome: EventPayload = await self._earlier(request) or await self.predict(request, publish)
        except FAILURES as exc:
            outcome = BatchPredictionFailed(batch_id=request.batch_id, reason=str(exc))
        await publish(outcome)

    async def _earlier(self, request: BatchPredictionRequested) -> BatchPredictionCompleted | None:
        try:
            stored = await self.predictor.run(self.store.get_bytes, batch_key(request.batch_id, SUMMARY_FILE))
        except ObjectNotFound:
            return None
        return BatchPredictionCompleted.model_validate_json(stored)

    async def predict(self, request: BatchPredictionRequested, publish: Publish) -> BatchPredictionCompleted:
        started = time.perf_counter()
        target = Target(request.model_name, request.alias, request.version)
        served, classifier = await self.predictor.served(target)
        source = await self._source(request)
        try:
            writer = ResultsWriter(classifier, source.sample_rate_hz, labelled=source.labelled,
                                   memory_bytes=self.options.spool_bytes)
            try:
                await self._run(request.batch_id, source, writer, publish)
                self.predictor.metrics.batch_signals.labels(served.model_name).inc(writer.rows)
                results_key = batch_key(request.batch_id, RESULTS_FILE)
                await self.predictor.run(self._upload, writer, results_key)
            finally:
                writer.close()
        finally:
            source.close()
        summary = {**writer.summary(), "alias": served.alias, "variant": served.variant,
                   "source": {"dataset_id": request.dataset_id} if request.dataset_id else
                   {"signals_key": request.signals_key}}
        completed = BatchPredictionCompleted(batch_id=request.batch_id, model_name=served.model_name,
                                             version=served.version, results_key=results_key, rows=writer.rows,
                                             summary=summary, seconds=time.perf_counter() - started)
        await self.predictor.run(partial(self.store.put_bytes, content_type=JSON_CONTENT_TYPE),
                                 batch_key(request.batch_id, SUMMARY_FILE), completed.model_dump_json().encode())
        return completed

    async def _source(self, request: BatchPredictionRequested) -> BatchSource:
        if request.dataset_id is not None:
            key = await self.dataset_key_of(request.dataset_id)
            return await self.predictor.run(lambda: DatasetSource(self.store, key,
                                                                  block_bytes=self.options.block_bytes))
        key, rate = str(request.signals_key), float(request.sample_rate_hz or 0)
        return await self.predictor.run(lambda: CsvSource(self.store, key, sample_rate_hz=rate,
                                                          memory_bytes=self.options.spool_bytes))

    async def _run(self, batch_id: str, source: BatchSource, writer: ResultsWriter, publish: Publish) -> None:
        chunks = source.chunks(self.options.chunk_records)
        await publish(BatchPredictionProgress(batch_id=batch_id, done=0, total=source.total))
        last, reported = time.monotonic(), 0
        while await self.predictor.run(_step, chunks, writer):
            if time.monotonic() - last >= self.options.progress_interval_s:
                await publish(BatchPredictionProgress(batch_id=batch_id, done=writer.rows, total=source.total))
                last, reported = time.monotonic(), writer.rows
        if reported != writer.rows:
            await publish(BatchPredictionProgress(batch_id=batch_id, done=writer.rows, total=source.total))

    def _upload(self, writer: ResultsWriter, key: str) -> None:
        size = writer.finish()
        self.store.put_stream(key, writer.file, content_type=CSV_CONTENT_TYPE, length=size)


def _step(chunks: Iterator[list[SignalRow]], writer: ResultsWriter) -> bool:
    """Blocking: predict the next chunk; False when there is none."""
    chunk = next(chunks, None)
    if chunk is None:
        return False
    writer.add(chunk)
    return True

