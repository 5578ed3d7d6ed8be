"""The knowledge graph on a SPARQL endpoint: never downloaded, fetched a piece at a time.

An :class:`EndpointKnowledgeGraph` answers SPARQL by sending it to the endpoint. Commands ask
it for the part of the graph they need (:meth:`~igegraph.kg.KnowledgeGraph.about` for
``describe``, :meth:`~igegraph.kg.KnowledgeGraph.matching` for ``search``, the causal cone
for traversals) and get an ordinary local KnowledgeGraph of that part plus the vocabulary
(classes and properties), on which the library runs unchanged. Entity names are resolved by
bounded look-ups; ``stats`` are COUNT queries.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EndpointError, QueryError
from ..kg import KnowledgeGraph
from ..recent import Recent
from ..vocab import compact, expand_curie, local_name, prefixed
from .local import merge_into

if TYPE_CHECKING:
    import networkx as nx
    import rdflib

    from .endpoint import EndpointBackend

__all__ = ["EndpointKnowledgeGraph", "remote_stats", "STREAMED"]

#: Most entities a name look-up fetches (candidates for resolution and suggestions).
CANDIDATES = 200
#: Most things a search fetches before ranking them here.
SEARCH_CANDIDATES = 500
#: Most terms whose candidates a graph keeps (the oldest is dropped first).
KEPT_TERMS = 256


# classes, properties and what declares them: what local projections need to be built
_VOCABULARY = prefixed("""CONSTRUCT { ?s ?p ?o } WHERE {
  { VALUES ?type { owl:Class rdfs:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
                   owl:TransitiveProperty owl:SymmetricProperty rdf:Property owl:Ontology }
    ?s a ?type }
  UNION { ?s ige:polarity ?x } UNION { ?s rdfs:subClassOf ?x } UNION { ?x rdfs:subClassOf ?s }
  ?s ?p ?o }""")

# a name folded in SPARQL as resolve.normalize folds it in Python, near enough to find
# candidates (they are then matched exactly here): lower case, Greek letters and the words
# for them as Latin letters, only ASCII letters and digits. Regular expressions cost, so the
# Greek ones run only on names that have Greek in them. The test is one group: Virtuoso 7
# never finds a non-ASCII letter with an ungrouped pattern (REGEX("Fcε", "ε") is false there).
_GREEK = [("α|alpha", "a"), ("β|beta", "b"), ("γ|gamma", "g"), ("δ|delta", "d"), ("ε|ɛ|epsilon", "e"),
          ("κ|kappa", "k"), ("λ|lambda", "l"), ("μ", "m")]
_ANY_GREEK = "(" + "|".join(pattern for pattern, _ in _GREEK) + ")"


def _folded(var: str) -> str:
    greek = var
    for pattern, letter in _GREEK:
        greek = f'REPLACE({greek}, "{pattern}", "{letter}")'
    return f'REPLACE(IF(REGEX({var}, "{_ANY_GREEK}"), {greek}, {var}), "[^a-z0-9]", "")'


# entities whose label, synonym or local id contains one of the keys (NEEDLES: _containing)
_CANDIDATES = prefixed(f"""SELECT DISTINCT ?s WHERE {{
  VALUES ?naming {{ rdfs:label skos:altLabel }}
  ?s ?naming ?name .
  FILTER(isIRI(?s))
  BIND(LCASE(STR(?name)) AS ?lower)
  BIND({_folded("?lower")} AS ?key)
  BIND(REPLACE(LCASE(REPLACE(STR(?s), "^.*[/#:]", "")), "[^a-z0-9]", "") AS ?id)
  FILTER(NEEDLES)
}} LIMIT {CANDIDATES}""")


def _containing(needles: list[str], texts: tuple[str, ...]) -> str:
    """A condition true where one of the variables ``texts`` contains one of ``needles``
    (each written by :func:`~igegraph.backends.endpoint.sparql_term`).

    One row per name, not a ``VALUES`` block of needles: Virtuoso 7.2 folds every name again
    for each row of such a block (0.19 s instead of 0.06 s for the four keys of "mast cell").
    """
    from rdflib import Literal

    from .endpoint import sparql_term

    return " || ".join(f"CONTAINS({text}, {sparql_term(Literal(n))})" for n in needles for text in texts)


# an entity named by an IRI: itself, or what matches it
_BY_IRI = prefixed("""SELECT DISTINCT ?s WHERE {
  { {{VALUES}} ?iri ?p ?o BIND(?iri AS ?s) } UNION { {{VALUES}} ?s skos:exactMatch|skos:closeMatch ?iri }
}""")

# the names, classes and identifiers of the entities ?s
_NAMES = prefixed("""CONSTRUCT { ?s ?p ?o } WHERE {
  {{VALUES}}
  VALUES ?p { rdfs:label skos:altLabel rdf:type skos:exactMatch skos:closeMatch skos:definition }
  ?s ?p ?o }""")

# the review's references (a few hundred triples), which name the first authors
_REFERENCES = prefixed("CONSTRUCT { ?s ?p ?o } WHERE { ?s a ige:Reference ; ?p ?o }")

# one entity (or reference) with everything around it two steps out: its relations and
# their assertions, measurements, references and evidence levels, and its neighbours' names
# (the list of references, which names the first authors, is _REFERENCES). The bound ?e is
# repeated in each branch: stores evaluate a union's branches on their own. The nodes are
# selected first and their triples fetched by _TRIPLES: as one CONSTRUCT joining ?s ?p ?o
# to this union, Virtuoso 7.2 took 8 to 12 s for Xolair (0.5 s in two steps)
_ABOUT = prefixed("""SELECT DISTINCT ?s WHERE {
  { {{VALUES}} BIND(?e AS ?s) }
  UNION { {{VALUES}} ?e ?x ?s FILTER(!isLiteral(?s)) }
  UNION { {{VALUES}} ?s ?x ?e }
  UNION { {{VALUES}} ?a ?x ?e . ?a ?y ?s FILTER(!isLiteral(?s)) }
  UNION { {{VALUES}} ?e ?x ?m FILTER(!isLiteral(?m)) ?m ?y ?s FILTER(!isLiteral(?s)) } }""")

# every triple of the nodes ?s
_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { {{VALUES}} ?s ?p ?o }"

# things with a text containing one of the ?needle words
_MATCHING = prefixed(f"""SELECT DISTINCT ?s WHERE {{
  VALUES ?naming {{ rdfs:label skos:altLabel skos:definition ige:evidenceQuote ige:curatorNote
                    ige:tableType ige:mechanismText ige:phaseText }}
  ?s ?naming ?name .
  BIND(LCASE(STR(?name)) AS ?lower)
  BIND({_folded("?lower")} AS ?key)
  {{{{VALUES}}}}
  FILTER(CONTAINS(?lower, ?needle) || CONTAINS(?key, ?needle))
}} LIMIT {SEARCH_CANDIDATES}""")

# the things ?h with what they point at, and the measurements and steps that own them
_HITS = prefixed("""CONSTRUCT { ?s ?p ?o } WHERE {
  { {{VALUES}} BIND(?h AS ?s) }
  UNION { {{VALUES}} ?h ?x ?s FILTER(!isLiteral(?s)) }
  UNION { {{VALUES}} ?s ige:hasMeasurement|ige:hasStep ?h }
  ?s ?p ?o }""")


_EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
#: RDF export formats streamed from an endpoint as they are, by media type.
_MEDIA_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle"}
STREAMED = tuple(_MEDIA_TYPES)


#: Most IRIs in one VALUES block.
BATCH = 200

# the relation triples out of / into the ?n nodes (the properties as a FILTER: engines join
# two VALUES blocks slowly)
_OUT = "SELECT ?s ?p ?o WHERE { {{VALUES}} BIND(?n AS ?s) ?s ?p ?o . FILTER(isIRI(?o) && ?p IN (PROPS)) }"
_IN = "SELECT ?s ?p ?o WHERE { {{VALUES}} BIND(?n AS ?o) ?s ?p ?o . FILTER(isIRI(?s) && ?p IN (PROPS)) }"
# what the projection reads about entities, and the assertions about their relations with
# the labels, numbers and ranks of what those point at
_DETAILS = prefixed("""CONSTRUCT { ?n ?p ?o } WHERE { {{VALUES}} ?n ?p ?o .
  FILTER(?p IN (rdf:type, rdfs:label, skos:altLabel, skos:exactMatch, skos:closeMatch, skos:definition)) }""")
_CLAIMS = prefixed("""CONSTRUCT { ?s ?p ?o } WHERE {
  { {{VALUES}} ?s rdf:subject ?n ; a ige:Assertion ; ?p ?o }
  UNION { {{VALUES}} ?a rdf:subject ?n ; a ige:Assertion ; ige:reference|ige:evidenceLevel ?s .
          ?s ?p ?o FILTER(?p IN (rdfs:label, ige:referenceNumber, ige:rank)) } }""")


class EndpointKnowledgeGraph(KnowledgeGraph):
    """The graph on a SPARQL endpoint (see :mod:`igegraph.backends.remote`)."""

    fetches_cones = True
    parallel_queries = 3

    def __init__(self, endpoint: "EndpointBackend"):
        super().__init__(endpoint.new_graph(), endpoint, [])
        self.endpoint = endpoint

    def __repr__(self) -> str:
        return f"<KnowledgeGraph endpoint {self.endpoint.url}>"

    def __len__(self) -> int:
        return self.endpoint.count()

    def select(self, query: str, bindings: Any) -> list[tuple]:
        """Rows of a SELECT on the endpoint (an ASK: ``[(True,)]`` or ``[]``), as the cone
        fetch reads them (see :mod:`igegraph.traverse.fetch`)."""
        from .endpoint import query_form

        if query_form(query) == "ASK":
            return [(True,)] if self.endpoint.ask(query, bindings) else []
        return self.endpoint.select(query, bindings)

    def supply_index(self) -> Any:
        """The supply-dominator index that ``igegraph push`` (or ``igegraph index``) wrote next
        to this graph, read with its named graph as the default graph; None when there is none.

        Whether the data changed since it was computed (its dependency edges are no longer as
        many) is one COUNT query, which runs in the background while the cone is fetched with
        the index; :meth:`supply_index_current` waits for it."""

        def build() -> Any:
            import copy
            import threading

            from ..traverse.supplyindex import dependency_edge_count, index_graph, read_header

            iri = index_graph(self.endpoint.graph)
            reader = copy.copy(self.endpoint)  # shares the connections
            reader.graph = iri

            def select(query: str, bindings: Any) -> list[tuple]:
                return reader.select(query, bindings)

            try:
                header = read_header(select, iri)
            except QueryError:  # a store that refuses an unknown default-graph-uri has no index
                return None
            if header is None:
                return None
            # the COUNT costs about 2 s at 10M triples on Oxigraph server: overlap it with the
            # fetch, in a daemon thread so that a command that fails first does not wait for it
            counting: dict[str, Any] = {}

            def count() -> None:
                try:
                    counting["value"] = dependency_edge_count(self.select)
                except BaseException as exc:  # raised where the result is read
                    counting["error"] = exc

            thread = threading.Thread(target=count, name="igegraph-index-count", daemon=True)
            thread.start()
            self.__dict__["_index_count"] = (thread, counting, header.edges)
            return select

        return self.derived("endpoint.supply_index", build)

    def supply_index_current(self) -> bool:
        """Whether the index :meth:`supply_index` gave still matches the data (waits for the
        background COUNT; its errors, such as a timeout, are raised here)."""
        pending = self.__dict__.get("_index_count")
        if pending is None:
            return True
        thread, counting, edges = pending
        thread.join()  # each request of it ends by --timeout
        if "error" in counting:
            raise counting["error"]
        current = counting["value"] == edges
        self.__dict__["_index_count"] = None
        if not current:
            self.__dict__.setdefault("_derived", {})["endpoint.supply_index"] = None
        return current

    @cached_property
    def vocabulary(self) -> "rdflib.Graph":
        """The endpoint's classes and properties (fetched once)."""
        return self.endpoint.construct(_VOCABULARY)

    def local(self, graph: "rdflib.Graph") -> KnowledgeGraph:
        """A local KnowledgeGraph of fetched triples plus the vocabulary."""
        return KnowledgeGraph(merge_into(graph, self.vocabulary), "oxigraph", self.sources)

    @property
    def projection(self) -> "nx.MultiDiGraph":
        raise EndpointError("this command needs the whole graph in this process, and the graph is on "
                            f"{self.endpoint.url}; run it on a local graph or store")

    @property
    def labels(self) -> dict[str, str]:
        raise EndpointError(f"all labels of {self.endpoint.url} were asked for; fetch those of given IRIs instead")

    def labels_of(self, iris: Any) -> dict[str, str]:
        from rdflib import URIRef

        wanted = sorted({URIRef(str(i)) for i in iris})
        out: dict[str, str] = {}
        for start in range(0, len(wanted), 200):  # batches keep each request small
            rows = self.endpoint.select(prefixed("SELECT ?s ?l WHERE { {{VALUES}} ?s rdfs:label ?l }"),
                                        {"s": wanted[start:start + 200]}, inline=True)
            english_first = sorted(rows, key=lambda r: (str(r[0]), getattr(r[1], "language", None) not in (None, "en")))
            for s, label in english_first:
                out.setdefault(compact(s), str(label))
        return out

    def label(self, node: str) -> str:
        key = compact(expand_curie(node) or node)
        cache = self.__dict__.setdefault("_label_cache", {})
        if key not in cache:
            cache[key] = self.labels_of([self.iri(key)]).get(key)
        return cache[key] or local_name(key.split(":", 1)[-1])

    # -------------------------------------------------------------- the parts commands need

    def _fetch(self, find: str, bindings: dict, around: str, key: str) -> "rdflib.Graph":
        """Find things (a SELECT of ?s), then fetch the triples ``around`` them (bound to ``key``)."""
        found = [row[0] for row in self.endpoint.select(find, bindings, inline=True) if row[0] is not None]
        if not found:
            return self.endpoint.new_graph()
        return self.endpoint.construct(around, {key: found}, inline=True)

    def candidates(self, term: str) -> KnowledgeGraph:
        """Entities a term may name (bounded): by IRI or CURIE, and by parts of its name.

        Looked up once per term for the life of this object (the last :data:`KEPT_TERMS`
        terms), as its vocabulary, labels and cones are: a traversal resolves its ends and
        items, the next one often the same names, and each look-up makes the store fold every
        name with regular expressions (about 75 ms on Virtuoso for the curated graph)."""
        kept: Recent[str, KnowledgeGraph] = self.derived("backends.remote.candidates", lambda: Recent(KEPT_TERMS))
        found = kept.get(term)
        if found is None:
            found = self._look_up(term)
            kept.put(term, found)
        return found

    def _look_up(self, term: str) -> KnowledgeGraph:
        from rdflib import URIRef

        from ..resolve import normalize

        graph = self.endpoint.new_graph()
        iri = expand_curie(term.strip())
        if iri is not None:
            merge_into(graph, self._fetch(_BY_IRI, {"iri": URIRef(iri)}, _NAMES, "s"))
        key = normalize(term)
        if key:
            # the whole key finds exact and containing names; its four-letter pieces find misspellings
            needles = sorted({key} | {key[i:i + 4] for i in range(0, max(len(key) - 3, 0), 2)})
            find = _CANDIDATES.replace("NEEDLES", _containing(needles, ("?key", "?id")))
            merge_into(graph, self._fetch(find, {}, _NAMES, "s"))
        return self.local(graph)

    def resolve(self, term: str) -> str:
        from ..kg import MAX_TERM_CHARS
        from ..resolve import resolve

        if len(term) > MAX_TERM_CHARS:
            return super().resolve(term)  # refused before any look-up
        return resolve(self.candidates(term), term)

    def about(self, term: str) -> KnowledgeGraph:
        from ..errors import UnknownEntity
        from ..references import find_reference, references

        known = self.endpoint.construct(_REFERENCES)  # fetched once: looked up here, and part of the answer
        listed = self.local(known)
        number = find_reference(listed, term)
        if number is not None:
            found = references(listed).get(number)
            if found is None:  # no such reference: the list says which there are
                return listed
            node = found["id"]
        else:
            try:
                node = self.resolve(term)
            except UnknownEntity:  # the candidates give the same "did you mean" here
                return self.candidates(term)
        nodes = [row[0] for row in self.endpoint.select(_ABOUT, {"e": self.iri(node)}, inline=True)]
        graph = self.endpoint.new_graph()
        for batch in _batches(nodes):
            merge_into(graph, self.endpoint.construct(_TRIPLES, {"s": batch}, inline=True))
        merge_into(graph, known)
        return self.local(graph)

    def entire(self) -> KnowledgeGraph:
        """The whole graph, downloaded (for validation, which reads all of it)."""
        return self.local(self.endpoint.construct(_EVERYTHING))

    def save(self, fmt: str, out: str | Path, force: bool = False) -> Path:
        """Stream the whole graph into ``out`` as ``turtle`` or ``ntriples``, atomically; the path."""
        from ..export import _atomic_path

        with _atomic_path(out, force) as tmp, open(tmp, "wb") as sink:
            self.endpoint.save(_EVERYTHING, _MEDIA_TYPES[fmt], sink)
        return Path(out)

    def around(self, term: str, depth: int | None = 1, direction: str = "both", causal: bool = False) -> KnowledgeGraph:
        """The relations within ``depth`` steps of an entity (None: as far as they go), fetched
        breadth first in batches, with the details and assertions of what they reach."""
        from rdflib import URIRef

        from ..project import relation_properties
        from .endpoint import sparql_term

        props = relation_properties(self.local(self.endpoint.new_graph()))
        chosen = ", ".join(sparql_term(p["iri"]) for p in props.values() if p["causal"] or not causal)
        steps = [q.replace("PROPS", chosen) for q, on in ((_OUT, direction in ("down", "both")),
                                                         (_IN, direction in ("up", "both"))) if on]
        start = self.iri(self.resolve(term))
        seen, frontier, level = {start}, [start], 0
        graph = self.endpoint.new_graph()
        while frontier and chosen and (depth is None or level < depth):
            level += 1
            if causal:
                frontier = self._acted_through(graph, frontier, seen, direction)
            reached: list[URIRef] = []
            for query in steps:
                for batch in _batches(frontier):
                    for s, p, o in self.endpoint.select(query, {"n": batch}, inline=True):
                        graph.add((s, p, o))
                        for other in (s, o):
                            if other not in seen:
                                seen.add(other)
                                reached.append(other)
            frontier = reached
        if causal:  # what an action on the last level reaches is listed at that level too
            self._acted_through(graph, frontier, seen, direction)
        for template in (_DETAILS, _CLAIMS):
            for batch in _batches(sorted(seen)):
                merge_into(graph, self.endpoint.construct(template, {"n": batch}, inline=True))
        return self.local(graph)

    def _acted_through(self, graph: Any, frontier: list[Any], seen: set[Any], direction: str) -> list[Any]:
        """The frontier with what an action reaches through it, by the rule of
        :func:`igegraph.traverse.views.reach`, and the triples that say so added to ``graph``:
        upstream, the forms of the frontier and of its broader types and the interactions into
        it (an action on free IgE acts on IgE); downstream, the molecules the frontier is a form
        of, their narrower types, and the objects of interactions."""
        from ..vocab import IGE
        from .endpoint import sparql_term

        up = direction in ("up", "both")
        down = direction in ("down", "both")
        links = [(_OUT, IGE.subtypeOf, up), (_IN, IGE.formOf, up), (_IN, IGE.interactionObject, up),
                 (_OUT, IGE.formOf, down), (_IN, IGE.subtypeOf, down), (_OUT, IGE.interactionObject, down),
                 (_OUT, IGE.interactionSubject, True)]
        out, todo = list(frontier), list(frontier)
        while todo:
            added = []
            for template, prop, on in links:
                if not on:
                    continue
                query = template.replace("PROPS", sparql_term(prop))
                for batch in _batches(todo):
                    for s, p, o in self.endpoint.select(query, {"n": batch}, inline=True):
                        graph.add((s, p, o))
                        other = o if template is _OUT else s
                        if other not in seen and p != IGE.interactionSubject:
                            seen.add(other)
                            added.append(other)
            out += added
            todo = added
        return out

    def matching(self, text: str) -> KnowledgeGraph:
        import re

        from rdflib import Literal

        from ..resolve import fold_greek, normalize

        words = sorted({w.lower() for w in re.findall(r"\w{3,}", fold_greek(text))} | {normalize(text)} - {""})
        if not words:
            return self.local(self.endpoint.new_graph())
        return self.local(self._fetch(_MATCHING, {"needle": [Literal(w) for w in words]}, _HITS, "h"))


