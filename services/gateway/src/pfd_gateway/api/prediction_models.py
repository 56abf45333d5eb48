"""Prediction API models and the reading of a request that is either JSON or a multipart form with a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.predictions.client import Target

M = TypeVar("M", bound=BaseModel)
MULTIPART = "multipart/form-data"
FILE_FIELD = "file"


class TargetFields(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    model_name: str = Field(min_length=1, max_length=64, description="Registered model name.")
    alias: str | None = Field(default=None, max_length=32, description="Default: production (when no version).")
    version: int | None = Field(default=None, ge=1, description="A version instead of an alias.")

    def target(self, default_alias: str) -> Target:
        alias = self.alias or (None if self.version is not None else default_alias)
        return Target(self.model_name, alias, self.version)


class SignalFields(TargetFields):
    sample_rate_hz: float = Field(description="Sample rate of the signal (Hz); it is resampled to the model's.")
    shaft_speed_hz: float | None = Field(default=None, description="Shaft speed (Hz), when known.")


class PredictJson(SignalFields):
    signal: list[float] = Field(description="The signal's samples (a flat array; NaN and infinities refused).")


class PredictForm(SignalFields):
    """Form fields next to the ``file`` (.npy, .csv or .mat)."""

    variable: str | None = Field(default=None, description="Which array of the file (when it holds several).")


class BatchJson(TargetFields):
    dataset_id: str = Field(min_length=1, max_length=64, description="A ready data set you can read.")


class BatchForm(TargetFields):
    """Form fields next to the ``file``: a CSV with one signal per row."""

    sample_rate_hz: float = Field(description="Sample rate of every row (Hz).")


class PredictionPublic(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())

    probabilities: dict[str, float]
    predicted_class: str
    model_name: str
    version: int
    alias: str | None = None
    variant: str | None = None
    windows: int | None = None
    latency_ms: float | None = Field(default=None, description="Inference time in the deploy service.")
    gateway_latency_ms: float = Field(description="Parsing, forwarding and answer, measured by the gateway.")


class BatchPublic(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    batch_id: str
    model_name: str
    alias: str | None
    version: int | None
    source: str
    dataset_id: str | None
    source_name: str
    sample_rate_hz: float | None
    status: str
    done: int
    total: int | None
    served_version: int | None
    rows: int | None
    summary: dict[str, Any] | None
    seconds: float | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    results_url: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> BatchPublic:
        url = f"/api/v1/batch-predictions/{row['batch_id']}/results.csv" if row.get("results_key") else None
        return cls.model_validate({**row, "results_url": url})


@dataclass(frozen=True)
class FilePart:
    file_name: str
    data: bytes


async def read_body(request: Request, json_model: type[M], form_model: type[M],
                    max_bytes: int) -> tuple[M, FilePart | None]:
    """The JSON body as ``json_model``, or the form fields as ``form_model`` and its ``file`` (read up to one byte
    past ``max_bytes``, so the size check names the limit without reading more); errors are 422s."""
    try:
        if request.headers.get("content-type", "").startswith(MULTIPART):
            form = await request.form()
            upload = form.get(FILE_FIELD)
            if not isinstance(upload, UploadFile):
                raise InvalidInput(FILE_FIELD, "Attach the signal file as the form's 'file' field.")
            fields = {k: v for k, v in form.items() if k != FILE_FIELD and isinstance(v, str) and v != ""}
            part = FilePart(upload.filename or "upload", await upload.read(max_bytes + 1))
            return form_model.model_validate(fields), part
        try:
            body = await request.json()
        except ValueError as exc:
            raise InvalidInput("body", "Send JSON or a multipart form with a file.") from exc
        return json_model.model_validate(body), None
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


def body_schema(json_model: type[BaseModel], form_model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI requestBody of a route that takes either JSON or a multipart form with a file."""
    form = form_model.model_json_schema()
    form["properties"] = {FILE_FIELD: {"type": "string", "format": "binary"}, **form["properties"]}
    form["required"] = [FILE_FIELD, *form.get("required", [])]
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": json_model.model_json_schema()},
        MULTIPART: {"schema": form}}}}
