"""Validation: SHACL shapes plus the integrity checks SHACL cannot express.

:func:`validate` runs the shapes of ``ontology/shapes.ttl`` with pySHACL (``inference="none"``:
RDFS inference hides real violations) and then the named integrity checks of :data:`RULES`
(every claim has its ``ige:Assertion`` and back, identifiers are well formed, ``ige:`` terms
exist). Each problem is a :class:`Violation` naming the node (a compact id), the rule and a
message; the rule of a SHACL result is the local name of the shape that raised it.

Examples
--------
>>> import igegraph
>>> from igegraph.validate import validate
>>> report = validate(igegraph.load())
>>> report.summary().startswith(("valid: ", "invalid: "))
True
>>> report.entities > 100 and report.assertions > 100
True
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import product
from typing import TYPE_CHECKING, Any

from .bulk import gc_paused
from .declarations import VALUE_RULES, structure_problems, value_problems
from .recent import Recent
from .resources import resource_dir, shapes_file
from .vocab import IGE, PREFIXES, compact

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = ["Violation", "ValidationReport", "validate", "RULES", "IDENTIFIER_PATTERNS", "check_identifier"]

SHAPES_NS = "https://w3id.org/igegraph/shapes#"

#: The integrity checks run after SHACL, by rule name. SHACL rules are the shape names of
#: ``ontology/shapes.ttl`` (``entity-label``, ``assertion-reference`` ...).
RULES: dict[str, str] = {
    "entity-typed": "an IRI used as subject or object of a property with ige:polarity has an "
    "rdf:type below ige:Entity",
    "entity-label": "an IRI used as subject or object of a property with ige:polarity has an rdfs:label",
    "claim-assertion": "every triple whose predicate has ige:polarity (between IRIs) has an "
    "ige:Assertion with the same rdf:subject, rdf:predicate and rdf:object",
    "assertion-claim": "every ige:Assertion's triple exists as a plain triple",
    "assertion-reference": "every ige:Assertion has at least one ige:reference",
    "identifier-pattern": "skos:exactMatch / skos:closeMatch IRIs match a known identifier pattern",
    "unknown-property": "properties in the ige: namespace (used as predicates, or as values of "
    "rdf:predicate / ige:interactionPredicate) are declared in the ontology",
    "unknown-class": "rdf:type values in the ige: namespace are classes of the ontology",
    **VALUE_RULES,
    "class-cycle": "rdfs:subClassOf has no cycle",
    "property-retyped": "no entity is also declared a property",
    "vocabulary-change": "user data adds or removes no triple about a curated ige: term (a warning with "
    "--allow-vocabulary-changes)",
}

_OBO = "http://purl.obolibrary.org/obo/"
_IDORG = "https://identifiers.org/"
_OBO_ONTOLOGIES = ("CL", "GO", "CHEBI", "MONDO", "HP", "DOID", "NCBITaxon", "UBERON", "EFO", "OBA")

#: Known identifier namespaces: (IRI prefix, name, regex of the local part, example).
IDENTIFIER_PATTERNS: tuple[tuple[str, str, str, str], ...] = (
    (_OBO, "OBO", r"(?:" + "|".join(_OBO_ONTOLOGIES) + r")_\d+", "obo:CL_0000097"),
    (_IDORG + "hgnc:", "HGNC", r"\d+", "hgnc:3609"),
    (_IDORG + "ncbigene:", "NCBI Gene", r"\d+", "ncbigene:2205"),
    (_IDORG + "uniprot:", "UniProt", r"[A-Z0-9]{6,10}", "uniprot:P12319"),
    (_IDORG + "drugbank:", "DrugBank", r"DB\d{5}", "drugbank:DB00043"),
    (_IDORG + "chembl.compound:", "ChEMBL", r"CHEMBL\d+", "chembl:CHEMBL1201589"),
    (_IDORG + "mesh:", "MeSH", r"[CD]\d+", "mesh:D000069444"),
    (_IDORG + "pubchem.compound:", "PubChem", r"\d+", "pubchem:774"),
    (_IDORG + "clinicaltrials:", "ClinicalTrials.gov", r"NCT\d{8}", "nct:NCT01703312"),
    (_IDORG + "interpro:", "InterPro", r"IPR\d{6}", "interpro:IPR003597"),
    (_IDORG + "cas:", "CAS", r"\d{2,7}-\d{2}-\d", "<https://identifiers.org/cas:242138-07-4>"),
)

_PREFIX_OF = {ns: prefix for prefix, ns in PREFIXES.items()}


@dataclass(frozen=True)
class Violation:
    """One problem found in the graph.

    Parameters
    ----------
    focus : str
        The node at fault, as a compact id (``ig:omalizumab``).
    rule : str
        The shape (``entity-label``) or integrity check (``claim-assertion``) that failed.
    message : str
        What is wrong, in one line.
    severity : str
        ``"Violation"``, ``"Warning"`` or ``"Info"`` (SHACL severities).
    file : str, optional
        The user (``--data``) file that states the node at fault, when one does.

    Examples
    --------
    >>> Violation("ig:x", "entity-label", "an entity needs exactly one rdfs:label").severity
    'Violation'
    """

    focus: str
    rule: str
    message: str
    severity: str = "Violation"
    file: str | None = None


@dataclass
class ValidationReport:
    """The result of :func:`validate`.

    Parameters
    ----------
    conforms : bool
        True when no violation of severity ``"Violation"`` was found.
    violations : list of Violation
        Every problem, sorted by focus node then rule.
    triples, entities, assertions : int
        How much was checked: triples in the graph, instances of ige:Entity subclasses and
        ige:Assertion nodes.
    seconds : float
        Wall time of the validation.

    Examples
    --------
    >>> ValidationReport(conforms=True).pairs()
    set()
    """

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    triples: int = 0
    entities: int = 0
    assertions: int = 0
    seconds: float = 0.0

    def pairs(self) -> set[tuple[str, str]]:
        """The set of ``(focus, rule)`` pairs reported."""
        return {(v.focus, v.rule) for v in self.violations}

    def summary(self) -> str:
        """One line: ``valid: …`` when clean, else how many violations were found.

        >>> ValidationReport(True, [], 10, 2, 1).summary()
        'valid: 10 triples, 2 entities, 1 assertions checked'
        """
        checked = f"{self.triples} triples, {self.entities} entities, {self.assertions} assertions checked"
        if self.conforms:
            return f"valid: {checked}"
        errors = sum(1 for v in self.violations if v.severity == "Violation")
        nodes = len({v.focus for v in self.violations if v.severity == "Violation"})
        return f"invalid: {errors} violations on {nodes} nodes ({checked})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the report."""
        return {
            "conforms": self.conforms,
            "triples": self.triples,
            "entities": self.entities,
            "assertions": self.assertions,
            "violations": [asdict(v) for v in self.violations],
        }


