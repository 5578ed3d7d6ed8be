"""Test-suite benchmark: ``make test`` on fresh clones of two revisions, side by side.

Each run clones the repository into a new temporary folder, checks out the revision and runs
``.ci/run`` there with ``CI=true`` (``make test`` where a revision has no ``.ci/run``): the venv,
the install and every bytecode cache start empty, as on CI. User-level caches (uv's packages,
``~/.cache/igegraph``) are kept, as they are on a machine that ran the suite before.

The two revisions take turns (base, head, then head, base, ...), so that a drift of the host's
speed falls on both. Each run reports its wall time with the install, pytest's own time, the
CPU time of everything it started (a cpuacct cgroup where one can be made, else the reaped
children's rusage, which misses processes left to init), the hypervisor's steal time, and the
seconds of a fixed pure-Python loop timed just before it: on a shared host that loop moves by
a fifth or more between phases, so compare runs by their ratios, not across sessions.
Writes the "Test suite on fresh clones" section of ``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/suite.py --base 1ae4b90               # base against HEAD, two pairs
    python benchmarks/suite.py --base v0.1 --head main --pairs 3
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
CGROUP_V1 = Path("/sys/fs/cgroup/cpuacct")
#: pytest's closing line, e.g. "1523 passed, 1 skipped in 78.33s (0:01:18)"
SUMMARY = re.compile(r"^=*\s*(?P<counts>(?:\d+ \w+(?:, )?)+) in (?P<seconds>[\d.]+)s\b", re.MULTILINE)


@dataclass
class Run:
    """One fresh-clone run of the suite."""

    label: str
    rev: str
    counts: dict[str, int]
    pytest_s: float | None
    wall_s: float
    cpu_s: float
    steal_s: float
    calib_s: float
    returncode: int

    @property
    def tests(self) -> str:
        """Passed (and skipped, failed, errors) as the README's table writes them."""
        text = f"{self.counts.get('passed', 0):,}"
        for key in ("skipped", "failed", "errors", "error"):
            if self.counts.get(key):
                text += f" + {self.counts[key]} {key}"
        return text


def parse_summary(output: str) -> tuple[dict[str, int], float | None]:
    """The counts and seconds of pytest's last summary line in ``output``.

    Examples
    --------
    >>> parse_summary("....\\n1523 passed, 1 skipped in 78.33s (0:01:18)\\n")
    ({'passed': 1523, 'skipped': 1}, 78.33)
    >>> parse_summary("make: *** [test] Error 2")
    ({}, None)
    """
    matches = list(SUMMARY.finditer(output))
    if not matches:
        return {}, None
    last = matches[-1]
    counts = {}
    for part in last.group("counts").split(", "):
        number, word = part.split(" ", 1)
        counts[word] = int(number)
    return counts, float(last.group("seconds"))


def calibrate(loops: int = 5_000_000) -> float:
    """Seconds of a fixed pure-Python loop (the best of three): the host's speed just now."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(loops):
            total += i * i
        best = min(best, time.perf_counter() - start)
    return best


def _steal() -> float:
    """The hypervisor's steal time so far, in seconds (0 where /proc/stat has none)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _cgroup() -> Path | None:
    """A new cpuacct cgroup (v1) to count every process of a run, or None where none can be made."""
    group = CGROUP_V1 / f"igegraph-suite-{os.getpid()}"
    try:
        group.mkdir()
    except OSError:
        return None
    return group


