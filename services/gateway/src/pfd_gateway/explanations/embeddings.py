"""EmbeddingService: 2-D projections of a trained run's penultimate-layer embedding over a data set's windows
(requested from the xai service, projected back, read for the XAI page's scatter). Same access rules as
explanations: the run must be visible and trained, the data set ready and sampled at the model's rate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pfd_shared.events.xai import EMBEDDING_PROJECTION_METHODS, EmbeddingRequested

from pfd_gateway.auth.errors import Conflict, InvalidInput
from pfd_gateway.domain.access import Principal
from pfd_gateway.explanations import arrays, requests, states
from pfd_gateway.explanations.runs import ExplainedRuns, new_id
from pfd_gateway.explanations.views import EmbeddingPointsPublic, EmbeddingPublic, EmbeddingView

WHAT = "embedding"
REUSED = frozenset({states.REQUESTED, states.RUNNING, states.READY})


class EmbeddingService(ExplainedRuns):
    async def request(self, principal: Principal, experiment_id: str, run_id: str, dataset_id: str,
                      method: str = "pca", max_windows: int | None = None, seed: int = 0) -> EmbeddingPublic:
        """Validate, then request the projection (or answer with the caller's identical earlier one)."""
        if method not in EMBEDDING_PROJECTION_METHODS:
            raise InvalidInput("method", f"choose a projection from {', '.join(EMBEDDING_PROJECTION_METHODS)}")
        context = await self.run_context(principal, experiment_id, run_id)
        dataset = await self.datasets.get(principal, dataset_id)
        requests.check_dataset(dataset, context.sample_rate_hz, field="dataset_id")
        windows = max_windows or self.settings.embedding_max_windows
        ask = {"run_id": run_id, "dataset_id": dataset_id, "method": method, "max_windows": windows, "seed": seed}
        digest = requests.request_hash(**ask)
        if (earlier := await self.reusable_row(principal, self.tables.embeddings, digest, REUSED)) is not None:
            return EmbeddingPublic.model_validate(earlier)
        embedding_id, now = new_id(), datetime.now(UTC)
        command = EmbeddingRequested(embedding_id=embedding_id, experiment_id=experiment_id, **ask)
        values = {"embedding_id": embedding_id, "owner_id": principal.user_id, "experiment_id": experiment_id,
                  "request_hash": digest, "status": states.REQUESTED, "cached": False, "created_at": now,
                  "updated_at": now, **ask}
        await self.insert_and_send(self.tables.embeddings, values, self.envelope(command, principal.user_id))
        return await self.get(principal, embedding_id)

    async def list(self, principal: Principal, experiment_id: str | None = None,
                   run_id: str | None = None) -> list[EmbeddingPublic]:
        rows = await self.owned_rows(principal, self.tables.embeddings, experiment_id=experiment_id, run_id=run_id)
        return [EmbeddingPublic.model_validate(row) for row in rows]

    async def get(self, principal: Principal, embedding_id: str) -> EmbeddingPublic:
        return EmbeddingPublic.model_validate(await self._row(principal, embedding_id))

    async def points(self, principal: Principal, embedding_id: str) -> EmbeddingPointsPublic:
        """The ready projection's points with their true and predicted classes."""
        row = await self._row(principal, embedding_id)
        if row["status"] != states.READY or not row["points_key"]:
            raise Conflict(f"The embedding is {row['status']}: its points are not stored yet.")
        return arrays.points(embedding_id, await self.read_arrays(row["points_key"]), list(row["class_names"] or ()))

    async def view(self, principal: Principal, embedding_id: str) -> EmbeddingView:
        found = await self.get(principal, embedding_id)
        ready = found.status == states.READY and found.points_key
        return EmbeddingView(embedding=found, points=await self.points(principal, embedding_id) if ready else None)

    async def _row(self, principal: Principal, embedding_id: str) -> dict[str, Any]:
        return await self.owned_row(principal, self.tables.embeddings, "embedding_id", embedding_id, WHAT)
