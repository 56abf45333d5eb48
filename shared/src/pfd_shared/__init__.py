"""PFD shared library: the contract (events, topics) and the plumbing every service runs on."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-shared")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree without install
    __version__ = "0.0.0"
