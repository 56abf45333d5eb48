"""The deploy service's inference API (FastAPI): predict one signal with a registered model version."""
