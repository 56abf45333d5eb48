"""Where requests carry credentials (cookies, headers, the /ws query), independent of the web framework."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SESSION_COOKIE = "pfd_session"
CSRF_COOKIE = "pfd_csrf"
CSRF_HEADER = "x-csrf-token"
API_KEY_HEADER = "x-api-key"
API_KEY_QUERY = "api_key"
BEARER = "bearer "


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carries: an API key wins over a session cookie (and needs no CSRF token)."""

    method: str
    session_token: str | None = None
    csrf_cookie: str | None = None
    csrf_header: str | None = None
    api_key: str | None = None


def credentials_from(method: str, headers: Mapping[str, str], cookies: Mapping[str, str],
                     query: Mapping[str, str] | None = None) -> Credentials:
    """``headers`` with lower-case names; ``query`` only for /ws, where browsers cannot set headers."""
    authorization = headers.get("authorization", "")
    api_key = authorization[len(BEARER):].strip() if authorization.lower().startswith(BEARER) else None
    api_key = api_key or headers.get(API_KEY_HEADER) or (query or {}).get(API_KEY_QUERY)
    return Credentials(method.upper(), cookies.get(SESSION_COOKIE), cookies.get(CSRF_COOKIE),
                       headers.get(CSRF_HEADER), api_key or None)
