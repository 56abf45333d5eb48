"""The notification rule table: which domain events notify their owner, and what the notification says.

Adding an event type is one ``Rule`` entry: the notifier subscribes to every rule's event, and the
preferences page lists it. Texts are built from the payload only (no look-ups).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pfd_shared.events.datasets import DatasetFailed, DatasetReady
from pfd_shared.events.envelope import EventPayload
from pfd_shared.events.notifications import Channel, Level
from pfd_shared.events.training import EvaluationCompleted, TrainingCompleted, TrainingFailed

Text = Callable[[Any], str]
DEFAULT_CHANNELS: tuple[Channel, ...] = ("in_app", "webhook")  # email needs an address: off until chosen


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    level: Level
    link: str | None


@dataclass(frozen=True)
class Rule:
    event: type[EventPayload]
    label: str
    title: Text
    body: Text
    level: Level = "info"
    link: Callable[[Any], str | None] = lambda _: None

    @property
    def event_type(self) -> str:
        return self.event.event_type

    def message(self, payload: EventPayload) -> Message:
        return Message(self.title(payload), self.body(payload), self.level, self.link(payload))


def _monitor(event: Any) -> str:
    return f"/experiments/monitor?id={event.experiment_id}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


RULES: tuple[Rule, ...] = (
    Rule(DatasetReady, "Data set ready",
         lambda e: f"Data set “{e.name}” is ready",
         lambda e: f"{e.records} records of {len(e.class_names)} classes at {e.sample_rate_hz:g} Hz"
                   + (" (reused an identical build)." if e.cached else "."),
         "success", lambda _: "/datasets"),
    Rule(DatasetFailed, "Data set failed",
         lambda e: f"Data set {e.dataset_id} failed", lambda e: e.reason, "danger", lambda _: "/datasets"),
    Rule(TrainingCompleted, "Training completed",
         lambda e: f"Training run {e.run_id} completed",
         lambda e: f"{e.epochs_run} epochs, best epoch {e.best_epoch}, validation accuracy "
                   f"{_percent(e.metrics.get('val_accuracy'))}.", "success", _monitor),
    Rule(TrainingFailed, "Training failed",
         lambda e: f"Training run {e.run_id} failed", lambda e: e.reason, "danger", _monitor),
    Rule(EvaluationCompleted, "Evaluation completed",
         lambda e: f"Evaluation of run {e.run_id} completed",
         lambda e: f"Record accuracy {_percent(e.record_accuracy)}, macro F1 {e.macro_f1:.3f} "
                   f"on data set {e.dataset_id}.", "info", lambda e: f"/experiments/results?id={e.experiment_id}"),
)
RULES_BY_TYPE: dict[str, Rule] = {rule.event_type: rule for rule in RULES}


def rule_for(event_type: str) -> Rule | None:
    return RULES_BY_TYPE.get(event_type)
