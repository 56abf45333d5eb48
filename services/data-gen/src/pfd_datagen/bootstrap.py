"""Composition root of data-gen: runtime, object store, the dataset service and its subscribers."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pfd_shared.events import Envelope
from pfd_shared.events.datasets import (
    DatasetDeleted,
    DatasetDeleteRequested,
    DatasetFailed,
    DatasetGenerationRequested,
    DatasetImportRequested,
    DatasetProgress,
    DatasetReady,
)
from pfd_shared.events.projections import (
    ProjectionCancelled,
    ProjectionCancelRequested,
    ProjectionFailed,
    ProjectionProgress,
    ProjectionReady,
    ProjectionRequested,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_datagen import __version__
from pfd_datagen.db import MIGRATIONS, messaging_tables, metadata
from pfd_datagen.projections import ProjectionService
from pfd_datagen.service import DatasetService
from pfd_datagen.settings import DataGenSettings

CONSUMER_GROUP = "data-gen"


@dataclass
class DataGen:
    settings: DataGenSettings
    runtime: ServiceRuntime
    service: DatasetService
    projections: ProjectionService


def build_datagen(settings: DataGenSettings, *, store: ObjectStore | None = None,
                  metrics: ServiceMetrics | None = None) -> DataGen:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    store = store or S3ObjectStore(settings.s3)
    service = DatasetService(runtime, store, settings)
    projections = ProjectionService(runtime, store, settings)
    bus = runtime.bus

    @bus.subscribe(DatasetGenerationRequested, group_id=CONSUMER_GROUP)
    async def on_generation_requested(envelope: Envelope[DatasetGenerationRequested]) -> None:
        """Generate the data set (or reuse an identical one) and store it as one HDF5 object."""
        await service.generate(envelope)

    @bus.subscribe(DatasetImportRequested, group_id=CONSUMER_GROUP)
    async def on_import_requested(envelope: Envelope[DatasetImportRequested]) -> None:
        """Read, resample and cut the uploaded recordings into a data set."""
        await service.import_recordings(envelope)

    @bus.subscribe(DatasetDeleteRequested, group_id=CONSUMER_GROUP)
    async def on_delete_requested(envelope: Envelope[DatasetDeleteRequested]) -> None:
        """Delete the data set and the objects no other data set shares."""
        await service.delete(envelope)

    @bus.subscribe(ProjectionRequested, group_id=CONSUMER_GROUP)
    async def on_projection_requested(envelope: Envelope[ProjectionRequested]) -> None:
        """Project the data set's standardised features (or answer from the stored result)."""
        await projections.project(envelope)

    @bus.subscribe(ProjectionCancelRequested, group_id=None)
    async def on_projection_cancel_requested(envelope: Envelope[ProjectionCancelRequested]) -> None:
        """Stop the projection if this instance runs it (or is about to)."""
        projections.cancel(envelope)

    for published in (DatasetProgress, DatasetReady, DatasetFailed, DatasetDeleted, ProjectionProgress,
                      ProjectionReady, ProjectionFailed, ProjectionCancelled):
        bus.documents(published)
    return DataGen(settings, runtime, service, projections)


def configure_threads(settings: DataGenSettings) -> None:
    """Let the HDF5 compressor use the same number of threads as the generator (process start only)."""
    os.environ.setdefault("BLOSC_NTHREADS", str(settings.workers or os.cpu_count() or 1))