# ---------------------------------------------------------------- helpers


def _short(node: Any) -> str:
    """A compact id for reports: ``ig:x``, ``ige:binds``, ``CL:0000097``, ``_:b0``, ``"text"@en``."""
    from rdflib import BNode, Literal
    from rdflib.namespace import XSD

    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        if node.language:
            return f'"{node}"@{node.language}'
        if node.datatype is not None and str(node.datatype) != str(XSD.string):
            return f'"{node}"^^{compact(node.datatype)}'
        return f'"{node}"'
    return compact(node)


def _curie(iri: str) -> str:
    """``obo:CL_abc`` / ``drugbank:XYZ`` style, as the curator wrote it (not upper-cased)."""
    best = max((ns for ns in _PREFIX_OF if iri.startswith(ns)), key=len, default="")
    return f"{_PREFIX_OF[best]}:{iri[len(best):]}" if best else f"<{iri}>"


def check_identifier(iri: str) -> str | None:
    """Why an external identifier IRI is malformed, or None when it matches a known pattern.

    Parameters
    ----------
    iri : str
        The object of a ``skos:exactMatch`` / ``skos:closeMatch``.

    Returns
    -------
    str or None
        A one-line reason, None when the IRI is well formed.

    Examples
    --------
    >>> check_identifier("http://purl.obolibrary.org/obo/CL_0000097") is None
    True
    >>> check_identifier("https://identifiers.org/drugbank:XYZ")
    'malformed DrugBank identifier drugbank:XYZ (expected like drugbank:DB00043)'
    """
    for ns, name, local, example in IDENTIFIER_PATTERNS:
        if iri.startswith(ns):
            rest = iri[len(ns):]
            if re.fullmatch(local, rest):
                return None
            if ns == _OBO:
                ontology = rest.split("_", 1)[0]
                if ontology not in _OBO_ONTOLOGIES:
                    return (
                        f"OBO identifier {_curie(iri)} is not from a known ontology "
                        f"({', '.join(_OBO_ONTOLOGIES)})"
                    )
                return f"malformed OBO identifier {_curie(iri)} (expected {ontology}_ and digits, like {example})"
            return f"malformed {name} identifier {_curie(iri)} (expected like {example})"
    if iri.startswith("http://identifiers.org/"):
        return f"identifiers.org IRIs use https: <{iri}>"
    return (f"unknown identifier namespace <{iri}> (use OBO PURLs or identifiers.org: hgnc, ncbigene, uniprot, "
            "drugbank, chembl.compound, mesh, pubchem.compound, clinicaltrials, interpro, cas)")


