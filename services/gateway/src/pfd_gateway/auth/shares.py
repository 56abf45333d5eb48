"""Resource ownership and sharing for every later slice (datasets, experiments, models...).

A slice keeps ``owner_id`` on its own read model and calls ``ensure_access`` before serving one
resource, and ``visible_clause`` (SQL) or ``filter_visible`` (memory) for lists. Refusals of resources
the caller may not see are NotFound, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, delete, insert, or_, select, true
from sqlalchemy.exc import IntegrityError

from pfd_gateway.auth.context import AuthContext, new_id
from pfd_gateway.auth.errors import Forbidden, InvalidInput, NotFound
from pfd_gateway.db import resource_shares, users
from pfd_gateway.domain.access import Access, Principal, access_to, can_see

T = TypeVar("T")


class ShareService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx

    async def shared_with(self, resource_type: str, resource_id: str) -> set[str]:
        """Ids of the users a resource is shared with."""
        query = select(resource_shares.c.shared_with_user_id).where(
            resource_shares.c.resource_type == resource_type, resource_shares.c.resource_id == resource_id)
        async with self.ctx.db() as db:
            return set((await db.execute(query)).scalars().all())

    async def ensure_access(self, principal: Principal, resource_type: str, resource_id: str, owner_id: str,
                            *, write: bool = False) -> Access:
        """The caller's access; NotFound when they may not see it, Forbidden when they may only read it."""
        shared = () if principal.is_admin or principal.user_id == owner_id else \
            await self.shared_with(resource_type, resource_id)
        access = access_to(principal, owner_id, shared)
        if access is Access.NONE:
            raise NotFound()
        if write and access is not Access.WRITE:
            raise Forbidden("Shared with you read-only.")
        return access

    async def share(self, principal: Principal, resource_type: str, resource_id: str, owner_id: str,
                    with_user_id: str) -> None:
        """Share with another user (owner or admin only); sharing twice is harmless."""
        await self.ensure_access(principal, resource_type, resource_id, owner_id, write=True)
        if with_user_id == owner_id:
            raise InvalidInput("shared_with_user_id", "The owner already has access.")
        async with self.ctx.db() as db:
            if (await db.execute(select(users.c.id).where(users.c.id == with_user_id))).first() is None:
                raise InvalidInput("shared_with_user_id", "No such user.")
        try:
            async with self.ctx.db() as db, db.begin():
                await db.execute(insert(resource_shares).values(
                    id=new_id(), resource_type=resource_type, resource_id=resource_id, owner_id=owner_id,
                    shared_with_user_id=with_user_id, created_at=self.ctx.now()))
        except IntegrityError:
            return

    async def unshare(self, principal: Principal, resource_type: str, resource_id: str, owner_id: str,
                      with_user_id: str) -> None:
        await self.ensure_access(principal, resource_type, resource_id, owner_id, write=True)
        async with self.ctx.db() as db, db.begin():
            await db.execute(delete(resource_shares).where(
                resource_shares.c.resource_type == resource_type, resource_shares.c.resource_id == resource_id,
                resource_shares.c.shared_with_user_id == with_user_id))

    async def shared_ids(self, principal: Principal, resource_type: str) -> set[str]:
        """Ids of the resources of one type shared with the caller."""
        async with self.ctx.db() as db:
            return set((await db.execute(_shared_with(principal, resource_type))).scalars().all())

    async def filter_visible(self, principal: Principal, resource_type: str, items: Iterable[T],
                             key: Callable[[T], tuple[str, str]]) -> list[T]:
        """Keep the items the caller may see; ``key`` gives (resource_id, owner_id) of an item."""
        shared = set() if principal.is_admin else await self.shared_ids(principal, resource_type)
        return [item for item in items
                if can_see(principal, key(item)[1], {principal.user_id} if key(item)[0] in shared else ())]

    @staticmethod
    def visible_clause(principal: Principal, resource_type: str, id_column: ColumnElement[str],
                       owner_column: ColumnElement[str]) -> ColumnElement[bool]:
        """WHERE clause for list queries on a gateway read model: own or shared rows (everything for admins)."""
        if principal.is_admin:
            return true()
        return or_(owner_column == principal.user_id, id_column.in_(_shared_with(principal, resource_type)))


def _shared_with(principal: Principal, resource_type: str) -> Select[tuple[str]]:
    """Ids of the resources of one type shared with the principal."""
    return select(resource_shares.c.resource_id).where(
        resource_shares.c.resource_type == resource_type, resource_shares.c.shared_with_user_id == principal.user_id)
