"""``python -m pfd_shared.runtime``: same as ``pfd-runtime``."""

from pfd_shared.runtime.cli import main

main()
