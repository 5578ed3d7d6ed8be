"""kb commands."""

COMMANDS: list = []
