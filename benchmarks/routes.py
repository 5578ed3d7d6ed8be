"""Route-scaling benchmark: "what blocks" when the pathway itself grows (issue 14).

The review's graph is merged with synthetic mechanisms *between* allergen and mast-cell
degranulation, so the number of routes grows, not only the graph:

``parallel K``
    K mediators, each activated by IgE and activating mast-cell degranulation (K extra routes
    for each of the review's ways from allergen to IgE, three in the curated graph).
``layered W``
    Three layers of W mediators between IgE and degranulation, every node of a layer linked to
    every node of the next (W³ extra routes per way from allergen to IgE).
``hubs W``
    Like layered, but each layer link passes one of two hubs per layer, plus random skips: a
    dense cone whose routes all pass a few nodes.

Each case runs in a fresh process on the current code and on the baseline — the previous
release, which listed every route before reasoning and refused past 2,000 — side by side:
time of ``blocks``, ``knockout`` (omalizumab plus one synthetic mediator) and ``cutsets``
(interventions, up to 2), and peak memory. Writes the "Route scaling" section of
``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/routes.py                       # 10^2, 10^4, 10^6 routes and a hub cone
    python benchmarks/routes.py --baseline-rev c7670e2~1
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"
SOURCE, TARGET = "allergen", "mast cell degranulation"
CASES = [("parallel", 33), ("layered", 15), ("layered", 70), ("hubs", 40)]  # about 10², 10⁴, 10⁶ routes
PREFIX = ("@prefix ige: <https://w3id.org/igegraph/vocab#> .\n@prefix ig: <https://w3id.org/igegraph/id/> .\n"
          "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


def write_case(kind: str, width: int, out: Path) -> None:
    """Write the synthetic mechanisms of one case as Turtle."""
    rng = random.Random(7)
    lines = [PREFIX]

    def node(name: str) -> str:
        lines.append(f'ig:{name} a ige:Mediator ; rdfs:label "{name.replace("_", " ")}" .')
        return f"ig:{name}"

    def link(a: str, b: str) -> None:
        lines.append(f"{a} ige:activates {b} .")

    if kind == "parallel":
        for i in range(width):
            m = node(f"syn_m{i}")
            link("ig:IgE", m)
            link(m, "ig:mast_cell_degranulation")
    else:
        layers = [[node(f"syn_l{d}_{i}") for i in range(width)] for d in range(3)]
        for m in layers[0]:
            link("ig:IgE", m)
        for m in layers[2]:
            link(m, "ig:mast_cell_degranulation")
        for d in range(2):
            if kind == "layered":
                for a in layers[d]:
                    for b in layers[d + 1]:
                        link(a, b)
            else:
                hubs = [node(f"syn_hub{d}_{h}") for h in range(2)]
                for a in layers[d]:
                    link(a, rng.choice(hubs))
                for h in hubs:
                    for b in layers[d + 1]:
                        link(h, b)
                for _ in range(width):
                    link(rng.choice(layers[d]), rng.choice(layers[d + 1]))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(data: str) -> dict:
    """Run in a subprocess: load, then time blocks, knockout and cutsets on this code base."""
    import igegraph

    kg = igegraph.load([data])
    kg.projection
    out: dict = {"rss_after_load_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    try:
        from igegraph.traverse import blocks, count_routes, cutsets, knockout
    except ImportError:  # the baseline release
        from igegraph.pathways import blocks, cutsets, knockout

        count_routes = None
    extra = next(n for n in kg.projection if n.startswith("ig:syn_"))

    def timed(name, func):
        start = time.perf_counter()
        try:
            result = func()
        except Exception as exc:  # a refusal is a result for the baseline
            out[name] = {"error": str(exc)[:120]}
            return None
        out[name] = {"s": time.perf_counter() - start}
        return result

    report = timed("blocks", lambda: blocks(kg, SOURCE, TARGET))
    if report is not None:
        out["routes"] = report.count.n if count_routes else len(report.routes)
        out["routes_exact"] = report.count.exact if count_routes else True
        out["blockers"] = len(report.blockers)
    timed("knockout", lambda: knockout(kg, ["omalizumab", extra], SOURCE, TARGET))
    found = timed("cutsets", lambda: cutsets(kg, SOURCE, TARGET, max_size=2))
    if found is not None:
        out["cutsets_found"] = len(found)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(src: Path, data: Path) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(src)!r}); sys.path.insert(0, {str(HERE)!r}); "
            f"import routes; print(json.dumps(routes.measure({str(data)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1][:160]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(result: dict, key: str) -> str:
    entry = result.get(key)
    if entry is None:
        return "–"
    if "error" in entry:
        return "refused" if "routes" in entry["error"] else "error"
    return f"{entry['s'] * 1000:.0f} ms" if entry["s"] < 1 else f"{entry['s']:.2f} s"


def _ratio(new: dict, old: dict, key: str) -> str:
    a, b = new.get(key, {}), old.get(key, {})
    if "s" in a and "s" in b:
        return f"{a['s'] / b['s']:.2f}"
    if "s" in a:
        return "baseline refused"
    return "–"


def report(rows: list[tuple[str, dict, dict]], rev: str) -> str:
    lines = ["## Route scaling: \"what blocks\" as the pathway grows", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python benchmarks/routes.py`. "
             f"Baseline: revision `{rev}` (routes listed before reasoning, refused past 2,000), run side by side "
             "in a fresh process per case. Source allergen, target mast-cell degranulation, `--max-length 8`; "
             "knockout = omalizumab plus one synthetic mediator; cutsets = interventions, up to 2.", "",
             "| case | routes | blocks | knockout | cutsets | peak RSS | baseline blocks | baseline knockout | "
             "baseline cutsets | baseline peak RSS | blocks new/baseline |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, new, old in rows:
        routes = f"{new.get('routes', '?'):,}" if isinstance(new.get("routes"), int) else "?"
        if not new.get("routes_exact", True):
            routes = "≥ " + routes
        lines.append(f"| {name} | {routes} | {_cell(new, 'blocks')} | {_cell(new, 'knockout')} | "
                     f"{_cell(new, 'cutsets')} | {new.get('peak_rss_mb', 0):.0f} MB | {_cell(old, 'blocks')} | "
                     f"{_cell(old, 'knockout')} | {_cell(old, 'cutsets')} | {old.get('peak_rss_mb', 0):.0f} MB | "
                     f"{_ratio(new, old, 'blocks')} |")
    lines += ["", "Times exclude loading the graph (the same for both). Cost follows the cone's edges, not "
              "the routes: the 10⁶-route case has about 10,000 synthetic edges.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rev", default="94d0e4c", help="git revision of the baseline release")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.baseline_rev],
                       check=True, capture_output=True)
        try:
            for kind, width in CASES:
                data = Path(tmp) / f"{kind}-{width}.ttl"
                write_case(kind, width, data)
                name = f"{kind} {width}"
                new = run(ROOT / "src", data)
                old = run(base / "src", data)
                print(name, json.dumps(new), json.dumps(old), flush=True)
                rows.append((name, new, old))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)
    from run import write_section

    section = report(rows, args.baseline_rev)
    write_section(args.output, "route-scaling", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
