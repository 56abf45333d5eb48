"""The common service runtime: broker wiring, status responder, health, metrics, graceful shutdown."""

from pfd_shared.runtime.service import Database, ServiceRuntime

__all__ = ["Database", "ServiceRuntime"]
