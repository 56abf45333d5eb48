"""Deployments: a trained run exported, its variants built, measured and stored, registered as the next version
of a model (ModelExported + BenchmarkCompleted), or DeploymentFailed with the reason.

The CPU work runs in a worker thread (the event loop keeps consuming: cancels, aliases); a cancel stops it
between stages. A redelivered request of a finished deployment is not run again (its outcome was published
with its registry row, through the outbox); one interrupted mid-way runs again under its reserved version.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from pfd_shared.db.idempotency import handle_once
from pfd_shared.events import Envelope
from pfd_shared.events.deploy import (
    BenchmarkCompleted,
    DeploymentCancelRequested,
    DeploymentFailed,
    DeploymentRequested,
    ModelExported,
    VariantArtefact,
    VariantBenchmark,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import model_version_prefix

from pfd_deploy import catalog
from pfd_deploy.domain.errors import ExportParityError, VariantError
from pfd_deploy.failures import DeploymentCancelled, NotExportable
from pfd_deploy.progress import StageReporter
from pfd_deploy.registry import queries
from pfd_deploy.registry.reader import READY
from pfd_deploy.registry.rules import REFERENCE_VARIANT
from pfd_deploy.registry.store import RegistryStore
from pfd_deploy.registry.tables import CANCELLED, FAILED, RUNNING, SUCCEEDED
from pfd_deploy.settings import DeploySettings

if TYPE_CHECKING:
    from pfd_deploy.pipeline import BuiltVersion, DeploymentPipeline

log = logging.getLogger(__name__)
CONSUMER_GROUP = "deploy"
SYSTEM_OWNER = "system"
RESERVE_ATTEMPTS = 3


class Refused(ValueError):
    """The deployment cannot start (unknown run, a model of another owner); the message says why."""


def new_pipeline(store: ObjectStore, settings: DeploySettings, reporter: StageReporter,
                 should_stop: Callable[[], bool]) -> DeploymentPipeline:
    """The export pipeline; torch, onnx and ONNX Runtime are imported by the first deployment, not at start."""
    from pfd_deploy.domain.notes import PayOff
    from pfd_deploy.pipeline import DeploymentPipeline, PipelineOptions

    options = PipelineOptions(
        threads=settings.threads, max_check_windows=settings.max_check_windows,
        max_calibration_windows=settings.max_calibration_windows, block_bytes=settings.block_bytes,
        latency_runs=settings.latency_runs, throughput_runs=settings.throughput_runs,
        pay_off=PayOff(settings.int8_min_speedup, settings.int8_max_accuracy_loss))
    return DeploymentPipeline(store, options, reporter, should_stop)


class Deployments:
    def __init__(self, runtime: ServiceRuntime, store: ObjectStore, registry: RegistryStore,
                 settings: DeploySettings) -> None:
        if runtime.database is None:
            raise ValueError("deploy needs its database")
        self.runtime, self.store, self.registry, self.settings = runtime, store, registry, settings
        self.sessions = runtime.database.sessions
        self.processed = runtime.database.tables.processed_events
        self._cancelled: dict[str, float] = {}

    def cancel(self, envelope: Envelope[DeploymentCancelRequested]) -> None:
        """Remember the cancel: a running deployment stops before its next stage, a queued one at its start."""
        now = time.monotonic()
        memory = self.settings.cancel_memory_s
        self._cancelled = {key: at for key, at in self._cancelled.items() if now - at < memory}
        self._cancelled[envelope.payload.deployment_id] = now

    def _stopping(self, deployment_id: str) -> bool:
        return deployment_id in self._cancelled

    async def deploy(self, envelope: Envelope[DeploymentRequested]) -> None:
        request = envelope.payload
        try:
            run = await self._claim(envelope)
            if run is None:
                return  # a redelivery of a finished deployment
            pipeline = new_pipeline(self.store, self.settings,
                                    StageReporter(self.runtime.bus, asyncio.get_running_loop(), envelope),
                                    lambda: self._stopping(request.deployment_id))
            built = await asyncio.to_thread(pipeline.build, run["model_key"], run["dataset_id"], request.variants)
            version = await self._reserve(request)
            try:
                files = await asyncio.to_thread(pipeline.store_files, request.model_name, version, built)
            except (StorageError, DeploymentCancelled):
                await asyncio.to_thread(self.store.delete_prefix, model_version_prefix(request.model_name, version))
                raise
            await self._register(envelope, run, version, built, files)
        except DeploymentCancelled:
            await self._fail(envelope, "The deployment was cancelled.", cancelled=True)
        except ExportParityError as exc:
            await self._fail(envelope, str(exc), figures={"max_abs_diff": exc.max_abs_diff,
                                                          "argmax_agreement": exc.agreement})
        except (Refused, NotExportable, VariantError) as exc:
            log.info("deployment %s failed: %s", request.deployment_id, exc)
            await self._fail(envelope, str(exc))
        except StorageError as exc:
            log.warning("deployment %s failed on the object store: %s", request.deployment_id, exc)
            await self._fail(envelope, f"object store error: {exc}")
        finally:
            self._cancelled.pop(request.deployment_id, None)

    async def _claim(self, envelope: Envelope[DeploymentRequested]) -> Mapping[str, Any] | None:
        """The run to export, once the deployment row is RUNNING; None when it already finished."""
        request = envelope.payload
        owner = envelope.owner or SYSTEM_OWNER
        async with self.sessions() as session, session.begin():
            existing = await queries.get_deployment(session, request.deployment_id)
            if existing is not None and existing["status"] != RUNNING:
                return None
            if existing is None:
                await queries.insert_deployment(
                    session, deployment_id=request.deployment_id, model_name=request.model_name,
                    experiment_id=request.experiment_id, run_id=request.run_id, owner_id=owner, status=RUNNING,
                    stage="queued", done=0, total=0)
            model = await queries.get_model(session, request.model_name)
            run = await catalog.run_of(session, request.run_id)
        if model is not None and model["owner_id"] != owner:
            raise Refused(f"the model name {request.model_name!r} belongs to another user: choose another name")
        if run is None or run["experiment_id"] != request.experiment_id or not run["model_key"]:
            raise Refused(f"unknown run: run {request.run_id!r} of experiment {request.experiment_id!r} has no "
                          "trained model (is its training finished?)")
        return run

    async def _reserve(self, request: DeploymentRequested) -> int:
        """The version number of this deployment (kept across redeliveries; unique per model)."""
        for _ in range(RESERVE_ATTEMPTS - 1):
            with contextlib.suppress(IntegrityError):  # another deployment of the model took the number meanwhile
                return await self._reserve_once(request)
        return await self._reserve_once(request)

    async def _reserve_once(self, request: DeploymentRequested) -> int:
        async with self.sessions() as session, session.begin():
            row = await queries.get_deployment(session, request.deployment_id)
            if row is not None and row["version"] is not None:
                return int(row["version"])
            version = await queries.next_version(session, request.model_name)
            await queries.update_deployment(session, request.deployment_id, version=version, stage="store")
            return version

    async def _register(self, envelope: Envelope[DeploymentRequested], run: Mapping[str, Any], version: int,
                        built: BuiltVersion, files: list[dict[str, Any]]) -> None:
        request, spec, parity = envelope.payload, built.spec, built.export.parity
        figures = {"max_abs_diff": parity.max_abs_diff, "argmax_agreement": parity.argmax_agreement,
                   "windows": float(parity.windows)}
        exported = ModelExported(
            deployment_id=request.deployment_id, model_name=request.model_name, version=version,
            experiment_id=request.experiment_id, run_id=request.run_id, model=spec.name,
            dataset_id=run["dataset_id"], class_names=list(spec.class_names), window_length=spec.window_length,
            sample_rate_hz=spec.sample_rate_hz, parity=figures, metrics=dict(run["metrics"]),
            description=request.description,
            variants=[VariantArtefact(variant=f["variant"], object_key=f["object_key"], size_bytes=f["size_bytes"],
                                      sha256=f["sha256"]) for f in files])
        reference = next(v.metrics for v in built.variants if v.name == REFERENCE_VARIANT)
        benchmark = BenchmarkCompleted(
            model_name=request.model_name, deployment_id=request.deployment_id, version=version,
            torch_throughput_per_s=built.torch_throughput_per_s, notes=built.notes,
            results=[VariantBenchmark(variant=v.name, size_bytes=v.metrics.size_bytes, accuracy=v.metrics.accuracy,
                                      accuracy_delta=v.metrics.accuracy - reference.accuracy,
                                      latency_p50_ms=v.metrics.latency_p50_ms, latency_p99_ms=v.metrics.latency_p99_ms,
                                      throughput_per_s=v.metrics.throughput_per_s, threads=v.metrics.threads,
                                      note=v.note) for v in built.variants])
        row = {"model_name": request.model_name, "version": version, "deployment_id": request.deployment_id,
               "experiment_id": request.experiment_id, "run_id": request.run_id, "architecture": spec.name,
               "dataset_id": run["dataset_id"], "class_names": list(spec.class_names),
               "window_length": spec.window_length, "sample_rate_hz": spec.sample_rate_hz,
               "metrics": dict(run["metrics"]), "parity": figures, "description": request.description,
               "served_variant": built.served, "status": READY, "status_reason": None}

        async def work(session: Any) -> None:
            await queries.ensure_model(session, request.model_name, envelope.owner or SYSTEM_OWNER)
            await queries.insert_version(session, row, files)
            await queries.update_deployment(session, request.deployment_id, status=SUCCEEDED, stage="registered",
                                            done=1, total=1)
            for payload in (exported, benchmark):
                await self.registry.stage(session, payload, cause=envelope)

        await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)
        self.registry.committed()

    async def _fail(self, envelope: Envelope[DeploymentRequested], reason: str, *, cancelled: bool = False,
                    figures: dict[str, float] | None = None) -> None:
        deployment_id = envelope.payload.deployment_id
        async with self.sessions() as session, session.begin():
            if await queries.get_deployment(session, deployment_id) is not None:
                await queries.update_deployment(session, deployment_id, status=CANCELLED if cancelled else FAILED,
                                                error=reason)
            await self.registry.stage(session, DeploymentFailed(deployment_id=deployment_id, reason=reason,
                                                                cancelled=cancelled, figures=figures or {}),
                                      cause=envelope)
        self.registry.committed()