def _batches(items: list[Any]) -> list[list[Any]]:
    return [items[i:i + BATCH] for i in range(0, len(items), BATCH)]


def _number(rows: list[tuple[Any, ...]]) -> int:
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def remote_stats(kg: EndpointKnowledgeGraph) -> dict:
    """:func:`igegraph.describe.stats` of the graph on an endpoint, by COUNT queries.

    An entity of two classes counts in both (the local projection keeps one of them).
    """
    from collections import Counter

    from rdflib import URIRef

    from ..project import entity_classes, relation_properties
    from ..vocab import IGE
    from .endpoint import sparql_term

    vocab = kg.local(kg.endpoint.new_graph())
    classes = entity_classes(vocab)
    props = relation_properties(vocab)
    select = kg.endpoint.select
    class_iris = [vocab.iri(c) for c in sorted(classes)]
    prop_iris = [p["iri"] for _, p in sorted(props.items())]
    with_classes = {"c": class_iris}
    with_props = {"p": prop_iris}

    per_class = Counter[str]()
    if class_iris:
        for cls, n in select(prefixed("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { {{VALUES}} ?s a ?c "
                                      "FILTER(isIRI(?s)) } GROUP BY ?c"), with_classes, inline=True):
            per_class[classes[compact(cls)]] += int(n)
    typed = _number(select(prefixed("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { {{VALUES}} ?s a ?c "
                                    "FILTER(isIRI(?s)) }"), with_classes, inline=True)) if class_iris else 0
    entities, per_predicate, causal, relations = typed, Counter[str](), 0, 0
    if prop_iris:
        entities = _number(select(prefixed("""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
            { VALUES ?c { {{CLASSES}} } ?x a ?c }
            UNION { {{VALUES}} ?x ?p ?y FILTER(isIRI(?y)) } UNION { {{VALUES}} ?y ?p ?x FILTER(isIRI(?y)) }
            FILTER(isIRI(?x)) }""").replace("{{CLASSES}}", " ".join(sparql_term(URIRef(c)) for c in class_iris)),
            with_props, inline=True))
        for prop, n in select(prefixed("SELECT ?p (COUNT(*) AS ?n) WHERE { {{VALUES}} ?s ?p ?o "
                                       "FILTER(isIRI(?s) && isIRI(?o)) } GROUP BY ?p"), with_props, inline=True):
            info = props[compact(prop)]
            per_predicate[info["label"]] += int(n)
            relations += int(n)
            causal += int(n) if info["causal"] else 0
    if entities > typed:  # relation ends of no entity class are plain entities
        per_class[classes.get("ige:Entity", "entity")] += entities - typed

    kinds = {"assertions": IGE.Assertion, "references": IGE.Reference, "pathways": IGE.Pathway,
             "pathway_steps": IGE.PathwayStep, "measurements": IGE.Measurement, "table1_rows": IGE.Table1Row,
             "trials": IGE.ClinicalTrial}
    typed_counts = {compact(c): int(n) for c, n in select(
        prefixed("SELECT ?c (COUNT(*) AS ?n) WHERE { {{VALUES}} ?s a ?c } GROUP BY ?c"),
        {"c": list(kinds.values())}, inline=True)}
    cited = _number(select(prefixed("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?x ige:reference ?o }")))
    counts = {key: typed_counts.get(compact(cls), 0) for key, cls in kinds.items()}
    return {
        "triples": kg.endpoint.count(),
        "entities": entities,
        "relations": relations,
        "causal_relations": causal,
        "assertions": counts.pop("assertions"),
        "references": counts.pop("references"),
        "references_cited": cited,
        **counts,
        "classes": dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        "predicates": dict(sorted(per_predicate.items(), key=lambda kv: (-kv[1], kv[0]))),
    }
