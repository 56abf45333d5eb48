"""xai's AsyncAPI document (checked in as services/xai/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi
from pfd_shared.storage import InMemoryObjectStore

from pfd_xai import __version__
from pfd_xai.settings import XaiSettings


def document() -> str:
    from pfd_xai.bootstrap import build_xai

    xai = build_xai(docs_settings(XaiSettings), store=InMemoryObjectStore(), metrics=docs_metrics())
    return render_asyncapi(xai.runtime.broker, title="pfd-xai", version=__version__,
                           description="xai: explains trained models' decisions on vibration windows.")
