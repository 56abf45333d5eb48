"""Settings in a real browser, as a fresh member: API key create/use/revoke, 2FA enrol and off, strength meter."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.integration
playwright_api = pytest.importorskip("playwright.sync_api")
pyotp = pytest.importorskip("pyotp")
expect = playwright_api.expect
MEMBER_PASSWORD = "member-test-password-42"  # noqa: S105 - throwaway account


@pytest.fixture
def member(signed_in, browser, gateway):
    """A new member created by the admin through the API, signed in in a tab of its own."""
    email = f"member-{uuid.uuid4().hex[:8]}@pfd.test"
    csrf = next(c["value"] for c in signed_in.context.cookies() if c["name"] == "pfd_csrf")
    created = signed_in.request.post(f"{gateway.url}/api/v1/users", headers={"X-CSRF-Token": csrf},
                                     data={"email": email, "password": MEMBER_PASSWORD, "role": "member"})
    assert created.status == 201, created.text()
    context = browser.new_context(base_url=gateway.url, viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    login = tab.request.post(f"{gateway.url}/api/v1/auth/login", data={"email": email, "password": MEMBER_PASSWORD})
    assert login.status == 200, login.text()
    yield tab, email
    context.close()


def test_api_key_is_created_copied_used_and_revoked(member, gateway, shoot) -> None:
    page, email = member
    page.goto("/settings")
    expect(page.locator("#settings-profile")).to_contain_text(email)
    page.get_by_role("tab", name="API keys").click()
    expect(page.locator("#settings-keys")).to_contain_text("No API key yet")
    page.fill("#settings-key-name", "browser key")
    page.click("#settings-key-create")
    expect(page.locator("#settings-new-key")).to_have_text(re.compile(r"^pfd_"))
    key = page.locator("#settings-new-key").inner_text()
    expect(page.locator("#settings-keys-table")).to_contain_text("browser key")
    assert page.request.get(f"{gateway.url}/api/v1/auth/me", headers={"X-API-Key": key}).status == 200
    shoot(page, "settings-api-keys")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#settings-keys-table button:has-text('Revoke')")
    expect(page.locator("#settings-keys-table")).to_contain_text("revoked")
    assert page.request.get(f"{gateway.url}/api/v1/auth/me", headers={"X-API-Key": key}).status == 401


def test_two_factor_enrol_confirm_and_turn_off(member, shoot) -> None:
    page, _ = member
    page.goto("/settings")
    page.get_by_role("tab", name="Security").click()
    expect(page.locator("#settings-sessions-table")).to_contain_text("this session")
    expect(page.locator("#settings-history-table")).to_contain_text("success")
    page.click("#settings-totp-enrol")
    secret = page.locator("#settings-totp-secret").inner_text()
    page.fill("#settings-totp-code", pyotp.TOTP(secret).now())
    page.click("#settings-totp-confirm")
    expect(page.locator("#settings-recovery-codes")).to_be_visible()
    shoot(page, "settings-security")
    recovery = page.locator("#settings-recovery-codes").inner_text().split()[0]
    page.get_by_role("tab", name="Profile").click()
    expect(page.locator("#settings-profile")).to_contain_text("on")
    page.get_by_role("tab", name="Security").click()
    page.fill("#settings-totp-disable-password", MEMBER_PASSWORD)
    page.fill("#settings-totp-disable-code", recovery)
    page.click("#settings-totp-disable")
    expect(page.locator("#settings-totp-result")).to_contain_text("is off")


def test_password_strength_meter_reacts_while_typing(member) -> None:
    page, _ = member
    page.goto("/settings")
    page.get_by_role("tab", name="Password").click()
    page.fill("#settings-password-new", "abc")
    expect(page.locator("#settings-password-strength")).to_contain_text("Very weak")
    page.fill("#settings-password-new", "Correct-Horse-Battery-9")
    expect(page.locator("#settings-password-strength")).to_contain_text("Strong")
    page.fill("#settings-password-current", MEMBER_PASSWORD)
    page.fill("#settings-password-repeat", "something else")
    page.click("#settings-password-submit")
    expect(page.locator("#settings-password-result")).to_contain_text("differ")
