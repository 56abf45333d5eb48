"""The inference API: ``create_inference_app(registry, store, settings)``; routes parse, call the predictor, render."""

from __future__ import annotations

import contextlib
from importlib.metadata import version as package_version
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry

from pfd_deploy.http.errors import ERROR_RESPONSES, install_error_handlers
from pfd_deploy.http.parsing import JSON_TYPE, OCTET_TYPE, JsonBody, parse_signal, read_body
from pfd_deploy.http.schemas import HealthResponse, PredictionResponse
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.registry.reader import RegistryReader
from pfd_deploy.serving.batch import BatchOptions
from pfd_deploy.serving.metrics import InferenceMetrics
from pfd_deploy.serving.predictor import Predictor, target_of
from pfd_shared.storage import ObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

DISTRIBUTION = "pfd-deploy"
ALIAS_PATTERN = r"^[a-z][a-z0-9_-]*$"
Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]
PREDICT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    JSON_TYPE: {"schema": JsonBody.model_json_schema()},
    OCTET_TYPE: {"schema": {"type": "string", "format": "binary",
                            "description": "Little-endian float32 samples; give ?sample_rate_hz="}},
}}}


def build_predictor(registry: RegistryReader, store: ObjectStore, settings: InferenceHttpSettings,
                    metrics_registry: CollectorRegistry) -> Predictor:
    """One predictor per process: the HTTP API and batch predictions share its threads and sessions."""
    return Predictor(registry, store, cache_size=settings.session_cache_size, threads=settings.threads,
                     intra_op_threads=settings.intra_op_threads, metrics=InferenceMetrics(metrics_registry))


def batch_options(settings: InferenceHttpSettings) -> BatchOptions:
    return BatchOptions(chunk_records=settings.batch_chunk_records,
                        progress_interval_s=settings.batch_progress_interval_s,
                        block_bytes=settings.dataset_block_bytes, spool_bytes=settings.spool_memory_bytes)


async def _always_ready() -> bool:
    return True


def create_inference_app(registry: RegistryReader, store: ObjectStore, settings: InferenceHttpSettings, *,
                         predictor: Predictor | None = None, metrics: ServiceMetrics | None = None,
                         lifespan: Lifespan | None = None,
                         ready: Callable[[], Awaitable[bool]] = _always_ready) -> FastAPI:
    """The app; a predictor built here (none passed) is closed when the app stops. ``lifespan`` (e.g. starting
    the service runtime) runs around the app's life, ``ready`` answers /health/ready."""
    metrics = metrics or ServiceMetrics(CollectorRegistry())
    owned = predictor is None
    served = predictor or build_predictor(registry, store, settings, metrics.registry)

    @contextlib.asynccontextmanager
    async def life(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app) if lifespan else contextlib.nullcontext():
            yield
        if owned:
            served.close()

    app = FastAPI(title="PFD inference API", version=package_version(DISTRIBUTION), lifespan=life)
    app.state.predictor, app.state.settings = served, settings
    install_error_handlers(app)

    @app.get("/health", response_model=HealthResponse)
    async def health() -> HealthResponse:
        """The service answers; how many sessions are loaded."""
        return HealthResponse(status="ok", sessions=len(served.sessions))

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/health/ready")
    async def readiness() -> Response:
        is_ready = await ready()
        return Response(b'{"status":"ready"}' if is_ready else b'{"status":"not ready"}', 200 if is_ready else 503,
                        media_type=JSON_TYPE)

    @app.get("/metrics")
    async def exposition() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/v1/models/{name}/predict", response_model=PredictionResponse, responses=ERROR_RESPONSES,
              openapi_extra=PREDICT_BODY)
    async def predict(name: str, request: Request,
                      alias: Annotated[str | None, Query(pattern=ALIAS_PATTERN, max_length=32)] = None,
                      version: Annotated[int | None, Query(ge=1)] = None,
                      sample_rate_hz: Annotated[float | None, Query(gt=0)] = None,
                      shaft_speed_hz: Annotated[float | None, Query(gt=0)] = None) -> PredictionResponse:
        """Predict one signal with the version ``alias`` points at (production by default) or ``version``."""
        body = await read_body(request, settings.max_body_bytes)
        signal = await served.run(parse_signal, body, request.headers.get("content-type", ""), sample_rate_hz,
                                  shaft_speed_hz)
        result = await served.predict(target_of(name, alias, version), signal.signal, signal.sample_rate_hz,
                                      signal.shaft_speed_hz)
        return PredictionResponse.of(result)

    return app