@lru_cache(maxsize=1)
def _shapes_graph() -> "rdflib.Graph":
    import rdflib

    graph = rdflib.Graph()
    graph.parse(shapes_file(), format="turtle")
    return graph


def _plain_copy(kg: "KnowledgeGraph") -> "rdflib.Graph":
    """The graph in rdflib's Memory store (pySHACL walks it triple by triple), with the ontology."""
    import rdflib
    from rdflib.namespace import RDFS

    from .backends.local import fill_memory

    source = kg.graph
    if type(source.store).__name__ == "Memory" and (None, RDFS.subClassOf, IGE.Entity) in source:
        return source  # read only: inference="none" leaves the data graph untouched
    copy = rdflib.Graph()
    if not fill_memory(copy, source.triples((None, None, None))):
        add = copy.store.add  # the store's own add: Graph.add's checks of each term cost ~15 % more
        for triple in source.triples((None, None, None)):
            add(triple, copy)
    if (None, RDFS.subClassOf, IGE.Entity) not in copy:  # targets need the class hierarchy
        copy.parse(resource_dir("ontology") / "igegraph.ttl", format="turtle")
    return copy


#: The SHACL results of the last few graphs validated in this process, by :func:`_digest`:
#: a graph validated again with the same triples (a command after a test, another backend's
#: copy of the same data) is not walked by pySHACL again.
_SHACL_KEEP = 16
_SHACL_SEEN: "Recent[str, tuple[Violation, ...]]" = Recent(_SHACL_KEEP)


