"""Endpoint benchmark: igegraph on an Oxigraph server against the embedded persistent store.

For each size the synthetic graph of :mod:`generate` (merged with the curated graph) is

* built into a persistent store once (``igegraph store build``; kept in ``benchmarks/.work``);
* pushed to a fresh ``oxigraph serve`` process on a free loopback port (``igegraph push
  --chunked``, timed: the fast, non-atomic mode that 10M needs); up to 1M also with the
  default atomic ``PUT``, to a second, throw-away server;

then a fresh igegraph process per backend (``--store DIR``, ``--endpoint URL``) runs the first
``blocks`` of the process on pathway ``ige-fceri-degranulation`` (it fetches the causal cone,
:mod:`igegraph.traverse.fetch`), a second one, and every named query. Each process reports
its timings, the triples it fetched and a hash of the blocks answer (the two backends must
agree); its peak RSS is read by the parent from ``wait4`` (the child's own rusage).

Writes the section ``endpoint`` of ``benchmarks/RESULTS.md`` and the raw numbers to
``benchmarks/.work/endpoint.json`` (with ``--push-only``: the section ``endpoint-push`` and
``endpoint-push.json``).

Usage::

    python benchmarks/endpoint.py              # 1M synthetic triples
    python benchmarks/endpoint.py --full       # and 10M
    python benchmarks/endpoint.py --sizes 100k # any sizes
    python benchmarks/endpoint.py --sizes 10m --push-only   # the pushes only (no store, no queries)
    python benchmarks/endpoint.py --endpoint http://127.0.0.1:7878/query --no-queries
        # blocks only, on a server already loaded (by igegraph push): prints the figures as JSON
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
BIN = Path(sys.executable).parent
PATHWAY = "ige-fceri-degranulation"
QUERY_TIMEOUT = 120.0
#: Sizes up to this many triples are also pushed with the atomic PUT (about 2 min at 1M).
ATOMIC_PUSH_UP_TO = 1_000_000


# ------------------------------------------------------------------ worker (a fresh process)


def worker(kind: str, where: str, save: Path, queries: bool = True) -> dict:
    """Open the graph, time the first and second ``blocks`` and (with ``queries``) every named
    query, saving what is measured to ``save`` after each step (a run stopped during the queries
    keeps the rest)."""
    started = time.perf_counter()
    import igegraph  # noqa: F401  (imports count in the first call's latency)
    from igegraph.resources import resource_dir
    from igegraph.traverse import blocks_pathway

    if kind == "store":
        from igegraph.store import open_store

        kg = open_store(where)
    else:
        from igegraph.backends import get_backend

        kg = get_backend("endpoint", where, timeout=QUERY_TIMEOUT).load()
    opened = time.perf_counter()
    report = blocks_pathway(kg, PATHWAY)
    first = time.perf_counter()
    rss_blocks = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the queries
    blocks_pathway(kg, PATHWAY)
    second = time.perf_counter()
    fetched = kg.derived("traverse.fetch_stats", list)
    answer = json.dumps(report.to_dict(), sort_keys=True, default=str)
    out: dict = {
        "open_s": opened - started, "blocks_first_s": first - opened, "blocks_first_total_s": first - started,
        "blocks_second_s": second - first, "rss_blocks_mb": rss_blocks,
        "routes": report.count.n, "blockers": len(report.blockers),
        "answer": hashlib.sha1(answer.encode()).hexdigest()[:12],
        "fetch": [vars(s) for s in fetched], "queries": {},
    }
    save.write_text(json.dumps(out))
    for path in sorted(resource_dir("queries").glob("*.rq")) if queries else ():
        t = time.perf_counter()
        try:
            result = kg.query(path.read_text(encoding="utf-8"), timeout=QUERY_TIMEOUT)
            rows = len(getattr(result, "rows", None) or [])
            out["queries"][path.stem] = {"s": time.perf_counter() - t, "rows": rows}
        except Exception as exc:  # a query the store refuses is reported, not fatal
            out["queries"][path.stem] = {"error": f"{type(exc).__name__}: {str(exc)[:120]}"}
        save.write_text(json.dumps(out))
    return out


def run_child(cmd: list[str]) -> tuple[int, str, float, float]:
    """Run a command; (exit code, stderr tail, wall seconds, peak RSS in MB of that child)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = (err.read().decode(errors="replace").strip().splitlines() or [""])[-1]
    return proc.returncode, tail, time.perf_counter() - t, usage.ru_maxrss / 1024


# ------------------------------------------------------------------ driver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oxigraph serve exited with {proc.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("oxigraph serve did not answer in time")


