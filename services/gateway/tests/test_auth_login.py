"""Login, cookies, CSRF, sessions, lockout, history and password changes."""

import pytest

from pfd_gateway.auth.credentials import CSRF_COOKIE, SESSION_COOKIE

LOGIN = "/api/v1/auth/login"
SERVICES = "/api/v1/system/services"


async def _attempt(harness, email, password, **kwargs):
    async with harness.client(**kwargs) as client:
        return await client.post(LOGIN, json={"email": email, "password": password})


async def test_wrong_password_and_unknown_email_get_the_same_plain_401(harness) -> None:
    await harness.user("ann@pfd.test")
    wrong = await _attempt(harness, "ann@pfd.test", "nope")
    unknown = await _attempt(harness, "nobody@pfd.test", "nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong email or password."
    assert "Traceback" not in wrong.text and SESSION_COOKIE not in wrong.cookies


async def test_login_sets_hardened_cookies_and_security_headers(harness) -> None:
    await harness.user("ann@pfd.test")
    response = await _attempt(harness, "ANN@pfd.test ", harness.password)
    assert response.status_code == 200 and response.json()["user"]["email"] == "ann@pfd.test"
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.get_list("set-cookie")}
    assert "httponly" in cookies[SESSION_COOKIE] and "samesite=lax" in cookies[SESSION_COOKIE]
    assert "httponly" not in cookies[CSRF_COOKIE] and "secure" not in cookies[SESSION_COOKIE]
    assert response.json()["csrf_token"] == response.cookies[CSRF_COOKIE]
    headers = response.headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] and headers["cache-control"] == "no-store"
    csp = headers["content-security-policy"]
    assert "'unsafe-eval'" in csp and "ws://gw wss://gw" in csp and "frame-ancestors 'none'" in csp


async def test_cookies_are_secure_over_https(harness) -> None:
    await harness.user("ann@pfd.test")
    response = await _attempt(harness, "ann@pfd.test", harness.password, base_url="https://gw")
    assert all("secure" in c.lower() for c in response.headers.get_list("set-cookie"))
    assert "strict-transport-security" in response.headers


async def test_public_endpoints_stay_public_and_the_api_needs_a_principal(harness) -> None:
    async with harness.client() as client:
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        response = await client.get(SERVICES)
        assert response.status_code == 401 and response.json()["detail"] == "Not authenticated."
        assert (await client.post("/api/v1/system/status-rounds", json={})).status_code == 401


async def test_cookie_requests_that_change_state_need_the_csrf_header(harness) -> None:
    await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    assert (await client.get(SERVICES)).status_code == 200  # reads need no CSRF token
    del client.headers["X-CSRF-Token"]
    missing = await client.post("/api/v1/api-keys", json={"name": "x"})
    assert missing.status_code == 403 and "X-CSRF-Token" in missing.json()["detail"]
    mismatched = await client.post("/api/v1/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": "forged"})
    assert mismatched.status_code == 403
    client.cookies.set(CSRF_COOKIE, "planted")  # a cookie planted by a sibling site does not help either
    planted = await client.post("/api/v1/api-keys", json={"name": "x"}, headers={"X-CSRF-Token": "planted"})
    assert planted.status_code == 403


async def test_expired_and_idle_sessions_get_401(harness) -> None:
    await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    harness.advance(seconds=harness.gateway.settings.auth.session_idle_s + 1)
    response = await client.get(SERVICES)
    assert response.status_code == 401 and response.json()["detail"] == "Session expired; log in again."


async def test_logout_list_and_revoke_sessions(harness) -> None:
    await harness.user("ann@pfd.test")
    await harness.user("bob@pfd.test")
    laptop, phone = await harness.login("ann@pfd.test"), await harness.login("ann@pfd.test")
    bob = await harness.login("bob@pfd.test")
    sessions = (await laptop.get("/api/v1/auth/sessions")).json()
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    phone_id = next(s["id"] for s in sessions if not s["current"])
    assert (await bob.delete(f"/api/v1/auth/sessions/{phone_id}")).status_code == 404  # not bob's
    assert (await laptop.delete(f"/api/v1/auth/sessions/{phone_id}")).status_code == 204
    assert (await phone.get(SERVICES)).status_code == 401
    assert (await laptop.post("/api/v1/auth/logout")).status_code == 204
    assert (await laptop.get(SERVICES)).status_code == 401
    other = await harness.login("bob@pfd.test")
    assert (await other.post("/api/v1/auth/logout-everywhere")).status_code == 204
    assert (await bob.get(SERVICES)).status_code == 401


