"""Prometheus metrics of the inference API, on the service's registry (pfd_shared.telemetry.metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class InferenceMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.latency = Histogram(
            "pfd_prediction_seconds", "Time to predict one signal (validation, resampling, windows, vote).",
            ["model", "variant"], registry=registry, buckets=LATENCY_BUCKETS_S)
        self.predictions = Counter(
            "pfd_predictions_total", "Prediction requests by outcome (ok or the error kind).", ["model", "outcome"],
            registry=registry)
        self.windows = Counter("pfd_prediction_windows_total", "Windows classified.", ["model"], registry=registry)
        self.sessions = Gauge("pfd_inference_sessions", "ONNX Runtime sessions in the cache.", registry=registry)
        self.batch_signals = Counter("pfd_batch_signals_total", "Signals predicted by batch predictions.",
                                     ["model"], registry=registry)
