"""Where monitoring keeps each machine's rule state and model assignment: the interfaces and in-memory
implementations (tests, benchmarks, a single instance). A database-backed implementation (state surviving restarts
and partition rebalances) belongs to the deploy service's persistence and is not written yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pfd_deploy.monitoring.rules import MachineState


@dataclass(frozen=True)
class Assignment:
    """Score a machine with ``model_name`` under ``alias``."""

    model_name: str
    alias: str


class StateStore(Protocol):
    async def get(self, machine_id: str) -> MachineState:
        """The machine's state (a fresh one for a machine never seen)."""
        ...

    async def put(self, machine_id: str, state: MachineState) -> None:
        ...


class AssignmentStore(Protocol):
    async def assignment(self, machine_id: str) -> Assignment | None:
        """The machine's explicit assignment, None when it has none."""
        ...

    async def assign(self, machine_id: str, assignment: Assignment) -> None:
        ...


class InMemoryStateStore:
    def __init__(self) -> None:
        self.states: dict[str, MachineState] = {}

    async def get(self, machine_id: str) -> MachineState:
        return self.states.get(machine_id) or MachineState()

    async def put(self, machine_id: str, state: MachineState) -> None:
        self.states[machine_id] = state


class InMemoryAssignments:
    def __init__(self, assignments: dict[str, Assignment] | None = None) -> None:
        self.assignments: dict[str, Assignment] = dict(assignments or {})

    async def assignment(self, machine_id: str) -> Assignment | None:
        return self.assignments.get(machine_id)

    async def assign(self, machine_id: str, assignment: Assignment) -> None:
        self.assignments[machine_id] = assignment
