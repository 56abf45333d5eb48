"""``python -m pfd_xai``: same as ``pfd-xai``."""

from pfd_xai.cli import main

main()
