"""PredictionService: one signal (file, browser upload or JSON array) parsed here, predicted by the deploy service;
the answer gains the gateway-side latency. The Predict page's view adds the signal's time plot and spectrum."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

import numpy as np

from pfd_gateway.auth.errors import AuthError
from pfd_gateway.predictions import uploads
from pfd_gateway.predictions.client import DeployClient, Target
from pfd_gateway.settings import PredictSettings, SignalViewerSettings
from pfd_gateway.signals import analysis

MS_PER_S = 1000.0
NO_GEOMETRY = "An uploaded file carries no bearing geometry: only the shaft orders are marked."


@dataclass(frozen=True)
class PredictionView:
    """What the Predict page shows: the prediction (None with ``error`` when the deploy service refused or is
    down: the signal's plots still show), the signal's overview and spectrum."""

    file_name: str
    samples: int
    sample_rate_hz: float
    time: analysis.Series
    psd: analysis.Series
    markers: analysis.Markers
    prediction: dict[str, Any] | None
    error: str | None = None


class PredictionService:
    def __init__(self, client: DeployClient, settings: PredictSettings, viewer: SignalViewerSettings) -> None:
        self.client, self.settings, self.viewer = client, settings, viewer

    async def predict_signal(self, target: Target, signal: np.ndarray, sample_rate_hz: float | None,
                             shaft_speed_hz: float | None = None) -> dict[str, Any]:
        """The deploy service's answer plus ``gateway_latency_ms`` (parsing, forwarding and answer)."""
        started = time.perf_counter()
        rate, speed = uploads.sample_rate(sample_rate_hz), uploads.shaft_speed(shaft_speed_hz)
        return _since(started, await self.client.predict(target, signal, rate, speed))

    async def predict_file(self, target: Target, file_name: str | None, data: bytes, sample_rate_hz: float | None,
                           shaft_speed_hz: float | None = None, variable: str | None = None) -> dict[str, Any]:
        """A .npy, .csv or .mat file's signal (``variable`` chooses among several)."""
        started = time.perf_counter()
        signal = await asyncio.to_thread(uploads.read_file, file_name, data, self.settings.max_upload_bytes,
                                         variable)
        return _since(started, await self.predict_signal(target, signal, sample_rate_hz, shaft_speed_hz))

    async def predict_values(self, target: Target, values: Sequence[object] | None, sample_rate_hz: float | None,
                             shaft_speed_hz: float | None = None) -> dict[str, Any]:
        """A JSON array's signal."""
        started = time.perf_counter()
        signal = uploads.read_values(values)
        return _since(started, await self.predict_signal(target, signal, sample_rate_hz, shaft_speed_hz))

    async def predict_upload(self, target: Target, file_name: str | None, contents: str | None,
                             sample_rate_hz: float | None, shaft_speed_hz: float | None = None,
                             variable: str | None = None) -> PredictionView:
        """The Predict page: a browser upload (data URL) predicted, with its plots (computed after the prediction:
        the gateway latency counts parsing and forwarding only). A bad file or rate raises ``InvalidInput``; a
        refusal of the deploy service (unknown model, signal too short, down) is the view's error."""
        started = time.perf_counter()
        signal = await asyncio.to_thread(uploads.read_data_url, file_name, contents, self.settings.max_upload_bytes,
                                         variable)
        rate, speed = uploads.sample_rate(sample_rate_hz), uploads.shaft_speed(shaft_speed_hz)
        answer: dict[str, Any] | None = None
        error: str | None = None
        try:
            answer = _since(started, await self.client.predict(target, signal, rate, speed))
        except AuthError as exc:
            error = exc.message
        view = await asyncio.to_thread(self._plots, PurePath(file_name or "upload").name, signal, rate, speed)
        return replace(view, prediction=answer, error=error)

    def _plots(self, file_name: str, signal: np.ndarray, rate: float, speed: float | None) -> PredictionView:
        cfg = self.viewer
        return PredictionView(
            file_name=file_name, samples=int(signal.size), sample_rate_hz=rate,
            time=analysis.minmax_downsample(signal, cfg.display_buckets, rate),
            psd=analysis.welch_psd(signal, rate, cfg.welch_segment),
            markers=analysis.markers(speed, cfg.harmonic_orders, cfg.subsync_orders, None, NO_GEOMETRY),
            prediction=None)

    async def aclose(self) -> None:
        await self.client.aclose()


def _since(started: float, answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with the gateway latency counted from ``started`` (parsing included)."""
    return {**answer, "gateway_latency_ms": (time.perf_counter() - started) * MS_PER_S}

