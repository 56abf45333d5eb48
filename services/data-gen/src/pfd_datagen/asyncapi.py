"""data-gen's AsyncAPI document (checked in as services/data-gen/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi
from pfd_shared.storage import InMemoryObjectStore

from pfd_datagen import __version__
from pfd_datagen.settings import DataGenSettings


def document() -> str:
    from pfd_datagen.bootstrap import build_datagen

    datagen = build_datagen(docs_settings(DataGenSettings), store=InMemoryObjectStore(), metrics=docs_metrics())
    return render_asyncapi(datagen.runtime.broker, title="pfd-data-gen", version=__version__,
                           description="data-gen: generates synthetic and imports real vibration data sets.")