def _digest(graph: "rdflib.Graph") -> str:
    """A digest of the graph's triples (as N-Triples terms, sorted): equal for equal triple sets.

    An ``xsd:string`` literal is written plain, as RDF 1.1 has them the same literal: the
    Oxigraph backend reads them typed, rdflib's parsers (the memory backend) plain, and the same
    data validated on both should be walked by pySHACL once.

    >>> import rdflib
    >>> typed, plain = rdflib.Graph(), rdflib.Graph()
    >>> a = rdflib.URIRef("urn:a")
    >>> _ = typed.add((a, a, rdflib.Literal("x", datatype=rdflib.XSD.string)))
    >>> _ = plain.add((a, a, rdflib.Literal("x")))
    >>> _digest(typed) == _digest(plain)
    True

    An Oxigraph graph's triples are read in the store's own terms, each converted once:

    >>> from igegraph.backends.local import graph_of
    >>> on_oxigraph = graph_of(typed)
    >>> _digest(on_oxigraph) == _digest(plain)
    True
    >>> _ = on_oxigraph.add((a, a, rdflib.Literal("y")))
    >>> _digest(on_oxigraph) == _digest(plain)
    False
    """
    from rdflib import Literal
    from rdflib.namespace import XSD

    from .backends.local import raw_triples

    def n3(term: Any) -> str:
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term)).n3()
        return str(term.n3())

    triples, term_of = raw_triples(graph)
    if term_of is None:
        lines = sorted(" ".join(map(n3, triple)) for triple in triples)
    else:
        texts: dict[Any, str] = {}  # each distinct store term is converted and written once

        def text(raw: Any) -> str:
            found = texts.get(raw)
            if found is None:
                found = texts[raw] = n3(term_of(raw))
            return found

        lines = sorted(f"{text(s)} {text(p)} {text(o)}" for s, p, o in triples)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _shacl(kg: "KnowledgeGraph") -> list[Violation]:
    """The shapes' violations: kept next to the graph's CLI cache entry (a graph restored from
    it), else computed once per set of triples in this process (see :data:`_SHACL_SEEN`)."""
    found: tuple[Violation, ...] = kg._kept("shacl", lambda: _shacl_seen(kg), _encode_violations, _decode_violations)
    return list(found)


def _shacl_seen(kg: "KnowledgeGraph") -> tuple[Violation, ...]:
    key = _digest(kg.graph)
    found = _SHACL_SEEN.get(key)
    if found is None:
        found = tuple(_run_shapes(kg))
        _SHACL_SEEN.put(key, found)
    return found


_SHACL_FORMAT = "igegraph-shacl/1"


@lru_cache(maxsize=1)
def _shacl_engine() -> dict[str, str]:
    """The versions of the libraries the kept results come from: the cache key covers igegraph's
    code and the shapes, not an upgraded pySHACL or rdflib."""
    from importlib.metadata import version

    return {"pyshacl": version("pyshacl"), "rdflib": version("rdflib")}


def _encode_violations(found: tuple[Violation, ...], tag: dict[str, str]) -> bytes:
    """The shapes' violations as compact JSON, for the cache entry ``tag`` names."""
    from .persist import encode_kept

    rows = [[v.focus, v.rule, v.message, v.severity, v.file] for v in found]
    return encode_kept(_SHACL_FORMAT, tag, {"engine": _shacl_engine(), "violations": rows})


def _decode_violations(raw: bytes | None, tag: dict[str, str]) -> tuple[Violation, ...] | None:
    """The violations :func:`_encode_violations` wrote for ``tag`` with these library versions,
    or None if missing, malformed or another's."""
    from .persist import decode_kept

    doc = decode_kept(raw, _SHACL_FORMAT, tag)
    if doc is None or doc.get("engine") != _shacl_engine() or type(doc.get("violations")) is not list:
        return None
    rows = doc["violations"]
    if not all(type(r) is list and len(r) == 5 and all(type(x) is str for x in r[:4])
               and (r[4] is None or type(r[4]) is str) for r in rows):
        return None
    return tuple(Violation(*r) for r in rows)


