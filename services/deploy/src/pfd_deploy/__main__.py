"""``python -m pfd_deploy``: same as ``pfd-deploy``."""

from pfd_deploy.cli import main

main()
