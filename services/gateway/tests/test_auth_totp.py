"""TOTP: enrol, confirm, login with a code (once) or a recovery code (once), disable."""

import pyotp

LOGIN = "/api/v1/auth/login"


async def _enable(harness, client) -> tuple[str, list[str]]:
    enrolment = (await client.post("/api/v1/auth/totp/enrol")).json()
    assert enrolment["otpauth_uri"].startswith("otpauth://totp/") and "issuer=PFD" in enrolment["otpauth_uri"]
    secret = enrolment["secret"]
    wrong = await client.post("/api/v1/auth/totp/confirm", json={"code": "000000"})
    assert wrong.status_code == 401
    confirmed = await client.post("/api/v1/auth/totp/confirm", json={"code": _code(harness, secret)})
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def _code(harness, secret: str) -> str:
    return pyotp.TOTP(secret).at(harness.now)


async def _login(harness, **body):
    async with harness.client() as client:
        return await client.post(LOGIN, json={"email": "ann@pfd.test", "password": harness.password, **body})


async def test_login_with_2fa_needs_a_fresh_code_or_an_unused_recovery_code(harness) -> None:
    await harness.user("ann@pfd.test")
    secret, codes = await _enable(harness, await harness.login("ann@pfd.test"))
    assert len(codes) == 10 and len(set(codes)) == 10

    required = await _login(harness)
    assert required.status_code == 401 and required.json()["code"] == "totp_required"
    harness.advance(seconds=30)
    code = _code(harness, secret)
    assert (await _login(harness, totp_code=code)).status_code == 200
    replay = await _login(harness, totp_code=code)
    assert replay.status_code == 401 and replay.json()["code"] == "invalid_totp"

    assert (await _login(harness, totp_code=codes[0].upper())).status_code == 200
    assert (await _login(harness, totp_code=codes[0])).status_code == 401
    client = await harness.login("ann@pfd.test", totp_code=codes[1])
    reasons = [h["reason"] for h in (await client.get("/api/v1/auth/login-history")).json()]
    assert reasons[:4] == ["ok_recovery_code", "bad_totp", "ok_recovery_code", "bad_totp"]
    assert (await client.get("/api/v1/auth/me")).json()["user"]["totp_enabled"] is True


async def test_disabling_needs_password_and_code(harness) -> None:
    await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    secret, _ = await _enable(harness, client)
    harness.advance(seconds=30)
    no_password = await client.post("/api/v1/auth/totp/disable", json={"password": "x", "code": _code(harness, secret)})
    assert no_password.status_code == 401
    no_code = await client.post("/api/v1/auth/totp/disable", json={"password": harness.password, "code": "123456"})
    assert no_code.status_code == 401
    body = {"password": harness.password, "code": _code(harness, secret)}
    ok = await client.post("/api/v1/auth/totp/disable", json=body)
    assert ok.status_code == 204
    assert (await _login(harness)).status_code == 200


async def test_enrolling_twice_while_enabled_conflicts(harness) -> None:
    await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    await _enable(harness, client)
    assert (await client.post("/api/v1/auth/totp/enrol")).status_code == 409
