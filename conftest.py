"""Root of the test tree. Fixtures live in the ``pfd_shared.testing.plugin`` pytest plugin (see pyproject)."""
