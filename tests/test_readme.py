"""Keep the README honest: it starts with make demo / make test, documents every command, every
console example prints exactly what the README says, and writes files only under out/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests import warm_cli

from igegraph.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RUNNABLE = ("$ igegraph", "$ mkdir -p out")  # as in tools/sync_readme.py
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n(.*?)\n```", TEXT, flags=re.S)


def examples() -> list[tuple[list[str], list[str]]]:
    """(commands, expected output lines) for every console block that runs igegraph."""
    found = []
    for body in BLOCKS:
        lines = body.splitlines()
        if not lines[0].startswith(RUNNABLE):
            continue
        found.append(([l[2:] for l in lines if l.startswith("$ ")], lines))
    return found


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def files_left_outside_out(repo: Path) -> list[str]:
    """Untracked or ignored paths of a checkout that are not under out/ (what running the examples
    in a clone would leave behind)."""
    status = git(repo, "status", "--porcelain", "--ignored", "--untracked-files=all")
    paths = [line[3:] for line in status.splitlines() if line[:2] in ("??", "!!")]
    return sorted(p for p in paths if not p.startswith("out/"))


def test_writing_outside_out_is_caught(tmp_path):
    shutil.copy(ROOT / ".gitignore", tmp_path)
    git(tmp_path, "init", "-q", "--template=")  # no sample hooks to copy
    git(tmp_path, "add", ".gitignore")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "fine.ttl").write_text("")
    (tmp_path / "graph.html").write_text("")
    (tmp_path / ".igegraph-cache").mkdir()
    (tmp_path / ".igegraph-cache" / "entry").write_text("")
    assert files_left_outside_out(tmp_path) == [".igegraph-cache/entry", "graph.html"]


def test_readme_starts_with_the_two_commands():
    first = BLOCKS[0].splitlines()
    assert [l.split("#")[0].strip() for l in first] == ["make demo", "make test"]


def test_every_command_is_documented():
    names = []
    for name, command in main.commands.items():
        names.append(name)
        names += [f"{name} {sub}" for sub in getattr(command, "commands", {})]
    missing = [n for n in names if f"igegraph {n}" not in TEXT]
    assert missing == []


@pytest.fixture(scope="session")
def warm_bin(warm_server):
    """A folder whose ``igegraph`` runs each command in a process forked from warm imports (see
    tests/warm_cli.py), or None with IGEGRAPH_README_COLD=1 (a new interpreter per command)."""
    return None if warm_server is None else warm_server.bin_dir


def test_warm_command_is_a_process_of_its_own(warm_bin, tmp_path):
    """The warm ``igegraph`` keeps what the examples rely on: the shell's pipes, redirections and
    working directory, the environment, and exit statuses."""
    if warm_bin is None:
        pytest.skip("IGEGRAPH_README_COLD is set")
    env = dict(warm_cli.command_env(), PATH=f"{warm_bin}{os.pathsep}{warm_cli.command_env()['PATH']}", IGEGRAPH_NO_PROGRESS="1")
    script = ("igegraph stats --format json > stats.json && igegraph nosuchcommand; echo \"status $?\"; "
              "igegraph --version | tr a-z A-Z; echo \"$(igegraph --help | head -1)\"")
    done = subprocess.run(script, shell=True, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.splitlines()[0] == "status 2"
    assert "No such command 'nosuchcommand'" in done.stderr
    assert done.stdout.splitlines()[1].startswith("IGEGRAPH, VERSION ")
    assert done.stdout.splitlines()[2].startswith("Usage: igegraph [OPTIONS] COMMAND [ARGS]")
    assert json.loads((tmp_path / "stats.json").read_text())["triples"] > 1000


@pytest.mark.parametrize("commands, expected", examples(), ids=lambda v: v[0][:40] if isinstance(v, list) and v and isinstance(v[0], str) and v[0].startswith("igegraph") else None)
def test_console_examples_print_what_the_readme_says(tmp_path, warm_bin, commands, expected, request):
    """Each block runs in a fresh git checkout holding the project's .gitignore, as in a clone:
    afterwards git must see nothing new outside out/. Each command runs through the shell in a
    process of its own (forked from warm imports unless IGEGRAPH_README_COLD=1). A block drawing
    a PNG needs Chromium (the ``chromium`` fixture: skipped without it unless CI is set), and its
    Playwright driver starts from the fixture's Node.js compile cache (0.15 CPU-s less)."""
    if any(" png " in c for c in commands):
        request.getfixturevalue("chromium")
    env = warm_cli.command_env()
    if warm_bin is not None:
        env["PATH"] = f"{warm_bin}{os.pathsep}{env['PATH']}"
    shutil.copy(ROOT / ".gitignore", tmp_path)
    git(tmp_path, "init", "-q", "--template=")  # no sample hooks to copy
    git(tmp_path, "add", ".gitignore")
    got = []
    for command in commands:
        result = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
        got.append(f"$ {command}")
        output = (result.stdout + result.stderr).rstrip("\n")
        assert "Traceback" not in output
        if output:
            got.extend(output.splitlines())
    assert [l.rstrip() for l in got] == [l.rstrip() for l in expected]
    assert files_left_outside_out(tmp_path) == []
