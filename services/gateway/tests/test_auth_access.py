"""Roles and the ownership policy: members see their own and what is shared, admins everything, others 404."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import APIRouter, Response

from pfd_gateway.api.deps import AuthDep, CurrentPrincipal
from pfd_gateway.domain.access import Access, Principal, Role, Scope, access_to, required_scope
from pfd_gateway.domain.lockout import LockoutPolicy, locked_until

NOTES: dict[str, str] = {}  # note id -> owner id: the "test resource" of a later slice


def _note_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/test-notes")

    @router.get("/{note_id}")
    async def read(note_id: str, principal: CurrentPrincipal, auth: AuthDep) -> dict[str, str]:
        access = await auth.shares.ensure_access(principal, "note", note_id, NOTES.get(note_id, ""))
        return {"id": note_id, "access": access.value}

    @router.put("/{note_id}", status_code=204, response_class=Response)
    async def change(note_id: str, principal: CurrentPrincipal, auth: AuthDep) -> None:
        await auth.shares.ensure_access(principal, "note", note_id, NOTES.get(note_id, ""), write=True)

    return router


@pytest.fixture
async def people(harness, admin):
    routes = harness.app.router.routes
    count = len(routes)
    harness.app.include_router(_note_router())
    added = routes[count:]
    del routes[count:]
    routes[0:0] = added  # ahead of the dashboard's catch-all mount
    ids = {name: await harness.user(f"{name}@pfd.test") for name in ("ann", "bob")}
    NOTES.clear()
    NOTES["n1"] = ids["ann"]
    return ids, await harness.login("ann@pfd.test"), await harness.login("bob@pfd.test"), admin


async def test_another_members_resource_is_404_until_shared_then_read_only(harness, people) -> None:
    ids, ann, bob, admin = people
    assert (await ann.get("/api/v1/test-notes/n1")).json()["access"] == "write"
    hidden = await bob.get("/api/v1/test-notes/n1")
    missing = await bob.get("/api/v1/test-notes/nope")
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert (await admin.get("/api/v1/test-notes/n1")).json()["access"] == "write"

    shares = harness.gateway.auth.shares
    ann_p = Principal(ids["ann"], "ann@pfd.test", Role.MEMBER, frozenset(Scope), "session")
    bob_p = Principal(ids["bob"], "bob@pfd.test", Role.MEMBER, frozenset(Scope), "session")
    with pytest.raises(Exception, match="Not found"):
        await shares.share(bob_p, "note", "n1", ids["ann"], ids["bob"])  # bob cannot share himself in
    await shares.share(ann_p, "note", "n1", ids["ann"], ids["bob"])
    await shares.share(ann_p, "note", "n1", ids["ann"], ids["bob"])  # twice is harmless
    assert (await bob.get("/api/v1/test-notes/n1")).json()["access"] == "read"
    assert (await bob.put("/api/v1/test-notes/n1")).status_code == 403
    assert (await ann.put("/api/v1/test-notes/n1")).status_code == 204
    assert await shares.filter_visible(bob_p, "note", [("n1", ids["ann"]), ("n2", ids["ann"])], lambda n: n) == [
        ("n1", ids["ann"])]
    await shares.unshare(ann_p, "note", "n1", ids["ann"], ids["bob"])
    assert (await bob.get("/api/v1/test-notes/n1")).status_code == 404


async def test_user_management_is_for_admins(harness, people) -> None:
    ids, ann, _, admin = people
    forbidden = await ann.get("/api/v1/users")
    assert forbidden.status_code == 403 and forbidden.json()["detail"] == "Admins only."
    assert len((await admin.get("/api/v1/users")).json()) == 3
    created = await admin.post("/api/v1/users", json={"email": "cat@pfd.test", "role": "member"})
    assert created.status_code == 201 and len(created.json()["generated_password"]) >= 20
    duplicate = await admin.post("/api/v1/users", json={"email": "CAT@pfd.test", "password": "x" * 12})
    assert duplicate.status_code == 409
    weak = await admin.post("/api/v1/users", json={"email": "dan@pfd.test", "password": "short"})
    assert weak.status_code == 422 and weak.json()["detail"][0]["loc"] == ["body", "password"]
    off = await admin.patch(f"/api/v1/users/{ids['ann']}", json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert (await ann.get("/api/v1/auth/me")).status_code == 401


async def test_the_last_admin_cannot_be_demoted(harness, admin) -> None:
    me = (await admin.get("/api/v1/auth/me")).json()["user"]
    response = await admin.patch(f"/api/v1/users/{me['id']}", json={"role": "member"})
    assert response.status_code == 409


def test_the_policy_and_scopes_are_pure_functions() -> None:
    member = Principal("u1", "a@b", Role.MEMBER, frozenset({Scope.READ}), "api_key")
    admin = Principal("u9", "c@d", Role.ADMIN, frozenset(Scope), "session")
    assert access_to(member, "u1") is Access.WRITE and access_to(member, "u2") is Access.NONE
    assert access_to(member, "u2", {"u1"}) is Access.READ and access_to(admin, "u2") is Access.WRITE
    assert required_scope("GET") is required_scope("head") is Scope.READ
    assert required_scope("DELETE") is required_scope("POST") is Scope.WRITE


def test_lockout_counts_failures_inside_the_window_and_does_not_extend_while_locked() -> None:
    policy = LockoutPolicy(3, timedelta(minutes=10), timedelta(minutes=15))
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    at = [t0, t0 + timedelta(minutes=11), t0 + timedelta(minutes=12)]
    assert locked_until(at, t0 + timedelta(minutes=13), policy) is None  # first failure fell out of the window
    at.append(t0 + timedelta(minutes=13))
    assert locked_until(at, t0 + timedelta(minutes=14), policy) == t0 + timedelta(minutes=28)
    at.append(t0 + timedelta(minutes=20))  # arrived while locked (another process): ignored
    assert locked_until(at, t0 + timedelta(minutes=21), policy) == t0 + timedelta(minutes=28)
    assert locked_until(at, t0 + timedelta(minutes=29), policy) is None