class _Server:
    """A fresh ``oxigraph serve`` on a free loopback port and a temporary directory (a context)."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self) -> str:
        oxigraph = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
        if oxigraph is None:
            raise SystemExit("the oxigraph server is not installed: pip install oxigraph")
        self.location = Path(tempfile.mkdtemp(prefix=f"oxigraph-{self.label}-", dir=WORK))
        port = _free_port()
        url = f"http://127.0.0.1:{port}/query"
        self.process = subprocess.Popen([oxigraph, "serve", "--location", str(self.location), "--bind",
                                         f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(url, self.process)
        except BaseException:
            self.__exit__()
            raise
        return url

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.location, ignore_errors=True)


def _push(url: str, data: Path, *flags: str) -> dict:
    code, tail, wall, rss = run_child([str(BIN / "igegraph"), "push", "--endpoint", url, "--data", str(data),
                                       "--timeout", "36000", *flags])
    return {"s": wall, "rss_mb": rss, "error": tail if code else None}


def bench_size(label: str, push_only: bool = False) -> dict:
    sys.path.insert(0, str(HERE))
    from generate import parse_size
    from run import synthetic

    data = synthetic(label)
    store = WORK / f"store-{label}"
    out: dict = {"size": label, "file_mb": data.stat().st_size / 1e6}
    if not push_only and not (store / "igegraph-store.json").exists():
        code, tail, wall, rss = run_child([str(BIN / "igegraph"), "store", "build", str(store), "--data", str(data),
                                           "--force"])
        out["store_build"] = {"s": wall, "rss_mb": rss, "error": tail if code else None}
    if parse_size(label) <= ATOMIC_PUSH_UP_TO:
        with _Server(label) as url:
            out["push_atomic"] = _push(url, data)
    with _Server(label) as url:
        out["push"] = _push(url, data, "--chunked")
        if push_only:
            return out
        for kind, where in (("store", str(store)), ("endpoint", url)):
            result = WORK / f"endpoint-{kind}-{label}.json"
            code, tail, wall, rss = run_child([sys.executable, str(Path(__file__).resolve()), "--worker", kind,
                                               "--where", where, "--out", str(result)])
            out[kind] = json.loads(result.read_text()) if code == 0 else {"error": tail}
            out[kind].update({"wall_s": wall, "rss_mb": rss})
    return out


# ------------------------------------------------------------------ report


def _s(value) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def report(runs: list[dict], started: str, command: str) -> str:
    push_only = all("store" not in run for run in runs)
    title = "Pushing to Oxigraph server" if push_only else "SPARQL endpoint: Oxigraph server against the embedded store"
    about = ("Each push runs in a fresh igegraph process, to a fresh `oxigraph serve --location DIR`; peak RSS "
             "is that process's own (`wait4`)." if push_only else
             "Each backend is measured in a fresh igegraph process; peak RSS is that process's own "
             "(`wait4`). The first `blocks` includes the imports, opening the graph and fetching the "
             "causal cone (`igegraph.traverse.fetch`); the second reuses the fetched cone. Fetched = "
             "rows received and distinct triples kept.")
    lines = [f"## {title}", "",
             f"Run {started} with `{f'python benchmarks/endpoint.py {command}'.strip()}`.", "", about, ""]
    for run in runs:
        st, ep = run.get("store", {}), run.get("endpoint", {})
        lines += [f"### {run['size']} synthetic triples ({run['file_mb']:.0f} MB N-Triples)", ""]
        for key, how in (("push_atomic", "one atomic `PUT`, the default"),
                         ("push", "`--chunked`: an empty `PUT`, then `POST`s of 1M triples, not atomic")):
            if key in run:
                push = run[key]
                lines.append(f"Push (`igegraph push --endpoint`, curated graph + synthetic file; {how}): "
                             f"{_s(push['s'])}, peak RSS {push['rss_mb']:.0f} MB"
                             + (f" — failed: {push['error']}" if push["error"] else "") + ".")
                lines.append("")
        if "store" not in run:  # --push-only
            continue
        lines += ["| measure | embedded store (`--store`) | Oxigraph server (`--endpoint`) |", "|---|---|---|"]

        def row(name: str, fmt, st: dict = st, ep: dict = ep, lines: list = lines) -> None:
            lines.append(f"| {name} | {fmt(st)} | {fmt(ep)} |")

        def fetch(r: dict) -> str:
            f = (r.get("fetch") or [{}])[0]
            if not f:
                return "–"
            how = ("supply-dominator index read, actions included" if f.get("indexed")
                   else "whole supply ancestry and actions included")
            size = f.get("cone_nodes", 0) + f.get("cone_edges", 0) + f.get("actions", 0)
            per = (f", {f['triples'] / size:.1f} triples per cone node, edge and action"
                   if size and "actions" in f else "")
            edges = f", {f['cone_edges']} edges, {f['actions']:,} actions" if "actions" in f else ""
            return (f"{f['requests']} requests, {f['rows']:,} rows, {f['triples']:,} triples "
                    f"(cone {f['cone_nodes']} nodes{edges}{per}; {how}), {_s(f['seconds'])}")

        row("error", lambda r: r.get("error", "") or "none")
        row(f"first `blocks --pathway {PATHWAY}` (with imports and open)", lambda r: _s(r.get("blocks_first_total_s")))
        row("… of which open", lambda r: _s(r.get("open_s")))
        row("… of which blocks (fetch + traversal)", lambda r: _s(r.get("blocks_first_s")))
        row("second `blocks` in the same process", lambda r: _s(r.get("blocks_second_s")))
        row("fetched for the first `blocks`", fetch)
        row("routes / blockers / answer hash",
            lambda r: f"{r.get('routes')} / {r.get('blockers')} / `{r.get('answer')}`")
        row("peak RSS of the igegraph process after the first `blocks`",
            lambda r: f"{r['rss_blocks_mb']:.0f} MB" if "rss_blocks_mb" in r else "–")
        row("peak RSS of the igegraph process (whole run, named queries included)",
            lambda r: f"{r['rss_mb']:.0f} MB" if "rss_mb" in r else "–")
        names = sorted(set(st.get("queries", {})) | set(ep.get("queries", {})))

        def total(r: dict) -> str:
            qs = r.get("queries", {})
            done = [q["s"] for q in qs.values() if "s" in q]
            failed = len(qs) - len(done)
            return _s(sum(done)) + (f" ({failed} failed)" if failed else "") if qs else "–"

        row(f"all {len(names)} named queries (sum)", total)
        for name in names:
            def one(r: dict, name: str = name) -> str:
                q = r.get("queries", {}).get(name)
                if q is None:
                    return "–"
                return f"error: {q['error']}" if "error" in q else f"{_s(q['s'])} ({q['rows']} rows)"

            row(f"query `{name}`", one)
        same = st.get("answer") and st.get("answer") == ep.get("answer")
        lines += ["", f"The `blocks` answers of the two backends are {'identical' if same else 'DIFFERENT'}.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1m", help="comma-separated sizes (default 1m)")
    parser.add_argument("--full", action="store_true", help="add 10m")
    parser.add_argument("--push-only", action="store_true", help="measure the pushes only")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--endpoint", help="measure blocks on this server, already loaded (no push, no store)")
    parser.add_argument("--no-queries", action="store_true", help="skip the named queries")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--where", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.where, Path(args.out), queries=not args.no_queries)
        return 0
    if args.endpoint:
        WORK.mkdir(parents=True, exist_ok=True)
        result = WORK / "endpoint-given.json"
        load = os.getloadavg()[0]
        code, tail, wall, rss = run_child([sys.executable, str(Path(__file__).resolve()), "--worker", "endpoint",
                                           "--where", args.endpoint, "--out", str(result),
                                           *(["--no-queries"] if args.no_queries else [])])
        out = json.loads(result.read_text()) if code == 0 else {"error": tail}
        out.update({"wall_s": wall, "rss_mb": rss, "load_before": load, "load_after": os.getloadavg()[0]})
        print(json.dumps(out, indent=1))
        return code
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    if args.full and "10m" not in sizes:
        sizes.append("10m")
    WORK.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    runs = []
    for label in sizes:
        print(f"  endpoint {label} …", file=sys.stderr, flush=True)
        runs.append(bench_size(label, args.push_only))
    raw = WORK / ("endpoint-push.json" if args.push_only else "endpoint.json")
    raw.write_text(json.dumps({"started": started, "runs": runs}, indent=1))
    sys.path.insert(0, str(HERE))
    from run import write_section

    text = report(runs, started, " ".join(argv if argv is not None else sys.argv[1:]))
    text += (f"\nMachine: {os.cpu_count()} CPUs; load average {load:.1f} when the run started and "
             f"{os.getloadavg()[0]:.1f} when it ended (times grow with the load; the answers do not).\n")
    # the pushes alone go to a section of their own, so the full measurements stay
    write_section(args.output, "endpoint-push" if args.push_only else "endpoint", text)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
