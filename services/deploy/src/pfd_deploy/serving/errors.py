"""Serving's specific exceptions (the registry's own are in pfd_deploy.registry.reader)."""

from __future__ import annotations


class ArtefactUnloadable(Exception):
    """A version's artefact is missing, corrupt (checksum) or not a loadable PFD ONNX model: it gets marked broken."""


class StoreUnavailable(Exception):
    """The object store could not be reached: nothing is marked broken, the caller may retry."""


class InferenceFailed(RuntimeError):
    """ONNX Runtime failed while running a loaded model on a valid signal."""


class BadRequest(ValueError):
    """The prediction request itself is malformed (both alias and version, a bad body); the message says why."""


class BatchInputError(ValueError):
    """A batch's input (data set or uploaded CSV) is missing or unreadable: the batch fails with this reason."""
