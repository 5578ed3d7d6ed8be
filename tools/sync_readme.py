"""Rewrite the README's ``console`` examples with what the commands print now.

Run it after a change that alters output (``make readme``), then read the diff: it is the
change a user will see. ``tests/test_readme.py`` fails while README and output disagree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# A console block is an example to run if it starts with igegraph, or with the folder that
# examples write to (git-ignored); tests/test_readme.py runs the same blocks.
RUNNABLE = ("$ igegraph", "$ mkdir -p out")


def run_block(body: str, cwd: str, env: dict) -> str:
    lines = body.splitlines()
    if not lines or not lines[0].startswith(RUNNABLE):
        return body
    out = []
    for command in (line[2:] for line in lines if line.startswith("$ ")):
        result = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
        out.append(f"$ {command}")
        text = (result.stdout + result.stderr).rstrip("\n")
        if text:
            out.extend(line.rstrip() for line in text.splitlines())
    return "\n".join(out)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    # tables fit COLUMNS: the examples are those of a 100-column terminal wherever they run
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", COLUMNS="100")

    def replace(match: re.Match) -> str:
        with tempfile.TemporaryDirectory() as cwd:
            return f"```console\n{run_block(match.group(1), cwd, env)}\n```"

    new = re.sub(r"```console\n(.*?)\n```", replace, text, flags=re.S)
    if new != text:
        README.write_text(new, encoding="utf-8")
        print("README.md examples updated; review the diff")
    else:
        print("README.md examples already match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
