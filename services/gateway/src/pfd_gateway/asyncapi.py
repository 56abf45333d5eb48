"""The gateway's AsyncAPI document (checked in as services/gateway/asyncapi.yaml)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry

from pfd_shared.contracts import render_asyncapi
from pfd_shared.settings import KafkaSettings
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_gateway import __version__
from pfd_gateway.settings import GatewaySettings


def document() -> str:
    """Rendered from the real subscribers and publishers, with default settings."""
    from pfd_gateway.bootstrap import build_gateway

    settings = GatewaySettings(kafka=KafkaSettings(), instance_id="docs", var_dir=Path(tempfile.gettempdir()))
    gateway = build_gateway(settings, ServiceMetrics(CollectorRegistry()))
    return render_asyncapi(gateway.runtime.broker, title="pfd-gateway", version=__version__,
                           description="Gateway: projects domain events for the REST API and the /ws live feed.")
