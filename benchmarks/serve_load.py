"""Load benchmark of ``igegraph serve``: concurrent clients on loopback, mixed requests.

Starts ``igegraph serve`` on a free loopback port, then runs ``--clients`` concurrent clients
for ``--duration`` seconds. Each request is drawn from a fixed mix: a named query POSTed to
``/sparql`` (SPARQL JSON results), ``/api/describe/{entity}`` or ``/api/blocks?pathway=``.
It reports throughput, p50/p99 latency per kind and the error count (any status other than 200,
or no answer), and writes them as a section of ``benchmarks/RESULTS.md`` between markers, so
that reruns replace only that section.

    python benchmarks/serve_load.py                 # 50 clients, 30 s
    python benchmarks/serve_load.py --clients 10 --duration 5 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import write_section  # noqa: E402 - the benchmarks share one RESULTS.md writer

HERE = Path(__file__).resolve().parent
PROBLEMS: dict[str, int] = {}  # error text -> count, printed after the run
DESCRIBED = ["omalizumab", "IgE", "FcεRI", "mast cell", "basophil", "histamine", "ligelizumab", "CD23",
             "allergen", "plasma cell"]


def start_server(workers: int, timeout: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "igegraph", "serve", "--port", "0", "--workers", str(workers),
                             "--timeout", str(timeout)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if match is None:
        proc.kill()
        raise SystemExit(f"igegraph serve did not start: {line!r}")
    url = match.group(0)
    for _ in range(600):
        try:
            if httpx.get(url + "/sparql", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("igegraph serve never answered")


def requests(url: str) -> list[tuple[str, str, dict]]:
    """The request mix: (kind, label, httpx.request keyword arguments)."""
    from igegraph.sparql import named_queries

    mix = [("named query", q.name, {"method": "POST", "url": url + "/sparql", "content": q.text.encode(),
                                    "headers": {"Content-Type": "application/sparql-query",
                                                "Accept": "application/sparql-results+json"}})
           for q in named_queries()]
    mix += [("describe", term, {"method": "GET", "url": f"{url}/api/describe/{term}"}) for term in DESCRIBED]
    pathways = httpx.get(url + "/api/pathways", timeout=30).json()
    mix += [("blocks", p["name"], {"method": "GET", "url": url + "/api/blocks", "params": {"pathway": p["name"]}})
            for p in pathways]
    return mix


async def client(http: httpx.AsyncClient, mix: list, stop_at: float, rng: random.Random, out: list) -> None:
    while time.monotonic() < stop_at:
        kind, label, kwargs = rng.choice(mix)
        start = time.monotonic()
        try:
            response = await http.request(**kwargs)
            ok = response.status_code == 200
            problem = "" if ok else f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            ok, problem = False, f"{type(exc).__name__} {exc}"
        out.append((kind, label, time.monotonic() - start, ok))
        if problem:
            PROBLEMS[problem] = PROBLEMS.get(problem, 0) + 1


async def load(mix: list, clients: int, duration: float) -> tuple[list, float]:
    out: list = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        start = time.monotonic()
        await asyncio.gather(*(client(http, mix, start + duration, random.Random(i), out) for i in range(clients)))
        return out, time.monotonic() - start


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live children, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return float("nan")
    for p in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(out: list, elapsed: float, args: argparse.Namespace, cpus: tuple[float, float],
           loads: tuple[float, float]) -> str:
    cpu, client_cpu = cpus
    kinds = ["named query", "describe", "blocks"]
    rows = []
    for kind in [*kinds, "all"]:
        times = [t for k, _, t, _ in out if kind in ("all", k)]
        errors = sum(1 for k, _, _, ok in out if kind in ("all", k) and not ok)
        if times:
            rows.append(f"| {kind} | {len(times):,} | {len(times) / elapsed:.1f} | {percentile(times, 50) * 1000:.0f} ms "
                        f"| {percentile(times, 99) * 1000:.0f} ms | {max(times) * 1000:.0f} ms | {errors} |")
    named = [t for k, _, t, _ in out if k == "named query"]
    errors = sum(1 for *_, ok in out if not ok)
    verdict = ("met" if errors == 0 and named and percentile(named, 99) < 1.0 else "NOT met")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    import igegraph

    return "\n".join([
        "## Serving under load (`igegraph serve`)",
        "",
        f"Run {when} with `python benchmarks/serve_load.py --clients {args.clients} --duration {args.duration:g}`: "
        f"{args.clients} concurrent HTTP clients on loopback for {elapsed:.1f} s against `igegraph serve "
        f"--workers {args.workers}` on the curated graph. Each request is drawn at random from the "
        f"{len(set((k, l) for k, l, *_ in out))} requests of the mix: every named query POSTed to `/sparql` "
        "(SPARQL JSON results), `/api/describe/{entity}` for 10 entities, and `/api/blocks?pathway=` for every "
        "named pathway. JSON API answers are kept in the server's response cache after the first request "
        "(the graph does not change while served); every SPARQL request runs its query in a query process. "
        "An error is any status other than 200 or no answer.",
        "",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, igegraph {igegraph.__version__}; "
        f"clients and server share the machine, whose 1-minute load average was {loads[0]:.1f} before and "
        f"{loads[1]:.1f} after the run (other work included). The server and its query processes used "
        f"{cpu:.1f} s of CPU, {cpu / max(len(out), 1) * 1000:.1f} ms per request, and the clients {client_cpu:.1f} s, "
        f"together {(cpu + client_cpu) / (elapsed * (os.cpu_count() or 1)):.0%} of the machine's CPU time during the run.",
        "",
        "| requests | count | per second | p50 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"Goal (0 errors, p99 under 1 s for named queries): **{verdict}**.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (at most 300)")
    parser.add_argument("--workers", type=int, default=4, help="igegraph serve --workers")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the section only")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 500 and 0 < args.duration <= 300):
        parser.error("--clients must be 1-500 and --duration 0-300 s")
    proc, url = start_server(args.workers, timeout=10)
    try:
        mix = requests(url)
        before, load_before, mine = cpu_seconds(proc.pid), os.getloadavg()[0], time.process_time()
        out, elapsed = asyncio.run(load(mix, args.clients, args.duration))
        cpu, load_after = cpu_seconds(proc.pid) - before, os.getloadavg()[0]
        client_cpu = time.process_time() - mine
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    section = report(out, elapsed, args, (cpu, client_cpu), (load_before, load_after))
    print(section)
    for problem, count in sorted(PROBLEMS.items(), key=lambda kv: -kv[1])[:10]:
        print(f"{count} x {problem}", file=sys.stderr)
    if not args.no_write:
        write_section(args.output, "serve-load", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
