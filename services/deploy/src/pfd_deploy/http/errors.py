"""Every refusal of the inference API as ``{"detail": reason, "error": kind}`` with its status — never a 500."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pfd_deploy.domain.errors import InvalidSignal
from pfd_deploy.http.parsing import BodyTooLarge, UnsupportedBody
from pfd_deploy.registry.reader import BrokenVersion, RegistryLookupError
from pfd_deploy.serving.errors import BadRequest, InferenceFailed, StoreUnavailable

STATUS = {
    InvalidSignal: 422,
    BadRequest: 422,
    BodyTooLarge: 413,
    UnsupportedBody: 415,
    RegistryLookupError: 404,
    BrokenVersion: 409,
    StoreUnavailable: 503,
    InferenceFailed: 503,
}
ERROR_RESPONSES = {
    404: {"description": "Unknown model, alias or version."},
    409: {"description": "The version is broken (failed to load) and is not served."},
    413: {"description": "The body is larger than the limit."},
    415: {"description": "The body is neither JSON nor octet-stream."},
    422: {"description": "The signal or the request cannot be used (NaN/inf, empty, too short, dimensionality)."},
    503: {"description": "The object store or ONNX Runtime failed; try again."},
}


def error_body(kind: str, reason: str) -> dict[str, str]:
    return {"detail": reason, "error": kind}


def _handler(status: int):
    async def handle(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(type(exc).__name__, str(exc)), status_code=status)

    return handle


async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
    reason = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
    return JSONResponse(error_body("RequestValidationError", reason), status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    for error, status in STATUS.items():
        app.add_exception_handler(error, _handler(status))
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
