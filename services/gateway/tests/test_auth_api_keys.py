"""API keys: shown once, scoped, expiring, revocable, last-used throttled, accepted in both headers."""

from datetime import timedelta

SERVICES = "/api/v1/system/services"
ROUND = "/api/v1/system/status-rounds"


async def test_a_key_is_shown_once_and_works_as_bearer_or_x_api_key(harness, admin) -> None:
    created = (await admin.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["read"]})).json()
    key = created["key"]
    assert key.startswith(f"pfd_{created['prefix']}_") and created["scopes"] == ["read"]
    listed = (await admin.get("/api/v1/api-keys")).json()
    assert [k["prefix"] for k in listed] == [created["prefix"]] and "key" not in listed[0]
    async with harness.client() as client:
        assert (await client.get(SERVICES, headers={"Authorization": f"Bearer {key}"})).status_code == 200
        assert (await client.get(SERVICES, headers={"X-API-Key": key})).status_code == 200
        me = (await client.get("/api/v1/auth/me", headers={"X-API-Key": key})).json()
        assert me["via"] == "api_key" and me["user"]["email"] == "admin@pfd.test"


async def test_a_read_key_cannot_write_and_a_write_key_needs_no_csrf(harness, admin) -> None:
    read_key = await harness.api_key(admin, ["read"])
    write_key = await harness.api_key(admin, ["read", "write"])
    async with harness.client() as client:
        refused = await client.post(ROUND, json={"timeout_s": 0.1}, headers={"X-API-Key": read_key})
        assert refused.status_code == 403 and "scope" in refused.json()["detail"]
        allowed = await client.post(ROUND, json={"timeout_s": 0.1}, headers={"X-API-Key": write_key})
        assert allowed.status_code == 201


async def test_a_revoked_key_fails_on_its_next_request(harness, admin) -> None:
    created = (await admin.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["read"]})).json()
    async with harness.client(headers={"X-API-Key": created["key"]}) as client:
        assert (await client.get(SERVICES)).status_code == 200
        assert (await admin.delete(f"/api/v1/api-keys/{created['id']}")).status_code == 204
        response = await client.get(SERVICES)
    assert response.status_code == 401 and response.json()["detail"] == "API key revoked."


async def test_an_expired_key_gets_401(harness, admin) -> None:
    expires_at = (harness.now + timedelta(hours=1)).isoformat()
    key = await harness.api_key(admin, ["read"], expires_at=expires_at)
    async with harness.client(headers={"X-API-Key": key}) as client:
        assert (await client.get(SERVICES)).status_code == 200
        harness.advance(hours=2)
        response = await client.get(SERVICES)
    assert response.status_code == 401 and response.json()["detail"] == "API key expired."


async def test_a_past_expiry_or_foreign_key_is_refused(harness, admin) -> None:
    past = (harness.now - timedelta(hours=1)).isoformat()
    response = await admin.post("/api/v1/api-keys", json={"name": "x", "expires_at": past})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "expires_at"]
    async with harness.client() as client:
        for key in ("nonsense", "pfd_0000aaaa_guess", "Bearer"):
            assert (await client.get(SERVICES, headers={"X-API-Key": key})).status_code == 401


async def test_last_used_is_written_at_most_once_a_minute(harness, admin) -> None:
    key = await harness.api_key(admin, ["read"])

    async def last_used():
        return (await admin.get("/api/v1/api-keys")).json()[0]["last_used_at"]

    async with harness.client(headers={"X-API-Key": key}) as client:
        await client.get(SERVICES)
        first = await last_used()
        harness.advance(seconds=30)
        await client.get(SERVICES)
        assert await last_used() == first
        harness.advance(seconds=31)
        await client.get(SERVICES)
        assert await last_used() != first


async def test_keys_belong_to_their_user(harness, admin) -> None:
    created = (await admin.post("/api/v1/api-keys", json={"name": "ci"})).json()
    await harness.user("bob@pfd.test")
    bob = await harness.login("bob@pfd.test")
    assert (await bob.get("/api/v1/api-keys")).json() == []
    assert (await bob.delete(f"/api/v1/api-keys/{created['id']}")).status_code == 404
