"""Name, synonym or CURIE -> entity; and ranked matching of names (for suggestions and search).

Matching folds case, spaces, hyphens, punctuation, the registered/trademark signs and Greek
letters written as letters or words, so that FcεRI = FceRI = Fc epsilon RI = "FcεR I".

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> resolve(kg, "Fc epsilon RI")
'ig:FcERI'
>>> resolve(kg, "Xolair")
'ig:omalizumab'
>>> resolve(kg, "DRUGBANK:DB00043")
'ig:omalizumab'
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import UnknownEntity
from .vocab import compact, expand_curie

if TYPE_CHECKING:
    from .kg import KnowledgeGraph

__all__ = ["normalize", "fold_greek", "resolve", "match_names", "SearchHit", "entity_index"]

_GREEK = {
    "α": "a", "β": "b", "γ": "g", "δ": "d", "ε": "e", "ɛ": "e", "κ": "k", "λ": "l", "μ": "m",
}
_GREEK_TABLE = str.maketrans(_GREEK)
_GREEK_LETTER = re.compile(f"[{''.join(_GREEK)}]")
# a Greek letter spelled out as its own word ("Fc epsilon RI", "IL-4R alpha", "FcεRI-alpha")
_GREEK_WORDS = re.compile(r"(?<![a-z])(alpha|beta|gamma|delta|epsilon|kappa|lambda)(?![a-z])")
_WORD_TO_LETTER = {"alpha": "a", "beta": "b", "gamma": "g", "delta": "d", "epsilon": "e", "kappa": "k", "lambda": "l"}


def fold_greek(text: str) -> str:
    """Greek letters as Latin ones, one character for one (so offsets are kept).

    >>> fold_greek("FcεRI and Cε3")
    'FceRI and Ce3'
    """
    # most texts have no Greek letter, and finding that is cheaper than translating each character
    if text.isascii() or not _GREEK_LETTER.search(text):
        return text
    return text.translate(_GREEK_TABLE)


#: what a matching key drops: everything but ASCII letters and digits
_NOT_KEY = re.compile(r"[^A-Za-z0-9]+")
#: Most names kept with their keys (:func:`normalize`); each entity index and name match
#: folds every name of the graph again.
NORMALIZED_NAMES = 1 << 16


@functools.lru_cache(maxsize=NORMALIZED_NAMES)
def normalize(text: str) -> str:
    """Fold a name to its matching key.

    >>> normalize("Fc epsilon R I") == normalize("FcεRI") == normalize("FCERI")
    True
    >>> normalize("IgE+ B cells")
    'igebcells'
    """
    text = text.lower()
    ascii_only = text.isascii()  # no Greek letter to fold and nothing NFKD changes
    if not ascii_only:
        text = fold_greek(text)
    text = _GREEK_WORDS.sub(lambda m: _WORD_TO_LETTER[m.group(1)], text)
    if not ascii_only:
        text = unicodedata.normalize("NFKD", text)
    return _NOT_KEY.sub("", text)


@dataclass(frozen=True)
class SearchHit:
    """One search result: the entity or claim, where it matched, what matched and how well (0-100).

    ``field`` is label, synonym, identifier or similar name (a close spelling) for a name match;
    definition, quote, curator note, measurement or Table 1 for a full-text match, whose
    ``matched`` is a snippet with the matched words in «». ``about`` is the entity a claim
    belongs to (an assertion's subject, a measurement's entity, a Table 1 row's therapy, a
    pathway step's pathway), else None.
    """

    id: str
    label: str
    category: str
    field: str
    matched: str
    score: int
    about: str | None = None


def entity_index(kg: "KnowledgeGraph") -> dict[str, dict[str, set[str]]]:
    """Matching keys of every entity: {"label"|"synonym"|"id": {key: {entity ids}}}, cached on kg
    (and shared with the graphs of the same content: read it, never change it)."""
    return kg.derived("entity_index", lambda: _build_index(kg), shared=True)


def _build_index(kg: "KnowledgeGraph") -> dict[str, dict[str, set[str]]]:
    index: dict[str, dict[str, set[str]]] = {"label": defaultdict(set), "synonym": defaultdict(set),
                                             "id": defaultdict(set)}
    for node, attrs in kg.projection.nodes(data=True):
        index["label"][normalize(attrs["label"])].add(node)
        for syn in attrs["synonyms"]:
            index["synonym"][normalize(syn)].add(node)
        index["id"][normalize(node.split(":", 1)[-1])].add(node)
        for ident in attrs["identifiers"]:
            index["id"][normalize(ident)].add(node)
    return {kind: dict(keys) for kind, keys in index.items()}  # a look-up adds no empty entry


def _by_identifier(kg: "KnowledgeGraph", term: str) -> str | None:
    iri = expand_curie(term)
    if iri is None:
        return None
    node = compact(iri)
    g = kg.projection
    if node in g:
        return node
    # an exact match names the entity; a close match only when no entity matches exactly
    for field in ("exact_identifiers", "identifiers"):
        found = sorted(c for c, attrs in g.nodes(data=True) if node in attrs[field])
        if len(found) == 1:
            return found[0]
        if found:
            raise UnknownEntity(term, [kg.label(c) for c in found], ambiguous=True)
    return None


def resolve(kg: "KnowledgeGraph", term: str) -> str:
    """The compact id of the entity that ``term`` names.

    Parameters
    ----------
    kg : KnowledgeGraph
    term : str
        A label, synonym, local id (``mast_cell``), project CURIE (``ig:mast_cell``), standard
        CURIE (``CL:0000097``, ``HGNC:3609``, ``DRUGBANK:DB00043``) or full IRI.

    Raises
    ------
    UnknownEntity
        No entity matches (with "did you mean" suggestions), or several match equally well,
        or the term is longer than :data:`igegraph.kg.MAX_TERM_CHARS` (refused at once: fuzzy
        matching a huge term would take minutes).
    """
    from .kg import MAX_TERM_CHARS

    if len(term) > MAX_TERM_CHARS:
        raise UnknownEntity(term, too_long=MAX_TERM_CHARS)
    found = _by_identifier(kg, term)
    if found:
        return found
    key = normalize(term)
    index = entity_index(kg)
    for kind in ("label", "id", "synonym"):
        hits = index[kind].get(key, set())
        if not hits and key.endswith("s"):
            hits = index[kind].get(key[:-1], set())
        if len(hits) == 1:
            return next(iter(hits))
        if len(hits) > 1:
            raise UnknownEntity(term, sorted(kg.label(h) for h in hits), ambiguous=True)
    near = match_names(kg, term)[:5]
    # weak fuzzy matches are noise in a "did you mean"
    good = [hit.label for hit in near if hit.score >= 30] or [hit.label for hit in near[:3]]
    raise UnknownEntity(term, good)


_FIELD = {"label": "label", "synonym": "synonym", "id": "identifier", "close": "identifier"}
_EXACT_SCORE = {"label": 100, "id": 95, "synonym": 90, "close": 85}


def _name_keys(kg: "KnowledgeGraph") -> list[tuple[str, str, str, str, dict[str, int]]]:
    """(entity, kind, name, key, character counts of the key) of every name of every entity, in
    the order :func:`match_names` offers them; built once per graph content (shared: read it,
    never change it), so a look-up neither folds nor counts the graph's names again."""

    def build() -> list[tuple[str, str, str, str, dict[str, int]]]:
        out: list[tuple[str, str, str, str, dict[str, int]]] = []
        for node, attrs in kg.projection.nodes(data=True):
            names = [("label", attrs["label"])] + [("synonym", s) for s in attrs["synonyms"]]
            names += [("id", node)] + [("id", i) for i in attrs["exact_identifiers"]]
            names += [("close", i) for i in attrs["identifiers"] if i not in attrs["exact_identifiers"]]
            for kind, name in names:
                keys = {normalize(name)}
                if kind in ("id", "close"):
                    keys.add(normalize(name.split(":", 1)[-1]))  # DB00043 finds DRUGBANK:DB00043
                out.extend((node, kind, name, nkey, _counts(nkey)) for nkey in filter(None, keys))
        return out

    return kg.derived("name_keys", build, shared=True)


def _counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    return counts


def match_names(kg: "KnowledgeGraph", text: str) -> list[SearchHit]:
    """Entities whose label, synonym or identifier matches ``text``, best first.

    Exact label matches score 100, exact identifiers 95, exact synonyms 90, close-match
    identifiers 85, prefixes 70, substrings 50, and close spellings (field "similar name") up
    to 40. Names are compared by :func:`normalize`, so Greek letters and spacing do not matter.

    >>> import igegraph
    >>> [(h.id, h.field, h.score) for h in match_names(igegraph.load(), "Xolair")][:1]
    [('ig:omalizumab', 'synonym', 90)]
    """
    key = normalize(text)
    if not key:
        return []
    g = kg.projection
    best: dict[str, tuple[int, str, str]] = {}

    def offer(node: str, score: int, field: str, matched: str) -> None:
        if score > best.get(node, (-1,))[0]:
            best[node] = (score, field, matched)

    key_counts = _counts(key)
    for node, kind, name, nkey, counts in _name_keys(kg):
        if nkey == key:
            offer(node, _EXACT_SCORE[kind], _FIELD[kind], name)
        elif nkey.startswith(key):
            offer(node, 70, _FIELD[kind], name)
        elif key in nkey:
            offer(node, 50, _FIELD[kind], name)
        else:
            # difflib's real_quick_ratio and quick_ratio, upper bounds of the ratio that most
            # names fail, computed as difflib does but without building a matcher per name
            length = len(key) + len(nkey)
            if 2.0 * min(len(key), len(nkey)) / length < 0.6:
                continue
            if 2.0 * sum(min(n, counts.get(c, 0)) for c, n in key_counts.items()) / length < 0.6:
                continue
            ratio = difflib.SequenceMatcher(None, key, nkey).ratio()
            if ratio >= 0.6:
                offer(node, int(40 * ratio), "similar name", name)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], g.nodes[item[0]]["label"].lower()))
    return [
        SearchHit(node, g.nodes[node]["label"], g.nodes[node]["category"], field, matched, score)
        for node, (score, field, matched) in ranked
    ]
