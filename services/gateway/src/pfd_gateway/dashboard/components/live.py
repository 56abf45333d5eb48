"""The live channel's stores: which pushed frame types land in which dcc.Store.

assets/live.js opens one WebSocket per tab to /ws and writes frames into these stores with
``dash_clientside.set_props``; pages use the stores as callback Inputs. A later page that needs new pushed
events adds a line to ``LIVE_ROUTES`` and listens to that store.
"""

from __future__ import annotations

from typing import Any

from dash import dcc

from pfd_gateway.settings import DashboardSettings

# store id -> frame-type prefixes routed to it (first match wins). Data: {"seq", "type", "at", "data"}.
LIVE_ROUTES: dict[str, list[str]] = {
    "live-system": ["system."],
    "live-monitoring": ["monitoring."],
    "live-datasets": ["datasets."],
    "live-projections": ["projections."],
    "live-notifications": ["notifications."],
    "live-training": ["training."],
    "live-deploy": ["deploy.deployment", "deploy.model", "deploy.benchmark"],  # not deploy.batch_*
    "live-batch-predictions": ["deploy.batch_prediction"],
    "live-xai": ["xai."],
    "live-campaigns": ["campaigns."],
}
# Stores that receive every frame since their last update as {"seq", "frames": [...]} instead of only the newest:
# the training monitor extends its curves by each EpochCompleted, so none may be coalesced away.
BATCHED_ROUTES = ("live-training", "live-xai", "live-deploy")
ACTIVITY_STORE = "live-activity"  # recent activity: list of {"type", "at", "text", "level"}, newest first
WS_STATE = "shell-ws-state"  # header badge, written by live.js only


def live_config(settings: DashboardSettings) -> dict[str, Any]:
    return {
        "path": "/ws", "routes": LIVE_ROUTES, "batched": list(BATCHED_ROUTES), "activity": ACTIVITY_STORE, "activitySize": settings.activity_size,
        "badge": WS_STATE, "backoffInitialMs": settings.ws_backoff_initial_ms,
        "backoffMaxMs": settings.ws_backoff_max_ms, "offlineAfter": settings.ws_offline_after,
        "debounceMs": settings.live_debounce_ms,
    }


def live_stores(settings: DashboardSettings) -> list[dcc.Store]:
    return [
        dcc.Store(id="shell-live-config", data=live_config(settings)),
        dcc.Store(id="shell-live-opened"),
        dcc.Store(id=ACTIVITY_STORE, data=[]),
        *[dcc.Store(id=store_id) for store_id in LIVE_ROUTES],
    ]
