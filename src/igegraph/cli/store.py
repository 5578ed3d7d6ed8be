"""store commands (being written)."""

COMMANDS: list = []
