"""The deploy service's inference API seen from the gateway: one async httpx client with timeouts, whose failures
become the gateway's own errors (422 bad signal, 404 unknown model / alias / version, 409 broken version, 503 the
deploy service is down or too slow) with the deploy service's reason."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import numpy as np

from pfd_gateway.auth.errors import AuthError, Conflict, InvalidInput, NotFound, ServiceUnavailable
from pfd_gateway.settings import PredictSettings

log = logging.getLogger(__name__)
PREDICT_PATH = "/v1/models/{name}/predict"
OCTET_STREAM = "application/octet-stream"
UNREACHABLE = "the deploy service is not reachable"
REQUIRED_FIELDS = ("probabilities", "predicted_class", "model_name", "version")


class DeployServiceError(ServiceUnavailable):
    """The deploy service answered in a way the gateway cannot use (5xx, not the contract's JSON)."""


@dataclass(frozen=True)
class Target:
    """Which version of which model: ``alias`` or ``version`` (exactly one)."""

    model_name: str
    alias: str | None = None
    version: int | None = None

    def __post_init__(self) -> None:
        if not self.model_name.strip():
            raise InvalidInput("model_name", "Name the model to predict with.")
        if (self.alias is None) == (self.version is None):
            raise InvalidInput("alias", "Give either an alias (e.g. production) or a version, not both.")

    def params(self) -> dict[str, str]:
        return {"alias": self.alias} if self.alias is not None else {"version": str(self.version)}


def _detail(response: httpx.Response) -> str:
    """The deploy service's reason ({"detail": str | [{"msg"}...]}), else the response's status text."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:500] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):
        return "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
    return str(detail) if detail else response.reason_phrase


def error_for(response: httpx.Response) -> AuthError:
    """The gateway error for a deploy answer that is not a 2xx."""
    reason = _detail(response)
    code = response.status_code
    if code in (httpx.codes.UNPROCESSABLE_ENTITY, httpx.codes.BAD_REQUEST):
        return InvalidInput("signal", reason)
    if code == httpx.codes.NOT_FOUND:
        return NotFound(reason)
    if code == httpx.codes.CONFLICT:
        return Conflict(reason)
    if code == httpx.codes.SERVICE_UNAVAILABLE:
        return ServiceUnavailable(f"The deploy service cannot serve this model now: {reason}")
    return DeployServiceError(f"The deploy service failed ({code}): {reason}")


class DeployClient:
    """POSTs one signal (float32 octet-stream) to ``{deploy_url}/v1/models/{name}/predict``."""

    def __init__(self, settings: PredictSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        timeout = httpx.Timeout(settings.request_timeout_s, connect=settings.connect_timeout_s)
        limits = httpx.Limits(max_connections=settings.max_connections,
                              max_keepalive_connections=settings.max_connections)
        self._http = httpx.AsyncClient(base_url=settings.deploy_url.rstrip("/"), timeout=timeout, limits=limits,
                                       transport=transport)

    async def predict(self, target: Target, signal: np.ndarray, sample_rate_hz: float,
                      shaft_speed_hz: float | None = None) -> dict[str, Any]:
        """The deploy service's answer (probabilities, predicted_class, model_name, version, alias, variant,
        windows, latency_ms); gateway errors otherwise (see ``error_for``)."""
        params = {**target.params(), "sample_rate_hz": repr(float(sample_rate_hz))}
        if shaft_speed_hz is not None:
            params["shaft_speed_hz"] = repr(float(shaft_speed_hz))
        body = np.ascontiguousarray(signal, dtype="<f4").tobytes()
        path = PREDICT_PATH.format(name=quote(target.model_name, safe=""))
        try:
            response = await self._http.post(path, params=params, content=body,
                                              headers={"Content-Type": OCTET_STREAM})
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(f"{UNREACHABLE}: no answer within {self.settings.request_timeout_s:g}s") from exc
        except httpx.TransportError as exc:
            log.warning("deploy service at %s unreachable: %s", self.settings.deploy_url, exc)
            raise ServiceUnavailable(UNREACHABLE) from exc
        if not response.is_success:
            raise error_for(response)
        return _answer(response)

    async def aclose(self) -> None:
        await self._http.aclose()


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise DeployServiceError("The deploy service's answer is not JSON.") from exc
    missing = [name for name in REQUIRED_FIELDS if not isinstance(body, dict) or name not in body]
    if missing:
        raise DeployServiceError(f"The deploy service's answer lacks {', '.join(missing)}.")
    return body  # type: ignore[no-any-return]
