"""training's AsyncAPI document (checked in as services/training/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi
from pfd_shared.storage import InMemoryObjectStore

from pfd_training import __version__
from pfd_training.settings import TrainingSettings


def document() -> str:
    from pfd_training.bootstrap import build_training

    training = build_training(docs_settings(TrainingSettings), store=InMemoryObjectStore(), metrics=docs_metrics())
    return render_asyncapi(training.runtime.broker, title="pfd-training", version=__version__,
                           description="training: trains, checkpoints, resumes and evaluates models on data sets.")
