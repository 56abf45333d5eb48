"""``python -m pfd_notifier``: same as ``pfd-notifier``."""

from pfd_notifier.cli import main

main()
