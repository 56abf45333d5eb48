"""The dashboard in a real browser: login, every page with real content, live push, theme, screenshots."""

from __future__ import annotations

import re
import sys

import pytest

from pfd_shared.localstack.processes import free_port
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect


def test_signed_out_visitor_is_sent_to_login_and_can_sign_in(page, admin, shoot) -> None:
    page.goto("/system")
    expect(page).to_have_url(re.compile(r"/login\?next=/system$"))
    page.fill("#login-email", admin.email)
    page.fill("#login-password", "wrong-password-123")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_contain_text("Wrong email or password")
    shoot(page, "login")
    page.fill("#login-password", admin.password)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/system$"))
    expect(page.locator("#shell-user-menu")).to_contain_text(admin.email.split("@")[0])


def test_home_shows_live_stats_and_runs_a_status_round(signed_in, shoot) -> None:
    page = signed_in
    page.goto("/")
    expect(page.locator("#shell-ws-state")).to_have_text("live")
    expect(page.locator("#home-stat-services .pfd-stat-value")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(page.locator("#home-coming")).to_contain_text("Filled by the training service")
    expect(page.locator("#home-activity")).to_contain_text("Live updates connected")
    page.click("#home-run-round")
    expect(page.locator("#home-round-alert")).to_contain_text(re.compile(r"[1-9]\d* instance\(s\) answered"))
    expect(page.locator("#shell-sidebar")).to_contain_text("System health")
    shoot(page, "home")


def test_system_health_shows_services_host_checks_and_logs(signed_in, shoot) -> None:
    page = signed_in
    page.goto("/system")
    expect(page.locator("#system-health-services-table")).to_contain_text("gateway")
    expect(page.locator("#system-health-host")).to_contain_text("Memory:")
    expect(page.locator("#system-health-host")).to_contain_text("GPU")
    checks = page.locator("#system-health-checks .bi-check-circle-fill")
    expect(checks).to_have_count(3)
    expect(page.locator("#system-health-logs")).to_contain_text("INFO")
    expect(page.locator("#system-health-host-graph .main-svg").first).to_be_visible()
    shoot(page, "system-health")
    page.select_option("#system-health-log-level", "ERROR")
    expect(page.locator("#system-health-logs")).not_to_contain_text("INFO")


def test_api_monitoring_shows_endpoint_traffic(signed_in, shoot) -> None:
    page = signed_in
    page.request.get("/api/v1/system/services")
    page.goto("/api")
    expect(page.locator("#api-monitoring-table")).to_contain_text("/api/v1/system/services")
    expect(page.locator("#api-monitoring-keys")).to_contain_text("API-key")
    page.click("label[for='_dbcprivate_radioitems_api-monitoring-range_input_15']")
    expect(page.locator("#api-monitoring-coverage")).to_contain_text("15m")
    expect(page.locator("#api-monitoring-rate .main-svg").first).to_be_visible()
    shoot(page, "api-monitoring")


def test_a_started_service_appears_live_without_reload(signed_in, gateway, infra, unique, tmp_path) -> None:
    page = signed_in
    page.goto("/system")
    expect(page.locator("#system-health-services-table")).to_contain_text("gateway")
    name = f"browser-probe-{unique}"
    port = free_port()
    env = service_env("PFD_RUNTIME_", infra, port=port, var_dir=str(tmp_path))
    probe = start_service(name, [sys.executable, "-m", "pfd_shared.runtime", "--name", name], env, port,
                          tmp_path / "probe.log")
    try:
        expect(page.locator("#system-health-services-table")).to_contain_text(name)
        page.check("#system-health-pause")
        probe.stop()
        page.wait_for_timeout(1500)
        expect(page.locator("#system-health-services-table")).to_contain_text(name)  # paused: no update
        page.uncheck("#system-health-pause")
        expect(page.locator("#system-health-services-table")).not_to_contain_text(name)
    finally:
        probe.kill()


def test_theme_toggle_is_persisted(signed_in, shoot) -> None:
    page = signed_in
    page.goto("/")
    html = page.locator("html")
    start = html.get_attribute("data-bs-theme")
    page.click("#shell-theme-toggle")
    flipped = "dark" if start == "light" else "light"
    expect(html).to_have_attribute("data-bs-theme", flipped)
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", flipped)
    expect(page.locator("#home-stat-services")).to_be_visible()
    shoot(page, f"home-{flipped}")


def test_logout_from_the_user_menu(signed_in, shoot) -> None:
    page = signed_in
    page.goto("/settings")
    expect(page.locator("#settings-profile")).to_contain_text("admin")
    shoot(page, "settings-profile")
    page.click("#shell-user-menu")
    page.click("#shell-logout")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
