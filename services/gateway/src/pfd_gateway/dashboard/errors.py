"""The dashboard's error boundary: a failed callback shows an alert with the correlation id, never a trace."""

from __future__ import annotations

import logging
import uuid

import dash_bootstrap_components as dbc
from dash import html, set_props

from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.dashboard.bridge import BridgeError

log = logging.getLogger(__name__)
ERROR_AREA = "shell-error"  # owned by the boundary: no callback declares it as an Output


class UserFacingError(Exception):
    """A failure whose message is meant for the user as it is (validation, a refused action)."""


def message_for(exc: Exception) -> str:
    if isinstance(exc, UserFacingError):
        return str(exc)
    if isinstance(exc, BridgeError):
        return f"The gateway is busy or restarting: {exc}. Try again in a moment."
    return "Something went wrong while updating this view."


def error_alert(message: str, correlation_id: str) -> dbc.Alert:
    return dbc.Alert([
        html.I(className="bi bi-exclamation-triangle-fill me-2"), html.Span(message, className="me-2"),
        html.Small(["Correlation id: ", html.Code(correlation_id, id="shell-error-correlation")],
                   className="d-block mt-1 text-body-secondary"),
    ], color="danger", dismissable=True, className="mb-3", id="shell-error-alert")


def error_boundary(exc: Exception) -> None:
    """``Dash(on_error=...)``: log the trace with the correlation id, show the alert, leave outputs unchanged."""
    correlation_id = correlation_id_var.get() or str(uuid.uuid4())
    if isinstance(exc, UserFacingError):
        log.info("dashboard action refused: %s", exc)
    else:
        log.error("dashboard callback failed (correlation id %s)", correlation_id, exc_info=exc)
    set_props(ERROR_AREA, {"children": error_alert(message_for(exc), correlation_id)})
    return None
