"""Score a monitored window: resolve the machine's model (its assignment, else the configured default model under
the default alias), predict with the serving Predictor, step the machine's alert rule, and answer with the events
to publish (FaultPrediction, FaultDetected / FaultCleared, or WindowNotScored). Never raises for a machine without
a model, a broken version or an unusable window; a store or runtime failure propagates (retried, then
dead-lettered by the messaging runtime)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from pfd_deploy.domain.errors import InvalidSignal
from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.rules import AlertRule, Change, MachineState, Observation, Transition, step
from pfd_deploy.monitoring.stores import Assignment, AssignmentStore, StateStore
from pfd_deploy.registry.reader import BrokenVersion, RegistryLookupError
from pfd_deploy.serving.predictor import PredictionResult, Predictor, Target
from pfd_shared.events import Envelope, EventPayload
from pfd_shared.events.monitoring import (
    MAX_TEXT_CHARS,
    FaultCleared,
    FaultDetected,
    FaultPrediction,
    MachineAssigned,
    MachineAssignmentRequested,
    SignalWindowReceived,
    WindowNotScored,
)

Publish = Callable[[EventPayload], Awaitable[None]]
UNASSIGNED, MODEL_UNAVAILABLE, UNUSABLE_WINDOW = "unassigned", "model_unavailable", "unusable_window"


@dataclass(frozen=True)
class ScoreOutcome:
    """What one window produced; ``ignored`` when it was not later than its sensor's last window."""

    prediction: FaultPrediction | None = None
    alert: FaultDetected | FaultCleared | None = None
    not_scored: WindowNotScored | None = None
    ignored: bool = False

    @property
    def events(self) -> list[EventPayload]:
        """The events to publish, in order (the prediction before the alert it caused)."""
        return [e for e in (self.prediction, self.alert, self.not_scored) if e is not None]


IGNORED_OUTCOME = ScoreOutcome(ignored=True)


@dataclass
class MachineScorer:
    """The monitoring use-case over a Predictor, a rule and the two stores."""

    predictor: Predictor
    rule: AlertRule
    assignments: AssignmentStore
    states: StateStore
    default_model: str | None
    default_alias: str
    _locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock), repr=False)

    @classmethod
    def from_settings(cls, predictor: Predictor, settings: MonitoringSettings, assignments: AssignmentStore,
                      states: StateStore) -> MachineScorer:
        return cls(predictor, settings.rule(), assignments, states, settings.model_name, settings.alias)

    async def target(self, machine_id: str) -> Assignment | None:
        """The machine's assignment, else the default model under the default alias, else None (unassigned)."""
        assigned = await self.assignments.assignment(machine_id)
        if assigned is not None:
            return assigned
        return None if self.default_model is None else Assignment(self.default_model, self.default_alias)

    async def score(self, window: SignalWindowReceived) -> ScoreOutcome:
        """Score one window (windows of one machine one at a time, so its rule state stays consistent)."""
        async with self._locks[window.machine_id]:
            state = await self.states.get(window.machine_id)
            if not state.is_new(_observation(window, "", 0.0)):
                return IGNORED_OUTCOME
            assignment = await self.target(window.machine_id)
            if assignment is None:
                return _not_scored(window, UNASSIGNED, "no model is assigned to the machine and no default model "
                                                       "is configured", None)
            result = await self._predict(window, assignment)
            if isinstance(result, ScoreOutcome):
                return result
            return await self._apply(window, state, result)

    async def _predict(self, window: SignalWindowReceived,
                       assignment: Assignment) -> PredictionResult | ScoreOutcome:
        try:
            return await self.predictor.predict(Target(assignment.model_name, assignment.alias), window.samples,
                                                window.sample_rate_hz, window.shaft_speed_hz)
        except RegistryLookupError as exc:
            return _not_scored(window, UNASSIGNED, str(exc), assignment)
        except BrokenVersion as exc:
            return _not_scored(window, MODEL_UNAVAILABLE, str(exc), assignment)
        except InvalidSignal as exc:
            return _not_scored(window, UNUSABLE_WINDOW, str(exc), assignment)

    async def _apply(self, window: SignalWindowReceived, state: MachineState,
                     result: PredictionResult) -> ScoreOutcome:
        probability = result.probabilities.get(result.predicted_class, 0.0)
        state, transition = step(self.rule, state, _observation(window, result.predicted_class, probability))
        await self.states.put(window.machine_id, state)
        prediction = FaultPrediction(
            machine_id=window.machine_id, sensor_id=window.sensor_id, window_timestamp=window.timestamp,
            predicted_class=result.predicted_class, probabilities=result.probabilities,
            healthy=self.rule.is_healthy(result.predicted_class), model_name=result.model_name,
            model_version=result.version, alias=result.alias, latency_ms=result.latency_ms)
        return ScoreOutcome(prediction=prediction, alert=self._alert(window, transition))

    def _alert(self, window: SignalWindowReceived, transition: Transition) -> FaultDetected | FaultCleared | None:
        kinds = {Change.DETECTED: FaultDetected, Change.CLEARED: FaultCleared}
        kind = kinds.get(transition.change)
        if kind is None or transition.fault_class is None:
            return None
        return kind(machine_id=window.machine_id, sensor_id=window.sensor_id, window_timestamp=window.timestamp,
                    fault_class=transition.fault_class, rule=self.rule.describe(), windows=transition.windows,
                    probability=min(1.0, max(0.0, transition.probability)))

    async def handle(self, envelope: Envelope[SignalWindowReceived], publish: Publish) -> None:
        """The subscriber's one call: score the window and publish what it produced."""
        for event in (await self.score(envelope.payload)).events:
            await publish(event)

    async def handle_assignment(self, envelope: Envelope[MachineAssignmentRequested], publish: Publish) -> None:
        """Store the machine's model and alias (idempotent) and confirm with MachineAssigned."""
        request = envelope.payload
        await self.assignments.assign(request.machine_id, Assignment(request.model_name, request.alias))
        await publish(MachineAssigned(machine_id=request.machine_id, model_name=request.model_name,
                                      alias=request.alias, actor=request.actor))


def _observation(window: SignalWindowReceived, predicted_class: str, probability: float) -> Observation:
    return Observation(window.sensor_id, window.timestamp, predicted_class, probability)


def _not_scored(window: SignalWindowReceived, kind: str, reason: str, assignment: Assignment | None) -> ScoreOutcome:
    return ScoreOutcome(not_scored=WindowNotScored(
        machine_id=window.machine_id, sensor_id=window.sensor_id, window_timestamp=window.timestamp, kind=kind,
        reason=reason[:MAX_TEXT_CHARS], model_name=assignment.model_name if assignment else None,
        alias=assignment.alias if assignment else None))
