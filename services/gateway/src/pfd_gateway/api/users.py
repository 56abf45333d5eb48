"""Admin user management: list, create (password generated when none is given), change role or deactivate."""

from __future__ import annotations

from fastapi import APIRouter, status

from pfd_gateway.api.account_models import UserCreate, UserCreatedPublic, UserPublic, UserUpdate
from pfd_gateway.api.deps import API_PREFIX, AuthDep, RequireAdmin

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"])


@router.get("")
async def list_users(_: RequireAdmin, auth: AuthDep) -> list[UserPublic]:
    return [UserPublic.of(u) for u in await auth.users.list()]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, _: RequireAdmin, auth: AuthDep) -> UserCreatedPublic:
    created = await auth.users.create(body.email, body.password, body.role)
    return UserCreatedPublic(user=UserPublic.of(created.user), generated_password=created.generated_password)


@router.get("/{user_id}")
async def get_user(user_id: str, _: RequireAdmin, auth: AuthDep) -> UserPublic:
    return UserPublic.of(await auth.users.get(user_id))


@router.patch("/{user_id}")
async def update_user(user_id: str, body: UserUpdate, _: RequireAdmin, auth: AuthDep) -> UserPublic:
    """Deactivating ends the user's sessions and revokes their keys; the last active admin stays."""
    return UserPublic.of(await auth.users.update(user_id, role=body.role, is_active=body.is_active))
