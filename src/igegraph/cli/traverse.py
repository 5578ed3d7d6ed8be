"""traverse commands."""

COMMANDS: list = []
