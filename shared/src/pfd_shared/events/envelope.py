"""The envelope every event travels in, and the base class of every payload."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from pfd_shared.topics import TopicSpec


class EventPayload(BaseModel):
    """Base of every event payload: frozen, additive-only (unknown fields are ignored).

    Subclasses set ``event_type`` (past tense for facts, imperative for requests),
    ``schema_version`` and ``topic``, and implement ``key`` (the aggregate id).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    topic: ClassVar[TopicSpec]

    def key(self) -> str:
        """The aggregate id: the Kafka key of the message."""
        raise TypeError(f"{type(self).__name__} must define key()")


P = TypeVar("P", bound=EventPayload)


class Envelope(BaseModel, Generic[P]):
    """Metadata shared by every event, around a typed payload."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID = Field(default_factory=uuid4, description="Unique id; consumers deduplicate on it.")
    type: str = Field(description="Event type name, e.g. 'system.status_reported'.")
    schema_version: int = Field(ge=1, description="Version of the payload schema.")
    occurred_at: AwareDatetime = Field(description="When the fact happened (timezone-aware).")
    correlation_id: UUID = Field(description="Id shared by every event of one user action.")
    causation_id: UUID | None = Field(default=None, description="event_id of the event that caused this one.")
    producer: str = Field(min_length=1, description="Service that published the event.")
    owner: str | None = Field(default=None, description="User id that owns the affected resource.")
    payload: P

    @model_validator(mode="after")
    def _type_matches_payload(self) -> Envelope[P]:
        expected = getattr(type(self.payload), "event_type", None)
        if expected is not None and self.type != expected:
            raise ValueError(f"envelope type {self.type!r} does not match payload type {expected!r}")
        return self

    def key(self) -> bytes:
        """The Kafka key: the payload's aggregate id."""
        return self.payload.key().encode()


def new_envelope(
    payload: P,
    *,
    producer: str,
    owner: str | None = None,
    cause: Envelope[Any] | None = None,
    correlation_id: UUID | None = None,
) -> Envelope[P]:
    """Wrap a payload; a caused event inherits the correlation id and owner of its cause."""
    if cause is not None:
        correlation_id = correlation_id or cause.correlation_id
        owner = owner if owner is not None else cause.owner
    return Envelope[type(payload)](  # type: ignore[misc]
        type=payload.event_type,
        schema_version=payload.schema_version,
        occurred_at=datetime.now(UTC),
        correlation_id=correlation_id or uuid4(),
        causation_id=cause.event_id if cause is not None else None,
        producer=producer,
        owner=owner,
        payload=payload,
    )