async def test_failures_lock_the_account_then_it_unlocks(harness) -> None:
    await harness.user("ann@pfd.test")
    for _ in range(3):  # lockout_failures=3 in the harness
        assert (await _attempt(harness, "ann@pfd.test", "wrong")).status_code == 401
    locked = await _attempt(harness, "ann@pfd.test", harness.password)
    assert locked.status_code == 429 and "locked" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 0
    harness.advance(seconds=harness.gateway.settings.auth.lockout_duration_s + 1)
    assert (await _attempt(harness, "ann@pfd.test", harness.password)).status_code == 200


async def test_a_success_resets_the_failure_count(harness) -> None:
    await harness.user("ann@pfd.test")
    for password in ("wrong", "wrong", harness.password, "wrong", "wrong"):
        await _attempt(harness, "ann@pfd.test", password)
    assert (await _attempt(harness, "ann@pfd.test", harness.password)).status_code == 200


async def test_one_address_failing_on_many_accounts_is_throttled(harness) -> None:
    harness.gateway.auth.throttle.ctx.settings.ip_failures = 4
    for index in range(4):
        assert (await _attempt(harness, f"guess{index}@pfd.test", "wrong")).status_code == 401
    await harness.user("ann@pfd.test")
    assert (await _attempt(harness, "ann@pfd.test", harness.password)).status_code == 429


async def test_login_history_records_time_ip_agent_and_reason(harness) -> None:
    await harness.user("ann@pfd.test")
    await _attempt(harness, "ann@pfd.test", "wrong", headers={"User-Agent": "probe/1"})
    client = await harness.login("ann@pfd.test")
    history = (await client.get("/api/v1/auth/login-history")).json()
    assert [(h["succeeded"], h["reason"]) for h in history] == [(True, "ok"), (False, "bad_password")]
    assert history[1]["user_agent"] == "probe/1" and history[1]["ip"] == "127.0.0.1" and history[1]["at"]


async def test_password_change_needs_the_current_one_and_ends_other_sessions(harness) -> None:
    await harness.user("ann@pfd.test")
    client, other = await harness.login("ann@pfd.test"), await harness.login("ann@pfd.test")
    wrong = await client.post("/api/v1/auth/password", json={"current_password": "x", "new_password": "n" * 12})
    assert wrong.status_code == 401
    body = {"current_password": harness.password, "new_password": "short"}
    short = await client.post("/api/v1/auth/password", json=body)
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "new_password"]
    new = "a much better passphrase"
    ok = await client.post("/api/v1/auth/password", json={"current_password": harness.password, "new_password": new})
    assert ok.status_code == 204
    assert (await client.get(SERVICES)).status_code == 200 and (await other.get(SERVICES)).status_code == 401
    assert (await _attempt(harness, "ann@pfd.test", new)).status_code == 200


@pytest.mark.parametrize("body", [{"email": "ann@pfd.test"}, {"email": "not-an-email", "password": "x"}])
async def test_invalid_login_bodies_get_422_with_field_errors(harness, body) -> None:
    async with harness.client() as client:
        response = await client.post(LOGIN, json=body)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "body"


async def test_the_development_first_start_creates_one_admin(harness, caplog) -> None:
    auth = harness.gateway.auth
    auth.ctx.settings.create_dev_admin = True
    await auth.first_start("production")
    assert await auth.users.list() == []
    await auth.first_start("development")
    await auth.first_start("development")
    users = await auth.users.list()
    assert [(u.email, u.role) for u in users] == [("admin@pfd.local", "admin")]
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "FIRST START" in r.getMessage()]
    assert len(warnings) == 1
