"""Top API keys: the middleware counts requests per API key (by its visible prefix), the API monitor ranks them."""

import time

from pfd_gateway.api.http_metrics import KEY_REQUESTS_NAME

SERVICES = "/api/v1/system/services"
BUSY_REQUESTS, QUIET_REQUESTS = 5, 2
WINDOW_S = 300.0
SAMPLE_AGE = 2  # sampling intervals: old enough that the overview reads a fresh sample


def _prefix(key: str) -> str:
    return key.split("_")[1]


async def test_two_keys_are_ranked_by_their_requests_and_sessions_are_not_counted(harness, admin) -> None:
    busy, quiet = [await harness.api_key(admin, ["read"]) for _ in range(2)]
    monitor = harness.gateway.monitoring
    monitor.api.sample(at=time.time() - SAMPLE_AGE * monitor.api.interval_s)  # the window's start (the sampling task's)
    assert (await admin.get(SERVICES)).status_code == 200  # a browser session: no key to count
    async with harness.client() as client:
        for key, count in ((quiet, QUIET_REQUESTS), (busy, BUSY_REQUESTS)):
            for _ in range(count):
                assert (await client.get(SERVICES, headers={"Authorization": f"Bearer {key}"})).status_code == 200
        assert (await client.get(SERVICES, headers={"X-API-Key": f"pfd_{_prefix(busy)}_wrong"})).status_code == 401

    overview = await monitor.api_overview(WINDOW_S)

    assert overview.keys is not None
    assert [(k.key, k.requests) for k in overview.keys] == [
        (f"pfd_{_prefix(busy)}_…", BUSY_REQUESTS), (f"pfd_{_prefix(quiet)}_…", QUIET_REQUESTS)]
    assert all(k.rate_per_s > 0 for k in overview.keys)


async def test_the_counter_carries_the_prefix_and_status_never_the_secret(harness, admin) -> None:
    key = await harness.api_key(admin, ["read"])
    async with harness.client() as client:
        assert (await client.get(SERVICES, headers={"X-API-Key": key})).status_code == 200
    exposed = (await admin.get("/metrics")).text
    (line,) = [row for row in exposed.splitlines() if row.startswith(KEY_REQUESTS_NAME + "{")]
    assert f'api_key_prefix="{_prefix(key)}"' in line and 'status="2xx"' in line
    assert key.split("_", 2)[2] not in exposed


async def test_keys_are_none_before_any_api_key_request(harness, admin) -> None:
    assert (await admin.get(SERVICES)).status_code == 200
    assert (await harness.gateway.monitoring.api_overview(WINDOW_S)).keys is None
