"""OpenTelemetry tracing: an OTLP exporter when configured, otherwise spans stay in-process (no-op export)."""

from __future__ import annotations

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from pfd_shared.settings import TelemetrySettings


def make_tracer_provider(service: str, version: str, settings: TelemetrySettings) -> TracerProvider:
    """A tracer provider for this service; exports over OTLP/HTTP only when an endpoint is set."""
    provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": version}))
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider
