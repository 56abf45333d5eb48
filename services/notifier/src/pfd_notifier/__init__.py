"""PFD notifier service: applies each user's preferences to domain events (in-app, email, webhooks, digests)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-notifier")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
