"""query commands."""

COMMANDS: list = []
