"""Why a deployment stops before it registers a version (torch-free, so the service starts without the export
stack: pipeline.py is imported by the first deployment)."""

from __future__ import annotations


class DeploymentCancelled(Exception):
    """A cancel request arrived; the deployment stopped between two stages."""


class NotExportable(ValueError):
    """The run cannot be exported (a classical model, an unreadable artefact, no usable data)."""
