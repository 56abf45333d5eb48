"""The in-app inbox: a user's notifications, the bell's unread count, mark one or all read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import InvalidEvent, decode_event
from pfd_shared.events.notifications import NotificationCreated, NotificationsMarkReadRequested, NotificationsRead

from pfd_gateway.auth.errors import NotFound
from pfd_gateway.domain.access import Principal
from pfd_gateway.notifications.commands import Commands


class NotificationInbox:
    def __init__(self, commands: Commands) -> None:
        self.commands, self.table = commands, commands.tables.notifications

    async def list(self, principal: Principal, limit: int, *, unread_only: bool = False) -> list[dict[str, Any]]:
        query = select(self.table).where(self.table.c.user_id == principal.user_id)
        if unread_only:
            query = query.where(self.table.c.read_at.is_(None))
        query = query.order_by(self.table.c.created_at.desc()).limit(limit)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def unread_count(self, principal: Principal) -> int:
        c = self.table.c
        query = select(func.count()).select_from(self.table).where(c.user_id == principal.user_id, c.read_at.is_(None))
        async with self.commands.sessions() as session:
            return int((await session.execute(query)).scalar_one())

    async def bell(self, principal: Principal, items: int) -> tuple[int, list[dict[str, Any]]]:
        """The unread count and the latest notifications, for the header's bell."""
        return await self.unread_count(principal), await self.list(principal, items)

    async def mark_read(self, principal: Principal, notification_id: str) -> None:
        c = self.table.c
        async with self.commands.sessions() as session:
            found = (await session.execute(select(c.notification_id).where(
                c.notification_id == notification_id, c.user_id == principal.user_id))).first()
        if found is None:
            raise NotFound("No such notification.")
        await self._read(principal, (notification_id,))

    async def mark_all_read(self, principal: Principal) -> None:
        await self._read(principal, ())

    async def _read(self, principal: Principal, ids: tuple[str, ...]) -> None:
        now = datetime.now(UTC)
        c = self.table.c

        async def change(session: AsyncSession) -> None:
            query = update(self.table).where(c.user_id == principal.user_id, c.read_at.is_(None))
            if ids:
                query = query.where(c.notification_id.in_(ids))
            await session.execute(query.values(read_at=now))

        command = NotificationsMarkReadRequested(user_id=principal.user_id, notification_ids=ids, read_at=now)
        await self.commands.send(principal, command, change)


def with_pushed(rows: list[dict[str, Any]], pushed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``rows`` (newest first) with a pushed notification frame applied: the push and the projection consume the
    same events independently, so a frame can overtake its own projection."""
    event = _decode(pushed)
    if isinstance(event, NotificationCreated) and all(r["notification_id"] != event.notification_id for r in rows):
        row = event.model_dump(include={"notification_id", "user_id", "source_event_type", "title", "body", "level",
                                        "link", "created_at"}) | {"read_at": None}
        return [row, *rows]
    if isinstance(event, NotificationsRead):
        return [r | {"read_at": r["read_at"] or event.read_at}
                if not event.notification_ids or r["notification_id"] in event.notification_ids else r for r in rows]
    return rows


def unread_with_pushed(count: int, rows: list[dict[str, Any]], pushed: dict[str, Any] | None) -> int:
    """The unread count, plus a pushed notification that ``rows`` (the projection) does not have yet."""
    event = _decode(pushed)
    if isinstance(event, NotificationCreated) and all(r["notification_id"] != event.notification_id for r in rows):
        return count + 1
    return count


def _decode(pushed: dict[str, Any] | None) -> Any:
    if not pushed:
        return None
    try:
        return decode_event(json.dumps(pushed)).payload
    except InvalidEvent:
        return None
