"""PFD deploy: ONNX export of trained models, optimised and quantised variants, their measurement and the
ONNX Runtime inference core."""
