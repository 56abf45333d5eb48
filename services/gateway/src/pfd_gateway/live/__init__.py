"""Live push to browsers."""
