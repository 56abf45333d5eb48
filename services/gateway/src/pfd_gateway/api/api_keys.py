"""The current user's API keys: create (shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from pfd_gateway.api.account_models import ApiKeyCreate, ApiKeyCreatedPublic, ApiKeyPublic
from pfd_gateway.api.deps import API_PREFIX, AuthDep, CurrentPrincipal

router = APIRouter(prefix=f"{API_PREFIX}/api-keys", tags=["api keys"])


@router.get("")
async def list_api_keys(principal: CurrentPrincipal, auth: AuthDep) -> list[ApiKeyPublic]:
    return [ApiKeyPublic.of(k) for k in await auth.api_keys.list(principal)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_api_key(body: ApiKeyCreate, principal: CurrentPrincipal, auth: AuthDep) -> ApiKeyCreatedPublic:
    """Send it as ``Authorization: Bearer <key>`` or ``X-API-Key``; GET/HEAD need ``read``, the rest ``write``."""
    created = await auth.api_keys.create(principal, body.name, body.scopes, body.expires_at)
    return ApiKeyCreatedPublic(**ApiKeyPublic.of(created.record).model_dump(), key=created.key)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def revoke_api_key(key_id: str, principal: CurrentPrincipal, auth: AuthDep) -> None:
    """Effective on the key's next request."""
    await auth.api_keys.revoke(principal, key_id)
