"""Namespaces, prefixes and CURIE handling.

Examples
--------
>>> from igegraph.vocab import expand_curie, IG
>>> expand_curie("CL:0000097")
'http://purl.obolibrary.org/obo/CL_0000097'
>>> expand_curie("ig:omalizumab") == str(IG.omalizumab)
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

__all__ = ["IGE", "IG", "OBO", "PREFIXES", "expand_curie", "compact", "local_name", "prefixed"]

IGE = Namespace("https://w3id.org/igegraph/vocab#")
IG = Namespace("https://w3id.org/igegraph/id/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")

# Predeclared in every query and used to shorten IRIs in output.
PREFIXES: dict[str, str] = {
    "ige": str(IGE),
    "ig": str(IG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "obo": str(OBO),
    "biolink": str(BIOLINK),
    "hgnc": "https://identifiers.org/hgnc:",
    "ncbigene": "https://identifiers.org/ncbigene:",
    "uniprot": "https://identifiers.org/uniprot:",
    "drugbank": "https://identifiers.org/drugbank:",
    "chembl": "https://identifiers.org/chembl.compound:",
    "mesh": "https://identifiers.org/mesh:",
    "pubchem": "https://identifiers.org/pubchem.compound:",
    "nct": "https://identifiers.org/clinicaltrials:",
    "interpro": "https://identifiers.org/interpro:",
    "cas": "https://identifiers.org/cas:",
}

# Upper-case CURIE prefixes as written in databases (CL:0000097, DRUGBANK:DB00043).
_OBO_PREFIXES = {"CL", "GO", "CHEBI", "MONDO", "HP", "DOID", "NCBITAXON", "UBERON", "EFO", "RO", "BFO", "OBA"}
_IDORG = {
    "HGNC": "hgnc",
    "NCBIGENE": "ncbigene",
    "UNIPROT": "uniprot",
    "UNIPROTKB": "uniprot",
    "DRUGBANK": "drugbank",
    "CHEMBL": "chembl",
    "CHEMBL.COMPOUND": "chembl",
    "MESH": "mesh",
    "PUBCHEM": "pubchem",
    "PUBCHEM.COMPOUND": "pubchem",
    "NCT": "nct",
    "CLINICALTRIALS": "nct",
    "INTERPRO": "interpro",
    "CAS": "cas",
}
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.]*):(\S+)$")


def expand_curie(curie: str) -> str | None:
    """Expand a CURIE to a full IRI, or return None when it is not one.

    Accepts the project prefixes (``ig:``, ``ige:`` …), OBO CURIEs (``GO:0043303``)
    and identifiers.org ones (``HGNC:3609``, ``DRUGBANK:DB00043``); full IRIs pass through.

    >>> expand_curie("DRUGBANK:DB00043")
    'https://identifiers.org/drugbank:DB00043'
    >>> expand_curie("omalizumab") is None
    True
    """
    text = curie.strip()
    if text.startswith(("http://", "https://")):
        return text
    m = _CURIE.match(text)
    if not m:
        return None
    prefix, local = m.groups()
    if prefix in PREFIXES:
        return PREFIXES[prefix] + local
    upper = prefix.upper()
    if upper == "NCBITAXON":
        return f"{OBO}NCBITaxon_{local}"
    if upper in _OBO_PREFIXES:
        return f"{OBO}{upper}_{local}"
    if upper in _IDORG:
        return PREFIXES[_IDORG[upper]] + local
    if upper == "NCT" or local.upper().startswith("NCT"):
        return PREFIXES["nct"] + local
    return None


def compact(iri: str | Node) -> str:
    """Shorten an IRI with the known prefixes; OBO IRIs become ``CL:0000097``.

    >>> compact("http://purl.obolibrary.org/obo/CL_0000097")
    'CL:0000097'
    >>> compact("https://w3id.org/igegraph/id/omalizumab")
    'ig:omalizumab'
    """
    return _compact(str(iri))


@lru_cache(maxsize=1 << 16)  # projections and fetches compact the same few thousand IRIs many times
def _compact(text: str) -> str:
    if text.startswith(str(OBO)):
        local = text[len(str(OBO)):]
        if "_" in local:
            prefix, _, rest = local.partition("_")
            return f"{prefix}:{rest}"
    best = ""
    best_prefix = ""
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(ns) > len(best):
            best, best_prefix = ns, prefix
    if best:
        local = text[len(best):]
        if best_prefix in {"hgnc", "ncbigene", "uniprot", "drugbank", "chembl", "mesh", "pubchem", "interpro", "cas"}:
            return f"{best_prefix.upper()}:{local}"
        if best_prefix == "nct":
            return local
        return f"{best_prefix}:{local}"
    return text


def local_name(iri: str | URIRef) -> str:
    """The part of an IRI after its last ``#`` or ``/``.

    >>> local_name("https://w3id.org/igegraph/vocab#neutralizes")
    'neutralizes'
    """
    text = str(iri)
    return re.split(r"[#/]", text)[-1]


def prefixed(query: str) -> str:
    """The query with the project's PREFIX declarations in front (SPARQL stores and pyoxigraph
    predeclare none).

    >>> prefixed("ASK { ?s a ige:Drug }").splitlines()[0]
    'PREFIX ige: <https://w3id.org/igegraph/vocab#>'
    """
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + query
