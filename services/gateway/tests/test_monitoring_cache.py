"""Page loads reuse recent connectivity checks; "Check again" forces new ones; host panels are built once per sample."""

import importlib

from pfd_gateway.dashboard.pages.system_health import LatestPanel
from pfd_gateway.monitoring import Monitoring


class CountingChecks:
    def __init__(self) -> None:
        self.runs = 0

    async def check_all(self) -> list:
        self.runs += 1
        return [self.runs]


async def test_connectivity_is_cached_until_forced() -> None:
    checks = CountingChecks()
    monitoring = Monitoring(logs=None, host=None, checks=checks, api=None, hub=None, checks_cache_s=60)  # type: ignore[arg-type]
    assert await monitoring.connectivity() == [1]
    assert await monitoring.connectivity() == [1]
    assert await monitoring.connectivity(force=True) == [2]
    assert checks.runs == 2


def test_host_panel_is_rebuilt_only_for_a_new_snapshot(monkeypatch) -> None:
    built = []
    page = importlib.import_module("pfd_gateway.dashboard.pages.system_health")
    monkeypatch.setattr(page, "host_panel", lambda s: built.append(s) or s)
    panels, first, second = LatestPanel(), object(), object()
    panels.render(first)
    panels.render(first)
    panels.render(second)
    assert built == [first, second]
