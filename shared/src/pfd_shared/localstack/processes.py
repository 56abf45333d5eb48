"""Child processes started by PID, stopped by PID (whole process group), never orphaned."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO


class ProcessStartError(RuntimeError):
    """A child process exited or never became reachable."""


def free_port(avoid_plus: int | None = None) -> int:
    """A free TCP port on loopback; with ``avoid_plus`` also port+avoid_plus must be free (SeaweedFS gRPC)."""
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if avoid_plus is None:
            return port
        if port + avoid_plus < 65536 and port_is_free(port + avoid_plus):
            return port
    raise ProcessStartError("no free port found")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class ManagedProcess:
    """A daemon with its own session (process group), output to a log file or a pipe."""

    def __init__(self, name: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
                 log_path: Path | None = None, cwd: Path | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, *, pipe: bool = False) -> ManagedProcess:
        if self.log_path is not None and not pipe:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        output = subprocess.PIPE if pipe else (self._log or subprocess.DEVNULL)
        self.process = subprocess.Popen(  # noqa: S603 - argv built by the project, not by users
            self.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        if self.process is not None and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout_s: float = 3.0) -> int | None:
        """SIGTERM the group, SIGKILL it after ``timeout_s``; returns the exit code."""
        if self.process is None:
            return None
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.process.returncode

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def ensure_running(self) -> None:
        if not self.alive():
            code = self.process.returncode if self.process else None
            raise ProcessStartError(f"{self.name} exited with {code}:\n{self.log_tail()}")


def wait_for_port(proc: ManagedProcess, port: int, timeout_s: float, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        proc.ensure_running()
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise ProcessStartError(f"{proc.name} did not open port {port} within {timeout_s}s:\n{proc.log_tail()}")


def wait_for_http(proc: ManagedProcess, url: str, timeout_s: float) -> None:
    """Wait until ``url`` answers 200."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        proc.ensure_running()
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - loopback URL we built
                if response.status == 200:
                    return
        time.sleep(0.1)
    raise ProcessStartError(f"{proc.name} not ready at {url} within {timeout_s}s:\n{proc.log_tail()}")
