"""The dashboard mounted in the gateway app: routes keep precedence, pages need a user, no inline scripts."""

import re

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry

from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_gateway.bootstrap import create_app
from pfd_gateway.settings import GatewaySettings


@pytest.fixture
async def client(tmp_path):
    app = create_app(GatewaySettings(var_dir=tmp_path, instance_id="gw-dash"), ServiceMetrics(CollectorRegistry()))
    gateway = app.state.gateway
    gateway.runtime.migrate()
    async with TestKafkaBroker(gateway.runtime.broker):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield http


async def test_pages_redirect_to_login_and_api_routes_keep_precedence(client) -> None:
    response = await client.get("/system")
    assert response.status_code == 302 and response.headers["location"] == "/login?next=/system"
    assert (await client.get("/health/live")).json() == {"status": "alive"}
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    assert (await client.get("/metrics")).status_code == 200
    missing = await client.get("/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


async def test_login_page_has_no_inline_script_and_its_scripts_are_served(client) -> None:
    page = (await client.get("/login")).text
    assert "_dash-config" in page
    inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
              if "src=" not in attrs and "application/json" not in attrs and body.strip()]
    assert all("Internet Explorer" in body for body in inline)  # only Dash's IE notice, inside an HTML comment
    for src in re.findall(r'<script[^>]+src="([^"]+)"', page):
        assert (await client.get(src)).status_code == 200, src
    layout = (await client.get("/_dash-layout")).json()
    assert "shell-live-config" not in str(layout)  # signed out: no live channel
