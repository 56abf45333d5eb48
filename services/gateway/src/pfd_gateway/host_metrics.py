"""Host resources of the gateway's machine (CPU, memory, disk, GPUs) read with psutil and nvidia-smi."""

from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)
NVIDIA_SMI_QUERY = ["--query-gpu=name,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"]
NVIDIA_SMI_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class GpuStatus:
    name: str
    utilization_percent: float
    memory_used_mb: float
    memory_total_mb: float


@dataclass(frozen=True, slots=True)
class HostSnapshot:
    at: datetime
    cpu_percent: float
    cpu_count: int
    memory_percent: float
    memory_used_bytes: int
    memory_total_bytes: int
    disk_path: str
    disk_percent: float
    disk_used_bytes: int
    disk_total_bytes: int
    gpus: list[GpuStatus] = field(default_factory=list)
    gpu_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"at": self.at.isoformat()}


def parse_nvidia_smi(output: str) -> list[GpuStatus]:
    """Rows of ``name, util %, used MiB, total MiB`` as printed by nvidia-smi's CSV query."""
    gpus = []
    for line in output.strip().splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 4:
            raise ValueError(f"unexpected nvidia-smi line: {line!r}")
        gpus.append(GpuStatus(parts[0], float(parts[1]), float(parts[2]), float(parts[3])))
    return gpus


def read_gpus() -> tuple[list[GpuStatus], str]:
    """GPUs and a note saying why there are none (no driver tool, or the tool failed)."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return [], "No GPU detected (nvidia-smi not found)."
    try:
        result = subprocess.run([tool, *NVIDIA_SMI_QUERY], capture_output=True, text=True, check=True,  # noqa: S603
                                timeout=NVIDIA_SMI_TIMEOUT_S)
        gpus = parse_nvidia_smi(result.stdout)
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        log.warning("GPU query failed: %s", exc)
        return [], f"GPU query failed: {exc}"
    return gpus, "" if gpus else "No GPU detected."


class HostMetrics:
    """Reads a snapshot of the host; blocking (call it in a thread from async code)."""

    def __init__(self, disk_path: Path) -> None:
        self.disk_path = disk_path.resolve()
        psutil.cpu_percent(interval=None)  # primes the counter: the next call measures since now

    def read(self) -> HostSnapshot:
        memory = psutil.virtual_memory()
        disk_path = self.disk_path if self.disk_path.exists() else Path(self.disk_path.anchor or "/")
        disk = psutil.disk_usage(str(disk_path))
        gpus, note = read_gpus()
        return HostSnapshot(
            at=datetime.now(UTC), cpu_percent=psutil.cpu_percent(interval=None), cpu_count=psutil.cpu_count() or 1,
            memory_percent=memory.percent, memory_used_bytes=memory.used, memory_total_bytes=memory.total,
            disk_path=str(disk_path), disk_percent=disk.percent, disk_used_bytes=disk.used, disk_total_bytes=disk.total,
            gpus=gpus, gpu_note=note,
        )
