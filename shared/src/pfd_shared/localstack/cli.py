"""``pfd-stack up``: run the whole platform locally until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from pfd_shared.localstack.processes import ProcessStartError
from pfd_shared.localstack.stack import LocalStack

POLL_S = 0.5


def _raise_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-stack", description="Run PFD locally (no Docker, no system services).")
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--var-dir", type=Path, default=Path("var"), help="where all state lives (default ./var)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    stack = LocalStack(args.var_dir)
    try:
        print(f"starting S3 and broker (state in {stack.var_dir}) ...", flush=True)
        stack.start_infra()
        stack.start_services(sys.stdout)
        gateway = stack.ports.gateway
        print(f"\nPFD is up: http://127.0.0.1:{gateway}  (API docs /api/v1/docs, status /api/v1/system/services)."
              " Ctrl-C stops everything.\n", flush=True)
        while True:
            for proc in stack.services:
                if proc.process is not None and not proc.alive():
                    print(f"!! {proc.name} exited with code {proc.process.returncode}", flush=True)
                    proc.process = None
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    except (ProcessStartError, FileNotFoundError) as exc:
        print(f"PFD could not start: {exc}", file=sys.stderr, flush=True)
        stack.stop()
        sys.exit(1)
    stack.stop()
    print("stopped.", flush=True)
