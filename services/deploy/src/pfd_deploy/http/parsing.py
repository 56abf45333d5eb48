"""The prediction request's body: JSON ``{"signal": [...], "sample_rate_hz": ..., "shaft_speed_hz": ...}`` or
``application/octet-stream`` little-endian float32 samples with ``?sample_rate_hz=``; bounded in size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request

from pfd_deploy.serving.errors import BadRequest

JSON_TYPE = "application/json"
OCTET_TYPE = "application/octet-stream"
FLOAT32_LE = np.dtype("<f4")
NUMERIC_KINDS = "iuf"
INVALID_JSON = "json_invalid"


class BodyTooLarge(ValueError):
    """The body exceeds the configured limit (413)."""


class UnsupportedBody(ValueError):
    """The body's content type is neither JSON nor octet-stream (415)."""


@dataclass(frozen=True)
class SignalInput:
    signal: np.ndarray
    sample_rate_hz: float
    shaft_speed_hz: float | None


class JsonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signal: list[Any] = Field(description="Samples (1-D), or (channels, samples) for a multi-channel model.")
    sample_rate_hz: float | None = Field(default=None, gt=0)
    shaft_speed_hz: float | None = Field(default=None, gt=0, description="Echoed; the current models ignore it.")


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The whole body, refused (BodyTooLarge) as soon as it exceeds ``max_bytes``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"the body has {int(declared)} bytes; the limit is {max_bytes}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"the body exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _numbers(signal: list[Any]) -> np.ndarray:
    try:
        array = np.asarray(signal)
    except ValueError as exc:  # ragged nesting
        raise BadRequest(f"the signal must be a rectangular array of numbers: {exc}") from exc
    if array.size and array.dtype.kind not in NUMERIC_KINDS:
        raise BadRequest("the signal must hold numbers only")
    return array.astype(np.float64)


def _validation_reason(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, error['loc'])) or 'body'}: {error['msg']}" for error in exc.errors())


def parse_json(body: bytes, sample_rate_hz: float | None, shaft_speed_hz: float | None) -> SignalInput:
    try:
        parsed = JsonBody.model_validate_json(body)  # pydantic's parser: NaN/Infinity tokens reach the checks
    except ValidationError as exc:
        if any(error["type"] == INVALID_JSON for error in exc.errors()):
            raise BadRequest(f"the body is not valid JSON: {_validation_reason(exc)}") from exc
        raise BadRequest(f"the JSON body is not a prediction request: {_validation_reason(exc)}") from exc
    rate = parsed.sample_rate_hz if parsed.sample_rate_hz is not None else sample_rate_hz
    if rate is None:
        raise BadRequest("sample_rate_hz is required (in the JSON body or the query)")
    speed = parsed.shaft_speed_hz if parsed.shaft_speed_hz is not None else shaft_speed_hz
    return SignalInput(_numbers(parsed.signal), rate, speed)


def parse_float32(body: bytes, sample_rate_hz: float | None, shaft_speed_hz: float | None) -> SignalInput:
    if sample_rate_hz is None:
        raise BadRequest("an octet-stream body needs ?sample_rate_hz=")
    if len(body) % FLOAT32_LE.itemsize:
        raise BadRequest(f"an octet-stream body is little-endian float32 samples: {len(body)} bytes is not a "
                         f"multiple of {FLOAT32_LE.itemsize}")
    return SignalInput(np.frombuffer(body, dtype=FLOAT32_LE).astype(np.float64), sample_rate_hz, shaft_speed_hz)


def parse_signal(body: bytes, content_type: str, sample_rate_hz: float | None,
                 shaft_speed_hz: float | None) -> SignalInput:
    """Blocking (a 10 MB JSON takes a while: run it on a worker thread)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON_TYPE:
        return parse_json(body, sample_rate_hz, shaft_speed_hz)
    if media == OCTET_TYPE:
        return parse_float32(body, sample_rate_hz, shaft_speed_hz)
    raise UnsupportedBody(f"send {JSON_TYPE} or {OCTET_TYPE} (little-endian float32), not {media or 'no type'!r}")
