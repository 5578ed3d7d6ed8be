"""Synthetic knowledge graphs shaped like biomedical KGs, for the scale benchmark.

The graph uses the igegraph vocabulary, so every part of igegraph has work to do on it:

* typed entities in the ``ige:`` classes (cells, proteins, receptors, cytokines, mediators,
  drugs, diseases, phenotypes, processes, allergens), each with ``rdfs:label``, often a
  ``skos:altLabel`` and a ``skos:exactMatch`` to an OBO / identifiers.org IRI;
* signed causal edges with the ontology's properties (``ige:secretes``, ``ige:activates``,
  ``ige:expressedOn``, ``ige:inhibits``, ``ige:neutralizes`` …) between plausible classes;
* drug -> target edges (``ige:targets`` plus an inhibiting action) and ``ige:treats``;
* skewed degrees: endpoints are drawn with Zipf-like weights, so a few hubs have thousands of
  edges and most nodes a handful, as in Hetionet or SPOKE;
* ``ige:Assertion`` nodes (subject, predicate, object, reference, evidence level, quote) for
  one causal edge in ten, as the curated data has;
* links into the curated graph: synthetic regulators of ``ig:IgE``, ``ig:mast_cell``,
  ``ig:basophil``, ``ig:FcERI`` … and synthetic drugs acting on them. Links only go *into*
  the curated graph, so pathway routes stay those of the review while blockers, supply
  dependencies and neighbourhoods grow with the synthetic data.

Output is N-Triples with exactly the requested number of distinct triples, deterministic for a
given size and seed.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> generate(2000, out, seed=1)
2000
>>> out.getvalue().count("\\n")
2000
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
from pathlib import Path
from typing import TextIO

IG = "https://w3id.org/igegraph/id/"
IGE = "https://w3id.org/igegraph/vocab#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
MATCH = "<http://www.w3.org/2004/02/skos/core#exactMatch>"

# class -> (share of entities, external identifier template)
CLASSES: dict[str, tuple[float, str]] = {
    "Cell": (0.08, "http://purl.obolibrary.org/obo/CL_{:07d}"),
    "Protein": (0.26, "https://identifiers.org/hgnc:{}"),
    "Receptor": (0.06, "https://identifiers.org/uniprot:P{:05d}"),
    "Cytokine": (0.06, "https://identifiers.org/hgnc:{}"),
    "Mediator": (0.06, "http://purl.obolibrary.org/obo/CHEBI_{}"),
    "Drug": (0.16, "https://identifiers.org/drugbank:DB{:05d}"),
    "MonoclonalAntibody": (0.04, "https://identifiers.org/drugbank:DB{:05d}"),
    "Disease": (0.10, "http://purl.obolibrary.org/obo/MONDO_{:07d}"),
    "Phenotype": (0.06, "http://purl.obolibrary.org/obo/HP_{:07d}"),
    "BiologicalProcess": (0.10, "http://purl.obolibrary.org/obo/GO_{:07d}"),
    "Allergen": (0.02, "https://identifiers.org/mesh:D{:06d}"),
}

# (subject class, predicate, object class, weight): biologically plausible edge types
EDGE_TYPES: list[tuple[str, str, str, float]] = [
    ("Cell", "secretes", "Cytokine", 6), ("Cell", "releases", "Mediator", 4),
    ("Cell", "differentiatesInto", "Cell", 1), ("Cell", "undergoes", "BiologicalProcess", 3),
    ("Cytokine", "activates", "Cell", 5), ("Cytokine", "upregulates", "Protein", 4),
    ("Cytokine", "downregulates", "Protein", 2), ("Protein", "activates", "Protein", 8),
    ("Protein", "inhibits", "Protein", 4), ("Protein", "expressedOn", "Cell", 5),
    ("Receptor", "expressedOn", "Cell", 3), ("Protein", "bindsReceptor", "Receptor", 3),
    ("Protein", "requiredFor", "BiologicalProcess", 4), ("BiologicalProcess", "causes", "Phenotype", 3),
    ("Mediator", "causes", "Phenotype", 3), ("Phenotype", "causes", "Disease", 1),
    ("Allergen", "activates", "BiologicalProcess", 1), ("Protein", "increasesRiskOf", "Disease", 2),
    ("Drug", "inhibits", "Protein", 6), ("Drug", "antagonizes", "Receptor", 3),
    ("Drug", "targets", "Protein", 6), ("Drug", "treats", "Disease", 4),
    ("MonoclonalAntibody", "neutralizes", "Cytokine", 3), ("MonoclonalAntibody", "depletes", "Cell", 1),
    ("MonoclonalAntibody", "targets", "Cytokine", 2), ("MonoclonalAntibody", "treats", "Disease", 1),
]
NON_CAUSAL = {"targets", "treats"}

# links into the curated graph: (subject class, predicate, curated node)
CURATED_LINKS: list[tuple[str, str, str]] = [
    ("Cytokine", "activates", "mast_cell"), ("Cytokine", "activates", "basophil"),
    ("Protein", "expressedOn", "mast_cell"), ("Protein", "expressedOn", "basophil"),
    ("Protein", "activates", "FcERI"), ("Protein", "upregulates", "IgE"),
    ("Cell", "secretes", "IgE"), ("Drug", "inhibits", "mast_cell"), ("Drug", "neutralizes", "IgE"),
    ("MonoclonalAntibody", "neutralizes", "free_IgE"), ("Drug", "antagonizes", "FcERI"),
    ("Mediator", "causes", "allergic_reaction"), ("Drug", "inhibits", "mast_cell_degranulation"),
]
CURATED_SHARE = 0.005  # of the edges

LEVELS = ["Background", "InVitro", "AnimalModel", "ClinicalStudy", "PhaseIEvidence",
          "PhaseIIEvidence", "PhaseIIIEvidence", "MarketedEvidence"]
ASSERTED_SHARE = 0.10  # of the causal edges
ENTITY_SHARE = 1 / 12  # entities per requested triple

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1m"`` -> 1000000, ``"2500"`` -> 2500.

    >>> parse_size("100k"), parse_size("1M"), parse_size("2500")
    (100000, 1000000, 2500)
    """
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


