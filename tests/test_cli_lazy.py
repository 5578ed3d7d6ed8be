"""``igegraph --help`` and every ``igegraph CMD --help`` import no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("rdflib", "networkx", "pyvis", "pyshacl", "pyoxigraph", "oxrdflib")

# Runs in a fresh interpreter: walks every registered command (and group subcommand), asks
# for its help and records the first heavy module that shows up after each one.
_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import click
    from igegraph.cli import main

    HEAVY = %r

    def heavy():
        return sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))

    def paths(group, prefix):
        out = []
        for name, cmd in sorted(group.commands.items()):
            out.append(prefix + [name])
            if isinstance(cmd, click.Group):
                out.extend(paths(cmd, prefix + [name]))
        return out

    report = []
    for args in [[]] + paths(main, []):
        try:
            main.main(args + ["--help"], prog_name="igegraph", standalone_mode=False)
        except SystemExit:
            pass
        report.append({"command": " ".join(args) or "(main)", "heavy": heavy()})
    print(json.dumps(report))
    """
) % (HEAVY,)


def _run() -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_help_of_every_command_imports_no_heavy_library():
    report = _run()
    assert len(report) > 1  # main plus at least one command
    offenders = [r for r in report if r["heavy"]]
    # the first offender is the culprit: modules accumulate over the run
    assert not offenders, f"'{offenders[0]['command']} --help' imported {offenders[0]['heavy']}"


def test_store_commands_are_registered():
    commands = {r["command"] for r in _run()}
    assert {"store", "store build", "store info"} <= commands
