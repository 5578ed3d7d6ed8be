"""benchmarks/suite.py: fresh-clone runs of the suite, their parsing and their report."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def suite():
    spec = importlib.util.spec_from_file_location("bench_suite", ROOT / "benchmarks" / "suite.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.parametrize(("output", "counts", "seconds"), [
    ("....\n1523 passed, 1 skipped in 78.33s (0:01:18)\n", {"passed": 1523, "skipped": 1}, 78.33),
    ("F.\n=== 2 failed, 1521 passed, 1 skipped in 80.10s (0:01:20) ===\n",
     {"failed": 2, "passed": 1521, "skipped": 1}, 80.1),
    ("1 passed in 0.5s\nlater output\n3 passed, 1 error in 2.00s\n", {"passed": 3, "error": 1}, 2.0),
    ("make: *** [Makefile:40: test] Error 2\n", {}, None),
])
def test_parse_summary(suite, output, counts, seconds):
    assert suite.parse_summary(output) == (counts, seconds)


def _run(suite, label, wall, cpu, counts=None):
    return suite.Run(label, "abc1234", counts or {"passed": 10, "skipped": 1}, wall - 8, wall, cpu, 0.5, 0.25, 0)


def test_report_pairs_base_with_head_whichever_ran_first(suite):
    runs = [_run(suite, "base", 100.0, 200.0), _run(suite, "head", 80.0, 150.0),
            _run(suite, "head", 90.0, 160.0), _run(suite, "base", 100.0, 180.0)]
    text = suite.report(runs, "a cpuacct cgroup")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[1] == "| base | `abc1234` | 10 + 1 skipped | 92.0 s | 100.0 s | 200.0 s | 0.5 s | 0.250 s | 0 |"
    assert rows[5:] == ["| pair | head/base wall with the install | head/base CPU |",
                        "| 1 | 0.80 | 0.75 |", "| 2 | 0.90 | 0.89 |", "| median | 0.85 | 0.82 |"]
    assert "CPU: a cpuacct cgroup." in text


def test_tests_cell_names_failures(suite):
    run = _run(suite, "head", 1.0, 1.0, counts={"failed": 2, "passed": 5})
    assert run.tests == "5 + 2 failed"


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A repository whose CI entry point prints a pytest summary and exits with the code in EXIT."""
    where = tmp_path_factory.mktemp("repo")
    (where / ".ci").mkdir()
    (where / ".ci" / "run").write_text('echo "7 passed, 2 skipped in 0.25s"\nexit "${EXIT:-0}"\n')
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "ci"]):
        subprocess.run(["git", "-C", str(where), *command], check=True)
    return where


def test_calibrate_times_the_loop(suite):
    assert 0 < suite.calibrate(loops=1_000) < suite.calibrate(loops=300_000)


def test_run_once_clones_and_runs_the_ci_entry_point(suite, repo, monkeypatch):
    monkeypatch.setattr(suite, "calibrate", lambda: 0.125)  # the loop itself is timed above
    run = suite.run_once("head", "HEAD", repo=repo)
    assert (run.label, run.rev, run.counts, run.pytest_s, run.returncode) == (
        "head", "HEAD", {"passed": 7, "skipped": 2}, 0.25, 0)
    assert run.calib_s == 0.125 and run.wall_s > 0 and run.cpu_s >= 0
    monkeypatch.setenv("EXIT", "3")
    monkeypatch.setattr(suite, "_cgroup", lambda: None)  # CPU from rusage, as where no cgroup can be made
    failed = suite.run_once("base", "HEAD", repo=repo)
    assert (failed.returncode, failed.counts) == (3, {"passed": 7, "skipped": 2})


def test_unknown_revision_is_one_line(suite, capsys):
    with pytest.raises(SystemExit) as stop:
        suite.main(["--base", "no-such-revision-xyz", "--pairs", "0"])
    assert stop.value.code == 2
    assert "unknown revision 'no-such-revision-xyz': give a commit, branch or tag" in capsys.readouterr().err
