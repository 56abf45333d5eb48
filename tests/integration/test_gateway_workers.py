"""``pfd-gateway serve`` with two worker processes on the real broker and PostgreSQL.

What must happen once happens once (migrations, the development first admin and its printed password); each
worker is a status-reporting instance of its own; /metrics counts the requests of every worker; a logout on one
worker ends the session on the other at once, although both had it cached.
"""

import re
import sys
import time

import httpx
import pytest

from pfd_shared.localstack.processes import ManagedProcess, free_port, wait_for_http
from pfd_shared.testing.plugin import service_env

from pfd_gateway.auth.credentials import CSRF_COOKIE, CSRF_HEADER

pytestmark = pytest.mark.integration
FAST_AUTH = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}
WORKERS = 2
BANNER = re.compile(r"created admin (\S+) with password\s+([A-Za-z0-9_-]+)")  # token_urlsafe
PROBES = 20  # requests on fresh connections: the kernel hands them to both workers
STARTUP_TIMEOUT_S = 180.0  # two workers build their apps at once on a shared 2-core machine


def wait_for(predicate, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"condition not met within {timeout_s}s"
        time.sleep(0.2)


def gateway_instances(base: str, cookies: httpx.Cookies) -> list[str]:
    services = httpx.get(f"{base}/api/v1/system/services", cookies=cookies, timeout=5).json()
    return [i["instance_id"] for s in services if s["name"] == "gateway" for i in s["instances"]]


def test_two_workers_share_migrations_admin_metrics_and_revocations(infra, fresh_database_url, processes,
                                                                      tmp_path) -> None:
    port = free_port()
    env = service_env("PFD_GATEWAY_", infra, port=port, var_dir=str(tmp_path), database_url=fresh_database_url)
    env |= {f"PFD_GATEWAY_AUTH__{key}": value for key, value in FAST_AUTH.items()} | {
        "PFD_GATEWAY_WORKERS": str(WORKERS)}
    log = tmp_path / "gateway.log"
    gateway = ManagedProcess("gateway", [sys.executable, "-m", "pfd_gateway"], env=env, log_path=log).start()
    processes.append(gateway)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(gateway, f"{base}/health/ready", STARTUP_TIMEOUT_S)

    banners = BANNER.findall(log.read_text())
    assert len(banners) == 1, log.read_text()[-3000:]  # created and printed once, by the supervisor
    email, password = banners[0]
    login = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    cookies = login.cookies

    wait_for(lambda: len(set(gateway_instances(base, cookies))) == WORKERS, timeout_s=30)

    for _ in range(PROBES):
        assert httpx.get(f"{base}/health/live", timeout=5).status_code == 200
    counted = re.compile(r'^http_requests_total\{handler="/health/live",method="GET",status="2xx"\} (\S+)$', re.M)
    for _ in range(3):  # whichever worker answers /metrics has every worker's count
        found = counted.search(httpx.get(f"{base}/metrics", timeout=5).text)
        assert found is not None and float(found.group(1)) == PROBES

    for _ in range(PROBES):  # both workers resolve (and cache) the session
        assert httpx.get(f"{base}/api/v1/auth/me", cookies=cookies, timeout=5).status_code == 200
    logout = httpx.post(f"{base}/api/v1/auth/logout", cookies=cookies,
                        headers={CSRF_HEADER: cookies[CSRF_COOKIE]}, timeout=5)
    assert logout.status_code == 204
    answers = [httpx.get(f"{base}/api/v1/auth/me", cookies=cookies, timeout=5).status_code for _ in range(PROBES)]
    assert answers == [401] * PROBES
