"""Test support shared by every package's tests: real-infrastructure fixtures (a pytest plugin)."""
