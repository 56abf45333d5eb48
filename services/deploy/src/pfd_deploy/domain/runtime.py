"""ONNX Runtime sessions on the CPU with an explicit thread count (no oversubscription)."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidArgument, InvalidGraph, RuntimeException

CPU_PROVIDERS = ("CPUExecutionProvider",)
DEFAULT_BATCH = 256
ORT_ERRORS = (Fail, InvalidArgument, InvalidGraph, RuntimeException)
"""What ONNX Runtime raises when a graph cannot load or run (none of them is a Python RuntimeError)."""


def session_options(threads: int, optimization: ort.GraphOptimizationLevel = ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
                    optimized_path: str | None = None) -> ort.SessionOptions:
    if threads < 1:
        raise ValueError(f"threads must be >= 1, not {threads}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = optimization
    options.log_severity_level = 3
    if optimized_path is not None:
        options.optimized_model_filepath = optimized_path
    return options


def make_session(model: bytes, threads: int) -> ort.InferenceSession:
    """A CPU session on the model bytes with ``threads`` intra-op threads."""
    return ort.InferenceSession(model, sess_options=session_options(threads), providers=list(CPU_PROVIDERS))


def run_logits(session: ort.InferenceSession, windows: np.ndarray, batch: int = DEFAULT_BATCH) -> np.ndarray:
    """Logits (n, classes) of windows (n, channels, samples), in batches."""
    name = session.get_inputs()[0].name
    x = np.ascontiguousarray(windows, dtype=np.float32)
    return np.concatenate([session.run(None, {name: x[i:i + batch]})[0] for i in range(0, x.shape[0], batch)])