def _run_shapes(kg: "KnowledgeGraph") -> list[Violation]:
    """Run the shapes with pySHACL and turn each sh:ValidationResult into a Violation."""
    import pyshacl
    from rdflib import URIRef
    from rdflib.namespace import RDF, SH

    data = _plain_copy(kg)
    _, results, _ = pyshacl.validate(
        data,
        shacl_graph=_shapes_graph(),
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        js=False,
        debug=False,
    )
    out: list[Violation] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        component = results.value(result, SH.sourceConstraintComponent)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        if isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS):
            rule = str(shape)[len(SHAPES_NS):]
        else:
            rule = str(component).rsplit("#", 1)[-1] if component is not None else "shacl"
        text = str(message) if message is not None else f"{rule} failed"
        if value is not None and value != focus:
            text += f" (got {_short(value)})"
        out.append(
            Violation(
                focus=_short(focus),
                rule=rule,
                message=text,
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    return out


# ---------------------------------------------------------------- integrity checks

# The checks walk triple patterns rather than run SPARQL: rdflib's engine (the memory backend)
# evaluates a FILTER or EXISTS per row and took most of a validation's time.


def _polarity_claims(kg: "KnowledgeGraph") -> Iterator[tuple[Any, Any, Any]]:
    """The claims: triples between IRIs whose predicate has an ``ige:polarity``."""
    from rdflib import URIRef

    graph = kg.graph
    for p in set(graph.subjects(IGE.polarity, None)):
        for s, o in graph.subject_objects(p):
            if isinstance(s, URIRef) and isinstance(o, URIRef):
                yield s, p, o


def _check_endpoints(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """entity-typed, entity-label: endpoints of polarity properties are typed entities with labels."""
    from rdflib.namespace import RDF, RDFS

    graph = kg.graph
    used: dict[Any, set[Any]] = {}  # endpoint -> the polarity properties it is used with
    for s, p, o in _polarity_claims(kg):
        used.setdefault(s, set()).add(p)
        used.setdefault(o, set()).add(p)
    entity_classes = _entity_classes(graph)
    for node, preds in used.items():
        pred = _short(min(preds))  # any one names the claim; the smallest keeps the message stable
        if not any(c in entity_classes for c in graph.objects(node, RDF.type)):
            yield Violation(
                _short(node), "entity-typed",
                f"used in a claim ({pred}) but has no rdf:type below ige:Entity",
            )
        if (node, RDFS.label, None) not in graph:
            yield Violation(_short(node), "entity-label", f"used in a claim ({pred}) but has no rdfs:label")


def _entity_classes(graph: "rdflib.Graph") -> set[Any]:
    """ige:Entity and every class below it (``rdfs:subClassOf*``)."""
    from rdflib.namespace import RDFS

    return set(graph.transitive_subjects(RDFS.subClassOf, IGE.Entity))


def _check_claims(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """claim-assertion: every polarity triple between IRIs has its ige:Assertion."""
    asserted = {(s, p, o) for _, s, p, o in _assertions(kg.graph)[1]}
    for s, p, o in _polarity_claims(kg):
        if (s, p, o) in asserted:
            continue
        expected = f"ig:a_{_local(s)}_{_local(p)}_{_local(o)}"
        yield Violation(
            _short(s), "claim-assertion",
            f"claim {_short(s)} {_short(p)} {_short(o)} has no ige:Assertion (expected {expected})",
        )


def _local(node: Any) -> str:
    return re.split(r"[#/:]", str(node))[-1]


def _check_assertions(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """assertion-claim and assertion-reference."""
    from rdflib import URIRef

    graph = kg.graph
    assertions, claimed = _assertions(graph)
    cited = set(graph.subjects(IGE.reference, None))
    # a predicate that is no IRI (a literal, a blank node) is in no triple; Oxigraph refuses the pattern
    stated = {p: set(graph.subject_objects(p)) for p in {p for _, _, p, _ in claimed if isinstance(p, URIRef)}}
    for a, s, p, o in claimed:
        if (s, o) not in stated.get(p, ()):
            yield Violation(
                _short(a), "assertion-claim",
                f"asserts {_short(s)} {_short(p)} {_short(o)} but that triple is not in the graph",
            )
    for a in assertions:
        if a not in cited:
            yield Violation(
                _short(a), "assertion-reference",
                "an assertion needs at least one ige:reference (a numbered reference of the review)",
            )


def _assertions(graph: "rdflib.Graph") -> tuple[set[Any], set[tuple[Any, Any, Any, Any]]]:
    """The ige:Assertion nodes, and ``(assertion, subject, predicate, object)`` for each
    combination of their rdf:subject, rdf:predicate and rdf:object values.

    Read with one scan per property rather than look-ups per assertion: each call costs on the
    Oxigraph backend (its SPARQL did this in 3 ms, look-ups took 30).
    """
    from rdflib.namespace import RDF

    parts: list[dict[Any, list[Any]]] = []
    for prop in (RDF.subject, RDF.predicate, RDF.object):
        values: dict[Any, list[Any]] = {}
        for s, o in graph.subject_objects(prop):
            values.setdefault(s, []).append(o)
        parts.append(values)
    assertions = set(graph.subjects(RDF.type, IGE.Assertion))
    return assertions, {(a, *spo) for a in assertions for spo in product(*(part.get(a, ()) for part in parts))}


def _check_identifiers(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """identifier-pattern: skos:exactMatch / closeMatch IRIs of the data (not of ige: terms)."""
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    for prop in (SKOS.exactMatch, SKOS.closeMatch):
        for s, o in kg.graph.subject_objects(prop):
            if not isinstance(o, URIRef) or str(s).startswith(str(IGE)):
                continue  # literals: SHACL; the vocabulary maps its own terms to RO/BFO
            reason = check_identifier(str(o))
            if reason is not None:
                yield Violation(_short(s), "identifier-pattern", f"{_short(prop)}: {reason}")


def _declared(kg: "KnowledgeGraph", kinds: tuple[Any, ...]) -> set[str]:
    """The terms typed with one of ``kinds``."""
    from rdflib.namespace import RDF

    return {str(term) for kind in kinds for term in kg.graph.subjects(RDF.type, kind)}


def _suggest(iri: str, known: set[str]) -> str:
    names = {str(k)[len(str(IGE)):]: k for k in known if str(k).startswith(str(IGE))}
    close = difflib.get_close_matches(str(iri)[len(str(IGE)):], list(names), n=1, cutoff=0.75)
    return f"; did you mean ige:{close[0]}?" if close else ""


def _check_terms(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """unknown-property and unknown-class: ige: terms used in the data exist in the ontology."""
    from rdflib.namespace import OWL, RDF, RDFS

    from .backends.local import raw_triples

    graph = kg.graph
    properties = _declared(kg, (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))
    classes = _declared(kg, (OWL.Class, RDFS.Class))
    # the few distinct predicates first (no rdflib term made for the rest of each triple),
    # then the subjects of the unknown ones
    triples, term_of = raw_triples(graph)
    predicates = {p for _, p, _ in triples}
    if term_of is not None:
        predicates = {term_of(p) for p in predicates}
    unknown = [p for p in predicates if str(p).startswith(str(IGE)) and str(p) not in properties]
    used = {(s, p) for p in unknown for s in graph.subjects(p, None)}
    for s, p in used:
        yield Violation(
            _short(s), "unknown-property",
            f"uses property {_short(p)}, which the ontology does not define{_suggest(str(p), properties)}",
        )
    # str() of a literal is its text, as SPARQL's STR(): an ige: IRI written as a string counts
    named = {(s, via, p) for via in (RDF.predicate, IGE.interactionPredicate)
             for s, p in graph.subject_objects(via) if str(p).startswith(str(IGE))}
    for s, via, p in named:
        if str(p) not in properties:
            yield Violation(
                _short(s), "unknown-property",
                f"{_short(via)} {_short(p)} is not a property of the ontology{_suggest(str(p), properties)}",
            )
    typed = {(s, c) for s, c in graph.subject_objects(RDF.type) if str(c).startswith(str(IGE))}
    for s, c in typed:
        if str(c) not in classes:
            yield Violation(
                _short(s), "unknown-class",
                f"rdf:type {_short(c)} is not a class of the ontology{_suggest(str(c), classes)}",
            )


def _check_declarations(kg: "KnowledgeGraph") -> Iterator[Violation]:
    """The vocabulary's declarations: typed values, class cycles, entities retyped as properties."""
    for focus, rule, message in value_problems(kg.graph) + structure_problems(kg.graph):
        yield Violation(focus, rule, message)


_CHECKS: tuple[Callable[["KnowledgeGraph"], Iterator[Violation]], ...] = (
    _check_endpoints,
    _check_claims,
    _check_assertions,
    _check_identifiers,
    _check_terms,
    _check_declarations,
)


# ---------------------------------------------------------------- public API


@gc_paused
def validate(kg: "KnowledgeGraph", *, shacl: bool = True, integrity: bool = True,
             allow_vocabulary_changes: bool = False) -> ValidationReport:
    """Check a knowledge graph against the SHACL shapes and the integrity rules.

    Parameters
    ----------
    kg : KnowledgeGraph
        The graph to check (from :func:`igegraph.load`); it must contain the ontology, which
        ``load()`` adds by default (otherwise the ontology is added to the copy SHACL sees).
    shacl : bool
        Run the shapes of ``ontology/shapes.ttl`` with pySHACL (``inference="none"``).
    integrity : bool
        Run the integrity checks of :data:`RULES`.
    allow_vocabulary_changes : bool
        Report the vocabulary triples user files changed (``kg.vocabulary_changes``) as
        warnings instead of violations.

    Returns
    -------
    ValidationReport
        ``conforms`` is False when any violation was found; ``violations`` are sorted by
        focus node and rule. A problem found both by a shape and by an integrity check of the
        same name (``assertion-reference``, ``entity-label``) is reported once.

    Examples
    --------
    >>> import igegraph
    >>> report = validate(igegraph.load(), integrity=False)
    >>> isinstance(report.conforms, bool)
    True
    """
    import time

    from rdflib.namespace import RDF

    start = time.perf_counter()
    found: list[Violation] = _shacl(kg) if shacl else []
    by_shapes = {(v.focus, v.rule) for v in found}
    if integrity:
        for check in _CHECKS:
            found.extend(v for v in check(kg) if (v.focus, v.rule) not in by_shapes)
        severity = "Warning" if allow_vocabulary_changes else "Violation"
        found.extend(Violation(change.split(" ", 1)[0], "vocabulary-change", f"--data {change}", severity)
                     for change in kg.vocabulary_changes)
    unique = _with_files(kg, sorted(set(found), key=lambda v: (v.focus, v.rule, v.message)))
    graph = kg.graph
    classes = _entity_classes(graph)
    report = ValidationReport(
        conforms=not any(v.severity == "Violation" for v in unique),
        violations=unique,
        triples=len(graph),
        entities=len({e for e, c in graph.subject_objects(RDF.type) if c in classes}),
        assertions=len(set(graph.subjects(RDF.type, IGE.Assertion))),
    )
    report.seconds = time.perf_counter() - start
    return report


def _with_files(kg: "KnowledgeGraph", found: list[Violation]) -> list[Violation]:
    """Name the user file that states each node at fault (a --data file; curated files are ours)."""
    from dataclasses import replace

    from .kg import new_graph, parse_into
    from .resources import curated_files

    user = [path for path in kg.sources if path not in set(curated_files())]
    if not found or not user:
        return found
    stated: dict[str, str] = {}  # node -> the file that describes it, else one that mentions it
    mentioned: dict[str, str] = {}
    for path in user:
        graph = new_graph("memory")
        parse_into(graph, path, "memory")  # already loaded once, with the same checks
        for subject in set(graph.subjects()):
            stated.setdefault(compact(subject), str(path))
        mentioned.update({compact(o): str(path) for o in graph.objects() if compact(o) not in mentioned})
    return [replace(v, file=stated.get(v.focus) or mentioned.get(v.focus)) for v in found]
