"""``python -m igegraph`` runs the command-line interface."""

from .cli import main

main()
