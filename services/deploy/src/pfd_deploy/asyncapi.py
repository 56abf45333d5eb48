"""deploy's AsyncAPI document (checked in as services/deploy/asyncapi.yaml)."""

from __future__ import annotations

from pfd_shared.contracts import docs_metrics, docs_settings, render_asyncapi
from pfd_shared.storage import InMemoryObjectStore

from pfd_deploy import __version__
from pfd_deploy.settings import DeploySettings


def document() -> str:
    from pfd_deploy.bootstrap import build_deploy

    deploy = build_deploy(docs_settings(DeploySettings), store=InMemoryObjectStore(), metrics=docs_metrics())
    return render_asyncapi(deploy.runtime.broker, title="pfd-deploy", version=__version__,
                           description="deploy: ONNX export and quantised variants of trained models, the model "
                                       "registry with aliases, inference.")
