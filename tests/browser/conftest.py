"""Browser tests: a real gateway process on the real infrastructure, driven by Playwright + Debian chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pfd_shared.localstack.processes import ManagedProcess, free_port
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
ADMIN_EMAIL = "browser-admin@pfd.test"
ADMIN_PASSWORD = "browser-test-password-42"  # noqa: S105 - a throwaway account in a throwaway database
TIMEOUT_MS = 15_000
playwright_api.expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class RunningGateway:
    url: str
    env: dict[str, str]
    var_dir: Path
    processes: list[ManagedProcess]


def gateway_env(infra, port: int, var_dir: Path, database_url: str) -> dict[str, str]:
    env = service_env("PFD_GATEWAY_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
    return env | {"PFD_GATEWAY_STATUS_INTERVAL_S": "1", "PFD_GATEWAY_STATUS_TTL_S": "4",
                  "PFD_GATEWAY_DASHBOARD__SAMPLE_INTERVAL_S": "1", "PFD_GATEWAY_AUTH__CREATE_DEV_ADMIN": "false",
                  "PFD_GATEWAY_TELEMETRY__LOG_FORMAT": "console"}


@pytest.fixture(scope="package")
def deploy_url() -> str:
    """Where the gateway expects the deploy service's inference API (test_predict_page serves one there)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="package")
def gateway(infra, tmp_path_factory, deploy_url) -> Iterator[RunningGateway]:
    """One gateway for the browser suite (stopped after it: its status rounds must not reach later tests),
    with an admin created through ``pfd-gateway create-admin``."""
    var_dir = tmp_path_factory.mktemp("browser-gateway")
    port = free_port()
    with fresh_postgres_database(infra.postgres_url) as database_url:
        env = gateway_env(infra, port, var_dir, database_url) | {"PFD_GATEWAY_PREDICT__DEPLOY_URL": deploy_url}
        created = subprocess.run(
            [sys.executable, "-m", "pfd_gateway", "create-admin", "--email", ADMIN_EMAIL, "--password", "-"],
            input=ADMIN_PASSWORD + "\n", env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
        assert created.returncode == 0, created.stderr
        processes = [start_service("gateway", [sys.executable, "-m", "pfd_gateway"], env, port, var_dir / "gw.log")]
        try:
            yield RunningGateway(f"http://127.0.0.1:{port}", env, var_dir, processes)
        finally:
            for proc in processes:
                proc.stop()


@pytest.fixture(scope="module")
def browser(gateway) -> Iterator[object]:
    """Chromium for one test module. Playwright's sync API keeps an event loop running in this thread while it
    is open, so it starts after the infrastructure and stops with the module (later tests use asyncio.run)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run tools/install_chromium.sh")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, gateway) -> Iterator[object]:
    """A fresh, signed-out browser tab on the gateway."""
    context = browser.new_context(base_url=gateway.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def signed_in(page, gateway):
    """A tab whose context holds a session (logged in through the API, as the login form does)."""
    response = page.request.post(f"{gateway.url}/api/v1/auth/login",
                                 data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert response.status == 200, response.text()
    return page


@dataclass(frozen=True)
class Account:
    email: str
    password: str


@pytest.fixture(scope="package")
def admin() -> Account:
    return Account(ADMIN_EMAIL, ADMIN_PASSWORD)


@pytest.fixture(scope="session")
def shoot():
    """``shoot(page, name)`` saves a full-page screenshot under test-output/screenshots/."""

    def save(tab, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return save
