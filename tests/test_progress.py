"""Progress bars: drawn on a terminal only, exactly as specified, never in pipes."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess

import pytest

from igegraph.progress import enabled_for, progress
from igegraph.resources import curated_files

_CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def last_frame(raw: str) -> list[str]:
    """The lines of the last frame drawn: colours and cursor moves removed; each frame starts at a \\r."""
    text = _CSI.sub("", raw).replace("\r\n", "\n")  # a pty turns \n into \r\n
    return text.split("\r")[-1].splitlines()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


BAR = "━" * 30


def test_off_the_terminal_nothing_is_written():
    out = io.StringIO()
    with progress("Reading files", total=10, unit="bytes", stream=out) as bar:
        bar.update(5)
        bar.advance(5)
        bar.stage("Building the projection")
    assert out.getvalue() == ""
    assert bar.enabled is False


def test_no_progress_variable_turns_the_bar_off(monkeypatch):
    monkeypatch.setenv("IGEGRAPH_NO_PROGRESS", "1")
    out = Terminal()
    with progress("Reading files", total=10, stream=out) as bar:
        bar.advance(3)
    assert out.getvalue() == "" and not bar.enabled and not enabled_for(out)
    monkeypatch.delenv("IGEGRAPH_NO_PROGRESS")
    assert enabled_for(out)


def test_final_frame_on_a_terminal():
    out, clock = Terminal(), Clock()
    with progress("Reading files", total=2_000_000, unit="bytes", stream=out, width=80, clock=clock) as bar:
        assert bar.enabled
        clock.now = 1.0
        bar.update(1_000_000)
        clock.now = 2.0
        bar.update(2_000_000)
        bar.stage("Building the projection")
        clock.now = 5.0
        bar.stage("Checking", total=4, unit="files")
        bar.advance(3, description="Checking links")
        clock.now = 7.0
    assert last_frame(out.getvalue()) == [
        f"Reading files           {BAR} 100% 2.0/2.0 MB 0:00:02",
        f"Building the projection {BAR}                 0:00:03",
        f"Checking links          {BAR} 100% 4/4 files  0:00:02",
    ]
    assert out.getvalue().endswith("\x1b[?25h")  # the cursor is shown again


def test_failed_work_leaves_its_bar_where_it_stopped():
    out, clock = Terminal(), Clock()
    with pytest.raises(ValueError), \
            progress("Counting", total=4, unit="rows", stream=out, width=80, clock=clock) as bar:
        bar.advance(2)
        clock.now = 61.0
        raise ValueError("stop")
    assert last_frame(out.getvalue()) == [f"Counting {'━' * 15}╺{'━' * 14}  50% 2/4 rows 0:01:01"]


@pytest.fixture
def igegraph(igegraph_command):
    """``igegraph(stdout, stderr, *args)`` starts ``igegraph ARGS`` as a process of its own (forked
    from warm imports: see the igegraph_command fixture) writing to those files; its Popen."""
    def start(stdout, stderr, *args: str) -> subprocess.Popen:
        env = {**os.environ, "COLUMNS": "100"}
        env.pop("IGEGRAPH_NO_PROGRESS", None)
        return subprocess.Popen([*igegraph_command, *args], stdout=stdout, stderr=stderr, env=env)

    return start


def _store_build(igegraph, tmp_path, stdout, stderr):
    return igegraph(stdout, stderr, "store", "build", str(tmp_path / "kg"))


def _on_a_terminal(tmp_path, start) -> str:
    """What ``start(stdout, stderr)`` draws with standard error on a terminal (it must succeed)."""
    controller, terminal = pty.openpty()
    with open(tmp_path / "stdout", "wb") as out:
        proc = start(out, terminal)
    os.close(terminal)
    chunks = []
    while True:  # read as it comes: a full terminal buffer would block the command
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert proc.wait() == 0
    return b"".join(chunks).decode()


def test_store_build_draws_its_bar_on_a_terminal(tmp_path, igegraph):
    drawn = _on_a_terminal(tmp_path, lambda out, err: _store_build(igegraph, tmp_path, out, err))
    stdout = (tmp_path / "stdout").read_text()
    assert stdout.startswith(f"Built {tmp_path / 'kg'}: ")
    kb = sum(p.stat().st_size for p in curated_files()) / 1000
    assert 100 < kb < 1000  # the expected amount below is written in kB
    frame = [re.sub(r"\d:\d\d:\d\d$", "H:MM:SS", line) for line in last_frame(drawn)]
    assert frame == [
        f"Reading files           {BAR} 100% {kb:.1f}/{kb:.1f} kB H:MM:SS",
        f"Building the projection {BAR}{' ' * (len(f'{kb:.1f}/{kb:.1f} kB') + 6)} H:MM:SS",
    ]


def test_store_build_writes_no_progress_into_a_pipe(tmp_path, igegraph):
    proc = _store_build(igegraph, tmp_path, subprocess.PIPE, subprocess.PIPE)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0
    assert stderr == b""
    assert stdout.decode().startswith(f"Built {tmp_path / 'kg'}: ") and stdout.count(b"\n") == 1


def test_push_draws_its_bar_on_a_terminal(tmp_path, oxigraph_endpoint, kg, igegraph):
    from igegraph.backends.upload import prepare_upload

    graph = "https://example.org/graphs/progress"
    drawn = _on_a_terminal(tmp_path, lambda out, err: igegraph(out, err, "push", "--endpoint", oxigraph_endpoint,
                                                                "--graph", graph))
    assert (tmp_path / "stdout").read_text().startswith(f"pushed {len(kg):,} triples to graph <{graph}> ")
    kb = sum(p.stat().st_size for p in curated_files()) / 1000
    (tmp_path / "upload").mkdir()
    sent = prepare_upload([], tmp_path / "upload").size / 1000
    assert 100 < kb < 1000 and 100 < sent < 1000  # the amounts below are written in kB
    frame = [re.sub(r"\d:\d\d:\d\d$", "H:MM:SS", line) for line in last_frame(drawn)]
    assert frame == [
        f"Checking files {BAR} 100% {kb:.1f}/{kb:.1f} kB H:MM:SS",
        f"Uploading      {BAR} 100% {sent:.1f}/{sent:.1f} kB H:MM:SS",
    ]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_push_writes_no_progress_into_a_pipe(oxigraph_endpoint, fmt, igegraph):
    proc = igegraph(subprocess.PIPE, subprocess.PIPE, "push", "--endpoint", oxigraph_endpoint,
                     "--graph", "https://example.org/graphs/piped", "--format", fmt)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and stderr == b""
    assert stdout.startswith(b"pushed " if fmt == "text" else b"{")


def test_push_json_draws_no_bar_even_on_a_terminal(tmp_path, oxigraph_endpoint, igegraph):
    drawn = _on_a_terminal(tmp_path, lambda out, err: igegraph(out, err, "push", "--endpoint", oxigraph_endpoint,
                                                                "--graph", "https://example.org/graphs/json",
                                                                "--format", "json"))
    assert drawn == ""
    assert json.loads((tmp_path / "stdout").read_text())["atomic"] is True
