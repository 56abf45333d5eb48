"""data-gen's AsyncAPI document (checked in as services/data-gen/asyncapi.yaml)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from prometheus_client import CollectorRegistry

from pfd_shared.contracts import render_asyncapi
from pfd_shared.settings import KafkaSettings
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_datagen import __version__
from pfd_datagen.settings import DataGenSettings


def document() -> str:
    from pfd_datagen.bootstrap import build_datagen

    settings = DataGenSettings(kafka=KafkaSettings(), instance_id="docs", var_dir=Path(tempfile.gettempdir()))
    datagen = build_datagen(settings, store=InMemoryObjectStore(), metrics=ServiceMetrics(CollectorRegistry()))
    return render_asyncapi(datagen.runtime.broker, title="pfd-data-gen", version=__version__,
                           description="data-gen: generates synthetic and imports real vibration data sets.")
