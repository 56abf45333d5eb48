"""Feature projections of a data set (PCA, t-SNE, UMAP): request, progress, outcome, cancellation.

The aggregate is one projection (``projection_id``: data-set object, method, parameters and record filter);
its result lies in the object store beside the data set (``storage.keys.projection_key``).
"""

from __future__ import annotations

from pydantic import Field

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload
from pfd_shared.exploration.models import ID_HEX, ProjectionMethod, ProjectionSpec, RecordFilter

ID_PATTERN = rf"^[0-9a-f]{{{ID_HEX}}}$"


class _ProjectionEvent(EventPayload):
    projection_id: str = Field(pattern=ID_PATTERN, description="The projection's cache key.")
    dataset_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

    def key(self) -> str:
        """projection_id"""
        return self.projection_id


class ProjectionRequested(_ProjectionEvent):
    """Project the standardised features of a data set's filtered records to 2-D."""

    event_type = "projections.requested"
    topic = topics.PROJECTION_REQUESTED

    spec: ProjectionSpec
    record_filter: RecordFilter = RecordFilter()


class ProjectionProgress(_ProjectionEvent):
    """How far a projection has come (stage, and iterations or steps done of total)."""

    event_type = "projections.progress"
    topic = topics.PROJECTION_PROGRESS

    stage: str
    done: int = Field(ge=0)
    total: int = Field(ge=0)


class ProjectionReady(_ProjectionEvent):
    """A projection is stored: ``records`` x 2 float32 coordinates in ``object_key`` (.npy), parameters beside."""

    event_type = "projections.ready"
    topic = topics.PROJECTION_READY

    method: ProjectionMethod
    records: int = Field(ge=0)
    object_key: str
    seconds: float = Field(ge=0)
    cached: bool = Field(default=False, description="Found already stored: nothing was computed.")


class ProjectionFailed(_ProjectionEvent):
    """A projection could not be computed; the reason says why."""

    event_type = "projections.failed"
    topic = topics.PROJECTION_FAILED

    reason: str


class ProjectionCancelRequested(_ProjectionEvent):
    """Stop a running projection (every data-gen instance listens; the one running it stops)."""

    event_type = "projections.cancel_requested"
    topic = topics.PROJECTION_CANCEL_REQUESTED


class ProjectionCancelled(_ProjectionEvent):
    """A projection stopped on request; nothing was stored."""

    event_type = "projections.cancelled"
    topic = topics.PROJECTION_CANCELLED
