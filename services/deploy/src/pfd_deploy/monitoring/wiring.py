"""Online condition monitoring in the deploy process: the scorer and its two subscribers (one Predictor per process,
shared with the HTTP API and batch predictions). Rule state and assignments live in memory: correct for one deploy
instance (or stable partitions by machine) until a database-backed store replaces them."""

from __future__ import annotations

from typing import Any

from pfd_shared.events import Envelope
from pfd_shared.events.monitoring import (
    FaultCleared,
    FaultDetected,
    FaultPrediction,
    MachineAssigned,
    MachineAssignmentRequested,
    SignalWindowReceived,
    WindowNotScored,
)

from pfd_deploy.monitoring.config import MonitoringSettings
from pfd_deploy.monitoring.scoring import MachineScorer
from pfd_deploy.monitoring.stores import InMemoryAssignments, InMemoryStateStore
from pfd_deploy.serving.batch import envelope_publisher
from pfd_deploy.serving.predictor import Predictor


def subscribe_monitoring(bus: Any, service: str, group_id: str, predictor: Predictor,
                         settings: MonitoringSettings) -> MachineScorer:
    monitor = MachineScorer.from_settings(predictor, settings, InMemoryAssignments(), InMemoryStateStore())

    @bus.subscribe(SignalWindowReceived, group_id=group_id)
    async def on_signal_window_received(envelope: Envelope[SignalWindowReceived]) -> None:
        """Score the window with the machine's model; publish the prediction and any alert."""
        await monitor.handle(envelope, envelope_publisher(bus, service, envelope))

    @bus.subscribe(MachineAssignmentRequested, group_id=group_id)
    async def on_machine_assignment_requested(envelope: Envelope[MachineAssignmentRequested]) -> None:
        """Score the machine with the requested model and alias from now on."""
        await monitor.handle_assignment(envelope, envelope_publisher(bus, service, envelope))

    for published in (FaultPrediction, FaultDetected, FaultCleared, WindowNotScored, MachineAssigned):
        bus.documents(published)
    return monitor
