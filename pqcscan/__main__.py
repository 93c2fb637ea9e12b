"""``python -m pqcscan``."""

from pqcscan.cli import main

main()
