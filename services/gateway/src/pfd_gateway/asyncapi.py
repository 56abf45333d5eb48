"""The gateway's AsyncAPI document (checked in as services/gateway/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi

from pfd_gateway import __version__
from pfd_gateway.settings import GatewaySettings


def document() -> str:
    """Rendered from the real subscribers and publishers, with default settings."""
    from pfd_gateway.bootstrap import build_gateway

    gateway = build_gateway(docs_settings(GatewaySettings), docs_metrics())
    return render_asyncapi(gateway.runtime.broker, title="pfd-gateway", version=__version__,
                           description="Gateway: projects domain events for the REST API and the /ws live feed.")
