"""Predictions: one signal forwarded to the deploy service's inference API, and batch predictions (events)."""
