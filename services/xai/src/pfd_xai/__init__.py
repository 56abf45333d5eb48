"""PFD xai service: explanations of trained models' decisions on vibration windows."""