def run_once(label: str, rev: str, repo: Path = ROOT) -> Run:
    """Clone ``repo`` at ``rev`` into a temporary folder and run its CI entry point there."""
    with tempfile.TemporaryDirectory(prefix="igegraph-suite-") as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", rev], check=True)
        command = ["bash", ".ci/run"] if (clone / ".ci" / "run").exists() else ["make", "test"]
        env = {**os.environ, "CI": "true"}
        calib = calibrate()
        group = _cgroup()
        procs = None if group is None else str(group / "cgroup.procs")

        def enter_group() -> None:
            if procs is not None:
                Path(procs).write_text(str(os.getpid()))

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        steal0, start = _steal(), time.perf_counter()
        done = subprocess.run(command, cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors="replace", preexec_fn=enter_group if procs else None)
        wall, steal = time.perf_counter() - start, _steal() - steal0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if group is not None:
            cpu = int((group / "cpuacct.usage").read_text()) / 1e9
            for pid in (group / "cgroup.procs").read_text().split():  # leftovers, if any, leave the group
                (CGROUP_V1 / "cgroup.procs").write_text(pid)
            group.rmdir()
        else:
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        counts, seconds = parse_summary(done.stdout)
        if done.returncode:
            print(done.stdout[-3000:], file=sys.stderr)
        return Run(label, rev, counts, seconds, wall, cpu, steal, calib, done.returncode)


def report(runs: list[Run], cpu_source: str) -> str:
    """The RESULTS.md section: one row per run, then the head/base ratios of each pair."""
    lines = ["## Test suite on fresh clones", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python benchmarks/suite.py` on "
             f"{os.cpu_count()} CPUs: `CI=true bash .ci/run` in a fresh clone of each revision, the two taking "
             f"turns. CPU: {cpu_source}. Calibration: the best of three runs of a fixed pure-Python loop just "
             "before each run (lower is a faster host).", "",
             "| run | revision | tests | pytest | with the install | CPU | steal | calibration | exit |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        pytest_s = f"{run.pytest_s:.1f} s" if run.pytest_s is not None else "–"
        lines.append(f"| {run.label} | `{run.rev}` | {run.tests} | {pytest_s} | {run.wall_s:.1f} s | "
                     f"{run.cpu_s:.1f} s | {run.steal_s:.1f} s | {run.calib_s:.3f} s | {run.returncode} |")
    pairs = [sorted(runs[i:i + 2], key=lambda run: run.label) for i in range(0, len(runs) - 1, 2)]  # base, head
    if pairs:
        wall = [head.wall_s / base.wall_s for base, head in pairs]
        cpu = [head.cpu_s / base.cpu_s for base, head in pairs]
        lines += ["", "| pair | head/base wall with the install | head/base CPU |", "|---|---|---|"]
        lines += [f"| {number} | {w:.2f} | {c:.2f} |" for number, (w, c) in enumerate(zip(wall, cpu, strict=True), 1)]
        lines.append(f"| median | {statistics.median(wall):.2f} | {statistics.median(cpu):.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--head", default="HEAD", help="git revision measured (default HEAD)")
    parser.add_argument("--pairs", type=int, default=2, help="runs of each revision (default 2)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    revs = {}
    for label, rev in (("base", args.base), ("head", args.head)):
        found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", f"{rev}^{{commit}}"],
                               capture_output=True, text=True)
        if found.returncode:
            parser.error(f"unknown revision {rev!r}: give a commit, branch or tag of this repository")
        revs[label] = found.stdout.strip()
    probe = _cgroup()
    if probe is not None:
        probe.rmdir()
    cpu_source = ("a cpuacct cgroup (every process of the run)" if probe is not None
                  else "the reaped children's rusage (misses processes left to init)")
    runs = []
    for number in range(args.pairs):
        order = ("base", "head") if number % 2 == 0 else ("head", "base")
        for label in order:
            run = run_once(label, revs[label])
            print(f"{label} {run.rev}: {run.tests}, pytest {run.pytest_s} s, {run.wall_s:.1f} s with the install, "
                  f"CPU {run.cpu_s:.1f} s, steal {run.steal_s:.1f} s, calibration {run.calib_s:.3f} s, "
                  f"exit {run.returncode}", flush=True)
            runs.append(run)
    from run import write_section

    section = report(runs, cpu_source)
    write_section(args.output, "suite", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
