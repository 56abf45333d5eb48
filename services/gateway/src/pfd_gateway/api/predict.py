"""Predictions: one signal forwarded to the deploy service (JSON array or a .npy/.csv/.mat file), and batch
predictions of a data set or an uploaded CSV (background job with progress and a results CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import StreamingResponse

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireWrite
from pfd_gateway.api.prediction_models import (
    BatchForm,
    BatchJson,
    BatchPublic,
    PredictForm,
    PredictJson,
    PredictionPublic,
    body_schema,
    read_body,
)
from pfd_gateway.predictions.wiring import Predictions

router = APIRouter(prefix=API_PREFIX, tags=["predictions"])


def get_predictions(gateway: GatewayDep) -> Predictions:
    return gateway.predictions


PredictionsDep = Annotated[Predictions, Depends(get_predictions)]


@router.post("/predict", openapi_extra=body_schema(PredictJson, PredictForm))
async def predict(request: Request, _: CurrentPrincipal, predictions: PredictionsDep) -> PredictionPublic:
    """Class probabilities of one signal (JSON ``signal`` array, or a multipart ``file``): 422 for a bad signal,
    404 for an unknown model / alias / version, 409 for a broken version, 503 when the deploy service is down."""
    single = predictions.single
    body, part = await read_body(request, PredictJson, PredictForm, single.settings.max_upload_bytes)
    target = body.target(single.settings.default_alias)
    if part is None:
        answer = await single.predict_values(target, body.signal, body.sample_rate_hz, body.shaft_speed_hz)
    else:
        answer = await single.predict_file(target, part.file_name, part.data, body.sample_rate_hz,
                                           body.shaft_speed_hz, body.variable)
    return PredictionPublic.model_validate(answer)


@router.post("/batch-predictions", status_code=status.HTTP_202_ACCEPTED,
             openapi_extra=body_schema(BatchJson, BatchForm))
async def request_batch(request: Request, principal: RequireWrite, predictions: PredictionsDep) -> BatchPublic:
    """Predict every record of a data set (JSON ``dataset_id``) or every row of a CSV (multipart ``file``)."""
    batches, settings = predictions.batches, predictions.single.settings
    body, part = await read_body(request, BatchJson, BatchForm, settings.max_upload_bytes)
    target = body.target(settings.default_alias)
    if part is None:
        row = await batches.request_dataset(principal, target, body.dataset_id)
    else:
        row = await batches.request_csv(principal, target, part.file_name, part.data, body.sample_rate_hz)
    return BatchPublic.of(row)


@router.get("/batch-predictions")
async def list_batches(principal: CurrentPrincipal, predictions: PredictionsDep) -> list[BatchPublic]:
    return [BatchPublic.of(row) for row in await predictions.batches.list(principal)]


@router.get("/batch-predictions/{batch_id}")
async def show_batch(batch_id: str, principal: CurrentPrincipal, predictions: PredictionsDep) -> BatchPublic:
    return BatchPublic.of(await predictions.batches.get(principal, batch_id))


@router.get("/batch-predictions/{batch_id}/results.csv", response_class=StreamingResponse)
async def batch_results(batch_id: str, principal: CurrentPrincipal, predictions: PredictionsDep) -> StreamingResponse:
    """The results CSV of a completed batch (409 while it runs or after it failed)."""
    name, chunks = await predictions.batches.results(principal, batch_id)
    return StreamingResponse(chunks, media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
