"""Who may see and change what: principals, roles, scopes and the ownership policy (pure).

Members see their own resources and those explicitly shared with them; admins see everything.
A resource the viewer may not see must look exactly like a missing one (404, no existence leak).
Sharing grants read access only: changing a resource stays with its owner and admins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


ALL_SCOPES = frozenset(Scope)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Access(StrEnum):
    """What a viewer may do with one resource."""

    NONE = "none"
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request: a user, through a browser session or an API key."""

    user_id: str
    email: str
    role: Role
    scopes: frozenset[Scope]
    via: Literal["session", "api_key"]
    session_id: str | None = None
    api_key_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def required_scope(method: str) -> Scope:
    """GET/HEAD (and OPTIONS) read; every other method writes."""
    return Scope.READ if method.upper() in READ_METHODS else Scope.WRITE


def needs_csrf(method: str, via: str) -> bool:
    """Cookie-authenticated state changes need the CSRF token; API keys are not sent by browsers on their own."""
    return via == "session" and method.upper() not in READ_METHODS


def access_to(principal: Principal, owner_id: str, shared_with: Collection[str] = ()) -> Access:
    """The access policy for one resource owned by ``owner_id`` and shared with ``shared_with`` users."""
    if principal.is_admin or principal.user_id == owner_id:
        return Access.WRITE
    if principal.user_id in shared_with:
        return Access.READ
    return Access.NONE


def can_see(principal: Principal, owner_id: str, shared_with: Collection[str] = ()) -> bool:
    return access_to(principal, owner_id, shared_with) is not Access.NONE


def can_change(principal: Principal, owner_id: str) -> bool:
    return access_to(principal, owner_id) is Access.WRITE


def live_frame_visible(principal: Principal, frame_owner: str | None) -> bool:
    """System frames (no owner) reach every authenticated client; owned frames their owner and admins."""
    return frame_owner is None or principal.is_admin or principal.user_id == frame_owner
