"""Login lockout lives in the database: failures spread over two gateway processes lock the account for both.

The account comes from ``pfd-gateway create-admin`` (which migrates the fresh database first).
"""

import os
import subprocess
import sys

import httpx
import pytest

from pfd_shared.localstack.processes import free_port
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
FAST_AUTH = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1", "LOCKOUT_FAILURES": "3",
             "CREATE_DEV_ADMIN": "false"}
EMAIL, PASSWORD = "ann@pfd.test", "correct horse battery"


def gateway_env(infra, tmp_path, database_url: str, port: int) -> dict[str, str]:
    env = service_env("PFD_GATEWAY_", infra, port=port, var_dir=str(tmp_path), database_url=database_url)
    return env | {f"PFD_GATEWAY_AUTH__{key}": value for key, value in FAST_AUTH.items()}


def start_gateway(infra, processes, tmp_path, database_url: str, name: str) -> str:
    port = free_port()
    env = gateway_env(infra, tmp_path, database_url, port)
    processes.append(start_service(name, [sys.executable, "-m", "pfd_gateway"], env, port, tmp_path / f"{name}.log"))
    return f"http://127.0.0.1:{port}"


def login(base: str, password: str) -> httpx.Response:
    return httpx.post(f"{base}/api/v1/auth/login", json={"email": EMAIL, "password": password}, timeout=10)


def test_failures_on_two_processes_lock_the_account_on_both(infra, fresh_database_url, processes, tmp_path) -> None:
    env = gateway_env(infra, tmp_path, fresh_database_url, free_port())
    created = subprocess.run([sys.executable, "-m", "pfd_gateway", "create-admin", "--email", EMAIL, "--password", "-"],
                             input=PASSWORD, env=os.environ | env, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0 and PASSWORD not in created.stdout, created.stderr
    first = start_gateway(infra, processes, tmp_path, fresh_database_url, "gw-a")
    second = start_gateway(infra, processes, tmp_path, fresh_database_url, "gw-b")

    assert login(first, PASSWORD).status_code == 200
    for base in (first, second, first):  # three failures, spread over both processes
        assert login(base, "wrong").status_code == 401
    for base in (second, first):
        refused = login(base, PASSWORD)
        assert refused.status_code == 429 and "locked" in refused.json()["detail"]
