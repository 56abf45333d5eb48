"""PFD gateway: REST API, WebSocket of live events, read models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-gateway")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
