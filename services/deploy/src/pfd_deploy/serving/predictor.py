"""Predict one signal with a registered model: resolve (model, alias | version) in the registry, take the
version's cached ONNX Runtime session, run the domain's inference (validate, resample to the model's rate,
windows, vote) in a worker thread so the event loop stays free."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from pfd_deploy.domain.inference import OnnxClassifier, SignalPrediction
from pfd_deploy.domain.runtime import ORT_ERRORS
from pfd_deploy.registry.reader import RegistryLookupError, RegistryReader, ServedVersion
from pfd_deploy.serving.errors import BadRequest, InferenceFailed
from pfd_deploy.serving.metrics import InferenceMetrics
from pfd_deploy.serving.sessions import SessionCache
from pfd_shared.storage import ObjectStore

DEFAULT_ALIAS = "production"
MS_PER_S = 1000.0
UNKNOWN_MODEL = "-"
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """Which version to predict with: the one ``alias`` points at, or ``version``."""

    model_name: str
    alias: str | None = None
    version: int | None = None


def target_of(model_name: str, alias: str | None, version: int | None) -> Target:
    """The request's target; alias ``production`` when neither is given, BadRequest when both are."""
    if alias is not None and version is not None:
        raise BadRequest(f"give either alias or version, not both (alias {alias!r}, version {version})")
    return Target(model_name, DEFAULT_ALIAS if alias is None and version is None else alias, version)


@dataclass(frozen=True)
class PredictionResult:
    model_name: str
    version: int
    alias: str | None
    variant: str
    predicted_class: str
    probabilities: dict[str, float]
    windows: int
    latency_ms: float
    model_sample_rate_hz: float
    sample_rate_hz: float
    shaft_speed_hz: float | None


def run_prediction(classifier: OnnxClassifier, signal: np.ndarray | list[float],
                   sample_rate_hz: float) -> SignalPrediction:
    """Blocking: the domain's whole-signal prediction; InferenceFailed when ONNX Runtime fails on a valid input."""
    try:
        return classifier.predict_signal(signal, sample_rate_hz)
    except ORT_ERRORS as exc:
        raise InferenceFailed(f"the model failed to run on the signal: {exc}") from exc


class Predictor:
    """Owns the worker threads and the session cache; shared by the HTTP API and batch predictions."""

    def __init__(self, registry: RegistryReader, store: ObjectStore, *, cache_size: int, threads: int,
                 intra_op_threads: int, metrics: InferenceMetrics) -> None:
        self.registry, self.store, self.metrics = registry, store, metrics
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pfd-predict")
        self.sessions = SessionCache(store, registry, size=cache_size, threads=intra_op_threads)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """``work(*args)`` on a worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, work, *args)

    async def served(self, target: Target) -> tuple[ServedVersion, OnnxClassifier]:
        """The resolved version and its session (registry errors and BrokenVersion propagate)."""
        served = await self.registry.resolve(target.model_name, alias=target.alias, version=target.version)
        classifier = await self.sessions.get(served, self.executor)
        self.metrics.sessions.set(len(self.sessions))
        return served, classifier

    async def predict(self, target: Target, signal: np.ndarray | list[float], sample_rate_hz: float,
                      shaft_speed_hz: float | None = None) -> PredictionResult:
        started = time.perf_counter()
        try:
            served, classifier = await self.served(target)
            prediction = await self.run(run_prediction, classifier, signal, sample_rate_hz)
        except Exception as exc:
            known = not isinstance(exc, RegistryLookupError)  # unknown names would make unbounded label sets
            self.metrics.predictions.labels(target.model_name if known else UNKNOWN_MODEL, type(exc).__name__).inc()
            raise
        seconds = time.perf_counter() - started
        self.metrics.latency.labels(served.model_name, served.variant).observe(seconds)
        self.metrics.predictions.labels(served.model_name, "ok").inc()
        self.metrics.windows.labels(served.model_name).inc(prediction.windows)
        return PredictionResult(served.model_name, served.version, served.alias, served.variant,
                                prediction.predicted_class, prediction.probabilities, prediction.windows,
                                seconds * MS_PER_S, classifier.spec.sample_rate_hz, sample_rate_hz, shaft_speed_hz)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
