"""The notifier's AsyncAPI document (checked in as services/notifier/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi

from pfd_notifier import __version__
from pfd_notifier.settings import NotifierSettings


def document() -> str:
    from pfd_notifier.bootstrap import build_notifier

    notifier = build_notifier(docs_settings(NotifierSettings), metrics=docs_metrics())
    return render_asyncapi(notifier.runtime.broker, title="pfd-notifier", version=__version__,
                           description="notifier: in-app notifications, email, signed webhooks and digests.")
