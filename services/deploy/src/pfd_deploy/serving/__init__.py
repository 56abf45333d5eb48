"""Serving: ONNX Runtime sessions cached per model version, single and batch prediction (torch-free)."""
