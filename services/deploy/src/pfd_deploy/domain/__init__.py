"""The deploy domain core (torch, onnx, onnxruntime, numpy — no web, broker or database framework)."""
