"""``python -m pfd_datagen``: same as ``pfd-data-gen``."""

from pfd_datagen.cli import main

main()
