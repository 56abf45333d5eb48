"""PFD training service: training jobs from a database queue, checkpoints and resume, evaluation, artefacts."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pfd-training")
except PackageNotFoundError:  # pragma: no cover
    __version__ = "0.0.0"
