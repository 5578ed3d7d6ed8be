"""export commands (being written)."""

COMMANDS: list = []
