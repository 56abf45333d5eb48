"""Session cache: resolved sessions are reused briefly, and every revocation is honoured at once (on this process and
on the other worker processes of the host through the shared revocation signal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from pfd_gateway.auth.service import AuthService
from pfd_gateway.auth.session_cache import SESSIONS_SIGNAL_FILE, RevocationSignal, SessionCache
from pfd_gateway.db import sessions
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role

SERVICES = "/api/v1/system/services"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def principal(user: str = "u1", session: str = "s1") -> Principal:
    return Principal(user, f"{user}@pfd.test", Role.MEMBER, ALL_SCOPES, "session", session_id=session)


def test_an_entry_lives_until_the_ttl_or_an_earlier_deadline() -> None:
    cache = SessionCache(ttl_s=2, max_entries=10)
    cache.put("a", principal(), T0, T0 + timedelta(hours=1), generation=cache.generation)
    cache.put("b", principal("u2", "s2"), T0, T0 + timedelta(seconds=1), generation=cache.generation)
    assert cache.get("a", T0 + timedelta(seconds=1.9)) == principal()
    assert cache.get("a", T0 + timedelta(seconds=2)) is None
    assert cache.get("b", T0 + timedelta(seconds=0.5)) is not None
    assert cache.get("b", T0 + timedelta(seconds=1)) is None  # the session's own deadline came first


def test_it_is_bounded_and_can_be_switched_off() -> None:
    cache = SessionCache(ttl_s=2, max_entries=2)
    for n in range(3):
        cache.put(f"t{n}", principal(f"u{n}", f"s{n}"), T0, generation=cache.generation)
    assert len(cache) == 2 and cache.get("t0", T0) is None
    off = SessionCache(ttl_s=0, max_entries=2)
    off.put("t", principal(), T0, generation=off.generation)
    assert off.get("t", T0) is None


def test_drops_remove_the_session_or_every_session_of_the_user() -> None:
    cache = SessionCache(ttl_s=2, max_entries=10)
    for key, who in (("a", principal("u1", "s1")), ("b", principal("u1", "s2")), ("c", principal("u2", "s3"))):
        cache.put(key, who, T0, generation=cache.generation)
    cache.drop_session("s1")
    assert cache.get("a", T0) is None and cache.get("b", T0) is not None
    cache.drop_user("u1")
    assert cache.get("b", T0) is None and cache.get("c", T0) is not None


def test_a_lookup_that_began_before_a_revocation_is_not_cached() -> None:
    cache = SessionCache(ttl_s=2, max_entries=10)
    began = cache.generation
    cache.drop_session("s1")  # revoked while the lookup was reading the database
    cache.put("a", principal(), T0, generation=began)
    assert cache.get("a", T0) is None


def test_a_revocation_on_one_process_empties_the_cache_of_another(tmp_path) -> None:
    path = tmp_path / SESSIONS_SIGNAL_FILE
    mine, theirs = SessionCache(2, 10, RevocationSignal(path)), SessionCache(2, 10, RevocationSignal(path))
    theirs.put("a", principal("u2", "s9"), T0, generation=theirs.generation)
    assert theirs.get("a", T0) is not None
    mine.drop_user("u1")  # about another user: the other process forgets everything, to be safe
    assert theirs.get("a", T0) is None
    theirs.put("a", principal("u2", "s9"), T0, generation=theirs.generation)
    assert theirs.get("a", T0) is not None  # and caches again afterwards


async def test_a_resolved_session_is_reused_for_the_cache_time_only(harness) -> None:
    await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    assert (await client.get(SERVICES)).status_code == 200
    async with harness.gateway.runtime.database.sessions() as db, db.begin():  # revoked behind the gateway's back
        await db.execute(update(sessions).values(revoked_at=harness.now))
    assert (await client.get(SERVICES)).status_code == 200  # from the cache: no database read
    harness.advance(seconds=harness.gateway.settings.auth.session_cache_s)
    assert (await client.get(SERVICES)).status_code == 401


async def test_logout_everywhere_on_another_worker_is_effective_here_on_the_next_request(harness) -> None:
    ann_id = await harness.user("ann@pfd.test")
    client = await harness.login("ann@pfd.test")
    assert (await client.get(SERVICES)).status_code == 200  # cached by this worker
    gateway = harness.gateway
    other_worker = AuthService(gateway.runtime.database.sessions, gateway.settings.auth, clock=lambda: harness.now,
                               revocations=RevocationSignal(gateway.settings.var_dir / SESSIONS_SIGNAL_FILE))
    await other_worker.sessions.logout_everywhere(principal(ann_id, "any"))
    assert (await client.get(SERVICES)).status_code == 401


async def test_a_demoted_admin_loses_admin_routes_at_once(harness, admin) -> None:
    bea_id = await harness.user("bea@pfd.test", Role.ADMIN)
    bea = await harness.login("bea@pfd.test")
    assert (await bea.get("/api/v1/users")).status_code == 200  # bea's admin principal is cached
    assert (await admin.patch(f"/api/v1/users/{bea_id}", json={"role": "member"})).status_code == 200
    assert (await bea.get("/api/v1/users")).status_code == 403
