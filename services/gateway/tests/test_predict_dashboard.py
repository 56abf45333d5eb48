"""The Predict page's pieces: the view of one uploaded signal (plots even when the deploy service refuses), the
probability figure, the model picker's target and the batch table."""

import base64
import io
from datetime import UTC, datetime

import httpx
import numpy as np
import pytest

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.dashboard.components.predictions import batches_table, result_panel
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.predictions import PREDICTED_COLOUR, probability_figure
from pfd_gateway.dashboard.pages.predict import VERSION_CHOICE, target_of
from pfd_gateway.predictions.client import DeployClient, Target
from pfd_gateway.predictions.service import PredictionService
from pfd_gateway.settings import PredictSettings, SignalViewerSettings

FS = 12_000.0
ANSWER = {"probabilities": {"healthy": 0.1, "outer_race": 0.7, "inner_race": 0.2}, "predicted_class": "outer_race",
          "model_name": "cnn", "version": 5, "alias": "production", "variant": "fp32", "windows": 2, "latency_ms": 1.0}


def data_url(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return "data:application/octet-stream;base64," + base64.b64encode(buffer.getvalue()).decode()


def service(status: int = 200, body: dict | None = None) -> PredictionService:
    transport = httpx.MockTransport(lambda _: httpx.Response(status, json=body or ANSWER))
    settings = PredictSettings()
    return PredictionService(DeployClient(settings, transport=transport), settings, SignalViewerSettings())


TONE = np.sin(2 * np.pi * 157.0 * np.arange(24_000) / FS)


async def test_an_upload_is_predicted_with_its_time_plot_and_spectrum() -> None:
    view = await service().predict_upload(Target("cnn", "production"), "tone.npy", data_url(TONE), FS, 29.5)
    assert view.prediction["predicted_class"] == "outer_race" and view.prediction["gateway_latency_ms"] > 0
    assert view.samples == TONE.size and view.error is None and view.file_name == "tone.npy"
    assert view.psd.x[view.psd.y.argmax()] == pytest.approx(157.0, abs=3.0)
    assert view.markers.harmonics[0].freq_hz == pytest.approx(29.5)
    assert len(view.time.x) <= 2 * SignalViewerSettings().display_buckets
    panel = str(result_panel(view))
    assert "outer_race" in panel and "cnn v5 (production)" in panel and "1.0 ms" in panel and "70.0%" in panel


@pytest.mark.parametrize("status, detail", [(404, "no model named 'cnn'"), (409, "version 5 is broken"),
                                            (422, "shorter than one window")])
async def test_a_deploy_refusal_is_the_views_error_and_the_plots_still_show(status, detail) -> None:
    view = await service(status, {"detail": detail}).predict_upload(Target("cnn", "production"), "tone.npy",
                                                                     data_url(TONE), FS)
    assert view.prediction is None and detail in view.error and len(view.psd.x) > 0
    assert detail in str(result_panel(view))


async def test_a_bad_file_or_rate_is_refused_before_the_deploy_service_is_asked() -> None:
    with pytest.raises(InvalidInput, match="NaN/infinite"):
        await service().predict_upload(Target("cnn", "production"), "nan.npy", data_url(np.r_[np.nan, TONE]), FS)
    with pytest.raises(InvalidInput, match="sample rate"):
        await service().predict_upload(Target("cnn", "production"), "tone.npy", data_url(TONE), None)


def test_the_probability_figure_ranks_the_classes_and_highlights_the_prediction() -> None:
    bars = probability_figure(ANSWER["probabilities"], "outer_race").data[0]
    assert list(bars.y) == ["outer_race", "inner_race", "healthy"] and list(bars.x) == [0.7, 0.2, 0.1]
    assert bars.marker.color[0] == PREDICTED_COLOUR and PREDICTED_COLOUR not in bars.marker.color[1:]
    assert probability_figure(None).layout.annotations[0].text.startswith("Upload a signal")


def test_the_model_picker_gives_an_alias_or_a_version() -> None:
    assert target_of(" cnn ", "staging", None) == Target("cnn", "staging", None)
    assert target_of("cnn", VERSION_CHOICE, 3) == Target("cnn", None, 3)
    for model, alias, version in ((None, "production", None), ("cnn", VERSION_CHOICE, None),
                                  ("cnn", VERSION_CHOICE, 1.5)):
        with pytest.raises(UserFacingError):
            target_of(model, alias, version)


def test_before_a_prediction_the_panel_says_what_to_do() -> None:
    assert "No prediction yet" in str(result_panel(None))


def _batch(**row) -> dict:
    now = datetime.now(UTC)
    return {"batch_id": "b1", "source": "dataset", "source_name": "cwru 12k", "model_name": "cnn", "alias": "production",
            "version": None, "served_version": None, "status": "running", "done": 10, "total": 40, "summary": None,
            "error": None, "created_at": now} | row


def test_the_batch_table_shows_progress_reasons_and_the_download() -> None:
    assert "No batch predictions yet" in str(batches_table([]))
    running = str(batches_table([_batch()]))
    assert "10/40" in running and "cnn (production)" in running and "results.csv" not in running
    done = str(batches_table([_batch(status="completed", served_version=5, summary={"healthy": 30, "accuracy": 0.9})]))
    assert "/api/v1/batch-predictions/b1/results.csv" in done and "cnn v5" in done and "accuracy 90.0%" in done
    assert "no alias 'x'" in str(batches_table([_batch(status="failed", error="model 'cnn' has no alias 'x'")]))
