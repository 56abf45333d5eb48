"""``python -m pfd_gateway``: same as ``pfd-gateway``."""

from pfd_gateway.cli import main

main()
