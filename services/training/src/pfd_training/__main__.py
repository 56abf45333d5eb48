"""``python -m pfd_training``: same as ``pfd-training``."""

from pfd_training.cli import main

main()