class _Zipf:
    """Draw items with weight 1/rank**alpha (ranks shuffled, so hubs are anywhere)."""

    def __init__(self, items: list[str], rng: random.Random, alpha: float = 0.9):
        self.items = items[:]
        rng.shuffle(self.items)
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** alpha for i in range(len(self.items))))
        self.rng = rng

    def draw(self) -> str:
        return self.items[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


def _iri(local: str) -> str:
    return f"<{IG}{local}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(triples: int, out: TextIO, seed: int = 42) -> int:
    """Write a synthetic graph of exactly ``triples`` distinct N-Triples lines to ``out``.

    Parameters
    ----------
    triples : int
        Number of triples (at least 1,000).
    out : text stream
    seed : int
        Random seed; the same size and seed give the same file.

    Returns
    -------
    int
        The number of triples written.
    """
    if triples < 1000:
        raise ValueError("ask for at least 1000 triples")
    rng = random.Random(seed * 1_000_003 + triples)
    written = 0

    def emit(s: str, p: str, o: str) -> None:
        nonlocal written
        out.write(f"{s} {p} {o} .\n")
        written += 1

    # Entities: type, label, often a synonym and a cross-reference (~3.3 triples each).
    n_entities = max(len(CLASSES) * 5, int(triples * ENTITY_SHARE))
    members: dict[str, list[str]] = {}
    serial = itertools.count(1)
    for cls, (share, template) in CLASSES.items():
        count = max(5, int(n_entities * share))
        names = [f"syn_{cls.lower()}_{i}" for i in range(count)]
        members[cls] = names
        for i, name in enumerate(names):
            s = _iri(name)
            emit(s, RDF_TYPE, f"<{IGE}{cls}>")
            emit(s, LABEL, _lit(f"synthetic {cls.lower()} {i}"))
            if rng.random() < 0.5:
                emit(s, ALT, _lit(f"S{cls[:3].upper()}{i}"))
            if rng.random() < 0.3:
                emit(s, MATCH, f"<{template.format(900000 + next(serial))}>")

    pickers = {cls: _Zipf(names, rng) for cls, names in members.items()}
    weights = list(itertools.accumulate(w for *_, w in EDGE_TYPES))
    seen: set[tuple[str, str, str]] = set()
    assertion = itertools.count(1)

    def add_edge(s: str, pred: str, o: str) -> None:
        if (s, pred, o) in seen or s == o:
            return
        seen.add((s, pred, o))
        emit(_iri(s), f"<{IGE}{pred}>", _iri(o))
        # Every tenth causal claim carries its provenance, if there is room for all 8 triples.
        if pred not in NON_CAUSAL and rng.random() < ASSERTED_SHARE and written + 8 <= triples:
            a = _iri(f"syn_assertion_{next(assertion)}")
            emit(a, RDF_TYPE, f"<{IGE}Assertion>")
            emit(a, f"<{RDF}subject>", _iri(s))
            emit(a, f"<{RDF}predicate>", f"<{IGE}{pred}>")
            emit(a, f"<{RDF}object>", _iri(o))
            emit(a, f"<{IGE}reference>", _iri(f"ref_{rng.randint(1, 72)}"))
            emit(a, f"<{IGE}evidenceLevel>", f"<{IGE}{rng.choice(LEVELS)}>")
            emit(a, f"<{IGE}evidenceQuote>", _lit(f"synthetic evidence for claim {len(seen)}"))
            emit(a, f"<{IGE}section>", _lit("synthetic"))

    while written < triples:
        if rng.random() < CURATED_SHARE:
            cls, pred, target = rng.choice(CURATED_LINKS)
            add_edge(pickers[cls].draw(), pred, target)
            continue
        subj_cls, pred, obj_cls, _w = EDGE_TYPES[bisect.bisect_left(weights, rng.random() * weights[-1])]
        add_edge(pickers[subj_cls].draw(), pred, pickers[obj_cls].draw())
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic igegraph-shaped graph as N-Triples.")
    parser.add_argument("size", help="number of triples: 10k, 100k, 1m or a number")
    parser.add_argument("output", type=Path, help="the .nt file to write")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".nt.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        n = generate(parse_size(args.size), fh, seed=args.seed)
    tmp.replace(args.output)
    print(f"{args.output}: {n:,} triples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
