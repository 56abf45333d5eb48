"""Commands to the deploy service: an event wrapped with its owner and the request's correlation id, staged in the
outbox inside the caller's transaction (with the read model's own change), relayed after the commit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import EventPayload, new_envelope
from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.auth.errors import InvalidInput


@dataclass(frozen=True)
class CommandOutbox:
    outbox: Table
    relay: OutboxRelay
    producer: str

    async def stage(self, session: AsyncSession, command: EventPayload, owner: str) -> None:
        correlation = correlation_id_var.get()
        envelope = new_envelope(command, producer=self.producer, owner=owner,
                                correlation_id=uuid.UUID(correlation) if correlation else None)
        await add_to_outbox(session, self.outbox, envelope)

    def sent(self) -> None:
        """After the commit: wake the relay."""
        self.relay.notify()


def build_command(kind: type[EventPayload], default_field: str, **fields: Any) -> Any:
    """The command, or InvalidInput naming the first bad field (``default_field`` for a whole-command refusal)."""
    try:
        return kind(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or default_field
        raise InvalidInput(field, str(first["msg"]).removeprefix("Value error, ")) from exc
