"""Search everything the graph says: names, definitions, quotes, curator notes, numbers, Table 1.

Names are matched as :func:`igegraph.resolve.match_names` matches them (exact label, synonym or
identifier first, Greek letters folded). Text is ranked by an SQLite FTS5 index (BM25, Porter
stemming) built in memory from the loaded graph, so ``--data`` files are searched too; it is
built once per KnowledgeGraph. User text is always a list of plain words: FTS5 operators
(``AND``, ``NEAR``, ``*``, quotes, column filters) have no effect.

Examples
--------
>>> import igegraph
>>> kg = igegraph.load()
>>> hit = search(kg, "thrombosis")[1]
>>> hit.label, hit.field, hit.about
('omalizumab — increases risk of — arterial thrombosis', 'quote', 'ig:omalizumab')
>>> hit.matched
'…increases the risk of arterial «thrombosis» slightly'
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .measurements import graph_value, measurement, measurement_text
from .persist import decode_kept, encode_kept
from .references import reference_numbers
from .resolve import SearchHit, fold_greek, match_names
from .vocab import IGE, compact

if TYPE_CHECKING:
    import rdflib

    from .kg import KnowledgeGraph

__all__ = ["search", "similar_words", "text_index", "TextIndex", "fts_query"]

_TEXT_FIELDS = {RDFS.label: "label", SKOS.altLabel: "synonym", SKOS.definition: "definition",
                IGE.evidenceQuote: "quote", IGE.curatorNote: "curator note"}
# BM25 multipliers: a word in a name or a number says more about a thing than one in a note
_WEIGHT = {"label": 3.0, "synonym": 3.0, "measurement": 3.0, "Table 1": 2.0, "definition": 1.5, "quote": 1.5,
           "curator note": 1.0}
# things that are not entities but are worth finding; each names the entity it is about
_ABOUT = {IGE.Assertion: (RDF.subject, False), IGE.Measurement: (IGE.hasMeasurement, True),
          IGE.Table1Row: (IGE.therapy, False), IGE.PathwayStep: (IGE.hasStep, True),
          IGE.Pathway: None, IGE.Reference: None, IGE.Strategy: None}
_TABLE1_CELLS = (IGE.tableType, IGE.mechanismText, IGE.phaseText)
_BEST_TEXT_SCORE = 60  # below an exact or prefix name match (70+), above a substring one (50)
_SNIPPET = 60  # characters of context around the first matched word
_WORD = re.compile(r"\w{3,}")


@dataclass(frozen=True)
class _Thing:
    label: str
    category: str
    about: str | None


class TextIndex:
    """An in-memory FTS5 table of every text of every entity and claim, one row per text.

    Parameters
    ----------
    things : dict
        Compact id -> label, class and owning entity of everything that has a text.
    docs : list of (thing id, field, text)
        The texts; row ``i + 1`` of the FTS table holds ``docs[i]``, Greek letters folded.
    words : list of str, optional
        The distinct words of the texts, lower case and sorted (found in ``docs`` if not given).
    """

    def __init__(self, things: dict[str, _Thing], docs: list[tuple[str, str, str]], words: list[str] | None = None):
        self.things = things
        self.docs = docs
        # one connection shared by threads (a server); the lock serialises its use
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute('CREATE VIRTUAL TABLE docs USING fts5(text, tokenize="porter unicode61 remove_diacritics 2")')
        self._db.executemany("INSERT INTO docs(rowid, text) VALUES (?, ?)",
                             ((i + 1, fold_greek(text)) for i, (_, _, text) in enumerate(docs)))
        self.words = sorted({w.lower() for _, _, text in docs for w in _WORD.findall(text)}) if words is None else words

    def match(self, text: str) -> list[tuple[str, str, str, float]]:
        """(thing id, field, snippet, weighted BM25 rank; lower is better) for each matching text."""
        query = fts_query(fold_greek(text))
        if not query:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT rowid, bm25(docs), highlight(docs, 0, char(1), char(2)) FROM docs WHERE docs MATCH ?",
                (query,)).fetchall()
        out = []
        for rowid, rank, marked in rows:
            thing, field, original = self.docs[rowid - 1]
            out.append((thing, field, _snippet(original, marked), rank * _WEIGHT[field]))
        return out


def fts_query(text: str) -> str:
    """An FTS5 query that matches every word of ``text`` as a plain word (operators neutralised).

    >>> fts_query('half-life AND( a"b NEAR *')
    '"half-life" "AND(" "a""b" "NEAR"'
    >>> fts_query("IgE\\x00E")
    '"IgE" "E"'
    """
    # control characters (NUL above all) are no words, and SQLite refuses them in a query
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _snippet(original: str, marked: str) -> str:
    """The original text around the first match, matched words in «», cut with "…".

    ``marked`` is the folded text with \\x01/\\x02 around matches; folding keeps one character
    for one, so positions in it (markers removed) are positions in ``original``.
    """
    spans, start, pos = [], 0, 0
    for ch in marked:
        if ch == "\x01":
            start = pos
        elif ch == "\x02":
            spans.append((start, pos))
        else:
            pos += 1
    first, end = spans[0] if spans else (0, 0)
    lo, hi = 0, len(original)
    if hi > _SNIPPET:
        lo = max(0, min(first - _SNIPPET // 4, hi - _SNIPPET))
        space = original.find(" ", lo, first)
        if lo and space != -1:
            lo = space + 1  # start on a word, before the first match
        hi = min(hi, lo + _SNIPPET)
        space = original.rfind(" ", end, hi)
        if hi < len(original) and space != -1:
            hi = space  # end on a word, after the first match
    out, cursor = [], lo
    for a, b in spans:
        if a >= cursor and b <= hi:
            out += [original[cursor:a], "«", original[a:b], "»"]
            cursor = b
    out.append(original[cursor:hi])
    return ("…" if lo else "") + "".join(out).strip() + ("…" if hi < len(original) else "")


def _by_node(graph: "rdflib.Graph", prop: Any, inverse: bool = False) -> dict[Any, list[Any]]:
    """Node -> its values of ``prop`` (its subjects when ``inverse``), in one pattern read."""
    found: dict[Any, list[Any]] = {}
    for s, o in graph.subject_objects(prop):
        node, value = (o, s) if inverse else (s, o)
        found.setdefault(node, []).append(value)
    return found


def _things(kg: "KnowledgeGraph") -> dict[str, _Thing]:
    g = kg.projection
    graph = kg.graph
    things = {node: _Thing(attrs["label"], attrs["category"], None) for node, attrs in g.nodes(data=True)}
    labels = kg.labels  # built with the projection: a look-up, not a pattern read, per label

    def label(node: str) -> str:
        return labels.get(node) or kg.label(node)

    # each property read in one pass (a few pattern reads in all, not several per thing)
    parts = {prop: _by_node(graph, prop) for prop in (RDF.predicate, RDF.object)}
    for cls, link in _ABOUT.items():
        links = {} if link is None else _by_node(graph, *link)
        for node in graph.subjects(RDF.type, cls):
            if not isinstance(node, URIRef) or compact(node) in things:
                continue
            about = None
            if link is not None:
                value = graph_value(graph, links.get(node), node, *link)
                about = compact(value) if value is not None else None
            text = label(compact(node))
            if cls == IGE.Assertion:
                p, o = (graph_value(graph, parts[prop].get(node), node, prop) for prop in (RDF.predicate, RDF.object))
                text = " — ".join(label(compact(x)) if x is not None else "?" for x in (about, p, o))
            things[compact(node)] = _Thing(text, compact(cls), about)
    return things


def _docs(kg: "KnowledgeGraph", things: dict[str, _Thing]) -> list[tuple[str, str, str]]:
    docs = []
    for prop, field in _TEXT_FIELDS.items():
        for s, o in kg.graph.subject_objects(prop):
            # a measurement's label opens its "measurement" text, so it is indexed there
            if compact(s) in things and not (field == "label" and things[compact(s)].category == "ige:Measurement"):
                docs.append((compact(s), field, str(o)))
    for node in kg.graph.subjects(RDF.type, IGE.Measurement):
        docs.append((compact(node), "measurement", measurement_text(measurement(kg, node))))
    for row in kg.graph.subjects(RDF.type, IGE.Table1Row):
        cells = [str(v) for cell in _TABLE1_CELLS for v in kg.graph.objects(row, cell)]
        author = kg.graph.value(row, IGE.firstAuthor)
        cited = " ".join(f"[{n}]" for n in reference_numbers(kg, row))
        docs.append((compact(row), "Table 1", " | ".join(cells + ([f"{author} {cited}"] if author else []))))
    return sorted(d for d in docs if d[0] in things)


def text_index(kg: "KnowledgeGraph") -> TextIndex:
    """The full-text index of a knowledge graph, built on first use and cached on it (and shared
    with the graphs of the same content: its connection is locked, its lists only read).

    A graph restored from the CLI cache reads its texts from the cache entry (see
    :mod:`igegraph.cache`), so a command run in a new process only refills the FTS table.
    """

    def build() -> TextIndex:
        things = _things(kg)
        return TextIndex(things, _docs(kg, things))

    return kg.derived("text_index", lambda: kg._kept("fulltext", build, _encode_index, _decode_index), shared=True)


_FORMAT = "igegraph-fulltext/1"


def _encode_index(index: TextIndex, tag: dict[str, str]) -> bytes:
    """The texts, things and words of an index as compact JSON, for the cache entry ``tag`` names."""
    things = [[thing, info.label, info.category, info.about] for thing, info in index.things.items()]
    return encode_kept(_FORMAT, tag, {"things": things, "docs": index.docs, "words": index.words})


def _decode_index(raw: bytes | None, tag: dict[str, str]) -> TextIndex | None:
    """The index :func:`_encode_index` wrote for ``tag``, or None if missing, malformed or another tag's."""
    doc = decode_kept(raw, _FORMAT, tag)
    if doc is None:
        return None
    rows, docs, words = doc.get("things"), doc.get("docs"), doc.get("words")
    if type(rows) is not list or type(docs) is not list or type(words) is not list \
            or not all(type(w) is str for w in words):
        return None
    things = {}
    for row in rows:
        if type(row) is not list or len(row) != 4 or not all(type(x) is str for x in row[:3]) \
                or not (row[3] is None or type(row[3]) is str) or row[0] in things:
            return None
        things[row[0]] = _Thing(row[1], row[2], row[3])
    for text in docs:
        if type(text) is not list or len(text) != 3 or text[0] not in things or text[1] not in _WEIGHT \
                or type(text[2]) is not str:
            return None
    return TextIndex(things, [(a, b, c) for a, b, c in docs], words)


