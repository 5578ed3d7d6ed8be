"""The README's "Serving the graph" examples, run against a real server: curl sessions print what
the README shows, Python snippets print what their closing comments say."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## Serving the graph"):]
SECTION = SECTION[:SECTION.index("\n## ", 3)]
DEFAULT = "http://127.0.0.1:7878"
CONSOLE = [b for b in re.findall(r"```console\n(.*?)\n```", SECTION, flags=re.S) if b.startswith("$ curl")]
PYTHON = re.findall(r"```python\n(.*?)\n```", SECTION, flags=re.S)


def test_the_section_has_its_examples():
    assert len(CONSOLE) == 2 and len(PYTHON) == 2
    assert "```sh\nigegraph serve" in SECTION


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("block", CONSOLE, ids=["sparql", "api"])
def test_curl_sessions(server, block):
    got = []
    for line in block.splitlines():
        if line.startswith("$ "):
            command = line[2:].replace(DEFAULT, server.url)
            result = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
            got.append(line)
            got.extend(result.stdout.replace("\r\n", "\n").rstrip("\n").splitlines())
    assert got == block.splitlines()


@pytest.mark.parametrize("snippet", PYTHON, ids=["SPARQLWrapper", "SPARQLStore"])
def test_python_snippets(server, snippet):
    expected = [line[2:] for line in snippet.splitlines() if line.startswith("# ")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(snippet.replace(DEFAULT, server.url), "README.md", "exec"), {})
    assert out.getvalue().splitlines() == expected
