"""Security headers on every response (pure ASGI, so errors and the dashboard get them too)."""

from __future__ import annotations

from typing import Any

from pfd_gateway.settings import SecurityHeadersSettings

API_PATH_PREFIX = "/api/"


class SecurityHeadersMiddleware:
    """Frame denial, no sniffing, referrer policy, a CSP Plotly Dash works with, HSTS over https, and
    ``Cache-Control: no-store`` on API responses (they may carry secrets shown once)."""

    def __init__(self, app: Any, settings: SecurityHeadersSettings) -> None:
        self.app = app
        self.settings = settings
        self.static = [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
                       (b"referrer-policy", settings.referrer_policy.encode()),
                       (b"cross-origin-opener-policy", b"same-origin")]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*self.static, (b"content-security-policy", self.csp(scope).encode())]
        if scope.get("scheme") == "https" and self.settings.hsts_max_age_s:
            extra.append((b"strict-transport-security", f"max-age={self.settings.hsts_max_age_s}".encode()))
        if scope.get("path", "").startswith(API_PATH_PREFIX):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *((k, v) for k, v in extra if k not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def csp(self, scope: dict[str, Any]) -> str:
        """The configured policy with ``{ws_origins}`` as the request's own ws:// and wss:// origins."""
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        host = "".join(ch for ch in host if ch.isalnum() or ch in ".-:[]")
        ws_origins = f"ws://{host} wss://{host}" if host else ""
        return self.settings.content_security_policy.replace("{ws_origins}", ws_origins)