def similar_words(kg: "KnowledgeGraph", text: str, n: int = 5) -> list[str]:
    """Words of the indexed text spelled like the words of ``text`` that it does not contain.

    For "did you mean" when a search finds nothing; the words themselves may still be absent.

    >>> import igegraph
    >>> similar_words(igegraph.load(), "histamin degranulaton")
    ['histamine', 'degranulation', 'degranulate', 'degranulates']
    """
    words = text_index(kg).words
    known = set(words)
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in known:
            out += [w for w in difflib.get_close_matches(word, words, n=3, cutoff=0.75) if w not in out]
    return out[:n]


def search(kg: "KnowledgeGraph", text: str, limit: int = 10) -> list[SearchHit]:
    """Ranked search over names, definitions, quotes, curator notes, measurements and Table 1.

    Name matches score as in :func:`igegraph.resolve.match_names` (exact 85-100, prefix 70,
    substring 50). Text matches score up to 60, relative to the best BM25 rank of this search.
    One hit per entity or claim, with the field and snippet of its best match. When nothing
    matches, close spellings of names are returned (field "similar name", score below 50).

    >>> import igegraph
    >>> [(h.id, h.field) for h in search(igegraph.load(), "half-life", limit=3)]
    [('ig:m_IgE_serum_half_life', 'measurement'), ('ig:m_IgG_serum_half_life', 'measurement'),
     ('ig:m_free_IgE_blood_half_life', 'measurement')]
    """
    names = match_names(kg, text)
    hits = {h.id: h for h in names if h.score >= 50}
    index = text_index(kg)
    matches = index.match(text)
    best = min((m[3] for m in matches), default=0.0)
    rank: dict[str, float] = {}
    for thing, field, snippet, weighted in sorted(matches, key=lambda m: m[3]):
        if thing in rank:
            continue  # a better text of the same thing came first
        rank[thing] = weighted
        score = max(1, round(_BEST_TEXT_SCORE * weighted / best))
        if thing not in hits or hits[thing].score < score:
            info = index.things[thing]
            hits[thing] = SearchHit(thing, info.label, info.category, field, snippet, score, info.about)
    if not hits:
        hits = {h.id: h for h in names}
    ranked = sorted(hits.values(), key=lambda h: (-h.score, rank.get(h.id, 0.0), h.label.lower()))
    return ranked[:limit]
